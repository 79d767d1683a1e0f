/**
 * Hostile vendors on real loopback sockets: bodies and waits that grow without bound, and a proxy
 * that refuses the CONNECT tunnel. Every case must end fast with a typed error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  ConnectionError,
  PermissionDeniedError,
  RateLimitError,
  ResponseTooLargeError,
  ServerError,
} from '@engagekit/core';
import { createTransport, type TransportConfig } from '@engagekit/core/adapter';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback server whose behaviour each test sets; it counts requests (and caps them). */
async function hostileServer() {
  let handler: Handler = (_req, res) => res.end('{}');
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (requests > 20) {
      res.statusCode = 418;
      res.end('too many requests in one test');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    set(next: Handler) {
      handler = next;
      requests = 0;
    },
    get requests() {
      return requests;
    },
  };
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

let vendor: Awaited<ReturnType<typeof hostileServer>>;
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.name);

beforeAll(async () => {
  vendor = await hostileServer();
  process.on('warning', onWarning);
});
afterEach(() => {
  expect(warnings).not.toContain('TimeoutOverflowWarning');
  warnings.length = 0;
});
afterAll(async () => {
  process.off('warning', onWarning);
  await close(vendor.server);
});

function transport(over: Partial<TransportConfig> = {}) {
  return createTransport({ provider: 'hostile', baseUrl: vendor.url, timeoutMs: 15_000, ...over });
}

/** Streams `total` bytes of `chunk`s, respecting backpressure; records whether it got to the end. */
function streamBody(res: ServerResponse, total: number, outcome: { finished?: boolean }) {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  res.on('close', () => {
    outcome.finished = res.writableFinished;
  });
  const pump = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

describe('no body is unbounded (maxResponseBytes, after decompression, while streaming)', () => {
  it('a gzip bomb (48 MiB of zeros in ~48 KB) stops at the default 32 MiB, typed and not retried', async () => {
    const bomb = gzipSync(Buffer.alloc(48 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(200 * 1024);
    vendor.set((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const rssBefore = process.memoryUsage().rss;
    const error = await failure(transport().request({ method: 'GET', path: '/bomb' }));
    const grewMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toContain('maxResponseBytes');
    expect(vendor.requests).toBe(1);
    // 32 MiB of text, not the 48 MiB (or the gigabytes of a bigger bomb) behind it.
    expect(grewMb).toBeLessThan(400);
  });

  it('a 50 MB 5xx body is cut off while it streams (the server never gets to its end)', async () => {
    const outcome: { finished?: boolean } = {};
    vendor.set((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      streamBody(res, 50 * 1024 * 1024, outcome);
    });
    const error = await failure(
      transport({ maxResponseBytes: 1024 * 1024 }).request({ method: 'GET', path: '/huge' }),
    );
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).maxResponseBytes).toBe(1024 * 1024);
    expect(vendor.requests).toBe(1);
    await new Promise<void>((resolve) => {
      const wait = () => (outcome.finished === undefined ? setImmediate(wait) : resolve());
      wait();
    });
    expect(outcome.finished).toBe(false);
  });

  it('a 1.5 MB 5xx body under the limit is kept on the error as its first 8 KiB with a marker', async () => {
    vendor.set((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('e'.repeat(1_500_000));
    });
    const error = await failure(
      transport({ maxRetries: 0 }).request({ method: 'GET', path: '/big-error' }),
    );
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).body).toBe(
      `${'e'.repeat(8192)}… [truncated, 1500000 chars in total]`,
    );
  });
});

describe('no wait is unbounded (maxRetryWaitMs)', () => {
  it('x-ratelimit-reset: 999999999 fails the later calls fast, with no TimeoutOverflowWarning', async () => {
    vendor.set((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '999999999',
      });
      res.end('{}');
    });
    const t = transport({ rateLimit: { requestsPerSecond: 5 } });
    await t.request({ method: 'GET', path: '/rl' });
    for (let i = 0; i < 3; i++) {
      const error = await failure(t.request({ method: 'GET', path: '/rl' }));
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).retryAfterMs).toBeGreaterThan(999_999_000_000);
    }
    expect(vendor.requests).toBe(1);
  });

  it('a 429 asking for 31 years fails at once with the vendor value', async () => {
    vendor.set((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '999999999' });
      res.end('{}');
    });
    const error = await failure(transport().request({ method: 'GET', path: '/429' }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(999_999_999_000);
    expect(vendor.requests).toBe(1);
  });
});

describe('a proxy refusing CONNECT', () => {
  const saved: Record<string, string | undefined> = {};
  const names = ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
  let proxy: Server;
  let connects = 0;

  beforeAll(async () => {
    proxy = createServer((_req, res) => res.end());
    proxy.on('connect', (_req, socket) => {
      connects++;
      socket.end(
        'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\ndenied',
      );
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    for (const name of names) saved[name] = process.env[name];
    for (const name of names) delete process.env[name];
    process.env.HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await close(proxy);
  });

  it('is a ConnectionError naming the proxy, not a PermissionDeniedError from the vendor', async () => {
    const t = createTransport({
      provider: 'hostile',
      baseUrl: 'https://vendor.example.invalid',
      maxRetries: 0,
    });
    const error = await failure(t.request({ method: 'GET', path: '/x' }));
    expect(connects).toBe(1);
    expect(error).not.toBeInstanceOf(PermissionDeniedError);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('proxy refused the tunnel (CONNECT answered 403)');
  });
});
