import { createHash } from 'node:crypto';
import type { Engagement } from '@engagekit/core';
import { expect, it } from 'vitest';
import { pushEngagementParams, UPSERT_COLUMNS } from '../src/rows';

// Rows written by earlier versions keep their content_hash: the digest must stay the SHA-256 of
// every column's parameter followed by NUL (SOH NUL for SQL NULL), in column order.
it('content_hash is the SHA-256 of the NUL-terminated parameters in column order, as stored before', () => {
  const e = {
    id: 'devrev:don:core:x:engagement/1',
    provider: 'devrev',
    remoteId: 'don:core:x:engagement/1',
    kind: 'call',
    channels: ['voice'],
    subject: 'Renewal with 王芳 — Søren',
    occurredAt: '2026-01-02T03:04:05.000Z',
    durationSeconds: 90,
    participants: [{ role: 'host', name: 'José' }],
    raw: { id: 'x', note: 'a\u0000b' },
  } as unknown as Engagement;
  const out: (string | null)[] = [];
  pushEngagementParams(out, e, '2026-01-02T03:04:06.000Z');
  const fields = UPSERT_COLUMNS.filter((c) => c.field);
  expect(out).toHaveLength(fields.length + 2);
  const expected = createHash('sha256');
  // One update per column, as the digest was computed before it was built in one string.
  for (const p of out.slice(0, fields.length)) {
    expected.update(p === null ? '\u0001\u0000' : `${String(p)}\u0000`);
  }
  expect(out[fields.length]).toBe(expected.digest('base64url'));
  expect(out[fields.length]).toBe('bgbQN19JCFtkWri2fsHHJFKj6oY_htu21UXum2S3WKA');
  expect(out[fields.length + 1]).toBe('2026-01-02T03:04:06.000Z');
});
