// Issue 17: behaviour of paginate.ts that the pagination mutation run (14:02) showed no test held.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AbortError, PaginationError } from '../src/errors';
import {
  decodeCursor,
  type FetchPageRequest,
  type FetchPageResult,
  paginate,
} from '../src/pagination';
import { MAX_TRACKED_TOKENS } from '../src/pagination/paginate';
import { rejection } from './rejection';
import { base, ids, type Rec, recs, scriptedVendor } from './scripted-vendor';

const { fake, pages } = scriptedVendor(20);

describe('token keys: a short token is never taken for the digest of a long one', () => {
  // Long tokens are remembered by their SHA-256 digest, short ones as `=<token>`: whatever text the
  // digest is written as, a vendor's short token must not meet it.
  const longWithDigestStartingWithEquals = () => {
    for (let i = 0; i < 10_000; i++) {
      const long = `${'L'.repeat(65)}${i}`;
      const digest = createHash('sha256').update(long).digest();
      if (digest[0] === 0x3d) return { long, digest };
    }
    throw new Error('no digest starting with "="');
  };

  it.each(['utf8', 'latin1'] as const)('nor its digest read as %s text', async (encoding) => {
    const { long, digest } = longWithDigestStartingWithEquals();
    const short = digest.toString(encoding).slice(1);
    expect(`=${short}`).toBe(digest.toString(encoding));
    expect(short.length).toBeLessThanOrEqual(64);
    const vendor = pages({
      '': { items: recs('a'), nextToken: long },
      [long]: { items: recs('b'), nextToken: short },
      [short]: { items: recs('c') },
    });
    expect(ids(await paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).toArray())).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(vendor.calls.map((c) => c.token)).toEqual([undefined, long, short]);
  });
});

describe('the repeated-token guard remembers the most recent MAX_TRACKED_TOKENS tokens', () => {
  // The vendor hands out tokens t1, t2, … tN, then t1 again; the page at t1 is then the last.
  const cycle = (n: number) => {
    return scriptedVendor(n + 5).fake<Rec>((_req, call) => {
      const next = call <= n ? `t${call}` : call === n + 1 ? 't1' : undefined;
      return { items: [{ id: `r${call}` }], nextToken: next };
    });
  };

  it(`a token returned again after ${MAX_TRACKED_TOKENS} others is forgotten: no loop`, async () => {
    expect(MAX_TRACKED_TOKENS).toBe(10_000);
    const vendor = cycle(MAX_TRACKED_TOKENS + 1);
    const items = await paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).toArray();
    expect(items).toHaveLength(MAX_TRACKED_TOKENS + 3);
    expect(vendor.calls).toHaveLength(MAX_TRACKED_TOKENS + 3);
    expect(vendor.calls.at(-1)?.token).toBe('t1');
    expect(vendor.calls.at(-2)?.token).toBe(`t${MAX_TRACKED_TOKENS + 1}`);
  });

  it(`one returned again after ${MAX_TRACKED_TOKENS - 1} others is a repeated token`, async () => {
    const vendor = cycle(MAX_TRACKED_TOKENS);
    const error = (await rejection(() =>
      paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).toArray(),
    )) as PaginationError;
    expect(error).toBeInstanceOf(PaginationError);
    expect(error.reason).toBe('repeated-token');
    expect(vendor.calls).toHaveLength(MAX_TRACKED_TOKENS + 1);
  });
});

describe('a maxWindowMs below 1 slices nothing, backwards too', () => {
  const vendor = () =>
    fake<Rec>((req) => {
      if (req.direction !== 'before') throw new Error('pages forwards');
      return req.token === undefined
        ? { items: [{ id: 'late', t: 120 }], prevToken: 'p' }
        : { items: [{ id: 'early', t: 101 }] };
    });

  it.each([0.5, 0, -10])('maxWindowMs %s reads the whole range as one window', async (size) => {
    const v = vendor();
    const items = await paginate<Rec>({
      ...base,
      direction: 'before',
      fetchPage: v.fetchPage,
      range: { from: 100, to: 130, maxWindowMs: size, timeOf: (r) => r.t },
    }).toArray();
    expect(ids(items)).toEqual(['late', 'early']);
    expect(v.calls.map((c) => [c.window, c.token])).toEqual([
      [{ from: 100, to: 130 }, undefined],
      [{ from: 100, to: 130 }, 'p'],
    ]);
  });
});

describe('abort', () => {
  it('a vendor call that aborts the listing and then throws gives the listing’s AbortError, with the throw as its cause', async () => {
    const controller = new AbortController();
    let calls = 0;
    // Not async: it throws before any promise exists, so nothing races the signal.
    const fetchPage = (_req: FetchPageRequest): Promise<FetchPageResult<Rec>> => {
      if (++calls > 1) throw new Error('called again');
      controller.abort();
      throw new Error('socket closed');
    };
    const error = (await rejection(() =>
      paginate<Rec>({ ...base, signal: controller.signal, fetchPage }).toArray(),
    )) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe('The listing was aborted.');
    expect(error.provider).toBe('acme');
    expect((error.cause as Error).message).toBe('socket closed');
    expect(calls).toBe(1);
  });
});

describe('cursorAfter on the source pages', () => {
  it('names no cursor for an index with no item of the page', async () => {
    const vendor = pages({
      '': { items: recs('a', 'b'), nextToken: 't1' },
      t1: { items: recs('c') },
    });
    const iterator = paginate<Rec>({ ...base, fetchPage: vendor.fetchPage });
    const seen: (string | undefined)[][] = [];
    for await (const page of iterator.sourcePages()) {
      seen.push([
        page.cursorAfter?.(-1),
        page.cursorAfter?.(page.items.length),
        page.cursorAfter?.(page.items.length + 3),
      ]);
      if (page.items.length === 2) {
        expect(decodeCursor(page.cursorAfter?.(0) ?? '', base)).toStrictEqual({
          p: 'acme',
          f: 'fp1',
          k: 1,
          // The id of item 0 ('a'), hashed: where a resume skips through.
          i: createHash('sha256').update('a').digest('base64url').slice(0, 8),
        });
      }
    }
    expect(seen).toEqual([
      [undefined, undefined, undefined],
      [undefined, undefined, undefined],
    ]);
  });
});
