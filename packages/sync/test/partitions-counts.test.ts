import type { EngagementAdapter } from '@engagekit/core';
import { expect, it } from 'vitest';
import { checkedPartitions } from '../src/workers';
import { COUNT_CONCURRENCY } from '../src/workers/partitions';

const MAX_CALLS = 40;
/** Event-loop turns a count waits for the others before it gives up (sequential counts never meet). */
const MEET_TURNS = 50;

/**
 * An adapter with only `count()`: each count answers once `meet` counts are in flight together (or
 * fails after {@link MEET_TURNS} turns), so counts sent one at a time fail the check. Capped calls.
 */
function countingAdapter(perType: Record<string, number>, meet: number) {
  const started: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const adapter = {
    id: 'fake',
    capabilities: { operations: { count: true } },
    engagements: {
      async count(params: { native?: { type?: string } }) {
        const type = params.native?.type ?? '*';
        started.push(type);
        if (started.length > MAX_CALLS) throw new Error('too many count calls');
        inFlight++;
        peak = Math.max(peak, inFlight);
        try {
          if (type === 'broken') throw new Error('type broken is not known');
          for (let i = 0; peak < meet; i++) {
            if (i === MEET_TURNS) throw new Error(`only ${peak} counts ever in flight together`);
            await turn();
          }
          if (type === '*') return Object.values(perType).reduce((a, b) => a + b, 0);
          return perType[type] ?? 0;
        } finally {
          inFlight--;
        }
      },
    },
  } as unknown as EngagementAdapter;
  return { adapter, started, peak: () => peak };
}

const partitionsOf = (types: string[]) => types.map((t) => ({ name: t, native: { type: t } }));

it('counts the total and every partition concurrently, at most COUNT_CONCURRENCY at a time', async () => {
  const perType = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`t${i}`, i * 10 + 1]));
  const { adapter, started, peak } = countingAdapter(perType, COUNT_CONCURRENCY);
  const check = await checkedPartitions(adapter, partitionsOf(Object.keys(perType)));
  expect(check).toEqual({
    ok: true,
    partitions: partitionsOf(Object.keys(perType)),
    total: 672,
  });
  expect(COUNT_CONCURRENCY).toBe(8);
  expect(peak()).toBe(8);
  expect([...started].sort()).toEqual(['*', ...Object.keys(perType)].sort());
});

it('starts no more counts after one fails, and says which', async () => {
  const types = ['t0', 'broken', ...Array.from({ length: 10 }, (_, i) => `u${i}`)];
  // Nine in flight never happens: the others wait, then fail after the broken one did.
  const { adapter, started } = countingAdapter({ t0: 1 }, COUNT_CONCURRENCY + 1);
  const check = await checkedPartitions(adapter, partitionsOf(types));
  expect(check).toEqual({ ok: false, reason: 'count failed: type broken is not known' });
  // The first eight start together; the first failure is the one named, and no ninth starts.
  expect(started).toEqual(['*', 't0', 'broken', 'u0', 'u1', 'u2', 'u3', 'u4']);
});

it('a sum that differs from the total still means no partitions', async () => {
  const { adapter } = countingAdapter({ a: 2, b: 3 }, 2);
  const fewer = await checkedPartitions(adapter, partitionsOf(['a']));
  expect(fewer).toEqual({ ok: false, reason: 'the partitions count 2 records, the provider 5' });
});
