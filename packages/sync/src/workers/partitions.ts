import type { EngagementAdapter, ListEngagementsParams } from '@engagekit/core';
import { waitingForSlots } from './rate-limit';
import type { ShardPartition } from './shards';

/** What {@link checkedPartitions} found. */
export type PartitionCheck =
  | { ok: true; partitions: readonly ShardPartition[]; total: number }
  | { ok: false; reason: string };

/** Counts {@link checkedPartitions} has in flight at once. */
export const COUNT_CONCURRENCY = 8;

/**
 * Checks that `partitions` hold every record of the adapter exactly once before the backfill is
 * split by them: the adapter's `count()` without a filter must equal the sum of its counts per
 * partition. A record in no partition (a vendor value the list does not name) would otherwise never
 * be synced, so any difference, a failed count or an adapter that cannot count means no partitions.
 * The counts run up to {@link COUNT_CONCURRENCY} at a time; after a failure no more start. A count
 * refused a slot by a shared rate limit (in `request.beforeRequest`) is sent again once the slot is
 * within reach (`onSlotWait` is told how long that is), up to `MAX_SLOT_REFUSALS` times each.
 */
export async function checkedPartitions(
  adapter: EngagementAdapter,
  partitions: readonly ShardPartition[],
  options: {
    request?: ListEngagementsParams['request'];
    signal?: AbortSignal | undefined;
    /** A count was refused a slot of a shared rate limit: it is sent again in `waitMs`. */
    onSlotWait?: ((waitMs: number) => void) | undefined;
  } = {},
): Promise<PartitionCheck> {
  if (!adapter.capabilities.operations.count) {
    return { ok: false, reason: `${adapter.id} cannot count` };
  }
  if (partitions.length === 0) return { ok: false, reason: 'no partitions' };
  const count = (native?: Readonly<Record<string, unknown>>) =>
    waitingForSlots(
      () =>
        adapter.engagements.count({
          ...(native ? { native: { ...native } } : {}),
          request: options.request,
          signal: options.signal,
        }),
      { signal: options.signal, onWait: options.onSlotWait },
    );
  // Up to COUNT_CONCURRENCY at a time: each is one request that waits for the vendor's latency,
  // and each still takes the rate limit (the adapter's, or the shared one through `request`).
  const natives = [undefined, ...partitions.map((p) => p.native)];
  const counts: number[] = [];
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const lane = async () => {
    while (!failed && next < natives.length) {
      const i = next++;
      try {
        counts[i] = await count(natives[i]);
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(COUNT_CONCURRENCY, natives.length) }, lane));
  if (failed) {
    const error = firstError;
    return { ok: false, reason: `count failed: ${error instanceof Error ? error.message : error}` };
  }
  const total = counts[0] as number;
  let sum = 0;
  for (let i = 1; i < counts.length; i++) sum += counts[i] as number;
  if (sum !== total) {
    return { ok: false, reason: `the partitions count ${sum} records, the provider ${total}` };
  }
  return { ok: true, partitions, total };
}
