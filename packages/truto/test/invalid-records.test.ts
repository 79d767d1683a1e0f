import { type InvalidRecord, ResponseValidationError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adapter, BASE, PATH, setupNock, trutoRecord } from './fixtures';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const good = (id: string, day: number) =>
  JSON.stringify(trutoRecord({ id, start_time: `2026-01-0${day}T00:00:00.000Z` }));
// Raw JSON text: `1e309` only exists before JSON.parse (which makes it Infinity).
const PAGE_1 = `{"result": [${[
  good('a', 1),
  '{"id": "b", "start_time": "0000-00-00"}',
  '{"start_time": "2026-01-03T00:00:00Z"}',
  '{"id": "d", "start_time": 1e309}',
  good('e', 5),
].join(', ')}], "next_cursor": "cur-2"}`;
const PAGE_2 = JSON.stringify({ result: [JSON.parse(good('f', 6))], next_cursor: null });

/** Serves page 1 (untokened) and page 2 (`next_cursor=cur-2`), each at most `times` times. */
function serve(times = 1) {
  const served: string[] = [];
  nock(BASE)
    .get(PATH)
    .query((q) => q.next_cursor === undefined)
    .times(times)
    .reply(() => {
      served.push('page-1');
      return [200, PAGE_1, { 'content-type': 'application/json' }];
    });
  nock(BASE)
    .get(PATH)
    .query((q) => q.next_cursor === 'cur-2')
    .times(times)
    .reply(() => {
      served.push('page-2');
      return [200, PAGE_2, { 'content-type': 'application/json' }];
    });
  return served;
}

describe('Truto: one bad record does not stop the listing', () => {
  it('fails on the first bad record by default, naming it and onInvalidRecord', async () => {
    serve();
    const error = await adapter()
      .engagements.list()
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).path).toBe('result.1.start_time');
    expect(String((error as Error).message + JSON.stringify(error))).toContain('onInvalidRecord');
  });

  it("with 'skip', lists past bad records and reports each with path, vendor id, issues and raw", async () => {
    const served = serve();
    const listing = adapter().engagements.list({ onInvalidRecord: 'skip' });
    const items = await listing.toArray();
    expect(items.map((e) => e.remoteId)).toEqual(['a', 'e', 'f']);
    expect(served).toEqual(['page-1', 'page-2']);
    expect(listing.skippedCount).toBe(3);
    const summary = listing.skipped.map((r: InvalidRecord) => ({
      remoteId: r.remoteId,
      path: r.path,
      issuePaths: r.issues.map((i) => i.path),
    }));
    expect(summary).toEqual([
      { remoteId: 'b', path: ['result', 1], issuePaths: ['result.1.start_time'] },
      { remoteId: undefined, path: ['result', 2], issuePaths: ['result.2.id'] },
      { remoteId: 'd', path: ['result', 3], issuePaths: ['result.3.start_time'] },
    ]);
    expect(listing.skipped[0]?.provider).toBe('truto');
    expect(listing.skipped[0]?.raw).toEqual({ id: 'b', start_time: '0000-00-00' });
    expect(listing.skipped[2]?.raw).toEqual({ id: 'd', start_time: Number.POSITIVE_INFINITY });
  });

  it('a function sees each bad record, and the listing goes on', async () => {
    serve();
    const seen: (string | undefined)[] = [];
    const items = await adapter()
      .engagements.list({ onInvalidRecord: (r) => seen.push(r.remoteId) })
      .toArray();
    expect(items.map((e) => e.remoteId)).toEqual(['a', 'e', 'f']);
    expect(seen).toEqual(['b', undefined, 'd']);
  });

  it('a listing resumed after a skipped record never returns to it', async () => {
    serve(2);
    const listing = adapter().engagements.list({ onInvalidRecord: 'skip' });
    const before: string[] = [];
    for await (const e of listing) {
      before.push(e.remoteId);
      if (e.remoteId === 'e') break;
    }
    expect(before).toEqual(['a', 'e']);
    const cursor = listing.cursor;
    expect(cursor).toMatch(/^ek1\./);
    const resumed = adapter().engagements.list({ onInvalidRecord: 'skip', cursor });
    expect((await resumed.toArray()).map((e) => e.remoteId)).toEqual(['f']);
    expect(resumed.skippedCount).toBe(0);
  });

  it('a listing resumed from a page cursor goes on with the next page', async () => {
    const served = serve(1);
    const page = await adapter().engagements.list({ onInvalidRecord: 'skip' }).firstPage();
    expect(page.items.map((e) => e.remoteId)).toEqual(['a', 'e']);
    const rest = await adapter()
      .engagements.list({ onInvalidRecord: 'skip', cursor: page.nextCursor })
      .toArray();
    expect(rest.map((e) => e.remoteId)).toEqual(['f']);
    expect(served).toEqual(['page-1', 'page-2']);
  });
});
