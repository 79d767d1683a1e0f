import { inspect } from 'node:util';
import type { HookRequestInfo } from '@engagekit/core';
import { AuthenticationError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';
import { BASE, CREDENTIALS, OAUTH, record, setupNock, tokenScope } from './helpers';

beforeAll(setupNock);
afterEach(() => {
  nock.cleanAll();
  vi.restoreAllMocks();
});

const adapter = (extra: Record<string, unknown> = {}) =>
  createZoomContactCenterAdapter({
    ...CREDENTIALS,
    baseUrl: BASE,
    oauthUrl: OAUTH,
    rateLimit: false,
    maxRetries: 1,
    ...extra,
  });

const getScope = (id: string, token: string) =>
  nock('https://zoom.test', { reqheaders: { authorization: `Bearer ${token}` } })
    .get(`/v2/contact_center/engagements/${id}`)
    .reply(200, record(id, Date.UTC(2026, 0, 1)));

describe('server-to-server OAuth', () => {
  it('fetches a token with account_credentials and Basic client credentials', async () => {
    const basic = Buffer.from(`${CREDENTIALS.clientId}:${CREDENTIALS.clientSecret}`).toString(
      'base64',
    );
    const token = nock('https://oauth.zoom.test', {
      reqheaders: { authorization: `Basic ${basic}` },
    })
      .post('/oauth/token')
      .query({ grant_type: 'account_credentials', account_id: CREDENTIALS.accountId })
      .reply(200, {
        access_token: 'tok-aaaaaa',
        token_type: 'bearer',
        expires_in: 3600,
        scope: 'x',
      });
    const api = getScope('e1', 'tok-aaaaaa');
    const e = await adapter().engagements.get('e1');
    expect(e.id).toBe('zoom-contact-center:e1');
    expect(token.isDone()).toBe(true);
    expect(api.isDone()).toBe(true);
  });

  it('caches the token across requests', async () => {
    tokenScope('tok-cached', 3600, 1);
    const zoom = adapter();
    for (const id of ['a', 'b', 'c']) getScope(id, 'tok-cached');
    for (const id of ['a', 'b', 'c']) await zoom.engagements.get(id);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('shares one token request between concurrent requests (single flight)', async () => {
    const token = nock('https://oauth.zoom.test')
      .post('/oauth/token')
      .query(true)
      .delay(50)
      .reply(200, { access_token: 'tok-single', token_type: 'bearer', expires_in: 3600 });
    const zoom = adapter();
    const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
    for (const id of ids) getScope(id, 'tok-single');
    const results = await Promise.all(ids.map((id) => zoom.engagements.get(id)));
    expect(results.map((e) => e.remoteId)).toEqual(ids);
    expect(token.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('refreshes a minute before expires_in', async () => {
    const realNow = Date.now.bind(Date);
    let offset = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    const zoom = adapter();
    tokenScope('tok-first', 3600);
    getScope('a', 'tok-first');
    await zoom.engagements.get('a');
    offset = 3_600_000 - 61_000; // 61 s left: still fresh
    getScope('b', 'tok-first');
    await zoom.engagements.get('b');
    offset = 3_600_000 - 59_000; // 59 s left: refreshed first
    tokenScope('tok-second', 3600);
    getScope('c', 'tok-second');
    await zoom.engagements.get('c');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('refreshes once on 401 code 124 and retries the request', async () => {
    const zoom = adapter();
    tokenScope('tok-revoked', 3600);
    nock('https://zoom.test')
      .get('/v2/contact_center/engagements/x')
      .matchHeader('authorization', 'Bearer tok-revoked')
      .reply(401, { code: 124, message: 'Invalid access token.' });
    tokenScope('tok-renewed', 3600);
    getScope('x', 'tok-renewed');
    const e = await zoom.engagements.get('x');
    expect(e.remoteId).toBe('x');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('gives up after one refresh when Zoom keeps answering 401', async () => {
    const zoom = adapter();
    tokenScope('tok-one-aaa', 3600);
    tokenScope('tok-two-bbb', 3600);
    nock('https://zoom.test')
      .get('/v2/contact_center/engagements/x')
      .times(2)
      .reply(401, { code: 124, message: 'Invalid access token.' });
    const error = await zoom.engagements.get('x').catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe(124);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('turns a refused token request into AuthenticationError with Zoom reason', async () => {
    nock('https://oauth.zoom.test')
      .post('/oauth/token')
      .query(true)
      .reply(400, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    const error = await adapter()
      .engagements.get('x')
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe('invalid_client');
    expect(error.message).toContain('Invalid client_id or client_secret');
    expect(error.provider).toBe('zoom-contact-center');
  });

  it('retries the token endpoint on 5xx', async () => {
    nock('https://oauth.zoom.test').post('/oauth/token').query(true).reply(503, 'busy');
    tokenScope('tok-after-503', 3600);
    getScope('x', 'tok-after-503');
    await adapter().engagements.get('x');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('never shows the client secret or tokens in errors, hooks or logs', async () => {
    const seen: unknown[] = [];
    const hooks = {
      onRequest: (i: HookRequestInfo) => seen.push(i),
      onResponse: (i: unknown) => seen.push(i),
      onRetry: (i: unknown) => seen.push(i),
    };
    const basic = Buffer.from(`${CREDENTIALS.clientId}:${CREDENTIALS.clientSecret}`).toString(
      'base64',
    );
    // The token endpoint echoes the secret back (worst case): it must still be redacted.
    nock('https://oauth.zoom.test')
      .post('/oauth/token')
      .query(true)
      .reply(401, {
        reason: `bad secret ${CREDENTIALS.clientSecret}`,
        error: 'invalid_client',
        echo: `Basic ${basic}`,
      });
    const e1 = await adapter({ hooks })
      .engagements.get('x')
      .catch((e) => e);

    const zoom = adapter({ hooks });
    tokenScope('tok-very-secret-123', 3600);
    nock('https://zoom.test')
      .get('/v2/contact_center/engagements/y')
      .times(2)
      .reply(401, { code: 124, message: 'Invalid access token tok-very-secret-123' });
    tokenScope('tok-very-secret-456', 3600);
    const e2 = await zoom.engagements.get('y').catch((e) => e);
    nock('https://zoom.test')
      .get(LIST)
      .query(true)
      .reply(400, { code: 300, message: 'Validation Failed.' });
    const e3 = await zoom.engagements
      .list()
      .firstPage()
      .catch((e) => e);

    for (const error of [e1, e2, e3]) {
      expect(error).toBeInstanceOf(Error);
      const dump = [
        error.message,
        error.stack,
        JSON.stringify(error),
        inspect(error, { depth: 10 }),
        String(error.cause?.message ?? ''),
      ].join('\n');
      for (const secret of [
        CREDENTIALS.clientSecret,
        basic,
        'tok-very-secret-123',
        'tok-very-secret-456',
      ]) {
        expect(dump).not.toContain(secret);
      }
    }
    const hookDump = JSON.stringify(seen);
    expect(seen.length).toBeGreaterThan(0);
    for (const secret of [
      CREDENTIALS.clientSecret,
      basic,
      'tok-very-secret-123',
      'tok-very-secret-456',
    ]) {
      expect(hookDump).not.toContain(secret);
    }
  });

  it('uses a caller-managed accessToken as is', async () => {
    const zoom = createZoomContactCenterAdapter({
      accessToken: 'caller-token-1234',
      baseUrl: BASE,
      rateLimit: false,
    });
    getScope('z', 'caller-token-1234');
    expect((await zoom.engagements.get('z')).remoteId).toBe('z');
  });
});

const LIST = '/v2/contact_center/engagements';
