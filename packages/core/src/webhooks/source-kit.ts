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
  const last = value.charCodeAt(value.length - 1);
  const zoned = last === 90 || last === 122 || /[+-]\d\d:?\d\d$/.test(value); // Z, z, ±hh[:]mm
  const ms = zoned ? Date.parse(value) : Number.NaN;
  if (!Number.isNaN(ms)) return ms;
  const iso = toIsoUtc(value);
  return iso === undefined ? undefined : Date.parse(iso);
}

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: from there `toISOString` writes six-digit years. */
const YEAR_10000_MS = 253_402_300_800_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()` (and its RangeError), written without the Date for 1970 to 9999,
 * at half its cost: each webhook change carries an event time. The civil date is Howard Hinnant's
 * `civil_from_days`.
 */
export function webhookIsoTime(ms: number): string {
  if (!(ms >= 0 && ms < YEAR_10000_MS)) return new Date(ms).toISOString();
  const t = Math.floor(ms);
  const days = Math.floor(t / DAY_MS);
  let rest = t - days * DAY_MS;
  const z = days + 719_468; // days from 0000-03-01
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153); // month from March = 0
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  rest -= second * 1000;
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${pad3(rest)}Z`;
}

/** The verified body parsed as a JSON object, or `refuse('malformed', …)` naming `vendor`. */
export function webhookJson<T extends object>(
  body: Uint8Array,
  refuse: WebhookRefuse,
  vendor: string,
): Partial<T> & Record<string, unknown> {
  let parsed: unknown;
  try {
    // A Buffer (what `handle()` and `nodeListener` read) decodes as it is; other views get one.
    const bytes = Buffer.isBuffer(body)
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    refuse('malformed', `The ${vendor} webhook body is not JSON.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    refuse('malformed', `The ${vendor} webhook body is not a JSON object.`);
  }
  return parsed as Partial<T> & Record<string, unknown>;
}
