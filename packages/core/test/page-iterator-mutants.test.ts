// Issue 17: PageIterator behaviour the pagination mutation run found unheld (page-iterator.ts).
import { describe, expect, it } from 'vitest';
import { PageIterator, type SourcePage } from '../src/pagination/page-iterator';

/** A source of fixed pages without `cursorAfter` (only page-level `nextCursor`), counting closes. */
function pagesOf(pages: SourcePage<string>[], closed: { count: number }) {
  return new PageIterator<string>(async function* () {
    try {
      for (const page of pages) yield page;
    } finally {
      closed.count++;
    }
  });
}

describe('PageIterator.cursor for pages that only carry a nextCursor', () => {
  it('is the page cursor after the page’s last item, none before it', async () => {
    const closed = { count: 0 };
    const it = pagesOf(
      [
        { items: ['a', 'b'], nextCursor: 'after-b' },
        { items: ['c'], nextCursor: 'after-c' },
      ],
      closed,
    );
    const seen: [string, string | undefined][] = [];
    for await (const item of it) seen.push([item, it.cursor]);
    expect(seen).toEqual([
      ['a', undefined],
      ['b', 'after-b'],
      ['c', 'after-c'],
    ]);
    expect(closed.count).toBe(1);
  });
});

describe('PageIterator.map', () => {
  it('maps items and keeps page cursors', async () => {
    const closed = { count: 0 };
    const mapped = pagesOf([{ items: ['a', 'b'], nextCursor: 'n1' }], closed).map((s) =>
      s.toUpperCase(),
    );
    const seen: [string, string | undefined][] = [];
    for await (const item of mapped) seen.push([item, mapped.cursor]);
    expect(seen).toEqual([
      ['A', undefined],
      ['B', 'n1'],
    ]);
  });

  it('closes the source when the consumer stops early', async () => {
    const closed = { count: 0 };
    const mapped = pagesOf(
      [
        { items: ['a', 'b'], nextCursor: 'n1' },
        { items: ['c'], nextCursor: 'n2' },
      ],
      closed,
    ).map((s) => s.toUpperCase());
    const seen: string[] = [];
    for await (const item of mapped) {
      seen.push(item);
      break;
    }
    expect(seen).toEqual(['A']);
    expect(closed.count).toBe(1);
  });
});

/** A source of fixed pages that reports one skipped record and, at its end, a terminal cursor. */
function reportingSource(pages: string[][], calls: { count: number }) {
  const record = { provider: 'acme', path: ['items', 0], issues: [], raw: null };
  return new PageIterator<string>(async function* (sink) {
    if (++calls.count > 3) throw new Error('source started too often');
    sink.skipped(record);
    for (const items of pages) yield { items };
    sink.finished('terminal');
  });
}

describe('PageIterator state belongs to its own iterations', () => {
  it('reading sourcePages(sink) with another sink leaves done, cursor and skipped as they were', async () => {
    const calls = { count: 0 };
    const iterator = reportingSource([['a', 'b']], calls);
    expect(await iterator.toArray()).toEqual(['a', 'b']);
    expect([iterator.done, iterator.cursor, iterator.skippedCount]).toEqual([true, 'terminal', 1]);
    const reported: string[] = [];
    const other = {
      skipped: () => reported.push('skipped'),
      finished: (cursor: string | undefined) => reported.push(`finished ${cursor}`),
    };
    const items: string[] = [];
    for await (const page of iterator.sourcePages(other)) items.push(...page.items);
    expect(items).toEqual(['a', 'b']);
    expect(reported).toEqual(['skipped', 'finished terminal']);
    expect([iterator.done, iterator.cursor, iterator.skippedCount]).toEqual([true, 'terminal', 1]);
    expect(iterator.skipped).toHaveLength(1);
    expect(calls.count).toBe(2);
  });
});

describe('PageIterator item iterator: calls settle in order, as a generator’s do', () => {
  it('return() before the first next() ends it without starting the listing', async () => {
    const calls = { count: 0 };
    const items = reportingSource([['a']], calls)[Symbol.asyncIterator]();
    expect(await items.return(undefined)).toEqual({ done: true, value: undefined });
    expect(await items.next()).toEqual({ done: true, value: undefined });
    expect(calls.count).toBe(0);
  });

  it('a next() called while another is queued waits its turn, even with items at hand', async () => {
    const calls = { count: 0 };
    const items = reportingSource([['a', 'b', 'c']], calls)[Symbol.asyncIterator]();
    const first = items.next();
    const second = items.next();
    // Called as the first settles, before the queued second has run.
    const third = first.then(() => items.next());
    const values = (await Promise.all([first, second, third])).map((r) => r.value);
    expect(values).toEqual(['a', 'b', 'c']);
    expect(await items.next()).toEqual({ done: true, value: undefined });
    expect(calls.count).toBe(1);
  });
});
