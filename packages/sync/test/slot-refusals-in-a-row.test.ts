import { PGlite } from '@electric-sql/pglite';
import { RateLimitError } from '@engagekit/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pgliteStore } from '../src/pglite';
import type { SyncStore } from '../src/store';
import {
  MAX_SLOT_REFUSALS,
  sharedRateLimit,
  slotInReachMs,
  waitingForSlots,
} from '../src/workers/rate-limit';
import { keepBooked } from './support/booked-limit';
import { storeQueryable } from './support/store-queryable';

// A job refused a slot waits and runs again; it fails after MAX_SLOT_REFUSALS refusals in a row.
// Counted per claim instead, a long shard on a busy limit that kept committing batches failed
// (and spent a pg-boss retry) only because it was long.

const SCHEMA = 'slots';
const KEY = 'acme';
let pglite: PGlite;
let store: SyncStore;
const db = storeQueryable(() => store);

beforeAll(async () => {
  pglite = new PGlite();
  store = pgliteStore(pglite, { schema: SCHEMA });
  await store.ready();
  // Every reservation finds the next slot 300 ms away, past maxWaitMs (280 ms): refused, 20 ms to wait.
  await keepBooked(store, SCHEMA, KEY, 300);
});
afterAll(async () => {
  await store?.close();
  await pglite?.close();
});

const limit = () =>
  sharedRateLimit(db, { key: KEY, schema: SCHEMA, requestsPerSecond: 1000, maxWaitMs: 280 });

/**
 * A job that asks the limit for a slot on every run (always refused), after committing a batch
 * on the runs `commitsOn` says; its run `doneOn` returns without asking.
 */
function job(commitsOn: (run: number) => boolean, doneOn = Number.POSITIVE_INFINITY) {
  const shared = limit();
  let runs = 0;
  let batches = 0;
  const waits: number[] = [];
  const result = waitingForSlots(
    async () => {
      runs++;
      if (runs > 100) throw new Error('run too often: a loop');
      if (commitsOn(runs)) batches++;
      if (runs === doneOn) return 'done';
      await shared.acquire();
      return 'sent';
    },
    { onWait: (ms) => waits.push(ms), progress: () => batches },
  );
  return { result, runs: () => runs, waits };
}

it('refusals with no progress between them: MAX_SLOT_REFUSALS waits, then the refusal fails the job', async () => {
  const j = job(() => false);
  const error = await j.result.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RateLimitError);
  expect(slotInReachMs(error)).toBeGreaterThan(0);
  expect(j.waits).toHaveLength(MAX_SLOT_REFUSALS);
  expect(j.runs()).toBe(MAX_SLOT_REFUSALS + 1);
});

it('a job that commits a batch before each refusal never fails for them', async () => {
  const j = job(() => true, 3 * MAX_SLOT_REFUSALS);
  expect(await j.result).toBe('done');
  expect(j.waits).toHaveLength(3 * MAX_SLOT_REFUSALS - 1);
});

it('progress starts the row anew: 5 refusals, a batch, then MAX_SLOT_REFUSALS more before it fails', async () => {
  const j = job((run) => run === 6);
  const error = await j.result.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RateLimitError);
  expect(j.waits).toHaveLength(5 + MAX_SLOT_REFUSALS);
  expect(j.runs()).toBe(5 + MAX_SLOT_REFUSALS + 1);
});
