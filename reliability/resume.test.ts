/**
 * Resume under fire: a listing is stopped at random points and resumed from the saved cursor
 * (item-level `iterator.cursor` or `page.nextCursor`), again and again, while the sandbox injects
 * faults. The union of the pieces must be the full set, with no duplicates.
 */
import type { Engagement, ListEngagementsParams, PageIterator } from '@engagekit/core';
import type { Sandbox } from '@engagekit/sandbox';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  duplicates,
  lister,
  listIds,
  RANGE,
  sandbox,
  sorted,
  TARGETS,
  type Target,
} from './helpers';

type List = (params: ListEngagementsParams) => PageIterator<Engagement>;

interface Stop {
  /** Items (item mode) or pages (page mode) to take before stopping. */
  n: number;
  mode: 'item' | 'page';
}

/** Runs one segment from `cursor`; returns the ids taken and the cursor to resume from (undefined = done). */
async function segment(list: List, cursor: string | undefined, stop: Stop | undefined) {
  const ids: string[] = [];
  const params: ListEngagementsParams = {
    ...RANGE,
    pageSize: 40,
    ...(cursor ? { cursor } : {}),
    signal: AbortSignal.timeout(15_000),
  };
  const it = list(params);
  if (stop?.mode === 'page') {
    let pages = 0;
    for await (const page of it.pages()) {
      for (const e of page.items) ids.push(e.id);
      if (++pages >= stop.n) return { ids, next: page.nextCursor };
    }
    return { ids, next: undefined };
  }
  for await (const e of it) {
    ids.push(e.id);
    if (stop && ids.length >= stop.n) {
      // The item-level cursor: resumes right after `e` (undefined only when nothing follows).
      return { ids, next: it.cursor };
    }
  }
  return { ids, next: undefined };
}

const stopArb = fc.record({
  n: fc.integer({ min: 1, max: 500 }),
  mode: fc.constantFrom<'item' | 'page'>('item', 'page'),
});

describe.concurrent.each(TARGETS)('resume under fire: %s', (target: Target) => {
  let sb: Sandbox;
  let baseline: string[];

  beforeAll(async () => {
    sb = await sandbox({ count: target === 'merged' ? 500 : 1000 });
    baseline = sorted(await listIds(lister(sb, target)));
    sb.faults.set({
      seed: 5,
      rate429: 0.05,
      retryAfterSeconds: 0,
      retryAfter: 'seconds',
      rate500: 0.01,
      resetRate: 0.03,
      jitterMs: 5,
    });
  });
  afterAll(() => sb?.close());

  it('stop anywhere, resume from the saved cursor: the union is the full set, no duplicates', {
    timeout: 45_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stopArb, { minLength: 2, maxLength: 6 }), async (stops) => {
        const list = lister(sb, target);
        const all: string[] = [];
        let cursor: string | undefined;
        // The planned stops, then one segment to the end (`stops[stops.length]` is undefined).
        for (let i = 0; i <= stops.length; i++) {
          const { ids, next } = await segment(list, cursor, stops[i]);
          all.push(...ids);
          if (next === undefined) break;
          if (i === stops.length) throw new Error('an unbounded segment returned a cursor');
          cursor = next;
        }
        expect(duplicates(all)).toEqual([]);
        expect(sorted(all)).toEqual(baseline);
      }),
      { numRuns: 3, seed: 20261101, endOnFailure: true },
    );
  });
});
