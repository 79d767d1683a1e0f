/**
 * @engagekit/sandbox — local, stateful emulators of the DevRev, Zoom Contact Center and Truto
 * engagement APIs, for demos, integration tests and benchmarks.
 *
 * @packageDocumentation
 */
export {
  describeSandbox,
  parseSandboxArgs,
  type RunSandboxCommandOptions,
  runSandboxCommand,
  SANDBOX_FLAGS,
  type SandboxFlag,
  type SandboxFlagValues,
  SandboxUsageError,
  sandboxOptionsFromFlags,
  sandboxUsage,
  startSandboxForCommand,
} from './cli';
export {
  recordFingerprint,
  type SandboxData,
  SandboxDataError,
  type SandboxRecords,
  type TimeInput,
  type WireRecord,
} from './data/control';
export { FaultController, type FaultDecision } from './faults';
export { type LogEntry, type LogFilter, RequestLog } from './log';
export {
  type Sandbox,
  type SandboxAdapterOptions,
  type SandboxCredentials,
  type SandboxUrls,
  startSandbox,
} from './server';
export type {
  FailNextSpec,
  FaultConfig,
  FaultOptions,
  RetryAfterForm,
  SandboxOptions,
  VendorName,
} from './types';
export { TRUTO_BLOCKED_ACCOUNT_ID } from './vendors/truto';
export { PAGE_TOKEN_INVALID as ZOOM_PAGE_TOKEN_INVALID_MESSAGE } from './vendors/zoom';
export {
  type SandboxChange,
  type SandboxChangeAction,
  SandboxWebhookError,
  type SandboxWebhookErrorReason,
  SandboxWebhooks,
  type WebhookDeliveryStats,
  type WebhookFaults,
  type WebhookLogEntry,
  type WebhookProvider,
  type WebhookSubscribeOptions,
  WebhookSubscription,
} from './webhooks/index';
