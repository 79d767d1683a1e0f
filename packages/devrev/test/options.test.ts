import { InputValidationError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDevRevAdapter, type DevRevAdapterOptions } from '../src/index';
import { adapter, BASE, TOKEN, useNock } from './helpers';

useNock();
afterEach(() => vi.unstubAllEnvs());

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    return (error as InputValidationError).issues;
  }
  throw new Error('expected InputValidationError');
};
const rules = (options: unknown) =>
  issuesOf(() => createDevRevAdapter(options as DevRevAdapterOptions)).map(
    (i) => `${i.path}:${i.rule}`,
  );

describe('createDevRevAdapter options', () => {
  it('accepts every option its type names (a strict check must not refuse a typed one)', () => {
    const all = {
      token: TOKEN,
      baseUrl: BASE,
      allowInsecureHttp: false,
      rateLimit: false,
      timeoutMs: 1_000,
      maxRetries: 1,
      maxRetryWaitMs: 1_000,
      maxResponseBytes: 1_024,
      signal: new AbortController().signal,
      headers: { 'x-a': 'b' },
      hooks: {},
      beforeRequest: () => {},
      cursorSecret: 'a-cursor-secret-of-32-characters',
      changesLookbackMs: 60_000,
    } satisfies Required<DevRevAdapterOptions>;
    expect(createDevRevAdapter(all).id).toBe('devrev');
  });

  it('refuses an unknown option with the one meant (baseURL → baseUrl)', () => {
    expect(
      issuesOf(() =>
        createDevRevAdapter({ token: TOKEN, baseURL: BASE } as unknown as DevRevAdapterOptions),
      ),
    ).toEqual([
      {
        path: 'baseURL',
        rule: 'unknown_key',
        message: 'unknown key "baseURL"; did you mean "baseUrl"?',
      },
    ]);
    expect(rules({ token: TOKEN, timeoutMS: 5 })).toEqual(['timeoutMS:unknown_key']);
  });

  it('names DEVREV_TOKEN when the token is missing', () => {
    expect(issuesOf(() => createDevRevAdapter())).toEqual([
      {
        path: 'token',
        rule: 'required',
        message: 'devrev needs `token`: pass it to the factory or set DEVREV_TOKEN',
      },
    ]);
  });

  it('reads DEVREV_TOKEN and DEVREV_BASE_URL when the options are absent; explicit options win', async () => {
    vi.stubEnv('DEVREV_TOKEN', 'env-devrev-token');
    vi.stubEnv('DEVREV_BASE_URL', 'https://env.devrev.test');
    const fromEnv = nock('https://env.devrev.test')
      .get('/engagements.count')
      .matchHeader('authorization', 'Bearer env-devrev-token')
      .reply(200, { count: 3 });
    expect(await createDevRevAdapter().engagements.count()).toBe(3);
    expect(fromEnv.isDone()).toBe(true);

    const explicit = nock(BASE)
      .get('/engagements.count')
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(200, { count: 4 });
    expect(await adapter().engagements.count()).toBe(4);
    expect(explicit.isDone()).toBe(true);
  });

  it('refuses tokens shorter than 8 characters (a Bearer prefix does not count)', () => {
    expect(rules({ token: 'abc1234' })).toEqual(['token:too_short']);
    expect(rules({ token: 'Bearer abc1234' })).toEqual(['token:too_short']);
    expect(createDevRevAdapter({ token: 'Bearer abcd1234' }).id).toBe('devrev');
  });

  it('refuses plain http off loopback and user-info in the URL', () => {
    expect(rules({ token: TOKEN, baseUrl: 'http://api.devrev.ai' })).toEqual([
      'baseUrl:insecure_url',
    ]);
    expect(rules({ token: TOKEN, baseUrl: 'https://me:pw@api.devrev.ai' })).toEqual([
      'baseUrl:url_credentials',
    ]);
    expect(createDevRevAdapter({ token: TOKEN, baseUrl: 'http://127.0.0.1:9/x' }).id).toBe(
      'devrev',
    );
    expect(
      createDevRevAdapter({
        token: TOKEN,
        baseUrl: 'http://devrev.internal',
        allowInsecureHttp: true,
      }).id,
    ).toBe('devrev');
  });
});

describe('reserved native list keys', () => {
  it.each([
    ['CURSOR', 'reserved'],
    ['limit[]', 'reserved'],
    ['Limit', 'reserved'],
    ['MODE', 'reserved'],
    ['TYPE', 'conflict'],
  ])('%s is refused before any request', async (key, rule) => {
    const error = await adapter()
      .engagements.list({ kinds: ['call'], native: { [key]: 'x' } })
      .firstPage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues.map((i) => `${i.path}:${i.rule}`)).toEqual([
      `native.${key}:${rule}`,
    ]);
  });
});
