import {
  CapabilityError,
  type Engagement,
  EngagementSchema,
  InputValidationError,
  NotFoundError,
  PaginationError,
  RateLimitError,
  ResponseValidationError,
} from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';
import { BASE, LIST_PATH, record, SPEC_LIST_PARAMS, setupNock, specListResponse } from './helpers';
import { EXPIRED_BODY, type ServedRecord, zoomServer } from './zoom-server';

beforeAll(setupNock);
afterEach(() => {
  nock.cleanAll();
  vi.restoreAllMocks();
});

const DAY = 86_400_000;
const ZOOM_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const T0 = Date.UTC(2026, 0, 1);

const adapter = (extra: Record<string, unknown> = {}) =>
  createZoomContactCenterAdapter({
    accessToken: 'test-access-token',
    baseUrl: BASE,
    rateLimit: false,
    maxRetries: 2,
    ...extra,
  });

const ids = (items: Engagement[]) => items.map((e) => e.remoteId);
const records = (n: number, start = T0, stepMs = 3_600_000, extra = {}) =>
  Array.from({ length: n }, (_, i) =>
    record(`r${String(i).padStart(4, '0')}`, start + i * stepMs, extra),
  );

describe('engagements.list query', () => {
  it('sends spec params: UTC window in Zoom format, timezone=UTC, page_size=100', async () => {
    const server = zoomServer(records(5));
    const items = await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + 10 * DAY) })
      .toArray();
    expect(items).toHaveLength(5);
    const q = server.queries[0]!;
    expect(Object.fromEntries(q)).toEqual({
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-11T00:00:00Z',
      timezone: 'UTC',
      page_size: '100',
    });
    for (const key of q.keys()) expect(SPEC_LIST_PARAMS).toContain(key);
    for (const e of items) expect(EngagementSchema.safeParse(e).success).toBe(true);
  });

  it('floors from and ceils to the second', async () => {
    const server = zoomServer([]);
    await adapter()
      .engagements.list({ from: '2026-01-01T00:00:00.400Z', to: '2026-01-02T00:00:00.400Z' })
      .toArray();
    expect(server.queries[0]!.get('from')).toBe('2026-01-01T00:00:00Z');
    expect(server.queries[0]!.get('to')).toBe('2026-01-02T00:00:01Z');
  });

  it('makes Zoom default range (last 24 h) explicit and keeps it in the cursor', async () => {
    const realNow = Date.now.bind(Date);
    const start = realNow();
    let offset = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    const server = zoomServer(records(6, start - 20 * 3_600_000, 3_600_000));
    const zoom = adapter();
    const page = await zoom.engagements.list({ pageSize: 2 }).firstPage();
    expect(page.items).toHaveLength(2);
    const q = server.queries[0]!;
    const from = Date.parse(q.get('from')!);
    const to = Date.parse(q.get('to')!);
    expect(to - from).toBeGreaterThanOrEqual(DAY);
    expect(to - from).toBeLessThanOrEqual(DAY + 2000);
    expect(Math.abs(to - start)).toBeLessThan(5000);
    // Resumed an hour later with the same (empty) params: same range, no mismatch.
    offset = 3_600_000;
    const rest = await zoom.engagements.list({ pageSize: 2, cursor: page.nextCursor }).toArray();
    expect([...ids(page.items), ...ids(rest)]).toEqual(
      records(6, start - 20 * 3_600_000).map((r) => r.engagement_id),
    );
    for (const later of server.queries.slice(1)) {
      expect(later.get('from')).toBe(q.get('from'));
      expect(later.get('to')).toBe(q.get('to'));
    }
  });

  it('caps page_size at 100 and rejects more before any request', async () => {
    const server = zoomServer([]);
    await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + DAY), pageSize: 30 })
      .toArray();
    expect(server.queries[0]!.get('page_size')).toBe('30');
    await expect(
      adapter()
        .engagements.list({ from: new Date(T0), to: new Date(T0 + DAY), pageSize: 101 })
        .toArray(),
    ).rejects.toBeInstanceOf(InputValidationError);
    expect(server.queries).toHaveLength(1);
  });

  it('rejects native params engagekit manages and invalid time zones', async () => {
    for (const native of [
      { from: '2026-01-01' },
      { next_page_token: 'x' },
      { page_size: 5 },
      { timezone: 'Mars/Olympus' },
    ]) {
      const error = await adapter()
        .engagements.list({ native })
        .firstPage()
        .catch((e) => e);
      expect(error).toBeInstanceOf(InputValidationError);
      expect(error.issues[0].path).toBe(`native.${Object.keys(native)[0]}`);
    }
  });

  // Arrays repeat the key: Zoom's spec (channel_sources: OpenAPI default form/explode) and its
  // Postman collection (`channel_types=in_app_video&channel_types=video`).
  it('passes native filters through untouched (arrays as repeated keys)', async () => {
    const server = zoomServer([]);
    await adapter()
      .engagements.list({
        from: new Date(T0),
        to: new Date(T0 + DAY),
        native: {
          direction: 'outbound',
          queue_id: 'q1',
          user_id: 'u1',
          consumer_number: '+12059300920',
          channel: 'messaging',
          channel_sources: ['web_chat', 'in_app_chat'],
        },
      })
      .toArray();
    expect(Object.fromEntries(server.queries[0]!)).toMatchObject({
      direction: 'outbound',
      queue_id: 'q1',
      user_id: 'u1',
      consumer_number: '+12059300920',
      channel: 'messaging',
    });
    expect(server.queries[0]!.getAll('channel_sources')).toEqual(['web_chat', 'in_app_chat']);
  });

  it('honours a native time zone: wall-clock from/to with DST padding, times back in UTC', async () => {
    const scope = nock('https://zoom.test')
      .get(LIST_PATH)
      .query((q) => {
        expect(q).toMatchObject({
          timezone: 'America/Los_Angeles',
          from: '2026-06-30T16:00:00Z', // 2026-07-01T00:00Z − 1 h pad, in PDT (UTC−7)
          to: '2026-07-01T18:00:00Z', // 2026-07-02T00:00Z + 1 h pad
        });
        return true;
      })
      .reply(200, {
        next_page_token: '',
        timezone: 'America/Los_Angeles',
        engagements: [
          record('in', 0, { start_time: '2026-07-01T03:00:00-07:00' }),
          record('before', 0, { start_time: '2026-06-30T16:30:00-07:00' }),
          record('naive', 0, { start_time: '2026-07-01T04:00:00' }),
        ],
      });
    const items = await adapter()
      .engagements.list({
        from: '2026-07-01T00:00:00Z',
        to: '2026-07-02T00:00:00Z',
        native: { timezone: 'America/Los_Angeles' },
      })
      .toArray();
    expect(scope.isDone()).toBe(true);
    expect(items.map((e) => [e.remoteId, e.occurredAt])).toEqual([
      ['in', '2026-07-01T10:00:00.000Z'],
      ['naive', '2026-07-01T11:00:00.000Z'],
    ]);
  });

  it('maps the spec list example (next_page_token "" ends the listing)', async () => {
    const body = { ...specListResponse(), next_page_token: '' };
    nock('https://zoom.test').get(LIST_PATH).query(true).reply(200, body);
    const items = await adapter()
      .engagements.list({ from: '2021-12-01T00:00:00Z', to: '2021-12-20T00:00:00Z' })
      .toArray();
    expect(ids(items)).toEqual(['W_VATTk_Q5aW6z5rZtBxAQ']);
    expect(EngagementSchema.parse(items[0])).toEqual(items[0]);
    expect(items[0]).toMatchObject({ kind: 'chat', direction: 'inbound', durationSeconds: 3600 });
  });
});

describe('date windows', () => {
  it('slices a one-year listing into contiguous windows under a month', async () => {
    const all = records(365, T0 + 3_600_000, DAY);
    const server = zoomServer(all);
    const items = await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + 365 * DAY) })
      .toArray();
    expect(ids(items)).toEqual(all.map((r) => r.engagement_id));
    const windows = server.queries.map(
      (q) => [Date.parse(q.get('from')!), Date.parse(q.get('to')!)] as const,
    );
    expect(windows.length).toBe(Math.ceil(365 / 27));
    expect(windows[0]![0]).toBe(T0);
    expect(windows.at(-1)![1]).toBe(T0 + 365 * DAY);
    for (let i = 0; i < windows.length; i++) {
      const [from, to] = windows[i]!;
      expect(to - from).toBeLessThanOrEqual(27 * DAY);
      if (i > 0) expect(from).toBe(windows[i - 1]![1]);
      expect(new Date(from).toISOString()).toBe(new Date(T0 + i * 27 * DAY).toISOString());
    }
    for (const q of server.queries) {
      expect(q.get('from')).toMatch(ZOOM_TIME);
      expect(q.get('to')).toMatch(ZOOM_TIME);
    }
  });

  it('returns a record exactly on a window edge once', async () => {
    const edge = T0 + 27 * DAY;
    const all = [record('before', edge - 1000), record('edge', edge), record('after', edge + 1000)];
    const server = zoomServer(all);
    const items = await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + 40 * DAY) })
      .toArray();
    expect(ids(items)).toEqual(['before', 'edge', 'after']);
    // Zoom returned the edge record in both windows; engagekit kept it once.
    expect(server.queries).toHaveLength(2);
  });

  it('excludes a record exactly at `to` and includes one exactly at `from`', async () => {
    zoomServer([record('at-from', T0), record('at-to', T0 + DAY)]);
    const items = await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + DAY) })
      .toArray();
    expect(ids(items)).toEqual(['at-from']);
  });
});

describe('expired page tokens', () => {
  it('restarts the window and skips what was already returned (no loss, no duplicate)', async () => {
    const all = records(10, T0, 60_000);
    let failed = 0;
    const server = zoomServer(all, {
      // The third page token has expired the first time it is used.
      expire: (_token, n) => n === 3 && ++failed === 1,
    });
    const items = await adapter()
      .engagements.list({ from: new Date(T0), to: new Date(T0 + DAY), pageSize: 3 })
      .toArray();
    expect(ids(items)).toEqual(all.map((r) => r.engagement_id));
    expect(failed).toBe(1);
    expect(server.queries.filter((q) => !q.get('next_page_token'))).toHaveLength(2);
  });

  it('resumes a saved cursor after its Zoom token expired', async () => {
    const all = records(10, T0, 60_000);
    const server = zoomServer(all);
    const zoom = adapter();
    const params = { from: new Date(T0), to: new Date(T0 + DAY), pageSize: 3 };
    const pages = zoom.engagements.list(params).pages();
    const first = (await pages.next()).value!;
    const second = (await pages.next()).value!;
    await pages.return(undefined);
    server.expireAll(); // 15 minutes later
    const rest = await zoom.engagements.list({ ...params, cursor: second.nextCursor }).toArray();
    expect([...ids(first.items), ...ids(second.items), ...ids(rest)]).toEqual(
      all.map((r) => r.engagement_id),
    );
  });

  it('resumes an item cursor taken mid-page after expiry', async () => {
    const all = records(10, T0, 60_000);
    const server = zoomServer(all);
    const zoom = adapter();
    const params = { from: new Date(T0), to: new Date(T0 + DAY), pageSize: 3 };
    const it1 = zoom.engagements.list(params);
    const seen: string[] = [];
    for await (const e of it1) {
      seen.push(e.remoteId);
      if (seen.length === 5) break;
    }
    const cursor = it1.cursor!;
    server.expireAll();
    const rest = await zoom.engagements.list({ ...params, cursor }).toArray();
    expect([...seen, ...ids(rest)]).toEqual(all.map((r) => r.engagement_id));
  });

  it("fails with PaginationError('expired-token') when onExpiredPageToken is 'fail'", async () => {
    const all = records(10, T0, 60_000);
    const server = zoomServer(all);
    const zoom = adapter({ onExpiredPageToken: 'fail' });
    const params = { from: new Date(T0), to: new Date(T0 + DAY), pageSize: 3 };
    const first = await zoom.engagements.list(params).firstPage();
    server.expireAll();
    const error = await zoom.engagements
      .list({ ...params, cursor: first.nextCursor })
      .toArray()
      .catch((e) => e);
    expect(error).toBeInstanceOf(PaginationError);
    expect(error.reason).toBe('expired-token');
    expect(error.cause?.code).toBe(300);
  });

  it('a 400 code 300 that is not about the page token is an ordinary error', async () => {
    nock('https://zoom.test')
      .get(LIST_PATH)
      .query(true)
      .reply(400, {
        code: 300,
        message: 'Validation Failed.',
        errors: [{ field: 'from', message: 'bad' }],
      });
    const error = await adapter()
      .engagements.list()
      .firstPage()
      .catch((e) => e);
    expect(error).not.toBeInstanceOf(PaginationError);
    expect(error.status).toBe(400);
    expect(error.code).toBe(300);
    expect(error.detail).toBe('from: bad');
    expect(EXPIRED_BODY.code).toBe(300);
  });
});

describe('filters', () => {
  const base = { from: new Date(T0), to: new Date(T0 + DAY) };
  const mixed: ServedRecord[] = [
    record('voice', T0 + 1000, { channels: [{ channel: 'voice' }] }),
    record('sms', T0 + 2000, { channels: [{ channel: 'messaging', channel_source: 'sms' }] }),
    record('chat', T0 + 3000, { channels: [{ channel: 'messaging', channel_source: 'web_chat' }] }),
    record('mail', T0 + 4000, {
      channels: [{ channel: 'email', channel_source: 'email_address' }],
    }),
  ];

  it.each([
    [['call'], { channel: 'voice' }, ['voice']],
    [['video'], { channel: 'video' }, []],
    [['email'], { channel: 'email' }, ['mail']],
    [['sms'], { channel: 'messaging', channel_sources: 'sms' }, ['sms']],
    [['chat'], { channel: 'messaging' }, ['chat']],
    [['sms', 'chat'], { channel: 'messaging' }, ['sms', 'chat']],
    [['call', 'sms'], {}, ['voice', 'sms']],
    [['other'], {}, []],
  ] as const)('kinds %j → query %j, then client-side', async (kinds, query, expected) => {
    const server = zoomServer(mixed); // ignores channel: the client-side filter must do the rest
    const items = await adapter()
      .engagements.list({ ...base, kinds })
      .toArray();
    expect(ids(items)).toEqual(expected);
    const q = Object.fromEntries(server.queries[0]!);
    expect({ channel: q.channel, channel_sources: q.channel_sources }).toEqual({
      channel: undefined,
      channel_sources: undefined,
      ...query,
    });
  });

  it('a native channel wins over kinds', async () => {
    const server = zoomServer(mixed);
    await adapter()
      .engagements.list({ ...base, kinds: ['call'], native: { channel: 'email' } })
      .toArray();
    expect(server.queries[0]!.get('channel')).toBe('email');
  });

  it('one participant id → user_id (agent), still matched client-side', async () => {
    const all = [
      record('a', T0 + 1000, { agents: [{ user_id: 'agent-1' }] }),
      record('b', T0 + 2000, { agents: [{ user_id: 'agent-2' }] }),
    ];
    const server = zoomServer(all);
    const items = await adapter()
      .engagements.list({ ...base, participantIds: ['agent-1'] })
      .toArray();
    expect(ids(items)).toEqual(['a']);
    expect(server.queries[0]!.get('user_id')).toBe('agent-1');
  });

  it('a participant id that is no agent (404 code 1001) falls back to client-side', async () => {
    nock('https://zoom.test')
      .get(LIST_PATH)
      .query((q) => q.user_id === 'consumer-9')
      .reply(404, { code: 1001, message: 'User does not exist: consumer-9.' });
    const server = zoomServer([
      record('a', T0 + 1000, { consumers: [{ consumer_id: 'consumer-9' }] }),
      record('b', T0 + 2000, { consumers: [{ consumer_id: 'consumer-1' }] }),
    ]);
    const items = await adapter()
      .engagements.list({ ...base, participantIds: ['consumer-9'] })
      .toArray();
    expect(ids(items)).toEqual(['a']);
    expect(server.queries[0]!.get('user_id')).toBeNull();
  });

  it('several participant ids are matched client-side only', async () => {
    const server = zoomServer([
      record('a', T0 + 1000, { agents: [{ user_id: 'x' }] }),
      record('b', T0 + 2000, { consumers: [{ consumer_id: 'y' }] }),
      record('c', T0 + 3000, { agents: [{ user_id: 'z' }] }),
    ]);
    const items = await adapter()
      .engagements.list({ ...base, participantIds: ['x', 'y'] })
      .toArray();
    expect(ids(items)).toEqual(['a', 'b']);
    expect(server.queries[0]!.get('user_id')).toBeNull();
  });

  it('accountIds and ownerIds are CapabilityErrors before any request', async () => {
    for (const params of [{ accountIds: ['a'] }, { ownerIds: ['o'] }]) {
      const error = await adapter()
        .engagements.list(params)
        .firstPage()
        .catch((e) => e);
      expect(error).toBeInstanceOf(CapabilityError);
    }
  });
});

describe('engagements.get and unsupported operations', () => {
  it('gets one engagement, URL-encoding the id and accepting the unified id', async () => {
    nock('https://zoom.test')
      .get('/v2/contact_center/engagements/a%2Fb%3D%3D')
      .reply(200, record('a/b==', T0));
    const e = await adapter().engagements.get('zoom-contact-center:a/b==');
    expect(e.id).toBe('zoom-contact-center:a/b==');
  });

  it('404 code 2901 → NotFoundError with the tracking id', async () => {
    nock('https://zoom.test').get('/v2/contact_center/engagements/missing').reply(
      404,
      { code: 2901, message: 'Engagement does not exist: missing.' },
      {
        'x-zm-trackingid': 'v=2.0;clid=us06;rid=WEB_123',
      },
    );
    const error = await adapter()
      .engagements.get('missing')
      .catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBe(2901);
    expect(error.requestId).toBe('v=2.0;clid=us06;rid=WEB_123');
    expect(error.message).toContain('Engagement does not exist');
  });

  it('create, update, delete and count are CapabilityErrors', async () => {
    const zoom = adapter();
    expect(zoom.capabilities.operations).toMatchObject({
      create: false,
      update: false,
      delete: false,
      count: false,
    });
    await expect(zoom.engagements.create({ subject: 'x' })).rejects.toBeInstanceOf(CapabilityError);
    await expect(zoom.engagements.update('x', { subject: 'x' })).rejects.toBeInstanceOf(
      CapabilityError,
    );
    await expect(zoom.engagements.delete('x')).rejects.toBeInstanceOf(CapabilityError);
    await expect(zoom.engagements.count()).rejects.toBeInstanceOf(CapabilityError);
  });

  it('a page that breaks the schema → ResponseValidationError with the path', async () => {
    nock('https://zoom.test')
      .get(LIST_PATH)
      .query(true)
      .reply(200, { engagements: [{ start_time: 'x' }] });
    const error = await adapter()
      .engagements.list()
      .firstPage()
      .catch((e) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.path).toBe('engagements.0.engagement_id');
  });
});

describe('rate limits', () => {
  it('a 429 without Retry-After backs off about a second, then succeeds', async () => {
    const delays: number[] = [];
    nock('https://zoom.test').get('/v2/contact_center/engagements/x').reply(429, {
      code: 429,
      message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
    });
    nock('https://zoom.test').get('/v2/contact_center/engagements/x').reply(200, record('x', T0));
    const zoom = adapter({
      hooks: { onRetry: (i: { delayMs: number }) => delays.push(i.delayMs) },
    });
    await zoom.engagements.get('x');
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
    expect(delays[0]).toBeLessThanOrEqual(1250);
  });

  it('honours Retry-After given as a date', async () => {
    const delays: number[] = [];
    const at = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    nock('https://zoom.test')
      .get('/v2/contact_center/engagements/x')
      .reply(
        429,
        { code: 429, message: 'daily limit' },
        { 'Retry-After': at.toISOString().replace('.000', '') },
      );
    nock('https://zoom.test').get('/v2/contact_center/engagements/x').reply(200, record('x', T0));
    const zoom = adapter({
      hooks: { onRetry: (i: { delayMs: number }) => delays.push(i.delayMs) },
    });
    const started = Date.now();
    await zoom.engagements.get('x');
    expect(delays[0]).toBeGreaterThan(400);
    expect(delays[0]).toBeLessThanOrEqual(2600);
    expect(Date.now() - started).toBeGreaterThanOrEqual(delays[0]! - 50);
  });

  it('a 429 that outlasts the retries is a RateLimitError with retryAfterMs', async () => {
    nock('https://zoom.test')
      .get('/v2/contact_center/engagements/x')
      .reply(429, { code: 429, message: 'slow down' }, { 'Retry-After': '0' });
    const error = await adapter({ maxRetries: 0 })
      .engagements.get('x')
      .catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(0);
  });

  it('paces requests at 10/s, burst 9 by default (MEDIUM, Pro) and at the configured rate', async () => {
    nock('https://zoom.test')
      .get(/\/v2\/contact_center\/engagements\/.*/)
      .times(30)
      .reply(200, record('x', T0));
    // Counts the requests the limiter let go at fake instants, so load on the machine cannot
    // change the outcome (no wall-clock assertion).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      let started = 0;
      const burst = (extra: Record<string, unknown>, n: number) => {
        const zoom = adapter({ ...extra, hooks: { onRequest: () => started++ } });
        return Promise.all(Array.from({ length: n }, () => zoom.engagements.get('x')));
      };
      // The limiter yields to the event loop (setImmediate, not faked) before each sleep.
      const step = async (ms: number) => {
        await vi.advanceTimersByTimeAsync(ms);
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      };
      const paced = burst({ rateLimit: undefined }, 15);
      await step(0);
      expect(started).toBe(9);
      await step(99);
      expect(started).toBe(9);
      await step(1);
      expect(started).toBe(10);
      for (let i = 0; i < 5; i++) await step(100);
      expect(started).toBe(15);
      vi.useRealTimers();
      await paced;
      started = 0;
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const fast = burst({ rateLimit: { requestsPerSecond: 20 } }, 15);
      await step(0);
      expect(started).toBe(15);
      vi.useRealTimers();
      await fast;
    } finally {
      vi.useRealTimers();
    }
  });
});
