import {
  AbortError,
  CapabilityError,
  InputValidationError,
  ResponseValidationError,
  ServerError,
} from '@engagekit/core';
import { decodeCheckpoint, encodeCheckpoint } from '@engagekit/core/adapter';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UpdatedAtSupport } from '../src/changes/meta';
import {
  ACCOUNT,
  adapter,
  BASE,
  listBody,
  PATH,
  setupNock,
  trutoError,
  trutoRecord,
} from './fixtures';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const META = `${PATH}/meta/list`;
const SINCE = '2026-03-01T00:00:00.000Z';

/** Truto's method metadata: `query_schema.properties` are the list's query parameters. */
const meta = (params: string[]) => ({
  method: 'list',
  schema: { type: 'object', properties: { id: { type: 'string' } } },
  response_schema: { type: 'object', properties: { id: { type: 'string' } } },
  request_body_schema: { type: 'object', properties: {} },
  query_schema: {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p, { type: 'string', format: 'date-time' }])),
  },
  documentation_link: 'https://example.test/docs',
});

/** Answers the meta endpoint with `bodies` in order and counts the requests. */
function serveMeta(...bodies: Array<[number, unknown]>) {
  const queries: URLSearchParams[] = [];
  nock(BASE)
    .get(META)
    .query(true)
    .times(bodies.length)
    .reply((uri) => {
      queries.push(new URL(uri, BASE).searchParams);
      return bodies[queries.length - 1] as [number, unknown];
    });
  return queries;
}

/** Answers list requests with `bodies` in order and records each query. */
function serveList(...bodies: unknown[]) {
  const queries: URLSearchParams[] = [];
  nock(BASE)
    .get(PATH)
    .query(true)
    .times(bodies.length)
    .reply((uri) => {
      queries.push(new URL(uri, BASE).searchParams);
      return [200, bodies[queries.length - 1]];
    });
  return queries;
}

const rec = (id: string, start: string, updated: string) =>
  trutoRecord({ id, start_time: start, created_at: start, updated_at: updated });

describe('truto changes(): the account metadata decides the mode', () => {
  it("'auto' asks meta/list once, then filters by updated_at[gt]; the answer is cached", async () => {
    const metaQueries = serveMeta([200, meta(['updated_at', 'created_at', 'start_time'])]);
    const lists = serveList(
      listBody([rec('1', '2025-01-01T00:00:00Z', '2026-03-02T00:00:00Z')]),
      listBody([]),
    );
    const truto = adapter({ changes: 'auto' });
    expect(truto.capabilities.changes).toEqual({
      mode: 'window',
      deletes: 'webhook',
      lookbackMs: 7 * 86_400_000,
    });
    const feed = truto.engagements.changes({ since: SINCE, includeRaw: false });
    expect(feed.mode).toBeUndefined();
    expect(feed.checkpoint).toBe(SINCE);
    const changes = await feed.toArray();
    expect(changes.map((c) => [c.id, c.changedAt])).toEqual([
      ['truto:1', '2026-03-02T00:00:00.000Z'],
    ]);
    expect(feed.mode).toBe('modified');
    expect(metaQueries).toHaveLength(1);
    expect(metaQueries[0]?.get('integrated_account_id')).toBe(ACCOUNT);
    const q = lists[0];
    expect(q?.get('updated_at[gt]')).toBe('2026-02-28T23:59:59.999Z');
    expect(q?.get('start_time')).toBeNull();
    expect(q?.get('end_time')).toBeNull();
    expect(q?.get('integrated_account_id')).toBe(ACCOUNT);
    expect(decodeCheckpoint(feed.checkpoint, { provider: 'truto', mode: 'modified' }).mode).toBe(
      'modified',
    );

    // A second feed and changesMode() use the cached answer: no second meta request.
    const next = truto.engagements.changes({ since: feed.checkpoint, includeRaw: false });
    expect(next.mode).toBe('modified');
    expect(await next.toArray()).toEqual([]);
    expect(await truto.changesMode()).toBe('modified');
    // A fresh cached answer sets the mode of a feed from a date at once.
    const fromDate = truto.engagements.changes({ since: SINCE });
    expect(fromDate.mode).toBe('modified');
    expect(decodeCheckpoint(fromDate.checkpoint, { provider: 'truto', mode: 'modified' })).toEqual({
      provider: 'truto',
      mode: 'modified',
      kinds: undefined,
      readFromMs: Date.parse(SINCE),
      seen: new Map(),
      run: undefined,
    });
    expect(metaQueries).toHaveLength(1);
    expect(lists).toHaveLength(2);
  });

  it("'auto' without updated_at in the metadata reads start times (window mode) from since", async () => {
    serveMeta([200, meta(['start_time', 'end_time', 'engagement_type'])]);
    const lists = serveList(
      listBody([
        rec('2', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'),
        // Older than since: the adapter drops it even though the vendor sent it.
        rec('3', '2026-02-27T00:00:00Z', '2026-03-05T00:00:00Z'),
      ]),
    );
    const truto = adapter();
    const feed = truto.engagements.changes({ since: SINCE, includeRaw: false });
    const ids = (await feed.toArray()).map((c) => c.id);
    expect(ids).toEqual(['truto:2']);
    expect(feed.mode).toBe('window');
    expect(lists[0]?.get('start_time')).toBe(SINCE);
    expect(lists[0]?.get('updated_at[gt]')).toBeNull();
    expect(decodeCheckpoint(feed.checkpoint, { provider: 'truto', mode: 'window' }).mode).toBe(
      'window',
    );
    expect(await truto.changesMode()).toBe('window');
  });

  it("'modified' drops records older than the run's start point a CRM sends anyway", async () => {
    serveList(
      listBody([
        rec('4', '2024-01-01T00:00:00Z', '2026-02-01T00:00:00Z'),
        rec('5', '2024-01-01T00:00:00Z', '2026-03-01T00:00:00Z'),
      ]),
    );
    const feed = adapter({ changes: 'modified' }).engagements.changes({ since: SINCE });
    expect((await feed.toArray()).map((c) => c.id)).toEqual(['truto:5']);
  });

  it('fixed modes never ask the metadata; capabilities say the fixed mode', async () => {
    // No meta interceptor: a meta request would fail the feed (nock refuses it).
    const lists = serveList(listBody([]), listBody([]));
    const modified = adapter({ changes: 'modified' });
    expect(modified.capabilities.changes).toEqual({
      mode: 'modified',
      deletes: 'webhook',
      lookbackMs: 5 * 60_000,
    });
    const a = modified.engagements.changes({ since: SINCE });
    expect(a.mode).toBe('modified');
    expect(await a.toArray()).toEqual([]);
    const windowed = adapter({ changes: 'window', changesWindowLookbackMs: 3_600_000 });
    expect(windowed.capabilities.changes).toEqual({
      mode: 'window',
      deletes: 'webhook',
      lookbackMs: 3_600_000,
    });
    expect(await windowed.changesMode()).toBe('window');
    expect(await windowed.engagements.changes({ since: SINCE }).toArray()).toEqual([]);
    expect(lists.map((q) => [q.get('updated_at[gt]'), q.get('start_time')])).toEqual([
      ['2026-02-28T23:59:59.999Z', null],
      [null, SINCE],
    ]);
  });

  it('a fixed mode refuses a checkpoint of the other mode before any request', () => {
    const checkpoint = encodeCheckpoint({
      provider: 'truto',
      mode: 'modified',
      readFromMs: Date.parse(SINCE),
      seen: new Map(),
    });
    const error = (() => {
      try {
        adapter({ changes: 'window' }).engagements.changes({ since: checkpoint });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues.map((i) => i.rule)).toEqual(['checkpoint_mode']);
  });

  it('bad caller input fails typed before any request (no meta, no list)', () => {
    const truto = adapter();
    const issues = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(InputValidationError);
        return (e as InputValidationError).issues.map((i) => `${i.path}:${i.rule}`);
      }
      return [];
    };
    expect(issues(() => truto.engagements.changes({ since: SINCE, pageSize: 101 }))).toEqual([
      'pageSize:too_big',
    ]);
    expect(issues(() => truto.engagements.changes({ since: 'yesterday-ish' }))).toEqual([
      'since:invalid_date',
    ]);
    expect(issues(() => truto.engagements.changes({ since: 'ekc1.broken' }))[0]).toBe(
      'since:checkpoint_format',
    );
    expect(
      issues(() => adapter({ changes: 'sometimes' as 'auto' })).map((i) => i.split(':')[0]),
    ).toEqual(['changes']);
    expect(issues(() => adapter({ changesMetaTtlMs: -1 }))[0]?.split(':')[0]).toBe(
      'changesMetaTtlMs',
    );
  });
});

describe('truto changes(): a failed or odd metadata answer', () => {
  it('a body without query_schema is a ResponseValidationError, not cached; the checkpoint stays since', async () => {
    const metaQueries = serveMeta(
      [200, { schema: {}, response_schema: {} }],
      [200, { query_schema: 'all of them' }],
      [200, meta(['updated_at'])],
    );
    serveList(listBody([]));
    const truto = adapter();
    const feed = truto.engagements.changes({ since: new Date(SINCE) });
    const first = await feed.toArray().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ResponseValidationError);
    expect((first as ResponseValidationError).path).toBe('query_schema');
    expect(feed.checkpoint).toBe(SINCE);
    expect(feed.mode).toBeUndefined();
    await expect(truto.changesMode()).rejects.toBeInstanceOf(ResponseValidationError);
    // The next attempt asks again and goes on from the same point.
    expect(await feed.toArray()).toEqual([]);
    expect(feed.mode).toBe('modified');
    expect(metaQueries).toHaveLength(3);
  });

  it('a 5xx on meta fails typed after the retries; nothing is listed', async () => {
    const metaQueries = serveMeta([500, trutoError(500, 'boom')], [500, trutoError(500, 'boom')]);
    const feed = adapter({ maxRetries: 1 }).engagements.changes({ since: SINCE });
    await expect(feed.toArray()).rejects.toBeInstanceOf(ServerError);
    expect(metaQueries).toHaveLength(2);
    expect(feed.checkpoint).toBe(SINCE);
  });

  it("'updated_at: false' in the metadata is not support", async () => {
    serveMeta([200, { query_schema: { properties: { updated_at: false, start_time: {} } } }]);
    expect(await adapter().changesMode()).toBe('window');
  });
});

describe('truto changes(): an account whose support changes', () => {
  const windowCheckpoint = (run?: { cursor: string }) =>
    encodeCheckpoint({
      provider: 'truto',
      mode: 'window',
      readFromMs: Date.parse(SINCE),
      seen: new Map([['00112233445566ff', { version: 7, keySec: Date.parse(SINCE) / 1000 }]]),
      run: run
        ? {
            startMs: Date.parse(SINCE) + 1000,
            fromMs: Date.parse(SINCE),
            cursor: run.cursor,
            seen: new Map(),
          }
        : undefined,
    });

  it('a window checkpoint on an account that gained updated_at continues by updated_at from the same point', async () => {
    serveMeta([200, meta(['updated_at'])]);
    const lists = serveList(listBody([rec('9', '2020-01-01T00:00:00Z', '2026-03-03T00:00:00Z')]));
    const feed = adapter().engagements.changes({
      since: windowCheckpoint({ cursor: 'a-start-time-cursor' }),
      includeRaw: false,
    });
    expect(feed.mode).toBe('window');
    const changes = await feed.toArray();
    // An engagement that started years ago but was edited after the checkpoint is found.
    expect(changes.map((c) => c.id)).toEqual(['truto:9']);
    expect(feed.mode).toBe('modified');
    expect(lists[0]?.get('updated_at[gt]')).toBe('2026-02-28T23:59:59.999Z');
    // The interrupted run's start-time cursor is not sent to the updated_at listing.
    expect(lists[0]?.get('next_cursor')).toBeNull();
    const state = decodeCheckpoint(feed.checkpoint, { provider: 'truto', mode: 'modified' });
    expect(state.run).toBeUndefined();
  });

  it('a modified checkpoint on an account that lost updated_at fails with CapabilityError naming the restart point', async () => {
    serveMeta([200, meta(['start_time'])]);
    const checkpoint = encodeCheckpoint({
      provider: 'truto',
      mode: 'modified',
      readFromMs: Date.parse('2026-03-04T05:06:07.000Z'),
      seen: new Map(),
    });
    const feed = adapter().engagements.changes({ since: checkpoint });
    const error = await feed.toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapabilityError);
    expect((error as CapabilityError).capability).toBe('changes:modified');
    expect((error as Error).message).toContain(`integrated account ${ACCOUNT} no longer supports`);
    expect((error as Error).message).toContain("since: '2026-03-04T05:06:07.000Z'");
    // The checkpoint is kept as it was: nothing after it was skipped.
    expect(feed.checkpoint).toBe(checkpoint);
  });

  it('a refused updated_at filter forgets the cached answer, so the next feed asks again', async () => {
    const metaQueries = serveMeta([200, meta(['updated_at'])], [200, meta(['start_time'])]);
    nock(BASE)
      .get(PATH)
      .query(true)
      .reply(400, {
        ...trutoError(
          400,
          "The filter 'updated_at' is not supported by the connected integration.",
        ),
        truto_error_insight: {
          unsupported_query_parameters: { description: 'Not supported', value: ['updated_at'] },
        },
      });
    const lists = serveList(listBody([]));
    const truto = adapter();
    const first = await truto.engagements
      .changes({ since: SINCE })
      .toArray()
      .catch((e) => e);
    expect(first).toBeInstanceOf(CapabilityError);
    expect((first as CapabilityError).capability).toBe('filter:updated_at');
    const second = truto.engagements.changes({ since: SINCE });
    expect(await second.toArray()).toEqual([]);
    expect(second.mode).toBe('window');
    expect(metaQueries).toHaveLength(2);
    expect(lists[0]?.get('start_time')).toBe(SINCE);
  });
});

describe('UpdatedAtSupport (the per-adapter cache)', () => {
  it('asks once within the TTL, again after it; concurrent callers share one request', async () => {
    let now = 1_000;
    let calls = 0;
    const answers = [true, false];
    const cache = new UpdatedAtSupport(
      async () => answers[calls++] ?? true,
      60_000,
      () => now,
    );
    expect(cache.peek()).toBeUndefined();
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual([true, true, true]);
    expect(calls).toBe(1);
    now += 59_999;
    expect(cache.peek()).toBe(true);
    expect(await cache.get()).toBe(true);
    expect(calls).toBe(1);
    now += 1;
    expect(cache.peek()).toBeUndefined();
    expect(await cache.get()).toBe(false);
    expect(calls).toBe(2);
    cache.invalidate();
    expect(cache.peek()).toBeUndefined();
  });

  it('keeps no failure and, with a TTL of 0, nothing at all', async () => {
    let calls = 0;
    const failing = new UpdatedAtSupport(async () => {
      calls++;
      if (calls === 1) throw new Error('meta down');
      return true;
    }, 60_000);
    await expect(failing.get()).rejects.toThrow('meta down');
    expect(await failing.get()).toBe(true);
    expect(calls).toBe(2);

    let probes = 0;
    const uncached = new UpdatedAtSupport(async () => {
      probes++;
      return true;
    }, 0);
    await uncached.get();
    await uncached.get();
    expect(probes).toBe(2);
    expect(uncached.peek()).toBeUndefined();
  });

  it('an aborted caller stops waiting with AbortError; the shared probe still fills the cache', async () => {
    let release: (value: boolean) => void = () => {};
    const cache = new UpdatedAtSupport(
      () =>
        new Promise<boolean>((resolve) => {
          release = resolve;
        }),
      60_000,
    );
    const controller = new AbortController();
    const waiting = cache.get(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    release(true);
    expect(await cache.get()).toBe(true);
  });
});
