import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  recordFingerprint,
  type Sandbox,
  SandboxDataError,
  startSandbox,
  type VendorName,
} from '../src/index';
import { warmSpecValidators } from './changes-warmup';
import { devrevCall, ids, trutoCall, zoomCall, zoomToken } from './helpers';
import { startEndpoint } from './webhooks-endpoint';

const NOW = Date.parse('2026-11-01T00:00:00.000Z');
const DAY = 86_400_000;
type Rec = Record<string, unknown>;

describe('sandbox.data: the test-control API', () => {
  let sb: Sandbox;
  let now = NOW;
  beforeAll(async () => {
    // The first spec compiles take seconds on a loaded machine (see changes-warmup.ts).
    await warmSpecValidators();
    // 20 days of data: one Zoom month window lists every Zoom record.
    sb = await startSandbox({
      count: { devrev: 120, zoom: 90, truto: 110 },
      days: 20,
      now: NOW,
      clock: () => now,
      rateLimits: false,
    });
  }, 60_000);
  afterAll(() => sb.close());
  beforeEach(() => {
    sb.reset();
    now = NOW;
  });

  /** Each vendor's engagements through its own API, id → the record as listed. */
  async function listed(vendor: VendorName): Promise<Map<string, Rec>> {
    const out = new Map<string, Rec>();
    if (vendor === 'devrev') {
      let cursor: string | undefined;
      do {
        const r = await devrevCall(sb, '/engagements.list', {
          body: { limit: 100, ...(cursor ? { cursor } : {}) },
        });
        for (const e of r.body.engagements as Rec[]) out.set(e.id as string, e);
        cursor = r.body.next_cursor as string | undefined;
      } while (cursor);
    } else if (vendor === 'zoom') {
      const token = await zoomToken(sb);
      let next = '';
      do {
        const q = `from=2026-10-10T00:00:00Z&to=2026-11-05T00:00:00Z&page_size=100${next ? `&next_page_token=${encodeURIComponent(next)}` : ''}`;
        const r = await zoomCall(sb, '/contact_center/engagements', token, q);
        for (const e of r.body.engagements as Rec[]) out.set(e.engagement_id as string, e);
        next = r.body.next_page_token as string;
      } while (next);
    } else {
      let next: string | null = null;
      do {
        const q: string = `limit=100${next ? `&next_cursor=${encodeURIComponent(next)}` : ''}`;
        const r = await trutoCall(sb, '/unified/crm/engagements', { query: q });
        for (const e of r.body.result as Rec[]) out.set(e.id as string, e);
        next = r.body.next_cursor as string | null;
      } while (next);
    }
    return out;
  }

  it.each([
    ['devrev', 120],
    ['zoom', 90],
    ['truto', 110],
  ] as const)(
    '%s: ids and snapshot cover exactly what the API lists, fingerprints hash the listed records',
    async (vendor, count) => {
      const api = await listed(vendor);
      expect(api.size).toBe(count);
      expect(new Set(sb.data.ids(vendor))).toEqual(new Set(api.keys()));
      const snapshot = sb.data.snapshot(vendor);
      expect(snapshot.size).toBe(count);
      for (const [id, record] of api) expect(snapshot.get(id), id).toBe(recordFingerprint(record));
      // Zoom's snapshot depends on the clock (running engagements), the others' do not.
      expect(sb.data.snapshot(vendor)).toEqual(snapshot);
    },
  );

  it('recordFingerprint is SHA-256 of JSON with sorted keys at every level, undefined left out', () => {
    const canonical = '{"a":[{"x":1,"y":null}],"b":"é"}';
    const hex = createHash('sha256').update(canonical).digest('hex');
    expect(recordFingerprint({ b: 'é', a: [{ y: null, x: 1 }], c: undefined })).toBe(hex);
    expect(recordFingerprint({ a: [{ x: 1, y: null }], b: 'e' })).not.toBe(hex);
  });

  it('devrev: update stamps modified_date (strictly increasing at one instant), changes one fingerprint, and the API shows it', async () => {
    const data = sb.data.devrev.engagements;
    const [a, b] = data.ids() as [string, string];
    const before = sb.data.snapshot('devrev');
    now = NOW + 1000;
    const ua = data.update(a, { title: 'edited', scheduled_date: new Date(NOW - 90 * DAY) });
    const ub = data.update(b, { description: undefined });
    expect(ua.modified_date).toBe('2026-11-01T00:00:01.000Z');
    expect(ua.scheduled_date).toBe('2026-08-03T00:00:00.000Z');
    expect(ub.modified_date).toBe('2026-11-01T00:00:01.001Z');
    expect('description' in ub).toBe(false);
    const after = sb.data.snapshot('devrev');
    const changed = [...after.keys()].filter((id) => after.get(id) !== before.get(id));
    expect(changed.sort()).toEqual([a, b].sort());
    const got = await devrevCall(sb, '/engagements.get', { query: `id=${a}` });
    expect(got.body.engagement).toEqual(ua);
    expect(recordFingerprint(got.body.engagement)).toBe(after.get(a));
    const top = await devrevCall(sb, '/engagements.list', {
      body: { sort_by: ['modified_date:desc'], limit: 2 },
    });
    expect(ids(top.body.engagements)).toEqual([b, a]);
  });

  it('late inserts: created and modified now, occurred in the past, listed by each API where their time puts them', async () => {
    now = NOW + 60_000;
    const d = sb.data.devrev.engagements.insert({ scheduled_date: NOW - 90 * DAY, title: 'late' });
    expect(d).toMatchObject({
      created_date: '2026-11-01T00:01:00.000Z',
      modified_date: '2026-11-01T00:01:00.000Z',
      scheduled_date: '2026-08-03T00:00:00.000Z',
      title: 'late',
      engagement_type: 'call',
    });
    expect((await devrevCall(sb, '/engagements.get', { query: `id=${d.id}` })).status).toBe(200);

    const z = sb.data.zoom.engagements.insert({ start_time: '2026-10-20T10:00:00Z', duration: 90 });
    expect(z).toMatchObject({
      start_time: '2026-10-20T10:00:00Z',
      end_time: '2026-10-20T10:01:30Z',
      duration: 90,
    });
    const zoomListed = await listed('zoom');
    expect(zoomListed.get(z.engagement_id as string)).toEqual(z);
    const zoomIds = [...zoomListed.keys()];
    expect(zoomIds).toEqual(sb.data.ids('zoom'));

    const t = sb.data.truto.engagements.insert({
      start_time: new Date(NOW - 10 * DAY),
      engagement_type: 'meeting',
    });
    expect(t).toMatchObject({
      start_time: '2026-10-22T00:00:00.000Z',
      // Each vendor keeps its own modification clock.
      created_at: '2026-11-01T00:01:00.000Z',
      updated_at: '2026-11-01T00:01:00.000Z',
      engagement_type: 'meeting',
    });
    const since = await trutoCall(sb, '/unified/crm/engagements', {
      query: 'updated_at[gt]=2026-11-01T00:00:00.000Z',
    });
    expect(ids(since.body.result)).toEqual([t.id]);
    expect(sb.data.snapshot('truto').get(t.id as string)).toBe(recordFingerprint(t));
  });

  it('zoom: an edit of start_time or duration keeps end_time = start + duration; a note without a time is stamped now and shown', async () => {
    const data = sb.data.zoom.engagements;
    const id = data.ids()[10] as string;
    now = NOW + 5000;
    const moved = data.update(id, { start_time: Date.parse('2026-10-25T08:00:00Z'), duration: 60 });
    expect(moved).toMatchObject({
      start_time: '2026-10-25T08:00:00Z',
      end_time: '2026-10-25T08:01:00Z',
      duration: 60,
    });
    const longer = data.update(id, { end_time: '2026-10-25T08:10:00Z' });
    expect(longer).toMatchObject({ end_time: '2026-10-25T08:10:00Z', duration: 600 });
    const shifted = data.update(id, { direction: 'outbound' });
    expect(shifted).toMatchObject({ end_time: '2026-10-25T08:10:00Z', duration: 600 });
    // Without an end or a duration it never ends: shown running however far the clock goes.
    const endless = data.update(id, { end_time: undefined, duration: undefined });
    expect(endless.end_time).toBeUndefined();
    now = NOW + 30 * DAY;
    expect(data.get(id)?.end_time).toBeUndefined();
    expect(data.get(id)?.duration).toBeUndefined();
    data.update(id, { duration: 60 });
    now = NOW + 5000;
    const noted = data.update(id, {
      notes: [{ note_id: 'n1', user_id: 'u1', note: 'called back' }],
    });
    expect(noted.notes).toEqual([
      {
        note_id: 'n1',
        user_id: 'u1',
        note: 'called back',
        last_modified_time: '2026-11-01T00:00:05Z',
      },
    ]);
    const token = await zoomToken(sb);
    const got = await zoomCall(sb, `/contact_center/engagements/${id}`, token);
    expect(got.body.notes).toEqual(noted.notes);
  });

  it('refuses unknown ids, vendor-set fields and unreadable times with SandboxDataError', () => {
    const id = sb.data.truto.engagements.ids()[0] as string;
    expect(() => sb.data.devrev.engagements.update('ENG-nope', { title: 'x' })).toThrowError(
      new SandboxDataError('no record ENG-nope'),
    );
    expect(() => sb.data.zoom.engagements.delete('missing')).toThrowError(SandboxDataError);
    expect(() => sb.data.truto.engagements.update(id, { updated_at: 'x' })).toThrowError(
      'update: updated_at is set by the vendor',
    );
    expect(() => sb.data.truto.engagements.update(id, { id: '1' })).toThrowError(
      'update: id is set by the vendor',
    );
    expect(() =>
      sb.data.devrev.engagements.insert({ modified_date: '2026-01-01T00:00:00Z' }),
    ).toThrowError('insert: modified_date is set by the vendor');
    expect(() => sb.data.zoom.engagements.insert({ start_time: 'soon' })).toThrowError(
      'start_time: not a time: soon',
    );
    // A refused write changes nothing.
    expect(sb.data.truto.engagements.get(id)?.updated_at).not.toBe('x');
  });

  it('delete removes from ids, snapshot and the API; reset() restores every vendor', async () => {
    const initial = (['devrev', 'zoom', 'truto'] as const).map((v) => sb.data.snapshot(v));
    const gone = sb.data.ids('truto')[7] as string;
    sb.data.truto.engagements.delete(gone);
    expect(sb.data.ids('truto')).not.toContain(gone);
    expect(sb.data.snapshot('truto').has(gone)).toBe(false);
    expect(sb.data.truto.engagements.get(gone)).toBeUndefined();
    expect((await trutoCall(sb, `/unified/crm/engagements/${gone}`)).status).toBe(404);
    sb.data.devrev.engagements.update(sb.data.ids('devrev')[0] as string, { title: 'x' });
    sb.data.zoom.engagements.insert({});
    sb.data.devrev.conversations.delete(sb.data.devrev.conversations.ids()[0] as string);
    sb.reset();
    expect((['devrev', 'zoom', 'truto'] as const).map((v) => sb.data.snapshot(v))).toEqual(initial);
    expect(sb.data.devrev.conversations.ids()).toHaveLength(24);
    // Ids are handed out afresh after a reset, and stamps start again after `now` (the latest
    // seeded time), even with the clock standing at `now`.
    const again = sb.data.devrev.engagements.insert({});
    expect(again.display_id).toBe('ENG-121');
    expect(again.modified_date).toBe('2026-11-01T00:00:00.001Z');
  });

  it('reports its writes to webhook subscribers like API writes (Truto record:* events)', async () => {
    const endpoint = await startEndpoint();
    try {
      const sub = await sb.webhooks.subscribe({
        provider: 'truto',
        url: endpoint.url,
        timeoutMs: 15_000,
        timeScale: 0.001,
      });
      const data = sb.data.truto.engagements;
      const inserted = data.insert({ subject: 'new' });
      data.update(inserted.id as string, { subject: 'renamed' });
      data.delete(inserted.id as string);
      await sub.idle();
      const events = endpoint.requests.map((r) => JSON.parse(r.body) as Rec);
      expect(events.map((e) => [e.event, (e.payload as Rec).id])).toEqual([
        ['record:created', inserted.id],
        ['record:updated', inserted.id],
        ['record:deleted', inserted.id],
      ]);
    } finally {
      await endpoint.close();
    }
  });
});
