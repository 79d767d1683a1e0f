import { ApiError, type Engagement, RateLimitError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';
import { BASE, LIST_PATH, record, setupNock } from './helpers';
import { zoomServer } from './zoom-server';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const adapter = (extra: Record<string, unknown> = {}) =>
  createZoomContactCenterAdapter({
    accessToken: 'test-access-token',
    baseUrl: BASE,
    rateLimit: false,
    maxRetries: 0,
    ...extra,
  });
const ids = (items: Engagement[]) => items.map((e) => e.remoteId);
const page = (engagements: unknown[], next = '') => ({
  next_page_token: next,
  page_size: 30,
  total_records: engagements.length,
  timezone: 'UTC',
  engagements,
});

/** Serves one page per request from `replies`, recording each raw request path (query included). */
function rawServer(replies: [number, unknown][]) {
  const paths: string[] = [];
  nock('https://zoom.test')
    .get(LIST_PATH)
    .query(true)
    .times(replies.length)
    .reply((uri) => {
      paths.push(uri);
      return replies[paths.length - 1] ?? [500, {}];
    });
  return paths;
}

describe('array query parameters', () => {
  // Zoom's spec declares `channel_types`/`channel_sources` with the OpenAPI default for query arrays
  // (style form, explode true: the key repeats), and Zoom's Postman collection sends
  // `channel_types=in_app_video&channel_types=video`. Prism rejects the comma-joined form.
  it('sends native arrays as repeated keys, never comma-joined', async () => {
    const paths = rawServer([[200, page([])]]);
    await adapter()
      .engagements.list({
        from: new Date(T0),
        to: new Date(T0 + DAY),
        native: { channel_types: ['in_app_video', 'video'] },
      })
      .toArray();
    expect(paths[0]).toContain('channel_types=in_app_video&channel_types=video');
    expect(paths[0]).not.toContain('%2C');
  });

  // Same reference: `channel_sources` is an enum array in `listEngagements`.
  it('narrows kinds to channel_sources with one key per source', async () => {
    const paths = rawServer([[200, page([])]]);
    await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + DAY), kinds: ['sms'] })
      .toArray();
    const q = new URL(paths[0]!, 'https://zoom.test').searchParams;
    expect(q.get('channel')).toBe('messaging');
    expect(q.getAll('channel_sources')).toEqual(['sms']);
  });
});

describe('work items', () => {
  // Zoom library, "Unifying Live and Asynchronous Work with Work Items": back-office tasks such as
  // tickets, cases, or follow-ups; started with `channels: [{ channel: "work_item", channel_source: "API" }]`.
  it('lists a work_item engagement as kind task', async () => {
    rawServer([
      [
        200,
        page([
          record('wi', T0 + 1000, { channels: [{ channel: 'work_item', channel_source: 'API' }] }),
        ]),
      ],
    ]);
    const items = await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + DAY), kinds: ['task'] })
      .toArray();
    expect(items.map((e) => [e.remoteId, e.kind, e.nativeType])).toEqual([
      ['wi', 'task', 'work_item/API'],
    ]);
  });
});

describe('directions filter', () => {
  const range = { from: new Date(T0), to: new Date(T0 + DAY) };

  it('is declared server-side', () => {
    expect(adapter().capabilities.filters.directions).toBe('server');
  });

  // Spec `listEngagements`: query `direction`, enum `inbound` | `outbound`, one value.
  it('sends one direction as `direction` and drops records that disagree', async () => {
    const paths = rawServer([
      [
        200,
        page([
          record('out', T0 + 1000, { direction: 'outbound' }),
          record('in', T0 + 2000, { direction: 'inbound' }),
        ]),
      ],
    ]);
    const items = await adapter()
      .engagements.list({ ...range, directions: ['outbound'] })
      .toArray();
    expect(new URL(paths[0]!, 'https://zoom.test').searchParams.getAll('direction')).toEqual([
      'outbound',
    ]);
    expect(ids(items)).toEqual(['out']);
  });

  // Same reference: the param takes one value, so both directions are not sent; records without
  // a direction do not match a directions filter.
  it('sends no direction for inbound+outbound and drops records without one', async () => {
    const paths = rawServer([
      [
        200,
        page([
          record('out', T0 + 1000, { direction: 'outbound' }),
          record('none', T0 + 2000, { direction: undefined }),
          record('in', T0 + 3000, { direction: 'inbound' }),
        ]),
      ],
    ]);
    const items = await adapter()
      .engagements.list({ ...range, directions: ['inbound', 'outbound'] })
      .toArray();
    expect(new URL(paths[0]!, 'https://zoom.test').searchParams.has('direction')).toBe(false);
    expect(ids(items)).toEqual(['out', 'in']);
  });

  it('answers `internal` alone with nothing and no request (Zoom has no internal engagements)', async () => {
    const paths = rawServer([[200, page([record('in', T0 + 1000)])]]);
    const items = await adapter()
      .engagements.list({ ...range, directions: ['internal'] })
      .toArray();
    expect(items).toEqual([]);
    expect(paths).toEqual([]);
  });

  it('leaves a native direction in charge of the query', async () => {
    const paths = rawServer([[200, page([])]]);
    await adapter()
      .engagements.list({ ...range, directions: ['outbound'], native: { direction: 'inbound' } })
      .toArray();
    expect(new URL(paths[0]!, 'https://zoom.test').searchParams.getAll('direction')).toEqual([
      'inbound',
    ]);
  });
});

describe('expired page tokens by status', () => {
  // No public source shows Zoom's expired-token error (see errors.ts and docs/unified-model.md).
  // Recognised: Zoom's documented validation shape (https://developers.zoom.us/docs/api/errors/,
  // code 300 with `errors[].field`) naming the token, and any other 4xx whose message names it.
  const TOKEN_MESSAGE = 'The next page token is invalid or has expired.';
  const first = page([record('a', T0 + 1000)], 'tok-1');

  async function listWithSecondReply(reply: [number, unknown]) {
    const paths = rawServer([
      [200, first],
      reply,
      [200, first],
      [200, page([record('a', T0 + 1000), record('b', T0 + 2000)].slice(1))],
    ]);
    const result = await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + DAY), pageSize: 1 })
      .toArray()
      .then(
        (items) => ({ items: ids(items), error: undefined }),
        (error: unknown) => ({ items: undefined, error }),
      );
    return { ...result, requests: paths.length };
  }

  it.each([
    [400, { code: 300, message: TOKEN_MESSAGE }],
    [400, { code: 124, message: 'Invalid next_page_token.' }],
    [
      400,
      {
        code: 300,
        message: 'Validation Failed.',
        errors: [{ field: 'next_page_token', message: 'Invalid field.' }],
      },
    ],
    [401, { code: 300, message: TOKEN_MESSAGE }],
    [403, { message: TOKEN_MESSAGE }],
    [410, { message: 'next page token expired' }],
    [422, { code: 4711, message: TOKEN_MESSAGE }],
  ])('%i %j restarts the window', async (status, body) => {
    const r = await listWithSecondReply([status, body]);
    expect(r.error).toBeUndefined();
    expect(r.items).toEqual(['a', 'b']);
    expect(r.requests).toBe(4);
  });

  // Issue 17: the same message on a 404, 429 or 5xx is not an expired token.
  it.each([404, 429, 500, 502, 503])(
    '%i carrying the token message is not an expired token',
    async (status) => {
      const r = await listWithSecondReply([status, { code: status, message: TOKEN_MESSAGE }]);
      expect(r.error).toBeInstanceOf(ApiError);
      expect((r.error as ApiError).status).toBe(status);
      if (status === 429) expect(r.error).toBeInstanceOf(RateLimitError);
      expect(r.requests).toBe(2);
    },
  );

  it('a 400 that does not name the token is not an expired token', async () => {
    const r = await listWithSecondReply([400, { code: 300, message: 'Validation Failed.' }]);
    expect((r.error as ApiError).status).toBe(400);
    expect(r.requests).toBe(2);
  });
});

describe('windows when Zoom filters by overlap', () => {
  // Zoom's docs do not say whether `from`/`to` select by start time or by overlap. The adapter keeps
  // a record in the window holding its start time; starting inside a window implies overlapping it,
  // so either reading serves every record to that window, and the extra overlap matches are dropped.
  it('loses no record straddling a window edge and yields each once', async () => {
    const edge1 = T0 + 27 * DAY;
    const edge2 = T0 + 54 * DAY;
    const straddle = (id: string, startMs: number, endMs: number) =>
      record(id, startMs, { end_time: `${new Date(endMs).toISOString().slice(0, 19)}Z` });
    const all = [
      straddle('before-from', T0 - 3_600_000, T0 + 3_600_000),
      straddle('first', T0 + 1000, T0 + 2000),
      straddle('across-1', edge1 - 60_000, edge1 + 60_000),
      straddle('at-edge-1', edge1, edge1 + 60_000),
      straddle('long', edge1 + 1000, edge2 + 3 * DAY),
      straddle('across-2', edge2 - 1000, edge2 + 1000),
      straddle('before-to', T0 + 60 * DAY - 1000, T0 + 60 * DAY + 60_000),
      straddle('at-to', T0 + 60 * DAY, T0 + 60 * DAY + 60_000),
    ];
    const server = zoomServer(all, { match: 'overlap' });
    const items = await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + 60 * DAY), pageSize: 2 })
      .toArray();
    expect(ids(items).sort()).toEqual(
      ['first', 'across-1', 'at-edge-1', 'long', 'across-2', 'before-to'].sort(),
    );
    // Overlap made Zoom serve the straddlers to two windows each; they are yielded once.
    const windows = new Set(server.queries.map((q) => q.get('from')));
    expect(windows.size).toBe(3);
  });
});

describe('default rate limit', () => {
  // https://developers.zoom.us/docs/api/rate-limits/: listEngagements is MEDIUM, 10 requests per
  // second on Pro, with no burst above the per-second budget. One request of it stays in reserve.
  it('sends 9 requests at once, then one per 100 ms', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      let served = 0;
      nock('https://zoom.test')
        .get(LIST_PATH)
        .query(true)
        .times(12)
        .reply(() => {
          served++;
          return [200, page([], served < 12 ? `tok-${served}` : '')];
        });
      const zoom = createZoomContactCenterAdapter({
        accessToken: 'test-access-token',
        baseUrl: BASE,
      });
      const done = zoom.engagements
        .list({ from: new Date(T0), to: new Date(T0 + DAY), maxPages: 12 })
        .toArray();
      // Real I/O turns (nock answers on them) with the clock held still, until `served` reaches
      // `target` (bounded: a request that never comes fails the assertion after it). The bound is
      // 5,000 turns and 1 s of real time: on a loaded machine 5,000 turns alone ended before the
      // 9th request had gone out (served 6).
      const settle = async (target: number) => {
        const started = performance.now();
        for (let i = 0; served < target && (i < 5000 || performance.now() - started < 1000); i++) {
          await new Promise((r) => setImmediate(r));
        }
      };
      // Each runs its full bound: the 10th request must wait for the clock.
      await settle(10);
      expect(served).toBe(9);
      await vi.advanceTimersByTimeAsync(99);
      await settle(10);
      expect(served).toBe(9);
      await vi.advanceTimersByTimeAsync(1);
      await settle(10);
      expect(served).toBe(10);
      for (let i = 0; i < 5 && served < 12; i++) {
        await vi.advanceTimersByTimeAsync(100);
        await settle(served + 1);
      }
      await done;
      expect(served).toBe(12);
    } finally {
      vi.useRealTimers();
    }
  });
});
