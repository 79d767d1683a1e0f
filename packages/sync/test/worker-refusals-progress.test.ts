import type { Sandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { MAX_SLOT_REFUSALS } from '../src/workers/rate-limit';
import type { SyncWorker, SyncWorkerEvent } from '../src/workers/worker';
import type { TestPostgres } from './support/postgres';
import { pollUntil } from './support/processes';
import { SANDBOX_NOW, sandboxClient, sandboxData } from './support/sandbox';
import { oneZoomShardWorker, startWorkerEnv, stopAll } from './support/worker-env';

const DAY = 86_400_000;
const PROVIDER = 'zoom-contact-center';
const SCHEMA = 'refusals_progress';

let server: TestPostgres;
let sb: Sandbox;
let store: SyncStore | undefined;
let worker: SyncWorker | undefined;
beforeAll(async () => {
  ({ server, sb } = await startWorkerEnv({ seed: 41, count: 30, days: 5 }));
});
afterAll(() => stopAll(worker, store, sb, server));

it('a shard on a limit that refuses every page but commits a batch between refusals finishes, however many refusals that takes', async () => {
  const db = await server.createDatabase(SCHEMA);
  store = postgresStore(db, { schema: SCHEMA });
  await store.ready();
  let events: SyncWorkerEvent[];
  ({ worker, events } = await oneZoomShardWorker(sb, db, SCHEMA, {
    // One request per 400 ms, waits of at most 100 ms: each page after the first is refused once.
    rateLimits: { [PROVIDER]: { requestsPerSecond: 2.5, maxWaitMs: 100 } },
    pageSize: 2,
    batchSize: 2,
  }));
  const status = await pollUntil(
    () => worker?.status() ?? Promise.reject(new Error('no worker')),
    (s) => (s.total > 0 && s.finished === s.total) || events.some((e) => e.type === 'shard-failed'),
  );
  expect(events.filter((e) => e.type === 'shard-failed' || e.type === 'error')).toEqual([]);
  expect(status.total).toBe(1);
  expect(status.finished).toBe(1);
  // More refusals than a row may hold: it finished because batches were committed between them.
  expect(events.filter((e) => e.type === 'shard-waiting').length).toBeGreaterThan(
    MAX_SLOT_REFUSALS,
  );
  const jobs = await store.query<{ retry_count: number; state: string }>(
    `SELECT retry_count, state FROM "${SCHEMA}_jobs".job WHERE name = 'shards'`,
  );
  expect(jobs.map((j) => [j.retry_count, j.state])).toEqual([[0, 'completed']]);
  const expected = await sandboxData(
    sandboxClient(sb).adapters,
    new Date(SANDBOX_NOW.getTime() - 6 * DAY),
    ['zoom'],
  );
  const rows = await store.query<{ id: string }>(
    `SELECT id FROM "${SCHEMA}".engagements ORDER BY id`,
  );
  expect(rows.map((r) => r.id)).toEqual([...expected.keys()].sort());
  expect(rows.length).toBeGreaterThan(2 * MAX_SLOT_REFUSALS);
}, 120_000);
