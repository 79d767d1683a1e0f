import { beforeEach, describe, expect, it } from 'vitest';
import type { EngagementAdapter } from '../adapter/types';
import {
  AuthenticationError,
  InputValidationError,
  PaginationError,
  ResponseValidationError,
} from '../errors/errors';
import type { TransportHooks } from '../http/types';
import { type Engagement, EngagementSchema } from '../model/engagement';

export { checkFastPath, type FastPathReport, isJsonShaped, payloadMutations } from './fast-path';

/**
 * How the conformance suite talks to an adapter's vendor: the adapter author implements it with
 * nock (or any HTTP mock) in the vendor's real wire format.
 */
export interface ConformanceHarness {
  /** What `createAdapter` receives as `baseUrl`. */
  baseUrl: string;
  /** A valid vendor record (raw wire JSON); `unknownType` → a type/channel value engagekit does not know. */
  record(input: { remoteId: string; occurredAt: string; unknownType?: boolean }): unknown;
  /**
   * Persistently serves these pages to list requests, chained by the vendor's own token scheme.
   * With `repeatToken`, page 2 returns the same next token page 1 returned.
   */
  servePages(pages: unknown[][], options?: { repeatToken?: boolean }): void;
  /** The next list request (once) answers `status` with the vendor's error body. */
  failNext(status: number, options?: { retryAfterSeconds?: number }): void;
  /** The next list request returns a body that breaks the vendor's schema. */
  serveBrokenPage(): void;
  /** Optional: serves records with the vendor's real date filtering (inclusive at both ends) and paging. */
  serveRecords?(records: unknown[]): void;
  /** List requests received since the last `reset()`. */
  requestCount(): number;
  reset(): void;
}

export interface ConformanceOptions {
  /** Suite name, usually the provider id. */
  name: string;
  /** Builds the adapter under test, pointed at `baseUrl`, with a static token (no refresh on 401). */
  createAdapter(options: {
    baseUrl: string;
    hooks?: TransportHooks;
    maxRetries?: number;
  }): EngagementAdapter;
  harness: ConformanceHarness;
}

const HOUR = 3_600_000;

/**
 * The behaviour every engagekit adapter must show, as a vitest suite: paging, empty pages, repeated
 * tokens, resume without loss or duplicates, `done` and terminal cursors, Retry-After, 401, input validation before the network,
 * unknown vendor enums, raw payloads, schema-breaking payloads and (with `serveRecords`) date windows.
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  const { harness, name } = options;
  const adapter = (extra: { hooks?: TransportHooks; maxRetries?: number } = {}) =>
    options.createAdapter({ baseUrl: harness.baseUrl, maxRetries: 2, ...extra });
  // Recent times, so adapters that default to a recent window (Zoom: last 24 h) keep them.
  const base = Date.now() - 12 * HOUR;
  const records = (n: number, prefix = 'r') =>
    Array.from({ length: n }, (_, i) =>
      harness.record({
        remoteId: `${prefix}${i}`,
        occurredAt: new Date(base + i * 60_000).toISOString(),
      }),
    );
  const remoteIds = (items: Engagement[]) => items.map((e) => e.remoteId);
  const range = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  describe(`${name}: engagekit adapter conformance`, () => {
    beforeEach(() => harness.reset());

    it('pages through every page in order, each item a valid Engagement', async () => {
      const all = records(7);
      harness.servePages([all.slice(0, 3), all.slice(3, 6), all.slice(6)]);
      const a = adapter();
      const items = await a.engagements.list().toArray();
      expect(remoteIds(items)).toEqual(range(7));
      for (const item of items) {
        expect(EngagementSchema.safeParse(item).success).toBe(true);
        expect(item.provider).toBe(a.id);
        expect(item.id).toBe(`${a.id}:${item.remoteId}`);
      }
      expect(harness.requestCount()).toBe(3);
    });

    it('keeps going past an empty page in the middle', async () => {
      const all = records(4);
      harness.servePages([all.slice(0, 2), [], all.slice(2)]);
      const items = await adapter().engagements.list().toArray();
      expect(remoteIds(items)).toEqual(range(4));
    });

    it('treats a repeated vendor token as a PaginationError, not an endless loop', async () => {
      const all = records(6);
      harness.servePages([all.slice(0, 2), all.slice(2, 4), all.slice(4)], { repeatToken: true });
      const error = await adapter()
        .engagements.list()
        .toArray()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaginationError);
      expect((error as PaginationError).reason).toBe('repeated-token');
    });

    it('resumes from a saved page cursor and from an item cursor with no loss or duplicate', async () => {
      const all = records(7);
      harness.servePages([all.slice(0, 3), all.slice(3, 6), all.slice(6)]);
      const a = adapter();
      const first = await a.engagements.list().firstPage();
      expect(first.nextCursor).toEqual(expect.any(String));
      const rest = await a.engagements.list({ cursor: first.nextCursor }).toArray();
      expect([...remoteIds(first.items), ...remoteIds(rest)]).toEqual(range(7));

      const iterator = a.engagements.list();
      const seen: string[] = [];
      for await (const e of iterator) {
        seen.push(e.remoteId);
        if (seen.length === 4) break;
      }
      const resumed = await a.engagements.list({ cursor: iterator.cursor }).toArray();
      expect([...seen, ...remoteIds(resumed)]).toEqual(range(7));
    });

    it('knows when a listing is finished: done, and a terminal cursor that resumes to nothing', async () => {
      const all = records(5);
      harness.servePages([all.slice(0, 3), all.slice(3)]);
      const a = adapter();
      const iterator = a.engagements.list();
      expect(iterator.done).toBe(false);
      expect(remoteIds(await iterator.toArray())).toEqual(range(5));
      expect(iterator.done).toBe(true);
      expect(iterator.cursor).toEqual(expect.any(String));
      const sent = harness.requestCount();
      const resumed = a.engagements.list({ cursor: iterator.cursor });
      expect(await resumed.toArray()).toEqual([]);
      expect(resumed.done).toBe(true);
      expect(harness.requestCount()).toBe(sent);
    });

    it('rejects a cursor from other params or a tampered cursor', async () => {
      harness.servePages([records(2), records(1, 's')]);
      const a = adapter();
      const { nextCursor } = await a.engagements.list().firstPage();
      const tampered = `${nextCursor?.slice(0, -2)}xx`;
      await expect(a.engagements.list({ cursor: tampered }).toArray()).rejects.toBeInstanceOf(
        PaginationError,
      );
      await expect(
        a.engagements.list({ cursor: nextCursor, native: { conformance: 'other' } }).toArray(),
      ).rejects.toMatchObject({ reason: 'mismatched-cursor' });
    });

    it('honours Retry-After on a 429', async () => {
      harness.servePages([records(2)]);
      harness.failNext(429, { retryAfterSeconds: 1 });
      const delays: number[] = [];
      const items = await adapter({ hooks: { onRetry: (i) => delays.push(i.delayMs) } })
        .engagements.list()
        .toArray();
      expect(items).toHaveLength(2);
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThanOrEqual(900);
      expect(delays[0]).toBeLessThanOrEqual(1500);
    });

    it('turns a 401 into an AuthenticationError', async () => {
      harness.servePages([records(2)]);
      harness.failNext(401);
      await expect(adapter({ maxRetries: 0 }).engagements.list().toArray()).rejects.toBeInstanceOf(
        AuthenticationError,
      );
    });

    it('rejects bad params before any request', async () => {
      harness.servePages([records(2)]);
      const a = adapter();
      const bad = [
        { pageSize: 0 },
        { pageSize: a.capabilities.maxPageSize + 1 },
        { kinds: ['not-a-kind'] },
        { from: 'not a date' },
        { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      ];
      for (const params of bad) {
        const error = await a.engagements
          .list(params as never)
          .toArray()
          .catch((e: unknown) => e);
        expect(error, JSON.stringify(params)).toBeInstanceOf(InputValidationError);
        expect((error as InputValidationError).issues[0]?.path).toBeTruthy();
      }
      expect(harness.requestCount()).toBe(0);
    });

    it("maps an unknown vendor type to 'other' and keeps it in nativeType", async () => {
      harness.servePages([
        [
          harness.record({
            remoteId: 'u1',
            occurredAt: new Date(base).toISOString(),
            unknownType: true,
          }),
        ],
      ]);
      const [item] = await adapter().engagements.list().toArray();
      expect(item?.kind).toBe('other');
      expect(item?.nativeType).toEqual(expect.any(String));
    });

    it('keeps the raw payload unless includeRaw is false', async () => {
      const all = records(2);
      harness.servePages([all]);
      const a = adapter();
      const [withRaw] = await a.engagements.list().toArray();
      expect(withRaw?.raw).toEqual(all[0]);
      harness.reset();
      harness.servePages([all]);
      const [withoutRaw] = await a.engagements.list({ includeRaw: false }).toArray();
      expect(withoutRaw?.raw).toBeUndefined();
    });

    it('turns a schema-breaking payload into a ResponseValidationError', async () => {
      harness.serveBrokenPage();
      const a = adapter();
      const error = await a.engagements
        .list()
        .toArray()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseValidationError);
      expect((error as ResponseValidationError).provider).toBe(a.id);
    });

    const serveRecords = harness.serveRecords?.bind(harness);
    it.skipIf(!serveRecords)(
      'returns each record in [from, to) exactly once, including on window edges',
      async () => {
        const a = adapter();
        const window = a.capabilities.maxWindowMs ?? 7 * 24 * HOUR;
        const from = Date.UTC(2026, 0, 1);
        const to = from + 2 * window + 5 * HOUR;
        const times = [
          from - 1000,
          from,
          from + 1000,
          from + window - 1000,
          from + window,
          from + window + 1000,
          from + 2 * window,
          to - 1000,
          to,
          to + 1000,
        ];
        const all = times.map((t, i) =>
          harness.record({ remoteId: `w${i}`, occurredAt: new Date(t).toISOString() }),
        );
        serveRecords?.(all);
        const items = await a.engagements
          .list({ from: new Date(from), to: new Date(to) })
          .toArray();
        const expected = times
          .map((t, i) => ({ t, id: `w${i}` }))
          .filter(({ t }) => t >= from && t < to)
          .map(({ id }) => id);
        expect(remoteIds(items).sort()).toEqual(expected.sort());
      },
    );
  });
}
