/**
 * `@engagekit/sync/workers` — a backfill as shards (provider × window) on pg-boss in the same
 * Postgres, claimed by `startSyncWorker()` processes on any number of machines, with each vendor's
 * rate limit shared through a token-bucket row.
 *
 * @packageDocumentation
 */
export { gatedListing } from './gated-listing';
export { checkedPartitions, type PartitionCheck } from './partitions';
export {
  type BackfillPlan,
  changesQueue,
  changesStream,
  PLAN_STREAM,
  SHARD_QUEUE,
  type ShardJob,
} from './plan';
export {
  type SharedRateLimit,
  type SharedRateLimitOptions,
  sharedRateLimit,
} from './rate-limit';
export {
  type PlannedShard,
  type PlanShardsOptions,
  plannedShardStream,
  planShards,
  type ShardPartition,
  type ShardProvider,
} from './shards';
export {
  type BackfillStatus,
  backfillStatus,
  DEFAULT_SHARED_RATE_LIMITS,
  type SyncWorker,
  type SyncWorkerEvent,
  type SyncWorkerOptions,
  startSyncWorker,
} from './worker';
