import { type FilterSupport, InputValidationError } from '@engagekit/core';
import { type SyncShard, shardStream } from '../sync';

const DAY = 86_400_000;

/** What planning needs to know of a provider: its id and the longest window its API takes. */
export interface ShardProvider {
  id: string;
  /** The vendor's longest `from`/`to` window (`adapter.capabilities.maxWindowMs`). */
  maxWindowMs?: number | undefined;
  /**
   * Where the vendor's listing filters by date (`adapter.capabilities.filters.from`). `'client'`
   * (DevRev: its engagements have no date filter) means a window's listing reads every record and
   * keeps the window's, so splitting the range would read the whole dataset once per window: such
   * a provider gets ONE shard for the whole range. @default 'server'
   */
  timeFilter?: FilterSupport | undefined;
  /**
   * Disjoint slices that together hold every record of the provider (checked first with
   * {@link checkedPartitions}): a provider without a date filter gets one whole-range shard per
   * partition instead of a single one, so its backfill runs on as many workers. Ignored for a
   * provider that filters by date (its windows already split it).
   */
  partitions?: readonly ShardPartition[] | undefined;
}

/** One slice of a provider's records, selected by vendor-specific `native` list parameters. */
export interface ShardPartition {
  /** Part of the shard's checkpoint stream: letters, digits, `_` and `-`. */
  name: string;
  /** Passed as `native` to the adapter's `list()` (and `count()` when checked). */
  native: Readonly<Record<string, unknown>>;
}

/** A planned shard: a {@link SyncShard}, and the partition it lists when it has one. */
export interface PlannedShard extends SyncShard {
  partition?: string | undefined;
  native?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The checkpoint stream of a planned shard: `shardStream()` of its window, then `:<partition>` when
 * it has one, so each partition resumes from its own checkpoint.
 */
export function plannedShardStream(shard: PlannedShard): string {
  const stream = shardStream(shard);
  return shard.partition === undefined ? stream : `${stream}:${shard.partition}`;
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
 * (Zoom: one month) and at most `windowMs`, covering `[from, to)` without gaps or overlaps; a
 * provider that cannot filter by date gets one shard for the whole range (one per partition when it
 * has `partitions`). The oldest stretch of a provider's range, up to two windows long, is cut into
 * quarter windows. In the order workers should claim them: whole-range shards first (the longest:
 * started last, one would finish after everything else), then the windows newest first, every
 * provider's window i before any window i + 1, so recent data lands first and the short windows
 * come last (workers finish together).
 */
export function planShards(options: PlanShardsOptions): PlannedShard[] {
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
  const whole: PlannedShard[] = [];
  const windows: PlannedShard[][] = [];
  options.providers.forEach((p, i) => {
    if (typeof p?.id !== 'string' || p.id.length === 0) {
      throw bad(`providers.${i}.id`, 'expected a provider id');
    }
    const max = p.maxWindowMs;
    if (max !== undefined && (!Number.isFinite(max) || max < 60_000)) {
      throw bad(`providers.${i}.maxWindowMs`, 'expected at least 60000 ms');
    }
    if (p.timeFilter !== undefined && p.timeFilter !== 'server' && p.timeFilter !== 'client') {
      throw bad(`providers.${i}.timeFilter`, "expected 'server' or 'client'");
    }
    const parts = checkPartitions(p.partitions, `providers.${i}.partitions`, bad);
    const shard = (start: number, end: number): PlannedShard => ({
      provider: p.id,
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
    });
    if (p.timeFilter === 'client') {
      if (parts.length === 0) whole.push(shard(from, to));
      for (const part of parts) {
        whole.push({ ...shard(from, to), partition: part.name, native: part.native });
      }
      return;
    }
    const step = Math.min(windowMs, max ?? windowMs);
    let w = 0;
    for (let end = to; end > from; w++) {
      // The oldest stretch, up to two windows long, is cut into quarter windows: they are claimed
      // last, so the backfill ends on short shards and the workers finish together, where a full
      // window claimed last would run on one worker while the others sit idle.
      const size = end - from <= 2 * step ? Math.ceil(step / 4) : step;
      windows[w] ??= [];
      windows[w]?.push(shard(Math.max(from, end - size), end));
      end -= size;
    }
  });
  return [...whole, ...windows.flat()];
}

function checkPartitions(
  partitions: readonly ShardPartition[] | undefined,
  path: string,
  bad: (path: string, message: string) => InputValidationError,
): readonly ShardPartition[] {
  if (partitions === undefined) return [];
  if (!Array.isArray(partitions)) throw bad(path, 'expected an array of partitions');
  const names = new Set<string>();
  partitions.forEach((part, j) => {
    const name = part?.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
      throw bad(`${path}.${j}.name`, 'expected 1-64 letters, digits, _ or -');
    }
    if (names.has(name)) throw bad(`${path}.${j}.name`, `duplicate partition ${name}`);
    names.add(name);
    if (typeof part.native !== 'object' || part.native === null || Array.isArray(part.native)) {
      throw bad(`${path}.${j}.native`, 'expected an object of list parameters');
    }
  });
  return partitions;
}
