import type { Engagement, EngagementChange, MergedListParams } from '@engagekit/core';
import type { SyncChangesParams, SyncClient } from '../../src/index';

/**
 * A client over fixed engagements and changes that records what the sync asked for. Its listing
 * cursor is the index of the next item; its feed's checkpoint is `fake-<n>` after n changes.
 */
export function fakeClient(
  items: Engagement[],
  changes: EngagementChange[] = [],
  options: { listingEndsEarly?: boolean } = {},
) {
  const calls = { list: [] as MergedListParams[], changes: [] as SyncChangesParams[] };
  const client: SyncClient = {
    engagements: {
      list(params) {
        calls.list.push(params);
        if (calls.list.length > 20) throw new Error('fake client: too many list calls');
        let next = params.cursor === undefined ? 0 : Number(params.cursor);
        let done = false;
        return {
          get cursor() {
            return String(next);
          },
          get done() {
            return done;
          },
          async *[Symbol.asyncIterator]() {
            while (next < items.length) {
              const item = items[next] as Engagement;
              next++;
              yield item;
            }
            // A merged listing that skipped a failed provider ends without being done.
            done = !options.listingEndsEarly;
          },
        };
      },
      changes(params) {
        calls.changes.push(params);
        if (calls.changes.length > 20) throw new Error('fake client: too many changes calls');
        const start =
          typeof params.since === 'string' && params.since.startsWith('fake-')
            ? Number(params.since.slice(5))
            : 0;
        let read = start;
        return {
          get checkpoint() {
            return `fake-${read}`;
          },
          async *[Symbol.asyncIterator]() {
            while (read < changes.length) {
              const c = changes[read] as EngagementChange;
              read++;
              yield c;
            }
          },
        };
      },
    },
  };
  return { client, calls };
}
