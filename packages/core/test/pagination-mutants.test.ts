// Behaviour of the pagination engine and the cursor codec that the mutation run
// (`MUTATE_GROUPS=pagination pnpm mutation core`) showed no test held: the exact errors (kind,
// message, provider), what a cursor carries, which pages are handed out, and the edges of the token
// and range guards.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AbortError, PaginationError, ResponseValidationError } from '../src/errors';
import {
  decodeCursor,
  encodeCursor,
  type FetchPageRequest,
  type FetchPageResult,
  fingerprintParams,
  paginate,
} from '../src/pagination';
import { MAX_CURSOR_LENGTH, MAX_VENDOR_TOKEN_LENGTH } from '../src/pagination/cursor';
import { rejection } from './rejection';
import { base, ids, type Rec, recs, scriptedVendor } from './scripted-vendor';

const { fake, pages } = scriptedVendor(20);

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** A cursor whose checksum fits its payload, whatever the payload says. */
function forged(payloadText: string): string {
  const payload = Buffer.from(payloadText).toString('base64url');
  const sum = createHash('sha256').update(payload).digest('base64url').slice(0, 12);
  return `ek1.${payload}.${sum}`;
}

describe('decodeCursor: which rule failed, in words', () => {
  const expectError = (cursor: unknown, reason: string, message: string, secret?: string) => {
    const error = thrown(() =>
      decodeCursor(cursor as string, { ...base, ...(secret ? { secret } : {}) }),
    ) as PaginationError;
    expect(error).toBeInstanceOf(PaginationError);
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(message);
    return error;
  };

  it('not a string, or longer than MAX_CURSOR_LENGTH', () => {
    expectError(42, 'malformed-cursor', 'Cursor is not an engagekit cursor.');
    expectError(
      `ek1.${'a'.repeat(MAX_CURSOR_LENGTH)}`,
      'malformed-cursor',
      'Cursor is not an engagekit cursor.',
    );
    // Exactly the limit is read (and then fails its checksum), not refused for its length.
    expectError(
      `ek1.${'a'.repeat(MAX_CURSOR_LENGTH - 8)}.abc`,
      'tampered-cursor',
      'Cursor checksum does not match: it was altered or truncated (or signed with a cursorSecret this listing lacks).',
    );
    expect(`ek1.${'a'.repeat(MAX_CURSOR_LENGTH - 8)}.abc`).toHaveLength(MAX_CURSOR_LENGTH);
  });

  it('not three parts, or not starting with "ek"', () => {
    const message = 'Cursor is not an engagekit cursor (expected "ek1.<payload>.<checksum>").';
    expectError('ek1.abc', 'malformed-cursor', message);
    expectError('xx1.abc.def', 'malformed-cursor', message);
    expectError('', 'malformed-cursor', message);
  });

  it('another version', () => {
    expectError(
      'ek2.abc.def',
      'unsupported-cursor-version',
      'Cursor version "ek2" is not supported by this engagekit (expects "ek1").',
    );
  });

  it('a checksum or signature that does not match says which', () => {
    const good = encodeCursor({ p: 'acme', f: 'fp1' });
    const cut = good.slice(0, -1);
    expectError(
      cut,
      'tampered-cursor',
      'Cursor checksum does not match: it was altered or truncated (or signed with a cursorSecret this listing lacks).',
    );
    expectError(
      good,
      'tampered-cursor',
      'Cursor signature does not match: it was altered, truncated, or not signed with this cursorSecret.',
      'a-secret-of-16-chars',
    );
  });

  it('a payload that is not JSON, or not a cursor state', () => {
    expectError(forged('not json'), 'malformed-cursor', 'Cursor payload is not valid JSON.');
    expectError(forged('{"p":"acme"}'), 'malformed-cursor', 'Cursor payload has an invalid shape.');
  });

  it('another provider or other params, naming the provider that resumed it', () => {
    const foreign = expectError(
      encodeCursor({ p: 'other', f: 'fp1' }),
      'foreign-cursor',
      'Cursor belongs to provider "other", not "acme".',
    );
    expect(foreign.provider).toBe('acme');
    const mismatched = expectError(
      encodeCursor({ p: 'acme', f: 'fp2' }),
      'mismatched-cursor',
      'Cursor was created with other list parameters (filters, range or native params); pass the same parameters to resume.',
    );
    expect(mismatched.provider).toBe('acme');
  });
});

describe('fingerprintParams', () => {
  it('is 16 URL-safe characters', () => {
    expect(fingerprintParams({ a: 1 })).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('tells an array from an object with the same entries', () => {
    expect(fingerprintParams({ ids: ['a', 'b'] })).not.toBe(
      fingerprintParams({ ids: { 0: 'a', 1: 'b' } }),
    );
    expect(fingerprintParams({ ids: ['a', 'b'] })).not.toBe(fingerprintParams({ ids: ['b', 'a'] }));
  });
});

describe('resuming with a cursor that does not fit the params', () => {
  const range = { from: 0, to: 100, timeOf: (r: Rec) => r.t };
  const mismatchOf = async (cursor: string, extra: Record<string, unknown> = {}) => {
    const vendor = pages({ '': { items: [] } });
    const error = (await rejection(() =>
      paginate<Rec>({ ...base, fetchPage: vendor.fetchPage, cursor, ...extra }).toArray(),
    )) as PaginationError;
    expect(error).toBeInstanceOf(PaginationError);
    expect(error.reason).toBe('mismatched-cursor');
    expect(error.provider).toBe('acme');
    expect(vendor.calls).toHaveLength(0);
    return error.message;
  };
  const said = (what: string) =>
    `Cursor does not fit the list parameters it is resumed with: ${what}. A cursor can only resume the listing it came from.`;

  it('names each broken rule', async () => {
    expect(await mismatchOf(encodeCursor({ p: 'acme', f: 'fp1', r: [0, 100] }))).toBe(
      said('it carries a date range, the params none'),
    );
    expect(await mismatchOf(encodeCursor({ p: 'acme', f: 'fp1' }), { range })).toBe(
      said('the params have a date range, it none'),
    );
    expect(await mismatchOf(encodeCursor({ p: 'acme', f: 'fp1', r: [0, 101] }), { range })).toBe(
      said('its date range is outside the params'),
    );
    expect(await mismatchOf(encodeCursor({ p: 'acme', f: 'fp1', r: [-1, 100] }), { range })).toBe(
      said('its date range is outside the params'),
    );
    expect(
      await mismatchOf(encodeCursor({ p: 'acme', f: 'fp1', r: [0, 100], w: 100 }), { range }),
    ).toBe(said('its window is outside its date range'));
    expect(await mismatchOf(encodeCursor({ p: 'acme', f: 'fp1', d: 'b', k: 1 }))).toBe(
      said('it pages before, the params after'),
    );
  });

  it('a sliding default range accepts an earlier range no longer than its own, up to its end', async () => {
    const sliding = { range: { ...range, slidingDefault: true } };
    // Same end, same length: accepted.
    const vendor = pages({ '': { items: [{ id: 'a', t: 50 }] } });
    const same = paginate<Rec>({
      ...base,
      fetchPage: vendor.fetchPage,
      cursor: encodeCursor({ p: 'acme', f: 'fp1', r: [0, 100] }),
      ...sliding,
    });
    expect(ids(await same.toArray())).toEqual(['a']);
    // Earlier and shorter: accepted.
    const earlier = pages({ '': { items: [{ id: 'b', t: 20 }] } });
    expect(
      ids(
        await paginate<Rec>({
          ...base,
          fetchPage: earlier.fetchPage,
          cursor: encodeCursor({ p: 'acme', f: 'fp1', r: [-50, 40] }),
          ...sliding,
        }).toArray(),
      ),
    ).toEqual(['b']);
    // Past the end, though no longer: refused.
    expect(await mismatchOf(encodeCursor({ p: 'acme', f: 'fp1', r: [10, 101] }), sliding)).toBe(
      said('its date range is outside the params'),
    );
    // Longer: refused.
    expect(await mismatchOf(encodeCursor({ p: 'acme', f: 'fp1', r: [-1, 100] }), sliding)).toBe(
      said('its date range is outside the params'),
    );
  });
});

describe('what the cursors carry', () => {
  it('a nextCursor names the token, the raw items consumed before it, and no direction by default', async () => {
    const vendor = pages({
      '': { items: recs('a', 'b'), nextToken: 't1' },
      t1: { items: recs('c'), nextToken: 't2' },
      t2: { items: recs('d') },
    });
    const cursors: (string | undefined)[] = [];
    for await (const page of paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).pages()) {
      cursors.push(page.nextCursor);
    }
    expect(cursors.map((c) => (c === undefined ? undefined : decodeCursor(c, base)))).toStrictEqual(
      [{ p: 'acme', f: 'fp1', t: 't1', c: 2 }, { p: 'acme', f: 'fp1', t: 't2', c: 3 }, undefined],
    );
  });

  it('a backwards listing writes d: "b"; a listing of the "before" params turned around by a prevCursor writes d: "a"', async () => {
    const back = pages({ '': { items: recs('z'), prevToken: 'p1' }, p1: { items: recs('y') } });
    const first = await paginate<Rec>({
      ...base,
      direction: 'before',
      fetchPage: back.fetchPage,
    }).firstPage();
    expect(decodeCursor(first.nextCursor ?? '', base)).toStrictEqual({
      p: 'acme',
      f: 'fp1',
      d: 'b',
      t: 'p1',
      c: 1,
    });

    const forward = pages({ n1: { items: recs('m'), nextToken: 'n2' }, n2: { items: recs('n') } });
    const turned = await paginate<Rec>({
      ...base,
      direction: 'before',
      fetchPage: forward.fetchPage,
      cursor: encodeCursor({ p: 'acme', f: 'fp1', d: 'a', t: 'n1' }),
    }).firstPage();
    expect(forward.calls.map((c) => [c.token, c.direction])).toEqual([['n1', 'after']]);
    expect(decodeCursor(turned.nextCursor ?? '', base)).toStrictEqual({
      p: 'acme',
      f: 'fp1',
      d: 'a',
      t: 'n2',
      c: 1,
    });
  });

  it('with a cursorSecret, the terminal cursor and the prevCursor are signed too', async () => {
    const secret = 'a-secret-of-16-chars';
    const vendor = pages({ '': { items: recs('a'), prevToken: 'p0' } });
    const iterator = paginate<Rec>({ ...base, cursorSecret: secret, fetchPage: vendor.fetchPage });
    const seen = [];
    for await (const page of iterator.pages()) seen.push(page);
    expect(iterator.done).toBe(true);
    expect(decodeCursor(iterator.cursor ?? '', { ...base, secret })).toStrictEqual({
      p: 'acme',
      f: 'fp1',
      e: 1,
    });
    expect(decodeCursor(seen[0]?.prevCursor ?? '', { ...base, secret })).toStrictEqual({
      p: 'acme',
      f: 'fp1',
      d: 'b',
      t: 'p0',
    });
  });

  it('a windowed prevCursor names its range and window', async () => {
    const vendor = fake((req) => ({
      items: [{ id: `r${req.window?.from}`, t: req.window?.from ?? 0 }],
      prevToken: req.window?.from === 10 ? 'p10' : undefined,
    }));
    const seen = [];
    for await (const page of paginate<Rec>({
      ...base,
      fetchPage: vendor.fetchPage,
      range: { from: 0, to: 20, maxWindowMs: 10, timeOf: (r) => r.t },
    }).pages()) {
      seen.push(page);
    }
    expect(seen.map((p) => p.items.map((r) => r.id))).toEqual([['r0'], ['r10']]);
    expect(seen[0]?.prevCursor).toBeUndefined();
    expect(decodeCursor(seen[1]?.prevCursor ?? '', base)).toStrictEqual({
      p: 'acme',
      f: 'fp1',
      r: [0, 20],
      w: 10,
      d: 'b',
      t: 'p10',
    });
  });
});

describe('windows', () => {
  it('maxWindowMs 1 queries windows one millisecond long', async () => {
    const vendor = fake<Rec>(() => ({ items: [] }));
    await paginate<Rec>({
      ...base,
      fetchPage: vendor.fetchPage,
      range: { from: 0, to: 3, maxWindowMs: 1, timeOf: (r) => r.t },
    }).toArray();
    expect(vendor.calls.map((c) => c.window)).toEqual([
      { from: 0, to: 1 },
      { from: 1, to: 2 },
      { from: 2, to: 3 },
    ]);
  });

  it('drops records outside the window the vendor returned anyway, and records without a time', async () => {
    const vendor = pages<Rec>({
      '': {
        items: [
          { id: 'before', t: -1 },
          { id: 'start', t: 0 },
          { id: 'none' },
          { id: 'inside', t: 5 },
          { id: 'end', t: 10 },
        ],
      },
    });
    const items = await paginate<Rec>({
      ...base,
      fetchPage: vendor.fetchPage,
      range: { from: 0, to: 10, timeOf: (r) => r.t },
    }).toArray();
    expect(ids(items)).toEqual(['start', 'inside']);
  });
});

describe('which pages are handed out', () => {
  const pageItems = async (script: Record<string, FetchPageResult<Rec>>) => {
    const vendor = pages(script);
    const out: string[][] = [];
    for await (const page of paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).pages()) {
      out.push(ids(page.items));
    }
    return out;
  };

  it('an empty first page that points on is not a page', async () => {
    expect(
      await pageItems({ '': { items: [], nextToken: 't1' }, t1: { items: recs('a') } }),
    ).toEqual([['a']]);
  });

  it('an empty last page after others is not a page', async () => {
    expect(
      await pageItems({ '': { items: recs('a'), nextToken: 't1' }, t1: { items: [] } }),
    ).toEqual([['a']]);
  });

  it('a listing of one empty page has one empty page', async () => {
    expect(await pageItems({ '': { items: [] } })).toEqual([[]]);
  });
});

describe('record identity', () => {
  it('only a string id identifies a record: null items and numeric ids are all yielded', async () => {
    const vendor = pages<unknown>({
      '': { items: [null, { id: 3 }, { id: 3 }, { id: 'a' }, { id: 'a' }, 7] },
    });
    const items = await paginate<unknown>({ ...base, fetchPage: vendor.fetchPage }).toArray();
    expect(items).toEqual([null, { id: 3 }, { id: 3 }, { id: 'a' }, 7]);
  });
});

describe('guard errors: kind, message and provider', () => {
  it('a page of records already yielded under a new token', async () => {
    const vendor = pages({
      '': { items: recs('a', 'b'), nextToken: 't1' },
      t1: { items: recs('a', 'b'), nextToken: 't2' },
      t2: { items: recs('c') },
    });
    const iterator = paginate<Rec>({ ...base, fetchPage: vendor.fetchPage });
    const got: string[] = [];
    const error = (await rejection(async () => {
      for await (const r of iterator) got.push(r.id);
    })) as PaginationError;
    expect(got).toEqual(['a', 'b']);
    expect(error).toBeInstanceOf(PaginationError);
    expect(error.reason).toBe('repeated-page');
    expect(error.provider).toBe('acme');
    expect(error.message).toBe(
      'The vendor returned a page whose 2 records this listing had already yielded, under another token; stopping instead of yielding them twice or looping.',
    );
    expect(vendor.calls).toHaveLength(2);
  });

  it('a repeated token', async () => {
    const vendor = pages({
      '': { items: recs('a'), nextToken: 't1' },
      t1: { items: recs('b'), nextToken: 't1' },
    });
    const error = (await rejection(() =>
      paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).toArray(),
    )) as PaginationError;
    expect(error.reason).toBe('repeated-token');
    expect(error.provider).toBe('acme');
    expect(error.message).toBe(
      'The vendor returned a page token it had already returned; stopping instead of looping forever.',
    );
  });

  it('a short token equal to the digest of a long one is not a repeat', async () => {
    const long = 'L'.repeat(65);
    const digest = createHash('sha256').update(long).digest('base64url');
    const vendor = pages({
      '': { items: recs('a'), nextToken: long },
      [long]: { items: recs('b'), nextToken: digest },
      [digest]: { items: recs('c') },
    });
    expect(ids(await paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).toArray())).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('a run of empty pages', async () => {
    const vendor = fake<Rec>((_req, call) => ({ items: [], nextToken: `t${call}` }));
    const error = (await rejection(() =>
      paginate<Rec>({ ...base, maxEmptyPages: 3, fetchPage: vendor.fetchPage }).toArray(),
    )) as PaginationError;
    expect(error.reason).toBe('empty-pages');
    expect(error.provider).toBe('acme');
    expect(error.message).toBe(
      'The vendor returned 3 empty pages in a row, each pointing to another (maxEmptyPages: 3); stopping instead of paging on without end.',
    );
    expect(vendor.calls).toHaveLength(3);
  });

  describe('token length', () => {
    const listWith = (token: string) => {
      const vendor = pages({
        '': { items: recs('a'), nextToken: token },
        [token]: { items: recs('b') },
      });
      return paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).toArray();
    };

    it('a token of exactly MAX_VENDOR_TOKEN_LENGTH characters is carried', async () => {
      expect(ids(await listWith('x'.repeat(MAX_VENDOR_TOKEN_LENGTH)))).toEqual(['a', 'b']);
    });

    it('one character more, or as many that grow when JSON-escaped, is oversized', async () => {
      for (const token of [
        'x'.repeat(MAX_VENDOR_TOKEN_LENGTH + 1),
        `${'x'.repeat(MAX_VENDOR_TOKEN_LENGTH - 1)}"`,
      ]) {
        const error = (await rejection(() => listWith(token))) as PaginationError;
        expect(error.reason).toBe('oversized-token');
        expect(error.provider).toBe('acme');
        expect(error.message).toBe(
          `The vendor returned a page token of ${token.length} characters, over the ${MAX_VENDOR_TOKEN_LENGTH} a resumable cursor can carry.`,
        );
      }
    });
  });

  it('an unreadable record with no issues of its own is thrown with one naming its path', async () => {
    const vendor = pages<Rec>({
      '': {
        items: recs('a'),
        invalid: [{ index: 1, provider: 'acme', path: ['result', 1], issues: [], raw: {} }],
      },
    });
    const error = (await rejection(() =>
      paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).toArray(),
    )) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.provider).toBe('acme');
    expect(error.issues).toStrictEqual([
      { path: 'result.1', rule: 'invalid', message: 'unreadable record' },
    ]);
    expect(error.message).toBe(
      "acme record at result.1 does not match its schema at result.1: unreadable record. Pass onInvalidRecord: 'skip' (or a function) to list past unreadable records",
    );
  });

  it('an unreadable record at the root is named "(root)"', async () => {
    const vendor = pages<Rec>({
      '': {
        items: [],
        invalid: [
          {
            index: 0,
            provider: 'acme',
            path: [],
            issues: [{ path: 'x', rule: 'required', message: 'x is required' }],
            raw: {},
          },
        ],
      },
    });
    const error = (await rejection(() =>
      paginate<Rec>({ ...base, fetchPage: vendor.fetchPage }).toArray(),
    )) as ResponseValidationError;
    expect(error.message).toBe(
      "acme record at (root) does not match its schema at x: x is required. Pass onInvalidRecord: 'skip' (or a function) to list past unreadable records",
    );
  });

  it.each([
    [[5], 2],
    [[-1], 2],
    [[0.5], 2],
    [[2], 2],
    [[0, 0], 3],
  ])(
    'an adapter that places unreadable records at %j of a page of %i is a RangeError',
    async (at, count) => {
      const invalid = at.map((index) => ({
        index,
        provider: 'acme',
        path: ['r', index],
        issues: [],
        raw: {},
      }));
      const vendor = pages<Rec>({
        '': {
          items: recs(...Array.from({ length: count - at.length }, (_, i) => `i${i}`)),
          invalid,
        },
      });
      const error = (await rejection(() =>
        paginate<Rec>({ ...base, onInvalidRecord: 'skip', fetchPage: vendor.fetchPage }).toArray(),
      )) as RangeError;
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(
        `acme adapter bug: an unreadable record at position ${at[at.length - 1]} does not fit its page of ${count} records.`,
      );
    },
  );

  it('unreadable records at every valid position are skipped in place', async () => {
    const invalid = [0, 2].map((index) => ({
      index,
      provider: 'acme',
      path: ['r', index],
      issues: [],
      raw: {},
    }));
    const vendor = pages<Rec>({ '': { items: recs('a', 'b'), invalid } });
    const iterator = paginate<Rec>({
      ...base,
      onInvalidRecord: 'skip',
      fetchPage: vendor.fetchPage,
    });
    expect(ids(await iterator.toArray())).toEqual(['a', 'b']);
    expect(iterator.skipped.map((s) => s.path)).toEqual([
      ['r', 0],
      ['r', 2],
    ]);
  });
});

describe('expired tokens', () => {
  const expired = new Error('page token expired');
  const isExpiredToken = (e: unknown) => e === expired;

  it('an "expired" error on the first page (no token yet) is not a token expiry: it propagates', async () => {
    const vendor = fake<Rec>(() => {
      throw expired;
    });
    const error = await rejection(() =>
      paginate<Rec>({ ...base, isExpiredToken, fetchPage: vendor.fetchPage }).toArray(),
    );
    expect(error).toBe(expired);
    expect(vendor.calls).toHaveLength(1);
  });

  it("'fail' and a restart that makes no progress say so, with the vendor error as cause", async () => {
    const failing = pages({ '': { items: recs('a'), nextToken: 't1' } });
    const fail = (await rejection(() =>
      paginate<Rec>({
        ...base,
        isExpiredToken: () => true,
        onExpiredToken: 'fail',
        fetchPage: failing.fetchPage,
      }).toArray(),
    )) as PaginationError;
    expect(fail.reason).toBe('expired-token');
    expect(fail.provider).toBe('acme');
    expect(fail.message).toBe(
      'The vendor page token expired; resume is disabled (onExpiredToken: "fail"). Restart the listing or use the default "restart".',
    );

    const vendor = fake<Rec>((req) => {
      if (req.token === 't1') throw expired;
      return { items: [], nextToken: 't1' };
    });
    const again = (await rejection(() =>
      paginate<Rec>({ ...base, isExpiredToken, fetchPage: vendor.fetchPage }).toArray(),
    )) as PaginationError;
    expect(again.reason).toBe('expired-token');
    expect(again.provider).toBe('acme');
    expect(again.message).toBe(
      'The vendor page token expired again before the listing made progress; giving up instead of restarting forever.',
    );
    expect(vendor.calls.map((c) => c.token)).toEqual([undefined, 't1', undefined, 't1']);
  });
});

describe('records repeated after an expired-token restart', () => {
  const expired = new Error('page token expired');
  /** Pages by token; a token listed in `expireOnce` fails as expired the first time it is asked. */
  const script = (pagesByToken: Record<string, FetchPageResult<Rec>[]>, expireOnce: string[]) => {
    const asked = new Map<string, number>();
    return fake<Rec>((req) => {
      const token = req.token ?? '';
      const n = asked.get(token) ?? 0;
      asked.set(token, n + 1);
      if (expireOnce.includes(token) && n === 0) throw expired;
      const answers = pagesByToken[token];
      const page =
        answers?.[Math.min(n - (expireOnce.includes(token) ? 1 : 0), answers.length - 1)];
      if (!page) throw new Error(`unexpected token ${token}`);
      return page;
    });
  };
  const list = (vendor: ReturnType<typeof script>) => {
    const got: string[] = [];
    return {
      got,
      run: async () => {
        for await (const r of paginate<Rec>({
          ...base,
          isExpiredToken: (e) => e === expired,
          fetchPage: vendor.fetchPage,
        })) {
          got.push(r.id);
        }
      },
    };
  };

  // A restart re-reads what was consumed: twice as many records seen again are dropped (the re-read
  // ones, and as many shifted forward by inserts), past that a page of repeats is an error.
  it('after a restart, pages of repeats are dropped up to twice the records re-read, then fail', async () => {
    const vendor = script(
      {
        '': [
          { items: recs('a', 'b'), nextToken: 't1' },
          // A record inserted at the start: it is new, and it shifts 'a' onto the next page.
          { items: recs('x', 'a', 'b'), nextToken: 't1' },
        ],
        t1: [{ items: recs('a'), nextToken: 't2' }],
        t2: [{ items: recs('a', 'b'), nextToken: 't3' }],
        t3: [{ items: recs('b', 'a'), nextToken: 't4' }],
        t4: [{ items: recs('c') }],
      },
      ['t1'],
    );
    const { got, run } = list(vendor);
    const error = (await rejection(run)) as PaginationError;
    expect(error.reason).toBe('repeated-page');
    expect(got).toEqual(['a', 'b', 'x']);
    expect(vendor.calls.map((c) => c.token)).toEqual([
      undefined,
      't1',
      undefined,
      't1',
      't2',
      't3',
    ]);
  });

  it('new records do not renew the budget: it is spent by repeats alone', async () => {
    const vendor = script(
      {
        '': [{ items: recs('a', 'b'), nextToken: 't1' }],
        t1: [{ items: recs('c'), nextToken: 't2' }],
        t2: [{ items: recs('c'), nextToken: 't3' }],
        t3: [{ items: recs('c'), nextToken: 't4' }],
        t4: [{ items: recs('c'), nextToken: 't5' }],
        t5: [{ items: recs('d') }],
      },
      ['t1'],
    );
    const { got, run } = list(vendor);
    const error = (await rejection(run)) as PaginationError;
    expect(error.reason).toBe('repeated-page');
    expect(got).toEqual(['a', 'b', 'c']);
    // Budget 4: [a, b] again (2), then 'c' twice (1 + 1); the third 'c' fails.
    expect(vendor.calls.map((c) => c.token)).toEqual([
      undefined,
      't1',
      undefined,
      't1',
      't2',
      't3',
      't4',
    ]);
  });
});

describe('abort', () => {
  it('an already aborted signal sends no request', async () => {
    const vendor = pages({ '': { items: recs('a') } });
    const error = (await rejection(() =>
      paginate<Rec>({
        ...base,
        signal: AbortSignal.abort(),
        fetchPage: vendor.fetchPage,
      }).toArray(),
    )) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe('The listing was aborted.');
    expect(error.provider).toBe('acme');
    expect(vendor.calls).toHaveLength(0);
  });

  it('an abort while a fetch hangs rejects with the listing’s AbortError', async () => {
    const controller = new AbortController();
    const fetchPage = (_req: FetchPageRequest) => {
      queueMicrotask(() => controller.abort());
      return new Promise<FetchPageResult<Rec>>(() => {});
    };
    const error = (await rejection(() =>
      paginate<Rec>({ ...base, signal: controller.signal, fetchPage }).toArray(),
    )) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe('The listing was aborted.');
    expect(error.provider).toBe('acme');
  });

  it('an abort during a fetch that then resolves yields nothing of that page', async () => {
    const controller = new AbortController();
    const fetchPage = async (_req: FetchPageRequest) => {
      controller.abort();
      return { items: recs('a') };
    };
    const got: string[] = [];
    const error = (await rejection(async () => {
      for await (const r of paginate<Rec>({ ...base, signal: controller.signal, fetchPage })) {
        got.push(r.id);
      }
    })) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(got).toEqual([]);
  });

  it('an AbortError a vendor call throws is not taken for an expired token', async () => {
    const aborted = new AbortError('socket aborted', { provider: 'acme' });
    const vendor = fake<Rec>((req) => {
      if (req.token === 't1') throw aborted;
      return { items: recs('a'), nextToken: 't1' };
    });
    const error = await rejection(() =>
      paginate<Rec>({ ...base, isExpiredToken: () => true, fetchPage: vendor.fetchPage }).toArray(),
    );
    expect(error).toBe(aborted);
    expect(vendor.calls).toHaveLength(2);
  });
});

describe('PageIterator', () => {
  it('skipped is empty before and after a listing that skipped nothing', async () => {
    const vendor = pages({ '': { items: recs('a') } });
    const iterator = paginate<Rec>({ ...base, fetchPage: vendor.fetchPage });
    expect(iterator.skipped).toEqual([]);
    await iterator.toArray();
    expect(iterator.skipped).toEqual([]);
    expect(iterator.skippedCount).toBe(0);
  });

  it('each iteration starts over: skipped and skippedCount are those of the latest one', async () => {
    const invalid = [{ index: 1, provider: 'acme', path: ['r', 1], issues: [], raw: {} }];
    const vendor = pages<Rec>({ '': { items: recs('a'), invalid } });
    const iterator = paginate<Rec>({
      ...base,
      onInvalidRecord: 'skip',
      fetchPage: vendor.fetchPage,
    });
    expect(ids(await iterator.toArray())).toEqual(['a']);
    expect(ids(await iterator.toArray())).toEqual(['a']);
    expect(iterator.skippedCount).toBe(1);
    expect(iterator.skipped.map((s) => s.path)).toEqual([['r', 1]]);
    expect(iterator.done).toBe(true);
    expect(vendor.calls).toHaveLength(2);
  });
});

describe('a backwards listing over a windowed range (issue 17)', () => {
  // Three windows [100,110) [110,120) [120,130); the vendor pages each backwards by `prevToken`, newest
  // record first, two records a window: t = w+7 then (after token `b<w>`) t = w+2.
  const range = { from: 100, to: 130, maxWindowMs: 10, timeOf: (r: Rec) => r.t };
  const backwardsVendor = () =>
    fake<Rec>((req) => {
      const w = req.window?.from ?? -1;
      if (req.direction !== 'before') throw new Error('pages forwards');
      if (req.token === undefined)
        return { items: [{ id: `${w + 7}`, t: w + 7 }], prevToken: `b${w}` };
      if (req.token === `b${w}`) return { items: [{ id: `${w + 2}`, t: w + 2 }] };
      throw new Error(`unexpected token ${req.token} in window ${w}`);
    });

  it('reads every window, the newest first, each from its end', async () => {
    const vendor = backwardsVendor();
    const items = await paginate<Rec>({
      ...base,
      direction: 'before',
      fetchPage: vendor.fetchPage,
      range,
    }).toArray();
    expect(ids(items)).toEqual(['127', '122', '117', '112', '107', '102']);
    expect(vendor.calls.map((c) => [c.window?.from, c.token])).toEqual([
      [120, undefined],
      [120, 'b120'],
      [110, undefined],
      [110, 'b110'],
      [100, undefined],
      [100, 'b100'],
    ]);
  });

  it('resumes from an item cursor into the earlier windows', async () => {
    const first = backwardsVendor();
    const iterator = paginate<Rec>({
      ...base,
      direction: 'before',
      fetchPage: first.fetchPage,
      range,
    });
    const seen: string[] = [];
    for await (const r of iterator) {
      seen.push(r.id);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['127', '122', '117']);
    const second = backwardsVendor();
    const rest = await paginate<Rec>({
      ...base,
      direction: 'before',
      fetchPage: second.fetchPage,
      range,
      cursor: iterator.cursor,
    }).toArray();
    expect(ids(rest)).toEqual(['112', '107', '102']);
  });

  it("a forward listing's prevCursor pages back through the earlier windows too", async () => {
    const vendor = fake<Rec>((req) => {
      const w = req.window?.from ?? -1;
      if (req.direction === 'after') {
        return { items: [{ id: `${w + 5}`, t: w + 5 }], prevToken: `b${w}` };
      }
      if (req.token === undefined) {
        return { items: [{ id: `${w + 8}`, t: w + 8 }], prevToken: `b${w}` };
      }
      if (req.token === `b${w}`) return { items: [{ id: `${w + 3}`, t: w + 3 }] };
      throw new Error(`unexpected token ${req.token} in window ${w}`);
    });
    const forward: (string | undefined)[] = [];
    for await (const page of paginate<Rec>({
      ...base,
      fetchPage: vendor.fetchPage,
      range,
    }).pages()) {
      forward.push(page.prevCursor);
    }
    const back = await paginate<Rec>({
      ...base,
      fetchPage: vendor.fetchPage,
      range,
      cursor: forward[2],
    }).toArray();
    // Before window 120's first page: the rest of window 120 backwards, then windows 110 and 100.
    expect(ids(back)).toEqual(['123', '118', '113', '108', '103']);
  });

  it('an unwindowed range is one window, read from its end', async () => {
    const vendor = backwardsVendor();
    const items = await paginate<Rec>({
      ...base,
      direction: 'before',
      fetchPage: vendor.fetchPage,
      range: { from: 100, to: 130, timeOf: (r: Rec) => r.t },
    }).toArray();
    expect(ids(items)).toEqual(['107', '102']);
    expect(vendor.calls.map((c) => c.window)).toEqual([
      { from: 100, to: 130 },
      { from: 100, to: 130 },
    ]);
  });

  it('a last window shorter than maxWindowMs is read first; an empty range reads nothing', async () => {
    const vendor = backwardsVendor();
    const items = await paginate<Rec>({
      ...base,
      direction: 'before',
      fetchPage: vendor.fetchPage,
      range: { ...range, to: 125 },
    }).toArray();
    expect(ids(items)).toEqual(['122', '117', '112', '107', '102']);
    expect(vendor.calls.map((c) => c.window)[0]).toEqual({ from: 120, to: 125 });
    const none = backwardsVendor();
    const empty = await paginate<Rec>({
      ...base,
      direction: 'before',
      fetchPage: none.fetchPage,
      range: { ...range, to: 100 },
    }).toArray();
    expect(empty).toEqual([]);
    expect(none.calls).toHaveLength(0);
  });
});
