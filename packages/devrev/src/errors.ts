import type { VendorErrorInfo, VendorErrorParser } from '@engagekit/core/adapter';
import type { DevRevErrorBody } from './wire/error';

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

/** The per-type fields of a 400 body (`field_name`, `allowed_values`, …) as one short clause. */
function describeFields(body: Record<string, unknown>): string | undefined {
  const parts: string[] = [];
  const add = (label: string, value: unknown) => {
    const text = Array.isArray(value)
      ? value.map(String).join('|')
      : value !== null && typeof value === 'object'
        ? undefined
        : str(value);
    if (text) parts.push(`${label}: ${text}`);
  };
  add('field', body.field_name);
  add('value', body.value);
  add('allowed', body.allowed_values);
  add('expected', body.expected);
  add('actual', body.actual);
  add('subtype', body.subtype);
  add('reason', body.reason);
  add('depends on', body.dependent_field_name);
  add('existing parent', body.existing_parent);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * Reads DevRev's error body (`{type, message?, detail?}` + per-type fields, see the spec's
 * `error-*` schemas): `type` and `detail` are kept, `reference_id` (500) becomes `requestId`, and
 * the 429 body's `retry_after` (seconds) becomes `retryAfterMs`.
 */
export const parseDevRevError: VendorErrorParser = (body) => {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
    return text ? { message: text } : {};
  }
  const b = body as DevRevErrorBody & Record<string, unknown>;
  const fields = describeFields(b);
  const message = str(b.message);
  const retryAfter =
    typeof b.retry_after === 'number' && Number.isFinite(b.retry_after) && b.retry_after >= 0
      ? b.retry_after * 1000
      : undefined;
  const info: VendorErrorInfo = {
    type: str(b.type),
    code: str(b.subtype),
    message: message && fields ? `${message} (${fields})` : (message ?? fields),
    detail: str(b.detail),
    requestId: str(b.reference_id),
    retryAfterMs: retryAfter,
  };
  return info;
};
