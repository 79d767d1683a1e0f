import { inspect } from 'node:util';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  ApiError,
  AuthenticationError,
  BadRequestError,
  CapabilityError,
  ConflictError,
  ConnectionError,
  createApiError,
  EngagekitError,
  InputValidationError,
  NotFoundError,
  PaginationError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  redact,
  redactString,
  redactUrl,
  registerSecret,
  ServerError,
  TimeoutError,
  UnprocessableEntityError,
} from '../src/errors';
import type { HookRequestInfo } from '../src/http';
import { bearerAuth, cachedTokenAuth, createTransport } from '../src/http';

describe('createApiError', () => {
  const base = { provider: 'acme', body: { error: 'x' }, headers: { 'x-req': 'r1' } };
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, ServerError],
    [502, ServerError],
    [503, ServerError],
    [599, ServerError],
  ])('%i → %o', (status, Class) => {
    const e = createApiError({ ...base, status });
    expect(e).toBeInstanceOf(Class);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toBeInstanceOf(EngagekitError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(Class.name);
    expect(e.status).toBe(status);
    expect(e.provider).toBe('acme');
  });

  it.each([402, 405, 408, 418, 302])('other status %i → plain ApiError', (status) => {
    const e = createApiError({ ...base, status });
    expect(e.constructor).toBe(ApiError);
    expect(e.name).toBe('ApiError');
  });

  it('keeps code, type, detail, requestId, retryAfterMs, body and cause', () => {
    const cause = new Error('underlying');
    const e = createApiError({
      status: 429,
      provider: 'acme',
      body: { message: 'slow down', nested: { n: 1 } },
      headers: { 'retry-after': '2' },
      request: { method: 'GET', url: 'https://api.acme.io/x', operation: 'x.list' },
      info: {
        message: 'slow down',
        code: 'E_RATE',
        type: 'throttled',
        detail: 'more',
        requestId: 'req-9',
        retryAfterMs: 2000,
      },
      cause,
    });
    expect(e).toBeInstanceOf(RateLimitError);
    expect(e).toMatchObject({
      code: 'E_RATE',
      type: 'throttled',
      detail: 'more',
      requestId: 'req-9',
      retryAfterMs: 2000,
      body: { message: 'slow down', nested: { n: 1 } },
      headers: { 'retry-after': '2' },
      request: { method: 'GET', url: 'https://api.acme.io/x', operation: 'x.list' },
    });
    expect(e.message).toContain('slow down');
    expect(e.message).toContain('throttled/E_RATE');
    expect(e.message).toContain('429');
    expect((e.cause as Error).message).toBe('underlying');
  });

  it('wraps a cause whose message, name and stack are not strings instead of throwing', () => {
    const odd = new Error('x');
    Object.assign(odd, { message: { detail: 'nested' }, name: 42, stack: undefined });
    const e = new ConnectionError('the call failed', { cause: odd });
    const cause = e.cause as Error;
    expect([cause.message, cause.name, cause.stack]).toEqual([
      '[object Object]',
      'Error',
      'Error: [object Object]',
    ]);
    const hostile = new Error('y');
    Object.defineProperty(hostile, 'message', {
      value: {
        toString() {
          throw new Error('no');
        },
      },
    });
    expect((new ConnectionError('again', { cause: hostile }).cause as Error).message).toBe('');
  });

  it('every other class is an EngagekitError with the right parents', () => {
    const timeout = new TimeoutError('t');
    expect(timeout).toBeInstanceOf(ConnectionError);
    expect(timeout).toBeInstanceOf(EngagekitError);
    expect(timeout.name).toBe('TimeoutError');
    for (const e of [
      new ConnectionError('c'),
      new AbortError('a'),
      new InputValidationError([{ path: 'from', rule: 'invalid_date', message: 'bad' }]),
      new ResponseValidationError([{ path: 'a.b', rule: 'invalid_type', message: 'bad' }]),
      new PaginationError('repeated-token', 'p'),
      new CapabilityError('delete', 'no'),
    ]) {
      expect(e).toBeInstanceOf(EngagekitError);
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(ApiError);
      expect(e.name).toBe(e.constructor.name);
      expect(String(e)).toContain(e.constructor.name);
    }
    expect(new ResponseValidationError([{ path: 'a.b', rule: 'x', message: 'm' }]).path).toBe(
      'a.b',
    );
    expect(new InputValidationError([{ path: 'from', rule: 'r', message: 'm' }]).message).toContain(
      'from',
    );
  });
});

describe('redaction helpers', () => {
  it('redacts sensitive keys, bearer values, registered secrets and their encodings', () => {
    registerSecret('s3cr3t+/=value');
    expect(redactString('x s3cr3t+/=value y')).not.toContain('s3cr3t');
    expect(redactString(`q=${encodeURIComponent('s3cr3t+/=value')}`)).not.toContain('s3cr3t');
    expect(redactString('Authorization: bearer abc.def')).not.toContain('abc.def');
    const out = redact({
      headers: { Authorization: 'Bearer zzz', 'X-Api-Key': 'k', accept: 'json' },
      client_secret: 'c',
      accessToken: 'a',
      nested: { deep: { password: 'p' } },
    });
    expect(out).toEqual({
      headers: { Authorization: '[REDACTED]', 'X-Api-Key': '[REDACTED]', accept: 'json' },
      client_secret: '[REDACTED]',
      accessToken: '[REDACTED]',
      nested: { deep: { password: '[REDACTED]' } },
    });
    expect(redactUrl('https://u:pw@x.io/a?access_token=abc&page=2')).not.toMatch(/abc|pw/);
    expect(redactUrl('https://x.io/a?access_token=abc&page=2')).toContain('page=2');
  });

  it('never copies an over-deep or circular object unredacted', () => {
    let deep: Record<string, unknown> = { note: 'DEEP-s3cr3t+/=value' };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(JSON.stringify(redact(deep))).not.toContain('s3cr3t');
    const cyclic: Record<string, unknown> = { token: 'tok-cyclic', note: 'has s3cr3t+/=value' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, { password: 'pw-cyclic' }];
    const text = JSON.stringify(redact(cyclic));
    expect(text).not.toMatch(/tok-cyclic|pw-cyclic|s3cr3t/);
    expect(redact(cyclic)).toEqual({
      token: '[REDACTED]',
      note: 'has [REDACTED]',
      self: '[Circular]',
      list: ['[Circular]', { password: '[REDACTED]' }],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The secrets test: every error class, built for real where axios matters, serialised every way.
// ---------------------------------------------------------------------------------------------
const BASE = 'https://secrets.test';
const BEARER = 'tok_BEARER_5f0e8c1d9a7b';
const CLIENT_SECRET = 'cs_CLIENT_SECRET_7a1b2c3d';
const OAUTH_TOKEN = 'oat_OAUTH_ACCESS_99ffee';
const QUERY_SECRET = 'qs_QUERY_KEY_1234abcd';
const SECRETS = [BEARER, CLIENT_SECRET, OAUTH_TOKEN, QUERY_SECRET];

function serialisations(e: unknown, hooks: unknown[]): string[] {
  const err = e as Error & { toJSON?: () => unknown };
  return [
    String(err),
    err.message,
    err.stack ?? '',
    JSON.stringify(err),
    inspect(err, { depth: 10 }),
    inspect(err, { depth: 10, showHidden: true }),
    JSON.stringify(err.toJSON?.() ?? null),
    inspect(err.cause, { depth: 10, showHidden: true }),
    String((err.cause as Error | undefined)?.stack ?? ''),
    JSON.stringify(Object.getOwnPropertyDescriptors(err), (_k, v) =>
      typeof v === 'function' ? '[fn]' : v,
    ),
    inspect(hooks, { depth: 10 }),
    JSON.stringify(hooks),
  ];
}

function assertClean(e: unknown, hooks: unknown[], secrets: string[] = SECRETS): void {
  for (const text of serialisations(e, hooks)) {
    for (const secret of secrets) {
      expect(text, `leaked ${secret}`).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
    }
    expect(text).not.toMatch(/Bearer (?!\[REDACTED\])/);
  }
}

describe('no error, hook or cause ever shows a secret', () => {
  beforeAll(() => {
    nock.disableNetConnect();
    registerSecret(CLIENT_SECRET);
    registerSecret(QUERY_SECRET);
    // Creating the provider registers the token, as creating an adapter does.
    bearerAuth(BEARER);
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  function setup(auth: 'bearer' | 'oauth' = 'bearer') {
    const hooks: unknown[] = [];
    const record = (name: string) => (info: HookRequestInfo) => hooks.push({ name, info });
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      maxRetries: 1,
      // Not tight: a cold first request on a loaded machine can take a few hundred ms.
      timeoutMs: 600,
      auth:
        auth === 'bearer'
          ? bearerAuth(BEARER)
          : cachedTokenAuth({
              fetchToken: async () => ({ token: OAUTH_TOKEN, expiresInMs: 3_600_000 }),
              secrets: [CLIENT_SECRET],
            }),
      hooks: { onRequest: record('req'), onResponse: record('res'), onRetry: record('retry') },
      sleep: async () => undefined,
    });
    return { transport, hooks };
  }

  const echo = {
    error: 'invalid_token',
    message: `token ${BEARER} rejected; secret ${CLIENT_SECRET}; oauth ${OAUTH_TOKEN}`,
    client_secret: CLIENT_SECRET,
    echo: { headers: { authorization: `Bearer ${BEARER}` }, query: `api_key=${QUERY_SECRET}` },
  };

  const cases: [string, () => nock.Scope, 'bearer' | 'oauth', new (...a: never[]) => Error][] = [
    [
      '401 echoing secrets',
      () => nock(BASE).get('/x').query(true).times(3).reply(401, echo),
      'bearer',
      AuthenticationError,
    ],
    [
      '401 with OAuth',
      () => nock(BASE).get('/x').query(true).times(3).reply(401, echo),
      'oauth',
      AuthenticationError,
    ],
    [
      '500 echoing secrets',
      () =>
        nock(BASE)
          .get('/x')
          .query(true)
          .times(3)
          .reply(500, echo, { 'set-cookie': `sid=${BEARER}` }),
      'oauth',
      ServerError,
    ],
    [
      '403 as text',
      () => nock(BASE).get('/x').query(true).reply(403, `denied for Bearer ${BEARER}`),
      'bearer',
      PermissionDeniedError,
    ],
    [
      '429',
      () => nock(BASE).get('/x').query(true).times(3).reply(429, echo, { 'retry-after': '0' }),
      'bearer',
      RateLimitError,
    ],
    [
      'connection reset',
      () =>
        nock(BASE)
          .get('/x')
          .query(true)
          .times(3)
          .replyWithError(
            Object.assign(new Error(`socket hang up ${BEARER}`), { code: 'ECONNRESET' }),
          ),
      'oauth',
      ConnectionError,
    ],
    [
      'timeout',
      () => nock(BASE).get('/x').query(true).times(3).delay(5000).reply(200, {}),
      'bearer',
      TimeoutError,
    ],
    [
      'invalid JSON on 200',
      () => nock(BASE).get('/x').query(true).reply(200, `{"token":"${BEARER}"`),
      'oauth',
      ResponseValidationError,
    ],
  ];

  it.each(cases)('%s', async (_name, scope, auth, Class) => {
    scope();
    const { transport, hooks } = setup(auth);
    const error = await transport
      .request({
        method: 'GET',
        path: '/x',
        query: { api_key: QUERY_SECRET, q: `echo-${BEARER}` },
        operation: 'x.get',
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Class);
    expect(hooks.length).toBeGreaterThan(0);
    // The OAuth token is only a secret once some provider has fetched it.
    assertClean(
      error,
      hooks,
      auth === 'oauth' ? SECRETS : SECRETS.filter((s) => s !== OAUTH_TOKEN),
    );
  });

  it('schema failures, abort, and non-transport classes are clean too', async () => {
    const { z } = await import('zod');
    nock(BASE)
      .get('/y')
      .reply(200, { id: 1, note: `Bearer ${BEARER}` });
    const { transport, hooks } = setup('oauth');
    const schemaError = await transport
      .request({ method: 'GET', path: '/y', schema: z.object({ id: z.string() }) })
      .catch((e: unknown) => e);
    expect(schemaError).toBeInstanceOf(ResponseValidationError);
    assertClean(schemaError, hooks);

    const controller = new AbortController();
    controller.abort();
    const abortError = await transport
      .request({ method: 'GET', path: '/y', options: { signal: controller.signal } })
      .catch((e: unknown) => e);
    expect(abortError).toBeInstanceOf(AbortError);
    assertClean(abortError, hooks);

    const axiosLikeCause = Object.assign(new Error(`failed with ${CLIENT_SECRET}`), {
      code: 'ERR_BAD_REQUEST',
      config: { headers: { Authorization: `Bearer ${BEARER}` }, data: `secret=${CLIENT_SECRET}` },
    });
    const others = [
      new EngagekitError(`plain ${BEARER}`, { cause: axiosLikeCause }),
      new InputValidationError([{ path: 'token', rule: 'x', message: `bad ${OAUTH_TOKEN}` }]),
      new PaginationError('expired-token', `expired ${QUERY_SECRET}`, { cause: axiosLikeCause }),
      new CapabilityError('delete', `no ${CLIENT_SECRET}`),
      new ConflictError(`conflict ${BEARER}`, {
        status: 409,
        body: { authorization: 'x', text: OAUTH_TOKEN },
        headers: { authorization: `Bearer ${BEARER}` },
        request: { method: 'GET', url: `${BASE}/?access_token=${OAUTH_TOKEN}` },
        detail: `detail ${CLIENT_SECRET}`,
        cause: axiosLikeCause,
      }),
      new TimeoutError('t', { cause: { config: { headers: { authorization: BEARER } } } }),
    ];
    for (const e of others) assertClean(e, []);
  });

  it('a failing token fetch (axios error carrying the client secret) is wrapped clean', async () => {
    const axiosLike = Object.assign(new Error(`Request failed: client_secret=${CLIENT_SECRET}`), {
      code: 'ERR_BAD_REQUEST',
      config: { auth: { password: CLIENT_SECRET }, headers: { Authorization: 'Basic Y3M6eHg=' } },
      response: { status: 401, data: { reason: `bad secret ${CLIENT_SECRET}` }, headers: {} },
    });
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      auth: cachedTokenAuth({
        fetchToken: () => Promise.reject(axiosLike),
        secrets: [CLIENT_SECRET],
      }),
    });
    const error = await transport.request({ method: 'GET', path: '/z' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    assertClean(error, []);
    expect(inspect(error, { depth: 10 })).not.toContain('Y3M6eHg=');
  });
});
