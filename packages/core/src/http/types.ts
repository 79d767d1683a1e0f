import type { z } from 'zod';
import type { VendorErrorParser } from '../errors/factory';

/** Options a caller can set per call; they win over the adapter's and the defaults. */
export interface RequestOptions {
  /** @default 30000 */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt. @default 3 */
  maxRetries?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Extra headers for this call. */
  headers?: Record<string, string> | undefined;
  /**
   * The longest wait the vendor may impose (`Retry-After`, a rate-limit reset, a limiter pause).
   * A longer one fails the call at once with a `RateLimitError` whose `retryAfterMs` is the vendor's
   * value, and later calls fail the same way until the pause ends. At most 2^31-1.
   * @default 60000
   */
  maxRetryWaitMs?: number | undefined;
  /**
   * The largest response body read, counted after decompression and enforced while it streams.
   * A larger one fails with `ResponseTooLargeError` (not retried).
   * @default 33554432 (32 MiB)
   */
  maxResponseBytes?: number | undefined;
  /**
   * Awaited before every attempt: the first and each retry (after a 429, a 5xx, a network error or
   * a refreshed 401), after the client-side `rateLimit` and the credentials, just before the request
   * is sent. Unlike `hooks`, which only observe, it can hold the attempt back: e.g. to take a slot of
   * a rate limit shared by several processes. The adapter passes it on to the requests it makes for
   * credentials (Zoom's OAuth token request), so those wait for it too. Its `info.signal` fires when
   * the request gives up (abort, or `timeoutMs`, which covers the wait): the attempt then ends with
   * `AbortError` or `TimeoutError` and nothing is sent, even if the hook ignores the signal; its
   * `info.deadline` says when that timeout fires, for a hook that would rather refuse a longer
   * wait. A hook that throws fails the request: an engagekit error as it is, anything else as an
   * `EngagekitError` with the thrown value as `cause`; neither is retried.
   * @default undefined (per call, it replaces the adapter's)
   */
  beforeRequest?: BeforeRequestHook | undefined;
}

/** What `beforeRequest` sees of the attempt it may hold back: credentials already removed. */
export interface BeforeRequestInfo {
  provider: string;
  operation: string | undefined;
  method: string;
  /** The URL with credentials in its query redacted. */
  url: string;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  attempt: number;
  /** Fires when the request gives up (its signal, the adapter's, or `timeoutMs`). */
  signal: AbortSignal;
  /**
   * When this attempt times out, in epoch ms: the attempt's start (before the client-side limiter
   * and the credentials) plus its `timeoutMs`, on the clock `Date.now()` reads. The hook's wait
   * counts toward it, so a hook that would hold the attempt past it (e.g. reserve a rate-limit slot
   * further away) can refuse at once instead. The transport always sets it; a hook called by other
   * code may get none.
   */
  deadline?: number | undefined;
}

/** An awaited hook run before each attempt; see `RequestOptions.beforeRequest`. */
export type BeforeRequestHook = (info: BeforeRequestInfo) => Promise<void> | void;

/**
 * What the transport tells its `AuthProvider` about the request asking for credentials, so a token
 * request it makes is held back by the same `beforeRequest` hook, within the same timeout.
 */
export interface AuthRequestContext {
  /** That request's `beforeRequest` (the call's, else the adapter's). */
  beforeRequest?: BeforeRequestHook | undefined;
  /**
   * That call's own `timeoutMs`, when it sets one: a token request it starts takes it too, so the
   * deadline its `beforeRequest` is told is the call's (absent: the adapter's).
   */
  timeoutMs?: number | undefined;
}

/** What a hook sees of a request: credentials already removed. */
export interface HookRequestInfo {
  provider: string;
  operation: string | undefined;
  method: string;
  url: string;
  headers: Record<string, string>;
  attempt: number;
}
export interface HookResponseInfo extends HookRequestInfo {
  status: number;
  durationMs: number;
  headers: Record<string, string>;
}
export interface HookRetryInfo extends HookRequestInfo {
  /** Why the attempt failed: an HTTP status or an error code like `ECONNRESET`. */
  reason: string;
  delayMs: number;
}

export interface TransportHooks {
  onRequest?: ((info: HookRequestInfo) => void) | undefined;
  onResponse?: ((info: HookResponseInfo) => void) | undefined;
  onRetry?: ((info: HookRetryInfo) => void) | undefined;
}

/** Client-side rate limit: a token bucket refilled at `requestsPerSecond`. */
export interface RateLimitOptions {
  requestsPerSecond: number;
  /** Requests allowed at once before pacing starts. @default requestsPerSecond */
  burst?: number | undefined;
}

/** Supplies auth headers; asked on every attempt so refreshed tokens are picked up. */
export interface AuthProvider {
  /**
   * `signal` fires when the request asking gives up (abort, timeout). A provider that fetches
   * credentials over HTTP awaits `context.beforeRequest` before each of those requests.
   */
  headers(
    signal?: AbortSignal,
    context?: AuthRequestContext,
  ): Promise<Record<string, string>> | Record<string, string>;
  /**
   * Called once on a 401; return true when new credentials were obtained and a retry makes sense.
   * `context` as for `headers`.
   */
  onUnauthorized?(context?: AuthRequestContext): Promise<boolean> | boolean;
  /** Secret strings to redact from every error and hook payload. */
  secrets?: string[];
}

/** The HTTP options every adapter factory accepts (Vercel-AI-SDK style). */
export interface HttpOptions extends RequestOptions {
  /** The vendor's API root. Each adapter documents its default. */
  baseUrl?: string | undefined;
  /**
   * Allows plain-`http:` URLs on hosts other than this machine (credentials then cross the network
   * unencrypted). Loopback hosts (`localhost`, 127.0.0.0/8, `::1`) never need it.
   * @default false
   */
  allowInsecureHttp?: boolean | undefined;
  hooks?: TransportHooks | undefined;
  /** `false` turns the client-side limiter off; an object replaces the vendor default. */
  rateLimit?: RateLimitOptions | false | undefined;
  /**
   * Signs the adapter's list cursors with HMAC-SHA256 under this key (at least 16 characters), so a
   * cursor changed in any way is rejected with `PaginationError('tampered-cursor')`. Without it a
   * cursor's checksum only detects corruption, and what a cursor says is still bounded by the list
   * params it is resumed with. Cursors then resume only where the same secret is set.
   * @default undefined (checksum only)
   */
  cursorSecret?: string | undefined;
}

export interface TransportConfig extends HttpOptions {
  provider: string;
  baseUrl: string;
  auth?: AuthProvider | undefined;
  /** Reads the vendor's error body: message, code/type, request id, retry-after in the body. */
  parseError?: VendorErrorParser | undefined;
  /** Return false to forbid retrying a response the default policy would retry (e.g. Truto 503). */
  isRetryable?: ((status: number, body: unknown) => boolean) | undefined;
  /** Header holding the vendor's request id (e.g. `x-zm-trackingid`). */
  requestIdHeader?: string | undefined;
  /** Test seams: no real waiting in core's own tests. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  now?: (() => number) | undefined;
  random?: (() => number) | undefined;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export interface TransportRequest<S extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Path appended to `baseUrl`, e.g. `/engagements.list`. */
  path: string;
  /** Query values; arrays repeat the key unless the adapter pre-joins them. */
  query?: Record<string, QueryValue> | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** When present, the body is validated; failures throw `ResponseValidationError`. */
  schema?: S | undefined;
  /** A name for hooks and errors, e.g. `engagements.list`. */
  operation?: string | undefined;
  /**
   * Writes are retried only when this is true (an idempotency key was sent, or the vendor
   * guarantees it). Reads (GET) are always retryable.
   */
  idempotent?: boolean | undefined;
  /** Statuses that prove nothing was written, so even a non-idempotent write may be retried. @default [429] */
  retryWriteOn?: number[] | undefined;
  options?: RequestOptions | undefined;
}

export interface TransportResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
  requestId: string | undefined;
}

/** The one HTTP client adapters use. */
export interface Transport {
  readonly provider: string;
  request<S extends z.ZodType>(req: TransportRequest<S>): Promise<TransportResponse<z.output<S>>>;
  request<T = unknown>(req: TransportRequest): Promise<TransportResponse<T>>;
}
