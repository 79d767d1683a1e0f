import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';
import { warmSpecValidators } from './changes-warmup';
import { ids, trutoCall, trutoValidator } from './helpers';

const NOW = Date.parse('2026-11-01T00:00:00.000Z');
const LIST = '/unified/crm/engagements';
type Rec = Record<string, unknown>;

async function meta(sb: Sandbox, method: string, account = true) {
  const q = account ? `?integrated_account_id=${sb.credentials.truto.integratedAccountId}` : '';
  const res = await fetch(`${sb.urls.truto}${LIST}/meta/${method}${q}`, {
    headers: { authorization: `Bearer ${sb.credentials.truto.token}` },
  });
  return { status: res.status, body: (await res.json()) as Rec };
}

const changedAt = (e: Rec) => Date.parse(String(e.updated_at ?? e.created_at));

describe('Truto emulator: updated_at / created_at filters and method metadata', () => {
  let sb: Sandbox;
  let now = NOW;
  beforeAll(async () => {
    // The first spec compiles take seconds on a loaded machine (see changes-warmup.ts).
    await warmSpecValidators();
    sb = await startSandbox({ count: 400, now: NOW, clock: () => now, rateLimits: false });
  }, 60_000);
  afterAll(() => sb.close());
  beforeEach(() => {
    sb.reset();
    now = NOW;
  });

  async function listAll(query = ''): Promise<Rec[]> {
    const out: Rec[] = [];
    let next: string | null = null;
    for (let page = 0; page < 100; page++) {
      const q = `${query}&limit=45${next ? `&next_cursor=${encodeURIComponent(next)}` : ''}`;
      const r = await trutoCall(sb, LIST, { query: q });
      expect(r.status).toBe(200);
      out.push(...(r.body.result as Rec[]));
      next = r.body.next_cursor as string | null;
      if (next === null) return out;
    }
    throw new Error('listing did not end in 100 pages');
  }

  it('meta/list describes every list filter, updated_at and created_at included, in Truto’s metadata shape', async () => {
    const r = await meta(sb, 'list');
    expect(r.status).toBe(200);
    expect(r.body.method).toBe('list');
    const query = r.body.query_schema as Rec;
    expect(query.type).toBe('object');
    expect(Object.keys(query.properties as Rec).sort()).toEqual([
      'account',
      'contact',
      'created_at',
      'end_time',
      'engagement_type',
      'opportunity',
      'owner',
      'start_time',
      'updated_at',
    ]);
    expect((query.properties as Record<string, Rec>).updated_at).toMatchObject({
      type: 'string',
      format: 'date-time',
    });
    for (const key of ['request_body_schema', 'response_schema', 'schema'])
      expect((r.body[key] as Rec).type).toBe('object');
    const create = await meta(sb, 'create');
    expect(create.status).toBe(200);
    expect(create.body.query_schema).toEqual({ type: 'object', properties: {} });
    expect(Object.keys((create.body.request_body_schema as Rec).properties as Rec)).toContain(
      'engagement_type',
    );
    expect((await meta(sb, 'frobnicate')).status).toBe(404);
    // integrated_account_id is required here too.
    const missing = await meta(sb, 'list', false);
    expect(missing.status).toBe(400);
    expect(trutoValidator('error')(missing.body)).toBe(true);
  });

  it('updated_at[gte|gt|lt|lte] and the bare updated_at (a lower bound) select on updated_at, else created_at, across pages', async () => {
    const all = await listAll();
    expect(all).toHaveLength(400);
    // Seeded updated_at never passes `now`, and minimal records carry none.
    expect(Math.max(...all.map(changedAt))).toBeLessThanOrEqual(NOW);
    expect(all.filter((e) => e.updated_at === undefined).length).toBeGreaterThan(0);
    const sorted = all.map(changedAt).sort((a, b) => a - b);
    const pivot = sorted[300] as number;
    const at = new Date(pivot).toISOString();
    const expectIds = (pred: (ms: number) => boolean) => ids(all.filter((e) => pred(changedAt(e))));
    expect(ids(await listAll(`updated_at[gte]=${at}`))).toEqual(expectIds((t) => t >= pivot));
    expect(ids(await listAll(`updated_at=${at}`))).toEqual(expectIds((t) => t >= pivot));
    expect(ids(await listAll(`updated_at[gt]=${at}`))).toEqual(expectIds((t) => t > pivot));
    expect(ids(await listAll(`updated_at[lt]=${at}`))).toEqual(expectIds((t) => t < pivot));
    const low = new Date(sorted[100] as number).toISOString();
    expect(ids(await listAll(`updated_at[gt]=${low}&updated_at[lte]=${at}`))).toEqual(
      expectIds((t) => t > (sorted[100] as number) && t <= pivot),
    );
    const gte = ids(await listAll(`updated_at[gte]=${at}`));
    expect(gte.length).toBeGreaterThanOrEqual(100);
    expect(gte.length).toBeLessThan(110);
    // created_at works the same way.
    const created = all.map((e) => Date.parse(e.created_at as string)).sort((a, b) => a - b);
    const c = created[200] as number;
    expect(ids(await listAll(`created_at[gte]=${new Date(c).toISOString()}`))).toEqual(
      ids(all.filter((e) => Date.parse(e.created_at as string) >= c)),
    );
  });

  it('refuses a bad updated_at value or operator with a 400 naming the field', async () => {
    const bad = await trutoCall(sb, LIST, { query: 'updated_at[gte]=yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('updated_at[gte] must be a valid ISO 8601 datetime');
    expect(bad.body.details).toEqual({
      failures: [
        { path: ['updated_at'], message: 'updated_at[gte] must be a valid ISO 8601 datetime' },
      ],
    });
    const op = await trutoCall(sb, LIST, { query: 'updated_at[since]=2026-01-01T00:00:00Z' });
    expect(op.status).toBe(400);
    expect(op.body.message).toBe(
      "updated_at[since]: unknown operator 'since'; use gt, gte, lt, lte",
    );
  });

  it('PATCH and POST stamp updated_at with the clock, strictly increasing; updated_at[gt] finds exactly them; DELETE removes', async () => {
    const all = await listAll();
    const old = all[3]?.id as string;
    const other = all[250]?.id as string;
    now = NOW + 120_000;
    const p1 = await trutoCall(sb, `${LIST}/${old}`, { method: 'PATCH', body: { subject: 'a' } });
    const p2 = await trutoCall(sb, `${LIST}/${other}`, { method: 'PATCH', body: { subject: 'b' } });
    expect(p1.body.updated_at).toBe('2026-11-01T00:02:00.000Z');
    expect(p2.body.updated_at).toBe('2026-11-01T00:02:00.001Z');
    const created = await trutoCall(sb, LIST, {
      method: 'POST',
      body: { engagement_type: 'call', start_time: '2026-08-01T10:00:00.000Z' },
    });
    expect(created.status).toBe(201);
    expect(created.body.created_at).toBe('2026-11-01T00:02:00.002Z');
    expect(created.body.updated_at).toBe('2026-11-01T00:02:00.002Z');
    const since = new Date(NOW).toISOString();
    expect(ids(await listAll(`updated_at[gt]=${since}`))).toEqual([old, created.body.id, other]);
    const del = await trutoCall(sb, `${LIST}/${other}`, { method: 'DELETE' });
    expect(del.body).toEqual({ id: other });
    expect(ids(await listAll(`updated_at[gt]=${since}`))).toEqual([old, created.body.id]);
    expect(ids(await listAll())).not.toContain(other);
    expect((await trutoCall(sb, `${LIST}/${other}`)).status).toBe(404);
  });

  it('a next_cursor is bound to its updated_at filter', async () => {
    const first = await trutoCall(sb, LIST, {
      query: 'updated_at[gte]=2026-06-01T00:00:00.000Z&limit=5',
    });
    const next = first.body.next_cursor as string;
    expect(typeof next).toBe('string');
    const other = await trutoCall(sb, LIST, {
      query: `updated_at[gte]=2026-07-01T00:00:00.000Z&limit=5&next_cursor=${encodeURIComponent(next)}`,
    });
    expect(other.status).toBe(400);
    expect(other.body.message).toBe('Invalid next_cursor');
  });
});

describe('Truto emulator: an integrated account without updated_at support', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({
      count: 50,
      now: NOW,
      clock: () => NOW,
      truto: { unsupportedFilters: ['updated_at'] },
    });
  });
  afterAll(() => sb.close());

  it('leaves updated_at out of meta/list and answers a list filtered on it with a 400', async () => {
    const r = await meta(sb, 'list');
    const props = Object.keys((r.body.query_schema as Rec).properties as Rec);
    expect(props).not.toContain('updated_at');
    expect(props).toContain('created_at');
    expect(props).toContain('start_time');
    for (const query of [
      'updated_at[gte]=2026-10-01T00:00:00Z',
      'updated_at=2026-10-01T00:00:00Z',
    ]) {
      const list = await trutoCall(sb, LIST, { query });
      expect(list.status).toBe(400);
      expect(list.body.truto_error_insight).toEqual({
        unsupported_query_parameters: {
          description: 'Not supported by this integration',
          value: ['updated_at'],
        },
      });
    }
    // What meta/list offers still works.
    const created = await trutoCall(sb, LIST, { query: 'created_at[gte]=2026-10-01T00:00:00Z' });
    expect(created.status).toBe(200);
    expect((created.body.result as Rec[]).length).toBeGreaterThan(0);
  });
});
