import type { BeforeRequestInfo } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { ACCOUNT, adapter, BASE, listBody, PATH, setupNock, trutoRecord } from './fixtures';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const META = `${PATH}/meta/list`;
const SINCE = '2026-03-01T00:00:00.000Z';

/** Every request nock answers, in order: `GET <path>`. */
function serve(metaReplies: number, listReplies: number) {
  const seen: string[] = [];
  const meta = {
    query_schema: { type: 'object', properties: { updated_at: { type: 'string' } } },
  };
  nock(BASE)
    .get(META)
    .query(true)
    .times(metaReplies)
    .reply((uri) => {
      seen.push(`GET ${new URL(uri, BASE).pathname}`);
      return [200, meta];
    });
  nock(BASE)
    .get(PATH)
    .query(true)
    .times(listReplies)
    .reply((uri) => {
      seen.push(`GET ${new URL(uri, BASE).pathname}`);
      const record = trutoRecord({
        id: '1',
        start_time: '2025-01-01T00:00:00Z',
        created_at: '2025-01-01T00:00:00Z',
        updated_at: '2026-03-02T00:00:00Z',
      });
      return [200, listBody([record])];
    });
  return seen;
}

it("'auto': the metadata request a feed sends goes through the feed's beforeRequest, as its listing does; a cached answer sends nothing and calls nothing", async () => {
  const seen = serve(1, 2);
  const hooked: Array<{ operation: string | undefined; url: string; attempt: number }> = [];
  const beforeRequest = (info: BeforeRequestInfo) => {
    hooked.push({
      operation: info.operation,
      url: new URL(info.url).pathname,
      attempt: info.attempt,
    });
  };
  const truto = adapter({ changes: 'auto', rateLimit: false });

  const first = truto.engagements.changes({
    since: SINCE,
    includeRaw: false,
    request: { beforeRequest },
  });
  expect((await first.toArray()).map((c) => c.id)).toEqual(['truto:1']);
  expect(first.mode).toBe('modified');
  expect(seen).toEqual([`GET ${META}`, `GET ${PATH}`]);
  // One hook call per request Truto saw: the metadata request included.
  expect(hooked).toEqual([
    { operation: 'engagements.meta', url: META, attempt: 1 },
    { operation: 'engagements.list', url: PATH, attempt: 1 },
  ]);

  // The second feed reads the cached answer: its only request is its listing, and one hook call.
  const second = truto.engagements.changes({
    since: SINCE,
    includeRaw: false,
    request: { beforeRequest },
  });
  expect((await second.toArray()).map((c) => c.id)).toEqual(['truto:1']);
  expect(seen).toEqual([`GET ${META}`, `GET ${PATH}`, `GET ${PATH}`]);
  expect(hooked).toHaveLength(seen.length);
  expect(hooked[2]).toEqual({ operation: 'engagements.list', url: PATH, attempt: 1 });
  expect(nock.isDone()).toBe(true);
});

it("'auto': the metadata request takes the feed's other per-call options too (its headers)", async () => {
  let header: string | undefined;
  const meta = { query_schema: { type: 'object', properties: {} } };
  const fresh = adapter({ changes: 'auto', rateLimit: false });
  nock(BASE)
    .get(META)
    .query({ integrated_account_id: ACCOUNT })
    .reply(function reply() {
      header = String(this.req.headers['x-trace'] ?? '');
      return [200, meta];
    });
  nock(BASE).get(PATH).query(true).reply(200, listBody([]));
  const feed = fresh.engagements.changes({
    since: SINCE,
    request: { headers: { 'x-trace': 'feed-7' } },
  });
  expect(await feed.toArray()).toEqual([]);
  expect(feed.mode).toBe('window');
  expect(header).toBe('feed-7');
  expect(nock.isDone()).toBe(true);
});
