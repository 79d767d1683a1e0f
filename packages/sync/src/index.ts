/**
 * @engagekit/sync — engagements into Postgres, exactly once: `createSync()` over a store from
 * `@engagekit/sync/pglite` (embedded, a directory) or `@engagekit/sync/postgres` (a server).
 *
 * @packageDocumentation
 */
export type { ArrayRows, Queryable, StoreDriver } from './driver';
export { SyncError } from './errors';
export { type EngagementRow, rowToEngagement } from './rows';
export { DEFAULT_SCHEMA, validateSchemaName } from './schema';
export type { StreamState } from './state';
export type {
  BatchResult,
  StoredEngagement,
  StoreOptions,
  SyncStore,
  WriteBatch,
} from './store';
export {
  createSync,
  type Sync,
  type SyncBatchEvent,
  type SyncChangeFeed,
  type SyncChangesParams,
  type SyncClient,
  type SyncListing,
  type SyncOptions,
  type SyncShard,
  type SyncStats,
  shardStream,
  syncShard,
} from './sync';
