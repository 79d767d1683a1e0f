import type { Sandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import type { SyncWorker, SyncWorkerEvent } from '../src/workers/worker';
import type { TestPostgres } from './support/postgres';
import { pollUntil } from './support/processes';
import { oneZoomShardWorker, startWorkerEnv, stopAll } from './support/worker-env';

const PROVIDER = 'zoom-contact-center';
const SCHEMA = 'slot_refusal';

let server: TestPostgres;
let sb: Sandbox;
let store: SyncStore | undefined;
let worker: SyncWorker | undefined;
beforeAll(async () => {
  ({ server, sb } = await startWorkerEnv({ seed: 31, count: 20, days: 5 }));
});
afterAll(() => stopAll(worker, store, sb, server));

it('a shard refused a slot of the shared limit (next slot further than maxWaitMs) waits in the worker until it is within reach and resumes: no shard failure, no pg-boss retry spent', async () => {
  const db = await server.createDatabase(SCHEMA);
  store = postgresStore(db, { schema: SCHEMA });
  await store.ready();
  // Other workers have booked the bucket 3 s ahead; this worker waits at most 1 s for a slot.
  await store.query(
    `INSERT INTO "${SCHEMA}".rate_limits (key, tat) VALUES ($1, clock_timestamp() + interval '3 seconds')`,
    [PROVIDER],
  );
  let events: SyncWorkerEvent[];
  ({ worker, events } = await oneZoomShardWorker(sb, db, SCHEMA, {
    rateLimits: { [PROVIDER]: { requestsPerSecond: 1000, maxWaitMs: 1000 } },
  }));
  const status = await pollUntil(
    () => worker?.status() ?? Promise.reject(new Error('no worker')),
    (s) => (s.total > 0 && s.finished === s.total) || events.some((e) => e.type === 'shard-failed'),
  );
  expect(events.filter((e) => e.type === 'shard-failed' || e.type === 'error')).toEqual([]);
  expect(status.total).toBe(1);
  expect(status.finished).toBe(1);
  const waits = events.filter((e) => e.type === 'shard-waiting');
  expect(waits).toHaveLength(1);
  const wait = waits[0] as { stream: string; waitMs: number };
  // The slot was ~3 s away; the worker waits until it is within maxWaitMs (1 s) of it.
  expect(wait.waitMs).toBeGreaterThan(1_000);
  expect(wait.waitMs).toBeLessThanOrEqual(2_000);
  expect(wait.stream).toMatch(/^shard:zoom-contact-center:/);
  // The one pg-boss job ran once: the refusal was not a failed attempt.
  const jobs = await store.query<{ retry_count: number; state: string }>(
    `SELECT retry_count, state FROM "${SCHEMA}_jobs".job WHERE name LIKE '%shard%'`,
  );
  expect(jobs.map((j) => [j.retry_count, j.state])).toEqual([[0, 'completed']]);
  const rows = await store.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${SCHEMA}".engagements`,
  );
  expect(rows[0]?.n).toBeGreaterThan(0);
});
