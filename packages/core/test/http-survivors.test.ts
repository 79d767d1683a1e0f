// Behaviour of packages/core/src/http that the mutation run of the http group
// (`MUTATE_GROUPS=http pnpm mutation core`) can change without another test failing: exact
// boundaries of the retry and rate-limit readers, the option schema's limits and messages, the
// token bucket's wake-ups and listeners, timer clamping, and the transport's less travelled paths.
// Each case asserts concrete values; fakes cap their calls and a fake clock stands in for waits.
import { getEventListeners } from 'node:events';
import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  AbortError,
  ApiError,
  AuthenticationError,
  ConnectionError,
  PermissionDeniedError,
  ResponseTooLargeError,
  ResponseValidationError,
  TimeoutError,
} from '../src/errors';
import {
  bearerAuth,
  cachedTokenAuth,
  createTransport,
  HttpOptionsSchema,
  parseRateLimitHeaders,
  parseRetryAfter,
  raceAbort,
  retryDelay,
  shouldRetry,
  TokenBucket,
} from '../src/http';
import { MAX_TIMER_MS, setSafeTimeout, sleepFor } from '../src/http/timers';
import { fakeClock } from './fake-clock';
import { type Answer, failure, fakeHttp, transportMaker } from './fake-transport';

const BASE = 'https://api.survivors.test';

const make = transportMaker(BASE);

const tick = () => new Promise((r) => setImmediate(r));

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('HttpOptionsSchema', () => {
  const issues = (options: unknown) => {
    const r = HttpOptionsSchema.safeParse(options);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const fn = () => {};

  it('accepts every option at its limits', () => {
    const all = {
      baseUrl: 'https://api.acme.test/v1',
      allowInsecureHttp: true,
      timeoutMs: 1,
      maxRetries: 20,
      maxRetryWaitMs: 0,
      maxResponseBytes: 1,
      signal: new AbortController().signal,
      headers: { 'x-a': 'b' },
      beforeRequest: fn,
      hooks: { onRequest: fn, onResponse: fn, onRetry: fn },
      rateLimit: { requestsPerSecond: 0.5, burst: 1 },
    };
    expect(issues(all)).toEqual([]);
    expect(issues({ baseUrl: 'http://127.0.0.1:9' })).toEqual([]);
    expect(issues({ timeoutMs: MAX_TIMER_MS, maxRetryWaitMs: MAX_TIMER_MS })).toEqual([]);
    expect(issues({ maxRetries: 0, maxResponseBytes: Number.MAX_SAFE_INTEGER })).toEqual([]);
    expect(issues({ maxRetries: 5, rateLimit: false })).toEqual([]);
    expect(issues({ rateLimit: { requestsPerSecond: 3 } })).toEqual([]);
    expect(issues({})).toEqual([]);
  });

  it('refuses a baseUrl that is not http(s), saying so', () => {
    for (const baseUrl of ['ftp://a.test', 'xhttp://a.test', 'httpx://a.test', 'httpss://a.test']) {
      expect(issues({ baseUrl })).toEqual(['baseUrl: must be an http(s) URL']);
    }
  });

  it.each([
    ['timeoutMs', 0],
    ['timeoutMs', 1.5],
    ['timeoutMs', MAX_TIMER_MS + 1],
    ['maxRetries', -1],
    ['maxRetries', 21],
    ['maxRetries', 1.5],
    ['maxRetryWaitMs', -1],
    ['maxRetryWaitMs', 0.5],
    ['maxResponseBytes', 0],
    ['maxResponseBytes', 2.5],
    ['allowInsecureHttp', 'yes'],
  ])('refuses %s: %s', (key, value) => {
    const found = issues({ [key]: value });
    expect(found).toHaveLength(1);
    expect(found[0]?.startsWith(`${key}: `)).toBe(true);
  });

  it('refuses hooks, signals, headers and rate limits of the wrong shape, naming them', () => {
    expect(issues({ signal: 'stop' })).toEqual(['signal: expected an AbortSignal']);
    expect(issues({ beforeRequest: 1 })).toEqual(['beforeRequest: expected a function']);
    expect(issues({ hooks: { onRequest: 'log' } })).toEqual([
      'hooks.onRequest: expected a function',
    ]);
    expect(issues({ hooks: { onResponse: 1 } })).toEqual(['hooks.onResponse: expected a function']);
    expect(issues({ hooks: { onRetry: {} } })).toEqual(['hooks.onRetry: expected a function']);
    expect(issues({ hooks: { onError: fn } })).toHaveLength(1);
    expect(issues({ headers: { 'x-a': 1 } })).toHaveLength(1);
    expect(issues({ rateLimit: true })).toHaveLength(1);
    expect(issues({ rateLimit: { requestsPerSecond: 0 } })).toHaveLength(1);
    expect(issues({ rateLimit: { requestsPerSecond: 1, burst: 1.5 } })).toHaveLength(1);
    expect(issues({ rateLimit: { requestsPerSecond: 1, burst: 0 } })).toHaveLength(1);
    expect(issues({ rateLimit: { requestsPerSecond: 1, perMinute: 5 } })).toHaveLength(1);
  });
});

describe('timers', () => {
  it('setSafeTimeout clamps the delay to 0..2^31-1 and turns a non-finite one into the maximum', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const delays: unknown[] = [];
    for (const ms of [100, -5, 1e12, Number.NaN, Number.POSITIVE_INFINITY]) {
      clearTimeout(setSafeTimeout(() => undefined, ms));
      delays.push(spy.mock.calls.at(-1)?.[1]);
    }
    expect(delays).toEqual([100, 0, MAX_TIMER_MS, MAX_TIMER_MS, MAX_TIMER_MS]);
  });

  it('sleepFor leaves no listener behind, and an abort clears its timer', async () => {
    const made = vi.fn(() => new Error('made'));
    const done = new AbortController();
    await sleepFor(0, done.signal, made);
    expect(getEventListeners(done.signal, 'abort')).toHaveLength(0);
    done.abort();
    expect(made).not.toHaveBeenCalled();

    vi.useFakeTimers();
    const stopped = new AbortController();
    const sleeping = sleepFor(5000, stopped.signal);
    expect(vi.getTimerCount()).toBe(1);
    stopped.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('raceAbort stops listening once the promise settles, either way', async () => {
    const make = vi.fn(() => new Error('aborted'));
    const a = new AbortController();
    expect(await raceAbort(Promise.resolve(3), a.signal, make)).toBe(3);
    const b = new AbortController();
    await expect(raceAbort(Promise.reject(new Error('own')), b.signal, make)).rejects.toThrow(
      'own',
    );
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(b.signal, 'abort')).toHaveLength(0);
    a.abort();
    b.abort();
    expect(make).not.toHaveBeenCalled();
  });
});

describe('retryDelay boundaries', () => {
  it('attempt 0 is the first step; a negative vendor ask is ignored; a NaN draw is the whole step', () => {
    expect(retryDelay({ attempt: 0, random: 1 })).toBe(500);
    expect(retryDelay({ attempt: 1, retryAfterMs: -1, random: 1 })).toBe(500);
    expect(retryDelay({ attempt: 2, random: Number.NaN })).toBe(1000);
    expect(retryDelay({ attempt: 2, random: 0 })).toBe(500);
  });
});

describe('parseRetryAfter boundaries', () => {
  const now = Date.parse('2026-11-01T10:00:00.000Z');
  it('seconds: several digits and decimals; a number with junk around it is unreadable', () => {
    expect(parseRetryAfter({ 'retry-after': '12' }, now)).toBe(12_000);
    expect(parseRetryAfter({ 'retry-after': '1.25' }, now)).toBe(1250);
    for (const value of ['5x', '5.', '.5', 'x5', '1.5.2']) {
      expect(parseRetryAfter({ 'retry-after': value }, now, [])).toBeUndefined();
    }
  });

  it('reset headers: whole numbers only, and exactly 1e12 / 1e9 are not yet epoch ms / seconds', () => {
    expect(parseRetryAfter({ 'x-ratelimit-reset': '14' }, now)).toBe(14_000);
    for (const value of ['4a', 'a4', '.5', '5.']) {
      expect(parseRetryAfter({ 'x-ratelimit-reset': value }, now)).toBeUndefined();
    }
    // 1e12 is epoch seconds (year 33658), 1e9 is seconds from now (31 years).
    expect(parseRetryAfter({ 'x-ratelimit-reset': '1000000000000' }, 5)).toBe(1e15 - 5);
    expect(parseRetryAfter({ 'x-ratelimit-reset': '1000000000' }, 5)).toBe(1e12);
  });
});

describe('parseRateLimitHeaders boundaries', () => {
  const now = Date.UTC(2026, 10, 1);
  const read = (headers: Record<string, string>, at = now) => parseRateLimitHeaders(headers, at);

  it('reset values: the same epoch boundaries, rounded to the ms, never negative', () => {
    expect(read({ 'x-ratelimit-reset': '1000000000000' }, 5).resetInMs).toBe(1e15 - 5);
    expect(read({ 'x-ratelimit-reset': '1000000000' }, 5).resetInMs).toBe(1e12);
    expect(read({ 'ratelimit-reset': '0.0004' }).resetInMs).toBe(0);
    expect(read({ 'ratelimit-reset': '1.25' }).resetInMs).toBe(1250);
    expect(read({ 'x-ratelimit-reset': '1000000001' }, 2e12).resetInMs).toBe(0);
  });

  it('numbers: several digits; junk around them, or past what a double holds, is unreadable', () => {
    expect(read({ 'x-ratelimit-remaining': '12' }).remaining).toBe(12);
    for (const value of ['5.', '.5', '9'.repeat(400)]) {
      expect(read({ 'x-ratelimit-remaining': value })).toEqual({
        remaining: undefined,
        resetInMs: undefined,
      });
    }
  });

  it('header values are trimmed whether the name is lower-case or not', () => {
    expect(read({ 'x-ratelimit-remaining': ' 0 ', 'x-ratelimit-reset': ' 3 ' })).toEqual({
      remaining: 0,
      resetInMs: 3000,
    });
    expect(read({ 'X-RateLimit-Remaining': ' 0 ', 'X-RateLimit-Reset': ' 3 ' })).toEqual({
      remaining: 0,
      resetInMs: 3000,
    });
  });

  it('structured items: upper-case parameters, spaces after commas, at most 32 items', () => {
    expect(read({ ratelimit: '"a";R=0;T=5' })).toEqual({ remaining: 0, resetInMs: 5000 });
    expect(
      read({ ratelimit: '"a";r=1;t=1, "b";r=0', 'ratelimit-policy': '"a";w=1, "b";w=9' }),
    ).toEqual({ remaining: 0, resetInMs: 9000 });
    expect(read({ ratelimit: '"a";r=1;t=1, "b";r=0', 'ratelimit-policy': '"b";w=9' })).toEqual({
      remaining: 0,
      resetInMs: 9000,
    });
    const many = Array.from({ length: 32 }, (_, i) => `"p${i}";r=5;t=1`);
    expect(read({ ratelimit: [...many, '"last";r=0;t=99'].join(', ') })).toEqual({
      remaining: 5,
      resetInMs: 1000,
    });
  });

  it('policy names: quoted or not they match; the first window given for a name is kept', () => {
    expect(read({ ratelimit: 'q;r=0', 'ratelimit-policy': '"q";w=9' })).toEqual({
      remaining: 0,
      resetInMs: 9000,
    });
    expect(read({ ratelimit: '"a=b";r=0', 'ratelimit-policy': '"a=b";w=7' })).toEqual({
      remaining: 0,
      resetInMs: 7000,
    });
    expect(read({ ratelimit: '"q";r=0', 'ratelimit-policy': '"q";w=30, "q";q=5' })).toEqual({
      remaining: 0,
      resetInMs: 30_000,
    });
    // A draft-07 item has no name: it takes the window of a policy named "".
    expect(read({ ratelimit: 'remaining=0', 'ratelimit-policy': '"";w=60' })).toEqual({
      remaining: 0,
      resetInMs: 60_000,
    });
    // Only the enclosing quotes go: a quote inside a name is part of it.
    expect(read({ ratelimit: 'ab;r=0', 'ratelimit-policy': '"a"b";w=9' })).toEqual({
      remaining: 0,
      resetInMs: undefined,
    });
    // A first parameter ending in a quote is still a parameter, not a name.
    expect(read({ ratelimit: 'p="q";r=0', 'ratelimit-policy': '"p="q";w=9' })).toEqual({
      remaining: 0,
      resetInMs: undefined,
    });
  });
});

describe('TokenBucket', () => {
  it('a fresh bucket is not paused; a pause ending now does not pause nor spend the burst', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 3 }, clock.now, clock.sleep);
    expect(bucket.pausedForMs()).toBe(0);
    bucket.pauseUntil(clock.now());
    await Promise.all([bucket.acquire(), bucket.acquire(), bucket.acquire()]);
    expect(clock.sleeps).toEqual([]);
  });

  it('a shorter pause does not shorten a longer one', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 1 }, clock.now, clock.sleep);
    bucket.pauseUntil(clock.now() + 5000);
    bucket.pauseUntil(clock.now() + 1000);
    expect(bucket.pausedForMs()).toBe(5000);
  });

  it('no tokens accrue during a pause, they do from its end', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 5 }, clock.now, clock.sleep);
    const start = clock.now();
    bucket.pauseUntil(start + 10_000);
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 3 }, () => bucket.acquire().then(() => times.push(clock.now() - start))),
    );
    expect(times).toEqual([10_000, 11_000, 12_000]);

    const idle = fakeClock();
    const rested = new TokenBucket({ requestsPerSecond: 1, burst: 5 }, idle.now, idle.sleep);
    rested.pauseUntil(idle.now() + 10_000);
    idle.advance(13_000);
    const at = idle.now();
    const got: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, () => rested.acquire().then(() => got.push(idle.now() - at))),
    );
    // One token at the pause's end plus three earned in the 3 s since.
    expect(got).toEqual([0, 0, 0, 0]);
  });

  it('a caller allowing exactly the pause stays queued', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 }, clock.now, clock.sleep);
    await bucket.acquire();
    const start = clock.now();
    const queued = bucket.acquire(undefined, 5000);
    bucket.pauseUntil(start + 5000);
    await queued;
    expect(clock.now() - start).toBe(5000);
  });

  /** A sleep that stays pending until its signal fires or the test ends it. */
  function heldSleep() {
    const sleeps: number[] = [];
    const pending: (() => void)[] = [];
    const sleep = (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (sleeps.length > 20) throw new Error('too many sleeps');
        sleeps.push(ms);
        pending.push(resolve);
        signal?.addEventListener('abort', () => reject(new Error('woken')), { once: true });
      });
    return { sleeps, sleep, pending };
  }

  it('a queued caller that leaves wakes the waiting pump, so the next caller waits afresh', async () => {
    const held = heldSleep();
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 }, () => 0, held.sleep);
    await bucket.acquire();
    const leaving = new AbortController();
    const left = bucket.acquire(leaving.signal).catch((e: Error) => e.message);
    await tick();
    await tick();
    expect(held.sleeps).toEqual([1000]);
    leaving.abort(new Error('gone'));
    expect(await left).toBe('gone');
    await tick();
    void bucket.acquire();
    await tick();
    await tick();
    expect(held.sleeps).toEqual([1000, 1000]);
  });

  it('a pause wakes the waiting pump, which then waits for the pause', async () => {
    const held = heldSleep();
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 }, () => 0, held.sleep);
    await bucket.acquire();
    void bucket.acquire();
    await tick();
    await tick();
    expect(held.sleeps).toEqual([1000]);
    bucket.pauseUntil(5000);
    await tick();
    await tick();
    expect(held.sleeps).toEqual([1000, 5000]);
  });

  it('a caller served, refused by a pause or failed by the sleep leaves no listener on its signal', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 }, clock.now, clock.sleep);
    const first = new AbortController();
    await bucket.acquire(first.signal);
    const second = new AbortController();
    await bucket.acquire(second.signal);
    expect(getEventListeners(first.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(second.signal, 'abort')).toHaveLength(0);

    const refused = new AbortController();
    const queued = bucket.acquire(refused.signal, 10).catch((e: Error) => e.message);
    bucket.pauseUntil(clock.now() + 60_000);
    expect(await queued).toBe('the rate limiter is paused for 60000 ms');
    expect(getEventListeners(refused.signal, 'abort')).toHaveLength(0);

    const broken = new TokenBucket(
      { requestsPerSecond: 1, burst: 1 },
      () => 0,
      async () => {
        throw new Error('clock broke');
      },
    );
    await broken.acquire();
    const failed = new AbortController();
    expect(await broken.acquire(failed.signal).catch((e: Error) => e.message)).toBe('clock broke');
    expect(getEventListeners(failed.signal, 'abort')).toHaveLength(0);
  });
});

describe('cachedTokenAuth flights', () => {
  it('an abandoned fetch that ends late does not drop the fetch that replaced it', async () => {
    const releases: (() => void)[] = [];
    const auth = cachedTokenAuth({
      now: () => 0,
      fetchToken: () =>
        new Promise((resolve) => {
          const n = releases.length + 1;
          releases.push(() => resolve({ token: `zq-flight-${n}-abcdef`, expiresInMs: 3_600_000 }));
        }),
    });
    const leaving = new AbortController();
    const first = auth.token(leaving.signal);
    leaving.abort(new Error('left'));
    await expect(first).rejects.toThrow('left');
    const second = auth.token();
    releases[0]?.();
    await tick();
    const third = auth.token();
    expect(releases).toHaveLength(2);
    for (const release of releases) release();
    expect(await second).toBe('zq-flight-2-abcdef');
    expect(await third).toBe('zq-flight-2-abcdef');
  });

  it('a waiter without a signal pins the fetch: another waiter leaving does not abort it', async () => {
    let fetchSignal: AbortSignal | undefined;
    let release: (() => void) | undefined;
    let n = 0;
    const auth = cachedTokenAuth({
      now: () => 0,
      fetchToken: (signal) =>
        new Promise((resolve) => {
          n++;
          fetchSignal = signal;
          release = () => resolve({ token: 'zq-pinned-token-1', expiresInMs: 3_600_000 });
        }),
    });
    const leaving = new AbortController();
    const left = auth.token(leaving.signal);
    const pinned = auth.token();
    leaving.abort(new Error('left'));
    await expect(left).rejects.toThrow('left');
    expect(fetchSignal?.aborted).toBe(false);
    release?.();
    expect(await pinned).toBe('zq-pinned-token-1');
    expect(await auth.token()).toBe('zq-pinned-token-1');
    expect(n).toBe(1);
  });
});

describe('transport paths', () => {
  it('timing out while the auth provider works is a TimeoutError saying so', async () => {
    const { transport, configs } = make([{ status: 200 }], {
      timeoutMs: 20,
      auth: { headers: () => new Promise<Record<string, string>>(() => undefined) },
    });
    const e = await failure(() => transport.request({ method: 'GET', path: '/c' }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toBe(
      `acme: request timed out after 20 ms waiting for credentials (GET ${BASE}/c)`,
    );
    expect(configs).toHaveLength(0);
  });

  it('an attempt cut by the timeout is retried with reason ETIMEDOUT', async () => {
    const clock = fakeClock();
    let calls = 0;
    const reasons: string[] = [];
    const http = {
      request(config: AxiosRequestConfig) {
        if (++calls > 3) throw new Error('fake axios called too often');
        if (calls > 1) return Promise.resolve({ status: 200, data: '{"ok":1}', headers: {} });
        const signal = config.signal as AbortSignal;
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' })),
          ),
        );
      },
    } as unknown as AxiosInstance;
    const transport = createTransport(
      {
        provider: 'acme',
        baseUrl: BASE,
        timeoutMs: 20,
        now: clock.now,
        sleep: clock.sleep,
        random: () => 0.5,
        hooks: { onRetry: (info) => reasons.push(info.reason) },
      },
      http,
    );
    expect((await transport.request({ method: 'GET', path: '/t' })).data).toEqual({ ok: 1 });
    expect(reasons).toEqual(['ETIMEDOUT']);
    expect(calls).toBe(2);
  });

  it('the reason of the signal that stopped a call reaches what axios listens to', async () => {
    const seen: unknown[] = [];
    const http = {
      request(config: AxiosRequestConfig) {
        const signal = config.signal as AbortSignal;
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            seen.push(signal.reason);
            reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }));
          }),
        );
      },
    } as unknown as AxiosInstance;
    const sharedReason = new Error('shutdown');
    const ownReason = new Error('user left');

    const shared = new AbortController();
    const withShared = createTransport(
      { provider: 'acme', baseUrl: BASE, signal: shared.signal },
      http,
    );
    const a = failure(() =>
      withShared.request({
        method: 'GET',
        path: '/s',
        options: { signal: new AbortController().signal },
      }),
    );
    await tick();
    shared.abort(sharedReason);
    await a;

    const live = createTransport(
      { provider: 'acme', baseUrl: BASE, signal: new AbortController().signal },
      http,
    );
    const own = new AbortController();
    const b = failure(() =>
      live.request({ method: 'GET', path: '/s', options: { signal: own.signal } }),
    );
    await tick();
    own.abort(ownReason);
    await b;

    const alone = createTransport({ provider: 'acme', baseUrl: BASE }, http);
    const mine = new AbortController();
    const c = failure(() =>
      alone.request({ method: 'GET', path: '/s', options: { signal: mine.signal } }),
    );
    await tick();
    mine.abort(ownReason);
    await c;
    expect(seen).toEqual([sharedReason, ownReason, ownReason]);
  });

  it('many calls without a signal sleeping before a retry at once print no listener warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      let calls = 0;
      const http = {
        async request() {
          calls++;
          if (calls > 40) throw new Error('fake axios called too often');
          return calls <= 15
            ? { status: 503, data: '', headers: { 'retry-after': '0' } }
            : { status: 200, data: '1', headers: {} };
        },
      } as unknown as AxiosInstance;
      // The transport's own sleep: a real timer of 0 ms, listening to the call's signal.
      const transport = createTransport({ provider: 'acme', baseUrl: BASE, random: () => 0 }, http);
      const results = await Promise.all(
        Array.from({ length: 15 }, () => transport.request({ method: 'GET', path: '/w' })),
      );
      expect(results.map((r) => r.data)).toEqual(Array.from({ length: 15 }, () => 1));
      expect(calls).toBe(30);
      await tick();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it('a status below 200 is not a success', async () => {
    const { transport } = make([{ status: 199, data: '{"a":1}' }]);
    const e = (await failure(() => transport.request({ method: 'GET', path: '/i' }))) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(199);
  });

  it('a body axios already parsed is returned as it is', async () => {
    const { transport } = make([{ status: 200, data: { already: 'parsed' } }]);
    expect((await transport.request({ method: 'GET', path: '/o' })).data).toEqual({
      already: 'parsed',
    });
  });

  it('response headers: an undefined value is dropped; an auth failure without headers has none', async () => {
    const { transport } = make([{ status: 200, headers: { 'X-U': undefined, 'X-A': 'a' } }]);
    expect((await transport.request({ method: 'GET', path: '/h' })).headers).toEqual({
      'x-a': 'a',
    });
    const refused = make([{ status: 200 }], {
      auth: {
        headers: () => {
          throw Object.assign(new Error('no'), { response: { status: 403, data: 'forbidden' } });
        },
      },
    });
    const e = (await failure(() =>
      refused.transport.request({ method: 'GET', path: '/h' }),
    )) as ApiError;
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e.headers).toEqual({});
    expect(e.message).toBe(`acme 403: could not obtain credentials (GET ${BASE}/h)`);
  });

  it('an auth failure whose code is not a string names no code', async () => {
    const { transport } = make([{ status: 200 }], {
      auth: {
        headers: () => {
          throw Object.assign(new Error('x'), { code: 5 });
        },
      },
    });
    const e = await failure(() => transport.request({ method: 'GET', path: '/a' }));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toBe('acme: could not obtain credentials');
  });

  it('the adapter veto is not asked about a network error, which is retried', async () => {
    const asked: unknown[] = [];
    const { transport, configs } = make([{ error: { code: 'ECONNRESET' } }, { status: 200 }], {
      isRetryable: (status) => {
        asked.push(status);
        return false;
      },
    });
    await transport.request({ method: 'GET', path: '/n' });
    expect(configs).toHaveLength(2);
    expect(asked).toEqual([]);
  });

  it("a 5xx's Retry-After times its own retry but does not pause the limiter for others", async () => {
    const { transport, clock } = make(
      [{ status: 503, headers: { 'retry-after': '5' } }, { status: 200 }],
      { rateLimit: { requestsPerSecond: 100 }, maxRetries: 0 },
    );
    await failure(() => transport.request({ method: 'GET', path: '/p' }));
    await transport.request({ method: 'GET', path: '/p' });
    expect(clock.sleeps).toEqual([]);
  });

  it('backoff is capped at 30 s by default', async () => {
    const errors: Answer[] = Array.from({ length: 7 }, () => ({ error: { code: 'ECONNRESET' } }));
    const { transport, clock } = make([...errors, { status: 200 }], { maxRetries: 7 });
    await transport.request({ method: 'GET', path: '/b' });
    expect(clock.sleeps).toEqual([375, 750, 1500, 3000, 6000, 12_000, 22_500]);
  });

  it('a write is retried on a 429 by default, not on a 503', async () => {
    const limited = make([{ status: 429 }, { status: 201 }]);
    await limited.transport.request({ method: 'DELETE', path: '/d' });
    expect(limited.configs).toHaveLength(2);
    const down = make([{ status: 503 }, { status: 201 }]);
    await failure(() => down.transport.request({ method: 'DELETE', path: '/d' }));
    expect(down.configs).toHaveLength(1);
  });

  it('per-call limits beat the adapter ones in what axios is asked', async () => {
    const { transport, configs } = make([{ status: 200 }], {
      timeoutMs: 1000,
      maxResponseBytes: 1000,
    });
    await transport.request({
      method: 'GET',
      path: '/l',
      options: { timeoutMs: 55, maxResponseBytes: 77 },
    });
    expect(configs[0]?.timeout).toBe(55);
    expect(configs[0]?.maxContentLength).toBe(77);
  });

  it('an upper-case HTTPS URL answered on a clear socket is a proxy refusing the tunnel', async () => {
    const { transport } = make([{ status: 403, socket: { encrypted: false } }]);
    const e = await failure(() =>
      transport.request({ method: 'GET', path: 'HTTPS://other.survivors.test/x' }),
    );
    expect(e).toBeInstanceOf(ConnectionError);
    expect(
      e.message.startsWith('acme: the HTTPS proxy refused the tunnel (CONNECT answered 403)'),
    ).toBe(true);
  });

  it('an Idempotency-Key header, whatever its case, is no credential', async () => {
    const { transport } = make([{ status: 400, data: '{"message":"dup Idem-Key-Survivor-1"}' }]);
    const e = await failure(() =>
      transport.request({
        method: 'POST',
        path: '/w',
        body: {},
        headers: { 'Idempotency-Key': 'Idem-Key-Survivor-1' },
      }),
    );
    expect(e.message).toBe(`acme 400: dup Idem-Key-Survivor-1 (POST ${BASE}/w)`);
  });

  it('a secret is redacted from errors raw and URL-encoded, in the body and in the URL', async () => {
    const secret = 'zq survivor secret/with spaces';
    const { transport } = make(
      [
        {
          status: 400,
          data: JSON.stringify({ message: `bad ${encodeURIComponent(secret)} ${secret}` }),
        },
      ],
      { auth: { headers: () => ({}), secrets: [secret] } },
    );
    const e = await failure(() =>
      transport.request({ method: 'GET', path: '/s', query: { key: secret } }),
    );
    expect(e.message).toBe(`acme 400: bad [REDACTED] [REDACTED] (GET ${BASE}/s?key=[REDACTED])`);
  });
});

describe('transport paths, continued', () => {
  it("an abort during the transport's own wait before a retry is an AbortError", async () => {
    const { http, configs } = fakeHttp([{ status: 503, headers: { 'retry-after': '30' } }]);
    const transport = createTransport({ provider: 'acme', baseUrl: BASE }, http);
    const own = new AbortController();
    const call = failure(() =>
      transport.request({ method: 'GET', path: '/a', options: { signal: own.signal } }),
    );
    await tick();
    own.abort(new Error('user left'));
    const e = await call;
    expect(e).toBeInstanceOf(AbortError);
    expect(e.message).toBe('The request was aborted.');
    expect(configs).toHaveLength(1);
  });

  it("'https:' inside a path is not an absolute URL, nor a sign of a refused tunnel", async () => {
    const { transport, configs } = make([{ status: 200 }]);
    await transport.request({ method: 'GET', path: '/to/https://x.test' });
    expect(configs[0]?.url).toBe(`${BASE}/to/https://x.test`);
    const plain = make([{ status: 200, data: '{"v":3}', socket: { encrypted: false } }]);
    const res = await plain.transport.request({
      method: 'GET',
      path: 'http://127.0.0.1:9/to/https://x.test',
    });
    expect(res.data).toEqual({ v: 3 });
  });

  it('an auth provider throwing undefined or null is a ConnectionError', async () => {
    for (const thrown of [undefined, null]) {
      const { transport } = make([{ status: 200 }], {
        auth: {
          headers: () => {
            throw thrown;
          },
        },
      });
      const e = await failure(() => transport.request({ method: 'GET', path: '/a' }));
      expect(e).toBeInstanceOf(ConnectionError);
      expect(e.message).toBe('acme: could not obtain credentials');
    }
  });

  it('an error body of JSON null has no message', async () => {
    const { transport } = make([{ status: 400, data: 'null' }]);
    const e = await failure(() => transport.request({ method: 'GET', path: '/n' }));
    expect(e.message).toBe(`acme 400: request failed (GET ${BASE}/n)`);
  });

  it('a transport given no secrets redacts nothing from a vendor message', async () => {
    // Guards the default of `auth.secrets`: an empty list, not a placeholder secret.
    const { transport } = make([{ status: 400, data: '{"message":"Stryker was here"}' }]);
    const e = await failure(() => transport.request({ method: 'GET', path: '/m' }));
    expect(e.message).toBe(`acme 400: Stryker was here (GET ${BASE}/m)`);
  });

  it('errors made by the transport carry the provider, the request and the cause', async () => {
    const request = { method: 'GET', url: `${BASE}/e`, operation: 'things.get' };
    const timeout = make([{ error: { code: 'ETIMEDOUT', message: 'slow' } }], { maxRetries: 0 });
    const t = await failure(() =>
      timeout.transport.request({ method: 'GET', path: '/e', operation: 'things.get' }),
    );
    expect(t).toBeInstanceOf(TimeoutError);
    expect([t.provider, t.request, (t.cause as Error).message]).toEqual(['acme', request, 'slow']);

    const big = make([{ error: { code: 'ERR_STRING_TOO_LONG', message: 'huge' } }]);
    const b = await failure(() =>
      big.transport.request({ method: 'GET', path: '/e', operation: 'things.get' }),
    );
    expect(b).toBeInstanceOf(ResponseTooLargeError);
    expect([b.provider, b.request, (b.cause as Error).message]).toEqual(['acme', request, 'huge']);

    const proxy = make([{ status: 502, socket: { encrypted: false } }]);
    const p = await failure(() =>
      proxy.transport.request({ method: 'GET', path: '/e', operation: 'things.get' }),
    );
    expect([p.provider, p.request]).toEqual(['acme', request]);

    const own = new AbortController();
    const http = {
      request: () => {
        own.abort();
        return Promise.reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }));
      },
    } as unknown as AxiosInstance;
    const aborting = createTransport({ provider: 'acme', baseUrl: BASE }, http);
    const a = await failure(() =>
      aborting.request({
        method: 'GET',
        path: '/e',
        operation: 'things.get',
        options: { signal: own.signal },
      }),
    );
    expect(a).toBeInstanceOf(AbortError);
    expect([a.provider, a.request, (a.cause as Error).message]).toEqual([
      'acme',
      request,
      'canceled',
    ]);
  });

  it("a call's own signal keeps no listener once the call ends (no adapter-wide signal)", async () => {
    const { transport } = make([{ status: 500 }, { status: 200 }]);
    const own = new AbortController();
    await transport.request({ method: 'GET', path: '/l', options: { signal: own.signal } });
    expect(getEventListeners(own.signal, 'abort')).toHaveLength(0);
  });

  it('a header that names no credential is not redacted', async () => {
    const { transport } = make([{ status: 400, data: '{"message":"trace zq-trace-value-77"}' }]);
    const e = await failure(() =>
      transport.request({ method: 'GET', path: '/t', headers: { 'x-trace': 'zq-trace-value-77' } }),
    );
    expect(e.message).toBe(`acme 400: trace zq-trace-value-77 (GET ${BASE}/t)`);
  });

  it('hooks may be given one at a time', async () => {
    const retries: string[] = [];
    const onlyRetry = make([{ status: 500 }, { status: 200, data: '1' }], {
      hooks: { onRetry: (info) => retries.push(info.reason) },
    });
    expect((await onlyRetry.transport.request({ method: 'GET', path: '/h' })).data).toBe(1);
    expect(retries).toEqual(['500']);
    const attempts: number[] = [];
    const onlyRequest = make([{ status: 500 }, { status: 200, data: '2' }], {
      hooks: { onRequest: (info) => attempts.push(info.attempt) },
    });
    expect((await onlyRequest.transport.request({ method: 'GET', path: '/h' })).data).toBe(2);
    expect(attempts).toEqual([1, 2]);
  });

  it('a 2xx body that is not JSON is one invalid_json issue at the root', async () => {
    const { transport } = make([{ status: 200, data: '{oops' }]);
    const e = (await failure(() =>
      transport.request({ method: 'GET', path: '/j' }),
    )) as ResponseValidationError;
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect(e.issues).toEqual([
      { path: '', rule: 'invalid_json', message: 'response body is not valid JSON' },
    ]);
  });

  it('a schema the fast check cannot compile is applied by zod (unknown keys stripped)', async () => {
    const { transport } = make([{ status: 200, data: '{"a":1,"b":2}' }]);
    const res = await transport.request({
      method: 'GET',
      path: '/z',
      schema: z.object({ a: z.number() }),
    });
    expect(res.data).toEqual({ a: 1 });
  });

  it('a 401 without onUnauthorized, or without auth, is an AuthenticationError, sent once', async () => {
    for (const auth of [undefined, { headers: () => ({}) }]) {
      const { transport, configs } = make([{ status: 401 }, { status: 200 }], { auth });
      const e = await failure(() => transport.request({ method: 'GET', path: '/u' }));
      expect(e).toBeInstanceOf(AuthenticationError);
      expect(configs).toHaveLength(1);
    }
  });
});

describe('more boundaries', () => {
  it('shouldRetry treats HEAD and OPTIONS as reads', () => {
    const ctx = {
      attempt: 1,
      maxRetries: 3,
      status: 500,
      idempotent: false,
      retryWriteOn: [429] as number[],
    };
    expect(shouldRetry({ ...ctx, method: 'HEAD' })).toBe(true);
    expect(shouldRetry({ ...ctx, method: 'OPTIONS' })).toBe(true);
    expect(shouldRetry({ ...ctx, method: 'PUT' })).toBe(false);
  });

  it('structured parameters may have spaces around their =', () => {
    expect(parseRateLimitHeaders({ ratelimit: '"a";r = 0;t = 5' }, 0)).toEqual({
      remaining: 0,
      resetInMs: 5000,
    });
  });

  it('the longest timer is 2^31-1 ms', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
  });

  it("the bucket's own sleep is a real timer for the wait, ended when the caller leaves", async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 }, () => 0);
    await bucket.acquire();
    const leaving = new AbortController();
    const queued = bucket.acquire(leaving.signal).catch((e: Error) => e.message);
    await tick();
    await tick();
    expect(spy.mock.calls.map((call) => call[1])).toContain(1000);
    leaving.abort(new Error('gone'));
    expect(await queued).toBe('gone');
  });

  it('a token waiter leaves no listener on its signal once served', async () => {
    const auth = cachedTokenAuth({
      now: () => 0,
      fetchToken: async () => ({ token: 'zq-served-token-1', expiresInMs: 3_600_000 }),
    });
    const signal = new AbortController().signal;
    expect(await auth.token(signal)).toBe('zq-served-token-1');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('bearerAuth keeps a token that only contains "bearer " as it is, with the prefix added', async () => {
    expect(await bearerAuth('zq-x bearer zq-mid-1').headers()).toEqual({
      authorization: 'Bearer zq-x bearer zq-mid-1',
    });
  });

  it('a beforeRequest hook that stops its own call and throws ends it as aborted', async () => {
    const own = new AbortController();
    const { transport, configs } = make([{ status: 200 }]);
    const e = await failure(() =>
      transport.request({
        method: 'GET',
        path: '/b',
        options: {
          signal: own.signal,
          beforeRequest: () => {
            own.abort(new Error('hook gave up'));
            throw new Error('hook gave up');
          },
        },
      }),
    );
    expect(e).toBeInstanceOf(AbortError);
    expect(e.message).toBe('The request was aborted.');
    expect(configs).toHaveLength(0);
  });
});

describe('survivors of the 14:43 run', () => {
  it('a fraction of a token left shortens the wait for the next', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 }, clock.now, clock.sleep);
    await bucket.acquire();
    clock.advance(500);
    await bucket.acquire();
    expect(clock.sleeps).toEqual([500]);
  });

  it('an exact lower-case header name wins over another spelling; epoch ms above 1e12 in resets', () => {
    expect(
      parseRateLimitHeaders({ 'X-RateLimit-Remaining': '5', 'x-ratelimit-remaining': '0' }, 0)
        .remaining,
    ).toBe(0);
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': String(1e12 + 5) }, 1e12).resetInMs).toBe(
      5,
    );
  });

  it('an adapter-wide signal with a call that has none', async () => {
    const { http, configs } = fakeHttp([{ status: 200, data: '7' }]);
    const transport = createTransport(
      { provider: 'acme', baseUrl: BASE, signal: new AbortController().signal },
      http,
    );
    expect((await transport.request({ method: 'GET', path: '/s' })).data).toBe(7);
    expect(configs).toHaveLength(1);
  });

  it('a schema failure names the operation, else "response"', async () => {
    const schema = z.object({ a: z.number() });
    const named = make([{ status: 200, data: '{"a":"x"}' }]);
    const e1 = await failure(() =>
      named.transport.request({ method: 'GET', path: '/v', schema, operation: 'things.get' }),
    );
    expect(e1.message.startsWith('acme things.get does not match its schema at a')).toBe(true);
    const anonymous = make([{ status: 200, data: '{"a":"x"}' }]);
    const e2 = await failure(() =>
      anonymous.transport.request({ method: 'GET', path: '/v', schema }),
    );
    expect(e2.message.startsWith('acme response does not match its schema at a')).toBe(true);
  });

  it('only a 401 asks onUnauthorized', async () => {
    let asked = 0;
    const { transport, configs } = make([{ status: 403 }, { status: 200 }], {
      auth: {
        headers: () => ({}),
        onUnauthorized: () => {
          asked++;
          return true;
        },
      },
    });
    await failure(() => transport.request({ method: 'GET', path: '/f' }));
    expect(asked).toBe(0);
    expect(configs).toHaveLength(1);
  });
});
