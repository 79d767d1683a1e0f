import type { EngagementAdapter, ListEngagementsParams } from '@engagekit/core';
import type { ShardPartition } from './shards';

/** What {@link checkedPartitions} found. */
export type PartitionCheck =
  | { ok: true; partitions: readonly ShardPartition[]; total: number }
  | { ok: false; reason: string };

/**
 * Checks that `partitions` hold every record of the adapter exactly once before the backfill is
 * split by them: the adapter's `count()` without a filter must equal the sum of its counts per
 * partition. A record in no partition (a vendor value the list does not name) would otherwise never
 * be synced, so any difference, a failed count or an adapter that cannot count means no partitions.
 */
export async function checkedPartitions(
  adapter: EngagementAdapter,
  partitions: readonly ShardPartition[],
  options: { request?: ListEngagementsParams['request']; signal?: AbortSignal | undefined } = {},
): Promise<PartitionCheck> {
  if (!adapter.capabilities.operations.count) {
    return { ok: false, reason: `${adapter.id} cannot count` };
  }
  if (partitions.length === 0) return { ok: false, reason: 'no partitions' };
  const count = (native?: Readonly<Record<string, unknown>>) =>
    adapter.engagements.count({
      ...(native ? { native: { ...native } } : {}),
      request: options.request,
      signal: options.signal,
    });
  try {
    // One at a time: these requests take the vendor's rate limit like any other.
    const total = await count();
    let sum = 0;
    for (const p of partitions) sum += await count(p.native);
    if (sum !== total) {
      return { ok: false, reason: `the partitions count ${sum} records, the provider ${total}` };
    }
    return { ok: true, partitions, total };
  } catch (error) {
    return { ok: false, reason: `count failed: ${error instanceof Error ? error.message : error}` };
  }
}
