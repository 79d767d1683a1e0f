import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox, TRUTO_BLOCKED_ACCOUNT_ID } from '../src/index';
import { clearOfWindowEdge, ids, trutoCall } from './helpers';

const PATH = '/unified/crm/engagements';

describe('Truto emulator (validated against specs/truto-unified-crm-engagements.schema.json)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ count: 700, now: '2025-06-01T00:00:00Z' });
  });
  afterAll(() => sb.close());

  async function listAll(query = ''): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const r = await trutoCall(sb, PATH, {
        query: `${query}${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`,
      });
      expect(r.status).toBe(200);
      out.push(...(r.body.result as Record<string, unknown>[]));
      cursor = r.body.next_cursor as string | null;
      if (cursor === null) return out;
    }
    throw new Error('no end');
  }

  it('lists with limit (default 100, cap 250), next_cursor null at the end, prev_cursor back', async () => {
    const first = await trutoCall(sb, PATH);
    expect(first.body.result_count).toBe(100);
    expect(first.body.prev_cursor).toBeNull();
    const capped = await trutoCall(sb, PATH, { query: 'limit=1000' });
    expect(capped.body.result_count).toBe(250);
    const all = await listAll('limit=250');
    expect(all).toHaveLength(700);
    const starts = all.map((e) => e.start_time as string);
    expect([...starts].sort()).toEqual(starts);
    const second = await trutoCall(sb, PATH, {
      query: `next_cursor=${encodeURIComponent(first.body.next_cursor as string)}`,
    });
    const back = await trutoCall(sb, PATH, {
      query: `next_cursor=${encodeURIComponent(second.body.prev_cursor as string)}`,
    });
    expect(ids(back.body.result)).toEqual(ids(first.body.result));
    const types = new Set(all.map((e) => e.engagement_type));
    for (const t of ['call', 'email', 'meeting', 'chat', 'note', 'task', 'LinkedIn Message'])
      expect(types).toContain(t);
    expect(all.every((e) => e.duration === undefined || typeof e.duration === 'string')).toBe(true);
  });

  it('filters by type, time range (inclusive), contact, account and owner', async () => {
    const calls = await listAll('engagement_type=call&limit=250');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((e) => e.engagement_type === 'call')).toBe(true);
    const all = await listAll('limit=250');
    const a = all[100]?.start_time as string;
    const b = all[200]?.start_time as string;
    const range = await listAll(`start_time=${a}&end_time=${b}&limit=50`);
    expect(range.length).toBe(101);
    const withContact = all.find((e) => (e.contact as unknown[] | undefined)?.length);
    const contact = ids(withContact?.contact ?? [])[0] as string;
    for (const q of [`contact=${contact}`, `contact[id]=${contact}`]) {
      const r = await listAll(q);
      expect(r.length).toBeGreaterThan(0);
      for (const e of r) expect(ids(e.contact)).toContain(contact);
    }
    const account = String(
      (all.find((e) => e.account)?.account as { id?: string } | undefined)?.id,
    );
    for (const e of await listAll(`account[id]=${account}`))
      expect((e.account as { id: string }).id).toBe(account);
    const owner = String((all.find((e) => e.owner)?.owner as { id?: string } | undefined)?.id);
    for (const e of await listAll(`owner=${owner}`))
      expect((e.owner as { id: string }).id).toBe(owner);
    const inverted = await trutoCall(sb, PATH, { query: `start_time=${b}&end_time=${a}` });
    expect(inverted.status).toBe(400);
    const long = await trutoCall(sb, PATH, {
      query: 'start_time=2023-01-01T00:00:00Z&end_time=2025-01-02T00:00:00Z',
    });
    expect(long.status).toBe(400);
    const noRemote = await trutoCall(sb, PATH, { query: 'truto_ignore_remote_data=true&limit=5' });
    expect((noRemote.body.result as object[]).every((e) => !('remote_data' in e))).toBe(true);
  });

  it('requires integrated_account_id, a valid token; 503 for a blocked account', async () => {
    const missing = await trutoCall(sb, PATH, { account: null });
    expect(missing.status).toBe(400);
    expect(missing.body.truto_error_insight).toHaveProperty('missing_required_query_parameters');
    const blocked = await trutoCall(sb, PATH, { account: TRUTO_BLOCKED_ACCOUNT_ID });
    expect(blocked.status).toBe(503);
    const res = await fetch(
      `${sb.urls.truto}${PATH}?integrated_account_id=${sb.credentials.truto.integratedAccountId}`,
      { headers: { authorization: 'Bearer nope' } },
    );
    expect(res.status).toBe(401);
  });

  it('creates, gets, updates, deletes; Idempotency-Key replays without writing twice', async () => {
    const before = (await listAll('limit=250')).length;
    const input = {
      engagement_type: 'call',
      subject: 'Hello 👋',
      start_time: '2025-05-15T10:00:00.000Z',
      duration: 60,
      contact: [{ id: '5001' }],
    };
    const a = await trutoCall(sb, PATH, {
      method: 'POST',
      body: input,
      headers: { 'Idempotency-Key': 'k1' },
    });
    expect(a.status).toBe(201);
    expect(a.body.duration).toBe('60');
    const again = await trutoCall(sb, PATH, {
      method: 'POST',
      body: input,
      headers: { 'Idempotency-Key': 'k1' },
    });
    expect(again.body).toEqual(a.body);
    expect((await listAll('limit=250')).length).toBe(before + 1);
    const id = a.body.id as string;
    expect((await trutoCall(sb, `${PATH}/${id}`)).body).toEqual(a.body);
    const patched = await trutoCall(sb, `${PATH}/${id}`, {
      method: 'PATCH',
      body: { subject: 'Changed' },
    });
    expect(patched.body.subject).toBe('Changed');
    const bad = await trutoCall(sb, PATH, { method: 'POST', body: { engagement_type: 'fax' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toHaveProperty('failures');
    expect((await trutoCall(sb, `${PATH}/${id}`, { method: 'DELETE' })).body).toEqual({ id });
    expect((await trutoCall(sb, `${PATH}/${id}`)).status).toBe(404);
  });

  it('can reject unsupported filters and dead remote credentials', async () => {
    const other = await startSandbox({ count: 10, truto: { unsupportedFilters: ['owner'] } });
    try {
      const r = await trutoCall(other, PATH, { query: 'owner[id]=1' });
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body.truto_error_insight)).toContain('owner');
    } finally {
      await other.close();
    }
    const dead = await startSandbox({ count: 10, truto: { remoteAuthDead: true } });
    try {
      const r = await trutoCall(dead, PATH);
      expect(r.status).toBe(401);
      expect(r.body.truto_is_remote_error).toBe(true);
    } finally {
      await dead.close();
    }
  });

  it('enforces an opt-in per-account limit with Retry-After: 10', async () => {
    const limited = await startSandbox({
      count: 10,
      truto: { rateLimit: { perAccountPer10s: 2 } },
    });
    try {
      await clearOfWindowEdge(10_000);
      await trutoCall(limited, PATH);
      await trutoCall(limited, PATH);
      const r = await trutoCall(limited, PATH);
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('10');
    } finally {
      await limited.close();
    }
  });
});
