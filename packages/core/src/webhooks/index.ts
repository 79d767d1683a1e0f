export { type WebhookRejection, WebhookVerificationError } from './errors';
export { digestMatches, hmacSha256 } from './hmac';
export {
  bodyDigestId,
  createWebhookReceiver,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookReceiverStats,
} from './receiver';
export {
  requireWebhookSecret,
  type WebhookRefuse,
  webhookIsoTime,
  webhookJson,
  webhookRefusal,
  webhookTimeMs,
} from './source-kit';
export type {
  EngagementChange,
  VerifiedWebhookEvent,
  WebhookDelivery,
  WebhookRequest,
  WebhookSource,
  WebhookVerification,
} from './types';
