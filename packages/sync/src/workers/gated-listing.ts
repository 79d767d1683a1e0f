import type { Engagement, PageIterator } from '@engagekit/core';
import type { SourcePage } from '@engagekit/core/adapter';
import type { SyncListing } from '../sync';

/**
 * Reads an adapter's listing page by page, awaiting `beforePage` before each page is requested (the
 * shared rate limit), and exposes the cursor the sync checkpoints: after the last item yielded where
 * the page can name one, else the cursor of the page's start (re-reading a page is harmless: the
 * store skips what it already holds).
 */
export function gatedListing(
  listing: PageIterator<Engagement>,
  start: string | undefined,
  beforePage: () => Promise<void>,
): SyncListing {
  let cursor = start;
  let done = false;
  return {
    get cursor() {
      return cursor;
    },
    get done() {
      return done;
    },
    async *[Symbol.asyncIterator]() {
      let terminal: string | undefined;
      let finished = false;
      const pages = listing.sourcePages({
        skipped: () => {},
        finished: (c) => {
          finished = true;
          terminal = c;
        },
      });
      try {
        while (true) {
          await beforePage();
          const next = await pages.next();
          if (next.done) break;
          const page: SourcePage<Engagement> = next.value;
          const pageStart = cursor;
          for (let i = 0; i < page.items.length; i++) {
            const last = i === page.items.length - 1;
            cursor = page.cursorAfter?.(i) ?? (last ? (page.nextCursor ?? pageStart) : pageStart);
            yield page.items[i] as Engagement;
          }
        }
      } finally {
        await pages.return(undefined);
      }
      if (finished) {
        done = true;
        cursor = terminal ?? cursor;
      }
    },
  };
}
