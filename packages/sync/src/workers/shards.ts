import { InputValidationError } from '@engagekit/core';
import type { SyncShard } from '../sync';

const DAY = 86_400_000;

/** What planning needs to know of a provider: its id and the longest window its API takes. */
export interface ShardProvider {
  id: string;
  /** The vendor's longest `from`/`to` window (`adapter.capabilities.maxWindowMs`). */
  maxWindowMs?: number | undefined;
}

/** Options of {@link planShards}. */
export interface PlanShardsOptions {
  providers: readonly ShardProvider[];
  from: Date | string;
  to: Date | string;
  /**
   * The longest shard, for vendors without a window limit (DevRev, Truto): a shard is one job, so
   * it must finish well within the queue's expiry. @default 7 days
   */
  windowMs?: number | undefined;
}

/**
 * Splits a backfill into shards: provider × window, each window at most the vendor's own limit
 * (Zoom: one month) and at most `windowMs`, covering `[from, to)` without gaps or overlaps. The
 * newest windows come first, so recent data lands first.
 */
export function planShards(options: PlanShardsOptions): SyncShard[] {
  const from = new Date(options.from).getTime();
  const to = new Date(options.to).getTime();
  const bad = (path: string, message: string) =>
    new InputValidationError([{ path, rule: 'invalid', message }]);
  if (Number.isNaN(from)) throw bad('from', 'expected a date');
  if (Number.isNaN(to) || to <= from) throw bad('to', 'expected a date after from');
  const windowMs = options.windowMs ?? 7 * DAY;
  if (!Number.isFinite(windowMs) || windowMs < 60_000) {
    throw bad('windowMs', 'expected at least 60000 ms');
  }
  if (!Array.isArray(options.providers) || options.providers.length === 0) {
    throw bad('providers', 'expected at least one provider');
  }
  const shards: SyncShard[] = [];
  options.providers.forEach((p, i) => {
    if (typeof p?.id !== 'string' || p.id.length === 0) {
      throw bad(`providers.${i}.id`, 'expected a provider id');
    }
    const max = p.maxWindowMs;
    if (max !== undefined && (!Number.isFinite(max) || max < 60_000)) {
      throw bad(`providers.${i}.maxWindowMs`, 'expected at least 60000 ms');
    }
    const step = Math.min(windowMs, max ?? windowMs);
    for (let end = to; end > from; end -= step) {
      const start = Math.max(from, end - step);
      shards.push({
        provider: p.id,
        from: new Date(start).toISOString(),
        to: new Date(end).toISOString(),
      });
    }
  });
  return shards;
}
