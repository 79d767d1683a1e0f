/**
 * The HTTP limits set on an adapter factory reach its transport: a huge body and an endless pause
 * from a loopback vendor end fast with a typed error, whichever adapter talks to it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EngagementAdapter, RateLimitError, ResponseTooLargeError } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: Server;
let base: string;
let mode: 'huge' | 'endless-pause' = 'huge';
let requests = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    if (requests > 10) {
      res.writeHead(418).end();
      return;
    }
    if (mode === 'huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ pad: 'x'.repeat(64 * 1024) }));
    } else {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '86400' });
      res.end('{"message":"slow down"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const limits = { maxResponseBytes: 4096, maxRetryWaitMs: 1000, rateLimit: false as const };
const adapters: Record<string, () => EngagementAdapter> = {
  devrev: () => createDevRevAdapter({ ...limits, token: 'devrev-token-123', baseUrl: base }),
  zoom: () =>
    createZoomContactCenterAdapter({
      ...limits,
      accessToken: 'zoom-access-token-123',
      baseUrl: `${base}/v2`,
    }),
  truto: () =>
    createTrutoAdapter({
      ...limits,
      token: 'truto-token-1234',
      integratedAccountId: 'acct-12345678',
      baseUrl: base,
    }),
};

describe.each(Object.keys(adapters))('%s: factory HTTP limits reach the transport', (name) => {
  it('maxResponseBytes: a 64 KiB body fails with ResponseTooLargeError after one request', async () => {
    mode = 'huge';
    requests = 0;
    const error = await adapters[name]?.()
      .engagements.get('e-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(requests).toBe(1);
  });

  it('maxRetryWaitMs: a day-long Retry-After fails at once with RateLimitError carrying it', async () => {
    mode = 'endless-pause';
    requests = 0;
    const error = await adapters[name]?.()
      .engagements.get('e-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(86_400_000);
    expect(requests).toBe(1);
  });
});
