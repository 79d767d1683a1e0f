// Behaviour of the error tree, the error factory, redaction and the input-issue helpers that the
// mutation run (`MUTATE_GROUPS=errors pnpm mutation core`) found no test held: exact messages and
// markers, the bounds, what is kept of a cause, which keys and headers count as credentials, the
// encodings of a secret, and the did-you-mean suggestions. Secrets registered here are unique to
// this file (the registry is process-wide).
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ApiError,
  AuthenticationError,
  CapabilityError,
  createApiError,
  EngagekitError,
  InputValidationError,
  PaginationError,
  ResponseTooLargeError,
  ResponseValidationError,
  redact,
  redactString,
  redactUrl,
  registerSecret,
  suggestKey,
  unknownKeyIssues,
} from '../src/errors';
import { MAX_ERROR_BODY_CHARS, truncateText } from '../src/errors/errors';
import { redactHeaders, registerCredential, SENSITIVE_HEADER } from '../src/errors/redact';
import { knownKeysAt } from '../src/errors/unknown-keys';
import { issuePath, parseInput, parseResponse, toInputIssues } from '../src/errors/zod';

const R = '[REDACTED]';

describe('truncateText', () => {
  it('keeps a text of exactly max characters, cuts one longer with a marker', () => {
    expect(truncateText('abcd', 4)).toBe('abcd');
    expect(truncateText('abcde', 4)).toBe('abcd… [truncated, 5 chars in total]');
  });
});

describe('ApiError fields', () => {
  it('code, type and requestId are cut at 256 characters, detail at 1024', () => {
    const e = new ApiError('m', {
      status: 400,
      code: 'c'.repeat(257),
      type: 't'.repeat(256),
      requestId: 'r'.repeat(300),
      detail: 'd'.repeat(1025),
    });
    expect(e.code).toBe(`${'c'.repeat(256)}… [truncated, 257 chars in total]`);
    expect(e.type).toBe('t'.repeat(256));
    expect(e.requestId).toBe(`${'r'.repeat(256)}… [truncated, 300 chars in total]`);
    expect(e.detail).toBe(`${'d'.repeat(1024)}… [truncated, 1025 chars in total]`);
  });

  it('a numeric code is kept as it is; absent fields stay undefined', () => {
    const e = new ApiError('m', { status: 500, code: 42 });
    expect(e.code).toBe(42);
    expect(e.type).toBeUndefined();
    expect(e.detail).toBeUndefined();
    expect(e.requestId).toBeUndefined();
    expect(e.headers).toBeUndefined();
    expect(e.body).toBeUndefined();
    expect(e.retryAfterMs).toBeUndefined();
    expect(e.request).toBeUndefined();
  });

  it('bodies: null stays null, a string is cut at 8 KiB, an object at exactly 8 KiB of JSON is kept whole', () => {
    expect(new ApiError('m', { status: 500, body: null }).body).toBeNull();
    const long = 'x'.repeat(MAX_ERROR_BODY_CHARS + 1);
    expect(new ApiError('m', { status: 500, body: long }).body).toBe(
      `${'x'.repeat(MAX_ERROR_BODY_CHARS)}… [truncated, ${MAX_ERROR_BODY_CHARS + 1} chars in total]`,
    );
    expect(new ApiError('m', { status: 500, body: 'x'.repeat(MAX_ERROR_BODY_CHARS) }).body).toBe(
      'x'.repeat(MAX_ERROR_BODY_CHARS),
    );
    // {"a":"…"} is 8 characters around the value.
    const exact = { a: 'y'.repeat(MAX_ERROR_BODY_CHARS - 8) };
    expect(JSON.stringify(exact)).toHaveLength(MAX_ERROR_BODY_CHARS);
    expect(new ApiError('m', { status: 500, body: exact }).body).toEqual(exact);
    const over = { a: 'y'.repeat(MAX_ERROR_BODY_CHARS - 7) };
    expect(new ApiError('m', { status: 500, body: over }).body).toBe(
      `${JSON.stringify(over).slice(0, MAX_ERROR_BODY_CHARS)}… [truncated, ${MAX_ERROR_BODY_CHARS + 1} chars in total]`,
    );
  });

  it('a body JSON cannot serialise is a marker; one it serialises to nothing is kept', () => {
    expect(new ApiError('m', { status: 500, body: { n: 1n } }).body).toBe('[unserialisable body]');
    const fn = () => 1;
    expect(new ApiError('m', { status: 500, body: fn }).body).toBe(fn);
  });
});

describe('causes', () => {
  it('an Error cause keeps its name, message, string code and stack, minus secrets', () => {
    registerSecret('zq-cause-secret-4711');
    const cause = Object.assign(new TypeError('failed with zq-cause-secret-4711'), {
      code: 'E_X',
      config: { headers: { authorization: 'Bearer zz' } },
    });
    cause.stack = 'TypeError: failed with zq-cause-secret-4711\n    at here';
    const e = new EngagekitError('wrapped', { cause });
    const kept = e.cause as Error & { code?: string; config?: unknown };
    expect(kept).not.toBe(cause);
    expect(kept.name).toBe('TypeError');
    expect(kept.message).toBe(`failed with ${R}`);
    expect(kept.code).toBe('E_X');
    expect(kept.config).toBeUndefined();
    expect(kept.stack).toBe(`TypeError: failed with ${R}\n    at here`);
  });

  it('a numeric code is dropped; a cause without a stack gets name: message', () => {
    const cause = Object.assign(new Error('plain'), { code: 5 });
    cause.stack = undefined;
    const kept = new EngagekitError('w', { cause }).cause as Error & { code?: unknown };
    expect(kept.code).toBeUndefined();
    expect(kept.stack).toBe('Error: plain');
  });

  it('an engagekit cause is kept as it is; anything else is redacted', () => {
    const inner = new PaginationError('repeated-page', 'inner');
    expect(new EngagekitError('w', { cause: inner }).cause).toBe(inner);
    expect(new EngagekitError('w', { cause: { token: 'abc', n: 1 } }).cause).toEqual({
      token: R,
      n: 1,
    });
    expect('cause' in new EngagekitError('w')).toBe(true);
    expect(new EngagekitError('w').cause).toBeUndefined();
  });
});

describe('EngagekitError', () => {
  it('names itself after its class, not as an own enumerable key', () => {
    const e = new AuthenticationError('m', { status: 401 });
    expect(e.name).toBe('AuthenticationError');
    expect(Object.keys(e)).not.toContain('name');
    expect(Object.getOwnPropertyDescriptor(e, 'name')?.enumerable).toBe(false);
  });

  it('toJSON: name, message, every defined field, the cause as name and message, redacted', () => {
    const e = new ApiError('boom', {
      status: 418,
      provider: 'acme',
      headers: { authorization: 'x', 'x-a': 'b' },
      request: { method: 'GET', url: 'https://h.test/x?token=abc' },
      cause: new RangeError('inner'),
    });
    expect(e.toJSON()).toEqual({
      name: 'ApiError',
      message: 'boom',
      provider: 'acme',
      request: { method: 'GET', url: 'https://h.test/x?token=abc' },
      status: 418,
      headers: { authorization: R, 'x-a': 'b' },
      cause: { name: 'RangeError', message: 'inner' },
    });
    expect(new EngagekitError('plain', { cause: 'text' }).toJSON()).toEqual({
      name: 'EngagekitError',
      message: 'plain',
    });
  });

  it('inspect shows the stack and the JSON view', () => {
    const e = new CapabilityError('delete', 'no delete', { provider: 'acme' });
    e.stack = 'CapabilityError: no delete\n    at x';
    const text = inspect(e);
    expect(text.startsWith('CapabilityError: no delete\n    at x\n{')).toBe(true);
    expect(text).toContain("capability: 'delete'");
    e.stack = undefined;
    expect(inspect(e).startsWith('CapabilityError: no delete\n{')).toBe(true);
  });
});

describe('error messages', () => {
  it('ResponseTooLargeError, with and without provider and request', () => {
    expect(new ResponseTooLargeError(10).message).toBe(
      'vendor: the response body exceeded maxResponseBytes (10 bytes after decompression); raise the maxResponseBytes option if this response is expected',
    );
    expect(
      new ResponseTooLargeError(20, {
        provider: 'acme',
        request: { method: 'GET', url: 'https://h.test/x' },
      }).message,
    ).toBe(
      'acme: the response body exceeded maxResponseBytes (20 bytes after decompression) (GET https://h.test/x); raise the maxResponseBytes option if this response is expected',
    );
  });

  it('InputValidationError lists every issue, (root) for an empty path', () => {
    const e = new InputValidationError([
      { path: 'a.b', rule: 'too_big', message: 'too big' },
      { path: '', rule: 'invalid_type', message: 'bad' },
    ]);
    expect(e.message).toBe('Invalid input: a.b: too big [too_big]; (root): bad [invalid_type]');
    expect(e.issues).toHaveLength(2);
  });

  it('ResponseValidationError: provider, what, first path, how many more, hint', () => {
    const issues = [
      { path: 'data.0.id', rule: 'invalid_type', message: 'expected string' },
      { path: 'x', rule: 'r', message: 'm' },
      { path: 'y', rule: 'r', message: 'm' },
    ];
    const e = new ResponseValidationError(issues, {
      provider: 'acme',
      what: 'list body',
      hint: 'Check the version',
    });
    expect(e.message).toBe(
      'acme list body does not match its schema at data.0.id: expected string (+2 more). Check the version',
    );
    expect(e.path).toBe('data.0.id');
    expect(new ResponseValidationError([issues[0] as (typeof issues)[0]]).message).toBe(
      'vendor response does not match its schema at data.0.id: expected string',
    );
    const none = new ResponseValidationError([]);
    expect(none.message).toBe('vendor response does not match its schema at (root): invalid');
    expect(none.path).toBe('');
  });

  it('PaginationError and CapabilityError keep their reason and capability', () => {
    const p = new PaginationError('empty-pages', 'm', { provider: 'acme' });
    expect([p.reason, p.provider, p.message]).toEqual(['empty-pages', 'acme', 'm']);
    expect(new CapabilityError('filter:kinds', 'm').capability).toBe('filter:kinds');
  });
});

describe('createApiError', () => {
  const make = (status: number, info = {}, request?: { method: string; url: string }) =>
    createApiError({ status, provider: 'acme', body: undefined, headers: {}, info, request });

  it('the default message per status', () => {
    expect(make(401).message).toBe('acme 401: authentication failed');
    expect(make(403).message).toBe('acme 403: permission denied');
    expect(make(404).message).toBe('acme 404: not found');
    expect(make(429).message).toBe('acme 429: rate limited');
    expect(make(500).message).toBe('acme 500: server error');
    expect(make(499).message).toBe('acme 499: request failed');
    expect(make(499)).toBeInstanceOf(ApiError);
    expect(make(499).constructor).toBe(ApiError);
    expect(make(500).constructor.name).toBe('ServerError');
  });

  it('type and code in brackets, empty ones left out; the request line at the end', () => {
    expect(make(400, { type: 'bad_request', code: 12, message: 'no' }).message).toBe(
      'acme 400 [bad_request/12]: no',
    );
    expect(make(400, { type: '', code: 'E1' }).message).toBe('acme 400 [E1]: request failed');
    expect(make(400, { code: 0 }).message).toBe('acme 400 [0]: request failed');
    expect(make(400, { code: '' }).message).toBe('acme 400: request failed');
    expect(make(400, {}, { method: 'GET', url: 'https://h.test/a' }).message).toBe(
      'acme 400: request failed (GET https://h.test/a)',
    );
    expect(make(400, { type: 'x'.repeat(201) }).message).toBe(
      `acme 400 [${'x'.repeat(200)}… [truncated, 201 chars in total]]: request failed`,
    );
  });

  it('a vendor message over 1 KiB is cut; a non-string message is the default', () => {
    expect(make(400, { message: 'm'.repeat(1025) }).message).toBe(
      `acme 400: ${'m'.repeat(1024)}… [truncated, 1025 chars in total]`,
    );
    expect(make(404, { message: 7 }).message).toBe('acme 404: not found');
  });
});

describe('which keys and headers are credentials', () => {
  it.each([
    'authorization',
    'Proxy-Authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
    'api-key',
    'api_key',
    'apikey',
    'apiKey',
    'access-token',
    'access_token',
    'accessToken',
    'refresh_token',
    'refresh-token',
    'id_token',
    'id-token',
    'auth_token',
    'auth-token',
    'x-auth-token',
    'session_token',
    'session-token',
    'security_token',
    'security-token',
    'x-amz-security-token',
    'client_secret',
    'client-secret',
    'token',
    'password',
    'passwd',
    'secret',
    'private_key',
    'private-key',
    'assertion',
    'code_verifier',
    'code-verifier',
  ])('a %s key is redacted whole', (key) => {
    expect(redact({ [key]: 'value-1', other: 'kept' })).toEqual({ [key]: R, other: 'kept' });
  });

  it.each(['tokens', 'my_token', 'token_type', 'secretary', 'keyword', 'cookies', 'apikeys'])(
    'a %s key is not',
    (key) => {
      expect(redact({ [key]: 'value-2' })).toEqual({ [key]: 'value-2' });
    },
  );

  it('credential-named headers are replaced; others only lose registered secrets', () => {
    for (const name of [
      'Authorization',
      'X-Cookie-Thing',
      'X-Api-Key',
      'X-Custom-Token',
      'X-Secret',
      'X-Password',
      'X-Passwd',
      'X-Session-Id',
      'X-Credential',
      'X-Signature',
    ]) {
      expect(SENSITIVE_HEADER.test(name)).toBe(true);
      expect(redactHeaders({ [name]: 'v' })).toEqual({ [name]: R });
    }
    expect(redactHeaders({ 'X-Request-Id': 'r-1', Accept: 'a' })).toEqual({
      'X-Request-Id': 'r-1',
      Accept: 'a',
    });
    const proto = redactHeaders(JSON.parse('{"__proto__":"p"}'));
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__']);
  });
});

describe('redactString', () => {
  it('Bearer and Basic values in any case are cut, the scheme kept', () => {
    expect(redactString('a Bearer abc.DEF_1~+/= b')).toBe(`a Bearer ${R} b`);
    expect(redactString('bearer x1 BEARER y2 Basic dXNlcjpw')).toBe(
      `bearer ${R} BEARER ${R} Basic ${R}`,
    );
    expect(redactString('Token abc and Bearer')).toBe('Token abc and Bearer');
  });

  it('a secret that contains another is removed whole', () => {
    registerSecret('zq-inner-77');
    registerSecret('zq-inner-77-outer-88');
    expect(redactString('x zq-inner-77-outer-88 y zq-inner-77 z')).toBe(`x ${R} y ${R} z`);
  });
});

describe('registerSecret and registerCredential', () => {
  it('ignores non-strings and values under 6 characters after trimming; 6 is enough', () => {
    registerSecret(undefined);
    registerSecret('  zq5ab  ');
    expect(redactString('zq5ab')).toBe('zq5ab');
    registerSecret('  zq6abc  ');
    expect(redactString('a zq6abc b')).toBe(`a ${R} b`);
  });

  it('registers the URL, form and JSON forms of a secret', () => {
    registerSecret('zq sp&"q\\x');
    expect(redactString('u=zq%20sp%26%22q%5Cx')).toBe(`u=${R}`);
    expect(redactString('f=zq+sp%26%22q%5Cx')).toBe(`f=${R}`);
    expect(redactString('{"s":"zq sp&\\"q\\\\x"}')).toBe(`{"s":"${R}"}`);
  });

  it('a lone surrogate secret is still registered raw', () => {
    const odd = 'zq-lone-\uD800-secret';
    registerSecret(odd);
    expect(redactString(`[${odd}]`)).toBe(`[${R}]`);
  });

  it('a scheme credential registers its value; Basic also the decoded pair and password', () => {
    registerCredential('Bearer zq-bearer-value-31');
    expect(redactString('echo zq-bearer-value-31')).toBe(`echo ${R}`);
    const b64 = Buffer.from('zq-user:zq-pass-word-9').toString('base64');
    registerCredential(`Basic ${b64}`);
    expect(redactString(`${b64}|zq-user:zq-pass-word-9|zq-pass-word-9`)).toBe(`${R}|${R}|${R}`);
    const noColon = Buffer.from('zq-nocolon-user').toString('base64');
    registerCredential(`basic ${noColon}`);
    expect(redactString('zq-nocolon-user')).toBe('zq-nocolon-user');
    registerCredential(`Digest ${Buffer.from('zq-d:zq-digest-pw').toString('base64')}`);
    expect(redactString('zq-digest-pw')).toBe('zq-digest-pw');
    registerCredential('zq-plain-credential-1');
    expect(redactString('zq-plain-credential-1')).toBe(R);
  });
});

describe('redact', () => {
  it('dates stay dates, typed arrays become a size, errors their name/message/code', () => {
    const d = new Date(0);
    expect(redact({ d }).d).toBe(d);
    expect(redact(new Uint8Array(3))).toBe('[Uint8Array 3 bytes]');
    expect(redact(Object.assign(new Error('e'), { code: 'C' }))).toEqual({
      name: 'Error',
      message: 'e',
      code: 'C',
    });
    expect(redact(new RangeError('r'))).toEqual({ name: 'RangeError', message: 'r' });
  });

  it('maps become objects with credential keys redacted', () => {
    expect(
      redact(
        new Map<unknown, unknown>([
          ['token', 'x'],
          [1, { a: 'b' }],
        ]),
      ),
    ).toEqual({
      token: R,
      1: { a: 'b' },
    });
  });

  it('depth 8 is copied, depth 9 truncated; the same object twice is no cycle', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 9; i++) deep = { n: deep };
    let out = redact(deep) as Record<string, unknown>;
    for (let i = 0; i < 8; i++) out = out.n as Record<string, unknown>;
    expect(out).toEqual({ n: 'leaf' });
    let deeper: unknown = 'leaf';
    for (let i = 0; i < 10; i++) deeper = { n: deeper };
    let cut = redact(deeper) as Record<string, unknown>;
    for (let i = 0; i < 9; i++) cut = cut.n as Record<string, unknown>;
    expect(cut).toBe('[Truncated]');
    const shared = { v: 1 };
    expect(redact({ a: shared, b: shared, c: [shared, shared] })).toEqual({
      a: { v: 1 },
      b: { v: 1 },
      c: [{ v: 1 }, { v: 1 }],
    });
    const loop: Record<string, unknown> = { token: 'zz', name: 'n' };
    loop.self = loop;
    expect(redact(loop)).toEqual({ token: R, name: 'n', self: '[Circular]' });
  });
});

describe('redactUrl', () => {
  it('credential query values, user and password are replaced; the rest stays', () => {
    expect(redactUrl('https://u:p@h.test/x?access_token=abc&page=2')).toBe(
      'https://%5BREDACTED%5D:%5BREDACTED%5D@h.test/x?access_token=%5BREDACTED%5D&page=2',
    );
    expect(redactUrl('https://h.test/x?page=2')).toBe('https://h.test/x?page=2');
    expect(redactUrl('not a url Bearer abc')).toBe(`not a url Bearer ${R}`);
  });
});

describe('did-you-mean', () => {
  it('same letters in another case or separator win, then the closest within the edit budget', () => {
    expect(suggestKey('BASE_URL', ['timeout', 'baseUrl'])).toBe('baseUrl');
    // Equally close: the first known key wins.
    expect(suggestKey('kind', ['kinds', 'mind'])).toBe('kinds');
    expect(suggestKey('kind', ['mind', 'kinds'])).toBe('mind');
    expect(suggestKey('kindz', ['kinds', 'kin'])).toBe('kinds');
    expect(suggestKey('pagesize', ['pageSize'])).toBe('pageSize');
    expect(suggestKey('pageSzie', ['pageSize', 'prefetch'])).toBe('pageSize');
    // Two edits: allowed for keys longer than 4 characters, not for short ones.
    expect(suggestKey('timout', ['timeout'])).toBe('timeout');
    expect(suggestKey('tmout', ['timeout'])).toBe('timeout');
    expect(suggestKey('tmot', ['timeout'])).toBeUndefined();
    expect(suggestKey('abcd', ['abxy'])).toBeUndefined();
    expect(suggestKey('abcd', ['abcx'])).toBe('abcx');
    expect(suggestKey('abcdef', ['axcxyf'])).toBeUndefined();
    expect(suggestKey('abcdef', ['abcxyf'])).toBe('abcxyf');
    expect(suggestKey('abcdef', ['abxdey', 'abcdex'])).toBe('abcdex');
    // A length gap beyond the budget is never close.
    expect(suggestKey('ab', ['abcd'])).toBeUndefined();
    expect(suggestKey('providers', ['provider'])).toBe('provider');
  });

  it('issues per unknown key, with or without a suggestion, under a path', () => {
    expect(unknownKeyIssues(['kind', 'zzz'], ['kinds', 'from'], 'params')).toEqual([
      {
        path: 'params.kind',
        rule: 'unknown_key',
        message: 'unknown key "kind"; did you mean "kinds"?',
      },
      {
        path: 'params.zzz',
        rule: 'unknown_key',
        message: 'unknown key "zzz" (known: kinds, from)',
      },
    ]);
    expect(unknownKeyIssues(['x'], ['y'])[0]?.path).toBe('x');
  });

  it('knownKeysAt walks objects, arrays, records, unions and wrappers', () => {
    const schema = z
      .object({
        a: z.object({ b: z.number(), c: z.string() }).optional(),
        list: z.array(z.object({ id: z.string() })),
        map: z.record(z.string(), z.object({ v: z.number() })),
        either: z.union([z.object({ x: z.number() }), z.object({ y: z.number() })]),
        n: z.number(),
      })
      .default({ a: undefined, list: [], map: {}, either: { x: 1 }, n: 1 });
    expect(knownKeysAt(schema, [])).toEqual(['a', 'list', 'map', 'either', 'n']);
    expect(knownKeysAt(schema, ['a'])).toEqual(['b', 'c']);
    expect(knownKeysAt(schema, ['list', 0])).toEqual(['id']);
    expect(knownKeysAt(schema, ['map', 'k'])).toEqual(['v']);
    expect(knownKeysAt(schema, ['either'])).toEqual(['x', 'y']);
    expect(knownKeysAt(schema, ['n'])).toBeUndefined();
    expect(knownKeysAt(schema, ['list', 'x'])).toBeUndefined();
    expect(knownKeysAt(schema, ['nope'])).toBeUndefined();
  });
});

describe('zod issues', () => {
  it('issuePath skips absent and empty parts', () => {
    expect(issuePath('result', 3, undefined, '', 'id')).toBe('result.3.id');
    expect(issuePath(undefined, 0)).toBe('0');
  });

  it('parseInput names unknown keys with suggestions, custom rules by their rule param', () => {
    const schema = z
      .object({
        kinds: z.array(z.string()).optional(),
        n: z
          .number()
          .optional()
          .refine((v) => v !== 13, { params: { rule: 'unlucky' }, message: 'not 13' }),
        m: z
          .number()
          .optional()
          .refine((v) => v !== 7, { message: 'not 7' }),
      })
      .strict();
    const issuesOf = (input: unknown) => {
      try {
        parseInput(schema, input, { prefix: 'p' });
      } catch (e) {
        return (e as InputValidationError).issues;
      }
      throw new Error('expected a throw');
    };
    expect(issuesOf({ kind: ['a'] })).toEqual([
      { path: 'p.kind', rule: 'unknown_key', message: 'unknown key "kind"; did you mean "kinds"?' },
    ]);
    expect(issuesOf({ n: 13 })).toEqual([{ path: 'p.n', rule: 'unlucky', message: 'not 13' }]);
    expect(issuesOf({ m: 7 })).toEqual([{ path: 'p.m', rule: 'custom', message: 'not 7' }]);
    expect(parseInput(schema, { n: 1 })).toEqual({ n: 1 });
    // Without the schema, unknown keys stay one zod issue.
    const raw = schema.safeParse({ zz: 1 });
    expect(raw.success).toBe(false);
    if (!raw.success) {
      expect(toInputIssues(raw.error).map((i) => [i.path, i.rule])).toEqual([
        ['', 'unrecognized_keys'],
      ]);
    }
  });

  it('parseResponse returns a valid payload and names the provider and path otherwise', () => {
    const schema = z.object({ id: z.string() });
    const payload = { id: 'a' };
    expect(parseResponse(schema, payload, { provider: 'acme' })).toEqual(payload);
    let error: unknown;
    try {
      parseResponse(schema, { id: 1 }, { provider: 'acme', what: 'thing', prefix: 'data.2' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).path).toBe('data.2.id');
    expect((error as ResponseValidationError).provider).toBe('acme');
    expect(
      (error as ResponseValidationError).message.startsWith(
        'acme thing does not match its schema at data.2.id: ',
      ),
    ).toBe(true);
  });
});

describe('more edges (second pass over the survivors)', () => {
  it('separators do not count as edits: a_b_c_d means abcd', () => {
    expect(suggestKey('a_b_c_d', ['abcd'])).toBe('abcd');
  });

  it('registerCredential needs exactly a scheme and one value, spaces around allowed', () => {
    registerCredential('zq-one zq-two zq-three-33');
    expect(redactString('zq-three-33')).toBe('zq-three-33');
    registerCredential('Bearer zq-tok-x1 trailing');
    expect(redactString('zq-tok-x1')).toBe('zq-tok-x1');
    registerCredential('Bearer  zq-double-sp');
    expect(redactString('zq-double-sp')).toBe(R);
    registerCredential('Bearer zq-trailing-sp1 ');
    expect(redactString('zq-trailing-sp1')).toBe(R);
    registerCredential(`Basic ${Buffer.from(':zq-colon-first-pw').toString('base64')}`);
    expect(redactString('zq-colon-first-pw')).toBe(R);
  });

  it('a secret is redacted in its raw form too', () => {
    registerSecret('zq raw&"form\\y');
    expect(redactString('<zq raw&"form\\y>')).toBe(`<${R}>`);
  });

  it('a __proto__ key stays a writable, configurable own key', () => {
    const out = redact(JSON.parse('{"__proto__":{"a":1},"b":2}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')).toEqual({
      value: { a: 1 },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(Object.getOwnPropertyDescriptor(out, 'b')?.value).toBe(2);
  });

  it('knownKeysAt unwraps at most 8 wrappers', () => {
    const wrap = (s: z.ZodType, n: number): z.ZodType => (n === 0 ? s : wrap(s.optional(), n - 1));
    const obj = z.object({ id: z.string() });
    expect(knownKeysAt(wrap(obj, 8), [])).toEqual(['id']);
    expect(knownKeysAt(wrap(obj, 9), [])).toBeUndefined();
    const list = (n: number) => z.object({ l: wrap(z.array(obj), n) });
    expect(knownKeysAt(list(1), ['l', 0])).toEqual(['id']);
    expect(knownKeysAt(list(8), ['l', 0])).toEqual(['id']);
    expect(knownKeysAt(list(9), ['l', 0])).toBeUndefined();
    expect(knownKeysAt(z.object({ a: obj }), ['nope', 'x'])).toBeUndefined();
  });

  it('only unknown keys become unknown_key issues; an empty strict object keeps the zod issue', () => {
    const schema = z.object({ a: z.object({ b: z.number() }) }).strict();
    let issues: unknown;
    try {
      parseInput(schema, { a: 5 });
    } catch (e) {
      issues = (e as InputValidationError).issues;
    }
    expect(issues).toEqual([
      { path: 'a', rule: 'invalid_type', message: expect.stringContaining('object') },
    ]);
    try {
      parseInput(z.object({}).strict(), { x: 1 });
    } catch (e) {
      issues = (e as InputValidationError).issues;
    }
    expect((issues as { rule: string }[]).map((i) => i.rule)).toEqual(['unrecognized_keys']);
  });
});

describe('third pass: what the second errors run left', () => {
  it('toJSON leaves out undefined fields; inspect shows the view 4 levels deep', () => {
    const e = new ApiError('m', { status: 400, body: { a: { b: { c: 'deep' } } } });
    expect(Object.keys(e.toJSON())).toEqual(['name', 'message', 'status', 'body']);
    expect(inspect(e)).toContain("c: 'deep'");
  });

  it('redact keeps null and leaves out an undefined error code', () => {
    expect(redact({ a: null, b: [null] })).toStrictEqual({ a: null, b: [null] });
    expect(Object.keys(redact(new Error('x')) as object)).toEqual(['name', 'message']);
  });

  it('did-you-mean: a prefix of the known key counts as edits', () => {
    // Two insertions and a substitution: three edits, over the budget of two.
    expect(suggestKey('abcdef', ['xyabcdez'])).toBeUndefined();
  });
});
