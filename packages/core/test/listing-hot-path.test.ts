import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ResponseValidationError } from '../src/errors';
import {
  type FetchPageResult,
  isoUtcMs,
  PageIterator,
  paginate,
  readRecords,
  recordReader,
} from '../src/pagination';
import { base, type Rec, recs, scriptedVendor } from './scripted-vendor';

const { fake } = scriptedVendor(50);

const run = (prefix: string, n: number) =>
  recs(...Array.from({ length: n }, (_, i) => `${prefix}${i}`));

// Years 0000–9999, the span the `YYYY-` form can write.
const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');
const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('isoUtcMs', () => {
  it('reads every instant toISOString writes for years 0000–9999 as Date.parse does', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS, max: MAX_MS }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(isoUtcMs(iso)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
    for (const iso of [
      '0000-01-01T00:00:00.000Z',
      '0000-02-29T12:00:00.000Z',
      '1900-02-28T23:59:59.999Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '2024-02-29T10:20:30.040Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect(isoUtcMs(iso)).toBe(Date.parse(iso));
    }
  });

  it('agrees with Date.parse on out-of-range fields, impossible days and other forms', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 0, max: 61 }),
          fc.integer({ min: 0, max: 999 }),
        ),
        ([y, mo, d, h, mi, s, ms]) => {
          const iso = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`;
          expect(isoUtcMs(iso)).toBe(Date.parse(iso));
        },
      ),
      { numRuns: 2000 },
    );
    for (const text of [
      '2026-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.000+02:00',
      '2026-01-01T00:00:00.000z',
      '2026-01-01 00:00:00.000Z',
      '2026-0a-01T00:00:00.000Z',
      '+2026-01-01T00:00:00.00Z',
      'not a date at all, 24 ch',
      '',
    ]) {
      expect(Object.is(isoUtcMs(text), Date.parse(text))).toBe(true);
    }
  });

  it('sends any character out of place to Date.parse: each separator, each digit, one more character', () => {
    const valid = '2026-07-15T12:34:56.789Z';
    const variants: string[] = [`${valid}Z`, `${valid.slice(0, 23)}z`];
    for (let i = 0; i < valid.length; i++) {
      // 'x' is no separator and no digit; 'A' and ':' sit just above the digits' char codes.
      for (const c of ['x', 'A', ':', '/']) {
        if (valid[i] !== c) variants.push(`${valid.slice(0, i)}${c}${valid.slice(i + 1)}`);
      }
    }
    expect(variants).toHaveLength(2 + 24 * 4 - 2);
    const disagreeing = variants.filter((text) => !Object.is(isoUtcMs(text), Date.parse(text)));
    expect(disagreeing).toEqual([]);
    // Not vacuous: V8 rejects all but three of these, so the fast path must not read a number out of them.
    expect(variants.filter((text) => !Number.isNaN(Date.parse(text)))).toEqual([
      '2026-07-15T12:34:56.789z',
      '2026-07-15:12:34:56.789Z',
      '2026-07-15/12:34:56.789Z',
    ]);
  });
});

describe('recordReader', () => {
  const Wire = z.looseObject({ id: z.string().min(1), at: z.number().nullish() });

  it('returns a record the compiled check accepts as it is, without asking zod', () => {
    const read = recordReader(Wire, { provider: 'acme', what: 'list record', path: 'result' });
    const record = { id: 'a', at: 1, extra: { kept: true } };
    const safeParse = vi.spyOn(Wire, 'safeParse');
    try {
      expect(read(record, 0)).toBe(record);
      expect(safeParse).not.toHaveBeenCalled();
    } finally {
      safeParse.mockRestore();
    }
  });

  it('throws ResponseValidationError naming the path of the record in the response', () => {
    const read = recordReader(Wire, { provider: 'acme', what: 'list record', path: 'result' });
    const error = (() => {
      try {
        read({ id: 'a', at: 'late' }, 3);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ResponseValidationError);
    const { issues, provider, message } = error as ResponseValidationError;
    expect(issues.map((i) => i.path)).toEqual(['result.3.at']);
    expect(provider).toBe('acme');
    expect(message).toContain('list record');
  });

  it('lets zod decide, and return its output, for a schema the compiler does not reproduce', () => {
    const Trimmed = z.object({ id: z.string().transform((s) => s.trim()) });
    const read = recordReader(Trimmed, { provider: 'acme', what: 'list record', path: 'data' });
    expect(read({ id: ' a ' }, 0)).toEqual({ id: 'a' });
    const { items, invalid } = readRecords([{ id: 'b' }, { id: 7 }], {
      provider: 'acme',
      path: ['data'],
      read,
    });
    expect(items).toEqual([{ id: 'b' }]);
    expect(invalid.map((r) => [r.index, r.issues[0]?.path])).toEqual([[1, 'data.1.id']]);
  });
});

describe('the never-twice window while a page is read', () => {
  it('forgets nothing of the last 10,000 ids before the page that repeats one ends', async () => {
    // `x`, then 9,999 other ids: x is the oldest of the last 10,000 when the third page starts.
    // The third page adds 50 new ids before repeating x: x must still be known there.
    const vendor = fake((_req, call) => {
      if (call === 1) return { items: recs('x'), nextToken: 't1' };
      if (call === 2) return { items: run('a', 9_999), nextToken: 't2' };
      return { items: [...run('b', 50), { id: 'x' }], nextToken: null };
    });
    const items = await paginate({ ...base, fetchPage: vendor.fetchPage }).toArray();
    expect(items).toHaveLength(1 + 9_999 + 50);
    expect(items.filter((r) => r.id === 'x')).toHaveLength(1);
    expect(items.at(-1)?.id).toBe('b49');
  });

  it('a page bigger than the window still drops its own repeats', async () => {
    const big = run('c', 10_050);
    const vendor = fake(() => ({
      items: [...big, { id: 'c0' }, { id: 'c10049' }],
      nextToken: null,
    }));
    const items = await paginate({ ...base, fetchPage: vendor.fetchPage }).toArray();
    expect(items).toHaveLength(10_050);
    expect(items.at(-1)?.id).toBe('c10049');
  });

  it('an id 10,001 ids back is beyond the window and yielded again (the documented bound)', async () => {
    const vendor = fake((_req, call) => {
      if (call === 1) return { items: recs('x'), nextToken: 't1' };
      if (call === 2) return { items: run('a', 10_000), nextToken: 't2' };
      return { items: recs('x'), nextToken: null };
    });
    const items = await paginate({ ...base, fetchPage: vendor.fetchPage }).toArray();
    expect(items.filter((r) => r.id === 'x')).toHaveLength(2);
  });
});

describe('page cursors built when read', () => {
  const script: Record<string, FetchPageResult<Rec>> = {
    '': { items: recs('a', 'b'), nextToken: 't1' },
    t1: { items: recs('c', 'd'), nextToken: 't2' },
    t2: { items: recs('e'), nextToken: null },
  };
  const vendor = () =>
    fake((req) => {
      const page = script[req.token ?? ''];
      if (!page) throw new Error(`unexpected token ${req.token}`);
      return page;
    });

  it('a nextCursor read after the listing moved on is the one read at once, and resumes the same', async () => {
    const eager: (string | undefined)[] = [];
    for await (const page of paginate({ ...base, fetchPage: vendor().fetchPage }).pages()) {
      eager.push(page.nextCursor);
    }
    const held = [];
    for await (const page of paginate({ ...base, fetchPage: vendor().fetchPage }).sourcePages()) {
      held.push(page);
    }
    expect(held.map((p) => p.nextCursor)).toEqual(eager);
    expect(eager[0]).toEqual(expect.any(String));
    expect(eager[2]).toBeUndefined();
    const rest = await paginate({
      ...base,
      fetchPage: vendor().fetchPage,
      cursor: held[0]?.nextCursor,
    }).toArray();
    expect(rest.map((r) => r.id)).toEqual(['c', 'd', 'e']);
  });

  it('the cursor after the last item of a page is its nextCursor, the last page’s is terminal', async () => {
    const iterator = paginate({ ...base, fetchPage: vendor().fetchPage });
    const cursors: (string | undefined)[] = [];
    for await (const _ of iterator) cursors.push(iterator.cursor);
    const again = vendor();
    const resumed = await paginate({
      ...base,
      fetchPage: again.fetchPage,
      cursor: cursors[1],
    }).toArray();
    expect(resumed.map((r) => r.id)).toEqual(['c', 'd', 'e']);
    const end = vendor();
    expect(
      await paginate({ ...base, fetchPage: end.fetchPage, cursor: cursors[4] }).toArray(),
    ).toEqual([]);
    expect(end.calls).toHaveLength(0);
  });
});

describe('item iteration', () => {
  /** A source of pages that records what was asked of it. */
  function source(pageList: Rec[][], failAt?: number) {
    const log: string[] = [];
    const iterator = new PageIterator<Rec>(() => {
      log.push('start');
      let n = 0;
      return {
        async next() {
          if (n === failAt) throw new Error(`page ${n} failed`);
          const items = pageList[n++];
          if (!items) return { done: true, value: undefined };
          log.push(`page ${n - 1}`);
          return { done: false, value: { items } };
        },
        async return() {
          log.push('closed');
          return { done: true, value: undefined };
        },
      };
    });
    return { iterator, log };
  }

  it('hands over items in order to calls made before the earlier ones settle', async () => {
    const { iterator, log } = source([recs('a', 'b'), [], recs('c')]);
    const it = iterator[Symbol.asyncIterator]();
    expect(log).toEqual([]);
    const results = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next()]);
    expect(results).toEqual([
      { done: false, value: { id: 'a' } },
      { done: false, value: { id: 'b' } },
      { done: false, value: { id: 'c' } },
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
    // The page reader closes its source at the end, as a for await over it does.
    expect(log).toEqual(['start', 'page 0', 'page 1', 'page 2', 'closed']);
    expect(it[Symbol.asyncIterator]()).toBe(it);
  });

  it('an item of a page already read is handed over at once, on every page', async () => {
    const { iterator } = source([recs('a', 'b', 'c'), recs('d', 'e')]);
    const it = iterator[Symbol.asyncIterator]();
    const order: string[] = [];
    for (const expected of ['a', 'b', 'c', 'd', 'e']) {
      const first = expected === 'a' || expected === 'd';
      if (first) {
        expect((await it.next()).value).toEqual({ id: expected });
        continue;
      }
      // A settled promise: its reaction runs before a microtask queued after it.
      const item = it.next().then((r) => order.push(`item ${r.value?.id}`));
      await Promise.resolve();
      order.push('next turn');
      await item;
    }
    expect(order).toEqual(['item b', 'next turn', 'item c', 'next turn', 'item e', 'next turn']);
  });

  it('return() mid-page closes the source once; later calls are done', async () => {
    const { iterator, log } = source([recs('a', 'b'), recs('c')]);
    const it = iterator[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ done: false, value: { id: 'a' } });
    expect(await it.return()).toEqual({ done: true, value: undefined });
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(await it.return()).toEqual({ done: true, value: undefined });
    expect(log).toEqual(['start', 'page 0', 'closed']);
  });

  it('return() and throw() before the first next() never start the source', async () => {
    const { iterator, log } = source([recs('a')]);
    expect(await iterator[Symbol.asyncIterator]().return()).toEqual({
      done: true,
      value: undefined,
    });
    const boom = new Error('boom');
    await expect(iterator[Symbol.asyncIterator]().throw(boom)).rejects.toBe(boom);
    expect(log).toEqual([]);
  });

  it('throw() mid-listing closes the source and rejects with the error', async () => {
    const { iterator, log } = source([recs('a', 'b')]);
    const it = iterator[Symbol.asyncIterator]();
    await it.next();
    const boom = new Error('boom');
    await expect(it.throw(boom)).rejects.toBe(boom);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(log).toEqual(['start', 'page 0', 'closed']);
  });

  it('a failing source rejects the call that needed its page, then the iteration is done', async () => {
    const { iterator, log } = source([recs('a'), recs('b')], 1);
    const it = iterator[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ done: false, value: { id: 'a' } });
    await expect(it.next()).rejects.toThrow('page 1 failed');
    expect(await it.next()).toEqual({ done: true, value: undefined });
    // The source had already failed: it is closed by the page reader, not asked again.
    expect(log).toEqual(['start', 'page 0', 'closed']);
  });

  it('break in for await closes the source; the cursor is that of the last item handed over', async () => {
    const vendor = fake((req) =>
      req.token === undefined
        ? { items: recs('a', 'b', 'c'), nextToken: 't1' }
        : { items: recs('d'), nextToken: null },
    );
    const iterator = paginate({ ...base, fetchPage: vendor.fetchPage });
    for await (const item of iterator) if (item.id === 'b') break;
    const rest = await paginate({
      ...base,
      fetchPage: vendor.fetchPage,
      cursor: iterator.cursor,
    }).toArray();
    expect(rest.map((r) => r.id)).toEqual(['c', 'd']);
    expect(iterator.done).toBe(false);
  });
});
