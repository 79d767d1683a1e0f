import { ApiError } from '@engagekit/core';
import type { VendorErrorInfo } from '@engagekit/core/adapter';
import { ZoomErrorBodySchema, ZoomOAuthErrorBodySchema } from './wire/engagement';

/**
 * Reads Zoom's error bodies: the REST `{ code, message, errors?: [{ field, message }] }`
 * (https://developers.zoom.us/docs/api/errors/) and the OAuth endpoint's `{ reason, error }`.
 */
export function parseZoomError(body: unknown): VendorErrorInfo {
  const rest = ZoomErrorBodySchema.safeParse(body);
  if (rest.success && (rest.data.code !== undefined || rest.data.message !== undefined)) {
    const fields = (rest.data.errors ?? [])
      .map((e) => [e.field, e.message].filter(Boolean).join(': '))
      .filter(Boolean);
    return {
      message: rest.data.message,
      code: rest.data.code,
      detail: fields.length ? fields.join('; ') : undefined,
    };
  }
  const oauth = ZoomOAuthErrorBodySchema.safeParse(body);
  if (oauth.success && (oauth.data.reason !== undefined || oauth.data.error !== undefined)) {
    return { message: oauth.data.reason ?? oauth.data.error, code: oauth.data.error };
  }
  return typeof body === 'string' && body.length > 0 && body.length < 500 ? { message: body } : {};
}

const NAMES_PAGE_TOKEN = /next[\s_-]?page[\s_-]?token/i;

/**
 * Whether Zoom rejected a `next_page_token` (they expire after 15 minutes, spec `listEngagements`).
 *
 * No public source shows the error Zoom sends for an expired token: not the spec (it documents no
 * error body for `listEngagements`), not the errors page, not the Postman collection, not devforum
 * threads found so far. So this recognises the shapes the docs do show for a rejected parameter,
 * and falls back to any client error that names the token:
 * - Zoom's validation shape (https://developers.zoom.us/docs/api/errors/): code 300 with
 *   `errors: [{ field: "next_page_token", … }]`;
 * - a message naming the next page token ("The next page token is invalid or has expired.").
 * A 404 (gone, e.g. user 1001), a 429 (rate limit) or a 5xx (Zoom failed) is never an expired
 * token, whatever its message says: restarting the window there would mask the real error.
 * Code 124 is the access token, handled by the OAuth refresh instead.
 */
export function isExpiredPageTokenError(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  const { status } = error;
  if (status < 400 || status >= 500 || status === 404 || status === 429) return false;
  const body = error.body as { message?: unknown; errors?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : error.message;
  if (NAMES_PAGE_TOKEN.test(message)) return true;
  const fields = Array.isArray(body?.errors) ? (body.errors as unknown[]) : [];
  return fields.some(
    (f) =>
      typeof f === 'object' &&
      f !== null &&
      typeof (f as { field?: unknown }).field === 'string' &&
      NAMES_PAGE_TOKEN.test((f as { field: string }).field),
  );
}
