import { InputValidationError } from '../errors/errors';
import { toIsoUtc } from '../model/time';
import { type WebhookRejection, WebhookVerificationError } from './errors';

/** A source's signing secret, or `InputValidationError` naming `field` when it is missing or blank. */
export function requireWebhookSecret(provider: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputValidationError(
      [{ path: field, rule: 'required', message: 'must be a non-empty string' }],
      { provider },
    );
  }
  return value;
}

/** Throws `WebhookVerificationError`; annotate the const with this type so `never` narrows. */
export type WebhookRefuse = (
  reason: Extract<WebhookRejection, 'missing-signature' | 'bad-signature' | 'malformed'>,
  message: string,
) => never;

/** A `refuse(reason, message)` that throws `WebhookVerificationError` for `provider`. */
export function webhookRefusal(provider: string): WebhookRefuse {
  return (reason, message) => {
    throw new WebhookVerificationError(reason, message, { provider });
  };
}

/**
 * Epoch ms of a vendor event time: `Date.parse` where the text names its zone (fast, and it reads
 * nanosecond fractions), else `toIsoUtc` (zone-less times are UTC, not local); `undefined` otherwise.
 */
export function webhookTimeMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = /(?:Z|[+-]\d\d:?\d\d)$/i.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isNaN(ms)) return ms;
  const iso = toIsoUtc(value);
  return iso === undefined ? undefined : Date.parse(iso);
}

/** The verified body parsed as a JSON object, or `refuse('malformed', …)` naming `vendor`. */
export function webhookJson<T extends object>(
  body: Uint8Array,
  refuse: WebhookRefuse,
  vendor: string,
): Partial<T> & Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
    );
  } catch {
    refuse('malformed', `The ${vendor} webhook body is not JSON.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    refuse('malformed', `The ${vendor} webhook body is not a JSON object.`);
  }
  return parsed as Partial<T> & Record<string, unknown>;
}
