import { EngagementSchema, ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { parseTrutoEngagement } from '../src/index';
import { trutoRecord } from './fixtures';

describe('parseTrutoEngagement', () => {
  it('maps a payload held outside a listing (webhook, export) like the listing does', () => {
    const payload = trutoRecord();
    const engagement = parseTrutoEngagement(payload);
    expect(EngagementSchema.parse(engagement)).toEqual(engagement);
    expect(engagement).toMatchObject({
      id: 'truto:1001',
      kind: 'call',
      direction: 'inbound',
      occurredAt: '2026-03-02T10:00:00.000Z',
      durationSeconds: 1800,
      participants: [
        { id: 'u-1', role: 'owner' },
        { id: 'c-1', role: 'contact' },
        { id: 'c-2', role: 'contact' },
      ],
    });
    expect(engagement.raw).toBe(payload);
    expect(parseTrutoEngagement(payload, { includeRaw: false })).not.toHaveProperty('raw');
  });

  it('names the path and rule of a payload that breaks the wire schema', () => {
    expect(() => parseTrutoEngagement(trutoRecord({ subject: 42 }))).toThrowError(
      expect.objectContaining({ constructor: ResponseValidationError, path: 'subject' }),
    );
  });

  it('rejects a record with no date at all', () => {
    const { start_time, created_at, updated_at, ...undated } = trutoRecord();
    expect(() => parseTrutoEngagement(undated)).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ rule: 'missing_timestamp' })] }),
    );
  });
});
