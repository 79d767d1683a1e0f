import { EngagementSchema, ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { parseDevRevEngagement } from '../src/index';
import { fullEngagement } from './fixtures';

describe('parseDevRevEngagement', () => {
  it('maps a payload held outside a listing (webhook, export) like the listing does', () => {
    const payload = fullEngagement();
    const engagement = parseDevRevEngagement(payload);
    expect(EngagementSchema.parse(engagement)).toEqual(engagement);
    expect(engagement).toMatchObject({
      id: `devrev:${payload.id}`,
      kind: 'meeting',
      nativeType: 'offline',
      occurredAt: '2026-03-05T13:30:00.000Z',
      related: [{ type: 'account', name: 'Acme' }, { type: 'opportunity' }],
    });
    expect(engagement.raw).toBe(payload);
    expect(parseDevRevEngagement(payload, { includeRaw: false })).not.toHaveProperty('raw');
  });

  it('names the path and rule of a payload that breaks the wire schema', () => {
    expect(() => parseDevRevEngagement(fullEngagement({ members: [{ id: 7 }] }))).toThrowError(
      expect.objectContaining({
        constructor: ResponseValidationError,
        provider: 'devrev',
        issues: expect.arrayContaining([expect.objectContaining({ path: 'members.0.id' })]),
      }),
    );
  });

  it('rejects a record with no date at all', () => {
    const { created_date, modified_date, scheduled_date, ...undated } = fullEngagement();
    expect(() => parseDevRevEngagement(undated)).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ rule: 'missing_timestamp' })] }),
    );
  });
});
