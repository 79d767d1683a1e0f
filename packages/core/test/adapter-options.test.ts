import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CreateEngagementInputSchema,
  HttpOptionsSchema,
  isLoopbackHost,
  normalizeListParams,
  parseAdapterOptions,
  parseInput,
  reservedNativeKey,
  suggestKey,
  toRemoteId,
} from '../src/adapter-kit';
import {
  type AdapterCapabilities,
  InputValidationError,
  type ListEngagementsParams,
} from '../src/index';

const caps: AdapterCapabilities = {
  operations: { list: true, get: true, create: true, update: true, delete: true, count: false },
  filters: { from: 'server', to: 'server', kinds: 'server' },
  maxPageSize: 100,
  defaultPageSize: 50,
  backwardsPaging: false,
  ordering: 'unordered',
};

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    return (error as InputValidationError).issues;
  }
  throw new Error('expected InputValidationError');
}

describe('suggestKey', () => {
  it.each([
    ['baseURL', 'baseUrl'],
    ['BASEURL', 'baseUrl'],
    ['kind', 'kinds'],
    ['pagesize', 'pageSize'],
    ['timeoutMS', 'timeoutMs'],
    ['acountId', 'accountId'],
    ['integratedAccountID', 'integratedAccountId'],
    ['base_url', 'baseUrl'],
    ['integrated_account_id', 'integratedAccountId'],
    ['page_size', 'pageSize'],
  ])('%s → %s', (typo, expected) => {
    expect(
      suggestKey(typo, [
        'baseUrl',
        'kinds',
        'pageSize',
        'timeoutMs',
        'accountId',
        'integratedAccountId',
      ]),
    ).toBe(expected);
  });

  it('suggests nothing for a key that is far from every known one', () => {
    expect(suggestKey('id', ['to', 'from'])).toBeUndefined();
    expect(suggestKey('bogus', ['baseUrl', 'token'])).toBeUndefined();
  });
});

describe('unknown keys in list params and write input', () => {
  it('names the key and the one meant (list params, nested request options, create input)', () => {
    const list = issuesOf(() =>
      normalizeListParams('acme', caps, { kind: ['call'] } as Parameters<
        typeof normalizeListParams
      >[2]),
    );
    expect(list).toEqual([
      { path: 'kind', rule: 'unknown_key', message: 'unknown key "kind"; did you mean "kinds"?' },
    ]);
    const nested = issuesOf(() =>
      normalizeListParams('acme', caps, { request: { timeoutMS: 5 } } as never),
    );
    expect(nested).toEqual([
      {
        path: 'request.timeoutMS',
        rule: 'unknown_key',
        message: 'unknown key "timeoutMS"; did you mean "timeoutMs"?',
      },
    ]);
    // Every typed per-call option passes the strict check.
    const request = {
      timeoutMs: 1_000,
      maxRetries: 1,
      maxRetryWaitMs: 2_000,
      maxResponseBytes: 1_024,
      headers: { 'x-a': 'b' },
      beforeRequest: () => {},
    } satisfies Required<NonNullable<ListEngagementsParams['request']>>;
    expect(normalizeListParams('acme', caps, { request }).request).toEqual(request);
    const create = issuesOf(() => parseInput(CreateEngagementInputSchema, { subjet: 'x' }));
    expect(create[0]?.message).toBe('unknown key "subjet"; did you mean "subject"?');
  });
});

const Schema = HttpOptionsSchema.extend({
  token: z.string().optional(),
  oauthUrl: HttpOptionsSchema.shape.baseUrl,
}).strict();
const spec = {
  provider: 'acme',
  env: { token: 'ACME_TOKEN', baseUrl: 'ACME_BASE_URL' },
  required: () => ['token'] as const,
  secrets: ['token'] as const,
  urls: ['baseUrl', 'oauthUrl'] as const,
};
const parse = (options: unknown, environment: Record<string, string | undefined> = {}) =>
  parseAdapterOptions(Schema, options, { ...spec, environment });

describe('parseAdapterOptions', () => {
  it('refuses an unknown option with a suggestion instead of ignoring it', () => {
    expect(issuesOf(() => parse({ token: 'tok-12345678', baseURL: 'http://evil.test' }))).toEqual([
      {
        path: 'baseURL',
        rule: 'unknown_key',
        message: 'unknown key "baseURL"; did you mean "baseUrl"?',
      },
    ]);
  });

  it('falls back to the environment; explicit options win', () => {
    const env = { ACME_TOKEN: 'env-token-123', ACME_BASE_URL: 'https://env.acme.test' };
    expect(parse(undefined, env)).toEqual({
      token: 'env-token-123',
      baseUrl: 'https://env.acme.test',
    });
    expect(parse({ token: 'explicit-token' }, env).token).toBe('explicit-token');
    expect(parse({ token: 'explicit-token' }, { ACME_TOKEN: '  ' }).token).toBe('explicit-token');
  });

  it('names the option and its variable when a credential is missing or blank', () => {
    const expected = [
      {
        path: 'token',
        rule: 'required',
        message: 'acme needs `token`: pass it to the factory or set ACME_TOKEN',
      },
    ];
    expect(issuesOf(() => parse({}))).toEqual(expected);
    expect(issuesOf(() => parse({ token: '   ' }))).toEqual(expected);
    expect(issuesOf(() => parse(null))[0]?.rule).toBe('invalid_type');
  });

  it('refuses secrets shorter than 8 characters, without echoing them', () => {
    const issues = issuesOf(() => parse({ token: 'abc1234' }));
    expect(issues.map((i) => `${i.path}:${i.rule}`)).toEqual(['token:too_short']);
    expect(JSON.stringify(issues)).not.toContain('abc1234');
    expect(parse({ token: 'abcd1234' }).token).toBe('abcd1234');
  });

  it.each([
    ['http://api.acme.test', 'baseUrl:insecure_url'],
    ['http://10.0.0.1:8080', 'baseUrl:insecure_url'],
    ['http://localhost.evil.test', 'baseUrl:insecure_url'],
    ['https://user:pass@api.acme.test', 'baseUrl:url_credentials'],
    ['https://user@api.acme.test', 'baseUrl:url_credentials'],
  ])('refuses baseUrl %s', (baseUrl, expected) => {
    const issues = issuesOf(() => parse({ token: 'tok-12345678', baseUrl }));
    expect(issues.map((i) => `${i.path}:${i.rule}`)).toEqual([expected]);
  });

  it('checks every URL option, oauthUrl included', () => {
    const issues = issuesOf(() =>
      parse({ token: 'tok-12345678', oauthUrl: 'http://zoom.test/oauth/token' }),
    );
    expect(issues.map((i) => `${i.path}:${i.rule}`)).toEqual(['oauthUrl:insecure_url']);
  });

  it.each([
    'https://api.acme.test',
    'http://localhost:3000',
    'http://127.0.0.1:9',
    'http://127.5.6.7',
    'http://[::1]:8080/x',
  ])('accepts %s', (baseUrl) => {
    expect(parse({ token: 'tok-12345678', baseUrl }).baseUrl).toBe(baseUrl);
  });

  it('accepts plain http on another host only with allowInsecureHttp', () => {
    const o = parse({
      token: 'tok-12345678',
      baseUrl: 'http://api.acme.test',
      allowInsecureHttp: true,
    });
    expect(o.baseUrl).toBe('http://api.acme.test');
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });
});

describe('toRemoteId', () => {
  it.each(['', '.', '..', ' ', 'acme:', 'acme:..', 'a\nb', 'a\u0000'])('refuses %j', (id) => {
    const issues = issuesOf(() => toRemoteId('acme', id));
    expect(issues[0]?.path).toBe('id');
  });

  it('keeps slashes, but refuses dot segments where the id is a path segment', () => {
    expect(toRemoteId('acme', 'acme:don:core:devo/1:engagement/2')).toBe(
      'don:core:devo/1:engagement/2',
    );
    expect(toRemoteId('acme', 'a/b==', { pathSegment: true })).toBe('a/b==');
    expect(toRemoteId('acme', 'acme:abc.def', { pathSegment: true })).toBe('abc.def');
    for (const id of ['a/..', '../x', 'a\\.', 'a/./b']) {
      expect(issuesOf(() => toRemoteId('acme', id, { pathSegment: true }))[0]?.rule).toBe(
        'invalid_id',
      );
    }
    expect(toRemoteId('acme', 'a/..')).toBe('a/..');
  });
});

describe('reservedNativeKey', () => {
  it.each([
    ['integrated_account_id', 'integrated_account_id'],
    ['INTEGRATED_ACCOUNT_ID', 'integrated_account_id'],
    ['integrated_account_id[]', 'integrated_account_id'],
    ['integrated_account_id[0]', 'integrated_account_id'],
    [' Integrated_Account_Id ', 'integrated_account_id'],
    ['integrated_account', undefined],
  ])('%j → %j', (key, expected) => {
    expect(reservedNativeKey(key, ['integrated_account_id', 'next_cursor'])).toBe(expected);
  });
});
