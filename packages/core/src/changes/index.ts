export {
  type CheckpointState,
  decodeCheckpoint,
  encodeCheckpoint,
  isCheckpoint,
  MAX_CHECKPOINT_LENGTH,
  MAX_REMEMBERED,
} from './checkpoint';
export {
  AdapterChangeFeed,
  type ChangeFeedSource,
  type ChangeListRequest,
  createChangeFeed,
  DEFAULT_MODIFIED_LOOKBACK_MS,
  sinceDateMs,
} from './feed';
export { type ChangeFeedFailure, MergedChangeFeed, type MergedChangeFeedParams } from './merged';
export type { ChangeCapabilities, ChangeFeed, ChangeFeedParams } from './types';
