export {
  AbortError,
  ApiError,
  type ApiErrorOptions,
  AuthenticationError,
  BadRequestError,
  CapabilityError,
  ConflictError,
  ConnectionError,
  EngagekitError,
  type EngagekitErrorOptions,
  type ErrorRequestInfo,
  type InputIssue,
  InputValidationError,
  NotFoundError,
  PaginationError,
  type PaginationErrorReason,
  PermissionDeniedError,
  RateLimitError,
  ResponseTooLargeError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  UnprocessableEntityError,
} from './errors';
export {
  type CreateApiErrorInput,
  createApiError,
  type VendorErrorInfo,
  type VendorErrorParser,
} from './factory';
export { redact, redactString, redactUrl, registerSecret } from './redact';
export { suggestKey, unknownKeyIssues } from './unknown-keys';
export { issuePath, parseInput, parseResponse, toInputIssues } from './zod';
