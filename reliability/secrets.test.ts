/**
 * Secrets: with known secret values, drive every failure path we can reach and assert that no
 * secret appears in any error serialisation, hook payload or CLI output.
 */
import { inspect } from 'node:util';
import { run } from '@engagekit/cli';
import {
  type EngagementAdapter,
  type HttpOptions,
  InputValidationError,
  type TransportHooks,
} from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import type { Sandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RANGE, sandbox } from './helpers';

// Secrets the sandbox accepts (its fixed credentials) and secrets it rejects.
const GOOD = {
  devrev: 'sandbox-devrev-pat',
  zoomSecret: 'sandbox-client-secret',
  truto: 'sandbox-truto-token',
};
const BAD = {
  devrev: 'devrev-wrong-Secr3t-b7c1e9',
  zoomSecret: 'zoom-wrong-Secr3t-2f8d0a',
  zoomAccessToken: 'zoom-access-token-Secr3t-9a7e4b',
  truto: 'truto-wrong-Secr3t-c3d5f7',
};
const SECRETS = [...Object.values(GOOD), ...Object.values(BAD)];

/** Every way an error is shown: message, stack, JSON, inspect (depth 10), toJSON, cause, String. */
function serialisations(value: unknown): string[] {
  const out = [inspect(value, { depth: 10, showHidden: true }), String(value)];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch (e) {
    out.push(String(e));
  }
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? '');
    const withJson = value as Error & { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') out.push(JSON.stringify(withJson.toJSON()));
    if (value.cause !== undefined) out.push(...serialisations(value.cause));
    for (const key of Object.keys(value)) {
      const v = (value as unknown as Record<string, unknown>)[key];
      if (v && typeof v === 'object') out.push(inspect(v, { depth: 10 }));
    }
  }
  return out;
}

function expectNoSecret(what: string, value: unknown) {
  const texts = serialisations(value);
  for (const secret of SECRETS) {
    for (const text of texts) {
      if (text.includes(secret)) {
        throw new Error(`${what}: secret "${secret}" leaked in:\n${text.slice(0, 2_000)}`);
      }
    }
  }
}

/** Hooks that record every payload. */
function recorder() {
  const payloads: unknown[] = [];
  const hooks: TransportHooks = {
    onRequest: (i) => void payloads.push(i),
    onResponse: (i) => void payloads.push(i),
    onRetry: (i) => void payloads.push(i),
  };
  return { payloads, hooks };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

const firstPage = (a: EngagementAdapter, params = {}) =>
  a.engagements.list({ ...RANGE, ...params, signal: AbortSignal.timeout(8_000) }).firstPage();

describe('no secret in errors, hooks or CLI output (sandbox)', () => {
  let sb: Sandbox;
  const rec = recorder();
  const http = (extra: HttpOptions = {}): HttpOptions => ({
    maxRetries: 1,
    timeoutMs: 2_000,
    rateLimit: false,
    hooks: rec.hooks,
    ...extra,
  });
  const good = (extra: HttpOptions = {}) => ({
    devrev: createDevRevAdapter({ ...http(extra), baseUrl: sb.urls.devrev, token: GOOD.devrev }),
    zoom: createZoomContactCenterAdapter({
      ...http(extra),
      baseUrl: sb.urls.zoom,
      oauthUrl: sb.urls.zoomOAuth,
      ...sb.credentials.zoom,
    }),
    truto: createTrutoAdapter({ ...http(extra), baseUrl: sb.urls.truto, ...sb.credentials.truto }),
  });

  beforeAll(async () => {
    sb = await sandbox({ count: 200 });
    expect(sb.credentials.devrev.token).toBe(GOOD.devrev);
    expect(sb.credentials.zoom.clientSecret).toBe(GOOD.zoomSecret);
    expect(sb.credentials.truto.token).toBe(GOOD.truto);
  });
  afterAll(() => sb?.close());

  it('bad credentials (401) for every adapter, incl. the Zoom token endpoint', {
    timeout: 15_000,
  }, async () => {
    const adapters = [
      createDevRevAdapter({ ...http(), baseUrl: sb.urls.devrev, token: BAD.devrev }),
      createZoomContactCenterAdapter({
        ...http(),
        baseUrl: sb.urls.zoom,
        oauthUrl: sb.urls.zoomOAuth,
        ...sb.credentials.zoom,
        clientSecret: BAD.zoomSecret,
      }),
      createZoomContactCenterAdapter({
        ...http(),
        baseUrl: sb.urls.zoom,
        accessToken: BAD.zoomAccessToken,
      }),
      createTrutoAdapter({
        ...http(),
        baseUrl: sb.urls.truto,
        ...sb.credentials.truto,
        token: BAD.truto,
      }),
    ];
    for (const a of adapters) {
      const error = await failure(firstPage(a));
      expect(error).toBeInstanceOf(Error);
      expectNoSecret(`${a.id} 401`, error);
    }
  });

  it('injected 401/403/404/429/500/502/503, resets and timeouts', { timeout: 25_000 }, async () => {
    const statuses: (number | 'reset')[] = [401, 403, 404, 429, 500, 502, 503, 'reset'];
    const adapters = good({ maxRetries: 0 });
    for (const [vendor, adapter] of Object.entries(adapters)) {
      for (const status of statuses) {
        sb.faults.failNext(vendor as 'devrev', { status, retryAfterSeconds: 0 });
        // Zoom answers a 401 by refreshing its token once, so that one may succeed.
        const outcome = await firstPage(adapter).catch((e: unknown) => e);
        if (!(vendor === 'zoom' && status === 401)) expect(outcome).toBeInstanceOf(Error);
        expectNoSecret(`${vendor} ${status}`, outcome);
      }
    }
    // Timeouts, after a retry (so onRetry fires too).
    sb.faults.set({ latencyMs: 400 });
    for (const [vendor, adapter] of Object.entries(good({ timeoutMs: 100, maxRetries: 1 }))) {
      const error = await failure(firstPage(adapter));
      expectNoSecret(`${vendor} timeout`, error);
    }
    sb.faults.clear();
    // Zoom's token endpoint failing (500, then reset).
    sb.faults.set({ zoom: { oauth: true } });
    for (const status of [500, 'reset'] as const) {
      sb.faults.failNext('zoom', { status, count: 3 });
      const error = await failure(firstPage(good({ maxRetries: 0 }).zoom));
      expectNoSecret(`zoom token endpoint ${status}`, error);
    }
    sb.faults.clear();
    // Aborted by the caller.
    const controller = new AbortController();
    sb.faults.set({ latencyMs: 300 });
    const pending = good()
      .devrev.engagements.list({ ...RANGE, signal: controller.signal })
      .firstPage();
    setTimeout(() => controller.abort(), 50);
    expectNoSecret('abort', await failure(pending));
    sb.faults.clear();
  });

  it('validation errors (bad params) and bad writes', { timeout: 10_000 }, async () => {
    const adapters = good();
    for (const adapter of Object.values(adapters)) {
      const error = await failure(firstPage(adapter, { pageSize: -1, from: 'not a date' }));
      expect(error).toBeInstanceOf(InputValidationError);
      expectNoSecret(`${adapter.id} params`, error);
      const write = await failure(
        adapter.engagements.create({ kind: 'call', subject: 's', occurredAt: 'garbage' } as never),
      );
      expectNoSecret(`${adapter.id} create`, write);
      expectNoSecret(`${adapter.id} get`, await failure(adapter.engagements.get('does-not-exist')));
    }
  });

  it('hook payloads never carry a secret', () => {
    expect(rec.payloads.length).toBeGreaterThan(20);
    for (const p of rec.payloads) expectNoSecret('hook payload', p);
  });

  it('CLI `engagekit list` with bad credentials: nothing secret on stdout/stderr', {
    timeout: 15_000,
  }, async () => {
    const outputs: string[] = [];
    const stream = () => ({ write: (s: string) => void outputs.push(String(s)) });
    const env = {
      DEVREV_TOKEN: BAD.devrev,
      DEVREV_BASE_URL: sb.urls.devrev,
      ZOOM_ACCOUNT_ID: sb.credentials.zoom.accountId,
      ZOOM_CLIENT_ID: sb.credentials.zoom.clientId,
      ZOOM_CLIENT_SECRET: BAD.zoomSecret,
      ZOOM_BASE_URL: sb.urls.zoom,
      ZOOM_OAUTH_URL: sb.urls.zoomOAuth,
      TRUTO_TOKEN: BAD.truto,
      TRUTO_INTEGRATED_ACCOUNT_ID: sb.credentials.truto.integratedAccountId,
      TRUTO_BASE_URL: sb.urls.truto,
    };
    const codes: number[] = [];
    for (const args of [
      ['list'],
      ['list', '--format', 'json'],
      ['list', '--providers', 'devrev'],
      ['list', '--providers', 'zoom-contact-center'],
      ['list', '--providers', 'truto', '--format', 'ndjson'],
      ['get', 'devrev:don:core:x'],
    ]) {
      codes.push(await run(args, { stdout: stream(), stderr: stream(), env }));
    }
    // Secrets passed as flags too.
    codes.push(
      await run(['list', '--devrev-token', BAD.devrev, '--providers', 'devrev'], {
        stdout: stream(),
        stderr: stream(),
        env: { DEVREV_BASE_URL: sb.urls.devrev },
      }),
    );
    expect(codes.every((c) => c !== 0)).toBe(true);
    const all = outputs.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of SECRETS) expect(all).not.toContain(secret);
  });
});

describe('no secret when the vendor echoes it (nock)', () => {
  const TOKEN_URL = 'http://zoom-oauth.secrets.test';
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('error bodies, headers and malformed payloads that contain the secret are redacted', {
    timeout: 15_000,
  }, async () => {
    const rec = recorder();
    const http = {
      maxRetries: 1,
      timeoutMs: 2_000,
      rateLimit: false as const,
      hooks: rec.hooks,
      // nock hosts on plain http, which the factories refuse off loopback without this.
      allowInsecureHttp: true,
    };
    const echo = (secret: string) => ({
      message: `bad token ${secret}`,
      detail: `Authorization: Bearer ${secret}`,
      error: secret,
      token: secret,
    });
    const scenarios: Array<{
      name: string;
      make: () => EngagementAdapter;
      origin: string;
      secret: string;
    }> = [
      {
        name: 'devrev',
        origin: 'http://devrev.secrets.test',
        secret: BAD.devrev,
        make: () =>
          createDevRevAdapter({
            ...http,
            baseUrl: 'http://devrev.secrets.test',
            token: BAD.devrev,
          }),
      },
      {
        name: 'zoom',
        origin: 'http://zoom.secrets.test',
        secret: BAD.zoomAccessToken,
        make: () =>
          createZoomContactCenterAdapter({
            ...http,
            baseUrl: 'http://zoom.secrets.test/v2',
            oauthUrl: `${TOKEN_URL}/oauth/token`,
            accountId: 'acc',
            clientId: 'cid',
            clientSecret: BAD.zoomSecret,
          }),
      },
      {
        name: 'truto',
        origin: 'http://truto.secrets.test',
        secret: BAD.truto,
        make: () =>
          createTrutoAdapter({
            ...http,
            baseUrl: 'http://truto.secrets.test',
            token: BAD.truto,
            integratedAccountId: 'ia-1',
          }),
      },
    ];
    for (const s of scenarios) {
      for (const status of [400, 401, 403, 404, 422, 429, 500]) {
        nock.cleanAll();
        nock(TOKEN_URL).persist().post('/oauth/token').query(true).reply(200, {
          access_token: BAD.zoomAccessToken,
          token_type: 'bearer',
          expires_in: 3600,
          scope: 'x',
        });
        nock(s.origin)
          .persist()
          .get(/.*/)
          .query(true)
          .reply(status, echo(s.secret), {
            'x-echo': s.secret,
            'retry-after': '0',
            'www-authenticate': `Bearer ${s.secret}`,
          });
        const error = await failure(firstPage(s.make(), { maxPages: 1 }));
        expectNoSecret(`${s.name} echo ${status}`, error);
      }
      // A 200 whose payload breaks the schema and carries the secret in the offending field.
      nock.cleanAll();
      nock(TOKEN_URL)
        .persist()
        .post('/oauth/token')
        .query(true)
        .reply(200, { access_token: BAD.zoomAccessToken, token_type: 'bearer', expires_in: 3600 });
      const bad = {
        id: 42,
        engagement_id: 42,
        start_time: s.secret,
        created_date: s.secret,
        title: 7,
      };
      nock(s.origin)
        .persist()
        .get(/.*/)
        .query(true)
        .reply(200, {
          engagements: [bad],
          result: [bad],
          next_page_token: s.secret,
          next_cursor: 5,
        });
      expectNoSecret(`${s.name} malformed`, await failure(firstPage(s.make())));
    }
    // The Zoom token endpoint answering with an error that echoes the client secret.
    nock.cleanAll();
    nock(TOKEN_URL)
      .persist()
      .post('/oauth/token')
      .query(true)
      .reply(401, { reason: `Invalid client_secret ${BAD.zoomSecret}`, error: 'invalid_client' });
    expectNoSecret(
      'zoom token endpoint echo',
      await failure(firstPage(scenarios[1]?.make() as EngagementAdapter)),
    );
    for (const p of rec.payloads) expectNoSecret('hook payload', p);
  });
});
