import type { Sandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { shardStream } from '../src/sync';
import { backfillStatus, planShards, type SyncWorker, startSyncWorker } from '../src/workers';
import { startPostgres, type TestPostgres } from './support/postgres';
import { SYNC_FROM, sandboxClient, sandboxData, startSyncSandbox } from './support/sandbox';
import { storedEngagements } from './support/sync-suite';

const DAY = 86_400_000;
/** pg-boss's polling interval here: one sleep between shards alone outlasts the test's timeout. */
const POLLING_INTERVAL_SECONDS = 300;
const TEST_TIMEOUT_MS = 120_000;

let server: TestPostgres;
let sb: Sandbox;
let worker: SyncWorker | undefined;
let store: SyncStore | undefined;

beforeAll(async () => {
  server = await startPostgres();
  sb = await startSyncSandbox();
});
afterAll(async () => {
  await worker?.stop();
  await store?.close();
  await sb?.close();
  await server?.stop();
});

// Without the worker's notifyWorker call, pg-boss sleeps out the rest of its 300 s polling interval
// after each shard: the first sleep alone outlasts this test's timeout, so the test
// cannot finish. No duration is asserted.
it(
  'a worker claims the next shard as soon as one is done, not after its polling interval',
  async () => {
    expect(POLLING_INTERVAL_SECONDS * 1000).toBeGreaterThan(TEST_TIMEOUT_MS);
    const db = await server.createDatabase('claims');
    // Truto filters by date on its side, so the range splits into windows (DevRev's would be one).
    const adapter = createTrutoAdapter({ ...sb.adapterOptions.truto });
    const from = SYNC_FROM.toISOString();
    const to = new Date().toISOString();
    const windowMs = 6 * DAY;
    const expectedStreams = planShards({
      providers: [
        {
          id: adapter.id,
          maxWindowMs: adapter.capabilities.maxWindowMs,
          timeFilter: adapter.capabilities.filters.from,
        },
      ],
      from,
      to,
      windowMs,
    }).map(shardStream);
    // Four 6-day windows, then the oldest 7-8 days in 1.5-day quarters (how many depends on the
    // time of day `to` is): 9 or 10 shards, so a worker sleeping between them needs 8 or more
    // polling intervals.
    expect([9, 10]).toContain(expectedStreams.length);

    const done: string[] = [];
    const failures: unknown[] = [];
    let check = () => {};
    worker = await startSyncWorker({
      db,
      adapters: [adapter],
      concurrency: 1,
      backfill: { from, to, windowMs },
      rateLimits: { truto: false },
      changesCron: false,
      pollingIntervalSeconds: POLLING_INTERVAL_SECONDS,
      onEvent: (e) => {
        if (e.type === 'shard-done') done.push(e.stream);
        else if (e.type === 'shard-failed' || e.type === 'error') failures.push(e);
        check();
      },
    });
    expect(worker.plan.shards).toEqual({ truto: expectedStreams.length });
    await new Promise<void>((resolve) => {
      check = () => {
        if (done.length >= expectedStreams.length || failures.length > 0) resolve();
      };
      check();
    });
    expect(failures).toEqual([]);
    // In plan order (newest window first): the jobs carry descending priorities. Without them,
    // jobs inserted together would come in the order of their random ids.
    expect(done).toEqual(expectedStreams);

    store = postgresStore(db);
    const status = await backfillStatus(store);
    const n = expectedStreams.length;
    expect(status).toMatchObject({ total: n, finished: n, done: { truto: n } });
    const expected = await sandboxData(sandboxClient(sb).adapters, SYNC_FROM, ['truto']);
    expect(expected.size).toBeGreaterThan(0);
    const stored = await storedEngagements(store);
    expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, e] of expected) expect(stored.get(id), id).toEqual(e);
  },
  TEST_TIMEOUT_MS,
);
