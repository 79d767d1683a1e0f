import type { PGlite } from '@electric-sql/pglite';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Queryable } from '../src/driver';
import { pgliteStore } from '../src/pglite';
import { defaultTemplateCache, openPglite } from '../src/pglite-template';
import type { SyncStore } from '../src/store';
import { syncShard } from '../src/sync';
import { shardClient } from '../src/workers/gated-listing';
import { sharedRateLimit } from '../src/workers/rate-limit';
import { SANDBOX_NOW } from './support/sandbox';

const DAY = 86_400_000;
const SCHEMA = 'attempts';
const PROVIDER = 'zoom-contact-center';

let db: PGlite;
let store: SyncStore;
let sb: Sandbox;
beforeAll(async () => {
  db = await openPglite('memory://', defaultTemplateCache());
  store = pgliteStore(db, { schema: SCHEMA });
  await store.ready();
  sb = await startSandbox({ seed: 16, count: 40, days: 28, now: SANDBOX_NOW });
});
afterAll(async () => {
  await store?.close();
  await db?.close();
  await sb?.close();
});

it("a worker's shard takes one slot of the shared bucket per request Zoom sees: each page's first attempt, its 429 and 5xx retries, the OAuth token requests and the retry after a 401", async () => {
  // The real bucket on the real database; only the statements that take a slot are counted.
  let slots = 0;
  const counted: Queryable = {
    query: async <R>(sql: string, params: readonly unknown[] = []) => {
      if (sql.includes('.rate_limits')) slots++;
      return { rows: await store.query<R>(sql, params) };
    },
  };
  const limit = sharedRateLimit(counted, {
    key: PROVIDER,
    requestsPerSecond: 1_000,
    burst: 1_000,
    schema: SCHEMA,
  });
  const zoom = createZoomContactCenterAdapter({ ...sb.adapterOptions.zoom, maxRetryWaitMs: 5_000 });
  expect(zoom.id).toBe(PROVIDER);
  const client = shardClient(zoom, limit, 10);
  const shard = (fromDay: number, toDay: number) => ({
    provider: PROVIDER,
    from: new Date(SANDBOX_NOW.getTime() - fromDay * DAY).toISOString(),
    to: new Date(SANDBOX_NOW.getTime() - toDay * DAY).toISOString(),
  });

  // First shard: the adapter's first request needs a token; the first page is answered 429, then 500.
  sb.faults.failNext('zoom', { status: 429, retryAfterSeconds: 0 });
  sb.faults.failNext('zoom', { status: 500 });
  const first = await syncShard({ client, store, shard: shard(29, 14) });
  // Second shard: Zoom revokes the token, so its first page gets 401, a new token and a retry.
  sb.faults.expireTokens();
  const second = await syncShard({ client, store, shard: shard(14, 0) });

  const seen = sb.log.entries({ vendor: 'zoom' });
  const count = (status: number, method: string) =>
    seen.filter((e) => e.status === status && e.method === method).length;
  const pages = count(200, 'GET');
  expect(first.upserted + second.upserted).toBeGreaterThan(20);
  expect(pages).toBeGreaterThanOrEqual(4);
  expect({
    tokens: count(200, 'POST'),
    rateLimited: count(429, 'GET'),
    failed: count(500, 'GET'),
    unauthorized: count(401, 'GET'),
    other: seen.length - pages - count(200, 'POST') - 3,
  }).toEqual({ tokens: 2, rateLimited: 1, failed: 1, unauthorized: 1, other: 0 });
  // Every request Zoom saw took exactly one slot: none bypassed the bucket, none took two.
  expect(slots).toBe(seen.length);
  expect(slots).toBe(pages + 5);
});
