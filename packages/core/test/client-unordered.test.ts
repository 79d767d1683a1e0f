import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CursorState, encodeCursor } from '../src/adapter-kit';
import { createEngagementsClient, PaginationError } from '../src/index';
import { DAY, expectedIds, fakeProvider, T0, trio } from './client-fakes';

const range = { from: new Date(T0), to: new Date(T0 + 10 * DAY) };
const timesArb = fc.array(fc.integer({ min: T0 - DAY, max: T0 + 11 * DAY }), { maxLength: 30 });
const sorted = (ids: string[]) => [...ids].sort();

describe("merged listing, order: 'none'", () => {
  it('yields every record in range exactly once, and resumes from any item cursor with nothing lost or repeated (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        timesArb,
        timesArb,
        timesArb,
        fc.integer({ min: 1, max: 40 }),
        async (ta, tb, tc, stopAt) => {
          const { adapters, records } = trio(ta, tb, tc);
          const client = createEngagementsClient({ adapters });
          const params = { ...range, order: 'none' as const };
          const expected = sorted(expectedIds(records, range.from.getTime(), range.to.getTime()));
          const all = (await client.engagements.list(params).toArray({ max: 500 })).map(
            (e) => e.id,
          );
          expect(sorted(all)).toEqual(expected);

          const it = client.engagements.list(params);
          const first: string[] = [];
          for await (const e of it) {
            first.push(e.id);
            if (first.length >= stopAt) break;
          }
          const rest =
            it.cursor === undefined
              ? []
              : (await client.engagements.list({ ...params, cursor: it.cursor }).toArray()).map(
                  (e) => e.id,
                );
          expect(sorted([...first, ...rest])).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads no provider in time order: an unordered provider is neither sorted nor spilled', async () => {
    const times = Array.from({ length: 40 }, (_, i) => T0 + i * 3_600_000);
    const c = fakeProvider('c', times, { ordering: 'unordered', pageSize: 5 });
    const client = createEngagementsClient({ adapters: [c.adapter], maxBufferedPerProvider: 4 });
    const got = await client.engagements.list({ ...range, order: 'none' }).toArray();
    // The fake's own (scrambled) order, page by page: what the adapter returned, as it returned it.
    const own = await c.adapter.engagements.list(range).toArray();
    expect(got.map((e) => e.id)).toEqual(own.map((e) => e.id));
    expect(got.map((e) => e.id)).not.toEqual(expectedIds(c.records));
  });

  it('is done once every provider is read; the terminal cursor resumes to nothing, with no request', async () => {
    const times = Array.from({ length: 20 }, (_, i) => T0 + i * 3_600_000);
    const { adapters, fakes } = trio(times.slice(0, 8), times.slice(8, 14), times.slice(14));
    const client = createEngagementsClient({ adapters });
    const it = client.engagements.list({ ...range, order: 'none' });
    expect(await it.toArray()).toHaveLength(20);
    expect(it.done).toBe(true);
    const requests = fakes.a.requests() + fakes.b.requests() + fakes.c.requests();
    const again = client.engagements.list({ ...range, order: 'none', cursor: it.cursor });
    expect(await again.toArray()).toEqual([]);
    expect(again.done).toBe(true);
    expect(fakes.a.requests() + fakes.b.requests() + fakes.c.requests()).toBe(requests);
  });

  it("a provider that fails under onProviderError 'skip' is reported, the listing is not done, and its cursor resumes that provider where it stopped", async () => {
    const times = Array.from({ length: 24 }, (_, i) => T0 + i * 3_600_000);
    const { adapters, records } = trio(times.slice(0, 8), times.slice(8, 16), times.slice(16), {
      failOnRequest: 2,
    });
    const client = createEngagementsClient({ adapters, onProviderError: 'skip' });
    const it = client.engagements.list({ ...range, order: 'none' });
    const first = (await it.toArray()).map((e) => e.id);
    expect(it.failures.map((f) => f.provider)).toEqual(['b']);
    expect(it.done).toBe(false);
    // b gave its first page (3 records) before failing.
    expect(first.filter((id) => id.startsWith('b:'))).toHaveLength(3);
    const rest = (
      await client.engagements.list({ ...range, order: 'none', cursor: it.cursor }).toArray()
    ).map((e) => e.id);
    expect(rest.every((id) => id.startsWith('b:'))).toBe(true);
    expect(sorted([...first, ...rest])).toEqual(sorted(records.map((e) => e.id)));
  });

  it("fails with the provider's error under the default onProviderError", async () => {
    const times = Array.from({ length: 12 }, (_, i) => T0 + i * 3_600_000);
    const { adapters } = trio(times.slice(0, 4), times.slice(4, 8), times.slice(8), {
      failOnRequest: 1,
    });
    const error = await createEngagementsClient({ adapters })
      .engagements.list({ ...range, order: 'none' })
      .toArray()
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('b is down');
  });

  it('a cursor of another order, or with a position for a provider not listed, is refused before any request', async () => {
    const times = Array.from({ length: 12 }, (_, i) => T0 + i * 3_600_000);
    const { adapters, fakes } = trio(times.slice(0, 4), times.slice(4, 8), times.slice(8));
    const client = createEngagementsClient({ adapters });
    const ascPage = await client.engagements.list({ ...range, pageSize: 3 }).firstPage();
    expect(typeof ascPage.nextCursor).toBe('string');
    const wrongOrder = await client.engagements
      .list({ ...range, order: 'none', cursor: ascPage.nextCursor })
      .toArray()
      .catch((e: unknown) => e);
    expect(wrongOrder).toBeInstanceOf(PaginationError);
    expect((wrongOrder as PaginationError).reason).toBe('mismatched-cursor');

    const none = client.engagements.list({ ...range, order: 'none', providers: ['a', 'b'] });
    const [item] = await none.toArray({ max: 1 });
    expect(item).toBeDefined();
    // The cursor's state as encoded (`ek1.<base64url JSON>.<checksum>`), to forge one from it.
    const state = JSON.parse(
      Buffer.from((none.cursor as string).split('.')[1] as string, 'base64url').toString(),
    ) as CursorState;
    const forged = encodeCursor({
      ...state,
      x: { u: { ...(state.x as { u: object }).u, c: 'x' } },
    });
    const requests = fakes.c.requests();
    const refused = await client.engagements
      .list({ ...range, order: 'none', providers: ['a', 'b'], cursor: forged })
      .toArray()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PaginationError);
    expect((refused as PaginationError).reason).toBe('mismatched-cursor');
    expect((refused as PaginationError).message).toContain('"c"');
    expect(fakes.c.requests()).toBe(requests);
  });

  it('long vendor tokens: one provider still resumes; several whose cursors together outgrow a cursor fail as oversized-token, not with a cursor that cannot resume', async () => {
    const times = Array.from({ length: 9 }, (_, i) => T0 + i * 3_600_000);
    const long = (id: string) =>
      fakeProvider(id, times, {
        ordering: 'asc',
        serverTime: true,
        pageSize: 3,
        tokenPadding: 200_000,
      });
    const one = createEngagementsClient({ adapters: [long('a').adapter] });
    const it = one.engagements.list({ ...range, order: 'none' });
    const first = await it.toArray({ max: 4 });
    expect(first).toHaveLength(4);
    const rest = await one.engagements
      .list({ ...range, order: 'none', cursor: it.cursor })
      .toArray();
    expect([...first, ...rest].map((e) => e.id).sort()).toEqual(
      expectedIds(long('a').records).sort(),
    );

    const three = createEngagementsClient({
      adapters: [long('a').adapter, long('b').adapter, long('c').adapter],
    });
    const all = three.engagements.list({ ...range, order: 'none' });
    const read = await all.toArray({ max: 12 });
    expect(read).toHaveLength(12);
    let error: unknown;
    try {
      void all.cursor;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PaginationError);
    expect((error as PaginationError).reason).toBe('oversized-token');
  });

  it("records a provider cannot read are skipped under onInvalidRecord 'skip' (the call's or the client's) and kept on the merged iterator", async () => {
    const times = Array.from({ length: 10 }, (_, i) => T0 + i * 3_600_000);
    const make = () => [
      fakeProvider('a', times, { ordering: 'asc', serverTime: true, invalidEvery: 4 }).adapter,
      fakeProvider('c', times, { ordering: 'unordered', invalidEvery: 5 }).adapter,
    ];
    const cases = [
      { client: createEngagementsClient({ adapters: make(), onInvalidRecord: 'skip' }), call: {} },
      {
        client: createEngagementsClient({ adapters: make() }),
        call: { onInvalidRecord: 'skip' as const },
      },
    ];
    for (const { client, call } of cases) {
      const it = client.engagements.list({ ...range, order: 'none', ...call });
      const got = await it.toArray();
      // a: 4 and 8 broken; c: 5 broken (indexes from 1 on).
      expect(got).toHaveLength(20 - 3);
      expect(it.skippedCount).toBe(3);
      expect(it.skipped.map((r) => r.remoteId).sort()).toEqual(['a-4', 'a-8', 'c-5']);
    }
    const strict = createEngagementsClient({ adapters: make() });
    const error = await strict.engagements
      .list({ ...range, order: 'none' })
      .toArray()
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('ResponseValidationError');
  });

  it('each provider reads pages of the merged pageSize (within its maximum)', async () => {
    const times = Array.from({ length: 10 }, (_, i) => T0 + i * 3_600_000);
    const a = fakeProvider('a', times, { ordering: 'asc', serverTime: true, pageSize: 7 });
    const pages: number[] = [];
    for await (const page of createEngagementsClient({ adapters: [a.adapter] })
      .engagements.list({ ...range, order: 'none', pageSize: 4 })
      .pages()) {
      pages.push(page.items.length);
    }
    expect(pages).toEqual([4, 4, 2]);
    // A page's nextCursor resumes after it.
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const first = await client.engagements
      .list({ ...range, order: 'none', pageSize: 4 })
      .firstPage();
    const rest = await client.engagements
      .list({ ...range, order: 'none', pageSize: 4, cursor: first.nextCursor })
      .toArray();
    expect([...first.items, ...rest].map((e) => e.id)).toEqual(expectedIds(a.records));
  });

  it('a provider with nothing in range yields no page, and once it has ended a resume asks it nothing', async () => {
    const a = fakeProvider('a', [T0 - 5 * DAY], { ordering: 'asc', serverTime: true });
    const c = fakeProvider(
      'c',
      Array.from({ length: 12 }, (_, i) => T0 + i * 3_600_000),
      { ordering: 'unordered', pageSize: 3 },
    );
    // One provider at a time: a (asked first) has ended before c's first page comes.
    const client = createEngagementsClient({ adapters: [a.adapter, c.adapter], concurrency: 1 });
    const sizes: number[] = [];
    for await (const page of client.engagements.list({ ...range, order: 'none' }).pages()) {
      sizes.push(page.items.length);
    }
    expect(sizes).toEqual([3, 3, 3, 3]);
    const it = client.engagements.list({ ...range, order: 'none' });
    const first = await it.toArray({ max: 5 });
    const aRequests = a.requests();
    const rest = await client.engagements
      .list({ ...range, order: 'none', cursor: it.cursor })
      .toArray();
    expect(a.requests()).toBe(aRequests);
    expect([...first, ...rest].map((e) => e.id).sort()).toEqual(c.records.map((e) => e.id).sort());
  });

  it('a provider read to its end is asked nothing on resume: its entry is its terminal cursor', async () => {
    const a = fakeProvider('a', [T0, T0 + 1], { ordering: 'asc', serverTime: true, pageSize: 5 });
    const c = fakeProvider(
      'c',
      Array.from({ length: 30 }, (_, i) => T0 + i * 3_600_000),
      { ordering: 'unordered', pageSize: 3 },
    );
    const client = createEngagementsClient({ adapters: [a.adapter, c.adapter], concurrency: 1 });
    const it = client.engagements.list({ ...range, order: 'none' });
    const first: string[] = [];
    for await (const e of it) {
      first.push(e.id);
      // Both of a's records and some of c's: a has ended by now.
      if (first.filter((id) => id.startsWith('a:')).length === 2 && first.length >= 8) break;
    }
    const aRequests = a.requests();
    const rest = (
      await client.engagements.list({ ...range, order: 'none', cursor: it.cursor }).toArray()
    ).map((e) => e.id);
    expect(a.requests()).toBe(aRequests);
    expect(sorted([...first, ...rest])).toEqual(
      sorted([...a.records, ...c.records].map((e) => e.id)),
    );
  });

  it("the caller's abort ends the listing with AbortError, an already aborted signal sends nothing", async () => {
    const times = Array.from({ length: 30 }, (_, i) => T0 + i * 3_600_000);
    const { adapters, fakes } = trio(times.slice(0, 10), times.slice(10, 20), times.slice(20));
    const client = createEngagementsClient({ adapters, onProviderError: 'skip' });
    const controller = new AbortController();
    const got: string[] = [];
    const error = await (async () => {
      for await (const e of client.engagements.list({
        ...range,
        order: 'none',
        signal: controller.signal,
      })) {
        got.push(e.id);
        if (got.length === 2) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(got.length).toBeLessThanOrEqual(3);

    const before = fakes.a.requests() + fakes.b.requests() + fakes.c.requests();
    const aborted = await client.engagements
      .list({ ...range, order: 'none', signal: AbortSignal.abort() })
      .toArray()
      .catch((e: unknown) => e);
    expect((aborted as Error).name).toBe('AbortError');
    expect(fakes.a.requests() + fakes.b.requests() + fakes.c.requests()).toBe(before);
  });
});
