import type { EngagementAdapter } from '../adapter/types';
import type { Engagement } from '../model/engagement';

/** Sort key of the merged listing: `occurredAt`, then `id` to break ties. */
export interface MergeKey {
  t: number;
  id: string;
}

export const keyOf = (e: Engagement): MergeKey => ({ t: Date.parse(e.occurredAt), id: e.id });

/** Negative when `a` sorts before `b` in ascending order. */
export function compareKeys(a: MergeKey, b: MergeKey): number {
  if (a.t !== b.t) return a.t - b.t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A provider's page size in a merged listing: the merged one, within the provider's maximum. */
export function providerPageSize(
  pageSize: number | undefined,
  adapter: EngagementAdapter,
): number | undefined {
  return pageSize === undefined ? undefined : Math.min(pageSize, adapter.capabilities.maxPageSize);
}

/** A tiny semaphore: at most `limit` pulls run at once. */
export function limiter(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
