// Behaviour of the transport that the mutation run (`MUTATE_GROUPS=http pnpm mutation core`) found
// no test held: what each failure becomes (class and exact message), what axios is asked, which
// headers win, how bodies are read, the retry budget and the hooks' payloads. A scripted fake axios
// instance answers (capped calls), and a fake clock stands in for every wait.
import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  RateLimitError,
  ResponseTooLargeError,
  ResponseValidationError,
  redactString,
  ServerError,
  TimeoutError,
} from '../src/errors';
import {
  type AuthProvider,
  bearerAuth,
  cachedTokenAuth,
  createTransport,
  LimiterPausedError,
  parseRateLimitHeaders,
  parseRetryAfter,
  raceAbort,
  TokenBucket,
} from '../src/http';
import { sleepFor } from '../src/http/timers';
import { fakeClock } from './fake-clock';
import { failure, transportMaker } from './fake-transport';

const BASE = 'https://api.mutants.test';

const make = transportMaker(BASE);

const json = (v: unknown) => JSON.stringify(v);

describe('what axios is asked', () => {
  it('url, method, headers, body, timeout, and the response settings', async () => {
    const { transport, configs } = make([{ status: 200, data: json({ ok: 1 }) }], {
      baseUrl: `${BASE}//`,
      headers: { 'x-config': 'c', 'x-both': 'config' },
      timeoutMs: 1234,
      maxResponseBytes: 4321,
    });
    const res = await transport.request({
      method: 'POST',
      path: 'items',
      query: { a: 1 },
      body: { name: 'n' },
      headers: { 'x-both': 'request', 'x-req': 'r' },
      options: { headers: { 'x-opt': 'o' } },
    });
    expect(res).toEqual({ status: 200, data: { ok: 1 }, headers: {}, requestId: undefined });
    expect(configs).toHaveLength(1);
    const c = configs[0] as AxiosRequestConfig;
    expect(c.url).toBe(`${BASE}/items?a=1`);
    expect(c.method).toBe('POST');
    expect(c.headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'x-config': 'c',
      'x-both': 'request',
      'x-req': 'r',
      'x-opt': 'o',
    });
    expect(c.data).toBe('{"name":"n"}');
    expect(c.timeout).toBe(1234);
    expect(c.responseType).toBe('text');
    expect(c.maxRedirects).toBe(0);
    expect(c.maxContentLength).toBe(4321);
    expect((c.transformResponse as (d: string) => string)('{"raw":1}')).toBe('{"raw":1}');
    expect(c.validateStatus?.(500)).toBe(true);
    expect(c.signal).toBeInstanceOf(AbortSignal);
  });

  it('a GET has no body and no content-type; per-call headers beat the request and auth ones', async () => {
    const auth: AuthProvider = { headers: () => ({ authorization: 'Bearer tok_mutants_1234567' }) };
    const { transport, configs } = make([{ status: 204 }], { auth });
    const res = await transport.request({
      method: 'GET',
      path: '/x',
      headers: { accept: 'text/plain' },
      options: { headers: { authorization: 'Bearer tok_override_7654321' } },
    });
    expect(res.data).toBeUndefined();
    expect(configs[0]?.data).toBeUndefined();
    expect(configs[0]?.headers).toEqual({
      accept: 'text/plain',
      authorization: 'Bearer tok_override_7654321',
    });
  });

  it('paths: absolute URLs as they are, an empty path is the base URL, defaults apply', async () => {
    const { transport, configs } = make([{ status: 200 }]);
    await transport.request({ method: 'GET', path: 'HTTPS://other.test/abs' });
    await transport.request({ method: 'GET', path: 'http://other.test/plain' });
    await transport.request({ method: 'GET', path: '' });
    await transport.request({ method: 'GET', path: '/lead' });
    expect(configs.map((c) => c.url)).toEqual([
      'HTTPS://other.test/abs',
      'http://other.test/plain',
      BASE,
      `${BASE}/lead`,
    ]);
    // Defaults: 30 s, 32 MiB.
    expect(configs[0]?.timeout).toBe(30_000);
    expect(configs[0]?.maxContentLength).toBe(32 * 1024 * 1024);
  });

  it('the response headers are lower-cased, arrays joined, nulls dropped; requestIdHeader is read', async () => {
    const { transport } = make(
      [
        {
          status: 200,
          data: json([1]),
          headers: { 'X-Trace': 'abc', 'Set-Thing': ['a', 'b'], 'X-Null': null, 'X-Num': 5 },
        },
      ],
      { requestIdHeader: 'x-trace' },
    );
    const res = await transport.request({ method: 'GET', path: '/x' });
    expect(res).toEqual({
      status: 200,
      data: [1],
      headers: { 'x-trace': 'abc', 'set-thing': 'a, b', 'x-num': '5' },
      requestId: 'abc',
    });
  });
});

describe('what a failure becomes', () => {
  it('a network error with a code, and one without', async () => {
    const refused = make([{ error: { code: 'ECONNREFUSED' } }], { maxRetries: 0 });
    const e1 = await failure(() => refused.transport.request({ method: 'GET', path: '/x' }));
    expect(e1).toBeInstanceOf(ConnectionError);
    expect(e1).not.toBeInstanceOf(TimeoutError);
    expect(e1.message).toBe(`acme: connection failed (ECONNREFUSED) (GET ${BASE}/x)`);
    expect(e1.provider).toBe('acme');
    expect(e1.request).toEqual({ method: 'GET', url: `${BASE}/x`, operation: undefined });
    const bare = make([{ error: {} }], { maxRetries: 0 });
    const e2 = await failure(() => bare.transport.request({ method: 'GET', path: '/x' }));
    expect(e2.message).toBe(`acme: connection failed (GET ${BASE}/x)`);
  });

  it.each(['ECONNABORTED', 'ETIMEDOUT'])('%s is a TimeoutError', async (code) => {
    const { transport } = make([{ error: { code } }], { maxRetries: 0, timeoutMs: 700 });
    const e = await failure(() => transport.request({ method: 'GET', path: '/t' }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toBe(`acme: request timed out after 700 ms (GET ${BASE}/t)`);
  });

  it('a cancel nobody asked for is an AbortError, not retried', async () => {
    const { transport, configs } = make([{ error: { code: 'ERR_CANCELED' } }]);
    const e = await failure(() => transport.request({ method: 'GET', path: '/c' }));
    expect(e).toBeInstanceOf(AbortError);
    expect(e.message).toBe('The request was aborted.');
    expect(configs).toHaveLength(1);
  });

  it("axios' maxContentLength error is a ResponseTooLargeError; another bad response is not", async () => {
    const big = make(
      [{ error: { code: 'ERR_BAD_RESPONSE', message: 'maxContentLength size of 10 exceeded' } }],
      { maxResponseBytes: 10 },
    );
    const e = await failure(() => big.transport.request({ method: 'GET', path: '/b' }));
    expect(e).toBeInstanceOf(ResponseTooLargeError);
    expect((e as ResponseTooLargeError).maxResponseBytes).toBe(10);
    expect(big.configs).toHaveLength(1);
    const other = make([{ error: { code: 'ERR_BAD_RESPONSE', message: 'stream broke' } }], {
      maxRetries: 0,
    });
    const e2 = await failure(() => other.transport.request({ method: 'GET', path: '/b' }));
    expect(e2).toBeInstanceOf(ConnectionError);
    expect(e2.message).toBe(`acme: connection failed (ERR_BAD_RESPONSE) (GET ${BASE}/b)`);
    const nonString = make(
      [{ error: { code: 'ERR_BAD_RESPONSE', message: new String('maxContentLength size of 1') } }],
      {
        maxRetries: 0,
      },
    );
    expect(
      await failure(() => nonString.transport.request({ method: 'GET', path: '/b' })),
    ).not.toBeInstanceOf(ResponseTooLargeError);
  });

  it('an https answer on an unencrypted socket is a proxy refusing the tunnel', async () => {
    const proxy = make([{ status: 407, data: 'no', socket: { encrypted: false } }]);
    const e = await failure(() => proxy.transport.request({ method: 'GET', path: '/p' }));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toBe(
      `acme: the HTTPS proxy refused the tunnel (CONNECT answered 407); check HTTPS_PROXY / the proxy's rules (GET ${BASE}/p)`,
    );
    expect(proxy.configs).toHaveLength(1);
    // An encrypted socket, a null socket, or a plain-http URL: the vendor answered.
    for (const socket of [{ encrypted: true }, null]) {
      const ok = make([{ status: 200, data: json({ v: 1 }), socket }]);
      expect((await ok.transport.request({ method: 'GET', path: '/p' })).data).toEqual({ v: 1 });
    }
    const plain = make([{ status: 200, data: json({ v: 2 }), socket: { encrypted: false } }], {
      baseUrl: 'http://127.0.0.1:9',
    });
    expect((await plain.transport.request({ method: 'GET', path: '/p' })).data).toEqual({ v: 2 });
  });

  it('without a vendor parser the message comes from message, error_description, detail or error', async () => {
    const messageOf = async (body: unknown) => {
      const { transport } = make([
        { status: 400, data: typeof body === 'string' ? body : json(body) },
      ]);
      const e = await failure(() => transport.request({ method: 'GET', path: '/m' }));
      expect(e).toBeInstanceOf(BadRequestError);
      return e.message;
    };
    const line = `(GET ${BASE}/m)`;
    expect(
      await messageOf({ error: 'e', detail: 'd', error_description: 'ed', message: 'm' }),
    ).toBe(`acme 400: m ${line}`);
    expect(await messageOf({ error: 'e', detail: 'd', error_description: 'ed', message: '' })).toBe(
      `acme 400: ed ${line}`,
    );
    expect(await messageOf({ error: 'e', detail: 'd', message: 7 })).toBe(`acme 400: d ${line}`);
    expect(await messageOf({ error: 'e' })).toBe(`acme 400: e ${line}`);
    expect(await messageOf({ other: 'x' })).toBe(`acme 400: request failed ${line}`);
    expect(await messageOf('not json')).toBe(`acme 400: request failed ${line}`);
    expect(await messageOf(json('a string'))).toBe(`acme 400: request failed ${line}`);
    expect(await messageOf({ message: 'x'.repeat(600) })).toBe(
      `acme 400: ${'x'.repeat(500)} ${line}`,
    );
  });

  it('an error body that is not JSON is kept as text; the header request id is kept', async () => {
    const { transport } = make(
      [{ status: 404, data: '<html>gone</html>', headers: { 'X-Req': 'r-1' } }],
      {
        requestIdHeader: 'x-req',
      },
    );
    const e = (await failure(() => transport.request({ method: 'GET', path: '/g' }))) as ApiError;
    expect(e.body).toBe('<html>gone</html>');
    expect(e.requestId).toBe('r-1');
    expect(e.status).toBe(404);
    expect(e.headers).toEqual({ 'x-req': 'r-1' });
  });

  it('a vendor parser gets the parsed body, status and headers; its request id wins', async () => {
    const seen: unknown[] = [];
    const { transport } = make(
      [{ status: 422, data: json({ c: 'E1' }), headers: { 'x-req': 'h' } }],
      {
        requestIdHeader: 'x-req',
        parseError: (body, status, headers) => {
          seen.push(body, status, headers);
          return { message: 'bad', code: 'E1', requestId: 'vendor-id' };
        },
      },
    );
    const e = (await failure(() =>
      transport.request({ method: 'POST', path: '/v', body: {} }),
    )) as ApiError;
    expect(seen).toEqual([{ c: 'E1' }, 422, { 'x-req': 'h' }]);
    expect(e.requestId).toBe('vendor-id');
    expect(e.message).toBe(`acme 422 [E1]: bad (POST ${BASE}/v)`);
  });

  it('a 2xx body that is not JSON names the operation', async () => {
    const { transport } = make([{ status: 200, data: '{oops' }]);
    const e = await failure(() =>
      transport.request({ method: 'GET', path: '/j', operation: 'things.list' }),
    );
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect(e.message).toBe(
      'acme things.list body does not match its schema at (root): response body is not valid JSON',
    );
    expect(e.request).toEqual({ method: 'GET', url: `${BASE}/j`, operation: 'things.list' });
    const anonymous = make([{ status: 299, data: '{oops' }]);
    const e2 = await failure(() => anonymous.transport.request({ method: 'GET', path: '/j' }));
    expect(e2.message).toBe(
      'acme response body does not match its schema at (root): response body is not valid JSON',
    );
  });

  it('a 300 is not a success', async () => {
    const { transport } = make([{ status: 300, data: json({ a: 1 }) }]);
    const e = (await failure(() => transport.request({ method: 'GET', path: '/r' }))) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(300);
  });
});

describe('credentials', () => {
  it('an auth provider failing with an HTTP response is an ApiError of that status', async () => {
    const auth: AuthProvider = {
      headers: () => {
        throw Object.assign(new Error('token endpoint said no'), {
          response: { status: 401, data: { error: 'invalid_client' }, headers: { 'X-A': '1' } },
        });
      },
    };
    const { transport, configs } = make([{ status: 200 }], { auth });
    const e = (await failure(() => transport.request({ method: 'GET', path: '/a' }))) as ApiError;
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.message).toBe(`acme 401: could not obtain credentials (GET ${BASE}/a)`);
    expect(e.body).toEqual({ error: 'invalid_client' });
    expect(e.headers).toEqual({ 'x-a': '1' });
    expect((e.cause as Error).message).toBe('token endpoint said no');
    expect(configs).toHaveLength(0);
  });

  it('an auth provider failing without a response is a ConnectionError, with its code when it has one', async () => {
    const failing = (error: unknown): AuthProvider => ({
      headers: async () => {
        throw error;
      },
    });
    const coded = make([{ status: 200 }], {
      auth: failing(Object.assign(new Error('x'), { code: 'ENOTFOUND' })),
    });
    const e = await failure(() => coded.transport.request({ method: 'GET', path: '/a' }));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toBe('acme: could not obtain credentials (ENOTFOUND)');
    expect(e.request?.url).toBe(`${BASE}/a`);
    const bare = make([{ status: 200 }], {
      auth: failing(Object.assign(new Error('x'), { response: { status: 'nope' } })),
    });
    const e2 = await failure(() => bare.transport.request({ method: 'GET', path: '/a' }));
    expect(e2.message).toBe('acme: could not obtain credentials');
    const own = new RateLimitError('mine', { status: 429 });
    const passed = make([{ status: 200 }], { auth: failing(own) });
    expect(await failure(() => passed.transport.request({ method: 'GET', path: '/a' }))).toBe(own);
  });

  it('a 401 asks onUnauthorized once; false means no retry', async () => {
    let asked = 0;
    const auth: AuthProvider = {
      headers: () => ({ authorization: 'Bearer tok_mutants_abcdef' }),
      onUnauthorized: () => {
        asked++;
        return asked === 1;
      },
    };
    const { transport, configs, events } = make([{ status: 401 }], { auth });
    const e = await failure(() => transport.request({ method: 'GET', path: '/u' }));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(asked).toBe(1);
    expect(configs).toHaveLength(2);
    // The refreshed attempt counts as the same attempt.
    expect(events.filter((x) => x.name === 'request').map((x) => x.info.attempt)).toEqual([1, 1]);

    let refused = 0;
    const no = make([{ status: 401 }], {
      auth: {
        headers: () => ({}),
        onUnauthorized: () => {
          refused++;
          return false;
        },
      },
    });
    await failure(() => no.transport.request({ method: 'GET', path: '/u' }));
    expect(refused).toBe(1);
    expect(no.configs).toHaveLength(1);
  });

  it('onUnauthorized throwing is a credentials failure', async () => {
    const { transport } = make([{ status: 401 }], {
      auth: {
        headers: () => ({}),
        onUnauthorized: () => {
          throw Object.assign(new Error('refresh failed'), { code: 'ECONNRESET' });
        },
      },
    });
    const e = await failure(() => transport.request({ method: 'GET', path: '/u' }));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toBe('acme: could not obtain credentials (ECONNRESET)');
  });

  it('credential-named headers are redacted from errors, idempotency keys are not', async () => {
    const { transport } = make(
      [{ status: 500, data: json({ message: 'echo sk_live_mutants_42 key-777-idem' }) }],
      {
        maxRetries: 0,
      },
    );
    const e = await failure(() =>
      transport.request({
        method: 'POST',
        path: '/w',
        body: {},
        headers: { 'x-api-key': 'sk_live_mutants_42', 'idempotency-key': 'key-777-idem' },
      }),
    );
    expect(e).toBeInstanceOf(ServerError);
    expect(e.message).toBe(`acme 500: echo [REDACTED] key-777-idem (POST ${BASE}/w)`);
  });

  it('auth secrets given to the transport are redacted', async () => {
    const { transport } = make(
      [{ status: 400, data: json({ message: 'bad client cs_mutants_secret_9' }) }],
      {
        auth: { headers: () => ({}), secrets: ['cs_mutants_secret_9'] },
      },
    );
    const e = await failure(() => transport.request({ method: 'GET', path: '/s' }));
    expect(e.message).toBe(`acme 400: bad client [REDACTED] (GET ${BASE}/s)`);
  });
});

describe('retries', () => {
  it('a 429 without Retry-After waits 1 s plus a jitter of up to 250 ms', async () => {
    const { transport, clock, events } = make([{ status: 429 }, { status: 200, data: '1' }]);
    expect((await transport.request({ method: 'GET', path: '/r' })).data).toBe(1);
    expect(clock.sleeps).toEqual([1125]);
    expect(events.find((e) => e.name === 'retry')?.info).toMatchObject({
      reason: '429',
      delayMs: 1125,
    });
  });

  it('network errors without a code retry as "network"; backoff is capped by maxRetryWaitMs', async () => {
    const { transport, clock, events } = make(
      [{ error: {} }, { error: {} }, { error: {} }, { status: 200 }],
      {
        maxRetryWaitMs: 600,
      },
    );
    await transport.request({ method: 'GET', path: '/n' });
    expect(events.filter((e) => e.name === 'retry').map((e) => e.info.reason)).toEqual([
      'network',
      'network',
      'network',
    ]);
    // 500 ms base: 375, then steps of 1000 and 2000 capped at 600 → 450.
    expect(clock.sleeps).toEqual([375, 450, 450]);
  });

  it('a retry storm stops at 180 s of waiting in total', async () => {
    const { transport, clock, configs } = make(
      [{ status: 503, headers: { 'retry-after': '60' } }],
      {
        maxRetries: 10,
      },
    );
    const e = (await failure(() => transport.request({ method: 'GET', path: '/s' }))) as ApiError;
    expect(e).toBeInstanceOf(ServerError);
    expect(e.retryAfterMs).toBe(60_000);
    expect(clock.sleeps).toEqual([60_000, 60_000, 60_000]);
    expect(configs).toHaveLength(4);
  });

  it('a larger maxRetryWaitMs raises the budget to itself', async () => {
    const { transport, clock } = make([{ status: 503, headers: { 'retry-after': '100' } }], {
      maxRetries: 10,
      maxRetryWaitMs: 250_000,
    });
    await failure(() => transport.request({ method: 'GET', path: '/s' }));
    expect(clock.sleeps).toEqual([100_000, 100_000]);
  });

  it('a Retry-After equal to maxRetryWaitMs is waited', async () => {
    const { transport, clock } = make(
      [{ status: 503, headers: { 'retry-after': '2' } }, { status: 200 }],
      { maxRetryWaitMs: 2000 },
    );
    await transport.request({ method: 'GET', path: '/e' });
    expect(clock.sleeps).toEqual([2000]);
  });

  it('reset headers time a 429 but never a 5xx', async () => {
    const limited = make([
      { status: 429, headers: { 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '3' } },
      { status: 200 },
    ]);
    await limited.transport.request({ method: 'GET', path: '/l' });
    expect(limited.clock.sleeps).toEqual([3000]);
    const failing = make([
      { status: 502, headers: { 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '3' } },
      { status: 200 },
    ]);
    await failing.transport.request({ method: 'GET', path: '/l' });
    expect(failing.clock.sleeps).toEqual([375]);
  });

  it('the adapter veto sees the status and the parsed body', async () => {
    const seen: unknown[] = [];
    const { transport, configs } = make([{ status: 503, data: json({ blocked: true }) }], {
      isRetryable: (status, body) => {
        seen.push(status, body);
        return false;
      },
    });
    await failure(() => transport.request({ method: 'GET', path: '/v' }));
    expect(seen).toEqual([503, { blocked: true }]);
    expect(configs).toHaveLength(1);
  });

  it('writes retry on the statuses given, idempotent writes on any retryable one', async () => {
    const post = make([{ status: 503 }, { status: 200 }]);
    await post.transport.request({ method: 'POST', path: '/w', body: {}, retryWriteOn: [503] });
    expect(post.configs).toHaveLength(2);
    const idem = make([{ status: 500 }, { status: 200 }]);
    await idem.transport.request({ method: 'POST', path: '/w', body: {}, idempotent: true });
    expect(idem.configs).toHaveLength(2);
    const plain = make([{ status: 500 }, { status: 200 }]);
    await failure(() => plain.transport.request({ method: 'POST', path: '/w', body: {} }));
    expect(plain.configs).toHaveLength(1);
    const limited = make([{ status: 429 }, { status: 200 }]);
    await limited.transport.request({ method: 'POST', path: '/w', body: {} });
    expect(limited.configs).toHaveLength(2);
  });
});

describe('hooks', () => {
  it('see the redacted request, the status, the duration and the response headers', async () => {
    const clock = fakeClock();
    const events: { name: string; info: Record<string, unknown> }[] = [];
    const http = {
      async request() {
        clock.advance(42);
        return { status: 201, data: '{}', headers: { 'Set-Cookie': 'sid=1', 'X-Ok': 'y' } };
      },
    } as unknown as AxiosInstance;
    const transport = createTransport(
      {
        provider: 'acme',
        baseUrl: BASE,
        now: clock.now,
        sleep: clock.sleep,
        hooks: {
          onRequest: (info) => events.push({ name: 'request', info: { ...info } }),
          onResponse: (info) => events.push({ name: 'response', info: { ...info } }),
        },
      },
      http,
    );
    await transport.request({
      method: 'PUT',
      path: '/h',
      operation: 'things.put',
      body: {},
      headers: { 'x-api-key': 'sk_hook_mutants_1' },
    });
    const request = {
      provider: 'acme',
      operation: 'things.put',
      method: 'PUT',
      url: `${BASE}/h`,
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-api-key': '[REDACTED]',
      },
      attempt: 1,
    };
    expect(events).toEqual([
      { name: 'request', info: request },
      {
        name: 'response',
        info: {
          ...request,
          status: 201,
          durationMs: 42,
          headers: { 'set-cookie': '[REDACTED]', 'x-ok': 'y' },
        },
      },
    ]);
  });
});

describe('rate limits', () => {
  it('an exhausted window pauses later calls until its reset; a window with requests left does not', async () => {
    const { transport, clock } = make(
      [
        { status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4' } },
        { status: 200, headers: { 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '9' } },
        { status: 200 },
      ],
      { rateLimit: { requestsPerSecond: 1000, burst: 10 } },
    );
    await transport.request({ method: 'GET', path: '/1' });
    const before = clock.now();
    await transport.request({ method: 'GET', path: '/2' });
    expect(clock.now() - before).toBe(4000);
    const after = clock.now();
    await transport.request({ method: 'GET', path: '/3' });
    // Paced from the pause's end (one token per ms at this rate), not held for the 9 s reset.
    expect(clock.now() - after).toBe(1);
  });

  it('a 429 pauses the limiter for the Retry-After; the paused error names both waits', async () => {
    const { transport } = make([{ status: 429, headers: { 'retry-after': '90' } }], {
      rateLimit: { requestsPerSecond: 10 },
      maxRetryWaitMs: 1000,
    });
    const first = (await failure(() =>
      transport.request({ method: 'GET', path: '/q' }),
    )) as ApiError;
    expect(first).toBeInstanceOf(RateLimitError);
    expect(first.retryAfterMs).toBe(90_000);
    const second = (await failure(() =>
      transport.request({ method: 'GET', path: '/q' }),
    )) as ApiError;
    expect(second).toBeInstanceOf(RateLimitError);
    expect(second.message).toBe(
      `acme 429: rate limited for another 90000 ms, longer than maxRetryWaitMs (1000 ms) (GET ${BASE}/q)`,
    );
    expect(second.retryAfterMs).toBe(90_000);
    expect(second.status).toBe(429);
  });

  it('rateLimit: false means no limiter', async () => {
    const { transport, clock } = make(
      [{ status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4' } }],
      { rateLimit: false },
    );
    await transport.request({ method: 'GET', path: '/1' });
    await transport.request({ method: 'GET', path: '/2' });
    expect(clock.sleeps).toEqual([]);
  });
});

describe('signals', () => {
  it('an adapter-wide signal already aborted stops a call before any request', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutdown'));
    const { transport, configs } = make([{ status: 200 }], { signal: controller.signal });
    const e = await failure(() => transport.request({ method: 'GET', path: '/s' }));
    expect(e).toBeInstanceOf(AbortError);
    expect(configs).toHaveLength(0);
  });

  it('a per-call signal already aborted stops the call, with or without an adapter-wide one', async () => {
    for (const shared of [undefined, new AbortController().signal]) {
      const { transport, configs } = make([{ status: 200 }], { signal: shared });
      const own = new AbortController();
      own.abort();
      const e = await failure(() =>
        transport.request({ method: 'GET', path: '/s', options: { signal: own.signal } }),
      );
      expect(e).toBeInstanceOf(AbortError);
      expect(e.request).toEqual({ method: 'GET', url: `${BASE}/s`, operation: undefined });
      expect(configs).toHaveLength(0);
    }
  });

  it('a per-call signal that fires while the request is in flight aborts it, with an adapter-wide one too', async () => {
    const own = new AbortController();
    let seen: AbortSignal | undefined;
    const http = {
      request(config: AxiosRequestConfig) {
        seen = config.signal as AbortSignal;
        own.abort();
        return Promise.reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }));
      },
    } as unknown as AxiosInstance;
    const transport = createTransport(
      { provider: 'acme', baseUrl: BASE, signal: new AbortController().signal },
      http,
    );
    const e = await failure(() =>
      transport.request({ method: 'GET', path: '/s', options: { signal: own.signal } }),
    );
    expect(e).toBeInstanceOf(AbortError);
    expect(seen?.aborted).toBe(true);
  });
});

describe('bearerAuth', () => {
  it('adds the Bearer prefix unless one (followed by a space) is there', async () => {
    expect(await bearerAuth('zq-bearer-plain-1').headers()).toEqual({
      authorization: 'Bearer zq-bearer-plain-1',
    });
    expect(await bearerAuth('bearer zq-bearer-kept-2').headers()).toEqual({
      authorization: 'bearer zq-bearer-kept-2',
    });
    expect(await bearerAuth('Bearerzq-glued-3').headers()).toEqual({
      authorization: 'Bearer Bearerzq-glued-3',
    });
    expect(bearerAuth('zq-bearer-plain-1').secrets).toEqual(['zq-bearer-plain-1']);
    // The token without its prefix is a secret too.
    expect(redactString('echo zq-bearer-kept-2')).toBe('echo [REDACTED]');
  });
});

describe('cachedTokenAuth', () => {
  const clockAt = (t0: number) => {
    let t = t0;
    return { now: () => t, set: (v: number) => (t = v) };
  };

  it('refreshes 60 s before expiry by default, or at half the life of a short token', async () => {
    const clock = clockAt(0);
    let fetched = 0;
    const auth = cachedTokenAuth({
      now: clock.now,
      fetchToken: async () => ({ token: `zq-tok-${++fetched}-abcdef`, expiresInMs: 3_600_000 }),
    });
    expect(await auth.token()).toBe('zq-tok-1-abcdef');
    clock.set(3_539_999);
    expect(await auth.token()).toBe('zq-tok-1-abcdef');
    clock.set(3_540_000);
    expect(await auth.token()).toBe('zq-tok-2-abcdef');
    const short = clockAt(0);
    let n = 0;
    const shortAuth = cachedTokenAuth({
      now: short.now,
      refreshBeforeMs: 600,
      fetchToken: async () => ({ token: `zq-short-${++n}-abcdef`, expiresInMs: 1000 }),
    });
    await shortAuth.token();
    short.set(499);
    expect(await shortAuth.token()).toBe('zq-short-1-abcdef');
    short.set(500);
    expect(await shortAuth.token()).toBe('zq-short-2-abcdef');
  });

  it('a token already expired is fetched again on every call', async () => {
    let n = 0;
    const auth = cachedTokenAuth({
      now: () => 0,
      fetchToken: async () => ({ token: `zq-expired-${++n}-abc`, expiresInMs: -5 }),
    });
    await auth.token();
    await auth.token();
    expect(n).toBe(2);
  });

  it('headers, invalidate and onUnauthorized', async () => {
    let n = 0;
    const auth = cachedTokenAuth({
      now: () => 0,
      secrets: ['zq-client-secret-77'],
      fetchToken: async () => ({ token: `zq-oauth-${++n}-abcd`, expiresInMs: 3_600_000 }),
    });
    expect(await auth.headers()).toEqual({ authorization: 'Bearer zq-oauth-1-abcd' });
    auth.invalidate();
    expect(await auth.token()).toBe('zq-oauth-2-abcd');
    expect(await auth.onUnauthorized?.()).toBe(true);
    expect(await auth.token()).toBe('zq-oauth-3-abcd');
    expect(auth.secrets).toEqual(['zq-client-secret-77']);
    expect(redactString('zq-client-secret-77 zq-oauth-3-abcd')).toBe('[REDACTED] [REDACTED]');
    expect(
      cachedTokenAuth({ fetchToken: async () => ({ token: 'x', expiresInMs: 1 }) }).secrets,
    ).toEqual([]);
  });

  it('an aborted signal rejects with its reason and fetches nothing; a failed fetch is not cached', async () => {
    let n = 0;
    const auth = cachedTokenAuth({
      now: () => 0,
      fetchToken: async () => {
        n++;
        if (n === 1) throw new Error('token endpoint down');
        return { token: 'zq-after-failure-1', expiresInMs: 3_600_000 };
      },
    });
    const aborted = new AbortController();
    aborted.abort(new Error('gave up'));
    await expect(auth.token(aborted.signal)).rejects.toThrow('gave up');
    expect(n).toBe(0);
    const live = new AbortController();
    await expect(auth.token(live.signal)).rejects.toThrow('token endpoint down');
    expect(await auth.token(live.signal)).toBe('zq-after-failure-1');
    expect(n).toBe(2);
  });

  it('a token fetched after every waiter left is not cached', async () => {
    let n = 0;
    let release: (() => void) | undefined;
    const auth = cachedTokenAuth({
      now: () => 0,
      fetchToken: (signal) =>
        new Promise((resolve) => {
          n++;
          release = () => resolve({ token: `zq-late-${n}-abcdef`, expiresInMs: 3_600_000 });
          void signal;
        }),
    });
    const controller = new AbortController();
    const waiting = auth.token(controller.signal);
    controller.abort(new Error('left'));
    await expect(waiting).rejects.toThrow('left');
    release?.();
    await new Promise((r) => setImmediate(r));
    // The abandoned flight is forgotten: the next call fetches afresh.
    const next = auth.token();
    release?.();
    expect(await next).toBe('zq-late-2-abcdef');
    expect(n).toBe(2);
  });
});

describe('TokenBucket edges', () => {
  it('refuses rates that are not positive finite numbers, with the option named', () => {
    for (const requestsPerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new TokenBucket({ requestsPerSecond })).toThrow(
        'rateLimit.requestsPerSecond must be a positive number',
      );
    }
  });

  it('burst defaults to the rate rounded up and is at least 1', () => {
    expect(new TokenBucket({ requestsPerSecond: 2.5 }).burst).toBe(3);
    expect(new TokenBucket({ requestsPerSecond: 0.2 }).burst).toBe(1);
    expect(new TokenBucket({ requestsPerSecond: 5, burst: 0 }).burst).toBe(1);
    expect(new TokenBucket({ requestsPerSecond: 5, burst: 2 }).rate).toBe(5);
  });

  it('waits for a fraction of a token rounded up to the millisecond', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 3, burst: 1 }, clock.now, clock.sleep);
    await bucket.acquire();
    await bucket.acquire();
    expect(clock.sleeps).toEqual([334]);
  });

  it('an aborted signal rejects with its reason at once', async () => {
    const bucket = new TokenBucket({ requestsPerSecond: 1 });
    const controller = new AbortController();
    controller.abort(new Error('no'));
    await expect(bucket.acquire(controller.signal)).rejects.toThrow('no');
  });

  it('a paused limiter refuses a caller allowing less, with the pause in the error', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 1 }, clock.now, clock.sleep);
    bucket.pauseUntil(clock.now() + 5000);
    expect(bucket.pausedForMs()).toBe(5000);
    const error = await bucket.acquire(undefined, 4999).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimiterPausedError);
    expect((error as LimiterPausedError).pausedForMs).toBe(5000);
    expect((error as Error).message).toBe('the rate limiter is paused for 5000 ms');
    // Allowing exactly the pause is enough.
    await bucket.acquire(undefined, 5000);
    expect(clock.sleeps).toEqual([5000]);
  });

  it('a failing sleep rejects every queued caller with its error', async () => {
    const bucket = new TokenBucket(
      { requestsPerSecond: 1, burst: 1 },
      () => 0,
      async () => {
        throw new Error('clock broke');
      },
    );
    await bucket.acquire();
    const queued = [bucket.acquire(), bucket.acquire()].map((p) =>
      p.catch((e: Error) => e.message),
    );
    expect(await Promise.all(queued)).toEqual(['clock broke', 'clock broke']);
  });
});

describe('parseRetryAfter and parseRateLimitHeaders edges', () => {
  const now = Date.UTC(2026, 10, 1);
  it('reads a capitalised Retry-After, trimmed', () => {
    expect(parseRetryAfter({ 'Retry-After': ' 2 ' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': '' }, now, [])).toBeUndefined();
  });

  it('reset values: epoch ms above 1e12, epoch seconds above 1e9, else seconds from now', () => {
    expect(parseRetryAfter({ 'x-ratelimit-reset': String(1e12 + 5) }, 1e12)).toBe(5);
    expect(parseRetryAfter({ 'x-ratelimit-reset': '1000000000' }, 0)).toBe(1e12);
    expect(parseRetryAfter({ 'x-ratelimit-reset': '1000000001' }, 1e12)).toBe(1000);
    expect(parseRetryAfter({ 'x-ratelimit-reset': '3' }, now)).toBe(3000);
    expect(parseRetryAfter({ 'x-ratelimit-reset': ' 4 ' }, now)).toBe(4000);
    expect(parseRetryAfter({ 'x-ratelimit-reset': '1.5' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'x-ratelimit-reset': String(now / 1000 - 10) }, now)).toBe(0);
  });

  it('the scarcest policy decides, its latest reset the wait; without its reset, the latest of all', () => {
    expect(
      parseRateLimitHeaders(
        {
          'x-ratelimit-remaining': '3',
          'x-ratelimit-reset': '100',
          'ratelimit-remaining': '3',
          'ratelimit-reset': '20',
          ratelimit: '"a";r=9;t=500',
        },
        now,
      ),
    ).toEqual({ remaining: 3, resetInMs: 100_000 });
    expect(
      parseRateLimitHeaders({ 'X-RateLimit-Remaining': '0', ratelimit: '"a";t=40' }, now),
    ).toEqual({ remaining: 0, resetInMs: 40_000 });
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': '7' }, now)).toEqual({
      remaining: undefined,
      resetInMs: 7000,
    });
    expect(parseRateLimitHeaders({ 'x-ratelimit-remaining': 'lots' }, now)).toEqual({
      remaining: undefined,
      resetInMs: undefined,
    });
    // Draft-07 items and quoted names; parameters without a value are ignored.
    expect(parseRateLimitHeaders({ ratelimit: 'remaining=2;reset=9;=x;junk' }, now)).toEqual({
      remaining: 2,
      resetInMs: 9000,
    });
    expect(
      parseRateLimitHeaders(
        { ratelimit: '"q";r=1, "p";r=1;t=5', 'ratelimit-policy': '"q";w=30, "p";w=1' },
        now,
      ),
    ).toEqual({ remaining: 1, resetInMs: 30_000 });
  });
});

describe('timers and raceAbort', () => {
  it('sleepFor rejects with the abort error given, else the reason, else a plain one', async () => {
    const aborted = new AbortController();
    aborted.abort(new Error('reason'));
    await expect(sleepFor(10, aborted.signal, () => new Error('made'))).rejects.toThrow('made');
    await expect(sleepFor(10, aborted.signal)).rejects.toThrow('reason');
    const later = new AbortController();
    const sleeping = sleepFor(60_000, later.signal);
    later.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
    await expect(sleepFor(0)).resolves.toBeUndefined();
  });

  it('raceAbort: no signal is the promise itself; an abort wins over a pending promise', async () => {
    const p = Promise.resolve(1);
    expect(raceAbort(p, undefined, () => new Error('x'))).toBe(p);
    const done = new AbortController();
    done.abort();
    await expect(
      raceAbort(Promise.resolve(1), done.signal, () => new Error('early')),
    ).rejects.toThrow('early');
    const live = new AbortController();
    const pending = raceAbort(new Promise(() => undefined), live.signal, () => new Error('late'));
    live.abort();
    await expect(pending).rejects.toThrow('late');
    const fine = new AbortController();
    expect(await raceAbort(Promise.resolve(2), fine.signal, () => new Error('n'))).toBe(2);
    await expect(
      raceAbort(Promise.reject(new Error('own')), fine.signal, () => new Error('n')),
    ).rejects.toThrow('own');
  });
});
