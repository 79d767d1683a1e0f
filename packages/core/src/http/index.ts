export { raceAbort } from './abort';
export { bearerAuth, type CachedTokenProviderOptions, cachedTokenAuth } from './auth';
export { HttpOptionsSchema } from './options';
export { LimiterPausedError, TokenBucket } from './rate-limiter';
export {
  parseRateLimitHeaders,
  parseRetryAfter,
  type RateLimitState,
  type RetryContext,
  type RetryDelayInput,
  retryDelay,
  shouldRetry,
} from './retry';
export { buildQuery, createTransport } from './transport';
export type {
  AuthProvider,
  AuthRequestContext,
  BeforeRequestHook,
  BeforeRequestInfo,
  HookRequestInfo,
  HookResponseInfo,
  HookRetryInfo,
  HttpMethod,
  HttpOptions,
  QueryValue,
  RateLimitOptions,
  RequestOptions,
  Transport,
  TransportConfig,
  TransportHooks,
  TransportRequest,
  TransportResponse,
} from './types';
