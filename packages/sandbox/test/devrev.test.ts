import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';
import { clearOfWindowEdge, devrevCall, ids } from './helpers';

describe('DevRev emulator (validated against the DevRev spec)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ count: 300, now: '2025-06-01T00:00:00Z' });
  });
  afterAll(() => sb.close());

  async function listAll(
    init: { query?: string; body?: Record<string, unknown> },
    mode: 'after' | 'before' = 'after',
  ) {
    const out: string[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const r = init.body
        ? await devrevCall(sb, '/engagements.list', {
            body: { ...init.body, mode, ...(cursor ? { cursor } : {}) },
          })
        : await devrevCall(sb, '/engagements.list', {
            query: `${init.query ?? ''}&mode=${mode}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          });
      expect(r.status).toBe(200);
      const page = ids(r.body.engagements);
      if (mode === 'after') out.push(...page);
      else out.unshift(...page);
      cursor = (mode === 'after' ? r.body.next_cursor : r.body.prev_cursor) as string | undefined;
      if (!cursor) return out;
    }
    throw new Error('pagination did not end');
  }

  it('lists forwards and backwards with cursors omitted at the ends', async () => {
    const first = await devrevCall(sb, '/engagements.list', { query: 'limit=100' });
    expect(first.body.prev_cursor).toBeUndefined();
    expect('prev_cursor' in first.body).toBe(false);
    expect(first.body.next_cursor).toBeTypeOf('string');
    expect(first.headers.get('x-ratelimit-limit')).toBeTruthy();
    const forward = await listAll({ query: 'limit=37' });
    expect(forward).toHaveLength(300);
    expect(new Set(forward).size).toBe(300);
    const backward = await listAll({ query: 'limit=41' }, 'before');
    expect(backward).toEqual(forward);
    // Default order: created_date ascending.
    const dates = (first.body.engagements as { created_date: string }[]).map((e) => e.created_date);
    expect([...dates].sort()).toEqual(dates);
    // prev_cursor with mode=before goes back exactly one page.
    const second = await devrevCall(sb, '/engagements.list', {
      query: `limit=100&cursor=${encodeURIComponent(first.body.next_cursor as string)}`,
    });
    const back = await devrevCall(sb, '/engagements.list', {
      query: `limit=100&mode=before&cursor=${encodeURIComponent(second.body.prev_cursor as string)}`,
    });
    expect(ids(back.body.engagements)).toEqual(ids(first.body.engagements));
    expect(back.body.prev_cursor).toBeUndefined();
  });

  it('defaults limit to 50 and caps it at 100; supports sort_by desc and modified_date', async () => {
    expect(((await devrevCall(sb, '/engagements.list')).body.engagements as unknown[]).length).toBe(
      50,
    );
    expect(
      (
        (await devrevCall(sb, '/engagements.list', { query: 'limit=1000' })).body
          .engagements as unknown[]
      ).length,
    ).toBe(100);
    const desc = await listAll({ body: { sort_by: ['created_date:desc'], limit: 100 } });
    const asc = await listAll({ body: { limit: 100 } });
    expect(desc).toEqual([...asc].reverse());
    const byModified = await devrevCall(sb, '/engagements.list', {
      body: { sort_by: ['modified_date:asc'], limit: 100 },
    });
    const m = (byModified.body.engagements as { modified_date: string }[]).map(
      (e) => e.modified_date,
    );
    expect([...m].sort()).toEqual(m);
    expect((await listAll({ query: 'sort_by=scheduled_date:desc&limit=100' })).length).toBe(300);
  });

  it('filters by type (comma, repeated, POST), members and parent; count agrees', async () => {
    const comma = await listAll({ query: 'type=call,email&limit=100' });
    const repeated = await listAll({ query: 'type=call&type=email&limit=100' });
    const post = await listAll({ body: { type: ['call', 'email'], limit: 100 } });
    expect(comma.length).toBeGreaterThan(0);
    expect(repeated).toEqual(comma);
    expect(post).toEqual(comma);
    const count = await devrevCall(sb, '/engagements.count', { query: 'type=call,email' });
    expect(count.body.count).toBe(comma.length);
    const countAll = await devrevCall(sb, '/engagements.count', { body: {} });
    expect(countAll.body.count).toBe(300);
    const page = await devrevCall(sb, '/engagements.list', {
      body: { type: ['call'], limit: 100 },
    });
    for (const e of page.body.engagements as { engagement_type: string }[])
      expect(e.engagement_type).toBe('call');
    const types = new Set(
      (
        (await devrevCall(sb, '/engagements.list', { query: 'limit=100' })).body.engagements as {
          engagement_type: string;
        }[]
      ).map((e) => e.engagement_type),
    );
    expect(types.size).toBeGreaterThan(5);
    const byMember = await devrevCall(sb, '/engagements.list', {
      body: { members: ['DEVU-1'], limit: 100 },
    });
    for (const e of byMember.body.engagements as { members: { display_id: string }[] }[]) {
      expect(e.members.map((m) => m.display_id)).toContain('DEVU-1');
    }
    const byParent = await devrevCall(sb, '/engagements.list', { query: 'parent=ACC-1&limit=100' });
    expect((byParent.body.engagements as unknown[]).length).toBeGreaterThan(0);
    const bad = await devrevCall(sb, '/engagements.list', { query: 'type=webinar' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      type: 'invalid_enum_value',
      field_name: 'type',
      value: 'webinar',
    });
  });

  it('creates, gets, updates and deletes; inserting during a listing loses and duplicates nothing', async () => {
    const before = await listAll({ query: 'limit=100' });
    const p1 = await devrevCall(sb, '/engagements.list', { query: 'limit=100' });
    const created = await devrevCall(sb, '/engagements.create', {
      body: {
        title: 'Sandbox call 📞',
        members: ['DEVU-1'],
        scheduled_date: '2025-05-20T10:00:00Z',
        engagement_type: 'call',
        parents: ['ACC-3'],
      },
    });
    expect(created.status).toBe(201);
    const eng = created.body.engagement as { id: string; title: string };
    expect(eng.title).toBe('Sandbox call 📞');
    const rest: string[] = [];
    let cursor = p1.body.next_cursor as string | undefined;
    while (cursor) {
      const r = await devrevCall(sb, '/engagements.list', { body: { limit: 100, cursor } });
      rest.push(...ids(r.body.engagements));
      cursor = r.body.next_cursor as string | undefined;
    }
    const all = [...ids(p1.body.engagements), ...rest];
    expect(all).toEqual([...before, eng.id]);

    const got = await devrevCall(sb, '/engagements.get', {
      query: `id=${encodeURIComponent(eng.id)}`,
    });
    expect(got.body.engagement).toEqual(created.body.engagement);
    const updated = await devrevCall(sb, '/engagements.update', {
      body: { id: eng.id, title: 'Renamed', members: { set: ['DEVU-2', 'REVU-7'] } },
    });
    expect(updated.status).toBe(200);
    expect((updated.body.engagement as { title: string }).title).toBe('Renamed');
    expect(
      (await devrevCall(sb, '/engagements.get', { body: { id: eng.id } })).body.engagement,
    ).toEqual(updated.body.engagement);
    // Updating a seeded record keeps it once in listings.
    const seeded = before[10] as string;
    await devrevCall(sb, '/engagements.update', { body: { id: seeded, description: 'changed' } });
    expect((await listAll({ query: 'limit=100' })).filter((id) => id === seeded)).toHaveLength(1);
    expect((await devrevCall(sb, '/engagements.delete', { body: { id: eng.id } })).body).toEqual(
      {},
    );
    const gone = await devrevCall(sb, '/engagements.get', { body: { id: eng.id } });
    expect(gone.status).toBe(404);
    expect(gone.body.type).toBe('not_found');
    expect(
      (await devrevCall(sb, '/engagements.update', { body: { id: eng.id, title: 'x' } })).status,
    ).toBe(404);
    expect((await devrevCall(sb, '/engagements.delete', { body: { id: eng.id } })).status).toBe(
      404,
    );
  });

  it('validates create bodies with DevRev error types', async () => {
    const missing = await devrevCall(sb, '/engagements.create', {
      body: { members: ['DEVU-1'], scheduled_date: '2025-01-01T00:00:00Z' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ type: 'missing_required_field', field_name: 'title' });
    const badType = await devrevCall(sb, '/engagements.create', {
      body: {
        title: 't',
        members: ['DEVU-1'],
        scheduled_date: '2025-01-01T00:00:00Z',
        engagement_type: 'meeting',
      },
    });
    expect(badType.body).toMatchObject({
      type: 'invalid_enum_value',
      field_name: 'engagement_type',
      value: 'meeting',
    });
    expect(badType.body.allowed_values).toEqual([
      'call',
      'default',
      'email',
      'linked_in',
      'offline',
    ]);
    const tooMany = await devrevCall(sb, '/engagements.create', {
      body: {
        title: 't',
        members: Array.from({ length: 51 }, (_, i) => `DEVU-${i}`),
        scheduled_date: '2025-01-01T00:00:00Z',
      },
    });
    expect(tooMany.status).toBe(400);
    const none = await devrevCall(sb, '/engagements.create', {
      body: { title: 't', members: [], scheduled_date: '2025-01-01T00:00:00Z' },
    });
    expect(none.status).toBe(400);
    const wrongJson = await devrevCall(sb, '/engagements.create', {
      body: { title: 5, members: ['DEVU-1'], scheduled_date: '2025-01-01T00:00:00Z' },
    });
    expect(wrongJson.body).toMatchObject({
      type: 'unexpected_json_type',
      field_name: 'title',
      expected: 'string',
      actual: 'number',
    });
  });

  it('rejects bad tokens, accepts tokens without the Bearer prefix', async () => {
    const none = await devrevCall(sb, '/engagements.list', { token: null });
    expect(none.status).toBe(401);
    expect(none.body.type).toBe('unauthenticated');
    expect((await devrevCall(sb, '/engagements.list', { token: 'nope' })).status).toBe(401);
    const res = await fetch(`${sb.urls.devrev}/engagements.count`, {
      headers: { authorization: sb.credentials.devrev.token },
    });
    expect(res.status).toBe(200);
    const badCursor = await devrevCall(sb, '/engagements.list', { query: 'cursor=garbage' });
    expect(badCursor.status).toBe(400);
  });

  it('lists conversations with filters and both directions', async () => {
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await devrevCall(sb, '/conversations.list', {
        body: { limit: 20, ...(cursor ? { cursor } : {}) },
      });
      all.push(...ids(r.body.conversations));
      cursor = r.body.next_cursor as string | undefined;
    } while (cursor);
    expect(all).toHaveLength(60);
    const open = await devrevCall(sb, '/conversations.list', { query: 'state=open&limit=100' });
    expect((open.body.conversations as unknown[]).length).toBeGreaterThan(0);
    const md = await devrevCall(sb, '/conversations.list', {
      body: { modified_date: { after: '2025-05-01T00:00:00Z' }, limit: 100 },
    });
    for (const c of md.body.conversations as { modified_date: string }[])
      expect(c.modified_date >= '2025-05-01').toBe(true);
    const last = await devrevCall(sb, '/conversations.list', { query: 'mode=before&limit=10' });
    expect(ids(last.body.conversations)).toEqual(all.slice(-10));
    expect(last.body.next_cursor).toBeUndefined();
  });

  it('enforces a configured rate limit with Retry-After and retry_after', async () => {
    const limited = await startSandbox({
      count: 10,
      devrev: { rateLimit: { limit: 2, windowSeconds: 60 } },
    });
    try {
      await clearOfWindowEdge(60_000);
      await devrevCall(limited, '/engagements.count');
      await devrevCall(limited, '/engagements.count');
      const r = await devrevCall(limited, '/engagements.count');
      expect(r.status).toBe(429);
      expect(r.body.type).toBe('too_many_requests');
      expect(r.body.retry_after).toBeGreaterThan(0);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
    } finally {
      await limited.close();
    }
  });
});
