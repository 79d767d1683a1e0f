import { RateLimitError, TimeoutError } from '@engagekit/core';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { sharedRateLimit } from '../src/workers/rate-limit';
import { startPostgres, type TestPostgres } from './support/postgres';
import { SANDBOX_NOW } from './support/sandbox';
import { storeQueryable } from './support/store-queryable';

const DAY = 86_400_000;
const SCHEMA = 'max_wait';
const PROVIDER = 'zoom-contact-center';

let server: TestPostgres;
let store: SyncStore;
/** The store's connection as the bucket takes it (what the worker gives it: a pool). */
const db = storeQueryable(() => store);
let sb: Sandbox;
beforeAll(async () => {
  server = await startPostgres();
  store = postgresStore(await server.createDatabase('max_wait'), { schema: SCHEMA });
  await store.ready();
  sb = await startSandbox({ seed: 5, count: 5, days: 3, now: SANDBOX_NOW });
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

/** What a promise settles to: the value, or the error (never a hang: the test's timeout caps it). */
const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

it("a slot further than the attempt's default timeout (30 s) fails the request at once with RateLimitError, takes no slot and sends nothing; a second attempt is not pushed further away", async () => {
  // One slot every 40 s: once one is taken, the next is 40 s away, past the adapter's default
  // timeoutMs (30 s) that counts the wait, and past the default maxWaitMs.
  const limit = sharedRateLimit(db, {
    key: PROVIDER,
    requestsPerSecond: 1 / 40,
    schema: SCHEMA,
  });
  await limit.acquire();
  const taken = await tat(PROVIDER);
  expect(taken).toMatch(/^\d+\.\d+$/);

  const zoom = createZoomContactCenterAdapter({ ...sb.adapterOptions.zoom, rateLimit: false });
  sb.log.clear();
  const attempt = () =>
    settle(
      zoom.engagements
        .list({
          from: new Date(SANDBOX_NOW.getTime() - 2 * DAY),
          to: SANDBOX_NOW,
          request: { beforeRequest: limit.beforeRequest },
        })
        .toArray(),
    );

  const first = await attempt();
  expect('error' in first && first.error).toBeInstanceOf(RateLimitError);
  expect('error' in first && first.error).not.toBeInstanceOf(TimeoutError);
  const error = (first as { error: RateLimitError }).error;
  expect(error.status).toBe(429);
  expect(error.provider).toBe(PROVIDER);
  // The next slot is just under 40 s away (the time since it was taken has passed).
  expect(error.retryAfterMs).toBeGreaterThan(30_000);
  expect(error.retryAfterMs).toBeLessThanOrEqual(40_000);
  // Nothing reserved: the row is exactly as it was. Nothing sent: not even Zoom's token request.
  expect(await tat(PROVIDER)).toBe(taken);
  expect(sb.log.entries({ vendor: 'zoom' })).toEqual([]);

  // The retry (pg-boss's, of the shard) finds the slot where it was, not 40 s further.
  const second = await attempt();
  const again = (second as { error: RateLimitError }).error;
  expect(again).toBeInstanceOf(RateLimitError);
  expect(again.retryAfterMs).toBeLessThanOrEqual(error.retryAfterMs as number);
  expect(await tat(PROVIDER)).toBe(taken);
  expect(sb.log.entries({ vendor: 'zoom' })).toEqual([]);
});

it('slots within maxWaitMs are taken (the row moves by one interval each); the first one out of reach is refused and the row stays put', async () => {
  const key = 'burst-then-refuse';
  // A burst of 2, then one slot every 100 s: the first two are immediate, the third 100 s away.
  const limit = sharedRateLimit(db, {
    key,
    requestsPerSecond: 1 / 100,
    burst: 2,
    maxWaitMs: 1_000,
    schema: SCHEMA,
  });
  await limit.acquire();
  const one = Number(await tat(key));
  await limit.acquire();
  const two = Number(await tat(key));
  expect(Math.round((two - one) * 1000)).toBe(100_000);

  const refused = await settle(limit.acquire());
  const error = (refused as { error: RateLimitError }).error;
  expect(error).toBeInstanceOf(RateLimitError);
  expect(error.retryAfterMs).toBeGreaterThan(90_000);
  expect(error.retryAfterMs).toBeLessThanOrEqual(100_000);
  expect(Number(await tat(key))).toBe(two);
  expect(error.message).toContain('longer than maxWaitMs (1000 ms); no slot was taken');

  // An attempt that already gave up takes nothing either.
  const aborted = new AbortController();
  aborted.abort(new Error('gave up'));
  const late = sharedRateLimit(db, { key: 'aborted', requestsPerSecond: 1, schema: SCHEMA });
  const gaveUp = await settle(late.acquire(aborted.signal));
  expect((gaveUp as { error: Error }).error.message).toBe('gave up');
  expect(await tat('aborted')).toBeUndefined();
});

it('maxWaitMs is checked before any statement: a negative one, or one past the timer limit, names the field', () => {
  for (const maxWaitMs of [-1, 2 ** 31, Number.NaN]) {
    expect(() =>
      sharedRateLimit(db, { key: 'x', requestsPerSecond: 1, maxWaitMs, schema: SCHEMA }),
    ).toThrowError(/maxWaitMs/);
  }
});
