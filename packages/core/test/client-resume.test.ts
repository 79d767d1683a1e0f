import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CursorState, encodeCursor } from '../src/adapter-kit';
import {
  createEngagementsClient,
  InputValidationError,
  type InvalidRecord,
  PaginationError,
} from '../src/index';
import { DAY, expectedIds, fakeProvider, T0, trio } from './client-fakes';

describe('merged listing: end state', () => {
  const range = { from: new Date(T0), to: new Date(T0 + 10 * DAY) };

  it('is done once exhausted, and its terminal cursor resumes to nothing', async () => {
    const times = Array.from({ length: 50 }, (_, i) => T0 + i * 3_600_000);
    const { adapters } = trio(times.slice(0, 20), times.slice(20, 35), times.slice(35));
    const client = createEngagementsClient({ adapters, maxBufferedPerProvider: 8 });
    const it = client.engagements.list(range);
    expect(it.done).toBe(false);
    expect(await it.toArray({ max: 500 })).toHaveLength(50);
    expect(it.done).toBe(true);
    const terminal = it.cursor;
    expect(typeof terminal).toBe('string');
    const resumed = client.engagements.list({ ...range, cursor: terminal });
    expect(await resumed.toArray()).toEqual([]);
    expect(resumed.done).toBe(true);
    expect(resumed.cursor).toBe(terminal);
  });

  it('stopping right after the last item gives the terminal cursor too', async () => {
    const times = Array.from({ length: 12 }, (_, i) => T0 + i * 3_600_000);
    const a = fakeProvider('a', times.slice(0, 6), { ordering: 'asc', serverTime: true });
    const c = fakeProvider('c', times.slice(6), { ordering: 'unordered' });
    const client = createEngagementsClient({ adapters: [a.adapter, c.adapter] });
    const it = client.engagements.list(range);
    expect(await it.toArray({ max: 12 })).toHaveLength(12);
    const before = a.requests() + c.requests();
    const resumed = client.engagements.list({ ...range, cursor: it.cursor });
    expect(await resumed.toArray()).toEqual([]);
    expect(resumed.done).toBe(true);
    expect(a.requests() + c.requests()).toBe(before);
  });

  it('is not done after a break, nor when a failing provider was skipped', async () => {
    const times = Array.from({ length: 30 }, (_, i) => T0 + i * 3_600_000);
    const { adapters } = trio(times.slice(0, 10), times.slice(10, 20), times.slice(20));
    const client = createEngagementsClient({ adapters });
    const it = client.engagements.list(range);
    expect(await it.toArray({ max: 5 })).toHaveLength(5);
    expect(it.done).toBe(false);

    const failing = fakeProvider('x', times, { ordering: 'asc', failOnRequest: 1 });
    const skipping = createEngagementsClient({
      adapters: [...adapters, failing.adapter],
      onProviderError: 'skip',
    }).engagements.list(range);
    expect(await skipping.toArray()).toHaveLength(30);
    expect(skipping.failures.map((f) => f.provider)).toEqual(['x']);
    expect(skipping.done).toBe(false);
  });
});

describe('merged listing: resuming between records that share a millisecond', () => {
  // Timestamps from a tiny set, so most records tie with others (also across providers).
  const tinyTimes = fc.array(fc.constantFrom(T0, T0 + 1, T0 + 2, T0 + DAY, T0 + 3 * DAY), {
    maxLength: 14,
  });

  it('resumes at any point, ascending and descending, with no loss or duplicate', async () => {
    await fc.assert(
      fc.asyncProperty(
        tinyTimes,
        tinyTimes,
        tinyTimes,
        fc.constantFrom('asc' as const, 'desc' as const),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
        async (ta, tb, tc, order, pageSize, stops) => {
          const { adapters, records } = trio(ta, tb, tc);
          const client = createEngagementsClient({ adapters, maxBufferedPerProvider: 4 });
          const params = { from: new Date(T0), to: new Date(T0 + 4 * DAY), order, pageSize };
          const seen: string[] = [];
          let cursor: string | undefined;
          for (const stop of [...stops, Number.POSITIVE_INFINITY]) {
            const it = client.engagements.list({ ...params, cursor });
            let n = 0;
            for await (const e of it) {
              seen.push(e.id);
              if (++n >= stop) break;
            }
            cursor = it.cursor;
            if (it.done) break;
          }
          expect(seen).toEqual(expectedIds(records, T0, T0 + 4 * DAY, order));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('resumes between two records of the same millisecond in both directions', async () => {
    const { adapters, records } = trio([T0 + 5, T0 + 5], [T0 + 5], [T0 + 5, T0 + 9]);
    const client = createEngagementsClient({ adapters });
    const params = { from: new Date(T0), to: new Date(T0 + 10) };
    for (const order of ['asc', 'desc'] as const) {
      const first = client.engagements.list({ ...params, order });
      const head = await first.toArray({ max: 2 });
      const rest = await client.engagements
        .list({ ...params, order, cursor: first.cursor })
        .toArray();
      expect([...head, ...rest].map((e) => e.id)).toEqual(expectedIds(records, T0, T0 + 10, order));
    }
  });
});

/** A cursor's state, read without checking it. */
const peek = (cursor: string): CursorState =>
  JSON.parse(Buffer.from(cursor.split('.')[1] ?? '', 'base64url').toString('utf8'));

describe('composite cursor: signing and bounds', () => {
  const range = { from: new Date(T0), to: new Date(T0 + 10 * DAY) };
  const times = Array.from({ length: 12 }, (_, i) => T0 + i * DAY * 0.5);

  it('is signed with cursorSecret: another secret or no secret cannot resume it', async () => {
    const { adapters } = trio(times, [], []);
    const secret = 'a-long-enough-cursor-secret';
    const signed = createEngagementsClient({ adapters, cursorSecret: secret });
    const it = signed.engagements.list(range);
    await it.toArray({ max: 3 });
    const cursor = it.cursor as string;
    const state = peek(cursor);
    expect(state.x).toEqual({ t: T0 + DAY, i: 'a:a-2' });
    expect(
      (await signed.engagements.list({ ...range, cursor }).toArray()).map((e) => e.id)[0],
    ).toBe('a:a-3');
    const other = createEngagementsClient({ adapters, cursorSecret: 'another-secret-of-16+' });
    await expect(other.engagements.list({ ...range, cursor }).toArray()).rejects.toMatchObject({
      reason: 'tampered-cursor',
    });
    // A cursor re-encoded with a recomputed checksum (no secret) is refused by the signing client.
    const forged = encodeCursor(state);
    await expect(
      signed.engagements.list({ ...range, cursor: forged }).toArray(),
    ).rejects.toMatchObject({ reason: 'tampered-cursor' });
  });

  it('rejects a short cursorSecret before any listing', () => {
    const { adapters } = trio([], [], []);
    expect(() => createEngagementsClient({ adapters, cursorSecret: 'short' })).toThrow(
      InputValidationError,
    );
  });

  it('never widens the listing: an edited range or position is refused', async () => {
    const { adapters } = trio(times, [], []);
    const client = createEngagementsClient({ adapters });
    const it = client.engagements.list(range);
    await it.toArray({ max: 2 });
    const state = peek(it.cursor as string);
    expect(state.r).toEqual([T0, T0 + 10 * DAY]);
    const wider = encodeCursor({ ...state, r: [T0 - DAY, T0 + 10 * DAY] });
    const outside = encodeCursor({ ...state, x: { t: T0 - DAY, i: 'a:a-0' } });
    for (const cursor of [wider, outside]) {
      const error = await client.engagements
        .list({ ...range, cursor })
        .toArray()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaginationError);
      expect((error as PaginationError).reason).toBe('mismatched-cursor');
    }
  });
});

describe('merged listing: unreadable records', () => {
  const range = { from: new Date(T0), to: new Date(T0 + 10 * DAY) };
  const times = Array.from({ length: 20 }, (_, i) => T0 + i * 3_600_000);
  const providers = () => [
    fakeProvider('a', times, { ordering: 'asc', serverTime: true, invalidEvery: 4 }),
    fakeProvider('c', times, { ordering: 'unordered', invalidEvery: 5 }),
  ];

  it('skips them per call or per client and gathers them from every provider', async () => {
    const [a, c] = providers();
    if (!a || !c) throw new Error('fakes');
    const adapters = [a.adapter, c.adapter];
    await expect(
      createEngagementsClient({ adapters }).engagements.list(range).toArray(),
    ).rejects.toThrow(/onInvalidRecord/);

    const seen: InvalidRecord[] = [];
    const perCall = createEngagementsClient({ adapters }).engagements.list({
      ...range,
      onInvalidRecord: (record) => seen.push(record),
    });
    const items = await perCall.toArray();
    // a-4, a-8, a-12, a-16 and c-5, c-10, c-15 are broken (index multiples, from 1).
    expect(items).toHaveLength(40 - 7);
    expect(perCall.skippedCount).toBe(7);
    expect(perCall.skipped.map((r) => `${r.provider}:${r.remoteId}`).sort()).toEqual([
      'a:a-12',
      'a:a-16',
      'a:a-4',
      'a:a-8',
      'c:c-10',
      'c:c-15',
      'c:c-5',
    ]);
    expect(seen).toHaveLength(7);

    const perClient = createEngagementsClient({ adapters, onInvalidRecord: 'skip' });
    const it = perClient.engagements.list(range);
    expect(await it.toArray()).toHaveLength(33);
    expect(it.skippedCount).toBe(7);
    // The call's policy wins over the client's.
    await expect(
      perClient.engagements.list({ ...range, onInvalidRecord: 'throw' }).toArray(),
    ).rejects.toThrow(/onInvalidRecord/);
  });
});
