import type { Engagement, EngagementAdapter, PageIterator } from '@engagekit/core';
import type { SourcePage } from '@engagekit/core/adapter';
import type { SyncClient, SyncListing } from '../sync';
import type { SharedRateLimit } from './rate-limit';

/**
 * The client a worker syncs a shard through. Each request the adapter sends for the listing takes a
 * slot of the shared `limit`: the limit is the listing's `beforeRequest`, which the adapter's
 * transport awaits before every attempt (a page's first, its retries after a 429 or 5xx) and hands
 * to the token requests it makes (Zoom's OAuth), so no request bypasses the bucket and none takes
 * two slots.
 */
export function shardClient(
  adapter: EngagementAdapter,
  limit: SharedRateLimit | undefined,
  pageSize: number | undefined,
  /** A partitioned shard's `native` list parameters. */
  native?: Record<string, unknown> | undefined,
): SyncClient {
  return {
    engagements: {
      list: (p) =>
        gatedListing(
          adapter.engagements.list({
            from: p.from,
            to: p.to,
            cursor: p.cursor,
            signal: p.signal,
            pageSize,
            ...(native ? { native: { ...native } } : {}),
            // The next page is requested while this one is written: a shard waits on the vendor's
            // latency once per page, not once per page plus the sync's work on it. Each request
            // still takes its slot of the limit (beforeRequest runs per attempt, ahead or not).
            prefetch: true,
            request: limit ? { beforeRequest: limit.beforeRequest } : undefined,
          }),
          p.cursor,
        ),
    },
  };
}

/**
 * The client a provider's change-feed job syncs through: like {@link shardClient}, each request the
 * adapter sends for the feed (each page's attempts, Zoom's token requests) and for `get()` takes a
 * slot of the shared `limit`. `list()` is never called on a stream in its changes phase: `lost`
 * is the error it throws if it is.
 */
export function changesClient(
  adapter: EngagementAdapter,
  limit: SharedRateLimit | undefined,
  lost: () => Error,
): SyncClient {
  const request = limit ? { beforeRequest: limit.beforeRequest } : undefined;
  return {
    engagements: {
      list: () => {
        throw lost();
      },
      changes: (p) => adapter.engagements.changes({ ...p, request }),
      get: (engagementId) => adapter.engagements.get(engagementId, request),
    },
  };
}

/**
 * Reads an adapter's listing page by page, awaiting `beforePage` (when given) before each page is
 * requested, and exposes the cursor the sync checkpoints: after the last item yielded where the page
 * can name one, else the cursor of the page's start (re-reading a page is harmless: the store skips
 * what it already holds). A rate limit belongs in the adapter's `beforeRequest` instead (see
 * {@link shardClient}): `beforePage` runs once per page, not per attempt.
 */
export function gatedListing(
  listing: PageIterator<Engagement>,
  start: string | undefined,
  beforePage?: () => Promise<void>,
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
          if (beforePage) await beforePage();
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
