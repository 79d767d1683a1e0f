/**
 * Shared helpers of the reliability suites: a sandbox with fixed data, adapters wired to it with
 * generous retry budgets, and listing helpers that always end (every listing carries a deadline).
 */
import {
  createEngagementsClient,
  type Engagement,
  type EngagementAdapter,
  type HttpOptions,
  type ListEngagementsParams,
  type PageIterator,
} from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import {
  type Sandbox,
  type SandboxOptions,
  startSandbox,
  type VendorName,
} from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';

export const NOW = '2026-06-01T00:00:00.000Z';
/** The range every suite lists: the whole seeded span (365 days) plus a margin. */
export const RANGE = { from: '2025-05-31T00:00:00.000Z', to: '2026-06-02T00:00:00.000Z' } as const;

export type AdapterName = 'devrev' | 'zoom' | 'truto';
export const ADAPTERS: readonly AdapterName[] = ['devrev', 'zoom', 'truto'];

/** The provider id of each adapter, and the sandbox vendor behind it. */
export const PROVIDER: Record<AdapterName, string> = {
  devrev: 'devrev',
  zoom: 'zoom-contact-center',
  truto: 'truto',
};
export const VENDOR: Record<AdapterName, VendorName> = {
  devrev: 'devrev',
  zoom: 'zoom',
  truto: 'truto',
};

export function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ seed: 11, now: NOW, days: 365, rateLimits: false, ...options });
}

/** Fast-retrying HTTP options: the sleeps are real, so the sandbox advertises short waits. */
export const RESILIENT: HttpOptions = { maxRetries: 12, timeoutMs: 5_000, rateLimit: false };

export function makeAdapter(
  sb: Sandbox,
  name: AdapterName,
  http: HttpOptions & { onExpiredPageToken?: 'restart' | 'fail' } = RESILIENT,
): EngagementAdapter {
  const { onExpiredPageToken, ...rest } = http;
  switch (name) {
    case 'devrev':
      return createDevRevAdapter({ ...rest, baseUrl: sb.urls.devrev, ...sb.credentials.devrev });
    case 'zoom':
      return createZoomContactCenterAdapter({
        ...rest,
        ...(onExpiredPageToken ? { onExpiredPageToken } : {}),
        baseUrl: sb.urls.zoom,
        oauthUrl: sb.urls.zoomOAuth,
        ...sb.credentials.zoom,
      });
    case 'truto':
      return createTrutoAdapter({ ...rest, baseUrl: sb.urls.truto, ...sb.credentials.truto });
  }
}

export function makeAll(sb: Sandbox, http: HttpOptions = RESILIENT) {
  const adapters = ADAPTERS.map((n) => makeAdapter(sb, n, http));
  return { adapters, client: createEngagementsClient({ adapters }) };
}

/** A listing target: one adapter, or the merged client. */
export type Target = AdapterName | 'merged';
export const TARGETS: readonly Target[] = [...ADAPTERS, 'merged'];

export function lister(
  sb: Sandbox,
  target: Target,
  http: HttpOptions = RESILIENT,
): (params: ListEngagementsParams) => PageIterator<Engagement> {
  if (target === 'merged') {
    const { client } = makeAll(sb, http);
    return (p) => client.engagements.list(p);
  }
  const adapter = makeAdapter(sb, target, http);
  return (p) => adapter.engagements.list(p);
}

/** Every id of a listing, in delivery order; aborts (and so fails) after `timeoutMs`. */
export async function listIds(
  list: (params: ListEngagementsParams) => PageIterator<Engagement>,
  params: ListEngagementsParams = {},
  timeoutMs = 20_000,
): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of list({ ...RANGE, ...params, signal: AbortSignal.timeout(timeoutMs) })) {
    ids.push(e.id);
  }
  return ids;
}

/** Ids that occur more than once. */
export function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

export const sorted = (ids: readonly string[]) => [...ids].sort();

/** Rejects when `promise` has not settled after `ms` (so a hang fails the test with a message). */
export async function within<T>(ms: number, promise: Promise<T>, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A small seeded PRNG (mulberry32) for reproducible random stop points. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
