import { createHash } from 'node:crypto';
import type { Engagement } from '@engagekit/core';

type ColumnType = 'text' | 'jsonb' | 'timestamptz' | 'float8';

/** One typed column of `engagements` and the model field it holds. */
interface Column {
  name: string;
  type: ColumnType;
  field?: keyof Engagement;
}

/** The columns an upsert writes, in parameter order (`synced_at` and `deleted_at` are set in SQL). */
export const UPSERT_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'text', field: 'id' },
  { name: 'provider', type: 'text', field: 'provider' },
  { name: 'remote_id', type: 'text', field: 'remoteId' },
  { name: 'display_id', type: 'text', field: 'displayId' },
  { name: 'kind', type: 'text', field: 'kind' },
  { name: 'native_type', type: 'text', field: 'nativeType' },
  { name: 'channels', type: 'jsonb', field: 'channels' },
  { name: 'direction', type: 'text', field: 'direction' },
  { name: 'subject', type: 'text', field: 'subject' },
  { name: 'body', type: 'text', field: 'body' },
  { name: 'status', type: 'text', field: 'status' },
  { name: 'occurred_at', type: 'timestamptz', field: 'occurredAt' },
  { name: 'start_time', type: 'timestamptz', field: 'startTime' },
  { name: 'end_time', type: 'timestamptz', field: 'endTime' },
  { name: 'duration_seconds', type: 'float8', field: 'durationSeconds' },
  { name: 'participants', type: 'jsonb', field: 'participants' },
  { name: 'related', type: 'jsonb', field: 'related' },
  { name: 'notes', type: 'jsonb', field: 'notes' },
  { name: 'dispositions', type: 'jsonb', field: 'dispositions' },
  { name: 'tags', type: 'jsonb', field: 'tags' },
  { name: 'external_ref', type: 'text', field: 'externalRef' },
  { name: 'external_url', type: 'text', field: 'externalUrl' },
  { name: 'created_at', type: 'timestamptz', field: 'createdAt' },
  { name: 'updated_at', type: 'timestamptz', field: 'updatedAt' },
  { name: 'custom_fields', type: 'jsonb', field: 'customFields' },
  { name: 'raw', type: 'jsonb', field: 'raw' },
  { name: 'content_hash', type: 'text' },
  { name: 'changed_at', type: 'timestamptz' },
];

/**
 * The expression reading a column from `x`, one element of the `jsonb` array of rows an upsert
 * sends ({@link rowJson}); the cast gives the column its type, as Postgres would parse a text
 * parameter.
 */
export function rowElement(index: number, type: ColumnType): string {
  if (type === 'jsonb') return `x->${index}->0`;
  return type === 'text' ? `x->>${index}` : `(x->>${index})::${type}`;
}

const JSONB_AT: readonly boolean[] = UPSERT_COLUMNS.map((c) => c.type === 'jsonb');

/**
 * One row of an upsert as JSON, from its {@link pushEngagementParams} values: a text value as a JSON
 * string, a `jsonb` value (already JSON) inline in a one-element array, so Postgres parses it once
 * and `[null]` (JSON null) stays apart from `null` (SQL NULL).
 */
export function rowJson(values: readonly (string | null)[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null || v === undefined ? 'null' : JSONB_AT[i] ? `[${v}]` : JSON.stringify(v);
  }
  return `${out}]`;
}

// Postgres refuses NUL in text and in jsonb strings, and a lone UTF-16 surrogate (valid in a JSON
// string a vendor sends, not in a jsonb one): a vendor string carrying one is stored with U+FFFD in
// its place rather than failing the whole batch, and so every batch after it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character Postgres refuses.
const BAD_CHARS = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/**
 * In `JSON.stringify`'s output: an escaped backslash (kept, so `\\u0000` stays a backslash and
 * "u0000"), a `\u0000` escape, or a surrogate escape (`JSON.stringify` escapes only lone ones).
 */
const JSON_BAD_ESCAPES = /\\\\|\\u0000|\\ud[89a-f][0-9a-f]{2}/g;
const JSON_SUSPECT = /\\u(?:0000|d[89a-f])/;

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const s = String(value);
  return s.replace(BAD_CHARS, '\uFFFD');
}

function json(value: unknown): string | null {
  if (value === undefined) return null;
  const s = JSON.stringify(value);
  if (s === undefined) return null;
  return JSON_SUSPECT.test(s)
    ? s.replace(JSON_BAD_ESCAPES, (m) => (m === '\\\\' ? m : '\\ufffd'))
    : s;
}

/**
 * Appends the upsert values of one engagement to `out`, in {@link UPSERT_COLUMNS} order: each the
 * column's text form (numbers and timestamps too: the SQL casts them) or `null`.
 * `contentHash` lets an upsert with the same `changed_at` tell a replay (same content: nothing
 * written) from a change the vendor did not date (different content: written).
 */
export function pushEngagementParams(
  out: (string | null)[],
  e: Engagement,
  changedAt: string,
): void {
  // The hashed text is built first and hashed in one call: one `update` per column crossed into
  // native code 20 times a record for the same digest.
  let hashed = '';
  for (const column of UPSERT_COLUMNS) {
    if (!column.field) continue;
    const value = e[column.field];
    const param = column.type === 'jsonb' ? json(value) : text(value);
    out.push(param);
    // NUL separates the columns (no parameter holds one); SOH marks SQL NULL.
    hashed += param === null ? '\u0001\u0000' : `${param}\u0000`;
  }
  out.push(createHash('sha256').update(hashed).digest('base64url'));
  out.push(changedAt);
}

function iso(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

/** A row of `engagements` as the store reads it (column names as in the table). */
export type EngagementRow = Record<string, unknown>;

/**
 * The `Engagement` a row holds (tombstones included: check `deleted_at`). Absent optional fields
 * stay absent, so a row read back equals the engagement written.
 */
export function rowToEngagement(row: EngagementRow): Engagement {
  const out: Record<string, unknown> = {};
  for (const column of UPSERT_COLUMNS) {
    if (!column.field) continue;
    const value = row[column.name];
    if (value === null || value === undefined) continue;
    if (column.type === 'timestamptz') out[column.field] = iso(value);
    else if (column.type === 'float8') out[column.field] = Number(value);
    else out[column.field] = value;
  }
  for (const list of ['participants', 'related', 'notes', 'dispositions', 'tags'] as const) {
    out[list] ??= [];
  }
  return out as Engagement;
}
