import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbortError, PaginationError } from '../src/errors';
import {
  type CursorState,
  decodeCursor,
  encodeCursor,
  type FetchPageRequest,
  type FetchPageResult,
  fingerprintParams,
  inWindow,
  nextWindow,
  type PaginateOptions,
  paginate,
  sliceWindows,
} from '../src/pagination';

const EXPECT = { provider: 'acme', fingerprint: 'fp1' };
/** Every fake vendor throws past this many calls, so a paging loop fails fast instead of growing. */
const MAX_FAKE_CALLS = 50;

function capped<R>(fetch: (req: FetchPageRequest) => Promise<R>) {
  let calls = 0;
  return (req: FetchPageRequest) => {
    if (++calls > MAX_FAKE_CALLS) throw new Error('fake vendor called too often: a loop');
    return fetch(req);
  };
}

async function reason(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PaginationError);
    return (e as PaginationError).reason;
  }
  return undefined;
}

describe('cursor codec', () => {
  it('round-trips and is URL-safe', () => {
    const state: CursorState = {
      p: 'acme',
      f: 'fp1',
      r: [0, 1000],
      w: 500,
      d: 'b',
      t: 'vendor/token+=?&',
      k: 3,
      c: 40,
      x: { a: [1] },
    };
    const cursor = encodeCursor(state);
    expect(cursor).toMatch(/^ek1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(cursor)).toBe(cursor);
    expect(decodeCursor(cursor, EXPECT)).toEqual(state);
    expect(decodeCursor(`  ${cursor}\n`, EXPECT)).toEqual(state);
  });

  it('names the broken rule', async () => {
    const good = encodeCursor({ p: 'acme', f: 'fp1', t: 'x' });
    const [, payload, sum] = good.split('.');
    const flipped = `${payload?.slice(0, -2)}${payload?.endsWith('A') ? 'B' : 'A'}${payload?.slice(-1)}`;
    expect(await reason(() => decodeCursor('', EXPECT))).toBe('malformed-cursor');
    expect(await reason(() => decodeCursor('hello', EXPECT))).toBe('malformed-cursor');
    expect(await reason(() => decodeCursor('a.b.c', EXPECT))).toBe('malformed-cursor');
    expect(await reason(() => decodeCursor(`ek1.${flipped}.${sum}`, EXPECT))).toBe(
      'tampered-cursor',
    );
    expect(await reason(() => decodeCursor(good.slice(0, -1), EXPECT))).toBe('tampered-cursor');
    expect(await reason(() => decodeCursor(`ek2.${payload}.${sum}`, EXPECT))).toBe(
      'unsupported-cursor-version',
    );
    expect(await reason(() => decodeCursor(encodeCursor({ p: 'other', f: 'fp1' }), EXPECT))).toBe(
      'foreign-cursor',
    );
    expect(await reason(() => decodeCursor(encodeCursor({ p: 'acme', f: 'fp2' }), EXPECT))).toBe(
      'mismatched-cursor',
    );
    // A well-formed envelope around a payload of the wrong shape.
    const shape = Buffer.from(JSON.stringify({ p: 'acme', f: 'fp1', k: -1 })).toString('base64url');
    const { createHash } = await import('node:crypto');
    const shapeSum = createHash('sha256').update(shape).digest('base64url').slice(0, 12);
    expect(await reason(() => decodeCursor(`ek1.${shape}.${shapeSum}`, EXPECT))).toBe(
      'malformed-cursor',
    );
    const notJson = Buffer.from('{nope').toString('base64url');
    const notJsonSum = createHash('sha256').update(notJson).digest('base64url').slice(0, 12);
    expect(await reason(() => decodeCursor(`ek1.${notJson}.${notJsonSum}`, EXPECT))).toBe(
      'malformed-cursor',
    );
  });

  it('arbitrary strings never crash decodeCursor (only PaginationError)', () => {
    const good = encodeCursor({ p: 'acme', f: 'fp1' });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string().map((s) => `ek1.${s}`),
          fc.tuple(fc.nat(good.length), fc.string()).map(([i, s]) => good.slice(0, i) + s),
          fc.base64String().map((s) => `ek1.${s}.${s.slice(0, 12)}`),
        ),
        (input) => {
          try {
            decodeCursor(input, EXPECT);
          } catch (e) {
            if (!(e instanceof PaginationError)) throw e;
          }
        },
      ),
      { numRuns: 300 },
    );
    // 300 property runs take ~3 s on a quiet 2-core machine and ten times that under load.
  }, 60_000);

  it('arbitrary states round-trip', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            p: fc.string({ minLength: 1 }),
            f: fc.string({ minLength: 1 }),
            w: fc.integer(),
            t: fc.string(),
            k: fc.nat(),
            c: fc.nat(),
          },
          { requiredKeys: ['p', 'f'] },
        ),
        (state) => {
          expect(
            decodeCursor(encodeCursor(state), { provider: state.p, fingerprint: state.f }),
          ).toEqual(state);
        },
      ),
    );
  });

  it('fingerprints ignore key order and undefined values', () => {
    expect(fingerprintParams({ a: 1, b: [2], c: undefined })).toBe(
      fingerprintParams({ b: [2], a: 1 }),
    );
    expect(fingerprintParams({ a: 1 })).not.toBe(fingerprintParams({ a: 2 }));
  });
});

describe('windows', () => {
  it('sliceWindows tiles [from, to) exactly with windows no longer than max', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 2e5 }),
        (from, length, rawMax) => {
          // At most a few thousand windows per run.
          const max = Math.max(rawMax, Math.ceil(length / 5000));
          const to = from + length;
          const windows = sliceWindows(from, to, max);
          if (length === 0) {
            expect(windows).toEqual([]);
            return;
          }
          expect(windows[0]?.from).toBe(from);
          expect(windows.at(-1)?.to).toBe(to);
          const bad = windows.findIndex(
            (w, i) =>
              !(w.to > w.from) || w.to - w.from > max || (i > 0 && w.from !== windows[i - 1]?.to),
          );
          expect(bad).toBe(-1);
          expect(windows.length).toBe(Math.ceil(length / max));
        },
      ),
    );
  });

  it('rejects bad sizes and terminates on tiny windows at large offsets', () => {
    expect(() => sliceWindows(0, 10, 0)).toThrow(RangeError);
    expect(() => sliceWindows(0, Number.POSITIVE_INFINITY, 10)).toThrow(RangeError);
    expect(sliceWindows(2 ** 60, 2 ** 60 + 2 ** 10, 0.5).length).toBeGreaterThan(0);
    expect(nextWindow(0, 10, 4)).toEqual({ from: 4, to: 8 });
    expect(nextWindow(8, 10, 4)).toBeUndefined();
    expect(inWindow(5, { from: 5, to: 6 })).toBe(true);
    expect(inWindow(6, { from: 5, to: 6 })).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// paginate with scripted vendors
// ---------------------------------------------------------------------------------------------
type Script = Record<string, FetchPageResult<number> | (() => Promise<FetchPageResult<number>>)>;

function scripted(script: Script) {
  const calls: FetchPageRequest[] = [];
  const fetchPage = async (req: FetchPageRequest) => {
    calls.push(req);
    if (calls.length > MAX_FAKE_CALLS) throw new Error('fake vendor called too often: a loop');
    const entry = script[req.token ?? ''];
    if (!entry) throw new Error(`unexpected token ${req.token}`);
    return typeof entry === 'function' ? entry() : entry;
  };
  return { calls, fetchPage };
}

const base = { provider: 'acme', fingerprint: 'fp1' };
const threePages: Script = {
  '': { items: [1, 2], nextToken: 'a' },
  a: { items: [3, 4], nextToken: 'b' },
  b: { items: [5], nextToken: '' },
};

describe('paginate', () => {
  it('yields N pages in order, with cursors on all but the last', async () => {
    const { fetchPage, calls } = scripted(threePages);
    const it = paginate({ ...base, fetchPage });
    const pages = [];
    for await (const page of it.pages()) pages.push(page);
    expect(pages.map((p) => p.items)).toEqual([[1, 2], [3, 4], [5]]);
    expect(pages[2]?.nextCursor).toBeUndefined();
    expect(calls.map((c) => c.token)).toEqual([undefined, 'a', 'b']);
    expect(await paginate({ ...base, fetchPage }).toArray()).toEqual([1, 2, 3, 4, 5]);
    // Each cursor resumes right after its page.
    const resume = (cursor: string | undefined) =>
      paginate({ ...base, fetchPage, cursor }).toArray();
    expect(await resume(pages[0]?.nextCursor)).toEqual([3, 4, 5]);
    expect(await resume(pages[1]?.nextCursor)).toEqual([5]);
    expect(calls.slice(6).map((c) => c.token)).toEqual(['a', 'b', 'b']);
  });

  it('keeps going past an empty middle page; null ends', async () => {
    const { fetchPage } = scripted({
      '': { items: [1], nextToken: 'a' },
      a: { items: [], nextToken: 'b' },
      b: { items: [], nextToken: 'c' },
      c: { items: [2], nextToken: null },
    });
    expect(await paginate({ ...base, fetchPage }).toArray()).toEqual([1, 2]);
  });

  it('a repeated token is a PaginationError, not an endless loop', async () => {
    const { fetchPage } = scripted({
      '': { items: [1], nextToken: 'a' },
      a: { items: [2], nextToken: 'b' },
      b: { items: [3], nextToken: 'a' },
    });
    expect(await reason(() => paginate({ ...base, fetchPage }).toArray())).toBe('repeated-token');
    const self = scripted({
      '': { items: [1], nextToken: 'a' },
      a: { items: [2], nextToken: 'a' },
    });
    expect(await reason(() => paginate({ ...base, fetchPage: self.fetchPage }).toArray())).toBe(
      'repeated-token',
    );
  });

  it('maxPages stops, and the last page nextCursor resumes the rest', async () => {
    const { fetchPage, calls } = scripted(threePages);
    const pages = [];
    for await (const p of paginate({ ...base, fetchPage, maxPages: 2 }).pages()) pages.push(p);
    expect(pages.map((p) => p.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(calls).toHaveLength(2);
    const rest = await paginate({ ...base, fetchPage, cursor: pages[1]?.nextCursor }).toArray();
    expect(rest).toEqual([5]);
  });

  it('resumes from every page nextCursor with no loss and no duplicate', async () => {
    const { fetchPage } = scripted(threePages);
    const all = [1, 2, 3, 4, 5];
    const pages = [];
    for await (const p of paginate({ ...base, fetchPage }).pages()) pages.push(p);
    let seen = 0;
    for (const page of pages) {
      seen += page.items.length;
      if (!page.nextCursor) continue;
      const rest = await paginate({ ...base, fetchPage, cursor: page.nextCursor }).toArray();
      expect(rest).toEqual(all.slice(seen));
    }
  });

  it('resumes from the item-level iterator.cursor after any item', async () => {
    const { fetchPage } = scripted(threePages);
    const all = [1, 2, 3, 4, 5];
    for (let k = 1; k <= all.length; k++) {
      const iterator = paginate({ ...base, fetchPage });
      const got: number[] = [];
      for await (const item of iterator) {
        got.push(item);
        if (got.length === k) break;
      }
      const cursor = iterator.cursor;
      expect(cursor).toEqual(expect.any(String));
      const resumed = scripted(threePages);
      const rest = await paginate({ ...base, fetchPage: resumed.fetchPage, cursor }).toArray();
      expect([...got, ...rest]).toEqual(all);
      // After the last item the cursor is terminal: it resumes to nothing without a request.
      if (k === all.length) expect(resumed.calls).toHaveLength(0);
    }
    const done = paginate({ ...base, fetchPage });
    expect(done.cursor).toBeUndefined();
    expect(done.done).toBe(false);
    await done.toArray();
    expect(done.done).toBe(true);
    expect(done.cursor).toEqual(expect.any(String));
  });

  it('a cursor from other params or another provider is rejected', async () => {
    const { fetchPage } = scripted(threePages);
    const page = await paginate({ ...base, fetchPage }).firstPage();
    expect(
      await reason(() =>
        paginate({ ...base, fingerprint: 'other', fetchPage, cursor: page.nextCursor }).toArray(),
      ),
    ).toBe('mismatched-cursor');
    expect(
      await reason(() =>
        paginate({ ...base, provider: 'zoom', fetchPage, cursor: page.nextCursor }).toArray(),
      ),
    ).toBe('foreign-cursor');
  });

  it('prefetch really overlaps, and a prefetch error surfaces', async () => {
    const log: string[] = [];
    const fetchPage = capped(async (req): Promise<FetchPageResult<number>> => {
      log.push(`fetch:${req.token ?? ''}`);
      await new Promise((r) => setTimeout(r, 1));
      if (req.token === 'b') throw new Error('page b failed');
      return req.token === 'a'
        ? { items: [3, 4], nextToken: 'b' }
        : { items: [1, 2], nextToken: 'a' };
    });
    const got: number[] = [];
    const run = async () => {
      for await (const page of paginate({ ...base, fetchPage, prefetch: true }).pages()) {
        log.push(`consume-start:${page.items[0]}`);
        await new Promise((r) => setTimeout(r, 10));
        got.push(...page.items);
        log.push(`consume-end:${page.items[0]}`);
      }
    };
    await expect(run()).rejects.toThrow('page b failed');
    expect(got).toEqual([1, 2, 3, 4]);
    // The fetch of page "a" started while the consumer was still working on page 1.
    expect(log.indexOf('fetch:a')).toBeLessThan(log.indexOf('consume-end:1'));
    expect(log.indexOf('fetch:b')).toBeLessThan(log.indexOf('consume-end:3'));

    const without: string[] = [];
    const plain = paginate({
      ...base,
      fetchPage: capped(async (req) => {
        without.push(`fetch:${req.token ?? ''}`);
        return req.token ? { items: [2] } : { items: [1], nextToken: 'a' };
      }),
    });
    for await (const item of plain) without.push(`item:${item}`);
    expect(without).toEqual(['fetch:', 'item:1', 'fetch:a', 'item:2']);
  });

  it('an AbortSignal stops promptly, even while a fetch hangs', async () => {
    const controller = new AbortController();
    let fetches = 0;
    const fetchPage = capped(async (req): Promise<FetchPageResult<number>> => {
      fetches++;
      if (req.token) return new Promise(() => undefined); // never settles
      return { items: [1], nextToken: 'a' };
    });
    const got: number[] = [];
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await expect(
      (async () => {
        for await (const item of paginate({ ...base, fetchPage, signal: controller.signal }))
          got.push(item);
      })(),
    ).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(500);
    expect(got).toEqual([1]);
    expect(fetches).toBe(2);

    const early = new AbortController();
    early.abort();
    await expect(
      paginate({ ...base, fetchPage, signal: early.signal }).toArray(),
    ).rejects.toBeInstanceOf(AbortError);
  });

  it('applies the client filter without ending the listing, and resumes correctly', async () => {
    const { fetchPage } = scripted({
      '': { items: [1, 3], nextToken: 'a' },
      a: { items: [5, 6, 7], nextToken: 'b' },
      b: { items: [8, 9], nextToken: '' },
    });
    const even = (n: number) => n % 2 === 0;
    expect(await paginate({ ...base, fetchPage, filter: even }).toArray()).toEqual([6, 8]);
    const iterator = paginate({ ...base, fetchPage, filter: even });
    for await (const item of iterator) if (item === 6) break;
    expect(
      await paginate({ ...base, fetchPage, filter: even, cursor: iterator.cursor }).toArray(),
    ).toEqual([8]);
  });

  it('pages backwards with direction "before" and prevToken; prevCursor resumes backwards', async () => {
    const { fetchPage, calls } = scripted({
      '': { items: [5, 6], prevToken: 'p1', nextToken: 'n1' },
      p1: { items: [3, 4], prevToken: 'p2', nextToken: 'n0' },
      p2: { items: [1, 2], prevToken: null },
    });
    const pages = [];
    for await (const p of paginate({ ...base, fetchPage, direction: 'before' }).pages())
      pages.push(p);
    expect(pages.map((p) => p.items)).toEqual([
      [5, 6],
      [3, 4],
      [1, 2],
    ]);
    expect(calls.every((c) => c.direction === 'before')).toBe(true);
    // The second page's nextCursor (going before) resumes before; its prevCursor goes after.
    const again = scripted({
      p2: { items: [1, 2], prevToken: null },
      n0: { items: [5, 6] },
    });
    const resumed = await paginate({
      ...base,
      fetchPage: again.fetchPage,
      direction: 'before',
      cursor: pages[1]?.nextCursor,
    }).toArray();
    expect(resumed).toEqual([1, 2]);
    const forward = await paginate({
      ...base,
      fetchPage: again.fetchPage,
      direction: 'before',
      cursor: pages[1]?.prevCursor,
    }).toArray();
    expect(forward).toEqual([5, 6]);
    expect(again.calls.at(-1)?.direction).toBe('after');

    // An "after" listing's prevCursor pages before.
    const fwd = scripted({
      '': { items: [1], nextToken: 'n1' },
      n1: { items: [2], prevToken: 'p0' },
      p0: { items: [1] },
    });
    const fpages = [];
    for await (const p of paginate({ ...base, fetchPage: fwd.fetchPage }).pages()) fpages.push(p);
    expect(typeof fpages[1]?.prevCursor).toBe('string');
    expect(
      await paginate({
        ...base,
        fetchPage: fwd.fetchPage,
        cursor: fpages[1]?.prevCursor,
      }).toArray(),
    ).toEqual([1]);
    expect(fwd.calls.at(-1)).toMatchObject({ token: 'p0', direction: 'before' });
  });

  it('toArray({ max }) stops fetching; firstPage() on empty results', async () => {
    const { fetchPage, calls } = scripted(threePages);
    expect(await paginate({ ...base, fetchPage }).toArray({ max: 3 })).toEqual([1, 2, 3]);
    expect(calls).toHaveLength(2);
    expect(await paginate({ ...base, fetchPage }).toArray({ max: 0 })).toEqual([]);
    const empty = scripted({ '': { items: [] } });
    expect(await paginate({ ...base, fetchPage: empty.fetchPage }).firstPage()).toEqual({
      items: [],
      nextCursor: undefined,
      prevCursor: undefined,
    });
    expect(await paginate({ ...base, fetchPage: empty.fetchPage }).toArray()).toEqual([]);
    const emptyWindowed = paginate({
      ...base,
      fetchPage: capped(async () => ({ items: [] })),
      range: { from: 0, to: 100, maxWindowMs: 10, timeOf: (n: number) => n },
    });
    expect((await emptyWindowed.firstPage()).items).toEqual([]);
    expect(await emptyWindowed.toArray()).toEqual([]);
  });

  it('done: true stops the listing', async () => {
    const { fetchPage, calls } = scripted({ '': { items: [1], nextToken: 'a', done: true } });
    expect(await paginate({ ...base, fetchPage }).toArray()).toEqual([1]);
    expect(calls).toHaveLength(1);
  });

  it('an empty or inverted range yields nothing and fetches nothing', async () => {
    const { fetchPage, calls } = scripted(threePages);
    const range = { from: 10, to: 10, timeOf: (n: number) => n };
    expect(await paginate({ ...base, fetchPage, range }).toArray()).toEqual([]);
    expect(calls).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Windowed listings against a fake vendor that filters inclusively and pages by token
// ---------------------------------------------------------------------------------------------
interface Rec {
  id: number;
  t: number;
}

class ExpiredToken extends Error {}

function fakeVendor(
  records: Rec[],
  pageSize: number,
  opts: { offsetTokens?: boolean; expire?: 'first-use' | 'always' } = {},
) {
  const sorted = [...records].sort((a, b) => a.t - b.t || a.id - b.id);
  const expiredOnce = new Set<string>();
  let fetches = 0;
  const fetchPage = async (req: FetchPageRequest): Promise<FetchPageResult<Rec>> => {
    fetches++;
    // Ranges here span up to a few hundred windows: a loop still fails within a few thousand calls.
    if (fetches > 40 * MAX_FAKE_CALLS) throw new Error('fake vendor called too often: a loop');
    const w = req.window;
    const matching = w ? sorted.filter((r) => r.t >= w.from && r.t <= w.to) : sorted;
    let offset = 0;
    if (req.token !== undefined) {
      const [wf, off] = req.token.split(':');
      if (!opts.offsetTokens && w && Number(wf) !== w.from)
        throw new Error('token from another window');
      offset = Number(off);
      if (opts.expire === 'always') throw new ExpiredToken('expired');
      if (opts.expire === 'first-use' && !expiredOnce.has(req.token)) {
        expiredOnce.add(req.token);
        throw new ExpiredToken('expired');
      }
    }
    const items = matching.slice(offset, offset + pageSize);
    const more = offset + pageSize < matching.length;
    const next = opts.offsetTokens
      ? `x:${offset + pageSize}`
      : `${w?.from ?? 'all'}:${offset + pageSize}`;
    return { items, nextToken: more ? next : '' };
  };
  return { fetchPage, fetches: () => fetches };
}

const recordsArb = (from: number, to: number, size: number) =>
  fc.array(
    fc.oneof(
      fc.integer({ min: from - 50, max: to + 50 }),
      // Exactly on window edges, and on the range ends.
      fc.nat(Math.ceil((to - from) / size) + 1).map((k) => from + k * size),
      fc.constantFrom(from, to, to - 1),
    ),
    { maxLength: 60 },
  );

describe('windowed listing', () => {
  it('yields every record in [from, to) exactly once, none outside (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .record({
            from: fc.integer({ min: -1000, max: 1000 }),
            length: fc.integer({ min: 1, max: 500 }),
            size: fc.integer({ min: 1, max: 200 }),
            pageSize: fc.integer({ min: 1, max: 7 }),
            offsetTokens: fc.boolean(),
            stopAfter: fc.integer({ min: 1, max: 80 }),
          })
          .chain((p) =>
            recordsArb(p.from, p.from + p.length, p.size).map((times) => ({ ...p, times })),
          ),
        async ({ from, length, size, pageSize, times, offsetTokens, stopAfter }) => {
          const to = from + length;
          const records = times.map((t, id) => ({ id, t }));
          const vendor = fakeVendor(records, pageSize, { offsetTokens });
          const options: PaginateOptions<Rec> = {
            ...base,
            fetchPage: vendor.fetchPage,
            range: { from, to, maxWindowMs: size, timeOf: (r) => r.t },
          };
          const expected = records
            .filter((r) => r.t >= from && r.t < to)
            .map((r) => r.id)
            .sort((a, b) => a - b);
          const all = (await paginate(options).toArray()).map((r) => r.id);
          expect(new Set(all).size).toBe(all.length);
          expect([...all].sort((a, b) => a - b)).toEqual(expected);

          // Stop anywhere, resume from the item-level cursor: still exactly once.
          const iterator = paginate(options);
          const first: number[] = [];
          for await (const r of iterator) {
            first.push(r.id);
            if (first.length >= stopAfter) break;
          }
          if (first.length < stopAfter) return; // ran to the end
          const cursor = iterator.cursor;
          const rest = cursor
            ? (await paginate({ ...options, cursor }).toArray()).map((r) => r.id)
            : [];
          expect([...first, ...rest]).toEqual(all);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('resumes from page cursors across windows with no loss or duplicate', async () => {
    const records = Array.from({ length: 40 }, (_, id) => ({ id, t: (id * 7) % 100 }));
    const vendor = fakeVendor(records, 3);
    const options: PaginateOptions<Rec> = {
      ...base,
      fetchPage: vendor.fetchPage,
      range: { from: 0, to: 100, maxWindowMs: 10, timeOf: (r) => r.t },
    };
    const all = (await paginate(options).toArray()).map((r) => r.id);
    expect(all).toHaveLength(40);
    const pages = [];
    for await (const p of paginate(options).pages()) pages.push(p);
    let count = 0;
    for (const p of pages) {
      count += p.items.length;
      if (!p.nextCursor) continue;
      const rest = (await paginate({ ...options, cursor: p.nextCursor }).toArray()).map(
        (r) => r.id,
      );
      expect(rest).toEqual(all.slice(count));
    }
  });

  it('restarts a window when a token expires and yields every record exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordsArb(0, 300, 50),
        fc.integer({ min: 1, max: 5 }),
        async (times, pageSize) => {
          const records = times.map((t, id) => ({ id, t }));
          const vendor = fakeVendor(records, pageSize, { expire: 'first-use' });
          const got = await paginate<Rec>({
            ...base,
            fetchPage: vendor.fetchPage,
            range: { from: 0, to: 300, maxWindowMs: 50, timeOf: (r) => r.t },
            isExpiredToken: (e) => e instanceof ExpiredToken,
          }).toArray();
          const ids = got.map((r) => r.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect([...ids].sort((a, b) => a - b)).toEqual(
            records.filter((r) => r.t >= 0 && r.t < 300).map((r) => r.id),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("onExpiredToken: 'fail' throws PaginationError('expired-token'); endless expiry gives up", async () => {
    const records = Array.from({ length: 10 }, (_, id) => ({ id, t: id }));
    const failing = fakeVendor(records, 3, { expire: 'first-use' });
    const options: PaginateOptions<Rec> = {
      ...base,
      fetchPage: failing.fetchPage,
      range: { from: 0, to: 100, timeOf: (r) => r.t },
      isExpiredToken: (e) => e instanceof ExpiredToken,
    };
    const got: number[] = [];
    const err = await (async () => {
      for await (const r of paginate({ ...options, onExpiredToken: 'fail' })) got.push(r.id);
    })().catch((e) => e);
    expect(err).toBeInstanceOf(PaginationError);
    expect(err.reason).toBe('expired-token');
    expect(err.cause).toBeInstanceOf(Error);
    expect(got).toEqual([0, 1, 2]);

    const always = fakeVendor(records, 3, { expire: 'always' });
    expect(
      await reason(() => paginate({ ...options, fetchPage: always.fetchPage }).toArray()),
    ).toBe('expired-token');
    expect(always.fetches()).toBeLessThan(10);
  });

  it('other errors propagate unchanged', async () => {
    const boom = new Error('vendor down');
    const err = await paginate({
      ...base,
      fetchPage: capped(async () => {
        throw boom;
      }),
    })
      .toArray()
      .catch((e) => e);
    expect(err).toBe(boom);
  });
});
