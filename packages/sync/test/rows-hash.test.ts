import { createHash } from 'node:crypto';
import type { Engagement } from '@engagekit/core';
import { expect, it } from 'vitest';
import { UPSERT_COLUMNS, upsertRow, upsertRowBytes } from '../src/rows';

const e = {
  id: 'devrev:don:core:x:engagement/1',
  provider: 'devrev',
  remoteId: 'don:core:x:engagement/1',
  kind: 'call',
  channels: ['voice'],
  subject: 'Renewal with 王芳 — Søren \ud800',
  occurredAt: '2026-01-02T03:04:05.000Z',
  durationSeconds: 90,
  participants: [{ role: 'host', name: 'José' }],
  raw: { id: 'x', note: 'a\u0000b', path: 'C:\\u0000' },
} as unknown as Engagement;

/** The row array's columns: every upsert column but raw, which travels beside it. */
const ROW_NAMES = UPSERT_COLUMNS.map((c) => c.name).filter((name) => name !== 'raw');

it('a row is every column but raw in order, text as strings, jsonb in a one-element array, then hash and changed_at; raw is its JSON text beside it', () => {
  const { row: json, raw } = upsertRow(e, '2026-01-02T03:04:06.000Z');
  const row = JSON.parse(json) as unknown[];
  expect(row).toHaveLength(UPSERT_COLUMNS.length - 1);
  const at = (name: string) => row[ROW_NAMES.indexOf(name)];
  expect(at('id')).toBe('devrev:don:core:x:engagement/1');
  expect(at('kind')).toBe('call');
  expect(at('channels')).toEqual([['voice']]);
  // NUL and a lone surrogate become U+FFFD (Postgres refuses both); a literal backslash before
  // "u0000" stays as it was.
  expect(at('subject')).toBe('Renewal with 王芳 — Søren \ufffd');
  expect(raw).toBe('{"id":"x","note":"a\\ufffdb","path":"C:\\\\u0000"}');
  expect(JSON.parse(raw)).toEqual({ id: 'x', note: 'a\ufffdb', path: 'C:\\u0000' });
  // Numbers travel as text; the SQL casts them.
  expect(at('duration_seconds')).toBe('90');
  expect(at('occurred_at')).toBe('2026-01-02T03:04:05.000Z');
  // Absent fields are SQL NULL, not JSON null in an array.
  expect(at('body')).toBeNull();
  expect(at('custom_fields')).toBeNull();
  expect(at('changed_at')).toBe('2026-01-02T03:04:06.000Z');
  // No raw (or one with no JSON) is JSON null, which the statement stores as SQL NULL.
  expect(upsertRow({ ...e, raw: undefined }, '2026-01-02T03:04:06.000Z').raw).toBe('null');
  expect(upsertRow({ ...e, raw: () => 1 }, '2026-01-02T03:04:06.000Z').raw).toBe('null');
});

it("content_hash is the SHA-256 (base64url) of raw's JSON, then the row JSON before the hash and changed_at", () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('base64url');
  const hashOf = (row: unknown[]) => row[row.length - 2];
  const clean = { ...e, subject: 'Renewal with 王芳 — Søren', raw: { id: 'x' } };
  const cleanRow = JSON.parse(upsertRow(clean, '2026-01-02T03:04:06.000Z').row) as unknown[];
  expect(hashOf(cleanRow)).toBe(sha(`{"id":"x"}${JSON.stringify(cleanRow.slice(0, -2))}`));
  // With replaced characters, the hash covers the text as sent (U+FFFD as an escape).
  const { row: json, raw } = upsertRow(e, '2026-01-02T03:04:06.000Z');
  const row = JSON.parse(json) as unknown[];
  const digest = hashOf(row) as string;
  expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(json).toContain('\\ufffd');
  expect(digest).toBe(sha(`${raw}${json.slice(0, json.indexOf(`,"${digest}",`))}]`));
  // The same content at another time has the same hash; other content has another, in the row or
  // only in raw.
  const later = JSON.parse(upsertRow(e, '2026-02-01T00:00:00.000Z').row) as unknown[];
  expect(hashOf(later)).toBe(digest);
  const edited = JSON.parse(upsertRow({ ...e, subject: 'x' }, '2026-01-02T03:04:06.000Z').row);
  expect(hashOf(edited)).not.toBe(digest);
  const rawEdited = JSON.parse(
    upsertRow({ ...e, raw: { id: 'y' } }, '2026-01-02T03:04:06.000Z').row,
  ) as unknown[];
  expect(hashOf(rawEdited)).not.toBe(digest);
});

it('the byte rows are the UTF-8 of the text rows, byte for byte, hash included', () => {
  const cases: Engagement[] = [
    e,
    { ...e, raw: undefined },
    { ...e, subject: 'ascii only', raw: { n: 1 } },
    // Past the 4 KiB a pooled buffer holds, with characters of 2, 3 and 4 UTF-8 bytes.
    { ...e, body: 'é漢😀'.repeat(2_000), raw: { text: 'ü'.repeat(5_000), esc: '\u0000 "q" \\' } },
  ];
  for (const c of cases) {
    for (const at of ['2026-01-02T03:04:06.000Z', '+275760-09-13T00:00:00.000Z']) {
      const text = upsertRow(c, at);
      const bytes = upsertRowBytes(c, at);
      expect(bytes.row.equals(Buffer.from(text.row))).toBe(true);
      expect(bytes.raw.equals(Buffer.from(text.raw))).toBe(true);
      expect(JSON.parse(bytes.row.toString())).toEqual(JSON.parse(text.row));
    }
  }
});

it('a null field (from a lax adapter) is SQL NULL like an absent one, not the text "null" or JSON null', () => {
  const lax = { ...e, body: null, durationSeconds: null, customFields: null, tags: null };
  const row = JSON.parse(
    upsertRow(lax as unknown as Engagement, '2026-01-02T03:04:06.000Z').row,
  ) as unknown[];
  const at = (name: string) => row[ROW_NAMES.indexOf(name)];
  expect([at('body'), at('duration_seconds'), at('custom_fields'), at('tags')]).toEqual([
    null,
    null,
    null,
    null,
  ]);
});
