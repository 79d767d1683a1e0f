import { RateLimitError } from '@engagekit/core';
import type { Sandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { MAX_SLOT_REFUSALS, slotInReachMs } from '../src/workers/rate-limit';
import type { SyncWorker, SyncWorkerEvent } from '../src/workers/worker';
import { keepBooked } from './support/booked-limit';
import type { TestPostgres } from './support/postgres';
import { pollUntil } from './support/processes';
import { oneZoomShardWorker, startWorkerEnv, stopAll } from './support/worker-env';

const PROVIDER = 'zoom-contact-center';
const SCHEMA = 'refusal_limit';

let server: TestPostgres;
let sb: Sandbox;
let store: SyncStore | undefined;
let worker: SyncWorker | undefined;
beforeAll(async () => {
  ({ server, sb } = await startWorkerEnv({ seed: 37, count: 10, days: 5 }));
});
afterAll(() => stopAll(worker, store, sb, server));

it('a shard refused a slot MAX_SLOT_REFUSALS + 1 times in a row waits out the first 10 and then fails (shard-failed with the refusal), back to pg-boss for a retry; nothing was sent', async () => {
  const db = await server.createDatabase(SCHEMA);
  store = postgresStore(db, { schema: SCHEMA });
  await store.ready();
  // Every reservation finds the next slot 1.4 s away, past maxWaitMs (1 s): refused, 0.4 s to wait.
  await keepBooked(store, SCHEMA, PROVIDER, 1_400);
  let events: SyncWorkerEvent[];
  ({ worker, events } = await oneZoomShardWorker(sb, db, SCHEMA, {
    rateLimits: { [PROVIDER]: { requestsPerSecond: 1000, maxWaitMs: 1000 } },
    // One retry, an hour away: the failed shard stays queued for it while the test looks.
    retryLimit: 1,
    retryDelaySeconds: 3600,
  }));
  sb.log.clear();
  await pollUntil(
    async () => events.filter((e) => e.type === 'shard-failed' || e.type === 'error'),
    (failed) => failed.length > 0,
  );
  expect(MAX_SLOT_REFUSALS).toBe(10);
  const waits = events.filter((e) => e.type === 'shard-waiting');
  expect(waits).toHaveLength(MAX_SLOT_REFUSALS);
  for (const w of waits as { waitMs: number }[]) {
    expect(w.waitMs).toBeGreaterThan(0);
    expect(w.waitMs).toBeLessThanOrEqual(400);
  }
  const failed = events.filter((e) => e.type === 'shard-failed' || e.type === 'error');
  expect(failed).toHaveLength(1);
  const failure = failed[0] as { type: string; stream: string; error: unknown };
  expect(failure.type).toBe('shard-failed');
  expect(failure.stream).toMatch(/^shard:zoom-contact-center:/);
  // The 11th refusal is the error pg-boss got: a shared limit's, no slot taken.
  expect(failure.error).toBeInstanceOf(RateLimitError);
  expect(slotInReachMs(failure.error)).toBeGreaterThan(0);
  expect((failure.error as RateLimitError).message).toContain('no slot was taken');
  // Every event of the shard, in order: one start, ten waits, one failure.
  const shardEvents = events.filter((e) => 'stream' in e).map((e) => e.type);
  expect(shardEvents).toEqual([
    'shard-start',
    ...Array.from({ length: MAX_SLOT_REFUSALS }, () => 'shard-waiting'),
    'shard-failed',
  ]);
  // pg-boss got the failure, with the refusal as its output, and holds the shard for its retry
  // (it counts the retry when the retry starts).
  const jobs = await pollUntil(
    () =>
      (store as SyncStore).query<{ retry_count: number; state: string; message: string }>(
        `SELECT retry_count, state, output->>'message' AS message
          FROM "${SCHEMA}_jobs".job WHERE name = 'shards'`,
      ),
    (rows) => rows.every((j) => j.state !== 'active'),
  );
  expect(jobs.map((j) => [j.retry_count, j.state])).toEqual([[0, 'retry']]);
  expect(jobs[0]?.message).toBe((failure.error as RateLimitError).message);
  // Nothing reached Zoom: not even the OAuth token request took a slot.
  expect(sb.log.entries({ vendor: 'zoom' })).toEqual([]);
});
