export { SandboxWebhookError, type SandboxWebhookErrorReason } from './errors';
export {
  emitChange,
  listenToChanges,
  type SandboxChange,
  type SandboxChangeAction,
  type SandboxChangeListener,
} from './hub';
export type { WebhookFaults, WebhookSubscribeOptions } from './options';
export type { WebhookProvider } from './schemes';
export {
  type WebhookDeliveryStats,
  type WebhookLogEntry,
  WebhookSubscription,
} from './subscription';
export { SandboxWebhooks, type SandboxWebhooksContext } from './webhooks';
