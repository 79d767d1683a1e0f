import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrutoAdapter } from '../src/index';

const DAY = 86_400_000;
/**
 * More records than 25 empty pages (core's default `maxEmptyPages`) of the sandbox's per-request
 * scan (20,000 records) reach: a modified-since filter matching only the last day found its
 * matches after 30 pages of nothing and failed with `PaginationError('empty-pages')`.
 */
const COUNT = 600_000;
const NOW = Date.parse('2026-11-30T00:00:00.000Z');
const SINCE = NOW - DAY;
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({
    seed: 3,
    count: { truto: COUNT, devrev: 1, zoom: 1 },
    now: NOW,
    days: 180,
    clock: () => NOW + 60_000,
  });
});
afterAll(() => sb?.close());

const updatedMs = (id: string) => {
  const r = sb.data.truto.engagements.get(id);
  return Date.parse(String(r?.updated_at ?? r?.created_at));
};

/** Index of the first id (ids are in start order) whose start_time is at or after `ms`. */
function firstStartingAt(ids: string[], ms: number): number {
  const startOf = (id: string) => Date.parse(String(sb.data.truto.engagements.get(id)?.start_time));
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (startOf(ids[mid] as string) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const listRequests = () =>
  sb.log.entries({ vendor: 'truto', method: 'GET', path: '/unified/crm/engagements' });

describe('truto listing and modified-mode changes where few of 600k sandbox records match', () => {
  it('delivers exactly the records updated since `since`, without empty pages', async () => {
    const records = sb.data.truto.engagements;
    const ids = records.ids();
    expect(ids).toHaveLength(COUNT);
    // Edits of engagements that started months ago: matches far before the recent ones, with
    // more than 25 scans' worth of non-matching records after them.
    const edited = [ids[10], ids[30_000]] as string[];
    for (const id of edited) records.update(id, { subject: 'edited' });
    // Seeded updated_at lies within a day after start_time (ids are in start order): the last
    // two days of records plus the edits hold every match. The spot check below tests that.
    const lo = firstStartingAt(ids, SINCE - 2 * DAY);
    const updatedSince = (id: string) => updatedMs(id) >= SINCE;
    const expected = new Set([...ids.slice(lo).filter(updatedSince), ...edited]);
    for (let i = 0; i < lo; i += 97) {
      const id = ids[i] as string;
      if (!edited.includes(id)) expect(updatedSince(id), id).toBe(false);
    }
    expect(expected.size).toBeGreaterThan(1000);
    expect(expected.size).toBeLessThan(20_000);
    sb.log.clear();

    const truto = createTrutoAdapter({
      ...sb.credentials.truto,
      baseUrl: sb.urls.truto,
      changes: 'modified',
      rateLimit: false,
    });
    const delivered: string[] = [];
    for await (const change of truto.engagements.changes({ since: new Date(SINCE) })) {
      expect(change.type).toBe('upsert');
      delivered.push(change.id);
    }
    expect(delivered.length).toBe(expected.size);
    expect(new Set(delivered)).toEqual(new Set([...expected].map((id) => `truto:${id}`)));

    // Full pages of matches: no request came back empty or short before the last.
    const pages = listRequests();
    expect(pages.length).toBe(Math.ceil(expected.size / 100));
    for (const page of pages)
      expect(page.query['updated_at[gt]']).toBe(new Date(SINCE - 1).toISOString());
  }, 300_000);

  it('an updated_at upper bound ends the listing after the last match (no trailing empty pages)', async () => {
    const ids = sb.data.truto.engagements.ids();
    const until = Date.parse('2026-06-05T00:00:00.000Z');
    const hi = firstStartingAt(ids, until + 2 * DAY);
    const expected = ids.slice(0, hi).filter((id) => updatedMs(id) <= until);
    for (let i = hi; i < ids.length; i += 97)
      expect(updatedMs(ids[i] as string), ids[i]).toBeGreaterThan(until);
    expect(expected.length).toBeGreaterThan(1000);
    sb.log.clear();

    const truto = createTrutoAdapter({
      ...sb.credentials.truto,
      baseUrl: sb.urls.truto,
      rateLimit: false,
    });
    const listed = await truto.engagements
      .list({ pageSize: 100, native: { 'updated_at[lte]': new Date(until).toISOString() } })
      .toArray();
    expect(listed.map((e) => e.remoteId)).toEqual(expected);
    expect(listRequests().length).toBe(Math.ceil(expected.length / 100));
  }, 300_000);

  it('a filter nothing matches is one empty last page, not a run of empty pages', async () => {
    const small = await startSandbox({ seed: 4, count: { truto: 50_000, devrev: 1, zoom: 1 } });
    try {
      const truto = createTrutoAdapter({
        ...small.credentials.truto,
        baseUrl: small.urls.truto,
        rateLimit: false,
      });
      const listed = await truto.engagements.list({ native: { owner: 'nobody' } }).toArray();
      expect(listed).toEqual([]);
      const requests = small.log.entries({ vendor: 'truto', path: '/unified/crm/engagements' });
      expect(requests.map((r) => r.query.owner)).toEqual(['nobody']);
    } finally {
      await small.close();
    }
  }, 300_000);
});
