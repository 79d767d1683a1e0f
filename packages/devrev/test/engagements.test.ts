import {
  CapabilityError,
  EngagementSchema,
  InputValidationError,
  NotFoundError,
  ServerError,
} from '@engagekit/core';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createDevRevAdapter } from '../src/index';
import { assertSpecValid, devUser, engagement, engagementId, fullEngagement } from './fixtures';
import { adapter, BASE, queryOf, TOKEN, useNock } from './helpers';

useNock();

const list = (body: Record<string, unknown>) => {
  assertSpecValid('engagements-list-response', body);
  return body;
};

describe('createDevRevAdapter', () => {
  it('validates its options before anything else', () => {
    const missing = (() => {
      try {
        createDevRevAdapter({} as never);
      } catch (e) {
        return e;
      }
    })();
    expect(missing).toBeInstanceOf(InputValidationError);
    expect((missing as InputValidationError).issues[0]?.path).toBe('token');
    expect(() => createDevRevAdapter({ token: ' ' })).toThrow(InputValidationError);
    expect(() => createDevRevAdapter({ token: 't0ken-x', baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
  });

  it('exposes id, capabilities and the conversations extension', () => {
    const a = adapter();
    expect(a.id).toBe('devrev');
    expect(a.capabilities).toMatchObject({
      maxPageSize: 100,
      defaultPageSize: 50,
      backwardsPaging: true,
      ordering: 'unordered',
      filters: { from: 'client', to: 'client', kinds: 'client', participantIds: 'server' },
    });
    expect(typeof a.conversations.list).toBe('function');
  });
});

describe('engagements.list', () => {
  it('sends the bearer token and the beta scope, pages with next_cursor, maps every item', async () => {
    const seen: Record<string, string>[] = [];
    const scope = nock(BASE, {
      reqheaders: { authorization: `Bearer ${TOKEN}`, 'x-devrev-scope': 'beta' },
    })
      .get('/engagements.list')
      .query(true)
      .reply((uri) => {
        seen.push(queryOf(uri));
        return [200, list({ engagements: [fullEngagement()], next_cursor: 'c1' })];
      })
      .get('/engagements.list')
      .query(true)
      .reply((uri) => {
        seen.push(queryOf(uri));
        return [
          200,
          list({ engagements: [{ id: 'ENG-2', created_date: '2026-01-01T00:00:00Z' }] }),
        ];
      });
    const items = await adapter().engagements.list().toArray();
    expect(items.map((e) => e.remoteId)).toEqual([engagementId(1), 'ENG-2']);
    for (const item of items) expect(EngagementSchema.safeParse(item).success).toBe(true);
    expect(seen).toEqual([{ limit: '50' }, { limit: '50', cursor: 'c1' }]);
    scope.done();
  });

  it('keeps a Bearer prefix the caller already put on the token', async () => {
    nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/engagements.list')
      .query(true)
      .reply(200, { engagements: [] });
    const a = createDevRevAdapter({ token: `Bearer ${TOKEN}`, baseUrl: BASE });
    expect(await a.engagements.list().toArray()).toEqual([]);
  });

  it('maps unified params to DevRev query params, arrays comma-joined', async () => {
    let query: Record<string, string> = {};
    nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply((uri) => {
        query = queryOf(uri);
        return [200, { engagements: [] }];
      });
    await adapter()
      .engagements.list({
        kinds: ['call', 'meeting'],
        participantIds: ['DEVU-1', 'DEVU-2'],
        accountIds: ['ACC-1'],
        pageSize: 10,
        native: { sort_by: ['created_date:desc'], external_ref: ['a,b', 'c'], extra: true },
      })
      .toArray();
    expect(query).toEqual({
      type: 'call,meeting,offline',
      members: 'DEVU-1,DEVU-2',
      parent: 'ACC-1',
      limit: '10',
      sort_by: 'created_date:desc',
      external_ref: '"a,b","c"',
      extra: 'true',
    });
  });

  it("expands 'other' by listing unfiltered and filtering client-side (unknown types are other too)", async () => {
    let query: Record<string, string> = {};
    nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply((uri) => {
        query = queryOf(uri);
        return [
          200,
          {
            engagements: [
              engagement(1, {}, { engagement_type: 'call' }),
              engagement(2, {}, { engagement_type: 'default' }),
              engagement(3, {}, { engagement_type: 'webinar' }),
              { id: 'ENG-4', created_date: '2026-01-01T00:00:00Z' },
              engagement(5, {}, { engagement_type: 'offline' }),
            ],
          },
        ];
      });
    const items = await adapter()
      .engagements.list({ kinds: ['other', 'meeting'] })
      .toArray();
    expect(query.type).toBeUndefined();
    expect(items.map((e) => [e.kind, e.nativeType ?? null])).toEqual([
      ['other', 'default'],
      ['other', 'webinar'],
      ['other', null],
      ['meeting', 'offline'],
    ]);
  });

  it('passes native type/members/parent through when no unified filter sets them', async () => {
    let query: Record<string, string> = {};
    nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply((uri) => {
        query = queryOf(uri);
        return [200, { engagements: [] }];
      });
    await adapter()
      .engagements.list({ native: { type: ['custom'], members: 'DEVU-9', parent: ['ACC-2'] } })
      .toArray();
    expect(query).toEqual({ type: 'custom', members: 'DEVU-9', parent: 'ACC-2', limit: '50' });
    nock(BASE).get('/engagements.count').query({ type: 'custom' }).reply(200, { count: 3 });
    expect(await adapter().engagements.count({ native: { type: ['custom'] } })).toBe(3);
  });

  it('returns an empty listing without a request when no kind has a DevRev type', async () => {
    const page = await adapter()
      .engagements.list({ kinds: ['sms', 'video'] })
      .firstPage();
    expect(page).toEqual({ items: [], nextCursor: undefined, prevCursor: undefined });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('drops kinds without a DevRev type from the server filter', async () => {
    let query: Record<string, string> = {};
    nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply((uri) => {
        query = queryOf(uri);
        return [200, { engagements: [] }];
      });
    await adapter()
      .engagements.list({ kinds: ['sms', 'social'] })
      .toArray();
    expect(query.type).toBe('linked_in');
  });

  it('applies from/to client-side on occurredAt and reads every page when unsorted', async () => {
    nock(BASE)
      .get('/engagements.list')
      .query((q) => !q.cursor)
      .reply(200, {
        engagements: [
          engagement(1, { created: '2026-01-01T00:00:00Z' }),
          engagement(2, { created: '2025-12-01T00:00:00Z', scheduled: '2026-01-10T00:00:00Z' }),
        ],
        next_cursor: 'p2',
      })
      .get('/engagements.list')
      .query({ cursor: 'p2', limit: '50' })
      .reply(200, {
        engagements: [engagement(3, { created: '2026-02-01T00:00:00Z' })],
      });
    const items = await adapter()
      .engagements.list({ from: '2026-01-05T00:00:00Z', to: '2026-02-01T00:00:00Z' })
      .toArray();
    expect(items.map((e) => e.remoteId)).toEqual([engagementId(2)]);
  });

  it('rejects reserved or conflicting native params and unsupported filters before any request', async () => {
    const a = adapter();
    const errorOf = (params: Parameters<typeof a.engagements.list>[0]) =>
      a.engagements
        .list(params)
        .toArray()
        .catch((e: unknown) => e);
    const reserved = await errorOf({ native: { cursor: 'x' } });
    expect(reserved).toBeInstanceOf(InputValidationError);
    expect((reserved as InputValidationError).issues[0]).toMatchObject({
      path: 'native.cursor',
      rule: 'reserved',
    });
    const conflict = await errorOf({ kinds: ['call'], native: { type: ['email'] } });
    expect((conflict as InputValidationError).issues[0]).toMatchObject({
      path: 'native.type',
      rule: 'conflict',
    });
    const mode = await errorOf({ native: { mode: 'sideways' } });
    expect((mode as InputValidationError).issues[0]?.path).toBe('native.mode');
    const object = await errorOf({ native: { weird: { a: 1 } } });
    expect((object as InputValidationError).issues[0]?.rule).toBe('unsupported_type');
    expect(await errorOf({ ownerIds: ['DEVU-1'] })).toBeInstanceOf(CapabilityError);
    expect(await errorOf({ pageSize: 101 })).toBeInstanceOf(InputValidationError);
  });

  it('turns a schema-breaking page into a ResponseValidationError with the path', async () => {
    nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply(200, {
        engagements: [{ id: 'ok', created_date: '2026-01-01T00:00:00Z' }, { title: 'no id' }],
      });
    const error = await adapter()
      .engagements.list()
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResponseValidationError', path: 'engagements.1.id' });
  });
});

describe('engagements.list: backwards paging', () => {
  it('exposes prev_cursor as prevCursor and pages back with mode=before', async () => {
    nock(BASE)
      .get('/engagements.list')
      .query({ limit: '50', cursor: 'c2' })
      .reply(200, {
        engagements: [engagement(3)],
        next_cursor: 'c3',
        prev_cursor: 'b2',
      })
      .get('/engagements.list')
      .query({ limit: '50', cursor: 'b2', mode: 'before' })
      .reply(200, { engagements: [engagement(1), engagement(2)], next_cursor: 'n1' });
    const a = adapter();
    // A cursor for the page at vendor token c2 (what a previous listing would hand out).
    nock(BASE)
      .get('/engagements.list')
      .query({ limit: '50' })
      .reply(200, { engagements: [engagement(0)], next_cursor: 'c2' });
    const first = await a.engagements.list().firstPage();
    const second = await a.engagements.list({ cursor: first.nextCursor }).firstPage();
    expect(second.items.map((e) => e.displayId)).toEqual(['ENG-3']);
    expect(second.prevCursor).toEqual(expect.any(String));
    const back = await a.engagements.list({ cursor: second.prevCursor }).pages().next();
    const page = back.value as {
      items: { displayId?: string }[];
      nextCursor?: string;
      prevCursor?: string;
    };
    expect(page.items.map((e) => e.displayId)).toEqual(['ENG-1', 'ENG-2']);
    // Going backwards, the page's "other way" cursor pages forwards again.
    expect(page.prevCursor).toEqual(expect.any(String));
    expect(page.nextCursor).toBeUndefined();
  });

  it("native mode 'before' starts from the end and follows prev_cursor", async () => {
    const seen: Record<string, string>[] = [];
    nock(BASE)
      .get('/engagements.list')
      .query(true)
      .times(2)
      .reply((uri) => {
        const q = queryOf(uri);
        seen.push(q);
        return q.cursor
          ? [200, { engagements: [engagement(1)], next_cursor: 'n' }]
          : [200, { engagements: [engagement(2), engagement(3)], prev_cursor: 'p1' }];
      });
    const items = await adapter()
      .engagements.list({ native: { mode: 'before' } })
      .toArray();
    expect(items.map((e) => e.displayId)).toEqual(['ENG-2', 'ENG-3', 'ENG-1']);
    expect(seen).toEqual([
      { limit: '50', mode: 'before' },
      { limit: '50', mode: 'before', cursor: 'p1' },
    ]);
  });
});

describe('engagements.list: stopping early on a date sort', () => {
  const from = '2026-01-10T00:00:00Z';
  const to = '2026-01-20T00:00:00Z';

  it('stops once past `to` when sorted by scheduled_date and undated records were seen first', async () => {
    const scope = nock(BASE)
      .get('/engagements.list')
      .query((q) => !q.cursor)
      .reply(200, {
        engagements: [
          engagement('u1', { created: '2026-01-12T00:00:00Z' }),
          engagement(1, { scheduled: '2026-01-11T00:00:00Z' }),
        ],
        next_cursor: 'p2',
      })
      .get('/engagements.list')
      .query((q) => q.cursor === 'p2')
      .reply(200, {
        engagements: [
          engagement(2, { scheduled: '2026-01-19T00:00:00Z' }),
          engagement(3, { scheduled: '2026-01-21T00:00:00Z' }),
        ],
        next_cursor: 'p3',
      });
    const pages = [];
    for await (const page of adapter()
      .engagements.list({ from, to, native: { sort_by: ['scheduled_date:asc'] } })
      .pages())
      pages.push(page);
    expect(pages.flatMap((p) => p.items.map((e) => e.displayId))).toEqual([
      'ENG-u1',
      'ENG-1',
      'ENG-2',
    ]);
    expect(pages.at(-1)?.nextCursor).toBeUndefined();
    scope.done();
  });

  it('does not stop on a created_date sort: a later record may be scheduled inside the range', async () => {
    const scope = nock(BASE)
      .get('/engagements.list')
      .query((q) => !q.cursor)
      .reply(200, {
        engagements: [engagement(1, { created: '2026-01-25T00:00:00Z' })],
        next_cursor: 'p2',
      })
      .get('/engagements.list')
      .query((q) => q.cursor === 'p2')
      .reply(200, {
        engagements: [
          engagement(2, { created: '2026-01-26T00:00:00Z', scheduled: '2026-01-15T00:00:00Z' }),
        ],
      });
    const items = await adapter()
      .engagements.list({ from, to, native: { sort_by: 'created_date:asc' } })
      .toArray();
    expect(items.map((e) => e.displayId)).toEqual(['ENG-2']);
    scope.done();
  });

  it('does not stop on a scheduled_date sort while undated records may still follow', async () => {
    const scope = nock(BASE)
      .get('/engagements.list')
      .query((q) => !q.cursor)
      .reply(200, {
        engagements: [
          engagement(1, { scheduled: '2026-01-11T00:00:00Z' }),
          engagement(2, { scheduled: '2026-01-25T00:00:00Z' }),
        ],
        next_cursor: 'p2',
      })
      .get('/engagements.list')
      .query((q) => q.cursor === 'p2')
      .reply(200, {
        // Undated records sorted last: their occurredAt (created_date) is in range.
        engagements: [engagement('u1', { created: '2026-01-15T00:00:00Z' })],
      });
    const items = await adapter()
      .engagements.list({ from, to, native: { sort_by: ['scheduled_date:asc'] } })
      .toArray();
    expect(items.map((e) => e.displayId)).toEqual(['ENG-1', 'ENG-u1']);
    scope.done();
  });

  it('stops below `from` paging backwards through an ascending scheduled_date sort', async () => {
    const scope = nock(BASE)
      .get('/engagements.list')
      .query((q) => q.mode === 'before' && !q.cursor)
      .reply(200, {
        // The last page, in sort order; walking backwards, undated records (sorted last) come first.
        engagements: [
          engagement(3, { scheduled: '2026-01-15T00:00:00Z' }),
          engagement('u1', { created: '2026-01-16T00:00:00Z' }),
        ],
        prev_cursor: 'b1',
      })
      .get('/engagements.list')
      .query((q) => q.mode === 'before' && q.cursor === 'b1')
      .reply(200, {
        engagements: [
          engagement(1, { scheduled: '2026-01-05T00:00:00Z' }),
          engagement(2, { scheduled: '2026-01-12T00:00:00Z' }),
        ],
        prev_cursor: 'b0',
      });
    const items = await adapter()
      .engagements.list({ from, to, native: { sort_by: 'scheduled_date:asc', mode: 'before' } })
      .toArray();
    expect(items.map((e) => e.displayId).sort()).toEqual(['ENG-2', 'ENG-3', 'ENG-u1']);
    scope.done();
  });
});

describe('engagements.count', () => {
  it('counts with the unified filters', async () => {
    nock(BASE)
      .get('/engagements.count')
      .query({ type: 'linked_in', members: 'DEVU-1', external_ref: 'x' })
      .reply(200, { count: 7 });
    expect(
      await adapter().engagements.count({
        kinds: ['social'],
        participantIds: ['DEVU-1'],
        native: { external_ref: ['x'], sort_by: ['created_date:asc'] },
      }),
    ).toBe(7);
  });

  it("counts 'other' exactly: all minus the known types of the other kinds", async () => {
    nock(BASE)
      .get('/engagements.count')
      .query({})
      .reply(200, { count: 100 })
      .get('/engagements.count')
      .query({ type: 'conversation,email,linked_in,meeting,offline,survey' })
      .reply(200, { count: 60 });
    expect(await adapter().engagements.count({ kinds: ['other', 'call'] })).toBe(40);
  });

  it('answers 0 without a request for kinds DevRev has no type for, and refuses dates', async () => {
    const a = adapter();
    expect(await a.engagements.count({ kinds: ['sms'] })).toBe(0);
    await expect(a.engagements.count({ from: '2026-01-01' })).rejects.toBeInstanceOf(
      CapabilityError,
    );
  });
});

describe('engagements.get', () => {
  it('gets by unified or DevRev id', async () => {
    const raw = { engagement: fullEngagement() };
    assertSpecValid('engagements-get-response', raw);
    nock(BASE)
      .get('/engagements.get')
      .query({ id: engagementId(1) })
      .twice()
      .reply(200, raw);
    const a = adapter();
    const byUnified = await a.engagements.get(`devrev:${engagementId(1)}`);
    const byRemote = await a.engagements.get(engagementId(1));
    expect(byUnified).toEqual(byRemote);
    expect(byUnified.raw).toEqual(raw.engagement);
  });

  it('maps a 404 to NotFoundError', async () => {
    nock(BASE)
      .get('/engagements.get')
      .query({ id: 'ENG-404' })
      .reply(404, { type: 'not_found', message: 'Engagement not found', detail: 'no such id' });
    const error = await adapter()
      .engagements.get('ENG-404')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ type: 'not_found', detail: 'no such id', status: 404 });
  });
});

describe('engagements.create', () => {
  const input = {
    kind: 'meeting' as const,
    subject: 'Kick-off',
    body: 'Agenda: scope',
    occurredAt: '2026-04-01T10:00:00+02:00',
    participantIds: ['DEVU-1', 'REVU-7'],
    accountIds: ['ACC-12'],
    externalRef: 'cal-9',
    externalUrl: 'https://calendar.example/9',
    tags: [{ id: 'TAG-1', value: 'high' }, { id: 'TAG-2' }],
    native: { artifacts: ['ARTIFACT-1'] },
  };
  const expectedBody = {
    artifacts: ['ARTIFACT-1'],
    title: 'Kick-off',
    members: ['DEVU-1', 'REVU-7'],
    scheduled_date: '2026-04-01T08:00:00.000Z',
    engagement_type: 'offline',
    description: 'Agenda: scope',
    external_ref: 'cal-9',
    external_url: 'https://calendar.example/9',
    parents: ['ACC-12'],
    tags: [{ id: 'TAG-1', value: 'high' }, { id: 'TAG-2' }],
  };

  it('posts the DevRev create body and maps the 201 response', async () => {
    assertSpecValid('engagements-create-request', expectedBody);
    let sent: unknown;
    const response = {
      engagement: fullEngagement({ id: 'ENG-NEW', title: 'Kick-off', members: [devUser] }),
    };
    assertSpecValid('engagements-create-response', response);
    nock(BASE, { reqheaders: { 'x-devrev-scope': 'beta' } })
      .post('/engagements.create', (body) => {
        sent = body;
        return true;
      })
      .reply(201, response);
    const e = await adapter().engagements.create(input);
    expect(sent).toEqual(expectedBody);
    expect(e.remoteId).toBe('ENG-NEW');
    expect(e.raw).toEqual(response.engagement);
    expect(EngagementSchema.safeParse(e).success).toBe(true);
  });

  it('fills what a spec-minimal response ({id}) lacks from what was sent', async () => {
    nock(BASE)
      .post('/engagements.create')
      .reply(201, { engagement: { id: 'ENG-MIN' } });
    const e = await adapter().engagements.create(input);
    expect(EngagementSchema.safeParse(e).success).toBe(true);
    expect(e).toMatchObject({
      remoteId: 'ENG-MIN',
      kind: 'meeting',
      nativeType: 'offline',
      subject: 'Kick-off',
      body: 'Agenda: scope',
      occurredAt: '2026-04-01T08:00:00.000Z',
      participants: [
        { id: 'DEVU-1', role: 'member' },
        { id: 'REVU-7', role: 'member' },
      ],
      related: [{ type: 'account', id: 'ACC-12' }],
      tags: [{ id: 'TAG-1', value: 'high' }, { id: 'TAG-2' }],
      externalRef: 'cal-9',
      raw: { id: 'ENG-MIN' },
    });
  });

  it.each([
    ['call', 'call'],
    ['email', 'email'],
    ['social', 'linked_in'],
    ['meeting', 'offline'],
    ['other', 'default'],
  ] as const)('creates kind %s as engagement_type %s', async (kind, type) => {
    let sent: Record<string, unknown> = {};
    nock(BASE)
      .post('/engagements.create', (body) => {
        sent = body;
        return true;
      })
      .reply(201, { engagement: { id: 'E' } });
    await adapter().engagements.create({
      kind,
      subject: 's',
      participantIds: ['DEVU-1'],
      occurredAt: new Date('2026-01-01T00:00:00Z'),
    });
    expect(sent.engagement_type).toBe(type);
  });

  it('validates before the network, naming the field and the rule', async () => {
    const a = adapter();
    const issues = async (value: unknown) => {
      const error = await a.engagements.create(value as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputValidationError);
      return (error as InputValidationError).issues.map((i) => `${i.path}:${i.rule}`);
    };
    expect(await issues({})).toEqual([
      'subject:required',
      'participantIds:required',
      'occurredAt:required',
    ]);
    const base = { subject: 's', participantIds: ['DEVU-1'], occurredAt: '2026-01-01T00:00:00Z' };
    expect(await issues({ ...base, participantIds: [] })).toEqual(['participantIds:too_small']);
    expect(
      await issues({ ...base, participantIds: Array.from({ length: 51 }, (_, i) => `U-${i}`) }),
    ).toEqual(['participantIds:too_big']);
    // Kinds outside capabilities.createKinds are a CapabilityError (core's contract).
    await expect(a.engagements.create({ ...base, kind: 'chat' })).rejects.toMatchObject({
      name: 'CapabilityError',
      capability: 'create:chat',
    });
    expect(await issues({ ...base, direction: 'inbound', durationSeconds: 5 })).toEqual([
      'direction:unsupported',
      'durationSeconds:unsupported',
    ]);
    expect(await issues({ ...base, occurredAt: 'soon' })).toEqual(['occurredAt:invalid_date']);
    expect(await issues({ ...base, subject: '' })).toEqual(['subject:too_small']);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('is not retried on a 5xx (it may have been written) but is on a 429', async () => {
    const base = { subject: 's', participantIds: ['DEVU-1'], occurredAt: '2026-01-01T00:00:00Z' };
    nock(BASE)
      .post('/engagements.create')
      .once()
      .reply(500, { type: 'internal_error', message: 'boom', reference_id: 'ref-1' });
    const error = await adapter()
      .engagements.create(base)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(nock.isDone()).toBe(true);

    const scope = nock(BASE)
      .post('/engagements.create')
      .reply(429, { type: 'too_many_requests', retry_after: 0 })
      .post('/engagements.create')
      .reply(201, { engagement: { id: 'E2', created_date: '2026-01-01T00:00:00Z' } });
    const e = await adapter().engagements.create(base);
    expect(e.remoteId).toBe('E2');
    scope.done();
  });
});

describe('engagements.update', () => {
  it('sends plain fields and set-style wrappers', async () => {
    let sent: unknown;
    nock(BASE)
      .post('/engagements.update', (body) => {
        sent = body;
        return true;
      })
      .reply(200, { engagement: fullEngagement({ title: 'New title' }) });
    const e = await adapter().engagements.update(`devrev:${engagementId(1)}`, {
      subject: 'New title',
      body: 'New description',
      occurredAt: '2026-05-01T00:00:00Z',
      participantIds: ['DEVU-2'],
      accountIds: [],
      tags: [{ id: 'TAG-3' }],
      externalUrl: 'https://x.example',
    });
    const expected = {
      id: engagementId(1),
      title: 'New title',
      description: 'New description',
      scheduled_date: '2026-05-01T00:00:00.000Z',
      external_url: 'https://x.example',
      members: { set: ['DEVU-2'] },
      parents: { set: [] },
      tags: { set: [{ id: 'TAG-3' }] },
    };
    assertSpecValid('engagements-update-request', expected);
    expect(sent).toEqual(expected);
    expect(e.subject).toBe('New title');
  });

  it('rejects kind (engagement_type is not updatable) and empty members before the network', async () => {
    const a = adapter();
    const kind = await a.engagements.update('ENG-1', { kind: 'call' }).catch((e: unknown) => e);
    expect((kind as InputValidationError).issues[0]).toMatchObject({
      path: 'kind',
      rule: 'not_updatable',
    });
    const members = await a.engagements
      .update('ENG-1', { participantIds: [] })
      .catch((e: unknown) => e);
    expect((members as InputValidationError).issues[0]?.path).toBe('participantIds');
    await expect(a.engagements.update('', {})).rejects.toBeInstanceOf(InputValidationError);
  });

  it('maps a 404', async () => {
    nock(BASE).post('/engagements.update').reply(404, { type: 'not_found', message: 'gone' });
    await expect(adapter().engagements.update('ENG-9', { subject: 'x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('engagements.delete', () => {
  it('posts the id and accepts the empty response', async () => {
    let sent: unknown;
    nock(BASE)
      .post('/engagements.delete', (body) => {
        sent = body;
        return true;
      })
      .reply(200, {});
    await expect(
      adapter().engagements.delete(`devrev:${engagementId(3)}`),
    ).resolves.toBeUndefined();
    expect(sent).toEqual({ id: engagementId(3) });
  });

  it('maps a 404', async () => {
    nock(BASE).post('/engagements.delete').reply(404, { type: 'not_found' });
    await expect(adapter().engagements.delete('ENG-9')).rejects.toBeInstanceOf(NotFoundError);
  });
});
