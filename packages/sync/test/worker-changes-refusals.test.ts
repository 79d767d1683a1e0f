import type { Sandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { MAX_SLOT_REFUSALS } from '../src/workers/rate-limit';
import type { SyncWorker, SyncWorkerEvent } from '../src/workers/worker';
import type { TestPostgres } from './support/postgres';
import { pollUntil } from './support/processes';
import { SANDBOX_NOW, sandboxClient, sandboxData } from './support/sandbox';
import {
  oneZoomShardWorker,
  settledChangesJobs,
  startWorkerEnv,
  stopAll,
} from './support/worker-env';

const DAY = 86_400_000;
const PROVIDER = 'zoom-contact-center';
const SCHEMA = 'changes_refusals';
// The sandbox's Zoom records span the 5 days before SANDBOX_NOW. The backfill takes the first
// one; the change feed starts 5 minutes before the backfill's end, so it reads the other four.
const FROM = new Date(SANDBOX_NOW.getTime() - 6 * DAY);
const TO = new Date(SANDBOX_NOW.getTime() - 4 * DAY);
// Zoom's feed reads pages of 100 (the adapter's default, which the changes job keeps): ~2,000
// records after TO are ~20 pages, so ~20 requests after the first, each refused once.
const ZOOM_RECORDS = 2_500;

let server: TestPostgres;
let sb: Sandbox;
let store: SyncStore | undefined;
let worker: SyncWorker | undefined;
beforeAll(async () => {
  ({ server, sb } = await startWorkerEnv({
    seed: 43,
    count: { zoom: ZOOM_RECORDS, devrev: 1, truto: 1 },
    days: 5,
  }));
});
afterAll(() => stopAll(worker, store, sb, server));

const ids = async (st: SyncStore) =>
  (await st.query<{ id: string }>(`SELECT id FROM "${SCHEMA}".engagements ORDER BY id`)).map(
    (r) => r.id,
  );

it('the change-feed job on a limit that refuses every page but commits a batch between refusals finishes, however many refusals that takes', async () => {
  const db = await server.createDatabase(SCHEMA);
  const s = postgresStore(db, { schema: SCHEMA });
  store = s;
  await s.ready();
  let events: SyncWorkerEvent[];
  ({ worker, events } = await oneZoomShardWorker(sb, db, SCHEMA, {
    // One request per 500 ms, waits of at most 100 ms: each page after the first is refused once.
    rateLimits: { [PROVIDER]: { requestsPerSecond: 2, maxWaitMs: 100 } },
    batchSize: 50,
    backfill: { from: FROM, to: TO, windowMs: 24 * DAY },
  }));
  const { adapters } = sandboxClient(sb);

  // The change feed runs only once the backfill is in.
  const status = await pollUntil(
    () => worker?.status() ?? Promise.reject(new Error('no worker')),
    (st) =>
      (st.total > 0 && st.finished === st.total) || events.some((e) => e.type === 'shard-failed'),
  );
  expect(events.filter((e) => e.type === 'shard-failed' || e.type === 'error')).toEqual([]);
  expect([status.total, status.finished]).toEqual([1, 1]);
  const backfilled = new Set<string>();
  for await (const e of adapters.zoom.engagements.list({ from: FROM, to: TO })) {
    backfilled.add(e.id);
  }
  expect(await ids(s)).toEqual([...backfilled].sort());

  events.length = 0;
  await worker.triggerChanges(PROVIDER);
  const jobs = await settledChangesJobs(s, SCHEMA, PROVIDER);
  expect(jobs.map((j) => [j.retry_count, j.state, j.message])).toEqual([[0, 'completed', null]]);
  expect(events.filter((e) => e.type === 'error')).toEqual([]);
  expect(events.filter((e) => e.type === 'changes-done')).toHaveLength(1);
  expect(events.some((e) => e.type === 'changes-waiting')).toBe(false);
  // More refusals than a row may hold: it finished because batches were committed between them.
  const waits = events.filter((e) => e.type === 'changes-slot-waiting');
  expect(waits.length).toBeGreaterThan(MAX_SLOT_REFUSALS);
  for (const w of waits) expect(w).toMatchObject({ provider: PROVIDER });

  // The backfill and the feed together hold exactly what the sandbox has from FROM on.
  const expected = await sandboxData(adapters, FROM, ['zoom']);
  const rows = await ids(s);
  expect(rows).toEqual([...expected.keys()].sort());
  expect(rows.length - backfilled.size).toBeGreaterThan(100 * MAX_SLOT_REFUSALS);
}, 180_000);
