import { inspect } from 'node:util';
import { redact, redactString } from './redact';

/** How much of a vendor error body an error keeps. */
export const MAX_ERROR_BODY_CHARS = 8 * 1024;
/** How much of a vendor's message (or detail) goes into `error.message`. */
export const MAX_VENDOR_MESSAGE_CHARS = 1024;
/** Ids, codes and types are short; anything longer is cut to this. */
const MAX_TOKEN_CHARS = 256;

/** `text` cut to `max` characters, with a marker saying how long it was. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [truncated, ${text.length} chars in total]`;
}

function keepString(value: string | undefined, max = MAX_TOKEN_CHARS): string | undefined {
  return value === undefined ? undefined : truncateText(redactString(String(value)), max);
}

/**
 * An error body as kept on an error: a body whose JSON exceeds the bound is kept as its first
 * `MAX_ERROR_BODY_CHARS` characters with a marker, never whole.
 */
function boundBody(body: unknown): unknown {
  if (body === undefined || body === null) return body;
  if (typeof body === 'string') return truncateText(redactString(body), MAX_ERROR_BODY_CHARS);
  const clean = redact(body);
  let text: string | undefined;
  try {
    text = JSON.stringify(clean);
  } catch {
    return '[unserialisable body]';
  }
  if (text === undefined || text.length <= MAX_ERROR_BODY_CHARS) return clean;
  return truncateText(text, MAX_ERROR_BODY_CHARS);
}

/** The request an error belongs to, with credentials already removed. */
export interface ErrorRequestInfo {
  method: string;
  url: string;
  operation?: string | undefined;
}

export interface EngagekitErrorOptions {
  provider?: string | undefined;
  cause?: unknown;
  request?: ErrorRequestInfo | undefined;
}

/** `value` as text; a value whose `toString` throws is empty. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return '';
  }
}

/** V8 formats `stack` lazily from the error's fields on first read, which can throw. */
function stackOf(error: Error): string | undefined {
  try {
    return typeof error.stack === 'string' ? error.stack : undefined;
  } catch {
    return undefined;
  }
}

/** A cause stripped to name, message and code: axios errors carry request configs with credentials. */
function sanitizeCause(cause: unknown): unknown {
  if (cause === undefined || cause instanceof EngagekitError) return cause;
  if (cause instanceof Error) {
    // A thrown value's fields can be anything (a vendor SDK's error with an object `message`):
    // wrapping it must never throw in place of the error being reported.
    const message = textOf(cause.message);
    const name = typeof cause.name === 'string' ? cause.name : 'Error';
    const clean = new Error(redactString(message));
    clean.name = name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') (clean as Error & { code?: string }).code = code;
    // Keep where the cause was thrown (not where it was wrapped), minus any credential.
    clean.stack = redactString(stackOf(cause) ?? `${name}: ${message}`);
    return clean;
  }
  return redact(cause);
}

/** The root of every error engagekit throws. */
export class EngagekitError extends Error {
  override readonly name: string = 'EngagekitError';
  /** The adapter id the error came from (`'devrev'`, `'zoom-contact-center'`, …), when known. */
  readonly provider: string | undefined;
  /** The request that failed, with credentials removed. */
  readonly request: ErrorRequestInfo | undefined;

  constructor(message: string, options: EngagekitErrorOptions = {}) {
    super(redactString(message), { cause: sanitizeCause(options.cause) });
    this.provider = options.provider;
    this.request = options.request ? redact(options.request) : undefined;
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false });
  }

  /** A JSON-safe view with no secrets: what loggers should record. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined) out[key] = value;
    }
    if (this.cause instanceof Error)
      out.cause = { name: this.cause.name, message: this.cause.message };
    return redact(out);
  }

  [inspect.custom](): string {
    return `${this.stack ?? `${this.name}: ${this.message}`}\n${inspect(this.toJSON(), { depth: 4 })}`;
  }
}

export interface ApiErrorOptions extends EngagekitErrorOptions {
  status: number;
  /** The vendor's own error code (Zoom `code`, Truto `error`). */
  code?: string | number | undefined;
  /** The vendor's own error type (DevRev `type`). */
  type?: string | undefined;
  /** Longer vendor explanation (DevRev `detail`). */
  detail?: string | undefined;
  /** The vendor's request id (DevRev `reference_id`, Zoom `x-zm-trackingid`, …). */
  requestId?: string | undefined;
  /** The parsed error body, credentials removed. */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  retryAfterMs?: number | undefined;
}

/** The vendor answered with an error status. Subclasses per status let callers use `instanceof`. */
export class ApiError extends EngagekitError {
  readonly status: number;
  readonly code: string | number | undefined;
  readonly type: string | undefined;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  readonly body: unknown;
  readonly headers: Record<string, string> | undefined;
  /** How long the vendor asked us to wait before retrying, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.status = options.status;
    this.code = typeof options.code === 'string' ? keepString(options.code) : options.code;
    this.type = keepString(options.type);
    this.detail = keepString(options.detail, MAX_VENDOR_MESSAGE_CHARS);
    this.requestId = keepString(options.requestId);
    this.body = boundBody(options.body);
    this.headers = options.headers ? redact(options.headers) : undefined;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** 400: the vendor rejected the request as malformed. */
export class BadRequestError extends ApiError {}
/** 401: missing, invalid or expired credentials. */
export class AuthenticationError extends ApiError {}
/** 403: the credentials lack a permission or scope. */
export class PermissionDeniedError extends ApiError {}
/** 404: the record or route does not exist. */
export class NotFoundError extends ApiError {}
/** 409: the write conflicts with the vendor's state. */
export class ConflictError extends ApiError {}
/** 422: the vendor understood the request but refused its content. */
export class UnprocessableEntityError extends ApiError {}
/** 429: rate limited; `retryAfterMs` says how long the vendor asked to wait. */
export class RateLimitError extends ApiError {}
/** 5xx: the vendor failed. */
export class ServerError extends ApiError {}

/** The request never got an HTTP answer (DNS, refused, reset). */
export class ConnectionError extends EngagekitError {}
/** The request took longer than `timeoutMs`. */
export class TimeoutError extends ConnectionError {}
/** The caller's `AbortSignal` fired. */
export class AbortError extends EngagekitError {}

/**
 * A response body grew past `maxResponseBytes` (counted after decompression); the download was
 * stopped there. Not retried: the same request would get the same body.
 */
export class ResponseTooLargeError extends EngagekitError {
  /** The bound that was exceeded, in bytes. */
  readonly maxResponseBytes: number;
  constructor(maxResponseBytes: number, options: EngagekitErrorOptions = {}) {
    super(
      `${options.provider ?? 'vendor'}: the response body exceeded maxResponseBytes (${maxResponseBytes} bytes after decompression)${options.request ? ` (${options.request.method} ${options.request.url})` : ''}; raise the maxResponseBytes option if this response is expected`,
      options,
    );
    this.maxResponseBytes = maxResponseBytes;
  }
}

/** One broken rule in caller input. */
export interface InputIssue {
  /** Dotted path of the field, e.g. `participantIds.3`. */
  path: string;
  /** The rule, e.g. `too_big`, `invalid_type`, `invalid_date`. */
  rule: string;
  message: string;
}

/** Caller input broke a rule; raised before any request is sent. */
export class InputValidationError extends EngagekitError {
  readonly issues: InputIssue[];
  constructor(issues: InputIssue[], options: EngagekitErrorOptions = {}) {
    super(
      `Invalid input: ${issues.map((i) => `${i.path || '(root)'}: ${i.message} [${i.rule}]`).join('; ')}`,
      options,
    );
    this.issues = redact(issues);
  }
}

/** A vendor payload broke the vendor's own schema. `path` points at the offending value. */
export class ResponseValidationError extends EngagekitError {
  readonly path: string;
  readonly issues: InputIssue[];
  constructor(
    issues: InputIssue[],
    options: EngagekitErrorOptions & { what?: string; hint?: string } = {},
  ) {
    const first = issues[0];
    super(
      `${options.provider ?? 'vendor'} ${options.what ?? 'response'} does not match its schema at ${first?.path || '(root)'}: ${first?.message ?? 'invalid'}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}${options.hint ? `. ${options.hint}` : ''}`,
      options,
    );
    this.path = redactString(first?.path ?? '');
    this.issues = redact(issues);
  }
}

export type PaginationErrorReason =
  | 'repeated-token'
  | 'expired-token'
  | 'malformed-cursor'
  | 'tampered-cursor'
  | 'unsupported-cursor-version'
  | 'foreign-cursor'
  | 'mismatched-cursor'
  | 'empty-pages'
  | 'repeated-page'
  | 'oversized-token';

/** Paging cannot go on safely: a repeated or expired vendor token, or a cursor that does not fit. */
export class PaginationError extends EngagekitError {
  readonly reason: PaginationErrorReason;
  constructor(reason: PaginationErrorReason, message: string, options: EngagekitErrorOptions = {}) {
    super(message, options);
    this.reason = reason;
  }
}

/** The adapter cannot do this operation or apply this filter. */
export class CapabilityError extends EngagekitError {
  /** The operation or filter that is not supported, e.g. `delete` or `filter:ownerIds`. */
  readonly capability: string;
  constructor(capability: string, message: string, options: EngagekitErrorOptions = {}) {
    super(message, options);
    this.capability = redactString(capability);
  }
}
