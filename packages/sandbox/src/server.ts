import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TokenCodec } from './codec';
import { createSandboxData, type SandboxData } from './data/control';
import { Timeline } from './data/timeline';
import { zoomTail } from './data/zoom';
import { FaultController } from './faults';
import {
  INVALID_JSON,
  isRecord,
  parseBody,
  type Reply,
  readBody,
  type VendorRequest,
} from './http';
import { jsonBytes } from './json-bytes';
import { queryRecord, RequestLog } from './log';
import type { FaultOptions, SandboxOptions, VendorName } from './types';
import { DevRevVendor } from './vendors/devrev';
import { TrutoVendor } from './vendors/truto';
import { ZoomVendor } from './vendors/zoom';
import { webhooksAdmin } from './webhooks/admin';
import { listenToChanges } from './webhooks/hub';
import { SandboxWebhooks } from './webhooks/webhooks';

/** Base URLs, exactly as the adapters take them. */
export interface SandboxUrls {
  devrev: string;
  zoom: string;
  zoomOAuth: string;
  truto: string;
}

/** Credentials the sandbox accepts, shaped like the adapter factories' options. */
export interface SandboxCredentials {
  devrev: { token: string };
  zoom: { accountId: string; clientId: string; clientSecret: string };
  truto: { token: string; integratedAccountId: string };
}

/**
 * Each adapter factory's options, exactly as it takes them:
 * `createZoomContactCenterAdapter(sandbox.adapterOptions.zoom)`. `allowInsecureHttp` is set only
 * when the sandbox listens on a host other than loopback (its URLs are plain http).
 */
export interface SandboxAdapterOptions {
  devrev: { token: string; baseUrl: string; allowInsecureHttp?: boolean };
  zoom: {
    accountId: string;
    clientId: string;
    clientSecret: string;
    baseUrl: string;
    oauthUrl: string;
    allowInsecureHttp?: boolean;
  };
  truto: {
    token: string;
    integratedAccountId: string;
    baseUrl: string;
    allowInsecureHttp?: boolean;
  };
}

/** A running sandbox. */
export interface Sandbox {
  urls: SandboxUrls;
  credentials: SandboxCredentials;
  /** What to pass to `createDevRevAdapter`, `createZoomContactCenterAdapter`, `createTrutoAdapter`. */
  adapterOptions: SandboxAdapterOptions;
  /** Root URL (admin endpoints live under `${origin}/__admin`). */
  origin: string;
  port: number;
  faults: FaultController;
  log: RequestLog;
  /**
   * The vendors' webhooks: `subscribe({ provider, url, secret? })` performs the vendor's URL
   * handshake, then delivers signed events for the writes made through the sandbox.
   */
  webhooks: SandboxWebhooks;
  /** Test control: edit, late-insert and delete records directly; ids and fingerprints (see {@link SandboxData}). */
  data: SandboxData;
  /** Restores seeded data and clears faults, the log, tokens and idempotency keys. */
  reset(): void;
  /** Stops the server and destroys every open socket. */
  close(): Promise<void>;
}

const CREDENTIALS: SandboxCredentials = {
  devrev: { token: 'sandbox-devrev-pat' },
  zoom: {
    accountId: 'sandbox-account',
    clientId: 'sandbox-client-id',
    clientSecret: 'sandbox-client-secret',
  },
  truto: {
    token: 'sandbox-truto-token',
    integratedAccountId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
  },
};

const DAY = 86_400_000;

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

function countFor(options: SandboxOptions, vendor: VendorName): number {
  const c = options.count;
  if (typeof c === 'number') return c;
  return c?.[vendor] ?? 500;
}

/** Starts the emulators on one loopback port with path prefixes /devrev, /zoom and /truto. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = options.clock ?? Date.now;
  const seed = options.seed ?? 42;
  const nowMs = options.now !== undefined ? new Date(options.now).getTime() : clock();
  if (Number.isNaN(nowMs)) throw new TypeError(`Invalid 'now' option: ${String(options.now)}`);
  const days = options.days ?? 180;
  const startMs = nowMs - days * DAY;
  const codec = new TokenCodec(randomBytes(16).toString('hex'));
  const limits = options.rateLimits !== false;
  const devrevCount = countFor(options, 'devrev');

  const devrevLimit = options.devrev?.rateLimit;
  const devrev = new DevRevVendor({
    seed,
    timeline: new Timeline(seed, devrevCount, startMs, nowMs, 1),
    conversationTimeline: new Timeline(
      seed + 1,
      Math.min(20_000, Math.ceil(devrevCount / 5)),
      startMs,
      nowMs,
      1,
    ),
    nowMs,
    token: CREDENTIALS.devrev.token,
    codec,
    ...(limits && devrevLimit !== false
      ? { rateLimit: devrevLimit ?? { limit: 100_000, windowSeconds: 300 } }
      : {}),
  });
  const zoomOpts = options.zoom ?? {};
  const zoom = new ZoomVendor({
    seed,
    timeline: new Timeline(
      seed + 2,
      countFor(options, 'zoom'),
      startMs,
      nowMs,
      1000,
      zoomTail(countFor(options, 'zoom')),
    ),
    ...CREDENTIALS.zoom,
    tokenTtlSeconds: zoomOpts.tokenTtlSeconds ?? 3600,
    pageTokenTtlSeconds: zoomOpts.pageTokenTtlSeconds ?? 900,
    rateLimitPerSecond: limits ? (zoomOpts.rateLimitPerSecond ?? 10) : false,
    codec,
  });
  const trutoLimit = options.truto?.rateLimit;
  const truto = new TrutoVendor({
    seed,
    timeline: new Timeline(seed + 3, countFor(options, 'truto'), startMs, nowMs, 1),
    ...CREDENTIALS.truto,
    codec,
    ...(limits && trutoLimit ? { perAccountPer10s: trutoLimit.perAccountPer10s ?? 50 } : {}),
    unsupportedFilters: options.truto?.unsupportedFilters ?? [],
    remoteAuthDead: options.truto?.remoteAuthDead ?? false,
  });
  const vendors = { devrev, zoom, truto };
  const webhooks = new SandboxWebhooks({
    zoomAccountId: CREDENTIALS.zoom.accountId,
    trutoAccountId: CREDENTIALS.truto.integratedAccountId,
  });
  for (const vendor of Object.values(vendors)) listenToChanges(vendor, (c) => webhooks.emit(c));

  const faults = new FaultController(options.faults, {
    expireTokens: () => zoom.expireTokens(),
    expirePageTokens: () => zoom.expirePageTokens(),
  });
  const log = new RequestLog(options.logLimit);
  const reset = () => {
    devrev.reset();
    zoom.reset();
    truto.reset();
    faults.clear();
    log.clear();
  };

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: err instanceof Error ? err.message : String(err) }));
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.maxHeadersCount = 200;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req);
    const body = parseBody(rawBody, req.headers['content-type']);
    const now = clock();
    const logged = (vendor: VendorName | 'admin' | 'unknown', path: string, status: number) =>
      log.add({
        vendor,
        method,
        path,
        query: queryRecord(url.searchParams),
        body: body === INVALID_JSON ? rawBody : body,
        status,
        at: new Date(now).toISOString(),
      });

    if (url.pathname === '/__admin/webhooks' || url.pathname.startsWith('/__admin/webhooks/')) {
      const path = url.pathname.slice('/__admin/webhooks'.length);
      return write(res, await webhooksAdmin(webhooks, method, path, body));
    }
    if (url.pathname.startsWith('/__admin/')) {
      const reply = admin(method, url.pathname.slice('/__admin'.length), body);
      return write(res, reply);
    }
    const route = resolve(url.pathname);
    if (!route) {
      logged('unknown', url.pathname, 404);
      return write(res, { status: 404, body: { message: `No sandbox route for ${url.pathname}` } });
    }
    const decision = faults.decide(route.vendor, route.oauth);
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
    if (decision.reset) {
      logged(route.vendor, route.path, 0);
      req.socket.destroy();
      return;
    }
    const vreq: VendorRequest = {
      method,
      path: route.path,
      query: url.searchParams,
      headers: req.headers,
      body,
      rawBody,
      now,
      schemaDrift: faults.effective(route.vendor).schemaDrift === true,
    };
    let reply: Reply;
    if (decision.status !== undefined) {
      const v = vendors[route.vendor];
      reply =
        decision.status === 502
          ? {
              status: 502,
              text: '<html><body><h1>502 Bad Gateway</h1></body></html>',
              contentType: 'text/html',
            }
          : v.faultReply(decision.status, decision.retryAfter, decision.retryAfterSeconds);
    } else if (route.oauth) reply = zoom.handleOAuth(vreq);
    else reply = vendors[route.vendor].handle(vreq);
    logged(route.vendor, route.path, reply.status);
    write(res, reply);
  }

  function admin(method: string, path: string, body: unknown): Reply {
    const input = isRecord(body) ? body : {};
    if (method === 'POST' && path === '/reset') {
      reset();
      return { status: 200, body: { ok: true } };
    }
    if (path === '/faults' && method === 'GET') return { status: 200, body: faults.current };
    if (path === '/faults' && method === 'POST') {
      const { failNext, expireTokens, expirePageTokens, clear, ...config } = input;
      if (clear === true) faults.clear();
      if (isRecord(failNext)) {
        const vendor = (failNext.vendor ?? '*') as VendorName | '*';
        faults.failNext(vendor, failNext as never);
      }
      if (expireTokens === true) faults.expireTokens();
      if (expirePageTokens === true) faults.expirePageTokens();
      faults.set(config as FaultOptions);
      return { status: 200, body: faults.current };
    }
    if (path === '/log' && method === 'GET') return { status: 200, body: log.entries() };
    return { status: 404, body: { message: `Unknown admin endpoint ${method} ${path}` } };
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;

  const urls: SandboxUrls = {
    devrev: `${origin}/devrev`,
    zoom: `${origin}/zoom/v2`,
    zoomOAuth: `${origin}/zoom/oauth/token`,
    truto: `${origin}/truto`,
  };
  // The factories accept plain http only on loopback unless told otherwise.
  const insecure = isLoopback(address.address) ? {} : { allowInsecureHttp: true };
  return {
    urls,
    credentials: structuredClone(CREDENTIALS),
    adapterOptions: {
      devrev: { ...CREDENTIALS.devrev, baseUrl: urls.devrev, ...insecure },
      zoom: { ...CREDENTIALS.zoom, baseUrl: urls.zoom, oauthUrl: urls.zoomOAuth, ...insecure },
      truto: { ...CREDENTIALS.truto, baseUrl: urls.truto, ...insecure },
    },
    origin,
    port: address.port,
    faults,
    log,
    webhooks,
    data: createSandboxData(vendors, clock, seed),
    reset,
    close: async () => {
      await webhooks.close();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
    },
  };
}

function resolve(
  pathname: string,
): { vendor: VendorName; path: string; oauth: boolean } | undefined {
  if (pathname.startsWith('/devrev/'))
    return { vendor: 'devrev', path: pathname.slice('/devrev'.length), oauth: false };
  if (pathname === '/zoom/oauth/token')
    return { vendor: 'zoom', path: '/oauth/token', oauth: true };
  if (pathname.startsWith('/zoom/v2/'))
    return { vendor: 'zoom', path: pathname.slice('/zoom/v2'.length), oauth: false };
  if (pathname.startsWith('/truto/'))
    return { vendor: 'truto', path: pathname.slice('/truto'.length), oauth: false };
  return undefined;
}

const EMPTY = Buffer.alloc(0);

function write(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let bytes: Buffer = EMPTY;
  if (reply.text !== undefined) {
    headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
    bytes = Buffer.from(reply.text, 'utf8');
  } else if (reply.body !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    // Encoded once and in pieces (jsonBytes): measuring a string and then writing it would
    // convert it to UTF-8 twice, and a page's JSON as one string is a large allocation.
    bytes = jsonBytes(reply.body);
  }
  headers['content-length'] = String(bytes.length);
  res.writeHead(reply.status, headers);
  res.end(bytes);
}
