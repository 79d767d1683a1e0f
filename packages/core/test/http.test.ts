import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
} from '../src/errors';
import {
  bearerAuth,
  buildQuery,
  cachedTokenAuth,
  createTransport,
  type HookRequestInfo,
  parseRetryAfter,
  type RetryContext,
  retryDelay,
  shouldRetry,
  TokenBucket,
  type TransportConfig,
} from '../src/http';
import { fakeClock } from './fake-clock';

const ctx = (over: Partial<RetryContext> = {}): RetryContext => ({
  attempt: 1,
  maxRetries: 3,
  method: 'GET',
  status: 500,
  idempotent: false,
  retryWriteOn: [429],
  ...over,
});

describe('shouldRetry', () => {
  it.each([408, 429, 500, 502, 503, 504])('retries a GET on %i', (status) => {
    expect(shouldRetry(ctx({ status }))).toBe(true);
  });
  it.each([400, 401, 403, 404, 409, 422, 302])('never retries %i', (status) => {
    expect(shouldRetry(ctx({ status }))).toBe(false);
    expect(shouldRetry(ctx({ status, method: 'POST', idempotent: true }))).toBe(false);
  });
  it('retries network errors on reads', () => {
    expect(shouldRetry(ctx({ status: undefined, errorCode: 'ECONNRESET' }))).toBe(true);
  });
  it('stays within the budget', () => {
    expect(shouldRetry(ctx({ attempt: 3, maxRetries: 3 }))).toBe(true);
    expect(shouldRetry(ctx({ attempt: 4, maxRetries: 3 }))).toBe(false);
    expect(shouldRetry(ctx({ attempt: 1, maxRetries: 0 }))).toBe(false);
  });
  it('retries writes only when idempotent or the status proves nothing was written', () => {
    expect(shouldRetry(ctx({ method: 'POST', status: 500 }))).toBe(false);
    expect(shouldRetry(ctx({ method: 'POST', status: undefined, errorCode: 'ECONNRESET' }))).toBe(
      false,
    );
    expect(shouldRetry(ctx({ method: 'POST', status: 500, idempotent: true }))).toBe(true);
    expect(shouldRetry(ctx({ method: 'PATCH', status: 429 }))).toBe(true);
    expect(shouldRetry(ctx({ method: 'POST', status: 503, retryWriteOn: [503] }))).toBe(true);
    expect(shouldRetry(ctx({ method: 'DELETE', status: 503, retryWriteOn: [429] }))).toBe(false);
    expect(shouldRetry(ctx({ method: 'get', status: 500 }))).toBe(true);
  });
  it('honours the veto', () => {
    expect(shouldRetry(ctx({ status: 503, vetoed: true }))).toBe(false);
  });
});

describe('retryDelay', () => {
  it('grows exponentially with jitter between half and the whole step', () => {
    expect(retryDelay({ attempt: 1, random: 0 })).toBe(250);
    expect(retryDelay({ attempt: 1, random: 1 })).toBe(500);
    expect(retryDelay({ attempt: 2, random: 1 })).toBe(1000);
    expect(retryDelay({ attempt: 3, random: 1 })).toBe(2000);
    expect(retryDelay({ attempt: 3, random: 0.5, baseMs: 100 })).toBe(300);
    for (let attempt = 1; attempt < 8; attempt++) {
      for (let i = 0; i < 20; i++) {
        const d = retryDelay({ attempt });
        const step = Math.min(30_000, 500 * 2 ** (attempt - 1));
        expect(d).toBeGreaterThanOrEqual(step / 2);
        expect(d).toBeLessThanOrEqual(step);
      }
    }
  });
  it('is capped at maxMs, even for huge attempts and odd random values', () => {
    expect(retryDelay({ attempt: 50, random: 1 })).toBe(30_000);
    expect(retryDelay({ attempt: 5000, random: 1, maxMs: 1000 })).toBe(1000);
    expect(retryDelay({ attempt: 2, random: 7 })).toBe(1000);
    expect(retryDelay({ attempt: 2, random: -3 })).toBe(500);
  });
  it('uses the vendor ask, capped at five minutes', () => {
    expect(retryDelay({ attempt: 1, retryAfterMs: 1234 })).toBe(1234);
    expect(retryDelay({ attempt: 1, retryAfterMs: 0 })).toBe(0);
    expect(retryDelay({ attempt: 1, retryAfterMs: 10 * 60_000 })).toBe(300_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-01T10:00:00.000Z');
  it('reads seconds', () => {
    expect(parseRetryAfter({ 'retry-after': '3' }, now)).toBe(3000);
    expect(parseRetryAfter({ 'retry-after': '1.5' }, now)).toBe(1500);
    expect(parseRetryAfter({ 'retry-after': '0' }, now)).toBe(0);
  });
  it('reads an HTTP-date and an ISO date', () => {
    expect(parseRetryAfter({ 'retry-after': 'Sun, 01 Nov 2026 10:00:05 GMT' }, now)).toBe(5000);
    expect(parseRetryAfter({ 'retry-after': '2026-11-01T10:00:07Z' }, now)).toBe(7000);
    expect(parseRetryAfter({ 'retry-after': '2026-11-01T09:00:00Z' }, now)).toBe(0);
  });
  it('reads reset headers as epoch seconds, epoch ms or seconds from now', () => {
    expect(parseRetryAfter({ 'x-ratelimit-reset': String(now / 1000 + 9) }, now)).toBe(9000);
    expect(parseRetryAfter({ 'x-ratelimit-reset': String(now + 4000) }, now)).toBe(4000);
    expect(parseRetryAfter({ 'x-ratelimit-reset': '12' }, now)).toBe(12_000);
    expect(parseRetryAfter({ 'x-rate-reset': '2' }, now, ['x-rate-reset'])).toBe(2000);
  });
  it('is undefined when absent or unreadable', () => {
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'abc 1' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'x-ratelimit-reset': 'x' }, now)).toBeUndefined();
  });
});

describe('TokenBucket', () => {
  it('paces N concurrent acquires to the rate', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 5, burst: 2 }, clock.now, clock.sleep);
    const start = clock.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, () => bucket.acquire().then(() => times.push(clock.now()))),
    );
    expect(times).toHaveLength(12);
    // Two at once (the burst), then one every 200 ms: 10 more take 2 s.
    expect(times.filter((x) => x === start)).toHaveLength(2);
    expect(Math.max(...times) - start).toBe(2000);
    for (let i = 0; i <= 2000; i += 1000) {
      // No window of one second admits more than burst + rate requests.
      expect(
        times.filter((x) => x >= start + i && x < start + i + 1000).length,
      ).toBeLessThanOrEqual(7);
    }
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('pauseUntil holds every caller until the given time', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 10 }, clock.now, clock.sleep);
    await bucket.acquire();
    bucket.pauseUntil(clock.now() + 5000);
    const resumeAt = clock.now() + 5000;
    await bucket.acquire();
    expect(clock.now()).toBeGreaterThanOrEqual(resumeAt);
    expect(clock.now()).toBeLessThan(resumeAt + 200);
    // A pause that already ended changes nothing: the next caller waits only for its token.
    bucket.pauseUntil(clock.now() - 1000);
    expect(bucket.pausedForMs()).toBe(0);
    const sleepsBefore = clock.sleeps.length;
    await bucket.acquire();
    expect(clock.sleeps.slice(sleepsBefore)).toEqual([100]);
  });

  it('rejects a non-positive rate', () => {
    expect(() => new TokenBucket({ requestsPerSecond: 0 })).toThrow(RangeError);
  });
});

describe('buildQuery', () => {
  it('repeats array keys and skips empty values', () => {
    expect(buildQuery({ a: ['1', '2'], b: undefined, c: null, d: 0, e: false })).toBe(
      '?a=1&a=2&d=0&e=false',
    );
    expect(buildQuery({})).toBe('');
  });
});

const BASE = 'https://api.http.test';

describe('createTransport (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());

  function make(over: Partial<TransportConfig> = {}) {
    const clock = fakeClock();
    const events: { name: string; info: HookRequestInfo & Record<string, unknown> }[] = [];
    const hook = (name: string) => (info: HookRequestInfo) =>
      events.push({ name, info: info as HookRequestInfo & Record<string, unknown> });
    const transport = createTransport({
      provider: 'acme',
      baseUrl: `${BASE}/`,
      auth: bearerAuth('tok_http_test_123456'),
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
      hooks: { onRequest: hook('request'), onResponse: hook('response'), onRetry: hook('retry') },
      ...over,
    });
    return { transport, clock, events };
  }

  it('retries 5xx, 429 and ECONNRESET, then succeeds', async () => {
    nock(BASE)
      .get('/items')
      .reply(500, { message: 'boom' })
      .get('/items')
      .reply(429, {})
      .get('/items')
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .get('/items')
      .reply(200, { ok: true });
    const { transport, events, clock } = make();
    const res = await transport.request({
      method: 'GET',
      path: '/items',
      options: { maxRetries: 3 },
    });
    expect(res.data).toEqual({ ok: true });
    expect(res.status).toBe(200);
    expect(events.filter((e) => e.name === 'retry').map((e) => e.info.reason)).toEqual([
      '500',
      '429',
      'ECONNRESET',
    ]);
    expect(events.filter((e) => e.name === 'request').map((e) => e.info.attempt)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(clock.sleeps).toHaveLength(3);
    // 500: exponential (attempt 1, random 0.5 → 375); 429 without Retry-After: ~1 s.
    expect(clock.sleeps[0]).toBe(375);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(1000);
    expect(clock.sleeps[1]).toBeLessThanOrEqual(1250);
  });

  it('honours Retry-After in seconds and as an HTTP date, and a body retry_after', async () => {
    const { transport, clock } = make({
      parseError: (body) => ({
        retryAfterMs:
          typeof (body as { retry_after?: number })?.retry_after === 'number'
            ? (body as { retry_after: number }).retry_after * 1000
            : undefined,
      }),
    });
    const httpDate = new Date(clock.now() + 7000).toUTCString();
    nock(BASE)
      .get('/r')
      .reply(429, {}, { 'Retry-After': '4' })
      .get('/r')
      .reply(503, {}, { 'Retry-After': httpDate })
      .get('/r')
      .reply(429, { retry_after: 2 })
      .get('/r')
      .reply(200, []);
    await transport.request({ method: 'GET', path: '/r' });
    expect(clock.sleeps[0]).toBe(4000);
    // The HTTP date is at second precision, measured from the (advanced) fake clock.
    expect(clock.sleeps[1]).toBeGreaterThan(1500);
    expect(clock.sleeps[1]).toBeLessThanOrEqual(3000);
    expect(clock.sleeps[2]).toBe(2000);
  });

  it('stops at maxRetries and throws the last error', async () => {
    nock(BASE).get('/down').times(3).reply(502, { message: 'bad gateway' });
    const { transport, clock } = make({ maxRetries: 2 });
    const err = await transport.request({ method: 'GET', path: '/down' }).catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.status).toBe(502);
    expect(err.message).toContain('bad gateway');
    expect(clock.sleeps).toHaveLength(2);
  });

  it('does not retry a POST on 500 unless it is idempotent', async () => {
    nock(BASE).post('/w').reply(500, {});
    const { transport } = make();
    await expect(
      transport.request({ method: 'POST', path: '/w', body: { a: 1 } }),
    ).rejects.toBeInstanceOf(ServerError);

    nock(BASE).post('/w', { a: 1 }).reply(500, {}).post('/w', { a: 1 }).reply(201, { id: 'x' });
    const res = await transport.request({
      method: 'POST',
      path: '/w',
      body: { a: 1 },
      idempotent: true,
    });
    expect(res.data).toEqual({ id: 'x' });

    nock(BASE).post('/w').reply(429, {}).post('/w').reply(201, { id: 'y' });
    expect((await transport.request({ method: 'POST', path: '/w', body: {} })).data).toEqual({
      id: 'y',
    });
  });

  it('a veto stops the retry', async () => {
    nock(BASE).get('/blocked').reply(503, { error: 'account blocked' });
    const { transport } = make({ isRetryable: (status) => status !== 503 });
    await expect(transport.request({ method: 'GET', path: '/blocked' })).rejects.toBeInstanceOf(
      ServerError,
    );
  });

  it('401 → auth.onUnauthorized once, then retries with the new token', async () => {
    let n = 0;
    const onUnauthorized = vi.fn(async () => {
      n++;
      return true;
    });
    const seen: string[] = [];
    nock(BASE)
      .get('/me')
      .times(3)
      .reply(function () {
        seen.push(String(this.req.headers.authorization));
        return seen.length === 1 ? [401, { message: 'expired' }] : [200, { me: 1 }];
      });
    const { transport } = make({
      auth: { headers: () => ({ authorization: `Bearer t${n}` }), onUnauthorized },
    });
    const res = await transport.request({ method: 'GET', path: '/me' });
    expect(res.data).toEqual({ me: 1 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(seen).toEqual(['Bearer t0', 'Bearer t1']);
    nock.cleanAll();

    nock(BASE).get('/me').times(2).reply(401, { message: 'nope' });
    const err = await transport.request({ method: 'GET', path: '/me' }).catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(onUnauthorized).toHaveBeenCalledTimes(2);
  });

  it('a timeout is a TimeoutError', async () => {
    nock(BASE).get('/slow').delay(300).reply(200, {});
    const { transport } = make();
    const started = Date.now();
    const err = await transport
      .request({ method: 'GET', path: '/slow', options: { timeoutMs: 30, maxRetries: 0 } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(Date.now() - started).toBeLessThan(250);
  });

  it('an abort is an AbortError, promptly, and is never retried', async () => {
    nock(BASE).get('/hang').delay(2000).reply(200, {});
    const { transport, events } = make();
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    const err = await transport
      .request({ method: 'GET', path: '/hang', options: { signal: controller.signal } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(500);
    expect(events.filter((e) => e.name === 'retry')).toHaveLength(0);
    nock.abortPendingRequests();
    nock.cleanAll();
  });

  it('a transport-wide signal also aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const { transport } = make({ signal: controller.signal });
    await expect(transport.request({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(
      AbortError,
    );
  });

  it('schema failures are ResponseValidationErrors with the path; invalid JSON too', async () => {
    nock(BASE)
      .get('/s')
      .reply(200, { items: [{ id: 'a' }, { id: 2 }] })
      .get('/j')
      .reply(200, '{"items": [', { 'content-type': 'application/json' });
    const { transport } = make();
    const schema = z.object({ items: z.array(z.object({ id: z.string() })) });
    const err = await transport
      .request({ method: 'GET', path: '/s', schema, operation: 'things.list' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ResponseValidationError);
    expect(err.path).toBe('items.1.id');
    expect(err.provider).toBe('acme');
    expect(err.message).toContain('items.1.id');
    const bad = await transport.request({ method: 'GET', path: '/j' }).catch((e) => e);
    expect(bad).toBeInstanceOf(ResponseValidationError);
    expect(bad.issues[0].rule).toBe('invalid_json');
  });

  it('a redirect is an error, not a success', async () => {
    nock(BASE).get('/moved').reply(302, 'see other', { location: 'https://elsewhere.test/' });
    const { transport } = make();
    await expect(transport.request({ method: 'GET', path: '/moved' })).rejects.toMatchObject({
      status: 302,
    });
  });

  it('per-call options beat transport options', async () => {
    nock(BASE).get('/p').times(2).reply(500, {});
    const { transport, clock } = make({ maxRetries: 5 });
    await expect(
      transport.request({ method: 'GET', path: '/p', options: { maxRetries: 1 } }),
    ).rejects.toBeInstanceOf(ServerError);
    expect(clock.sleeps).toHaveLength(1);

    nock(BASE)
      .get('/h')
      .matchHeader('x-a', 'call')
      .matchHeader('x-b', 'client')
      .reply(200, { ok: 1 });
    const t2 = make({ headers: { 'x-a': 'client', 'x-b': 'client' } }).transport;
    await expect(
      t2.request({ method: 'GET', path: 'h', options: { headers: { 'x-a': 'call' } } }),
    ).resolves.toMatchObject({ data: { ok: 1 } });
  });

  it('hooks see redacted headers and get the status and duration', async () => {
    nock(BASE)
      .get('/hooked')
      .query({ access_token: 'qtoken_abcdef' })
      .matchHeader('authorization', 'Bearer tok_http_test_123456')
      .reply(200, { ok: true }, { 'x-request-id': 'rid-1', 'set-cookie': 'sid=zzz' });
    const { transport, events } = make({ requestIdHeader: 'x-request-id' });
    const res = await transport.request({
      method: 'GET',
      path: '/hooked',
      query: { access_token: 'qtoken_abcdef' },
      operation: 'hooked.get',
    });
    expect(res.requestId).toBe('rid-1');
    const [req, resp] = events;
    expect(req?.name).toBe('request');
    expect(req?.info.headers.authorization).toBe('[REDACTED]');
    expect(req?.info.operation).toBe('hooked.get');
    expect(req?.info.url).not.toContain('qtoken_abcdef');
    expect(resp?.name).toBe('response');
    expect(resp?.info.status).toBe(200);
    expect(resp?.info.headers['set-cookie']).toBe('[REDACTED]');
    expect(JSON.stringify(events)).not.toContain('tok_http_test_123456');
  });

  it('X-RateLimit-Remaining: 0 pauses the limiter until the reset', async () => {
    const clock = fakeClock(1_700_000_000_000);
    const resetAt = Math.floor(clock.now() / 1000) + 10;
    nock(BASE)
      .get('/rl')
      .reply(200, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt) })
      .get('/rl')
      .reply(200, {});
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      now: clock.now,
      sleep: clock.sleep,
      rateLimit: { requestsPerSecond: 100 },
    });
    await transport.request({ method: 'GET', path: '/rl' });
    expect(clock.sleeps).toEqual([]);
    await transport.request({ method: 'GET', path: '/rl' });
    expect(clock.now()).toBeGreaterThanOrEqual(resetAt * 1000);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(9000);
  });

  it('a 429 with Retry-After pauses the limiter for other callers too', async () => {
    const clock = fakeClock();
    nock(BASE).get('/a').reply(429, {}, { 'retry-after': '3' }).get('/a').reply(200, {});
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      now: clock.now,
      sleep: clock.sleep,
      rateLimit: { requestsPerSecond: 50 },
    });
    const start = clock.now();
    await transport.request({ method: 'GET', path: '/a' });
    expect(clock.now() - start).toBeGreaterThanOrEqual(3000);
  });

  it('an abort during a limiter wait is prompt', async () => {
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      rateLimit: { requestsPerSecond: 0.01, burst: 1 },
    });
    nock(BASE).get('/first').reply(200, {});
    await transport.request({ method: 'GET', path: '/first' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    await expect(
      transport.request({ method: 'GET', path: '/second', options: { signal: controller.signal } }),
    ).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('cachedTokenAuth', () => {
  it('fetches once however many callers wait (single flight)', async () => {
    let release: (() => void) | undefined;
    const fetchToken = vi.fn(
      () =>
        new Promise<{ token: string; expiresInMs: number }>((resolve) => {
          release = () => resolve({ token: 'tok-1-abcdef', expiresInMs: 3_600_000 });
        }),
    );
    const auth = cachedTokenAuth({ fetchToken });
    const waiting = Promise.all(Array.from({ length: 20 }, () => auth.headers()));
    await Promise.resolve();
    release?.();
    const all = await waiting;
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(new Set(all.map((h) => h.authorization))).toEqual(new Set(['Bearer tok-1-abcdef']));
    await auth.headers();
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('refreshes before expiry', async () => {
    const clock = fakeClock();
    let n = 0;
    const auth = cachedTokenAuth({
      fetchToken: async () => ({ token: `tok-${++n}-abcdef`, expiresInMs: 600_000 }),
      refreshBeforeMs: 60_000,
      now: clock.now,
    });
    expect(await auth.token()).toBe('tok-1-abcdef');
    clock.advance(539_000);
    expect(await auth.token()).toBe('tok-1-abcdef');
    clock.advance(2000); // 59 s before expiry: inside the refresh margin
    expect(await auth.token()).toBe('tok-2-abcdef');
  });

  it('a short-lived token is not refetched on every request', async () => {
    const clock = fakeClock();
    const fetchToken = vi.fn(async () => ({ token: 'short-lived', expiresInMs: 30_000 }));
    const auth = cachedTokenAuth({ fetchToken, refreshBeforeMs: 60_000, now: clock.now });
    await auth.token();
    await auth.token();
    expect(fetchToken).toHaveBeenCalledTimes(1);
    clock.advance(16_000);
    await auth.token();
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('refreshes on unauthorized, and a failed fetch can be retried', async () => {
    let n = 0;
    const auth = cachedTokenAuth({
      fetchToken: async () => {
        n++;
        if (n === 2) throw new Error('token endpoint down');
        return { token: `tok-${n}-abcdef`, expiresInMs: 3_600_000 };
      },
    });
    expect(await auth.token()).toBe('tok-1-abcdef');
    await expect(auth.onUnauthorized?.()).rejects.toThrow('token endpoint down');
    expect(await auth.onUnauthorized?.()).toBe(true);
    expect(await auth.token()).toBe('tok-3-abcdef');
    auth.invalidate();
    expect(await auth.token()).toBe('tok-4-abcdef');
  });
});
