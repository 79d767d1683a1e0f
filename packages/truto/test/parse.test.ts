import { EngagementSchema, ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { parseTrutoEngagement } from '../src/index';
import { trutoRecord } from './fixtures';

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as ResponseValidationError;
  }
  throw new Error('expected a ResponseValidationError');
};

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
    const error = failure(() => parseTrutoEngagement(trutoRecord({ subject: 42 })));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.issues[0]?.path).toBe('subject');
  });

  it('rejects a record with no date at all', () => {
    const { start_time, created_at, updated_at, ...undated } = trutoRecord();
    expect(failure(() => parseTrutoEngagement(undated)).issues[0]?.rule).toBe('missing_timestamp');
  });
});
