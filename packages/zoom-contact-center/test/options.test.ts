import { InputValidationError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createZoomContactCenterAdapter,
  type ZoomContactCenterAdapterOptions,
  type ZoomServerToServerOptions,
} from '../src/index';
import { BASE, CREDENTIALS, OAUTH, setupNock, specGetResponse } from './helpers';

beforeAll(setupNock);
afterEach(() => {
  nock.cleanAll();
  vi.unstubAllEnvs();
});

const fails = (options: unknown) => {
  try {
    createZoomContactCenterAdapter(options as ZoomContactCenterAdapterOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    return error as InputValidationError;
  }
  throw new Error('expected InputValidationError');
};

describe('factory options', () => {
  it.each(['accountId', 'clientId', 'clientSecret'] as const)('names a missing %s', (key) => {
    const { [key]: _, ...rest } = CREDENTIALS;
    const error = fails(rest);
    expect(error.issues.map((i) => i.path)).toEqual([key]);
    expect(error.message).not.toContain(CREDENTIALS.clientSecret);
  });

  it('rejects credentials and accessToken together, and empty values', () => {
    expect(fails({ ...CREDENTIALS, accessToken: 'tok-123456' }).issues.map((i) => i.path)).toEqual([
      'accountId',
      'clientId',
      'clientSecret',
    ]);
    expect(fails({ accessToken: '  ' }).issues[0]!.path).toBe('accessToken');
    expect(fails(null).issues[0]!.rule).toBe('invalid_type');
  });

  it.each([
    [{ baseUrl: 'not a url' }, 'baseUrl'],
    [{ oauthUrl: 'ftp://zoom.us/oauth' }, 'oauthUrl'],
    [{ onExpiredPageToken: 'ignore' }, 'onExpiredPageToken'],
    [{ rateLimit: { requestsPerSecond: 0 } }, 'rateLimit'],
    [{ maxRetries: -1 }, 'maxRetries'],
    [{ hooks: { onRequest: 'nope' } }, 'hooks.onRequest'],
  ])('rejects %j', (extra, path) => {
    const error = fails({ accessToken: 'tok-123456', ...extra });
    expect(error.issues[0]!.path.startsWith(path)).toBe(true);
  });

  it('builds without touching the network and reports its capabilities', () => {
    const zoom = createZoomContactCenterAdapter(CREDENTIALS);
    expect(zoom.id).toBe('zoom-contact-center');
    expect(zoom.capabilities).toMatchObject({
      operations: {
        list: true,
        get: true,
        create: false,
        update: false,
        delete: false,
        count: false,
      },
      filters: { from: 'server', to: 'server', kinds: 'client', participantIds: 'client' },
      maxPageSize: 100,
      defaultPageSize: 100,
      maxWindowMs: 27 * 86_400_000,
      backwardsPaging: false,
    });
    expect(zoom.capabilities.filters.accountIds).toBeUndefined();
    expect(zoom.capabilities.filters.ownerIds).toBeUndefined();
  });
});

describe('factory options a newcomer can guess', () => {
  it('accepts every option its type names (a strict check must not refuse a typed one)', () => {
    const all = {
      ...CREDENTIALS,
      baseUrl: BASE,
      oauthUrl: OAUTH,
      onExpiredPageToken: 'fail',
      changesLookbackMs: 3_600_000,
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
    } satisfies Required<Omit<ZoomServerToServerOptions, 'accessToken'>>;
    expect(createZoomContactCenterAdapter(all).id).toBe('zoom-contact-center');
  });

  it('refuses baseURL (and other unknown keys) with the option meant, instead of calling zoom.us', () => {
    const error = fails({ ...CREDENTIALS, baseURL: 'http://127.0.0.1:1/v2' });
    expect(error.issues).toEqual([
      {
        path: 'baseURL',
        rule: 'unknown_key',
        message: 'unknown key "baseURL"; did you mean "baseUrl"?',
      },
    ]);
    expect(fails({ ...CREDENTIALS, oauthURL: OAUTH }).issues[0]!.message).toContain('"oauthUrl"');
    expect(
      fails({ ...CREDENTIALS, rateLimit: { requestsPerSecond: 5, brust: 2 } }).issues[0],
    ).toMatchObject({ path: 'rateLimit.brust', rule: 'unknown_key' });
  });

  it('names the variable to set for each missing credential', () => {
    expect(fails({}).issues).toEqual(
      (['accountId', 'clientId', 'clientSecret'] as const).map((key) => ({
        path: key,
        rule: 'required',
        message: `zoom-contact-center needs \`${key}\`: pass it to the factory or set ${
          {
            accountId: 'ZOOM_ACCOUNT_ID',
            clientId: 'ZOOM_CLIENT_ID',
            clientSecret: 'ZOOM_CLIENT_SECRET',
          }[key]
        }`,
      })),
    );
  });

  it('reads ZOOM_* from the environment when options are absent; explicit options win', async () => {
    vi.stubEnv('ZOOM_ACCOUNT_ID', 'env-account');
    vi.stubEnv('ZOOM_CLIENT_ID', 'env-client-id');
    vi.stubEnv('ZOOM_CLIENT_SECRET', 'env-client-secret');
    vi.stubEnv('ZOOM_BASE_URL', 'https://env.zoom.test/v2');
    vi.stubEnv('ZOOM_OAUTH_URL', OAUTH);
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const token = nock('https://oauth.zoom.test')
      .post('/oauth/token')
      .query({ grant_type: 'account_credentials', account_id: 'env-account' })
      .matchHeader('authorization', basic('env-client-id', 'env-client-secret'))
      .reply(200, { access_token: 'tok-from-env-1', token_type: 'bearer', expires_in: 3600 });
    const api = nock('https://env.zoom.test')
      .get('/v2/contact_center/engagements/e-1')
      .matchHeader('authorization', 'Bearer tok-from-env-1')
      .reply(200, { ...specGetResponse(), engagement_id: 'e-1' });
    const e = await createZoomContactCenterAdapter().engagements.get('e-1');
    expect(e.remoteId).toBe('e-1');
    expect(token.isDone() && api.isDone()).toBe(true);

    const explicit = nock('https://zoom.test')
      .get('/v2/contact_center/engagements/e-2')
      .matchHeader('authorization', 'Bearer explicit-token-1')
      .reply(200, { ...specGetResponse(), engagement_id: 'e-2' });
    // An accessToken given: the S2S trio in the environment is not read (no "not both" error).
    const zoom = createZoomContactCenterAdapter({ accessToken: 'explicit-token-1', baseUrl: BASE });
    expect((await zoom.engagements.get('e-2')).remoteId).toBe('e-2');
    expect(explicit.isDone()).toBe(true);
  });

  it('refuses short secrets, insecure URLs and user-info in URLs', () => {
    const rules = (options: unknown) => fails(options).issues.map((i) => `${i.path}:${i.rule}`);
    expect(rules({ ...CREDENTIALS, clientSecret: 'short' })).toEqual(['clientSecret:too_short']);
    expect(rules({ accessToken: 'tok' })).toEqual(['accessToken:too_short']);
    expect(rules({ ...CREDENTIALS, baseUrl: 'http://zoom.test/v2' })).toEqual([
      'baseUrl:insecure_url',
    ]);
    expect(rules({ ...CREDENTIALS, oauthUrl: 'http://oauth.zoom.test/oauth/token' })).toEqual([
      'oauthUrl:insecure_url',
    ]);
    expect(rules({ ...CREDENTIALS, baseUrl: 'https://u:p@zoom.test/v2' })).toEqual([
      'baseUrl:url_credentials',
    ]);
    expect(
      createZoomContactCenterAdapter({
        ...CREDENTIALS,
        baseUrl: 'http://zoom.internal/v2',
        oauthUrl: 'http://zoom.internal/oauth/token',
        allowInsecureHttp: true,
      }).id,
    ).toBe('zoom-contact-center');
  });
});
