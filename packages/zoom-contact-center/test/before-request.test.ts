import { type BeforeRequestInfo, EngagekitError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';
import { BASE, CREDENTIALS, OAUTH, record, setupNock, tokenScope } from './helpers';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const TOKEN_URL = `${OAUTH}?grant_type=account_credentials&account_id=${CREDENTIALS.accountId}`;
const GET_URL = (id: string) => `${BASE}/contact_center/engagements/${id}`;

/** A hook that records each attempt it is asked about (capped: a retry loop fails fast). */
function recorder() {
  const seen: string[] = [];
  const hook = (info: BeforeRequestInfo) => {
    if (seen.length >= 10) throw new Error('too many attempts');
    seen.push(`${info.method} ${info.url} #${info.attempt}`);
  };
  return { seen, hook };
}

const getScope = (id: string, token: string) =>
  nock('https://zoom.test', { reqheaders: { authorization: `Bearer ${token}` } })
    .get(`/v2/contact_center/engagements/${id}`)
    .reply(200, record(id, Date.UTC(2026, 0, 1)));

describe('beforeRequest and the OAuth token request', () => {
  it("the adapter's hook is awaited before the token request (and its 5xx retry), then before the API request", async () => {
    const { seen, hook } = recorder();
    nock('https://oauth.zoom.test').post('/oauth/token').query(true).reply(503, {});
    tokenScope('tok-before-one', 3600);
    getScope('e1', 'tok-before-one');
    const zoom = createZoomContactCenterAdapter({
      ...CREDENTIALS,
      baseUrl: BASE,
      oauthUrl: OAUTH,
      rateLimit: false,
      maxRetries: 1,
      maxRetryWaitMs: 2_000,
      beforeRequest: hook,
    });
    expect((await zoom.engagements.get('e1')).remoteId).toBe('e1');
    expect(seen).toEqual([
      `POST ${TOKEN_URL} #1`,
      `POST ${TOKEN_URL} #2`,
      `GET ${GET_URL('e1')} #1`,
    ]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("a per-call hook is awaited before the token requests that call needs, the 401 refresh's too", async () => {
    const { seen, hook } = recorder();
    const adapterHook = recorder();
    const zoom = createZoomContactCenterAdapter({
      ...CREDENTIALS,
      baseUrl: BASE,
      oauthUrl: OAUTH,
      rateLimit: false,
      maxRetries: 0,
      beforeRequest: adapterHook.hook,
    });
    tokenScope('tok-revoked-one', 3600);
    nock('https://zoom.test')
      .get('/v2/contact_center/engagements/x')
      .matchHeader('authorization', 'Bearer tok-revoked-one')
      .reply(401, { code: 124, message: 'Invalid access token.' });
    tokenScope('tok-renewed-one', 3600);
    getScope('x', 'tok-renewed-one');
    expect((await zoom.engagements.get('x', { beforeRequest: hook })).remoteId).toBe('x');
    expect(seen).toEqual([
      `POST ${TOKEN_URL} #1`,
      `GET ${GET_URL('x')} #1`,
      `POST ${TOKEN_URL} #1`,
      `GET ${GET_URL('x')} #1`,
    ]);
    expect(adapterHook.seen).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("the token request a call starts is told that call's timeoutMs as its deadline, not the adapter's", async () => {
    const told: { method: string; inMs: number }[] = [];
    tokenScope('tok-deadline', 3600);
    getScope('d1', 'tok-deadline');
    const zoom = createZoomContactCenterAdapter({
      ...CREDENTIALS,
      baseUrl: BASE,
      oauthUrl: OAUTH,
      rateLimit: false,
      timeoutMs: 600_000,
      beforeRequest: (info) => {
        if (told.length >= 4) throw new Error('too many attempts');
        told.push({ method: info.method, inMs: (info.deadline ?? 0) - Date.now() });
      },
    });
    expect((await zoom.engagements.get('d1', { timeoutMs: 5_000 })).remoteId).toBe('d1');
    expect(told.map((t) => t.method)).toEqual(['POST', 'GET']);
    // Both deadlines are at most the call's 5 s away (the adapter's would be 600 s).
    for (const t of told) {
      expect(t.inMs).toBeLessThanOrEqual(5_000);
      expect(t.inMs).toBeGreaterThan(0);
    }
  });

  it('a hook that refuses the token request fails the call with an engagekit error and sends nothing', async () => {
    const token = tokenScope('tok-never-sent', 3600);
    const zoom = createZoomContactCenterAdapter({
      ...CREDENTIALS,
      baseUrl: BASE,
      oauthUrl: OAUTH,
      rateLimit: false,
      beforeRequest: (info) => {
        if (info.method === 'POST') throw new Error('no slot for the token request');
      },
    });
    const error = await zoom.engagements.get('y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngagekitError);
    expect((error as EngagekitError).message).toBe(
      `zoom-contact-center: the beforeRequest hook failed (POST ${TOKEN_URL})`,
    );
    expect(((error as EngagekitError).cause as Error).message).toBe(
      'no slot for the token request',
    );
    expect(token.isDone()).toBe(false);
  });
});
