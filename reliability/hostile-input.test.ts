/**
 * Caller input that must never reach the network: each case runs against a local server that counts
 * every request it receives, and asserts the count stayed at zero.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EngagementAdapter, InputValidationError } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let server: Server;
let origin: string;
let requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    // Nothing here is a valid vendor answer: only the count matters.
    res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests = [];
});

const http = { maxRetries: 0, rateLimit: false } as const;
const TOKEN = 'hostile-input-token';
const adapters = (): Record<'devrev' | 'zoom' | 'truto', EngagementAdapter> => ({
  devrev: createDevRevAdapter({ ...http, token: TOKEN, baseUrl: `${origin}/devrev` }),
  zoom: createZoomContactCenterAdapter({
    ...http,
    accessToken: TOKEN,
    baseUrl: `${origin}/zoom/v2`,
  }),
  truto: createTrutoAdapter({
    ...http,
    token: TOKEN,
    integratedAccountId: 'acct-1',
    baseUrl: `${origin}/truto`,
  }),
});

/** Runs `fn`, expects an `InputValidationError`, and returns `path:rule` of its issues. */
async function refused(fn: () => Promise<unknown> | unknown): Promise<string[]> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputValidationError);
  return (error as InputValidationError).issues.map((i) => `${i.path}:${i.rule}`);
}

describe('the counting server', () => {
  it('sees a valid call (the control for every zero below)', async () => {
    await adapters()
      .truto.engagements.get('rec-1')
      .catch(() => undefined);
    expect(requests).toEqual([
      'GET /truto/unified/crm/engagements/rec-1?integrated_account_id=acct-1',
    ]);
  });
});

describe('factory options that would send requests elsewhere', () => {
  it.each([
    [
      'zoom baseURL',
      () => createZoomContactCenterAdapter({ accessToken: TOKEN, baseURL: origin } as never),
      'baseURL:unknown_key',
    ],
    [
      'devrev baseURL',
      () => createDevRevAdapter({ token: TOKEN, baseURL: origin } as never),
      'baseURL:unknown_key',
    ],
    [
      'truto BaseUrl',
      () =>
        createTrutoAdapter({ token: TOKEN, integratedAccountId: 'a', BaseUrl: origin } as never),
      'BaseUrl:unknown_key',
    ],
    [
      'user-info in the URL',
      () => createDevRevAdapter({ token: TOKEN, baseUrl: origin.replace('//', '//u:p@') }),
      'baseUrl:url_credentials',
    ],
    [
      'plain http off loopback',
      () =>
        createTrutoAdapter({
          token: TOKEN,
          integratedAccountId: 'a',
          baseUrl: 'http://crm.example.test',
        }),
      'baseUrl:insecure_url',
    ],
    [
      'a short secret',
      () =>
        createZoomContactCenterAdapter({
          accountId: 'a',
          clientId: 'c',
          clientSecret: 'x',
          baseUrl: origin,
          oauthUrl: origin,
        }),
      'clientSecret:too_short',
    ],
  ])('%s is refused by the factory', async (_name, build, expected) => {
    expect(await refused(build)).toContain(expected);
    expect(requests).toEqual([]);
  });
});

describe('remote ids that would change the request target', () => {
  it.each(['..', '.', '', '   ', 'truto:..', 'a/..', '../x', 'a\r\nX-Injected: 1'])(
    'truto delete/update/get(%j) send nothing',
    async (id) => {
      const truto = adapters().truto;
      const rule = id === '' ? 'id:too_small' : 'id:invalid_id';
      expect(await refused(() => truto.engagements.delete(id))).toEqual([rule]);
      expect(await refused(() => truto.engagements.update(id, { subject: 'x' }))).toEqual([rule]);
      expect(await refused(() => truto.engagements.get(id))).toEqual([rule]);
      expect(requests).toEqual([]);
    },
  );

  it.each(['..', '.', 'zoom-contact-center:..', 'x/../..'])(
    'zoom get(%j) sends nothing',
    async (id) => {
      expect(await refused(() => adapters().zoom.engagements.get(id))).toEqual(['id:invalid_id']);
      expect(requests).toEqual([]);
    },
  );

  it.each(['..', '', 'devrev:', 'a\u0000b'])('devrev get/delete(%j) send nothing', async (id) => {
    const devrev = adapters().devrev;
    await refused(() => devrev.engagements.get(id));
    await refused(() => devrev.engagements.delete(id));
    expect(requests).toEqual([]);
  });
});

describe('list params and native keys the adapter owns', () => {
  it.each(['devrev', 'zoom', 'truto'] as const)(
    '%s: a misspelt list param names the one meant',
    async (name) => {
      const listing = adapters()[name].engagements.list({ kind: ['call'] } as never);
      expect(await refused(() => listing.firstPage())).toEqual(['kind:unknown_key']);
      expect(requests).toEqual([]);
    },
  );

  it.each([
    ['truto', 'INTEGRATED_ACCOUNT_ID'],
    ['truto', 'integrated_account_id[]'],
    ['truto', 'Next_Cursor'],
    ['devrev', 'CURSOR'],
    ['devrev', 'limit[]'],
    ['zoom', 'PAGE_SIZE'],
    ['zoom', 'next_page_token[]'],
  ] as const)('%s native %s is refused', async (name, key) => {
    const listing = adapters()[name].engagements.list({ native: { [key]: 'hijack' } });
    const issues = await refused(() => listing.firstPage());
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^native\\.${key.replace(/[[\]]/g, '\\$&')}:`));
    expect(requests).toEqual([]);
  });

  it.each(['devrev', 'truto'] as const)(
    '%s: a misspelt create field names the one meant',
    async (name) => {
      const input = { subjet: 'Call', kind: 'call' } as never;
      expect(await refused(() => adapters()[name].engagements.create(input))).toEqual([
        'subjet:unknown_key',
      ]);
      expect(requests).toEqual([]);
    },
  );
});
