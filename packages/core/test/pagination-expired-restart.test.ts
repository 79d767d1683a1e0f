import { describe, expect, it } from 'vitest';
import { PaginationError } from '../src/errors';
import { type FetchPageRequest, type FetchPageResult, paginate } from '../src/pagination';
import { MAX_TRACKED_IDS } from '../src/pagination/paginate';
import { base, ids, type Rec } from './scripted-vendor';

// An expired page token re-reads the listing from its start. Skipping what was consumed by count
// alone lost records when some before the resume point were deleted meanwhile: the count then
// stepped over records never yielded.

class ExpiredToken extends Error {}

/**
 * A vendor paging `records` (live: changes show on the next request) by offset tokens. The first
 * use of the token at `expireAt` runs `change` on the records, then fails as expired. The page at
 * offset 0 also reports `invalidOnFirstPage` (unreadable records at their raw positions).
 */
function liveVendor(
  initial: Rec[],
  pageSize: number,
  expireAt: number,
  change: (records: Rec[]) => void,
  maxCalls = 200,
  invalidOnFirstPage: FetchPageResult<Rec>['invalid'] = undefined,
) {
  const records = [...initial];
  let expired = false;
  let calls = 0;
  const fetchPage = async (req: FetchPageRequest): Promise<FetchPageResult<Rec>> => {
    if (++calls > maxCalls) throw new Error('fake vendor called too often: a loop');
    const offset = req.token === undefined ? 0 : Number(req.token);
    if (offset === expireAt && !expired) {
      expired = true;
      change(records);
      throw new ExpiredToken('page token expired');
    }
    const items = records.slice(offset, offset + pageSize);
    const next = offset + pageSize;
    const nextToken = next < records.length ? String(next) : undefined;
    return offset === 0 && invalidOnFirstPage
      ? { items, invalid: invalidOnFirstPage, nextToken }
      : { items, nextToken };
  };
  return { fetchPage, records, calls: () => calls };
}

const numbered = (n: number, prefix = 'r') =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));
const options = { ...base, isExpiredToken: (e: unknown) => e instanceof ExpiredToken };

async function listAll(fetchPage: (req: FetchPageRequest) => Promise<FetchPageResult<Rec>>) {
  return ids(await paginate<Rec>({ ...options, fetchPage }).toArray());
}

describe('an expired page token restarts the listing without losing a record', () => {
  it('a record deleted before the resume point meanwhile shifts nothing past the records never yielded', async () => {
    const initial = numbered(20);
    // Expires at offset 9 (after three pages of 3); r4 is deleted before the restart.
    const vendor = liveVendor(initial, 3, 9, (records) => records.splice(4, 1));
    const got = await listAll(vendor.fetchPage);
    expect(got).toEqual(ids(initial));
  });

  it('five deletions spread before the point: every record once', async () => {
    const initial = numbered(30);
    const vendor = liveVendor(initial, 4, 16, (records) => {
      for (const id of ['r1', 'r3', 'r7', 'r11', 'r14']) {
        records.splice(
          records.findIndex((r) => r.id === id),
          1,
        );
      }
    });
    expect(await listAll(vendor.fetchPage)).toEqual(ids(initial));
  });

  it('more records inserted before the point than a page holds: no error, no repeat, and the new ones are yielded', async () => {
    const initial = numbered(20);
    const added = numbered(7, 'new');
    const vendor = liveVendor(initial, 3, 9, (records) => records.unshift(...added));
    const got = await listAll(vendor.fetchPage);
    expect(new Set(got).size).toBe(got.length);
    expect(got.filter((id) => id.startsWith('r'))).toEqual(ids(initial));
    expect(got.filter((id) => id.startsWith('new')).sort()).toEqual(ids(added).sort());
  });

  it(`past ${MAX_TRACKED_IDS} records consumed, deletions within the last ${MAX_TRACKED_IDS} lose nothing either`, async () => {
    const initial = numbered(MAX_TRACKED_IDS + 2_500);
    const expireAt = MAX_TRACKED_IDS + 2_000;
    const vendor = liveVendor(initial, 500, expireAt, (records) => records.splice(2_500, 9_000));
    const got = await listAll(vendor.fetchPage);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(ids(initial));
  });

  it('records without an id before the point are not yielded again', async () => {
    const initial = numbered(12);
    const vendor = liveVendor(initial, 3, 6, () => {});
    const got = await paginate<Rec>({
      ...options,
      fetchPage: vendor.fetchPage,
      idOf: () => undefined,
    }).toArray();
    expect(ids(got)).toEqual(ids(initial));
  });

  it('an unreadable record before the point is reported once', async () => {
    const initial = numbered(9);
    // Page 0 holds an unreadable record at position 1 (its own raw index among four).
    const { fetchPage } = liveVendor(initial, 3, 6, () => {}, 20, [
      { index: 1, provider: 'acme', remoteId: 'bad', path: [1], issues: [], raw: {} },
    ]);
    const iterator = paginate<Rec>({ ...options, fetchPage, onInvalidRecord: 'skip' });
    const got = ids(await iterator.toArray());
    expect(got).toEqual(ids(initial));
    expect(iterator.skippedCount).toBe(1);
    expect(iterator.skipped.map((s) => s.remoteId)).toEqual(['bad']);
  });

  it('a vendor that answers the restart with pages of records already yielded, under new tokens, without end, fails with repeated-page', async () => {
    const first = numbered(6);
    let calls = 0;
    let expired = false;
    const fetchPage = async (req: FetchPageRequest): Promise<FetchPageResult<Rec>> => {
      if (++calls > 100) throw new Error('fake vendor called too often: a loop');
      const n = req.token === undefined ? 0 : Number(req.token);
      if (n === 2 && !expired) {
        expired = true;
        throw new ExpiredToken('expired');
      }
      // After the restart: the same three records, ever again.
      if (expired && n >= 2) return { items: first.slice(3, 6), nextToken: String(n + 1) };
      return { items: first.slice(n * 3, n * 3 + 3), nextToken: String(n + 1) };
    };
    const err = await paginate<Rec>({ ...options, fetchPage })
      .toArray()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaginationError);
    expect((err as PaginationError).reason).toBe('repeated-page');
    // Bounded by the repeats a restart may drop: twice the 6 records re-read, three a page.
    expect(calls).toBeLessThanOrEqual(3 + 1 + 12 / 3 + 1);
  });
});
