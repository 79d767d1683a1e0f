import { describe, expect, it } from 'vitest';
import { paginate } from '../src/pagination';
import { base, ids, type Rec, recs, scriptedVendor } from './scripted-vendor';

// A cursor taken in the middle of a page resumes by re-reading that page. Found by the merged
// change-feed property test (seed 540753136): Truto's first page lost a record between an aborted
// run and its resume, a by-count skip then stepped over a record never yielded, and the change was
// lost for good.
const { fake } = scriptedVendor(10);

/** A one-page vendor whose page is whatever `current` holds when it is asked. */
function livePage(initial: Rec[]) {
  const page = { current: initial };
  const vendor = fake<Rec>(() => ({ items: page.current, done: true }));
  return { page, vendor };
}

/** Lists to the end, after `k` items when `stopAfter` is set; the items and the cursor there. */
async function read(
  fetchPage: ReturnType<typeof fake<Rec>>['fetchPage'],
  cursor?: string,
  stopAfter?: number,
) {
  const iterator = paginate<Rec>({ ...base, fetchPage, ...(cursor ? { cursor } : {}) });
  const got: Rec[] = [];
  for await (const item of iterator) {
    got.push(item);
    if (got.length === stopAfter) return { got, cursor: iterator.cursor };
  }
  return { got, cursor: iterator.cursor };
}

describe('a cursor from the middle of a page resumes after its last item, wherever it now is', () => {
  it('a record deleted before it: the next one is not skipped', async () => {
    const { page, vendor } = livePage(recs('a', 'b', 'c', 'd', 'e'));
    const first = await read(vendor.fetchPage, undefined, 3);
    expect(ids(first.got)).toEqual(['a', 'b', 'c']);
    page.current = recs('a', 'c', 'd', 'e'); // b deleted: a count of 3 would skip d
    const rest = await read(vendor.fetchPage, first.cursor);
    expect(ids(rest.got)).toEqual(['d', 'e']);
  });

  it('a record inserted before it: nothing yielded twice, the new one is the listing’s next page’s concern', async () => {
    const { page, vendor } = livePage(recs('a', 'b', 'c', 'd'));
    const first = await read(vendor.fetchPage, undefined, 2);
    expect(ids(first.got)).toEqual(['a', 'b']);
    page.current = recs('a', 'x', 'b', 'c', 'd'); // a count of 2 would yield b again
    const rest = await read(vendor.fetchPage, first.cursor);
    expect(ids(rest.got)).toEqual(['c', 'd']);
  });

  it('the last item itself gone: the page is read again from its start (repeats at the resume boundary, nothing lost)', async () => {
    const { page, vendor } = livePage(recs('a', 'b', 'c', 'd'));
    const first = await read(vendor.fetchPage, undefined, 2);
    page.current = recs('a', 'c', 'd'); // b, the anchor, deleted
    const rest = await read(vendor.fetchPage, first.cursor);
    expect(ids(rest.got)).toEqual(['a', 'c', 'd']);
  });

  it('an unchanged page resumes exactly after the last item, as before', async () => {
    const { vendor } = livePage(recs('a', 'b', 'c'));
    const first = await read(vendor.fetchPage, undefined, 1);
    const rest = await read(vendor.fetchPage, first.cursor);
    expect([...ids(first.got), ...ids(rest.got)]).toEqual(['a', 'b', 'c']);
  });
});
