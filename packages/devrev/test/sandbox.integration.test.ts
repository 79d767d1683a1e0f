import { EngagementSchema, NotFoundError } from '@engagekit/core';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDevRevAdapter } from '../src/index';

let sb: Sandbox;
const devrev = (extra: { maxRetries?: number } = {}) =>
  createDevRevAdapter({
    token: sb.credentials.devrev.token,
    baseUrl: sb.urls.devrev,
    maxRetries: 3,
    ...extra,
  });

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, count: 240 });
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(() => sb.reset());

describe('DevRev adapter against the sandbox', () => {
  it('lists every engagement once, each a valid Engagement, matching engagements.count', async () => {
    const a = devrev();
    const items = await a.engagements.list({ pageSize: 100 }).toArray();
    expect(items.length).toBe(await a.engagements.count());
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length);
    for (const e of items) expect(EngagementSchema.safeParse(e).success).toBe(true);
  });

  it('resumes from an item cursor and pages backwards from the end', async () => {
    const a = devrev();
    const all = (await a.engagements.list({ pageSize: 25 }).toArray()).map((e) => e.id);
    const it1 = a.engagements.list({ pageSize: 25 });
    const seen: string[] = [];
    for await (const e of it1) {
      seen.push(e.id);
      if (seen.length === 37) break;
    }
    const rest = await a.engagements.list({ pageSize: 25, cursor: it1.cursor }).toArray();
    expect([...seen, ...rest.map((e) => e.id)]).toEqual(all);

    const backwards = await a.engagements
      .list({ pageSize: 25, native: { mode: 'before' } })
      .toArray();
    expect(backwards.map((e) => e.id).sort()).toEqual([...all].sort());
  });

  it('filters by kinds and members server-side', async () => {
    const a = devrev();
    const all = await a.engagements.list({ pageSize: 100 }).toArray();
    const meetings = await a.engagements.list({ kinds: ['meeting'], pageSize: 100 }).toArray();
    expect(meetings.map((e) => e.id)).toEqual(
      all.filter((e) => e.kind === 'meeting').map((e) => e.id),
    );
    const others = await a.engagements.list({ kinds: ['other'], pageSize: 100 }).toArray();
    expect(others.length).toBe(all.filter((e) => e.kind === 'other').length);
    expect(await a.engagements.count({ kinds: ['other'] })).toBe(others.length);
    const member = all[0]?.participants.find((p) => p.role === 'member')?.id as string;
    const mine = await a.engagements.list({ participantIds: [member], pageSize: 100 }).toArray();
    expect(mine.length).toBeGreaterThan(0);
    for (const e of mine) expect(e.participants.some((p) => p.id === member)).toBe(true);
  });

  it('from/to on a scheduled_date sort: same result as a full scan, fewer pages when provable', async () => {
    const a = devrev();
    const all = await a.engagements.list({ pageSize: 100 }).toArray();
    const times = all.map((e) => Date.parse(e.occurredAt)).sort((x, y) => x - y);
    const inRange = (from: Date, to: Date) =>
      all
        .filter((e) => {
          const t = Date.parse(e.occurredAt);
          return t >= from.getTime() && t < to.getTime();
        })
        .map((e) => e.id)
        .sort();
    const sortedListing = async (from: Date, to: Date) => {
      let requests = 0;
      const items = await createDevRevAdapter({
        token: sb.credentials.devrev.token,
        baseUrl: sb.urls.devrev,
        hooks: { onRequest: () => requests++ },
      })
        .engagements.list({ from, to, pageSize: 20, native: { sort_by: ['scheduled_date:asc'] } })
        .toArray();
      return { ids: items.map((e) => e.id).sort(), requests };
    };
    const pages = Math.ceil(all.length / 20);
    // Early in the order: undated records lead (seen first), so the listing stops past `to`.
    const early = [
      new Date(times[0] as number),
      new Date(times[Math.floor(times.length * 0.1)] as number),
    ] as const;
    const first = await sortedListing(...early);
    expect(first.ids).toEqual(inRange(...early));
    expect(first.requests).toBeLessThan(pages);
    // Wherever the range is, the result is exact (the sandbox also sorts some undated records
    // among dated ones; the adapter notices and reads on).
    const middle = [
      new Date(times[Math.floor(times.length * 0.2)] as number),
      new Date(times[Math.floor(times.length * 0.4)] as number),
    ] as const;
    expect((await sortedListing(...middle)).ids).toEqual(inRange(...middle));
  });

  it('creates, gets, updates and deletes', async () => {
    const a = devrev();
    const [sample] = await a.engagements.list({ pageSize: 1, maxPages: 1 }).toArray();
    const member = sample?.participants.find((p) => p.role === 'member')?.id as string;
    const created = await a.engagements.create({
      kind: 'call',
      subject: 'Sandbox call',
      occurredAt: '2026-06-01T10:00:00Z',
      participantIds: [member],
      accountIds: ['ACC-1'],
      tags: [{ id: 'TAG-1', value: 'high' }],
    });
    expect(created).toMatchObject({
      kind: 'call',
      subject: 'Sandbox call',
      occurredAt: '2026-06-01T10:00:00.000Z',
    });
    expect(created.related[0]).toMatchObject({ type: 'account' });
    const got = await a.engagements.get(created.id);
    expect(got.remoteId).toBe(created.remoteId);
    const updated = await a.engagements.update(created.id, { subject: 'Renamed', accountIds: [] });
    expect(updated.subject).toBe('Renamed');
    expect(updated.related).toEqual([]);
    await a.engagements.delete(created.id);
    await expect(a.engagements.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists conversations as chats with the modified_date pre-filter', async () => {
    const a = devrev();
    const all = await a.conversations.list({ pageSize: 100 }).toArray();
    expect(all.length).toBeGreaterThan(0);
    for (const e of all) {
      expect(e.kind).toBe('chat');
      expect(EngagementSchema.safeParse(e).success).toBe(true);
    }
    const times = all.map((e) => Date.parse(e.occurredAt)).sort((x, y) => x - y);
    const from = new Date(times[Math.floor(times.length / 2)] as number);
    const recent = await a.conversations.list({ from, pageSize: 100 }).toArray();
    expect(recent.map((e) => e.id).sort()).toEqual(
      all
        .filter((e) => Date.parse(e.occurredAt) >= from.getTime())
        .map((e) => e.id)
        .sort(),
    );
  });

  it('rides out injected 429s and 5xx', async () => {
    sb.faults.failNext('devrev', { status: 429, retryAfterSeconds: 1 });
    sb.faults.failNext('devrev', { status: 503 });
    const items = await devrev().engagements.list({ pageSize: 100, maxPages: 1 }).toArray();
    expect(items.length).toBe(100);
  });
});
