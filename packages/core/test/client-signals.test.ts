import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, defineAdapter, paginate } from '../src/adapter-kit';
import { createEngagementsClient, type Engagement, type EngagementAdapter } from '../src/index';
import { DAY, engagement, T0 } from './client-fakes';

const RECORDS = 120;
const MAX_REQUESTS = 2_000;
let requests = 0;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  // Pages of 5 records per window, over 30 days: records every 6 hours, in reverse.
  server = createServer((req, res) => {
    requests++;
    if (requests > MAX_REQUESTS) {
      res.writeHead(500).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const provider = url.searchParams.get('provider') ?? 'p';
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    const start = Number(url.searchParams.get('token') ?? 0);
    const all = Array.from({ length: RECORDS }, (_, i) => T0 + i * 6 * 3_600_000)
      .map((t, i) => engagement(provider, `${provider}-${i}`, t))
      .filter((e) => Date.parse(e.occurredAt) >= from && Date.parse(e.occurredAt) <= to)
      .reverse();
    const items = all.slice(start, start + 5);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ items, next: start + 5 < all.length ? String(start + 5) : undefined }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** An adapter over the loopback server through the real transport, with an adapter-wide signal. */
function httpAdapter(id: string, signal: AbortSignal): EngagementAdapter {
  const transport = createTransport({ provider: id, baseUrl, signal, maxRetries: 0 });
  return defineAdapter({
    id,
    capabilities: {
      operations: {
        list: true,
        get: false,
        create: false,
        update: false,
        delete: false,
        count: false,
      },
      filters: { from: 'server', to: 'server' },
      maxPageSize: 5,
      defaultPageSize: 5,
      maxWindowMs: 3 * DAY,
      backwardsPaging: false,
      ordering: 'unordered',
    },
    engagements: {
      list: (params) =>
        paginate<Engagement>({
          provider: id,
          fingerprint: params.fingerprint,
          cursor: params.cursor,
          signal: params.signal,
          prefetch: params.prefetch,
          range:
            params.from && params.to
              ? {
                  from: params.from.getTime(),
                  to: params.to.getTime(),
                  maxWindowMs: 3 * DAY,
                  timeOf: (e) => Date.parse(e.occurredAt),
                }
              : undefined,
          async fetchPage({ token, window, signal: pageSignal }) {
            const res = await transport.request<{ items: Engagement[]; next?: string }>({
              method: 'GET',
              path: '/list',
              query: { provider: id, from: window?.from, to: window?.to, token },
              options: { signal: pageSignal },
            });
            return { items: res.data.items, nextToken: res.data.next };
          },
        }),
    },
  });
}

describe('merged listing and abort signals', () => {
  it('adds no listener per request and leaves none behind (adapter-wide + per-call signals)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const adapterWide = new AbortController();
      const adapters = ['p', 'q', 'r'].map((id) => httpAdapter(id, adapterWide.signal));
      const baseline = getEventListeners(adapterWide.signal, 'abort').length;
      const client = createEngagementsClient({ adapters, windowMs: 3 * DAY });
      const perCall = new AbortController();
      const range = { from: new Date(T0), to: new Date(T0 + 30 * DAY), signal: perCall.signal };
      const items = await client.engagements.list(range).toArray();
      expect(items).toHaveLength(3 * RECORDS);

      // Abandoned mid-listing, too.
      const it = client.engagements.list({ ...range, order: 'desc' });
      expect(await it.toArray({ max: 7 })).toHaveLength(7);

      // Let aborted background reads settle.
      await new Promise((resolve) => setImmediate(resolve));
      expect(getEventListeners(perCall.signal, 'abort')).toHaveLength(0);
      expect(getEventListeners(adapterWide.signal, 'abort')).toHaveLength(baseline);
      expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
