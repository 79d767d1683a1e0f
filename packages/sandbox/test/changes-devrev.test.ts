import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';
import { warmSpecValidators } from './changes-warmup';
import { devrevCall, ids } from './helpers';

const NOW = Date.parse('2026-11-01T00:00:00.000Z');
type Rec = Record<string, unknown>;

describe('DevRev emulator: changes show in modified_date order and filters', () => {
  let sb: Sandbox;
  let now = NOW;
  beforeAll(async () => {
    // The first spec compiles take seconds on a loaded machine (see changes-warmup.ts).
    await warmSpecValidators();
    sb = await startSandbox({ count: 300, now: NOW, clock: () => now, rateLimits: false });
  }, 60_000);
  afterAll(() => sb.close());
  beforeEach(() => {
    sb.reset();
    now = NOW;
  });

  /** Every engagement by `sort_by`, page by page (limit 37 so pages end anywhere). */
  async function listAll(sortBy: string): Promise<Rec[]> {
    const out: Rec[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const r = await devrevCall(sb, '/engagements.list', {
        body: { sort_by: [sortBy], limit: 37, ...(cursor ? { cursor } : {}) },
      });
      expect(r.status).toBe(200);
      out.push(...(r.body.engagements as Rec[]));
      cursor = r.body.next_cursor as string | undefined;
      if (!cursor) return out;
    }
    throw new Error('listing did not end in 50 pages');
  }

  const modified = (e: Rec) => Date.parse(e.modified_date as string);

  it('sorts by modified_date:desc (ties by id, descending) and every seeded modified_date is <= now', async () => {
    const all = await listAll('modified_date:desc');
    expect(all).toHaveLength(300);
    const sorted = [...all].sort(
      (a, b) => modified(b) - modified(a) || (String(a.id) < String(b.id) ? 1 : -1),
    );
    expect(ids(all)).toEqual(ids(sorted));
    expect(Math.max(...all.map(modified))).toBeLessThanOrEqual(NOW);
  });

  it('an update moves an old engagement to the top with modified_date = the clock; writes at one instant still get strictly increasing times', async () => {
    const before = await listAll('created_date:asc');
    const oldest = before[0]?.id as string;
    const second = before[1]?.id as string;
    now = NOW + 60_000;
    const u1 = await devrevCall(sb, '/engagements.update', {
      body: { id: oldest, title: 'edited' },
    });
    expect(u1.status).toBe(200);
    expect((u1.body.engagement as Rec).modified_date).toBe('2026-11-01T00:01:00.000Z');
    // The clock does not move: the next writes are 1 ms apart, never equal.
    const u2 = await devrevCall(sb, '/engagements.update', { body: { id: second, title: 'x' } });
    const u3 = await devrevCall(sb, '/engagements.update', { body: { id: oldest, title: 'y' } });
    expect((u2.body.engagement as Rec).modified_date).toBe('2026-11-01T00:01:00.001Z');
    expect((u3.body.engagement as Rec).modified_date).toBe('2026-11-01T00:01:00.002Z');
    const created = await devrevCall(sb, '/engagements.create', {
      body: {
        title: 'late',
        members: ['DEVU-1'],
        scheduled_date: '2026-01-01T00:00:00.000Z',
      },
    });
    expect(created.status).toBe(201);
    const eng = created.body.engagement as Rec;
    expect(eng.created_date).toBe('2026-11-01T00:01:00.003Z');
    expect(eng.modified_date).toBe('2026-11-01T00:01:00.003Z');

    const top = (await listAll('modified_date:desc')).slice(0, 4);
    expect(ids(top)).toEqual([eng.id, oldest, second, top[3]?.id]);
    expect(modified(top[3] as Rec)).toBeLessThanOrEqual(NOW);
    expect(top[1]?.title).toBe('y');
    // Ascending order is the mirror image.
    const asc = await listAll('modified_date:asc');
    expect(ids(asc.slice(-3))).toEqual([second, oldest, eng.id]);
  });

  it('a modified time is never earlier than a previous one, even when the clock runs behind the data', async () => {
    now = NOW - 86_400_000;
    const first = (await listAll('created_date:asc'))[0]?.id as string;
    const r = await devrevCall(sb, '/engagements.update', { body: { id: first, title: 'z' } });
    // Later than every seeded record (whose times end at now), so a feed reading down to its
    // checkpoint finds the edit.
    expect((r.body.engagement as Rec).modified_date).toBe('2026-11-01T00:00:00.001Z');
  });

  it('a delete removes the engagement from every order, count and get', async () => {
    const all = await listAll('modified_date:desc');
    const victim = all[10]?.id as string;
    const del = await devrevCall(sb, '/engagements.delete', { body: { id: victim } });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    const after = await listAll('modified_date:desc');
    expect(ids(after)).toEqual(ids(all).filter((id) => id !== victim));
    expect(ids(await listAll('created_date:asc'))).not.toContain(victim);
    expect((await devrevCall(sb, '/engagements.count', { body: {} })).body.count).toBe(299);
    expect((await devrevCall(sb, '/engagements.get', { query: `id=${victim}` })).status).toBe(404);
  });

  it('a listing by modified_date:desc that is edited between pages goes on below its cursor: the edited record is not repeated, the deleted one not returned', async () => {
    const all = await listAll('modified_date:desc');
    const page1 = await devrevCall(sb, '/engagements.list', {
      body: { sort_by: ['modified_date:desc'], limit: 50 },
    });
    const first = page1.body.engagements as Rec[];
    expect(ids(first)).toEqual(ids(all.slice(0, 50)));
    const seen = first[20]?.id as string;
    const unseen = all[120]?.id as string;
    const gone = all[130]?.id as string;
    now = NOW + 1000;
    await devrevCall(sb, '/engagements.update', { body: { id: seen, title: 'again' } });
    await devrevCall(sb, '/engagements.update', { body: { id: unseen, title: 'moved up' } });
    await devrevCall(sb, '/engagements.delete', { body: { id: gone } });
    const rest: Rec[] = [];
    let cursor = page1.body.next_cursor as string | undefined;
    while (cursor) {
      const r = await devrevCall(sb, '/engagements.list', {
        body: { sort_by: ['modified_date:desc'], limit: 50, cursor },
      });
      rest.push(...(r.body.engagements as Rec[]));
      cursor = r.body.next_cursor as string | undefined;
    }
    expect(ids(rest)).toEqual(
      ids(all.slice(50)).filter((id) => id !== seen && id !== unseen && id !== gone),
    );
    // Both edits are at the top of a new listing.
    const fresh = await listAll('modified_date:desc');
    expect(ids(fresh.slice(0, 2))).toEqual([unseen, seen]);
  });

  it('conversations: an edit (test control) bumps modified_date and modified_date.after/before find exactly the edited ones', async () => {
    const conv = sb.data.devrev.conversations;
    const all = conv.ids();
    expect(all).toHaveLength(60);
    now = NOW + 5 * 60_000;
    const edited = [all[0], all[33]] as string[];
    const e1 = conv.update(edited[0] as string, { title: 'renamed' });
    const e2 = conv.update(edited[1] as string, { stage: { name: 'resolved' } });
    expect(e1.modified_date).toBe('2026-11-01T00:05:00.000Z');
    expect(e2.modified_date).toBe('2026-11-01T00:05:00.001Z');
    const after = '2026-11-01T00:00:00.001Z';
    const post = await devrevCall(sb, '/conversations.list', {
      body: { modified_date: { after }, limit: 100 },
    });
    expect(ids(post.body.conversations)).toEqual(edited);
    const get = await devrevCall(sb, '/conversations.list', {
      query: `modified_date.after=${after}&limit=100`,
    });
    expect(ids(get.body.conversations)).toEqual(edited);
    // Inclusive bounds: exactly the second edit's time.
    const exact = await devrevCall(sb, '/conversations.list', {
      body: { modified_date: { after: e2.modified_date, before: e2.modified_date } },
    });
    expect(ids(exact.body.conversations)).toEqual([edited[1]]);
    // The edited conversation's filters follow its new content.
    const closed = await devrevCall(sb, '/conversations.list', {
      body: { modified_date: { after }, state: ['closed'] },
    });
    expect(ids(closed.body.conversations)).toEqual([edited[1]]);
    // Before `now` nothing edited is left out, and nothing edited comes back.
    const old = await devrevCall(sb, '/conversations.list', {
      body: { modified_date: { before: new Date(NOW).toISOString() }, limit: 100 },
    });
    expect(ids(old.body.conversations)).toEqual(all.filter((id) => !edited.includes(id)));
  });

  it('conversations: deleted and late-inserted ones (test control) leave and join the listing', async () => {
    const conv = sb.data.devrev.conversations;
    const all = conv.ids();
    now = NOW + 60_000;
    conv.delete(all[5] as string);
    const late = conv.insert({ created_date: '2026-10-01T00:00:00.000Z', title: 'late' });
    expect(late.created_date).toBe('2026-10-01T00:00:00.000Z');
    expect(late.modified_date).toBe('2026-11-01T00:01:00.000Z');
    const list = await devrevCall(sb, '/conversations.list', { body: { limit: 100 } });
    const listed = ids(list.body.conversations);
    expect(listed).toHaveLength(60);
    expect(listed).not.toContain(all[5]);
    // Ordered by created_date: the late one sits among October's conversations, not at the end.
    const at = listed.indexOf(late.id as string);
    const created = (list.body.conversations as Rec[]).map((c) => c.created_date as string);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(59);
    expect([...created].sort()).toEqual(created);
    const changed = await devrevCall(sb, '/conversations.list', {
      body: { modified_date: { after: '2026-11-01T00:00:30.000Z' } },
    });
    expect(ids(changed.body.conversations)).toEqual([late.id]);
  });
});
