export { createZoomContactCenterAdapter } from './adapter';
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
  type ZoomChannel,
  type ZoomEngagement,
  ZoomEngagementSchema,
  type ZoomListEngagementsResponse,
  type ZoomTokenResponse,
} from './wire/engagement';
