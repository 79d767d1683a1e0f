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
