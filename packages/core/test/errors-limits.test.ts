import { inspect } from 'node:util';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertSecretRedactable } from '../src/adapter-kit';
import {
  ApiError,
  createApiError,
  InputValidationError,
  redact,
  redactString,
  registerSecret,
  ServerError,
} from '../src/errors';
import { createTransport, type HookRequestInfo } from '../src/http';
import { ResponseTooLargeError } from '../src/index';

const BASE = 'https://errors-limits.test';
const TOKEN = 'tok_ECHOED_REFERENCE_8c1d9a7b';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/** Every way an application might print an error. */
function printed(e: unknown): string {
  const err = e as Error;
  return [
    String(err),
    JSON.stringify(err),
    JSON.stringify({ ...err }),
    inspect(err, { depth: 10, showHidden: true }),
  ].join('\n');
}

describe('every string an error keeps is redacted', () => {
  it('requestId, code and type echoing the token (DevRev reference_id) are redacted', async () => {
    nock(BASE)
      .get('/x')
      .reply(400, { reference_id: `ref-${TOKEN}`, code: `c-${TOKEN}`, type: `t-${TOKEN}` });
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      auth: { headers: () => ({ authorization: `Bearer ${TOKEN}` }) },
      parseError: (body) => {
        const b = body as Record<string, string>;
        return { requestId: b.reference_id, code: b.code, type: b.type, message: 'bad' };
      },
    });
    const error = (await failure(transport.request({ method: 'GET', path: '/x' }))) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.requestId).toBe('ref-[REDACTED]');
    expect(error.code).toBe('c-[REDACTED]');
    expect(error.type).toBe('t-[REDACTED]');
    expect(printed(error)).not.toContain(TOKEN);
  });

  it('the base64 form of Basic credentials and its decoded password are redacted', async () => {
    const password = 'pw_BASIC_SECRET_4e5f6a';
    const basic = Buffer.from(`client-id:${password}`).toString('base64');
    nock(BASE)
      .post('/token')
      .reply(401, { echo: basic, message: `bad credentials ${basic} / ${password}` });
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      headers: { authorization: `Basic ${basic}` },
    });
    const error = await failure(transport.request({ method: 'POST', path: '/token', body: {} }));
    expect(error).toBeInstanceOf(ApiError);
    const text = printed(error);
    expect(text).not.toContain(basic);
    expect(text).not.toContain(password);
    expect((error as ApiError).body).toEqual({
      echo: '[REDACTED]',
      message: 'bad credentials [REDACTED] / [REDACTED]',
    });
  });

  it('caller headers named like credentials are redacted in hook payloads', async () => {
    nock(BASE).get('/x').reply(200, {});
    const seen: HookRequestInfo[] = [];
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      headers: { 'X-Custom-Token': 'hdr_CUSTOM_TOKEN_77aa', 'x-trace': 'visible-trace-id' },
      hooks: { onRequest: (info) => seen.push(info) },
    });
    await transport.request({
      method: 'GET',
      path: '/x',
      options: {
        headers: {
          'X-Partner-Key': 'hdr_PARTNER_KEY_88bb',
          Cookie: 'sid=hdr_COOKIE_99cc',
          'X-Client-Secret-Hash': 'hdr_SECRET_HASH_11dd',
        },
      },
    });
    expect(seen[0]?.headers).toMatchObject({
      'X-Custom-Token': '[REDACTED]',
      'X-Partner-Key': '[REDACTED]',
      Cookie: '[REDACTED]',
      'X-Client-Secret-Hash': '[REDACTED]',
      'x-trace': 'visible-trace-id',
    });
    expect(JSON.stringify(seen)).not.toMatch(/hdr_/);
  });

  it('a __proto__ or constructor key in an error body stays an own key, never a prototype', async () => {
    nock(BASE)
      .get('/x')
      .reply(
        500,
        '{"__proto__":{"message":"from the prototype","polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
        { 'content-type': 'application/json' },
      );
    const transport = createTransport({ provider: 'acme', baseUrl: BASE, maxRetries: 0 });
    const error = (await failure(transport.request({ method: 'GET', path: '/x' }))) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    const body = error.body as Record<string, unknown>;
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.keys(body)).toEqual(['__proto__', 'constructor']);
    expect(body.polluted).toBeUndefined();
    expect(error.message).toBe('acme 500: server error (GET https://errors-limits.test/x)');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const copy = redact(JSON.parse('{"__proto__":{"token":"x"}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({
      token: '[REDACTED]',
    });
  });

  it('a secret with spaces is redacted in its URL-encoded forms too', () => {
    const secret = 'my secret value 9f8e7d';
    registerSecret(secret);
    expect(redactString(`q=${encodeURIComponent(secret)}&p=1`)).toBe('q=[REDACTED]&p=1');
    expect(redactString(`q=${new URLSearchParams({ s: secret }).toString().slice(2)}&p=1`)).toBe(
      'q=[REDACTED]&p=1',
    );
  });
});

describe('bounded error bodies and messages', () => {
  it('a 5 MB vendor message becomes a 1 KiB error message with a marker', async () => {
    nock(BASE)
      .get('/x')
      .reply(400, { message: 'm'.repeat(5 * 1024 * 1024) });
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      parseError: (body) => ({ message: (body as { message: string }).message }),
    });
    const error = (await failure(transport.request({ method: 'GET', path: '/x' }))) as ApiError;
    expect(error.message).toContain(`${'m'.repeat(1024)}… [truncated, ${5 * 1024 * 1024} chars`);
    expect(error.message.length).toBeLessThan(1300);
    expect(typeof error.body).toBe('string');
    expect((error.body as string).length).toBeLessThan(8 * 1024 + 100);
  });

  it('an error body over 8 KiB is kept as its start with a marker, a small one whole', () => {
    const big = createApiError({
      status: 500,
      provider: 'acme',
      body: 'x'.repeat(100_000),
      headers: {},
    });
    expect(big.body).toBe(`${'x'.repeat(8192)}… [truncated, 100000 chars in total]`);
    const small = createApiError({ status: 500, provider: 'acme', body: { a: 1 }, headers: {} });
    expect(small.body).toEqual({ a: 1 });
    const detail = new ApiError('x', { status: 500, detail: 'd'.repeat(5000) });
    expect(detail.detail).toBe(`${'d'.repeat(1024)}… [truncated, 5000 chars in total]`);
  });

  it('ResponseTooLargeError is exported from the root and names the option to raise', () => {
    const error = new ResponseTooLargeError(1024, { provider: 'acme' });
    expect(error.message).toContain('maxResponseBytes');
    expect(error.maxResponseBytes).toBe(1024);
  });
});

describe('assertSecretRedactable', () => {
  it('refuses credentials shorter than 8 characters, naming the option', () => {
    expect(() => assertSecretRedactable('clientSecret', 'short')).toThrow(InputValidationError);
    let thrown: unknown;
    try {
      assertSecretRedactable('clientSecret', ' 1234567 ');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputValidationError);
    expect((thrown as InputValidationError).issues[0]?.path).toBe('clientSecret');
    expect(() => assertSecretRedactable('token', '12345678')).not.toThrow();
  });
});
