export { createZoomContactCenterAdapter, type ZoomContactCenterAdapter } from './adapter';
export {
  type MapOptions,
  mapZoomEngagement,
  ZOOM_CONTACT_CENTER_ALIASES,
} from './map/engagement';
export type {
  ZoomAccessTokenOptions,
  ZoomContactCenterAdapterOptions,
  ZoomServerToServerOptions,
} from './options';
export { type ParseZoomEngagementOptions, parseZoomEngagement } from './parse';
export {
  createZoomWebhookSource,
  ZOOM_ENGAGEMENT_EVENTS,
  type ZoomEngagementGetter,
  type ZoomWebhooksOptions,
} from './webhooks';
export {
  type ZoomChannel,
  type ZoomEngagement,
  ZoomEngagementSchema,
  type ZoomListEngagementsResponse,
  type ZoomTokenResponse,
} from './wire/engagement';
