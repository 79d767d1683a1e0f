import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineAdapter, matchesFilters, paginate } from '../src/adapter-kit';
import {
  type AdapterCapabilities,
  CapabilityError,
  createEngagementsClient,
  type Engagement,
  type EngagementAdapter,
  PaginationError,
} from '../src/index';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function engagement(provider: string, remoteId: string, t: number): Engagement {
  return {
    id: `${provider}:${remoteId}`,
    provider,
    remoteId,
    kind: 'call',
    occurredAt: new Date(t).toISOString(),
    participants: [],
    related: [],
    notes: [],
    dispositions: [],
    tags: [],
  };
}

interface FakeOptions {
  ordering: 'asc' | 'unordered';
  serverTime: boolean;
  maxWindowMs?: number;
  failAfterPages?: number;
}

/** An in-memory adapter: pages of 3, server-side time filter (inclusive) or none. */
function fakeAdapter(id: string, times: number[], o: FakeOptions) {
  let requests = 0;
  const records = times.map((t, i) => engagement(id, `${id}-${i}`, t));
  const data =
    o.ordering === 'asc'
      ? [...records].sort(
          (a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id),
        )
      : [...records].reverse();
  const capabilities: AdapterCapabilities = {
    operations: {
      list: true,
      get: false,
      create: id === 'a',
      update: false,
      delete: false,
      count: false,
    },
    filters: o.serverTime ? { from: 'server', to: 'server' } : { from: 'client', to: 'client' },
    maxPageSize: 10,
    defaultPageSize: 3,
    maxWindowMs: o.maxWindowMs,
    backwardsPaging: false,
    ordering: o.ordering,
  };
  const adapter = defineAdapter({
    id,
    capabilities,
    engagements: {
      list: (params) =>
        paginate<Engagement>({
          provider: id,
          fingerprint: params.fingerprint,
          cursor: params.cursor,
          filter: params.clientFilter,
          range:
            o.serverTime && params.from && params.to
              ? {
                  from: params.from.getTime(),
                  to: params.to.getTime(),
                  maxWindowMs: o.maxWindowMs,
                  timeOf: (e) => Date.parse(e.occurredAt),
                }
              : undefined,
          async fetchPage({ token, window }) {
            requests++;
            if (o.failAfterPages !== undefined && requests > o.failAfterPages) {
              throw new Error(`${id} is down`);
            }
            const matching = data.filter((e) => {
              const t = Date.parse(e.occurredAt);
              return !window || (t >= window.from && t <= window.to);
            });
            const start = Number(token ?? 0);
            const next = start + params.pageSize;
            return {
              items: matching.slice(start, next),
              nextToken: next < matching.length ? String(next) : undefined,
            };
          },
        }),
      create: async (input) => engagement(id, 'new', Date.parse(String(input.occurredAt))),
    },
  });
  return { adapter, requests: () => requests };
}

const expected = (adapters: { records: Engagement[] }[], from: number, to: number) =>
  adapters
    .flatMap((a) => a.records)
    .filter((e) =>
      matchesFilters(e, {
        from: new Date(from),
        to: new Date(to),
        kinds: undefined,
        participantIds: undefined,
        accountIds: undefined,
        ownerIds: undefined,
      }),
    )
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || (a.id < b.id ? -1 : 1))
    .map((e) => e.id);

function setup(timesA: number[], timesB: number[], timesC: number[]) {
  const a = fakeAdapter('a', timesA, { ordering: 'asc', serverTime: true });
  const b = fakeAdapter('b', timesB, {
    ordering: 'unordered',
    serverTime: true,
    maxWindowMs: 5 * DAY,
  });
  const c = fakeAdapter('c', timesC, { ordering: 'unordered', serverTime: false });
  const records = [
    { records: timesA.map((t, i) => engagement('a', `a-${i}`, t)) },
    { records: timesB.map((t, i) => engagement('b', `b-${i}`, t)) },
    { records: timesC.map((t, i) => engagement('c', `c-${i}`, t)) },
  ];
  return { adapters: [a.adapter, b.adapter, c.adapter] as EngagementAdapter[], records };
}

const timeArb = fc.array(fc.integer({ min: T0, max: T0 + 40 * DAY }), { maxLength: 25 });

describe('createEngagementsClient', () => {
  it('merges every provider in occurredAt order (ties by id), exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        timeArb,
        timeArb,
        timeArb,
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 25 }),
        async (ta, tb, tc, fromDay, spanDays) => {
          const { adapters, records } = setup(ta, tb, tc);
          const from = T0 + fromDay * DAY;
          const to = from + spanDays * DAY;
          const client = createEngagementsClient({ adapters, windowMs: 3 * DAY });
          const items = await client.engagements
            .list({ from: new Date(from), to: new Date(to) })
            .toArray();
          expect(items.map((e) => e.id)).toEqual(expected(records, from, to));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('lists in descending order with order: "desc"', async () => {
    const { adapters, records } = setup(
      [T0 + DAY, T0 + 9 * DAY],
      [T0 + 2 * DAY, T0 + 8 * DAY],
      [T0 + 3 * DAY],
    );
    const client = createEngagementsClient({ adapters, windowMs: 2 * DAY });
    const items = await client.engagements
      .list({ from: new Date(T0), to: new Date(T0 + 10 * DAY), order: 'desc' })
      .toArray();
    expect(items.map((e) => e.id)).toEqual(expected(records, T0, T0 + 10 * DAY).reverse());
  });

  it('resumes from the composite cursor at any point with no loss or duplicate', async () => {
    await fc.assert(
      fc.asyncProperty(
        timeArb,
        timeArb,
        timeArb,
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 12 }),
        async (ta, tb, tc, stops) => {
          const { adapters, records } = setup(ta, tb, tc);
          const client = createEngagementsClient({ adapters, windowMs: 4 * DAY });
          const params = { from: new Date(T0), to: new Date(T0 + 41 * DAY), pageSize: 4 };
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
            if (n < stop) break;
            if (!cursor) break;
          }
          expect(seen).toEqual(expected(records, T0, T0 + 41 * DAY));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('caps each adapter page at its own maximum when the merged page size is larger', async () => {
    const { adapters, records } = setup([T0 + DAY, T0 + 2 * DAY], [T0 + 3 * DAY], []);
    const items = await createEngagementsClient({ adapters })
      .engagements.list({ from: new Date(T0), to: new Date(T0 + 5 * DAY), pageSize: 500 })
      .toArray();
    expect(items.map((e) => e.id)).toEqual(expected(records, T0, T0 + 5 * DAY));
  });

  it('rejects a cursor made for other params', async () => {
    const { adapters } = setup([T0 + DAY, T0 + 2 * DAY], [], []);
    const client = createEngagementsClient({ adapters });
    const it = client.engagements.list({
      from: new Date(T0),
      to: new Date(T0 + 5 * DAY),
      pageSize: 1,
    });
    const page = await it.firstPage();
    await expect(
      client.engagements
        .list({ from: new Date(T0), to: new Date(T0 + 6 * DAY), cursor: page.nextCursor })
        .toArray(),
    ).rejects.toBeInstanceOf(PaginationError);
  });

  it('fails the listing when a provider fails, or skips and reports it', async () => {
    const good = fakeAdapter('a', [T0 + DAY, T0 + 2 * DAY], { ordering: 'asc', serverTime: true });
    const bad = fakeAdapter('bad', [T0 + DAY], {
      ordering: 'asc',
      serverTime: true,
      failAfterPages: 0,
    });
    const range = { from: new Date(T0), to: new Date(T0 + 5 * DAY) };
    await expect(
      createEngagementsClient({ adapters: [good.adapter, bad.adapter] })
        .engagements.list(range)
        .toArray(),
    ).rejects.toThrow('bad is down');
    const it = createEngagementsClient({
      adapters: [good.adapter, bad.adapter],
      onProviderError: 'skip',
    }).engagements.list(range);
    const items = await it.toArray();
    expect(items.map((e) => e.id)).toEqual(['a:a-0', 'a:a-1']);
    expect(it.failures.map((f) => f.provider)).toEqual(['bad']);
  });

  it('surfaces a filter one adapter cannot apply as a CapabilityError naming it', async () => {
    const { adapters } = setup([T0 + DAY], [T0 + DAY], []);
    const error = await createEngagementsClient({ adapters })
      .engagements.list({ from: new Date(T0), to: new Date(T0 + 2 * DAY), ownerIds: ['u1'] })
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapabilityError);
    expect((error as CapabilityError).provider).toBe('a');
    expect((error as CapabilityError).capability).toBe('filter:ownerIds');
  });

  it('routes create to one provider and rejects unknown or read-only ones', async () => {
    const { adapters } = setup([], [], []);
    const client = createEngagementsClient({ adapters });
    const created = await client.engagements.create('a', {
      occurredAt: new Date(T0).toISOString(),
    });
    expect(created.provider).toBe('a');
    await expect(client.engagements.create('b', {})).rejects.toBeInstanceOf(CapabilityError);
    await expect(client.engagements.create('nope', {})).rejects.toThrow(/no adapter "nope"/);
  });
});
