import { createHash } from 'node:crypto';
import type { Engagement } from '@engagekit/core';
import { expect, it } from 'vitest';
import { UPSERT_COLUMNS, upsertRowJson } from '../src/rows';

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

it('a row is every column in order, text as strings, jsonb in a one-element array, then hash and changed_at', () => {
  const row = JSON.parse(upsertRowJson(e, '2026-01-02T03:04:06.000Z')) as unknown[];
  expect(row).toHaveLength(UPSERT_COLUMNS.length);
  const at = (name: string) => row[UPSERT_COLUMNS.findIndex((c) => c.name === name)];
  expect(at('id')).toBe('devrev:don:core:x:engagement/1');
  expect(at('kind')).toBe('call');
  expect(at('channels')).toEqual([['voice']]);
  // NUL and a lone surrogate become U+FFFD (Postgres refuses both); a literal backslash before
  // "u0000" stays as it was.
  expect(at('subject')).toBe('Renewal with 王芳 — Søren \ufffd');
  expect(at('raw')).toEqual([{ id: 'x', note: 'a\ufffdb', path: 'C:\\u0000' }]);
  // Numbers travel as text; the SQL casts them.
  expect(at('duration_seconds')).toBe('90');
  expect(at('occurred_at')).toBe('2026-01-02T03:04:05.000Z');
  // Absent fields are SQL NULL, not JSON null in an array.
  expect(at('body')).toBeNull();
  expect(at('custom_fields')).toBeNull();
  expect(at('changed_at')).toBe('2026-01-02T03:04:06.000Z');
});

it('content_hash is the SHA-256 (base64url) of the row JSON before the hash and changed_at', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('base64url');
  const clean = { ...e, subject: 'Renewal with 王芳 — Søren', raw: { id: 'x' } };
  const cleanRow = JSON.parse(upsertRowJson(clean, '2026-01-02T03:04:06.000Z')) as unknown[];
  expect(cleanRow[cleanRow.length - 2]).toBe(sha(JSON.stringify(cleanRow.slice(0, -2))));
  // With replaced characters, the hash covers the row's text as sent (U+FFFD as an escape).
  const json = upsertRowJson(e, '2026-01-02T03:04:06.000Z');
  const row = JSON.parse(json) as unknown[];
  const digest = row[row.length - 2] as string;
  expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(json).toContain('\\ufffd');
  expect(digest).toBe(sha(`${json.slice(0, json.indexOf(`,"${digest}",`))}]`));
  // The same content at another time has the same hash; other content has another.
  const later = JSON.parse(upsertRowJson(e, '2026-02-01T00:00:00.000Z')) as unknown[];
  expect(later[later.length - 2]).toBe(digest);
  const edited = JSON.parse(upsertRowJson({ ...e, subject: 'x' }, '2026-01-02T03:04:06.000Z'));
  expect(edited[edited.length - 2]).not.toBe(digest);
});
