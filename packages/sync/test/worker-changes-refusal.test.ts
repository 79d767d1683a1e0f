import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { MAX_SLOT_REFUSALS } from '../src/workers/rate-limit';
import { type SyncWorker, type SyncWorkerEvent, startSyncWorker } from '../src/workers/worker';
import { keepBooked } from './support/booked-limit';
import { startPostgres, type TestPostgres } from './support/postgres';
import { pollUntil } from './support/processes';
import { SANDBOX_NOW } from './support/sandbox';
import { settledChangesJobs } from './support/worker-env';

const DAY = 86_400_000;
const PROVIDER = 'zoom-contact-center';
const SCHEMA = 'changes_refusal';

let server: TestPostgres;
let sb: Sandbox;
let store: SyncStore;
let worker: SyncWorker | undefined;
const events: SyncWorkerEvent[] = [];

beforeAll(async () => {
  server = await startPostgres();
  sb = await startSandbox({ seed: 41, count: 20, days: 5, now: SANDBOX_NOW });
  const db = await server.createDatabase(SCHEMA);
  store = postgresStore(db, { schema: SCHEMA });
  await store.ready();
  worker = await startSyncWorker({
    db,
    schema: SCHEMA,
    adapters: [createZoomContactCenterAdapter({ ...sb.adapterOptions.zoom, rateLimit: false })],
    rateLimits: { [PROVIDER]: { requestsPerSecond: 1000, maxWaitMs: 1000 } },
    changesCron: false,
    concurrency: 1,
    backfill: { from: new Date(SANDBOX_NOW.getTime() - 6 * DAY), to: SANDBOX_NOW },
    pollingIntervalSeconds: 0.5,
    onEvent: (e) => {
      if (events.length < 1000) events.push(e);
    },
  });
  // The change feed runs only once the backfill is in.
  await pollUntil(
    () => worker?.status() ?? Promise.reject(new Error('no worker')),
    (s) => (s.total > 0 && s.finished === s.total) || events.some((e) => e.type === 'shard-failed'),
  );
  expect(events.filter((e) => e.type === 'shard-failed' || e.type === 'error')).toEqual([]);
});
afterAll(async () => {
  await worker?.stop();
  await store?.close();
  await sb?.close();
  await server?.stop();
});

/** The change-feed jobs pg-boss holds, oldest first, once none is running. */
const changesJobs = () => settledChangesJobs(store, SCHEMA, PROVIDER);

it('the change-feed job refused a slot of the shared limit waits in the worker until it is within reach and resumes: changes-done, no failed job, no pg-boss retry spent', async () => {
  // Other workers have booked the bucket 3 s ahead; this worker waits at most 1 s for a slot.
  await store.query(
    `UPDATE "${SCHEMA}".rate_limits SET tat = clock_timestamp() + interval '3 seconds' WHERE key = $1`,
    [PROVIDER],
  );
  events.length = 0;
  await worker?.triggerChanges(PROVIDER);
  const jobs = await changesJobs();
  expect(jobs.map((j) => [j.retry_count, j.state, j.message])).toEqual([[0, 'completed', null]]);
  const waits = events.filter((e) => e.type === 'changes-slot-waiting');
  expect(waits).toHaveLength(1);
  const wait = waits[0] as { provider: string; waitMs: number };
  expect(wait.provider).toBe(PROVIDER);
  // The slot was ~3 s away; the job waits until it is within maxWaitMs (1 s) of it.
  expect(wait.waitMs).toBeGreaterThan(1_000);
  expect(wait.waitMs).toBeLessThanOrEqual(2_000);
  expect(events.map((e) => e.type)).toEqual(['changes-slot-waiting', 'changes-done']);
});

it('a change-feed job refused MAX_SLOT_REFUSALS + 1 times in a row fails to pg-boss with the refusal after 10 waits', async () => {
  const unbook = await keepBooked(store, SCHEMA, PROVIDER, 1_400);
  try {
    events.length = 0;
    await worker?.triggerChanges(PROVIDER);
    const jobs = await changesJobs();
    expect(jobs).toHaveLength(2);
    const failed = jobs[1] as { retry_count: number; state: string; message: string | null };
    expect([failed.retry_count, failed.state]).toEqual([0, 'retry']);
    expect(failed.message).toMatch(
      /^zoom-contact-center: the shared rate limit's next slot is \d+ ms away, longer than maxWaitMs \(1000 ms\); no slot was taken$/,
    );
    const waits = events.filter((e) => e.type === 'changes-slot-waiting') as { waitMs: number }[];
    expect(waits).toHaveLength(MAX_SLOT_REFUSALS);
    for (const w of waits) expect(w.waitMs).toBeLessThanOrEqual(400);
    expect(events.some((e) => e.type === 'changes-done')).toBe(false);
  } finally {
    await unbook();
  }
});
