import { describe, expect, it } from 'vitest';
import { PaginationError, ResponseValidationError } from '../src/errors';
import { HttpOptionsSchema } from '../src/http';
import {
  decodeCursor,
  encodeCursor,
  type InvalidRecordAt,
  MAX_KEPT_SKIPPED,
  paginate,
} from '../src/pagination';
import { base, ids, type Rec, recs, scriptedVendor } from './scripted-vendor';

const { fake, pages } = scriptedVendor(50);

async function failure(run: () => Promise<unknown>): Promise<PaginationError> {
  const error = await run().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PaginationError);
  return error as PaginationError;
}

const threePages = {
  '': { items: recs('a', 'b'), nextToken: 't1' },
  t1: { items: recs('c', 'd'), nextToken: 't2' },
  t2: { items: recs('e'), nextToken: null },
};

describe('knowing when a listing is finished', () => {
  it('done turns true at the end and the cursor becomes terminal: it resumes to nothing, without a request', async () => {
    const vendor = pages<Rec>(threePages);
    const iterator = paginate({ ...base, fetchPage: vendor.fetchPage });
    expect(iterator.done).toBe(false);
    expect(ids(await iterator.toArray())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(iterator.done).toBe(true);
    expect(decodeCursor(iterator.cursor ?? '', base)).toMatchObject({ e: 1 });

    const again = pages<Rec>(threePages);
    const resumed = paginate({ ...base, fetchPage: again.fetchPage, cursor: iterator.cursor });
    expect(await resumed.toArray()).toEqual([]);
    expect(again.calls).toHaveLength(0);
    expect(resumed.done).toBe(true);
    expect(resumed.cursor).toBe(iterator.cursor);
  });

  it('the last page has no nextCursor; done also follows pages(); maxPages and break are not done', async () => {
    const vendor = pages<Rec>(threePages);
    const iterator = paginate({ ...base, fetchPage: vendor.fetchPage });
    const seen = [];
    for await (const page of iterator.pages()) seen.push(page);
    expect(seen.map((p) => p.nextCursor === undefined)).toEqual([false, false, true]);
    expect(iterator.done).toBe(true);

    const capped = paginate({ ...base, fetchPage: vendor.fetchPage, maxPages: 2 });
    await capped.toArray();
    expect(capped.done).toBe(false);

    const broken = paginate({ ...base, fetchPage: vendor.fetchPage });
    for await (const _ of broken) break;
    expect(broken.done).toBe(false);
  });

  it('a windowed listing that ends (or has nothing in range) gets a terminal cursor too', async () => {
    const vendor = fake<Rec>((req) => ({
      items: req.window?.from === 0 ? [{ id: 'x', t: 5 }] : [],
    }));
    const range = { from: 0, to: 30, maxWindowMs: 10, timeOf: (r: Rec) => r.t };
    const iterator = paginate({ ...base, fetchPage: vendor.fetchPage, range });
    expect(ids(await iterator.toArray())).toEqual(['x']);
    expect(vendor.calls).toHaveLength(3);
    const resumed = paginate({
      ...base,
      fetchPage: vendor.fetchPage,
      range,
      cursor: iterator.cursor,
    });
    expect(await resumed.toArray()).toEqual([]);
    expect(vendor.calls).toHaveLength(3);
  });

  it('the cursor after the last item of the last page is already terminal', async () => {
    const vendor = pages<Rec>(threePages);
    const iterator = paginate({ ...base, fetchPage: vendor.fetchPage });
    for await (const item of iterator) if (item.id === 'e') break;
    expect(iterator.done).toBe(false);
    const again = pages<Rec>(threePages);
    expect(
      await paginate({ ...base, fetchPage: again.fetchPage, cursor: iterator.cursor }).toArray(),
    ).toEqual([]);
    expect(again.calls).toHaveLength(0);
  });
});

describe('no listing is unbounded', () => {
  it('fails with empty-pages after maxEmptyPages empty pages in a row (default 25), exactly that many requests', async () => {
    const endless = fake<Rec>((_req, call) => ({ items: [], nextToken: `e${call}` }));
    const error = await failure(() =>
      paginate({ ...base, fetchPage: endless.fetchPage }).toArray(),
    );
    expect(error.reason).toBe('empty-pages');
    expect(endless.calls).toHaveLength(25);

    const three = fake<Rec>((_req, call) => ({ items: [], nextToken: `e${call}` }));
    const custom = await failure(() =>
      paginate({ ...base, fetchPage: three.fetchPage, maxEmptyPages: 3 }).toArray(),
    );
    expect(custom.reason).toBe('empty-pages');
    expect(three.calls).toHaveLength(3);
  });

  it('a record resets the run of empty pages', async () => {
    // 2 empty, 1 record, 2 empty, 1 record, end: never 3 empty in a row.
    const vendor = fake<Rec>((_req, call) => ({
      items: call % 3 === 0 ? recs(`r${call}`) : [],
      nextToken: call < 6 ? `t${call}` : null,
    }));
    const items = await paginate({
      ...base,
      fetchPage: vendor.fetchPage,
      maxEmptyPages: 3,
    }).toArray();
    expect(ids(items)).toEqual(['r3', 'r6']);
  });

  it('a page of records already yielded under another token is repeated-page, and nothing is yielded twice', async () => {
    const vendor = pages<Rec>({
      '': { items: recs('a', 'b'), nextToken: 't1' },
      t1: { items: recs('a', 'b'), nextToken: 't2' },
      t2: { items: recs('c'), nextToken: null },
    });
    const got: string[] = [];
    const error = await failure(async () => {
      for await (const item of paginate({ ...base, fetchPage: vendor.fetchPage }))
        got.push(item.id);
    });
    expect(error.reason).toBe('repeated-page');
    expect(got).toEqual(['a', 'b']);
    expect(vendor.calls).toHaveLength(2);
  });

  it('after an expired-token restart, a page shifted back onto yielded records is dropped, not an error', async () => {
    class Expired extends Error {}
    let restarted = false;
    const v = fake<Rec>((req) => {
      if (req.token === undefined && !restarted) return { items: recs('a', 'b'), nextToken: 't1' };
      if (req.token === 't1') {
        restarted = true;
        throw new Expired('page token expired');
      }
      // Two records were inserted at the start meanwhile: they are new, and [a, b] comes again.
      if (req.token === undefined) return { items: recs('n1', 'n2'), nextToken: 'u1' };
      if (req.token === 'u1') return { items: recs('a', 'b'), nextToken: 'u2' };
      if (req.token === 'u2') return { items: recs('c'), nextToken: 'u3' };
      return { items: recs('a', 'b', 'c'), nextToken: null };
    });
    const got: string[] = [];
    const error = await failure(async () => {
      for await (const item of paginate({
        ...base,
        fetchPage: v.fetchPage,
        isExpiredToken: (e) => e instanceof Expired,
      }))
        got.push(item.id);
    });
    // Forgiven: twice the 2 records re-read. The later page of 3 repeats is past that and fails.
    expect(got).toEqual(['a', 'b', 'n1', 'n2', 'c']);
    expect(error.reason).toBe('repeated-page');
    expect(v.calls.map((c) => c.token)).toEqual([undefined, 't1', undefined, 'u1', 'u2', 'u3']);
  });

  it('records repeated on an overlapping page (offsets shifted by an insert) are dropped, not yielded twice', async () => {
    const vendor = pages<Rec>({
      '': { items: recs('a', 'b'), nextToken: 't1' },
      t1: { items: recs('b', 'c'), nextToken: 't2' },
      t2: { items: recs('d', 'd'), nextToken: null },
    });
    expect(ids(await paginate({ ...base, fetchPage: vendor.fetchPage }).toArray())).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('remembers the most recent 10,000 ids past any length (a bounded window, oldest forgotten first)', async () => {
    // 12 pages of 1,000 records, then the 12th page again under a new token, then page 1 again.
    const page = (n: number) => recs(...Array.from({ length: 1000 }, (_, i) => `r${n * 1000 + i}`));
    const vendor = fake<Rec>((_req, call) => {
      if (call <= 12) return { items: page(call - 1), nextToken: `t${call}` };
      return call === 13 ? { items: page(11), nextToken: 't13' } : { items: [], nextToken: null };
    });
    const error = await failure(() => paginate({ ...base, fetchPage: vendor.fetchPage }).toArray());
    expect(error.reason).toBe('repeated-page');
    expect(vendor.calls).toHaveLength(13);

    const forgotten = fake<Rec>((_req, call) => {
      if (call <= 12) return { items: page(call - 1), nextToken: `t${call}` };
      return call === 13 ? { items: page(0), nextToken: null } : { items: [], nextToken: null };
    });
    // Page 1 was 12,000 records ago: beyond the window, so it is yielded again (documented limit).
    const items = await paginate({ ...base, fetchPage: forgotten.fetchPage }).toArray();
    expect(items).toHaveLength(13_000);
  });

  it('a 13 KB vendor token stays resumable, from page and item cursors', async () => {
    const huge = `T${'x'.repeat(13 * 1024)}`;
    const script = {
      '': { items: recs('a', 'b'), nextToken: huge },
      [huge]: { items: recs('c', 'd'), nextToken: null },
    };
    const vendor = pages<Rec>(script);
    const first = await paginate({ ...base, fetchPage: vendor.fetchPage }).firstPage();
    expect(first.nextCursor?.length).toBeGreaterThan(16_384);
    const rest = await paginate({
      ...base,
      fetchPage: vendor.fetchPage,
      cursor: first.nextCursor,
    }).toArray();
    expect(ids(rest)).toEqual(['c', 'd']);

    const iterator = paginate({ ...base, fetchPage: vendor.fetchPage });
    for await (const item of iterator) if (item.id === 'c') break;
    const tail = await paginate({
      ...base,
      fetchPage: vendor.fetchPage,
      cursor: iterator.cursor,
    }).toArray();
    expect(ids(tail)).toEqual(['d']);
  });

  it('a token too long for any cursor fails with oversized-token before its page is yielded', async () => {
    const vendor = fake<Rec>(() => ({ items: recs('a'), nextToken: 'y'.repeat(300_000) }));
    const got: string[] = [];
    const error = await failure(async () => {
      for await (const item of paginate({ ...base, fetchPage: vendor.fetchPage }))
        got.push(item.id);
    });
    expect(error.reason).toBe('oversized-token');
    expect(got).toEqual([]);
    expect(vendor.calls).toHaveLength(1);

    // One for the other direction only drops the page's prevCursor.
    const backwards = fake<Rec>(() => ({ items: recs('a'), prevToken: 'y'.repeat(300_000) }));
    const page = await paginate({ ...base, fetchPage: backwards.fetchPage }).firstPage();
    expect(ids(page.items)).toEqual(['a']);
    expect(page.prevCursor).toBeUndefined();
  });

  it('a vendor answering a page token with the same token: repeated-token, zero items, one request', async () => {
    const first = pages<Rec>(threePages);
    const { nextCursor } = await paginate({ ...base, fetchPage: first.fetchPage }).firstPage();
    const loop = fake<Rec>((req) => ({ items: recs('c'), nextToken: req.token }));
    const got: string[] = [];
    const error = await failure(async () => {
      for await (const item of paginate({ ...base, fetchPage: loop.fetchPage, cursor: nextCursor }))
        got.push(item.id);
    });
    expect(error.reason).toBe('repeated-token');
    expect(got).toEqual([]);
    expect(loop.calls.map((c) => c.token)).toEqual(['t1']);
  });

  it('prefetch with maxPages sends exactly maxPages requests, never one more', async () => {
    const endless = fake<Rec>((_req, call) => ({ items: recs(`r${call}`), nextToken: `t${call}` }));
    const iterator = paginate({
      ...base,
      fetchPage: endless.fetchPage,
      maxPages: 3,
      prefetch: true,
    });
    for await (const _ of iterator.pages()) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(endless.calls).toHaveLength(3);
  });
});

describe('a cursor cannot widen a listing', () => {
  const range = { from: 1_000, to: 2_000, maxWindowMs: 100, timeOf: (r: Rec) => r.t };
  const vendor = () =>
    fake<Rec>((req) => ({ items: [{ id: `w${req.window?.from}`, t: req.window?.from ?? 0 }] }));

  it('rejects a re-checksummed cursor whose range, window or direction lies outside the params', async () => {
    const forged = [
      { p: 'acme', f: 'fp1', r: [0, 5_000] as [number, number] },
      { p: 'acme', f: 'fp1', r: [500, 2_000] as [number, number] },
      { p: 'acme', f: 'fp1', r: [1_000, 2_000] as [number, number], w: 900 },
      { p: 'acme', f: 'fp1', r: [1_000, 2_000] as [number, number], w: 2_000 },
      { p: 'acme', f: 'fp1', r: [1_000, 2_000] as [number, number], d: 'b' as const },
    ];
    for (const state of forged) {
      const v = vendor();
      const error = await failure(() =>
        paginate({ ...base, fetchPage: v.fetchPage, range, cursor: encodeCursor(state) }).toArray(),
      );
      expect(error.reason, JSON.stringify(state)).toBe('mismatched-cursor');
      expect(v.calls).toHaveLength(0);
    }
    const noRange = vendor();
    const ranged = encodeCursor({ p: 'acme', f: 'fp1', r: [1_000, 2_000] });
    expect(
      (
        await failure(() =>
          paginate({ ...base, fetchPage: noRange.fetchPage, cursor: ranged }).toArray(),
        )
      ).reason,
    ).toBe('mismatched-cursor');
  });

  it('terminal cursors of an empty range and of a backwards run resume to nothing', async () => {
    const empty = vendor();
    const inverted = { ...range, from: 2_000, to: 1_000 };
    const done = paginate({ ...base, fetchPage: empty.fetchPage, range: inverted });
    expect(await done.toArray()).toEqual([]);
    const again = paginate({
      ...base,
      fetchPage: empty.fetchPage,
      range: inverted,
      cursor: done.cursor,
    });
    expect(await again.toArray()).toEqual([]);
    expect(again.done).toBe(true);

    const back = pages<Rec>({ p0: { items: recs('a') } });
    const prev = encodeCursor({ p: 'acme', f: 'fp1', d: 'b', t: 'p0' });
    const backwards = paginate({ ...base, fetchPage: back.fetchPage, cursor: prev });
    expect(ids(await backwards.toArray())).toEqual(['a']);
    expect(backwards.done).toBe(true);
    const resumed = paginate({ ...base, fetchPage: back.fetchPage, cursor: backwards.cursor });
    expect(await resumed.toArray()).toEqual([]);
    expect(back.calls).toHaveLength(1);
    expect(empty.calls).toHaveLength(0);
  });

  it('accepts a narrower range inside the params, and an earlier range of the same length for a sliding default', async () => {
    const v = vendor();
    const inside = encodeCursor({ p: 'acme', f: 'fp1', r: [1_200, 1_400], w: 1_300 });
    const items = await paginate({
      ...base,
      fetchPage: v.fetchPage,
      range,
      cursor: inside,
    }).toArray();
    expect(ids(items)).toEqual(['w1300']);

    const sliding = { ...range, from: 1_100, to: 2_100, slidingDefault: true };
    const earlier = encodeCursor({ p: 'acme', f: 'fp1', r: [1_000, 2_000], w: 1_900 });
    expect(
      ids(
        await paginate({
          ...base,
          fetchPage: v.fetchPage,
          range: sliding,
          cursor: earlier,
        }).toArray(),
      ),
    ).toEqual(['w1900']);
    const longer = encodeCursor({ p: 'acme', f: 'fp1', r: [900, 2_000] });
    expect(
      (
        await failure(() =>
          paginate({ ...base, fetchPage: v.fetchPage, range: sliding, cursor: longer }).toArray(),
        )
      ).reason,
    ).toBe('mismatched-cursor');
  });

  it('cursorSecret (a shared adapter option) must be at least 16 characters', () => {
    const short = HttpOptionsSchema.safeParse({ cursorSecret: 'short' });
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.path).toEqual(['cursorSecret']);
    expect(HttpOptionsSchema.safeParse({ cursorSecret: 'x'.repeat(16) }).success).toBe(true);
  });

  it('with cursorSecret, cursors carry an HMAC: any change, or a cursor signed otherwise, is rejected', async () => {
    const secret = 's3cret-s3cret-s3cret';
    const v = pages<Rec>(threePages);
    const { nextCursor = '' } = await paginate({
      ...base,
      fetchPage: v.fetchPage,
      cursorSecret: secret,
    }).firstPage();
    const [, , sum] = nextCursor.split('.');
    expect(sum).toHaveLength(43);
    const rest = await paginate({
      ...base,
      fetchPage: v.fetchPage,
      cursorSecret: secret,
      cursor: nextCursor,
    }).toArray();
    expect(ids(rest)).toEqual(['c', 'd', 'e']);

    const state = decodeCursor(nextCursor, { ...base, secret });
    const rewritten = encodeCursor({ ...state, t: 't2' });
    const changed = `${encodeCursor({ ...state, t: 't2' })
      .split('.')
      .slice(0, 2)
      .join('.')}.${sum}`;
    for (const cursor of [
      rewritten,
      changed,
      encodeCursor(state, { secret: 'another-secret-value' }),
    ]) {
      const error = await failure(() =>
        paginate({ ...base, fetchPage: v.fetchPage, cursorSecret: secret, cursor }).toArray(),
      );
      expect(error.reason).toBe('tampered-cursor');
    }
    // A signed cursor resumed without the secret fails too (the checksum has another length).
    expect(
      (
        await failure(() =>
          paginate({ ...base, fetchPage: v.fetchPage, cursor: nextCursor }).toArray(),
        )
      ).reason,
    ).toBe('tampered-cursor');
  });
});

describe('onInvalidRecord in the engine', () => {
  const bad = (index: number, id: string): InvalidRecordAt => ({
    provider: 'acme',
    remoteId: id,
    path: ['result', index],
    issues: [
      { path: `result.${index}.occurred_at`, rule: 'invalid_type', message: 'expected string' },
    ],
    raw: { id },
    index,
  });
  const script = () =>
    pages<Rec>({
      '': { items: recs('a', 'c'), invalid: [bad(1, 'b')], nextToken: 't1' },
      t1: { items: recs('d'), invalid: [bad(1, 'e')], nextToken: null },
    });

  it("'throw' (the default) fails with a ResponseValidationError naming onInvalidRecord and the path", async () => {
    const v = script();
    const error = await paginate({ ...base, fetchPage: v.fetchPage })
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).path).toBe('result.1.occurred_at');
    expect((error as Error).message).toContain('onInvalidRecord');
    expect((error as Error).message).toContain('result.1');
  });

  it("'skip' goes on and keeps the records on iterator.skipped; a function is called, then skips", async () => {
    const v = script();
    const iterator = paginate({ ...base, fetchPage: v.fetchPage, onInvalidRecord: 'skip' });
    expect(ids(await iterator.toArray())).toEqual(['a', 'c', 'd']);
    expect(iterator.skipped.map((r) => [r.remoteId, r.path])).toEqual([
      ['b', ['result', 1]],
      ['e', ['result', 1]],
    ]);
    expect(iterator.skippedCount).toBe(2);
    expect(iterator.skipped[0]).not.toHaveProperty('index');

    const called: string[] = [];
    const withFn = paginate({
      ...base,
      fetchPage: script().fetchPage,
      onInvalidRecord: (r) => called.push(r.remoteId ?? '?'),
    });
    expect(ids(await withFn.toArray())).toEqual(['a', 'c', 'd']);
    expect(called).toEqual(['b', 'e']);
    expect(withFn.skippedCount).toBe(2);
  });

  it(`keeps at most ${MAX_KEPT_SKIPPED} skipped records, counting them all`, async () => {
    const invalid = Array.from({ length: 150 }, (_, i) => bad(i, `x${i}`));
    const v = fake<Rec>(() => ({ items: recs('ok'), invalid }));
    const iterator = paginate({ ...base, fetchPage: v.fetchPage, onInvalidRecord: 'skip' });
    expect(ids(await iterator.toArray())).toEqual(['ok']);
    expect(iterator.skipped).toHaveLength(MAX_KEPT_SKIPPED);
    expect(iterator.skippedCount).toBe(150);
  });

  it('resume counts skipped records as consumed: it goes past them, never back', async () => {
    const breakAfter = async (id: string) => {
      const iterator = paginate({
        ...base,
        fetchPage: script().fetchPage,
        onInvalidRecord: 'skip',
      });
      for await (const item of iterator) if (item.id === id) break;
      return iterator.cursor;
    };
    const afterA = paginate({
      ...base,
      fetchPage: script().fetchPage,
      onInvalidRecord: 'skip',
      cursor: await breakAfter('a'),
    });
    expect(ids(await afterA.toArray())).toEqual(['c', 'd']);
    expect(afterA.skipped.map((r) => r.remoteId)).toEqual(['b', 'e']);

    const afterC = paginate({
      ...base,
      fetchPage: script().fetchPage,
      onInvalidRecord: 'skip',
      cursor: await breakAfter('c'),
    });
    expect(ids(await afterC.toArray())).toEqual(['d']);
    expect(afterC.skipped.map((r) => r.remoteId)).toEqual(['e']);

    const afterD = script();
    const end = paginate({
      ...base,
      fetchPage: afterD.fetchPage,
      onInvalidRecord: 'skip',
      cursor: await breakAfter('d'),
    });
    expect(await end.toArray()).toEqual([]);
    expect(end.skippedCount).toBe(0);
    expect(afterD.calls).toHaveLength(0);
  });

  it('an expired-token restart skips by raw count, skipped records included', async () => {
    class Expired extends Error {}
    let expired = false;
    const v = fake<Rec>((req) => {
      if (req.token === undefined)
        return { items: recs('a'), invalid: [bad(1, 'b')], nextToken: 't1' };
      if (!expired) {
        expired = true;
        throw new Expired('page token expired');
      }
      return { items: recs('c'), nextToken: null };
    });
    const iterator = paginate({
      ...base,
      fetchPage: v.fetchPage,
      onInvalidRecord: 'skip',
      isExpiredToken: (e) => e instanceof Expired,
    });
    expect(ids(await iterator.toArray())).toEqual(['a', 'c']);
    expect(iterator.skippedCount).toBe(1);
    expect(v.calls.map((c) => c.token)).toEqual([undefined, 't1', undefined, 't1']);
  });

  it('map() keeps skipped, done and the terminal cursor on the mapped iterator', async () => {
    const mapped = paginate({
      ...base,
      fetchPage: script().fetchPage,
      onInvalidRecord: 'skip',
    }).map((r) => r.id);
    expect(await mapped.toArray()).toEqual(['a', 'c', 'd']);
    expect(mapped.skippedCount).toBe(2);
    expect(mapped.done).toBe(true);
    expect(decodeCursor(mapped.cursor ?? '', base)).toMatchObject({ e: 1 });
  });
});
