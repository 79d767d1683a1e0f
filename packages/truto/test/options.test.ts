import { InputValidationError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTrutoAdapter, type TrutoAdapterOptions } from '../src/index';
import { ACCOUNT, adapter, BASE, listBody, PATH, setupNock, TOKEN } from './fixtures';

beforeAll(setupNock);
afterEach(() => {
  nock.cleanAll();
  vi.unstubAllEnvs();
});

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
  issuesOf(() => createTrutoAdapter(options as TrutoAdapterOptions)).map(
    (i) => `${i.path}:${i.rule}`,
  );

describe('createTrutoAdapter options', () => {
  it('accepts every option its type names (a strict check must not refuse a typed one)', () => {
    const all = {
      token: TOKEN,
      integratedAccountId: ACCOUNT,
      baseUrl: BASE,
      durationUnit: 'milliseconds',
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
      changes: 'window',
      changesWindowLookbackMs: 86_400_000,
      changesMetaTtlMs: 0,
    } satisfies Required<TrutoAdapterOptions>;
    expect(createTrutoAdapter(all).id).toBe('truto');
  });

  it('refuses an unknown option with the one meant', () => {
    const issues = issuesOf(() =>
      createTrutoAdapter({
        token: TOKEN,
        integratedAccountID: ACCOUNT,
      } as unknown as TrutoAdapterOptions),
    );
    expect(issues).toEqual([
      {
        path: 'integratedAccountID',
        rule: 'unknown_key',
        message: 'unknown key "integratedAccountID"; did you mean "integratedAccountId"?',
      },
      {
        path: 'integratedAccountId',
        rule: 'required',
        message:
          'truto needs `integratedAccountId`: pass it to the factory or set TRUTO_INTEGRATED_ACCOUNT_ID',
      },
    ]);
    expect(rules({ token: TOKEN, integratedAccountId: ACCOUNT, baseURL: BASE })).toEqual([
      'baseURL:unknown_key',
    ]);
  });

  it('names TRUTO_TOKEN and TRUTO_INTEGRATED_ACCOUNT_ID when they are missing', () => {
    expect(issuesOf(() => createTrutoAdapter()).map((i) => i.message)).toEqual([
      'truto needs `token`: pass it to the factory or set TRUTO_TOKEN',
      'truto needs `integratedAccountId`: pass it to the factory or set TRUTO_INTEGRATED_ACCOUNT_ID',
    ]);
  });

  it('reads TRUTO_* from the environment when options are absent; explicit options win', async () => {
    vi.stubEnv('TRUTO_TOKEN', 'env-truto-token');
    vi.stubEnv('TRUTO_INTEGRATED_ACCOUNT_ID', 'env-account');
    vi.stubEnv('TRUTO_BASE_URL', 'https://env.truto.test');
    const fromEnv = nock('https://env.truto.test')
      .get(PATH)
      .query((q) => q.integrated_account_id === 'env-account')
      .matchHeader('authorization', 'Bearer env-truto-token')
      .reply(200, listBody([]));
    expect(await createTrutoAdapter({ rateLimit: false }).engagements.list().toArray()).toEqual([]);
    expect(fromEnv.isDone()).toBe(true);

    const explicit = nock(BASE)
      .get(PATH)
      .query((q) => q.integrated_account_id === ACCOUNT)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(200, listBody([]));
    expect(await adapter().engagements.list().toArray()).toEqual([]);
    expect(explicit.isDone()).toBe(true);
  });

  it('refuses short tokens, plain http off loopback and user-info in the URL', () => {
    expect(rules({ token: 'short', integratedAccountId: ACCOUNT })).toEqual(['token:too_short']);
    expect(
      rules({ token: TOKEN, integratedAccountId: ACCOUNT, baseUrl: 'http://api.truto.one' }),
    ).toEqual(['baseUrl:insecure_url']);
    expect(
      rules({ token: TOKEN, integratedAccountId: ACCOUNT, baseUrl: 'https://a:b@api.truto.one' }),
    ).toEqual(['baseUrl:url_credentials']);
    expect(
      createTrutoAdapter({
        token: TOKEN,
        integratedAccountId: ACCOUNT,
        baseUrl: 'http://localhost:8080',
      }).id,
    ).toBe('truto');
  });
});

describe('caller input that would misroute a request', () => {
  it.each(['..', '.', 'truto:..', 'a/..', ''])(
    'delete(%j) is refused before any request',
    async (id) => {
      const error = await adapter()
        .engagements.delete(id)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputValidationError);
      expect((error as InputValidationError).issues[0]?.path).toBe('id');
    },
  );

  it.each([
    'INTEGRATED_ACCOUNT_ID',
    'integrated_account_id[]',
    'Integrated_Account_Id[0]',
    'NEXT_CURSOR',
    'truto_key_by[]',
  ])('native %s is refused as reserved', async (key) => {
    const error = await adapter()
      .engagements.list({ native: { [key]: 'other-account' } })
      .firstPage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues.map((i) => `${i.path}:${i.rule}`)).toEqual([
      `native.${key}:reserved`,
    ]);
  });
});
