export {
  createDevRevAdapter,
  DEVREV_CAPABILITIES,
  type DevRevAdapter,
  type DevRevAdapterOptions,
  type DevRevConversationsListParams,
  type DevRevConversationsResource,
} from './adapter';
export { KIND_BY_TYPE } from './map/engagement';
export { type ParseDevRevEngagementOptions, parseDevRevEngagement } from './parse';
export { DEVREV_TYPE_PARTITIONS } from './partitions';
export {
  createDevRevWebhookSource,
  DEVREV_WEBHOOK_EVENTS,
  type DevRevWebhooksOptions,
} from './webhooks';
export type { DevRevUserSummary } from './wire/common';
export type { DevRevConversation, DevRevTimelineEntry } from './wire/conversation';
export {
  DEVREV_CREATE_TYPES,
  DEVREV_ENGAGEMENT_TYPES,
  type DevRevCreateType,
  type DevRevEngagement,
  type DevRevEngagementsListResponse,
  type DevRevEngagementType,
} from './wire/engagement';
export type { DevRevErrorBody } from './wire/error';
