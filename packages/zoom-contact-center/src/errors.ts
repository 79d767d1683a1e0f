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

/**
 * Whether Zoom rejected a `next_page_token` (they expire after 15 minutes): a 400 whose message
 * names the next page token (Zoom answers code 300, e.g. "The next page token is invalid or has
 * expired."). Code 124 is the access token, handled by the OAuth refresh instead.
 */
export function isExpiredPageTokenError(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.status !== 400) return false;
  const body = error.body as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : error.message;
  if (!/next.?page.?token/i.test(message)) return false;
  return (
    error.code === undefined || String(error.code) === '300' || /expire|invalid/i.test(message)
  );
}
