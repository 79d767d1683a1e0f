/**
 * Hostile vendor pages for every adapter, from a loopback server: records that break the wire
 * schema (impossible dates, `1e309`, missing or rounded ids, records that are not objects) sit
 * among good ones and on pages of their own. With `onInvalidRecord: 'skip'` every listing yields
 * exactly the good records, reports each bad one, and a resume from any point never returns to a
 * record already yielded or skipped. The server caps its requests, so a loop fails fast.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Engagement,
  type EngagementAdapter,
  type ListEngagementsParams,
  ResponseValidationError,
} from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterEach, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, duplicates, PROVIDER } from './helpers';

const RANGE = { from: '2026-06-01T00:00:00Z', to: '2026-06-20T00:00:00Z' };
const MAX_REQUESTS = 60;
const at = (day: number) => `2026-06-${String(day).padStart(2, '0')}T10:00:00Z`;
/** Not objects at all: every adapter must report them, not crash on them. */
const NOT_RECORDS = ['null', '42', '"text"', '[]'];

interface Vendor {
  /** Path of the list endpoint and the key of its records. */
  path: string;
  key: string;
  good(id: string, day: number): string;
  /** Raw JSON text of records that break the schema (some only before JSON.parse, e.g. 1e309). */
  bad: string[];
  /** A good record whose time is an RFC 3339 leap second. */
  leap(id: string): string;
  page(records: string[], next: string | undefined): string;
  token(url: URL): string | undefined;
  adapter(baseUrl: string): EngagementAdapter;
  remoteId(id: string): string;
}

const DON = 'don:core:dvrv-us-1:devo/1:engagement/';
const VENDORS: Record<AdapterName, Vendor> = {
  devrev: {
    path: '/engagements.list',
    key: 'engagements',
    good: (id, day) => `{"id": "${DON}${id}", "created_date": "${at(day)}"}`,
    bad: [
      `{"id": "${DON}bad-date", "created_date": "0000-00-00"}`,
      `{"created_date": "${at(3)}"}`,
      `{"id": "${DON}bad-inf", "scheduled_date": 1e309, "created_date": "${at(3)}"}`,
      `{"id": "${DON}bad-custom", "created_date": "${at(3)}", "custom_fields": {"x": [1e309]}}`,
      `{"id": 7, "created_date": "${at(3)}"}`,
    ],
    leap: (id) => `{"id": "${DON}${id}", "created_date": "2026-06-10T23:59:60Z"}`,
    page: (records, next) =>
      `{"engagements": [${records.join(', ')}]${next ? `, "next_cursor": "${next}"` : ''}}`,
    token: (url) => url.searchParams.get('cursor') ?? undefined,
    adapter: (baseUrl) =>
      createDevRevAdapter({ token: 'hostile-token-123', baseUrl, rateLimit: false, maxRetries: 0 }),
    remoteId: (id) => `${DON}${id}`,
  },
  zoom: {
    path: '/contact_center/engagements',
    key: 'engagements',
    good: (id, day) => `{"engagement_id": "${id}", "start_time": "${at(day)}"}`,
    bad: [
      `{"engagement_id": "bad-date", "start_time": "0000-00-00"}`,
      `{"start_time": "${at(3)}"}`,
      `{"engagement_id": "bad-inf", "start_time": "${at(3)}", "duration": 1e309}`,
      `{"engagement_id": "bad-count", "start_time": "${at(3)}", "transfer_count": -1e309}`,
      `{"engagement_id": 12345678901234567890, "start_time": "${at(3)}"}`,
    ],
    leap: (id) => `{"engagement_id": "${id}", "start_time": "2026-06-10T23:59:60Z"}`,
    page: (records, next) =>
      `{"engagements": [${records.join(', ')}], "next_page_token": "${next ?? ''}", "timezone": "UTC"}`,
    token: (url) => url.searchParams.get('next_page_token') || undefined,
    adapter: (baseUrl) =>
      createZoomContactCenterAdapter({
        accessToken: 'hostile-access-token',
        baseUrl,
        rateLimit: false,
        maxRetries: 0,
      }),
    remoteId: (id) => id,
  },
  truto: {
    path: '/unified/crm/engagements',
    key: 'result',
    good: (id, day) => `{"id": "${id}", "start_time": "${at(day)}"}`,
    bad: [
      `{"id": "bad-date", "start_time": "0000-00-00"}`,
      `{"start_time": "${at(3)}"}`,
      `{"id": "bad-inf", "start_time": 1e309}`,
      `{"id": 12345678901234567890, "start_time": "${at(3)}"}`,
      `{"id": "bad-owner", "start_time": "${at(3)}", "owner": {"id": 98765432109876543210}}`,
    ],
    leap: (id) => `{"id": "${id}", "start_time": "2026-06-10T23:59:60Z"}`,
    page: (records, next) =>
      `{"result": [${records.join(', ')}], "next_cursor": ${next ? `"${next}"` : 'null'}}`,
    token: (url) => url.searchParams.get('next_cursor') ?? undefined,
    adapter: (baseUrl) =>
      createTrutoAdapter({
        token: 'hostile-token-123',
        integratedAccountId: 'hostile-account',
        baseUrl,
        rateLimit: false,
        maxRetries: 0,
      }),
    remoteId: (id) => id,
  },
};

/** Three pages: good and bad records mixed, then only bad ones, then good ones (one a leap second). */
function pagesOf(vendor: Vendor): { pages: string[][]; goodIds: string[]; badCount: number } {
  const [b0, b1, b2, b3, b4] = vendor.bad as [string, string, string, string, string];
  const pages = [
    [vendor.good('g1', 2), b0, NOT_RECORDS[0]!, b1, vendor.good('g2', 4), NOT_RECORDS[1]!],
    [b2, NOT_RECORDS[2]!, b3, NOT_RECORDS[3]!],
    [vendor.good('g3', 6), b4, vendor.leap('g4'), vendor.good('g5', 12)],
  ];
  return { pages, goodIds: ['g1', 'g2', 'g3', 'g4', 'g5'], badCount: 5 + NOT_RECORDS.length };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Serves `pages` (page i+1 behind token `p<i+1>`); answers 418 once `MAX_REQUESTS` is reached. */
async function serve(
  vendor: Vendor,
  pages: string[][],
): Promise<{ baseUrl: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (hits > MAX_REQUESTS || url.pathname !== vendor.path) {
      res.writeHead(418, { 'content-type': 'application/json' });
      res.end('{"message": "request cap reached or unknown path"}');
      return;
    }
    const token = vendor.token(url);
    const index = token === undefined ? 0 : Number(token.slice(1));
    const records = pages[index] ?? [];
    const next = index + 1 < pages.length ? `p${index + 1}` : undefined;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(vendor.page(records, next));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
  };
}

const listAll = async (adapter: EngagementAdapter, params: ListEngagementsParams) => {
  const listing = adapter.engagements.list({ ...RANGE, ...params });
  const items: Engagement[] = [];
  for await (const e of listing) items.push(e);
  return { items, listing };
};

describe.each(ADAPTERS)('%s: hostile records', (name) => {
  const vendor = VENDORS[name];

  it("with 'skip' yields exactly the good records and reports every bad one", async () => {
    const { pages, goodIds, badCount } = pagesOf(vendor);
    const { baseUrl, hits } = await serve(vendor, pages);
    const { items, listing } = await listAll(vendor.adapter(baseUrl), { onInvalidRecord: 'skip' });
    expect(items.map((e) => e.remoteId)).toEqual(goodIds.map(vendor.remoteId));
    expect(items.find((e) => e.remoteId === vendor.remoteId('g4'))?.occurredAt).toBe(
      '2026-06-11T00:00:00.000Z',
    );
    expect(listing.skippedCount).toBe(badCount);
    for (const skipped of listing.skipped) {
      expect(skipped.provider).toBe(PROVIDER[name]);
      expect(skipped.path).toEqual([vendor.key, expect.any(Number)]);
      expect(skipped.issues.length).toBeGreaterThan(0);
    }
    // Rounded ids and non-string ids are never reported as an id they are not.
    const reported = listing.skipped.map((r) => r.remoteId).filter((id) => id !== undefined);
    for (const id of reported) expect(id).not.toMatch(/^(\d{17,}|7)$/);
    expect(hits()).toBe(3);
  });

  it('fails by default with a ResponseValidationError on the first bad record', async () => {
    const { pages } = pagesOf(vendor);
    const { baseUrl } = await serve(vendor, pages);
    const error = await listAll(vendor.adapter(baseUrl), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).path).toMatch(new RegExp(`^${vendor.key}\\.1\\b`));
  });

  it('resumed from after any item, never returns before it and loses or repeats nothing', async () => {
    const { pages, goodIds, badCount } = pagesOf(vendor);
    const { baseUrl } = await serve(vendor, pages);
    const adapter = vendor.adapter(baseUrl);
    // Every record's place in the whole listing, keyed by its parsed JSON (each one is unique).
    const order = pages.flat().map((text) => JSON.stringify(JSON.parse(text)));
    const placeOf = (raw: unknown) => order.indexOf(JSON.stringify(raw));
    for (let stopAfter = 1; stopAfter <= goodIds.length; stopAfter++) {
      const listing = adapter.engagements.list({ ...RANGE, onInvalidRecord: 'skip' });
      const first: Engagement[] = [];
      for await (const e of listing) {
        first.push(e);
        if (first.length === stopAfter) break;
      }
      const stop = placeOf(first.at(-1)?.raw);
      const rest = await listAll(adapter, { onInvalidRecord: 'skip', cursor: listing.cursor });
      const all = [...first, ...rest.items].map((e) => e.remoteId);
      expect(duplicates(all)).toEqual([]);
      expect(all).toEqual(goodIds.map(vendor.remoteId));
      for (const r of rest.listing.skipped) expect(placeOf(r.raw)).toBeGreaterThan(stop);
      // Never silent: between them, the two listings report every bad record.
      const reported = new Set(
        [...listing.skipped, ...rest.listing.skipped].map((r) => placeOf(r.raw)),
      );
      expect(reported.size).toBe(badCount);
    }
  });
});
