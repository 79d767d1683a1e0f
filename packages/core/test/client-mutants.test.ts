// Behaviour of the merged client that the mutation run (`MUTATE_GROUPS=client pnpm mutation core`)
// found no test held: exact errors of routing and composite cursors, the edges of a cursor's
// position and range, page sizes and page cursors, the windows a provider is asked for, what each
// provider's listing is given, failure policies per iteration, and the merge helpers. The fake
// providers cap their requests.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CursorState, encodeCursor } from '../src/adapter-kit';
import { compareKeys, keyOf, limiter } from '../src/client/merge';
import {
  CapabilityError,
  createEngagementsClient,
  type EngagementAdapter,
  InputValidationError,
  type ListEngagementsParams,
  PaginationError,
} from '../src/index';
import { DAY, engagement, expectedIds, fakeProvider, T0 } from './client-fakes';
import { rejection } from './rejection';

/** A cursor's state, read without checking it. */
const peek = (cursor: string): CursorState =>
  JSON.parse(Buffer.from(cursor.split('.')[1] ?? '', 'base64url').toString('utf8'));

/** The adapter, with every `list()` call's params recorded as given. */
function recording(adapter: EngagementAdapter) {
  const calls: ListEngagementsParams[] = [];
  const wrapped: EngagementAdapter = {
    ...adapter,
    engagements: {
      ...adapter.engagements,
      list: (params: ListEngagementsParams) => {
        calls.push(params);
        return adapter.engagements.list(params);
      },
    },
  };
  return { adapter: wrapped, calls };
}

const ids = (items: { id: string }[]) => items.map((e) => e.id);
const ms = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).getTime());
const range = { from: new Date(T0), to: new Date(T0 + 10 * DAY) };
const hourly = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * 3_600_000);

describe('routing: exact errors', () => {
  const client = () =>
    createEngagementsClient({
      adapters: [
        fakeProvider('a', [T0], { ordering: 'asc' }).adapter,
        fakeProvider('b', [], { ordering: 'asc' }).adapter,
      ],
    });

  it('an unknown provider in list() names the ones there are', async () => {
    const error = (await rejection(() =>
      client()
        .engagements.list({ providers: ['zz'] })
        .toArray(),
    )) as InputValidationError;
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.issues).toEqual([
      { path: 'provider', rule: 'known_provider', message: 'no adapter "zz" (have: a, b)' },
    ]);
  });

  it('get() refuses an id without a provider part or with an unknown one', async () => {
    for (const id of ['a-0', ':a-0', 'zz:a-0']) {
      const error = (await rejection(() => client().engagements.get(id))) as InputValidationError;
      expect(error).toBeInstanceOf(InputValidationError);
      expect(error.issues).toEqual([
        {
          path: 'id',
          rule: 'unified_id',
          message: `expected "<provider>:<remoteId>" with a known provider, got "${id}"`,
        },
      ]);
    }
    expect((await client().engagements.get('a:a-0')).id).toBe('a:a-0');
  });

  it('create() with a provider that cannot create names it and the capability', async () => {
    const error = (await rejection(() => client().engagements.create('b', {}))) as CapabilityError;
    expect(error).toBeInstanceOf(CapabilityError);
    expect(error.capability).toBe('create');
    expect(error.provider).toBe('b');
    expect(error.message).toBe('b does not support creating engagements.');
  });

  it('two adapters under one name: the issue names both', () => {
    const a = fakeProvider('a', [], { ordering: 'asc' }).adapter;
    const other = { ...fakeProvider('x', [], { ordering: 'asc' }).adapter, aliases: ['a'] };
    const error = (() => {
      try {
        createEngagementsClient({ adapters: [a, other] });
      } catch (e) {
        return e;
      }
      throw new Error('expected a throw');
    })() as InputValidationError;
    expect(error.issues).toEqual([
      { path: 'adapters', rule: 'unique', message: '"a" names two adapters ("a" and "x")' },
    ]);
    // The same adapter listed twice is one adapter, not a clash.
    expect(() => createEngagementsClient({ adapters: [a, a] })).not.toThrow();
  });
});

describe('composite cursor: position and range edges', () => {
  const times = hourly(30).map((t, i) => t + i * 7 * 3_600_000);
  const listed = async () => {
    const a = fakeProvider('a', times, { ordering: 'asc', serverTime: true, pageSize: 5 });
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const it = client.engagements.list(range);
    await it.toArray({ max: 3 });
    return { client, state: peek(it.cursor as string) };
  };
  const outcome = async (
    client: ReturnType<typeof createEngagementsClient>,
    state: CursorState,
    params: object = range,
  ) => {
    try {
      return ids(
        await client.engagements.list({ ...params, cursor: encodeCursor(state) }).toArray(),
      );
    } catch (error) {
      return error as PaginationError;
    }
  };

  it('a cursor without a merge position is malformed', async () => {
    const { client, state } = await listed();
    for (const x of [undefined, { t: 1.5, i: 'a:a-0' }, { t: T0, i: 7 }]) {
      const error = (await outcome(client, { ...state, x })) as PaginationError;
      expect(error).toBeInstanceOf(PaginationError);
      expect(error.reason).toBe('malformed-cursor');
      expect(error.message).toBe('Cursor has no merge position.');
    }
  });

  it('a position at `from` resumes, one before `from` or at `to` does not', async () => {
    const { client, state } = await listed();
    const all = expectedIds(
      times.map((t, i) => engagement('a', `a-${i}`, t)),
      T0,
      T0 + 10 * DAY,
    );
    expect(await outcome(client, { ...state, x: { t: T0, i: 'a:a-0' } })).toEqual(all.slice(1));
    expect(await outcome(client, { ...state, x: { t: T0 + 10 * DAY - 1, i: 'z' } })).toEqual([]);
    for (const t of [T0 - 1, T0 + 10 * DAY]) {
      const error = (await outcome(client, { ...state, x: { t, i: 'a:a-0' } })) as PaginationError;
      expect(error.reason).toBe('mismatched-cursor');
      expect(error.message).toBe(
        'Cursor does not fit these list params: its position is outside their date range.',
      );
    }
  });

  it('a range inside the params resumes; one reaching outside, or none with a full range, does not', async () => {
    const { client, state } = await listed();
    const [from, to] = state.r as [number, number];
    expect(await outcome(client, { ...state, r: [from + 1, to - 1] })).not.toBeInstanceOf(Error);
    expect(await outcome(client, { ...state, r: [from, to] })).not.toBeInstanceOf(Error);
    for (const r of [[from - 1, to] as const, [from, to + 1] as const, undefined]) {
      const error = (await outcome(client, {
        ...state,
        r: r as [number, number],
      })) as PaginationError;
      expect(error).toBeInstanceOf(PaginationError);
      expect(error.reason).toBe('mismatched-cursor');
      expect(error.message).toBe(
        'Cursor does not fit these list params: its date range is not theirs.',
      );
    }
  });

  it('without a full range: a cursor without a range resumes, one with a range does not', async () => {
    const a = fakeProvider('a', times, { ordering: 'asc', pageSize: 5 });
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const from = { from: new Date(T0) };
    const it = client.engagements.list(from);
    await it.toArray({ max: 2 });
    const state = peek(it.cursor as string);
    expect(state.r).toBeUndefined();
    expect(await outcome(client, state, from)).toEqual(expectedIds(a.records, T0).slice(2));
    const error = (await outcome(client, { ...state, r: [T0, T0 + DAY] }, from)) as PaginationError;
    expect(error.reason).toBe('mismatched-cursor');
  });

  it('a terminal cursor reads nothing and stays terminal', async () => {
    const a = fakeProvider('a', times, { ordering: 'asc', serverTime: true });
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const first = client.engagements.list(range);
    await first.toArray();
    const terminal = first.cursor as string;
    expect(peek(terminal)).toMatchObject({ p: 'merge', e: 1 });
    const before = a.requests();
    const again = client.engagements.list({ ...range, cursor: terminal });
    expect(await again.toArray()).toEqual([]);
    expect(again.done).toBe(true);
    expect(peek(again.cursor as string)).toMatchObject({ p: 'merge', e: 1, r: state(range) });
    expect(a.requests()).toBe(before);
  });
});

const state = (r: { from: Date; to: Date }) => [r.from.getTime(), r.to.getTime()];

describe('pages and their cursors', () => {
  it('pages hold 100 items unless pageSize says otherwise', async () => {
    const a = fakeProvider('a', hourly(150), { ordering: 'asc', serverTime: true, pageSize: 50 });
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const sizes: number[] = [];
    for await (const page of client.engagements.list(range).pages()) sizes.push(page.items.length);
    expect(sizes).toEqual([100, 50]);
    const three: number[] = [];
    for await (const page of client.engagements.list({ ...range, pageSize: 3 }).pages()) {
      three.push(page.items.length);
      if (three.length === 2) break;
    }
    expect(three).toEqual([3, 3]);
  });

  it("a full page's nextCursor resumes after its last item; the last page has none", async () => {
    const a = fakeProvider('a', hourly(5), { ordering: 'asc', serverTime: true });
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const pages = [];
    for await (const page of client.engagements.list({ ...range, pageSize: 3 }).pages()) {
      pages.push(page);
    }
    expect(pages.map((p) => ids(p.items))).toEqual([
      ['a:a-0', 'a:a-1', 'a:a-2'],
      ['a:a-3', 'a:a-4'],
    ]);
    expect(peek(pages[0]?.nextCursor as string).x).toEqual({ t: T0 + 2 * 3_600_000, i: 'a:a-2' });
    expect(pages[1]?.nextCursor).toBeUndefined();
  });

  it('item cursors: after an item, and terminal after the very last one', async () => {
    const a = fakeProvider('a', hourly(3), { ordering: 'asc', serverTime: true });
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const it = client.engagements.list(range);
    const cursors: CursorState[] = [];
    for await (const _ of it) cursors.push(peek(it.cursor as string));
    expect(cursors.map((c) => c.x ?? c.e)).toEqual([
      { t: T0, i: 'a:a-0' },
      { t: T0 + 3_600_000, i: 'a:a-1' },
      1,
    ]);
  });

  it('after a provider was skipped, the last item gets a position cursor, not a terminal one', async () => {
    const a = fakeProvider('a', hourly(2), { ordering: 'asc', serverTime: true });
    const bad = fakeProvider('bad', hourly(2), {
      ordering: 'asc',
      serverTime: true,
      failOnRequest: 1,
    });
    const client = createEngagementsClient({
      adapters: [a.adapter, bad.adapter],
      onProviderError: 'skip',
    });
    const it = client.engagements.list(range);
    const cursors: CursorState[] = [];
    for await (const _ of it) cursors.push(peek(it.cursor as string));
    expect(cursors.map((c) => c.x ?? c.e)).toEqual([
      { t: T0, i: 'a:a-0' },
      { t: T0 + 3_600_000, i: 'a:a-1' },
    ]);
    expect(it.done).toBe(false);
  });
});

describe('failure policies', () => {
  it('a policy function sees each failure; failures start over on each iteration', async () => {
    const a = fakeProvider('a', hourly(2), { ordering: 'asc', serverTime: true });
    const bad = fakeProvider('bad', hourly(2), {
      ordering: 'asc',
      serverTime: true,
      failOnRequest: 1,
    });
    const seen: { provider: string; error: string }[] = [];
    const client = createEngagementsClient({
      adapters: [a.adapter, bad.adapter],
      onProviderError: (f) => {
        seen.push({ provider: f.provider, error: (f.error as Error).message });
        return 'skip';
      },
    });
    const it = client.engagements.list(range);
    expect(ids(await it.toArray())).toEqual(['a:a-0', 'a:a-1']);
    expect(seen).toEqual([{ provider: 'bad', error: 'bad is down' }]);
    expect(it.failures.map((f) => f.provider)).toEqual(['bad']);
    // The second iteration reads `bad` fine (it failed only once): no failure is left over.
    expect(ids(await it.toArray())).toEqual(['a:a-0', 'bad:bad-0', 'a:a-1', 'bad:bad-1']);
    expect(it.failures).toEqual([]);
    expect(it.done).toBe(true);
  });

  it("a policy function answering 'fail' fails the listing with the provider's error", async () => {
    const bad = fakeProvider('bad', hourly(2), {
      ordering: 'asc',
      serverTime: true,
      failOnRequest: 1,
    });
    const client = createEngagementsClient({
      adapters: [bad.adapter],
      onProviderError: () => 'fail',
    });
    const error = (await rejection(() => client.engagements.list(range).toArray())) as Error;
    expect(error.message).toBe('bad is down');
  });
});

describe('what each provider is asked', () => {
  it('an in-order provider is listed once over the range, with prefetch and the call signal', async () => {
    const a = recording(
      fakeProvider('a', hourly(3), { ordering: 'asc', serverTime: true }).adapter,
    );
    const client = createEngagementsClient({ adapters: [a.adapter] });
    await client.engagements.list(range).toArray();
    expect(a.calls).toHaveLength(1);
    const p = a.calls[0] as ListEngagementsParams;
    expect(p.from).toEqual(range.from);
    expect(p.to).toEqual(range.to);
    expect(p.prefetch).toBe(true);
    expect(p.pageSize).toBeUndefined();
    expect(p.signal).toBeInstanceOf(AbortSignal);
    expect('onInvalidRecord' in p).toBe(false);
    expect('order' in p || 'providers' in p || 'cursor' in p).toBe(false);
  });

  it('a provider that filters by time is read in windows of windowMs, capped by its maxWindowMs', async () => {
    const capped = recording(
      fakeProvider('b', hourly(3), {
        ordering: 'unordered',
        serverTime: true,
        maxWindowMs: 3 * DAY,
      }).adapter,
    );
    const open = recording(
      fakeProvider('c', hourly(3), { ordering: 'unordered', serverTime: true }).adapter,
    );
    const client = createEngagementsClient({
      adapters: [capped.adapter, open.adapter],
      windowMs: 4 * DAY,
    });
    await client.engagements.list(range).toArray();
    const windows = (calls: ListEngagementsParams[]) =>
      calls.map((p) => [(ms(p.from) ?? 0) - T0, (ms(p.to) ?? 0) - T0].map((x) => x / DAY));
    expect(windows(capped.calls)).toEqual([
      [0, 3],
      [3, 6],
      [6, 9],
      [9, 10],
    ]);
    expect(windows(open.calls)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
  });

  it('descending, the windows are asked newest first; a provider without a time filter gets one window', async () => {
    const sliced = recording(
      fakeProvider('b', hourly(3), {
        ordering: 'unordered',
        serverTime: true,
        maxWindowMs: 4 * DAY,
      }).adapter,
    );
    const whole = recording(fakeProvider('c', hourly(3), { ordering: 'unordered' }).adapter);
    const inOrder = recording(
      fakeProvider('a', hourly(3), { ordering: 'asc', serverTime: true }).adapter,
    );
    const client = createEngagementsClient({
      adapters: [sliced.adapter, whole.adapter, inOrder.adapter],
    });
    const items = await client.engagements.list({ ...range, order: 'desc' }).toArray();
    expect(items).toHaveLength(9);
    const windows = (calls: ListEngagementsParams[]) =>
      calls.map((p) => [(ms(p.from) ?? 0) - T0, (ms(p.to) ?? 0) - T0].map((x) => x / DAY));
    expect(windows(sliced.calls)).toEqual([
      [8, 10],
      [4, 8],
      [0, 4],
    ]);
    expect(windows(whole.calls)).toEqual([[0, 10]]);
    // An in-order provider read descending goes through the sorter too, in windows of 7 days by default.
    expect(windows(inOrder.calls)).toEqual([
      [7, 10],
      [0, 7],
    ]);
  });

  it('resuming descending asks for records up to and including the position millisecond', async () => {
    const a = recording(
      fakeProvider('a', hourly(6), { ordering: 'asc', serverTime: true }).adapter,
    );
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const it = client.engagements.list({ ...range, order: 'desc' });
    await it.toArray({ max: 2 });
    const cursor = it.cursor as string;
    expect(peek(cursor).x).toEqual({ t: T0 + 4 * 3_600_000, i: 'a:a-4' });
    a.calls.length = 0;
    const rest = await client.engagements.list({ ...range, order: 'desc', cursor }).toArray();
    expect(ids(rest)).toEqual(['a:a-3', 'a:a-2', 'a:a-1', 'a:a-0']);
    expect(a.calls.map((p) => [ms(p.from), ms(p.to)])).toEqual([[T0, T0 + 4 * 3_600_000 + 1]]);
  });

  it('resuming ascending asks from the position millisecond on', async () => {
    const a = recording(
      fakeProvider('a', hourly(6), { ordering: 'asc', serverTime: true }).adapter,
    );
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const it = client.engagements.list(range);
    await it.toArray({ max: 2 });
    const cursor = it.cursor as string;
    a.calls.length = 0;
    expect(ids(await client.engagements.list({ ...range, cursor }).toArray())).toEqual([
      'a:a-2',
      'a:a-3',
      'a:a-4',
      'a:a-5',
    ]);
    expect(a.calls.map((p) => [ms(p.from), ms(p.to)])).toEqual([[T0 + 3_600_000, T0 + 10 * DAY]]);
  });

  it('spills into spillDir once maxBufferedPerProvider is exceeded, and cleans up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'client-mutants-'));
    try {
      const c = fakeProvider('c', hourly(40), { ordering: 'unordered' });
      const client = createEngagementsClient({
        adapters: [c.adapter],
        maxBufferedPerProvider: 8,
        spillDir: dir,
      });
      const it = client.engagements.list({ ...range, pageSize: 5 })[Symbol.asyncIterator]();
      const first = await it.next();
      expect(first.value?.id).toBe('c:c-0');
      const during = await readdir(dir);
      expect(during).toHaveLength(1);
      expect(during[0]?.startsWith('engagekit-merge-')).toBe(true);
      await it.return?.(undefined);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('merge helpers', () => {
  it('compareKeys orders by time, then id', () => {
    expect(compareKeys({ t: 1, id: 'b' }, { t: 2, id: 'a' })).toBe(-1);
    expect(compareKeys({ t: 5, id: 'a' }, { t: 2, id: 'b' })).toBe(3);
    expect(compareKeys({ t: 1, id: 'a' }, { t: 1, id: 'b' })).toBe(-1);
    expect(compareKeys({ t: 1, id: 'b' }, { t: 1, id: 'a' })).toBe(1);
    expect(compareKeys({ t: 1, id: 'a' }, { t: 1, id: 'a' })).toBe(0);
    expect(keyOf(engagement('p', 'r', T0))).toEqual({ t: T0, id: 'p:r' });
  });

  it('limiter runs at most `limit` tasks at once, the waiting ones in order', async () => {
    const run = limiter(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const task = (n: number) =>
      run(async () => {
        active++;
        peak = Math.max(peak, active);
        order.push(n);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
        return n;
      });
    const all = Promise.all([1, 2, 3, 4].map(task));
    for (let i = 0; i < 10 && gates.length < 2; i++) await new Promise((r) => setImmediate(r));
    expect(order).toEqual([1, 2]);
    gates.shift()?.();
    for (let i = 0; i < 10 && order.length < 3; i++) await new Promise((r) => setImmediate(r));
    expect(order).toEqual([1, 2, 3]);
    while (gates.length > 0 || order.length < 4) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await all).toEqual([1, 2, 3, 4]);
    expect(peak).toBe(2);
    // A failing task frees its slot too.
    const one = limiter(1);
    await expect(one(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await one(async () => 'next')).toBe('next');
  });

  it('concurrency 1 reads one provider at a time', async () => {
    let active = 0;
    let peak = 0;
    const slow = (id: string) => {
      const p = fakeProvider(id, hourly(4), { ordering: 'asc', serverTime: true, pageSize: 2 });
      const list = p.adapter.engagements.list;
      return {
        ...p.adapter,
        engagements: {
          ...p.adapter.engagements,
          list: (params: ListEngagementsParams) => {
            const inner = list(params);
            const sourcePages = inner.sourcePages.bind(inner);
            inner.sourcePages = (sink) =>
              (async function* () {
                for await (const page of sourcePages(sink)) {
                  active++;
                  peak = Math.max(peak, active);
                  await new Promise((r) => setImmediate(r));
                  active--;
                  yield page;
                }
              })();
            return inner;
          },
        },
      } as EngagementAdapter;
    };
    const client = createEngagementsClient({ adapters: [slow('a'), slow('b')], concurrency: 1 });
    expect(await client.engagements.list(range).toArray()).toHaveLength(8);
    expect(peak).toBe(1);
  });
});
