/**
 * Fault injection: every adapter and the merged client list thousands of sandbox records while the
 * sandbox injects 429s (every Retry-After form), 5xx, connection resets, latency spikes, Zoom token
 * and page-token expiry. Every record must arrive exactly once, inside a bounded time.
 */

import type { HookRetryInfo } from '@engagekit/core';
import { type Engagement, type PageIterator, PaginationError, ServerError } from '@engagekit/core';
import type { FailNextSpec, FaultConfig, Sandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADAPTERS,
  type AdapterName,
  duplicates,
  lister,
  listIds,
  makeAdapter,
  RANGE,
  RESILIENT,
  sandbox,
  sorted,
  VENDOR,
  within,
} from './helpers';

const COUNT = 3000;

/** Lists page by page, calling `between(pageIndex)` after each page (before the next request). */
async function listPaged(
  list: PageIterator<Engagement>,
  between: (pageIndex: number) => void,
): Promise<string[]> {
  const ids: string[] = [];
  let i = 0;
  for await (const page of list.pages()) {
    for (const e of page.items) ids.push(e.id);
    between(i++);
  }
  return ids;
}

describe.concurrent.each(ADAPTERS)('fault injection: %s', (name: AdapterName) => {
  let baseline: string[];
  const vendor = VENDOR[name];
  const open: Sandbox[] = [];
  /** Each test gets its own sandbox (tests run concurrently); same seed, so the same records. */
  const fresh = async () => {
    const sb = await sandbox({ count: COUNT });
    open.push(sb);
    return sb;
  };

  beforeAll(async () => {
    const sb = await fresh();
    baseline = sorted(await listIds(lister(sb, name)));
    expect(baseline.length).toBeGreaterThan(COUNT * 0.9);
    expect(duplicates(baseline)).toEqual([]);
  });
  afterAll(() => Promise.all(open.map((sb) => sb.close())));

  it('random 429/5xx/resets/jitter: every record exactly once', { timeout: 30_000 }, async () => {
    const sb = await fresh();
    const faults: FaultConfig = {
      rate429: 0.04,
      retryAfter: 'seconds',
      retryAfterSeconds: 0,
      rate500: 0.02,
      rate502: 0.02,
      // Truto's 503 means "account blocked" and is never retried (tested below).
      ...(name === 'truto' ? {} : { rate503: 0.02 }),
      resetRate: 0.02,
      jitterMs: 15,
    };
    sb.faults.set({ seed: 3, [vendor]: faults });
    const started = Date.now();
    const ids = await within(25_000, listIds(lister(sb, name), { pageSize: 50 }), 'listing');
    expect(duplicates(ids)).toEqual([]);
    expect(sorted(ids)).toEqual(baseline);
    const injected = sb.log.entries({ vendor }).filter((e) => e.status !== 200).length;
    expect(injected).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it('each Retry-After form, 500/502/503 and resets mid-listing: retried, nothing lost or repeated', {
    timeout: 30_000,
  }, async () => {
    const sb = await fresh();
    const plan: FailNextSpec[] = [
      { status: 429, retryAfter: 'seconds', retryAfterSeconds: 1 },
      { status: 429, retryAfter: 'http-date', retryAfterSeconds: 1 },
      { status: 429, retryAfter: 'iso', retryAfterSeconds: 1 },
      { status: 429, retryAfter: 'body', retryAfterSeconds: 0 },
      // No Retry-After; Truto's 429 still carries ratelimit-reset, which the transport waits out.
      { status: 429, retryAfter: 'none', retryAfterSeconds: 1 },
      { status: 500 },
      { status: 502 },
      ...(name === 'truto' ? [] : [{ status: 503 }]),
      { status: 'reset', count: 2 },
    ];
    const retries: HookRetryInfo[] = [];
    const adapter = makeAdapter(sb, name, {
      ...RESILIENT,
      hooks: { onRetry: (info) => retries.push(info) },
    });
    const started = Date.now();
    const ids = await within(
      25_000,
      listPaged(
        adapter.engagements.list({ ...RANGE, pageSize: 50, signal: AbortSignal.timeout(25_000) }),
        (i) => {
          const spec = plan[i];
          if (spec) sb.faults.failNext(vendor, spec);
        },
      ),
      'listing',
    );
    expect(duplicates(ids)).toEqual([]);
    expect(sorted(ids)).toEqual(baseline);
    const injected = plan.reduce((n, s) => n + (s.count ?? 1), 0);
    expect(retries).toHaveLength(injected);
    // Advertised waits are honoured but short (the sandbox advertises ≤ 1 s).
    for (const r of retries) expect(r.delayMs).toBeLessThanOrEqual(5_000);
    if (name !== 'zoom') {
      // `Retry-After: 1` (seconds form) is the first injected failure.
      expect(retries[0]?.reason).toBe('429');
      expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(900);
    }
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it('a latency spike beyond timeoutMs is retried, the listing completes', {
    timeout: 20_000,
  }, async () => {
    const sb = await fresh();
    const retries: HookRetryInfo[] = [];
    const adapter = makeAdapter(sb, name, {
      ...RESILIENT,
      timeoutMs: 1_500,
      hooks: {
        onRetry: (info) => {
          retries.push(info);
          sb.faults.set({ [vendor]: { latencyMs: 0 } });
        },
      },
    });
    const ids = await within(
      15_000,
      listPaged(
        adapter.engagements.list({ ...RANGE, pageSize: 100, signal: AbortSignal.timeout(15_000) }),
        (i) => {
          if (i === 3) sb.faults.set({ [vendor]: { latencyMs: 4_000 } });
        },
      ),
      'listing',
    );
    expect(sorted(ids)).toEqual(baseline);
    // The spike is cleared on the first retry (a loaded machine may add a slow request or two).
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries.length).toBeLessThanOrEqual(3);
  });

  if (name === 'zoom') {
    it('access token revoked mid-listing: refreshed once, listing completes', {
      timeout: 20_000,
    }, async () => {
      const sb = await fresh();
      const adapter = makeAdapter(sb, name);
      const ids = await listPaged(
        adapter.engagements.list({ ...RANGE, pageSize: 50, signal: AbortSignal.timeout(15_000) }),
        (i) => {
          if (i === 4) sb.faults.expireTokens();
        },
      );
      expect(sorted(ids)).toEqual(baseline);
      expect(sb.log.entries({ vendor: 'zoom', path: '/oauth/token' })).toHaveLength(2);
      expect(sb.log.entries({ vendor: 'zoom', status: 401 })).toHaveLength(1);
    });

    it('page token expired mid-window: the window restarts and consumed records are skipped', {
      timeout: 20_000,
    }, async () => {
      const sb = await fresh();
      const adapter = makeAdapter(sb, name);
      const ids = await listPaged(
        adapter.engagements.list({ ...RANGE, pageSize: 30, signal: AbortSignal.timeout(15_000) }),
        (i) => {
          if (i === 2 || i === 9 || i === 10) sb.faults.expirePageTokens();
        },
      );
      expect(duplicates(ids)).toEqual([]);
      expect(sorted(ids)).toEqual(baseline);
      // The expiries were really hit (Zoom answers an invalid token with a 4xx).
      expect(
        sb.log.entries({ vendor: 'zoom' }).filter((e) => e.status >= 400 && e.status < 500).length,
      ).toBeGreaterThan(0);
    });

    it("page token expired with onExpiredPageToken: 'fail' → PaginationError('expired-token')", {
      timeout: 15_000,
    }, async () => {
      const sb = await fresh();
      const adapter = makeAdapter(sb, name, { ...RESILIENT, onExpiredPageToken: 'fail' });
      const run = listPaged(
        adapter.engagements.list({ ...RANGE, pageSize: 30, signal: AbortSignal.timeout(10_000) }),
        (i) => {
          if (i === 2) sb.faults.expirePageTokens();
        },
      );
      const error = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PaginationError);
      expect((error as PaginationError).reason).toBe('expired-token');
    });
  }

  if (name === 'truto') {
    it('503 (blocked account) fails fast with ServerError, never retried', {
      timeout: 10_000,
    }, async () => {
      const sb = await fresh();
      const retries: HookRetryInfo[] = [];
      const adapter = makeAdapter(sb, name, {
        ...RESILIENT,
        hooks: { onRetry: (info) => retries.push(info) },
      });
      const started = Date.now();
      const run = listPaged(
        adapter.engagements.list({ ...RANGE, pageSize: 50, signal: AbortSignal.timeout(8_000) }),
        (i) => {
          if (i === 2) sb.faults.failNext('truto', { status: 503, count: 5 });
        },
      );
      const error = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).status).toBe(503);
      expect((error as ServerError).provider).toBe('truto');
      expect(retries).toEqual([]);
      expect(sb.log.entries({ vendor: 'truto', status: 503 })).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(3_000);
    });
  }
});
