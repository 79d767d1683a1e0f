import { DEVREV_ENGAGEMENT_TYPES } from './wire/engagement';

/**
 * DevRev's engagements split by `type`, one partition per engagement type: each record has one
 * type, so together they list every typed record once. For `startSyncWorker({ partitions: {
 * devrev: DEVREV_TYPE_PARTITIONS } })`, which checks `count()` against their sum first (a record of
 * a type missing here would be in none) and keeps one whole-range shard when they differ.
 */
export const DEVREV_TYPE_PARTITIONS: readonly {
  readonly name: string;
  readonly native: Readonly<Record<string, unknown>>;
}[] = DEVREV_ENGAGEMENT_TYPES.map((type) => ({ name: type, native: { type } }));
