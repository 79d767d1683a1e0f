import { getEventListeners } from 'node:events';
import type { AxiosInstance } from 'axios';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortError, RateLimitError, ResponseTooLargeError, TimeoutError } from '../src/errors';
import {
  createTransport,
  HttpOptionsSchema,
  parseRateLimitHeaders,
  TokenBucket,
  type TransportConfig,
} from '../src/http';
import { LimiterPausedError } from '../src/http/rate-limiter';
import { MAX_TIMER_MS } from '../src/http/timers';
import { fakeClock } from './fake-clock';

const BASE = 'https://limits.http.test';
const LIMITS_T0 = 1_700_000_000_000;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function make(over: Partial<TransportConfig> = {}) {
  const clock = fakeClock(LIMITS_T0);
  const transport = createTransport({
    provider: 'acme',
    baseUrl: BASE,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...over,
  });
  return { transport, clock };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('TokenBucket', () => {
  it('after a long idle time refills to burst, not beyond: 6 calls, burst 2 → 2 start at once', async () => {
    const clock = fakeClock(LIMITS_T0);
    const bucket = new TokenBucket({ requestsPerSecond: 5, burst: 2 }, clock.now, clock.sleep);
    clock.advance(60_000);
    const start = clock.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () => bucket.acquire().then(() => times.push(clock.now()))),
    );
    expect(times.filter((t) => t === start)).toHaveLength(2);
    expect(times.map((t) => t - start)).toEqual([0, 0, 200, 400, 600, 800]);
  });

  it('a pause that already ended does not pause', async () => {
    const clock = fakeClock(LIMITS_T0);
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 3 }, clock.now, clock.sleep);
    await bucket.acquire();
    bucket.pauseUntil(clock.now() - 1000);
    expect(bucket.pausedForMs()).toBe(0);
    await bucket.acquire();
    await bucket.acquire();
    expect(clock.sleeps).toEqual([]);
  });

  it('refuses at once a caller that would wait longer than it allows', async () => {
    const clock = fakeClock(LIMITS_T0);
    const bucket = new TokenBucket({ requestsPerSecond: 10 }, clock.now, clock.sleep);
    bucket.pauseUntil(clock.now() + 90_000);
    const error = await failure(bucket.acquire(undefined, 60_000));
    expect(error).toBeInstanceOf(LimiterPausedError);
    expect((error as LimiterPausedError).pausedForMs).toBe(90_000);
    expect(clock.sleeps).toEqual([]);
  });

  it('a pause that begins while callers queue sends away those that will not wait that long', async () => {
    const clock = fakeClock(LIMITS_T0);
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 }, clock.now, clock.sleep);
    await bucket.acquire();
    const patient = bucket.acquire(undefined, 10 * 60_000);
    const hurried = failure(bucket.acquire(undefined, 60_000));
    bucket.pauseUntil(clock.now() + 120_000);
    expect(await hurried).toBeInstanceOf(LimiterPausedError);
    const start = clock.now();
    await patient;
    expect(clock.now() - start).toBe(120_000);
  });
});

describe('maxRetryWaitMs', () => {
  it('a 429 asking for longer than maxRetryWaitMs fails at once with the vendor value', async () => {
    nock(BASE).get('/x').reply(429, {}, { 'retry-after': '120' });
    const { transport, clock } = make();
    const error = await failure(transport.request({ method: 'GET', path: '/x' }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(120_000);
    expect(clock.sleeps).toEqual([]);
  });

  it('per call beats adapter: a call allowing 200 s waits the 120 s and succeeds', async () => {
    nock(BASE).get('/x').reply(429, {}, { 'retry-after': '120' }).get('/x').reply(200, { ok: 1 });
    const { transport, clock } = make({ maxRetryWaitMs: 1000 });
    const res = await transport.request({
      method: 'GET',
      path: '/x',
      options: { maxRetryWaitMs: 200_000 },
    });
    expect(res.data).toEqual({ ok: 1 });
    expect(clock.sleeps).toEqual([120_000]);
  });

  it('later calls fail the same way until the pause ends, without a request', async () => {
    nock(BASE).get('/x').reply(429, {}, { 'retry-after': '120' });
    const { transport, clock } = make({ rateLimit: { requestsPerSecond: 10 } });
    expect(await failure(transport.request({ method: 'GET', path: '/x' }))).toBeInstanceOf(
      RateLimitError,
    );
    clock.advance(20_000);
    const later = await failure(transport.request({ method: 'GET', path: '/x' }));
    expect(later).toBeInstanceOf(RateLimitError);
    expect((later as RateLimitError).retryAfterMs).toBe(100_000);
    expect((later as RateLimitError).message).toContain('maxRetryWaitMs');
    expect(clock.sleeps).toEqual([]);
    clock.advance(100_000);
    nock(BASE).get('/x').reply(200, { ok: 2 });
    expect((await transport.request({ method: 'GET', path: '/x' })).data).toEqual({ ok: 2 });
  });

  it('x-ratelimit-reset: 999999999 (31 years) fails later calls fast instead of stalling', async () => {
    nock(BASE)
      .get('/x')
      .reply(200, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '999999999' });
    const { transport, clock } = make({ rateLimit: { requestsPerSecond: 10 } });
    await transport.request({ method: 'GET', path: '/x' });
    const error = await failure(transport.request({ method: 'GET', path: '/x' }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(999_999_999_000);
    expect(clock.sleeps).toEqual([]);
  });

  it("Zoom's daily limit (absolute Retry-After tomorrow) fails now and on the next call", async () => {
    const { transport, clock } = make({ rateLimit: { requestsPerSecond: 10 } });
    const tomorrow = new Date(clock.now() + 9 * 3_600_000).toISOString();
    nock(BASE)
      .get('/x')
      .reply(
        429,
        { code: 429, message: 'You have reached the maximum daily rate limit for this API.' },
        { 'x-ratelimit-type': 'Daily-limit', 'retry-after': tomorrow },
      );
    const first = await failure(transport.request({ method: 'GET', path: '/x' }));
    expect((first as RateLimitError).retryAfterMs).toBe(9 * 3_600_000);
    const second = await failure(transport.request({ method: 'GET', path: '/x' }));
    expect(second).toBeInstanceOf(RateLimitError);
    expect((second as RateLimitError).retryAfterMs).toBe(9 * 3_600_000);
    expect(clock.sleeps).toEqual([]);
  });

  it('backoff without a vendor ask is capped at maxRetryWaitMs instead of failing', async () => {
    nock(BASE).get('/x').times(3).reply(500, {}).get('/x').reply(200, {});
    const { transport, clock } = make({ maxRetryWaitMs: 300, random: () => 1 });
    await transport.request({ method: 'GET', path: '/x' });
    expect(clock.sleeps).toEqual([300, 300, 300]);
  });

  it('is an option of every factory: bounded to what a timer can hold', () => {
    expect(HttpOptionsSchema.safeParse({ maxRetryWaitMs: 120_000 }).success).toBe(true);
    expect(HttpOptionsSchema.safeParse({ maxRetryWaitMs: 2 ** 31 }).success).toBe(false);
    expect(HttpOptionsSchema.safeParse({ timeoutMs: 2 ** 31 }).success).toBe(false);
    expect(HttpOptionsSchema.safeParse({ maxResponseBytes: 0 }).success).toBe(false);
  });
});

describe('the limiter queue', () => {
  it('aborting one queued call does not hold the calls behind it', async () => {
    nock(BASE).get('/x').times(2).reply(200, {});
    const { transport, clock } = make({ rateLimit: { requestsPerSecond: 1, burst: 1 } });
    await transport.request({ method: 'GET', path: '/x' });
    const start = clock.now();
    const controller = new AbortController();
    const abandoned = failure(
      transport.request({ method: 'GET', path: '/x', options: { signal: controller.signal } }),
    );
    const behind = transport.request({ method: 'GET', path: '/x' });
    controller.abort();
    expect(await abandoned).toBeInstanceOf(AbortError);
    await behind;
    expect(clock.now() - start).toBe(1000);
  });

  it('timeoutMs covers the time spent queued in the limiter', async () => {
    nock(BASE).get('/x').reply(200, {});
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      rateLimit: { requestsPerSecond: 0.001, burst: 1 },
    });
    await transport.request({ method: 'GET', path: '/x' });
    const error = await failure(
      transport.request({ method: 'GET', path: '/x', options: { timeoutMs: 30 } }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('rate limiter');
  });
});

describe('timers', () => {
  it('no timer is ever set above 2^31-1 ms, and a huge timeoutMs does not fire at once', async () => {
    nock(BASE).get('/x').delay(30).reply(200, { ok: true });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      const transport = createTransport({ provider: 'acme', baseUrl: BASE, timeoutMs: 3e9 });
      const res = await transport.request({ method: 'GET', path: '/x' });
      expect(res.data).toEqual({ ok: true });
      const delays = spy.mock.calls.map((call) => Number(call[1] ?? 0));
      expect(delays).toContain(MAX_TIMER_MS);
      expect(delays.filter((d) => d > MAX_TIMER_MS)).toEqual([]);
    } finally {
      spy.mockRestore();
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});

describe('rate-limit headers (x-ratelimit-*, ratelimit-*, RateLimit / RateLimit-Policy)', () => {
  const now = Date.UTC(2026, 10, 1);
  it('reads each form, case-insensitively', () => {
    expect(
      parseRateLimitHeaders(
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 9) },
        now,
      ),
    ).toEqual({ remaining: 0, resetInMs: 9000 });
    expect(
      parseRateLimitHeaders({ 'RateLimit-Remaining': '0', 'RateLimit-Reset': '7' }, now),
    ).toEqual({ remaining: 0, resetInMs: 7000 });
    expect(parseRateLimitHeaders({ ratelimit: '"default";r=0;t=30' }, now)).toEqual({
      remaining: 0,
      resetInMs: 30_000,
    });
    expect(
      parseRateLimitHeaders(
        { RateLimit: '"burst";r=5;t=1, "daily";r=0;t=3600', 'RateLimit-Policy': '"daily";q=100' },
        now,
      ),
    ).toEqual({ remaining: 0, resetInMs: 3_600_000 });
    expect(
      parseRateLimitHeaders(
        { ratelimit: '"default";r=0', 'ratelimit-policy': '"default";q=100;w=60' },
        now,
      ),
    ).toEqual({ remaining: 0, resetInMs: 60_000 });
    expect(parseRateLimitHeaders({ ratelimit: 'limit=10, remaining=0, reset=4' }, now)).toEqual({
      remaining: 0,
      resetInMs: 4000,
    });
    expect(parseRateLimitHeaders({}, now)).toEqual({ remaining: undefined, resetInMs: undefined });
    expect(parseRateLimitHeaders({ ratelimit: 'garbage;;=,"' }, now)).toEqual({
      remaining: undefined,
      resetInMs: undefined,
    });
  });

  it.each([
    [
      'ratelimit-remaining / ratelimit-reset (Truto)',
      { 'ratelimit-remaining': '0', 'ratelimit-reset': '7' },
    ],
    ['RateLimit structured', { ratelimit: '"default";r=0;t=7' }],
    [
      'RateLimit + RateLimit-Policy window',
      { ratelimit: '"d";r=0', 'ratelimit-policy': '"d";q=5;w=7' },
    ],
  ])('remaining 0 in %s pauses the limiter until the reset', async (_name, headers) => {
    nock(BASE).get('/x').reply(200, {}, headers).get('/x').reply(200, {});
    const { transport, clock } = make({ rateLimit: { requestsPerSecond: 100 } });
    await transport.request({ method: 'GET', path: '/x' });
    expect(clock.sleeps).toEqual([]);
    await transport.request({ method: 'GET', path: '/x' });
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(7000);
  });

  it.each([
    ['ratelimit-reset', { 'ratelimit-reset': '7' }],
    ['RateLimit t', { RateLimit: '"default";r=0;t=7' }],
  ])('a 429 without Retry-After waits the %s, not 1 s', async (_name, headers) => {
    nock(BASE).get('/x').reply(429, {}, headers).get('/x').reply(200, {});
    const { transport, clock } = make();
    await transport.request({ method: 'GET', path: '/x' });
    expect(clock.sleeps).toEqual([7000]);
  });
});

describe('signals', () => {
  it('300 calls with per-call signals leave no listener behind; 40 at once print no warning', async () => {
    // An in-memory HTTP client: this test is about listeners, not sockets (and must stay fast).
    let served = 0;
    const http = {
      request: async () => {
        if (++served > 400) throw new Error('too many requests');
        return { status: 200, data: '{}', headers: {} };
      },
    } as unknown as AxiosInstance;
    const shared = new AbortController();
    const transport = createTransport(
      { provider: 'acme', baseUrl: BASE, signal: shared.signal },
      http,
    );
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const own = new AbortController();
      for (let i = 0; i < 300; i++) {
        await transport.request({ method: 'GET', path: '/x', options: { signal: own.signal } });
      }
      expect(getEventListeners(own.signal, 'abort')).toHaveLength(0);
      await Promise.all(
        Array.from({ length: 40 }, () =>
          transport.request({
            method: 'GET',
            path: '/x',
            options: { signal: new AbortController().signal },
          }),
        ),
      );
      expect(getEventListeners(shared.signal, 'abort').length).toBeLessThanOrEqual(1);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('the adapter-wide signal still aborts a call in flight', async () => {
    nock(BASE).get('/x').delay(5000).reply(200, {});
    const shared = new AbortController();
    const transport = createTransport({ provider: 'acme', baseUrl: BASE, signal: shared.signal });
    const call = failure(
      transport.request({
        method: 'GET',
        path: '/x',
        options: { signal: new AbortController().signal },
      }),
    );
    setImmediate(() => shared.abort());
    expect(await call).toBeInstanceOf(AbortError);
  });
});

describe('maxResponseBytes', () => {
  it('a body past what a string can hold (ERR_STRING_TOO_LONG) is a ResponseTooLargeError, not retried', async () => {
    let calls = 0;
    const http = {
      request: async () => {
        if (++calls > 5) throw new Error('too many requests');
        throw Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), {
          code: 'ERR_STRING_TOO_LONG',
        });
      },
    } as unknown as AxiosInstance;
    const transport = createTransport(
      { provider: 'acme', baseUrl: BASE, maxResponseBytes: 2 ** 30, sleep: async () => undefined },
      http,
    );
    const error = await failure(transport.request({ method: 'GET', path: '/x' }));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toContain('raise the maxResponseBytes option');
    expect(calls).toBe(1);
  });
});
