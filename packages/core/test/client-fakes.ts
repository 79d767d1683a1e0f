import { defineAdapter, paginate } from '../src/adapter-kit';
import type { AdapterCapabilities, Engagement, EngagementAdapter } from '../src/index';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 0, 1);

export function engagement(provider: string, remoteId: string, t: number): Engagement {
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

export interface FakeProviderOptions {
  ordering: 'asc' | 'unordered';
  /** The vendor filters by time (windows can be sliced). @default false */
  serverTime?: boolean;
  maxWindowMs?: number;
  pageSize?: number;
  /** Throw on this page request (1-based), once. */
  failOnRequest?: number;
  /** This page request (1-based) never answers; it rejects only when its signal aborts. */
  hangOnRequest?: number;
  /** More requests than this fail the test fast instead of looping. @default 1000 */
  maxRequests?: number;
  /** Every record whose index is a multiple of this (from 1) breaks its schema and is reported invalid. */
  invalidEvery?: number;
  /** Page tokens carry this many filler characters after the offset (long vendor tokens). */
  tokenPadding?: number;
}

export interface FakeProvider {
  adapter: EngagementAdapter;
  records: Engagement[];
  requests(): number;
  /** Items the fake has handed to the client so far. */
  served(): number;
}

/** An in-memory adapter over `times` (records `<id>:<id>-<i>`), in a scrambled order unless `'asc'`. */
export function fakeProvider(id: string, times: number[], o: FakeProviderOptions): FakeProvider {
  let requests = 0;
  let served = 0;
  const records = times.map((t, i) => engagement(id, `${id}-${i}`, t));
  const data =
    o.ordering === 'asc'
      ? [...records].sort(
          (a, b) => a.occurredAt.localeCompare(b.occurredAt) || (a.id < b.id ? -1 : 1),
        )
      : records.map((_, i) => records[(i * 7919) % records.length] as Engagement);
  const serverTime = o.serverTime ?? false;
  const capabilities: AdapterCapabilities = {
    operations: {
      list: true,
      get: true,
      create: false,
      update: false,
      delete: false,
      count: false,
    },
    filters: serverTime ? { from: 'server', to: 'server' } : { from: 'client', to: 'client' },
    maxPageSize: 100,
    defaultPageSize: o.pageSize ?? 7,
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
          signal: params.signal,
          prefetch: params.prefetch,
          onInvalidRecord: params.onInvalidRecord,
          range:
            serverTime && params.from && params.to
              ? {
                  from: params.from.getTime(),
                  to: params.to.getTime(),
                  maxWindowMs: o.maxWindowMs,
                  timeOf: (e) => Date.parse(e.occurredAt),
                }
              : undefined,
          async fetchPage({ token, window, signal }) {
            requests++;
            if (requests > (o.maxRequests ?? 1000)) throw new Error(`${id}: too many requests`);
            if (requests === o.failOnRequest) throw new Error(`${id} is down`);
            if (requests === o.hangOnRequest) {
              await new Promise((_, reject) => {
                if (signal?.aborted) reject(signal.reason);
                signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
              });
            }
            const matching = data.filter((e) => {
              const t = Date.parse(e.occurredAt);
              return !window || (t >= window.from && t <= window.to);
            });
            const start = Number.parseInt(token ?? '0', 10);
            const next = start + params.pageSize;
            const raw = matching.slice(start, next);
            const broken = (e: Engagement) =>
              o.invalidEvery !== undefined &&
              Number(e.remoteId.split('-')[1]) > 0 &&
              Number(e.remoteId.split('-')[1]) % o.invalidEvery === 0;
            const items = raw.filter((e) => !broken(e));
            const invalid = raw.flatMap((e, index) =>
              broken(e)
                ? [
                    {
                      provider: id,
                      remoteId: e.remoteId,
                      path: ['data', index],
                      issues: [],
                      raw: e,
                      index,
                    },
                  ]
                : [],
            );
            served += items.length;
            return {
              items,
              invalid,
              nextToken:
                next < matching.length ? `${next}${'~'.repeat(o.tokenPadding ?? 0)}` : undefined,
            };
          },
        }),
      get: async (remoteId) => {
        const found = records.find((e) => e.remoteId === remoteId);
        if (!found) throw new Error(`${remoteId} not found`);
        return found;
      },
    },
  });
  return { adapter, records, requests: () => requests, served: () => served };
}

/** Ids of `records` within `[from, to)` in merged order (`occurredAt`, then id). */
export function expectedIds(
  records: Engagement[],
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
  order: 'asc' | 'desc' = 'asc',
): string[] {
  const ids = records
    .filter((e) => {
      const t = Date.parse(e.occurredAt);
      return t >= from && t < to;
    })
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || (a.id < b.id ? -1 : 1))
    .map((e) => e.id);
  return order === 'asc' ? ids : ids.reverse();
}

/**
 * Three providers: one streaming in order, one sliced into windows, one read whole (pages of 3).
 * `b` takes the `bOptions` too (e.g. a request that fails).
 */
export function trio(
  ta: number[],
  tb: number[],
  tc: number[],
  bOptions: Partial<FakeProviderOptions> = {},
) {
  const a = fakeProvider('a', ta, { ordering: 'asc', serverTime: true, pageSize: 3 });
  const b = fakeProvider('b', tb, {
    ordering: 'unordered',
    serverTime: true,
    maxWindowMs: 2 * DAY,
    pageSize: 3,
    ...bOptions,
  });
  const c = fakeProvider('c', tc, { ordering: 'unordered', pageSize: 3 });
  return {
    adapters: [a.adapter, b.adapter, c.adapter] as EngagementAdapter[],
    records: [...a.records, ...b.records, ...c.records],
    fakes: { a, b, c },
  };
}
