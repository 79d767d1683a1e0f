import {
  AbortError,
  BadRequestError,
  InputValidationError,
  PaginationError,
  ResponseValidationError,
} from '@engagekit/core';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createDevRevAdapter } from '../src/index';
import { conversation, engagement, engagementId } from './fixtures';
import { adapter, BASE, TOKEN, useNock } from './helpers';

useNock();

const NOW = Date.now();
/** An ISO time `days` before the suite started. */
const ago = (days: number) => new Date(NOW - days * 86_400_000).toISOString();
const SINCE = ago(10);

type Json = Record<string, unknown>;
interface Served {
  records: Json[];
  next?: string;
}

/**
 * A DevRev host whose `engagements.list` answers `pages` by cursor ('' = no cursor) and whose
 * `conversations.list` answers `conversationPages` the same way; an unknown cursor is a 400, and
 * every request is recorded (at most 50: a feed that keeps asking fails instead of looping).
 */
function serve(pages: Record<string, Served>, conversationPages: Record<string, Served> = {}) {
  const queries: Record<string, string>[] = [];
  const bodies: Json[] = [];
  const answer = (table: Record<string, Served>, cursor: string, key: string) => {
    if (queries.length + bodies.length > 50) return [500, { message: 'too many requests' }];
    const page = table[cursor];
    if (!page) return [400, { type: 'bad_request', message: `unknown cursor ${cursor}` }];
    return [200, { [key]: page.records, ...(page.next ? { next_cursor: page.next } : {}) }];
  };
  nock(BASE)
    .get('/engagements.list')
    .query(true)
    .reply((uri) => {
      const query = Object.fromEntries(new URL(uri, BASE).searchParams);
      queries.push(query);
      return answer(pages, query.cursor ?? '', 'engagements') as [number, Json];
    })
    .persist()
    .post('/conversations.list')
    .reply((_uri, body) => {
      const b = body as Json;
      bodies.push(b);
      return answer(conversationPages, (b.cursor as string) ?? '', 'conversations') as [
        number,
        Json,
      ];
    })
    .persist();
  return { queries, bodies };
}

const eng = (n: number, modifiedDaysAgo: number, extra: Json = {}) =>
  engagement(n, { created: ago(200), modified: ago(modifiedDaysAgo) }, extra);
const conv = (n: number, modifiedDaysAgo: number) =>
  conversation({
    id: `don:core:dvrv-us-1:devo/0:conversation/${n}`,
    display_id: `CONV-${n}`,
    created_date: ago(300),
    modified_date: ago(modifiedDaysAgo),
  });
const cid = (n: number) => `devrev:don:core:dvrv-us-1:devo/0:conversation/${n}`;
const eid = (n: number) => `devrev:${engagementId(n)}`;

describe('capabilities.changes and changesLookbackMs', () => {
  it("says 'modified', no deletions, a 5-minute lookback unless changesLookbackMs says otherwise", () => {
    expect(adapter().capabilities.changes).toEqual({
      mode: 'modified',
      deletes: 'none',
      lookbackMs: 300_000,
    });
    expect(adapter({ changesLookbackMs: 60_000 }).capabilities.changes).toEqual({
      mode: 'modified',
      deletes: 'none',
      lookbackMs: 60_000,
    });
    expect(adapter({ changesLookbackMs: 0 }).capabilities.changes?.lookbackMs).toBe(0);
  });

  it.each([-1, 1.5, '300000', 7 * 86_400_000 + 1])(
    'refuses changesLookbackMs %s before any request, naming the option',
    (value) => {
      let error: unknown;
      try {
        createDevRevAdapter({ token: TOKEN, baseUrl: BASE, changesLookbackMs: value as number });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputValidationError);
      expect((error as InputValidationError).issues.map((i) => i.path)).toEqual([
        'changesLookbackMs',
      ]);
    },
  );
});

describe('engagements.changes() requests', () => {
  it('reads engagements newest first, stops at the first one older than since, then conversations by modified_date.after', async () => {
    const { queries, bodies } = serve(
      {
        '': { records: [eng(3, 1), eng(2, 2)], next: 'p2' },
        // eng 0 is older than `since`: the listing ends with this page, p3 is never asked for.
        p2: { records: [eng(1, 3), eng(0, 11)], next: 'p3' },
        p3: { records: [eng(9, 12)] },
      },
      { '': { records: [conv(1, 4)] } },
    );
    const feed = adapter().engagements.changes({ since: SINCE, pageSize: 2 });
    const changes = await feed.toArray();
    expect(changes.map((c) => c.id)).toEqual([eid(3), eid(2), eid(1), cid(1)]);
    expect(changes.map((c) => c.type)).toEqual(['upsert', 'upsert', 'upsert', 'upsert']);
    expect(changes[0]?.changedAt).toBe(ago(1));
    expect(queries).toEqual([
      { sort_by: 'modified_date:desc', limit: '2' },
      { sort_by: 'modified_date:desc', limit: '2', cursor: 'p2' },
    ]);
    expect(bodies).toEqual([{ modified_date: { after: SINCE }, limit: 2 }]);
    expect(feed.done).toBe(true);
    expect(feed.checkpoint).toMatch(/^ekc1\./);
  });

  it('the next run reads from its predecessor’s start minus changesLookbackMs, and delivers only what changed', async () => {
    const { queries, bodies } = serve(
      { '': { records: [eng(2, 1), eng(1, 3)] } },
      { '': { records: [conv(1, 4)] } },
    );
    const a = adapter({ changesLookbackMs: 60_000 });
    const before = Date.now();
    const first = a.engagements.changes({ since: SINCE });
    expect((await first.toArray()).map((c) => c.id)).toEqual([eid(2), eid(1), cid(1)]);
    const after = Date.now();
    nock.cleanAll();
    const second = serve(
      // eng 2 edited since; eng 1 unchanged and older than the new start: the listing stops there.
      { '': { records: [eng(2, 0, { title: 'edited' }), eng(1, 3)], next: 'p2' } },
      { '': { records: [] } },
    );
    const next = a.engagements.changes({ since: first.checkpoint });
    const changes = await next.toArray();
    expect(changes.map((c) => [c.id, c.engagement?.subject])).toEqual([[eid(2), 'edited']]);
    expect(second.queries).toHaveLength(1);
    const sentAfter = Date.parse(
      (second.bodies[0]?.modified_date as { after: string } | undefined)?.after ?? '',
    );
    expect(sentAfter).toBeGreaterThanOrEqual(before - 60_000);
    expect(sentAfter).toBeLessThanOrEqual(after - 60_000);
    expect(queries).toHaveLength(1);
    expect(bodies).toHaveLength(1);
  });

  it('keeps reading past a page that is not in modified_date order (no early stop it cannot trust)', async () => {
    const { queries } = serve(
      {
        // Older than since, but followed by a newer record: DevRev did not sort.
        '': { records: [eng(3, 1), eng(0, 20), eng(2, 2)], next: 'p2' },
        p2: { records: [eng(1, 3), eng(5, 30)] },
      },
      { '': { records: [] } },
    );
    const changes = await adapter().engagements.changes({ since: SINCE }).toArray();
    expect(changes.map((c) => c.id)).toEqual([eid(3), eid(2), eid(1)]);
    expect(queries.map((q) => q.cursor)).toEqual([undefined, 'p2']);
  });

  it('keeps reading past a record without modified_date', async () => {
    const { queries } = serve(
      {
        '': { records: [eng(3, 1), engagement(4, { created: ago(1) }), eng(0, 20)], next: 'p2' },
        p2: { records: [eng(1, 3)] },
      },
      { '': { records: [] } },
    );
    const changes = await adapter().engagements.changes({ since: SINCE }).toArray();
    expect(changes.map((c) => c.id)).toEqual([eid(3), eid(4), eid(1)]);
    expect(queries.map((q) => q.cursor)).toEqual([undefined, 'p2']);
  });

  it("caps pageSize at 100 (DevRev's page size here) in both requests", async () => {
    const { queries, bodies } = serve({ '': { records: [] } }, { '': { records: [] } });
    await adapter().engagements.changes({ since: SINCE, pageSize: 500 }).toArray();
    expect(queries[0]?.limit).toBe('100');
    expect(bodies[0]?.limit).toBe(100);
  });

  it("skips an unreadable record under onInvalidRecord: 'skip' (and fails on it by default)", async () => {
    const pages = {
      '': { records: [eng(3, 1), { id: 7, modified_date: ago(2) }, eng(1, 3)] },
    };
    serve(pages, { '': { records: [] } });
    const feed = adapter().engagements.changes({ since: SINCE, onInvalidRecord: 'skip' });
    expect((await feed.toArray()).map((c) => c.id)).toEqual([eid(3), eid(1)]);
    expect(feed.skippedCount).toBe(1);
    expect(feed.skipped[0]?.path).toEqual(['engagements', 1]);
    await expect(adapter().engagements.changes({ since: SINCE }).toArray()).rejects.toBeInstanceOf(
      ResponseValidationError,
    );
  });

  it('an aborted signal ends the feed with AbortError and no request', async () => {
    const { queries } = serve({ '': { records: [eng(3, 1)] } });
    const controller = new AbortController();
    controller.abort();
    await expect(
      adapter().engagements.changes({ since: SINCE, signal: controller.signal }).toArray(),
    ).rejects.toBeInstanceOf(AbortError);
    expect(queries).toEqual([]);
  });

  it("kinds: ['email'] asks for type=email and no conversations; ['sms'] asks nothing", async () => {
    const { queries, bodies } = serve({
      '': { records: [eng(3, 1, { engagement_type: 'email' })] },
    });
    const changes = await adapter()
      .engagements.changes({ since: SINCE, kinds: ['email'] })
      .toArray();
    expect(changes.map((c) => [c.id, c.engagement?.kind])).toEqual([[eid(3), 'email']]);
    expect(queries).toEqual([{ sort_by: 'modified_date:desc', limit: '50', type: 'email' }]);
    expect(bodies).toEqual([]);
    const none = adapter().engagements.changes({ since: SINCE, kinds: ['sms'] });
    expect(await none.toArray()).toEqual([]);
    expect(none.done).toBe(true);
    expect(queries).toHaveLength(1);
  });

  it("kinds: ['chat'] asks for DevRev conversation engagements and conversations", async () => {
    const { queries, bodies } = serve(
      { '': { records: [eng(3, 1, { engagement_type: 'conversation' })] } },
      { '': { records: [conv(1, 2)] } },
    );
    const changes = await adapter()
      .engagements.changes({ since: SINCE, kinds: ['chat'] })
      .toArray();
    expect(changes.map((c) => c.id)).toEqual([eid(3), cid(1)]);
    expect(queries[0]?.type).toBe('conversation');
    expect(bodies).toHaveLength(1);
  });
});

describe('engagements.changes() resumed from a checkpoint taken part-way', () => {
  it('asks for the page in progress by its DevRev cursor and skips what came before the last change', async () => {
    serve(
      {
        '': { records: [eng(3, 1), eng(2, 2)], next: 'p2' },
        p2: { records: [eng(1, 3), eng(7, 4), eng(0, 11)], next: 'p3' },
      },
      { '': { records: [conv(1, 4)] } },
    );
    const a = adapter();
    const feed = a.engagements.changes({ since: SINCE, pageSize: 2 });
    const seen: string[] = [];
    for await (const change of feed) {
      seen.push(change.id);
      if (change.id === eid(1)) break;
    }
    expect(seen).toEqual([eid(3), eid(2), eid(1)]);
    expect(feed.done).toBe(false);
    const checkpoint = feed.checkpoint;
    nock.cleanAll();
    // Meanwhile eng 2 was edited: on a vendor that pages by offset it now shows up on p2, ahead
    // of eng 1. It was modified after the run started, so the next run delivers it; this one
    // skips it (and eng 1, delivered already), and delivers eng 7, which a count of records
    // already read would have skipped.
    const resumed = serve(
      {
        p2: {
          records: [eng(2, 0, { title: 'edited' }), eng(1, 3), eng(7, 4), eng(0, 11)],
          next: 'p3',
        },
      },
      { '': { records: [conv(1, 4)] } },
    );
    const rest = await a.engagements.changes({ since: checkpoint, pageSize: 2 }).toArray();
    expect(rest.map((c) => c.id)).toEqual([eid(7), cid(1)]);
    expect(resumed.queries).toEqual([{ sort_by: 'modified_date:desc', limit: '2', cursor: 'p2' }]);
  });

  it('a checkpoint inside the first page re-reads it without a cursor', async () => {
    serve({ '': { records: [eng(3, 1), eng(2, 2), eng(0, 12)] } }, { '': { records: [] } });
    const a = adapter();
    const feed = a.engagements.changes({ since: SINCE });
    for await (const change of feed) if (change.id === eid(3)) break;
    const checkpoint = feed.checkpoint;
    nock.cleanAll();
    const resumed = serve(
      // eng 4 was created after the run started: it is the next run's.
      { '': { records: [eng(4, 0), eng(3, 1), eng(2, 2), eng(0, 12)] } },
      { '': { records: [] } },
    );
    const rest = await a.engagements.changes({ since: checkpoint }).toArray();
    expect(rest.map((c) => c.id)).toEqual([eid(2)]);
    expect(resumed.queries).toEqual([{ sort_by: 'modified_date:desc', limit: '50' }]);
  });

  it('a checkpoint after the last engagement starts the conversations; one inside a conversation page re-reads that page', async () => {
    serve(
      { '': { records: [eng(3, 1)] } },
      {
        '': { records: [conv(1, 2), conv(2, 3)], next: 'c2' },
        c2: { records: [conv(3, 2), conv(4, 3)] },
      },
    );
    const a = adapter();
    const feed = a.engagements.changes({ since: SINCE, pageSize: 2 });
    for await (const change of feed) if (change.id === eid(3)) break;
    const afterEngagements = feed.checkpoint;
    const one = a.engagements.changes({ since: afterEngagements, pageSize: 2 });
    for await (const change of one) if (change.id === cid(3)) break;
    nock.cleanAll();
    const resumed = serve(
      {},
      {
        // conversation 3 was deleted meanwhile: a count of records read would skip conversation 4.
        c2: { records: [conv(4, 3)] },
      },
    );
    const rest = await a.engagements.changes({ since: one.checkpoint, pageSize: 2 }).toArray();
    expect(rest.map((c) => c.id)).toEqual([cid(4)]);
    expect(resumed.queries).toEqual([]);
    expect(resumed.bodies).toEqual([{ modified_date: { after: SINCE }, limit: 2, cursor: 'c2' }]);
  });

  it('a page cursor DevRev refuses on resume (400) reads the phase again from its first page', async () => {
    serve({
      '': { records: [eng(3, 1), eng(2, 2)], next: 'p2' },
      p2: { records: [eng(1, 3), eng(7, 4)] },
    });
    const a = adapter();
    const feed = a.engagements.changes({ since: SINCE, kinds: ['call'], pageSize: 2 });
    for await (const change of feed) if (change.id === eid(1)) break;
    nock.cleanAll();
    // p2 has expired: unknown to the host, a 400.
    const resumed = serve({ '': { records: [eng(3, 1), eng(2, 2), eng(1, 3), eng(7, 4)] } });
    const rest = await a.engagements
      .changes({ since: feed.checkpoint, kinds: ['call'], pageSize: 2 })
      .toArray();
    expect(rest.map((c) => c.id)).toEqual([eid(3), eid(2), eid(1), eid(7)]);
    expect(resumed.queries.map((q) => q.cursor)).toEqual(['p2', undefined]);
  });

  it('a 400 on a fresh run is the error, not a restart', async () => {
    const { queries } = serve({});
    await expect(
      adapter()
        .engagements.changes({ since: SINCE, kinds: ['call'] })
        .toArray(),
    ).rejects.toBeInstanceOf(BadRequestError);
    expect(queries).toHaveLength(1);
  });

  it('refuses a listing cursor that names no phase of the listing', async () => {
    // A kinds: ['email'] feed has no conversation phase; its checkpoint cannot be made to name one
    // without breaking the checksum, so the refusal is checked on the listing directly.
    const { devrevChangeSource } = await import('../src/changes');
    const { encodeCursor, fingerprintParams } = await import('@engagekit/core/adapter');
    const source = devrevChangeSource({
      engagementsPage: () => Promise.reject(new Error('no request expected')),
      conversationsPage: () => Promise.reject(new Error('no request expected')),
      maxPageSize: 100,
      defaultPageSize: 50,
    });
    const fromMs = Date.parse(SINCE);
    const cursor = encodeCursor({
      p: 'devrev',
      f: fingerprintParams({ changesFrom: fromMs, kinds: ['email'] }),
      x: { ph: 'c' },
    });
    await expect(
      source.list({ fromMs, kinds: ['email'], cursor, includeRaw: true }).toArray(),
    ).rejects.toBeInstanceOf(PaginationError);
  });

  it('ignores a skip in a conversation-phase cursor (those pages are not sorted)', async () => {
    const { devrevChangeSource } = await import('../src/changes');
    const { encodeCursor, fingerprintParams } = await import('@engagekit/core/adapter');
    const { mapConversation } = await import('../src/map/conversation');
    const record = conv(1, 2);
    const source = devrevChangeSource({
      engagementsPage: () => Promise.reject(new Error('no engagement request expected')),
      conversationsPage: async () => ({
        items: [mapConversation(record as never, { includeRaw: false, path: 'c' })],
        invalid: [],
        raw: [record],
        nextCursor: undefined,
        prevCursor: undefined,
      }),
      maxPageSize: 100,
      defaultPageSize: 50,
    });
    const fromMs = Date.parse(SINCE);
    const cursor = encodeCursor({
      p: 'devrev',
      f: fingerprintParams({ changesFrom: fromMs, kinds: undefined }),
      t: 'c1',
      // Would leave out everything modified after 5 days ago, were it honoured.
      x: { ph: 'c', a: Date.parse(ago(5)) },
    });
    const items = await source.list({ fromMs, cursor, includeRaw: false }).toArray();
    expect(items.map((e) => e.id)).toEqual([cid(1)]);
  });
});
