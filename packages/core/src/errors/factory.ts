import {
  ApiError,
  type ApiErrorOptions,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  type ErrorRequestInfo,
  MAX_VENDOR_MESSAGE_CHARS,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  truncateText,
  UnprocessableEntityError,
} from './errors';
import { redactString } from './redact';

/** What an adapter reads out of a vendor error body. Every field is optional. */
export interface VendorErrorInfo {
  message?: string | undefined;
  code?: string | number | undefined;
  type?: string | undefined;
  detail?: string | undefined;
  requestId?: string | undefined;
  retryAfterMs?: number | undefined;
}

/** Reads a vendor error body; supplied by each adapter. */
export type VendorErrorParser = (
  body: unknown,
  status: number,
  headers: Record<string, string>,
) => VendorErrorInfo;

export interface CreateApiErrorInput {
  status: number;
  provider: string;
  body: unknown;
  headers: Record<string, string>;
  request?: ErrorRequestInfo | undefined;
  info?: VendorErrorInfo | undefined;
  cause?: unknown;
}

type ApiErrorClass = new (message: string, options: ApiErrorOptions) => ApiError;

const BY_STATUS: Record<number, ApiErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** The one place that chooses an error class: from the status, with the vendor's details attached. */
export function createApiError(input: CreateApiErrorInput): ApiError {
  const { status, provider, info = {} } = input;
  const Class = BY_STATUS[status] ?? (status >= 500 ? ServerError : ApiError);
  const vendorBits = truncateText(
    redactString([info.type, info.code].filter((x) => x !== undefined && x !== '').join('/')),
    200,
  );
  // A vendor message can be megabytes long; the error message keeps its start.
  const vendorMessage =
    typeof info.message === 'string'
      ? truncateText(redactString(info.message), MAX_VENDOR_MESSAGE_CHARS)
      : undefined;
  const message = `${provider} ${status}${vendorBits ? ` [${vendorBits}]` : ''}: ${vendorMessage ?? defaultMessage(status)}${input.request ? ` (${input.request.method} ${input.request.url})` : ''}`;
  return new Class(message, {
    status,
    provider,
    code: info.code,
    type: info.type,
    detail: info.detail,
    requestId: info.requestId,
    retryAfterMs: info.retryAfterMs,
    body: input.body,
    headers: input.headers,
    request: input.request,
    cause: input.cause,
  });
}

function defaultMessage(status: number): string {
  if (status === 401) return 'authentication failed';
  if (status === 403) return 'permission denied';
  if (status === 404) return 'not found';
  if (status === 429) return 'rate limited';
  if (status >= 500) return 'server error';
  return 'request failed';
}
