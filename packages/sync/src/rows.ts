import * as crypto from 'node:crypto';
import type { Engagement } from '@engagekit/core';

type ColumnType = 'text' | 'jsonb' | 'json' | 'timestamptz' | 'float8';

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
  { name: 'raw', type: 'json', field: 'raw' },
  { name: 'content_hash', type: 'text' },
  { name: 'changed_at', type: 'timestamptz' },
];

/** The columns of an upsert's row array ({@link upsertRow}): all but `raw`, which travels beside it. */
const ROW_COLUMNS = UPSERT_COLUMNS.filter((c) => c.type !== 'json');

/**
 * The expression reading a column from `x`, one element of the `jsonb` array of rows an upsert
 * sends, or, for `raw`, from `r`, the element of the `json` array sent beside it; the cast gives
 * the column its type, as Postgres would parse a text parameter.
 */
function columnExpression(column: Column): string {
  // JSON null (what a row without raw sends) is stored as SQL NULL.
  if (column.type === 'json') return `CASE WHEN json_typeof(r) = 'null' THEN NULL ELSE r END`;
  const index = ROW_COLUMNS.indexOf(column);
  if (column.type === 'jsonb') return `x->${index}->0`;
  return column.type === 'text' ? `x->>${index}` : `(x->>${index})::${column.type}`;
}

/**
 * What an upsert selects, in {@link UPSERT_COLUMNS} order, and where from: `$1` is a `jsonb` array
 * of rows ({@link UpsertRow.row}), `$2` a `json` array of their `raw` ({@link UpsertRow.raw}),
 * read side by side. `raw` stays out of the `jsonb` array because `jsonb` input builds every key
 * and value of it, and `json` input only checks it: a third of the server's CPU per row
 * (docs/sync.md, "How a batch is sent").
 */
export const UPSERT_SOURCE = {
  select: UPSERT_COLUMNS.map(columnExpression).join(', '),
  from: 'ROWS FROM (jsonb_array_elements($1::jsonb), json_array_elements($2::json)) AS u(x, r)',
};

/** The model field of each column of the row array an engagement fills, and its type. */
const CONTENT_FIELDS = ROW_COLUMNS.filter((c) => c.field).map((c) => c.field as keyof Engagement);
const CONTENT_TYPES = ROW_COLUMNS.filter((c) => c.field).map((c) => c.type);

// Postgres refuses NUL in text and in jsonb strings, and a lone UTF-16 surrogate (valid in a JSON
// string a vendor sends, not in a jsonb one): a vendor string carrying one is stored with U+FFFD in
// its place rather than failing the whole batch, and so every batch after it. `JSON.stringify`
// writes both as escapes (`\u0000`, `\ud800`: it escapes only lone surrogates), so they are
// replaced in the row's JSON; an escaped backslash is matched too and kept, so a vendor's literal
// backslash followed by "u0000" stays what it was.
const JSON_BAD_ESCAPES = /\\\\|\\u0000|\\ud[89a-f][0-9a-f]{2}/g;
const JSON_SUSPECT = /\\u(?:0000|d[89a-f])/;

/** `json` with the escapes Postgres refuses replaced by `\ufffd`. */
function replaceBadEscapes(json: string): string {
  // `includes` first: a scan for two characters is far cheaper than the pattern, and rarely true.
  if (!json.includes('\\u') || !JSON_SUSPECT.test(json)) return json;
  return json.replace(JSON_BAD_ESCAPES, (m) => (m === '\\\\' ? m : '\\ufffd'));
}

// One-shot `crypto.hash` (Node 20.12+) skips the Hash object a digest of a few kilobytes costs.
const sha256 =
  typeof crypto.hash === 'function'
    ? (data: string | Buffer) => crypto.hash('sha256', data, 'base64url')
    : (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('base64url');

/** One upsert's row, as the two arrays of its statement carry it (see {@link UPSERT_SOURCE}). */
export interface UpsertRow<T = string> {
  /**
   * Every column but `raw`, in {@link UPSERT_COLUMNS} order, as a JSON array: a text column as a
   * JSON string (numbers and timestamps too: the SQL casts them), a `jsonb` column inline in a
   * one-element array (so `[null]`, JSON null, stays apart from `null`, SQL NULL), then
   * `content_hash` and `changed_at`.
   */
  row: T;
  /** The vendor's record as JSON text (`null` when there is none). */
  raw: T;
}

/**
 * An upsert's content: `raw`'s JSON, and the row's JSON up to `content_hash` (a closed array).
 * Each is one `JSON.stringify` (the serialiser escapes text as the row needs it; no column becomes
 * a string of its own first).
 */
function upsertContent(e: Engagement): { raw: string; content: string } {
  const values: unknown[] = new Array(CONTENT_FIELDS.length);
  for (let i = 0; i < CONTENT_FIELDS.length; i++) {
    const value = e[CONTENT_FIELDS[i] as keyof Engagement];
    values[i] =
      value === undefined || value === null
        ? null
        : CONTENT_TYPES[i] === 'jsonb'
          ? [value]
          : typeof value === 'string'
            ? value
            : String(value);
  }
  return {
    // What has no JSON (undefined, a function) is stored as SQL NULL, like JSON null.
    raw: replaceBadEscapes((JSON.stringify(e.raw) as string | undefined) ?? 'null'),
    content: replaceBadEscapes(JSON.stringify(values)),
  };
}

/** Characters of a SHA-256 digest in base64url. */
const HASH_LENGTH = 43;

/** The row's end after its content's closing bracket: `content_hash`, `changed_at`, `]`. */
const rowTail = (hash: string, changedAt: string) => `,"${hash}",${JSON.stringify(changedAt)}]`;

/**
 * An engagement's {@link UpsertRow}. `content_hash` is the SHA-256 of `raw`'s JSON followed by the
 * row's JSON before the hash and `changed_at` (UTF-8): it lets an upsert with the same
 * `changed_at` tell a replay (same content: nothing written) from a change the vendor did not date
 * (different content: written).
 */
export function upsertRow(e: Engagement, changedAt: string): UpsertRow {
  const { raw, content } = upsertContent(e);
  return { row: content.slice(0, -1) + rowTail(sha256(raw + content), changedAt), raw };
}

/**
 * {@link upsertRow} as UTF-8 bytes, for drivers that send bytes: `raw` and the row are encoded once,
 * side by side in one buffer, the hash is taken over those bytes, and each is a view of it (no
 * string of the whole row is built, and nothing is encoded twice).
 */
export function upsertRowBytes(e: Engagement, changedAt: string): UpsertRow<Buffer> {
  const { raw, content } = upsertContent(e);
  const rawBytes = Buffer.byteLength(raw);
  const hashed = rawBytes + Buffer.byteLength(content);
  const tailBytes = Buffer.byteLength(rowTail('', changedAt)) + HASH_LENGTH;
  // The content's closing bracket is overwritten by the tail.
  const out = Buffer.allocUnsafe(hashed - 1 + tailBytes);
  out.write(raw, 0);
  out.write(content, rawBytes);
  const end =
    hashed - 1 + out.write(rowTail(sha256(out.subarray(0, hashed)), changedAt), hashed - 1);
  return { row: out.subarray(rawBytes, end), raw: out.subarray(0, rawBytes) };
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
