export {
  createTrutoAdapter,
  TRUTO_CAPABILITIES,
  type TrutoAdapter,
  type TrutoAdapterOptions,
} from './adapter';
export type { TrutoChangeFeed, TrutoChangesMode, TrutoFeedMode } from './changes/feed';
export { normalizeDirection, type TrutoDurationUnit, toKind } from './map/engagement';
export { TRUTO_CREATE_KINDS } from './map/input';
export { type ParseTrutoEngagementOptions, parseTrutoEngagement } from './parse';
export {
  createTrutoWebhookSource,
  TRUTO_RECORD_EVENTS,
  type TrutoWebhookHydration,
  type TrutoWebhooksOptions,
} from './webhooks';
export type {
  TrutoEngagement,
  TrutoEngagementList,
  TrutoEngagementWrite,
  TrutoErrorBody,
  TrutoPhoneNumber,
  TrutoRef,
  TrutoRelation,
} from './wire/engagement';
