import { RateLimitError, TimeoutError } from '@engagekit/core';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { sharedRateLimit, slotInReachMs } from '../src/workers/rate-limit';
import { startPostgres, type TestPostgres } from './support/postgres';
import { SANDBOX_NOW } from './support/sandbox';
import { storeQueryable } from './support/store-queryable';

const DAY = 86_400_000;
const SCHEMA = 'deadline';

let server: TestPostgres;
let store: SyncStore;
const db = storeQueryable(() => store);
let sb: Sandbox;
beforeAll(async () => {
  server = await startPostgres();
  store = postgresStore(await server.createDatabase('deadline'), { schema: SCHEMA });
  await store.ready();
  sb = await startSandbox({ seed: 7, count: 5, days: 3, now: SANDBOX_NOW });
});
afterAll(async () => {
  await store?.close();
  await sb?.close();
  await server?.stop();
});

/** The bucket's arrival time as Postgres prints it (microseconds), or undefined without a row. */
async function tat(key: string): Promise<string | undefined> {
  const rows = await store.query<{ t: string }>(
    `SELECT extract(epoch FROM tat)::text AS t FROM "${SCHEMA}".rate_limits WHERE key = $1`,
    [key],
  );
  return rows[0]?.t;
}

/** Other workers booked the bucket: its next slot is `ms` from now (Postgres's clock). */
async function bookAhead(key: string, ms: number): Promise<string | undefined> {
  await store.query(
    `INSERT INTO "${SCHEMA}".rate_limits (key, tat)
      VALUES ($1, clock_timestamp() + make_interval(secs => $2::float8))`,
    [key, ms / 1000],
  );
  return tat(key);
}

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

const zoom = (timeoutMs?: number) =>
  createZoomContactCenterAdapter({ ...sb.adapterOptions.zoom, rateLimit: false, timeoutMs });

const list = (
  adapter: ReturnType<typeof zoom>,
  request: {
    beforeRequest?: ReturnType<typeof sharedRateLimit>['beforeRequest'];
    timeoutMs?: number;
  },
) =>
  adapter.engagements
    .list({ from: new Date(SANDBOX_NOW.getTime() - 2 * DAY), to: SANDBOX_NOW, request })
    .toArray();

/** Checks a refusal bounded by a 2 s deadline of a slot booked 5 s ahead. */
function expectDeadlineRefusal(error: unknown) {
  expect(error).toBeInstanceOf(RateLimitError);
  expect(error).not.toBeInstanceOf(TimeoutError);
  const refusal = error as RateLimitError;
  expect(refusal.status).toBe(429);
  expect(refusal.retryAfterMs).toBeGreaterThan(2_000);
  expect(refusal.retryAfterMs).toBeLessThanOrEqual(5_000);
  expect(refusal.message).toMatch(
    /next slot is \d+ ms away, longer than the \d+ ms left before the attempt's deadline; no slot was taken/,
  );
  // The worker waits until the slot is within the same reach (at most the 2 s timeout) of it.
  const inReach = slotInReachMs(error) as number;
  expect(inReach).toBeGreaterThanOrEqual((refusal.retryAfterMs as number) - 2_000);
  expect(inReach).toBeLessThan(refusal.retryAfterMs as number);
}

it("a slot within maxWaitMs (15 s) but past the adapter's shorter timeoutMs (2 s) is refused at once with RateLimitError: no slot taken (the row unchanged), nothing sent, no timeout", async () => {
  const key = 'short-timeout';
  const limit = sharedRateLimit(db, { key, requestsPerSecond: 100, schema: SCHEMA });
  const booked = await bookAhead(key, 5_000);
  expect(booked).toMatch(/^\d+\.\d+$/);
  sb.log.clear();
  // The first request is Zoom's OAuth token request (its own transport, the adapter's timeoutMs).
  const result = await settle(list(zoom(2_000), { beforeRequest: limit.beforeRequest }));
  expectDeadlineRefusal((result as { error: unknown }).error);
  // Not reserved: the row is exactly as the other workers left it. Nothing sent.
  expect(await tat(key)).toBe(booked);
  expect(sb.log.entries({ vendor: 'zoom' })).toEqual([]);
});

it("a call's own shorter timeoutMs (2 s, the adapter's 30 s) bounds the reservation of its API requests the same way", async () => {
  const key = 'call-timeout';
  const limit = sharedRateLimit(db, { key, requestsPerSecond: 100, schema: SCHEMA });
  const adapter = zoom();
  // The adapter's token is fetched first, without the limit: the next request is the listing's.
  expect((await list(adapter, {})).length).toBeGreaterThan(0);
  const booked = await bookAhead(key, 5_000);
  sb.log.clear();
  const result = await settle(
    list(adapter, { beforeRequest: limit.beforeRequest, timeoutMs: 2_000 }),
  );
  expectDeadlineRefusal((result as { error: unknown }).error);
  expect(await tat(key)).toBe(booked);
  expect(sb.log.entries({ vendor: 'zoom' })).toEqual([]);
});

it("a slot within the call's timeoutMs is taken and waited for: the request goes out and the row moves on", async () => {
  const key = 'within-timeout';
  const limit = sharedRateLimit(db, { key, requestsPerSecond: 100, schema: SCHEMA });
  const booked = Number(await bookAhead(key, 300));
  sb.log.clear();
  const result = await settle(
    list(zoom(), { beforeRequest: limit.beforeRequest, timeoutMs: 10_000 }),
  );
  expect('value' in result && result.value.length).toBeGreaterThan(0);
  expect(sb.log.entries({ vendor: 'zoom' }).length).toBeGreaterThan(1);
  expect(Number(await tat(key))).toBeGreaterThan(booked);
});

it('acquire() with a deadline refuses a slot past it the same way; without one it reaches maxWaitMs', async () => {
  const key = 'acquire-deadline';
  const limit = sharedRateLimit(db, { key, requestsPerSecond: 100, schema: SCHEMA });
  const booked = await bookAhead(key, 800);
  const refused = await settle(limit.acquire(undefined, Date.now() + 100));
  expect((refused as { error: unknown }).error).toBeInstanceOf(RateLimitError);
  expect(await tat(key)).toBe(booked);
  // A deadline already past reaches only a slot free now: none here.
  const late = await settle(limit.acquire(undefined, Date.now() - 1_000));
  expect((late as { error: unknown }).error).toBeInstanceOf(RateLimitError);
  expect(await tat(key)).toBe(booked);
  // No deadline: maxWaitMs (15 s) reaches the slot, which moves the row by one interval (10 ms).
  await limit.acquire();
  expect(Math.round((Number(await tat(key)) - Number(booked)) * 1000)).toBe(10);
});
