import { createWebhookReceiver, type EngagementChange } from '@engagekit/core';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';
import { warmSpecValidators } from './changes-warmup';
import { zoomCall, zoomToken } from './helpers';
import { startEndpoint } from './webhooks-endpoint';

const NOW = Date.parse('2026-11-01T00:00:00.000Z');
const HOUR = 3_600_000;
const LIST = '/contact_center/engagements';
/** The twelve days before NOW and the hours after it, as Zoom's Z-literal window (timezone UTC). */
const WINDOW = 'from=2026-10-20T00:00:00Z&to=2026-11-01T06:00:00Z&page_size=100';
type Rec = Record<string, unknown>;
const AFTER_END = [
  'end_time',
  'duration',
  'talk_duration',
  'handling_duration',
  'wrap_up_duration',
  'dispositions',
  'transcript_url',
  'survey_id',
];

describe('Zoom emulator: engagements progress on the sandbox clock', () => {
  let sb: Sandbox;
  let now = NOW;
  let token: string;
  beforeAll(async () => {
    // The first spec compiles take seconds on a loaded machine (see changes-warmup.ts).
    await warmSpecValidators();
    // Tokens outlive the clock moves below (hours).
    sb = await startSandbox({
      count: 500,
      now: NOW,
      clock: () => now,
      rateLimits: false,
      zoom: { tokenTtlSeconds: 86_400 },
    });
    token = await zoomToken(sb);
  }, 60_000);
  afterAll(() => sb.close());
  beforeEach(() => {
    now = NOW;
  });

  async function list(query = WINDOW): Promise<Rec[]> {
    const r = await zoomCall(sb, LIST, token, query);
    expect(r.status).toBe(200);
    expect(r.body.next_page_token).toBe('');
    return r.body.engagements as Rec[];
  }
  async function get(id: string): Promise<Rec> {
    const r = await zoomCall(sb, `${LIST}/${id}`, token);
    expect(r.status).toBe(200);
    return r.body;
  }
  const startMs = (e: Rec) => Date.parse(e.start_time as string);

  it('seeds eight engagements in the last two hours, all running at `now` (no end, duration, totals or outcome), the rest ended', async () => {
    const day = await list();
    const recent = day.filter((e) => startMs(e) >= NOW - 2 * HOUR);
    expect(recent.map((e) => e.start_time)).toEqual([
      '2026-10-31T22:00:00Z',
      '2026-10-31T22:15:00Z',
      '2026-10-31T22:30:00Z',
      '2026-10-31T22:45:00Z',
      '2026-10-31T23:00:00Z',
      '2026-10-31T23:15:00Z',
      '2026-10-31T23:30:00Z',
      '2026-10-31T23:45:00Z',
    ]);
    for (const e of recent) {
      for (const field of AFTER_END)
        expect(e[field], `${e.engagement_id} ${field}`).toBeUndefined();
      expect(e.notes).toBeUndefined();
      expect(e.agents).toBeDefined();
    }
    const older = day.filter((e) => startMs(e) < NOW - 2 * HOUR && e.queues !== undefined);
    expect(older.length).toBeGreaterThan(0);
    for (const e of older) expect(Date.parse(e.end_time as string)).toBeLessThanOrEqual(NOW);
    // The default window (the last 24 h on the clock) shows them the same way.
    const dflt = await list('page_size=100');
    expect(dflt.filter((e) => startMs(e) >= NOW - 2 * HOUR)).toEqual(recent);
  });

  it('two hours later every one of them has ended: end_time = start + duration, within the hour after `now`', async () => {
    now = NOW + 2 * HOUR;
    const recent = (await list()).filter((e) => startMs(e) >= NOW - 2 * HOUR);
    expect(recent).toHaveLength(8);
    for (const e of recent) {
      const end = Date.parse(e.end_time as string);
      expect(end).toBe(startMs(e) + (e.duration as number) * 1000);
      expect(end).toBeGreaterThan(NOW);
      expect(end).toBeLessThanOrEqual(NOW + HOUR);
      expect(typeof e.talk_duration).toBe('number');
    }
    expect(recent.filter((e) => Array.isArray(e.dispositions)).length).toBeGreaterThan(0);
    expect(recent.filter((e) => Array.isArray(e.notes)).length).toBeGreaterThan(0);
  });

  it('one engagement: running until the second of its end, then ended with its disposition, its note a minute later; a pure function of the clock', async () => {
    now = NOW + 2 * HOUR;
    const ended = (await list()).find(
      (e) =>
        startMs(e) >= NOW - 2 * HOUR && Array.isArray(e.notes) && Array.isArray(e.dispositions),
    );
    if (!ended) throw new Error('the seed has no tail engagement with a note and a disposition');
    const id = ended.engagement_id as string;
    const end = Date.parse(ended.end_time as string);
    const notes = ended.notes as Rec[];
    expect(notes.map((n) => n.last_modified_time)).toEqual([
      new Date(end + 60_000).toISOString().replace('.000Z', 'Z'),
    ]);

    now = end - 1000;
    const running = await get(id);
    for (const field of [...AFTER_END, 'notes']) expect(running[field]).toBeUndefined();
    expect(running.start_time).toBe(ended.start_time);
    expect(running.events).toBeDefined();

    now = end;
    const justEnded = await get(id);
    expect(justEnded.end_time).toBe(ended.end_time);
    expect(justEnded.duration).toBe(ended.duration);
    expect(justEnded.dispositions).toEqual(ended.dispositions);
    expect(justEnded.notes).toBeUndefined();

    now = end + 60_000;
    const noted = await get(id);
    expect(noted.notes).toEqual(ended.notes);
    // Same clock, same answer; a clock moved back shows it running again.
    expect(await get(id)).toEqual(noted);
    now = end - 1000;
    expect(await get(id)).toEqual(running);
  });

  it('total_records and filters follow test-control writes (a late insert, a delete, an edited direction)', async () => {
    try {
      const before = await zoomCall(sb, LIST, token, WINDOW);
      const total = before.body.total_records as number;
      const listed = before.body.engagements as Rec[];
      const victim = listed[3]?.engagement_id as string;
      const turned = listed.find((e) => e.direction === 'inbound' && e.queues !== undefined);
      if (!turned) throw new Error('no inbound engagement in the window');
      const late = sb.data.zoom.engagements.insert({
        start_time: '2026-10-31T05:00:00Z',
        duration: 120,
        direction: 'outbound',
      });
      sb.data.zoom.engagements.delete(victim);
      sb.data.zoom.engagements.update(turned.engagement_id as string, { direction: 'outbound' });
      const after = await zoomCall(sb, LIST, token, WINDOW);
      const items = after.body.engagements as Rec[];
      expect(after.body.total_records).toBe(total);
      expect(items).toHaveLength(total);
      const got = items.map((e) => e.engagement_id);
      expect(got).not.toContain(victim);
      const inserted = items.find((e) => e.engagement_id === late.engagement_id);
      expect(inserted).toMatchObject({
        start_time: '2026-10-31T05:00:00Z',
        end_time: '2026-10-31T05:02:00Z',
        duration: 120,
        direction: 'outbound',
      });
      const starts = items.map(startMs);
      expect([...starts].sort((a, b) => a - b)).toEqual(starts);
      const outbound = await list(`${WINDOW}&direction=outbound`);
      const outIds = outbound.map((e) => e.engagement_id);
      expect(outIds).toContain(turned.engagement_id);
      expect(outIds).toContain(late.engagement_id);
      const inbound = await list(`${WINDOW}&direction=inbound`);
      expect(inbound.map((e) => e.engagement_id)).not.toContain(turned.engagement_id);
      expect(inbound.length + outbound.length).toBe(total);
    } finally {
      sb.reset();
      token = await zoomToken(sb);
    }
  });
});

describe('Zoom emulator: ends passed by the clock reach webhook subscribers as engagement_ended', () => {
  const SECRET = 'zoom-progress-secret-7Hq';
  let sb: Sandbox;
  let now = NOW;
  beforeAll(async () => {
    sb = await startSandbox({
      count: 500,
      now: NOW,
      clock: () => now,
      rateLimits: false,
      zoom: { tokenTtlSeconds: 86_400 },
    });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(sb.webhooks.subscriptions.map((s) => s.close()));
    await sb.close();
  });

  it('reports each running engagement once, when a call after its end comes (lazily, no timer), with its end_time', async () => {
    const zoom = createZoomContactCenterAdapter(sb.adapterOptions.zoom);
    const changes: EngagementChange[] = [];
    const receiver = createWebhookReceiver({
      sources: [zoom.webhooks({ secretToken: SECRET })],
      onChange: (batch) => {
        changes.push(...batch);
      },
    });
    const endpoint = await startEndpoint(receiver);
    try {
      const sub = await sb.webhooks.subscribe({
        provider: 'zoom-contact-center',
        url: endpoint.url,
        secret: SECRET,
        timeoutMs: 15_000,
        timeScale: 0.001,
      });
      const data = sb.data.zoom.engagements;
      // The first look at the clock: what runs now is watched from here on.
      const running = data
        .ids()
        .map((id) => data.get(id) as Rec)
        .filter((e) => e.end_time === undefined && e.queues !== undefined)
        .map((e) => e.engagement_id as string);
      expect(running.length).toBeGreaterThanOrEqual(8);
      now = NOW + 2 * HOUR;
      const token = await zoomToken(sb);
      await zoomCall(sb, LIST, token, 'page_size=1');
      await zoomCall(sb, LIST, token, 'page_size=1');
      await sub.idle();
      const events = endpoint.requests.slice(1).map((r) => JSON.parse(r.body) as Rec);
      expect(events.every((e) => e.event === 'contact_center.engagement_ended')).toBe(true);
      const reported = events.map((e) => (e.payload as { object: Rec }).object);
      const endedNow = running.filter(
        (id) => Date.parse(String(data.get(id)?.end_time)) <= NOW + 2 * HOUR,
      );
      expect(reported.map((o) => o.engagement_id).sort()).toEqual([...endedNow].sort());
      for (const o of reported)
        expect(o.end_time).toBe(data.get(o.engagement_id as string)?.end_time);
      // In the order their ends came.
      const ends = reported.map((o) => Date.parse(o.end_time as string));
      expect([...ends].sort((a, b) => a - b)).toEqual(ends);
      expect(changes.map((c) => c.remoteId)).toEqual(reported.map((o) => o.engagement_id));
      // A clock moved back, or not moved, reports nothing again.
      now = NOW;
      await zoomCall(sb, LIST, token, 'page_size=1');
      now = NOW + 2 * HOUR;
      data.get(running[0] as string);
      await sub.idle();
      expect(endpoint.requests).toHaveLength(1 + reported.length);
    } finally {
      await endpoint.close();
    }
  });
});
