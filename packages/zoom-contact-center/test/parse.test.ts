import { EngagementSchema, ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { parseZoomEngagement } from '../src/index';
import { record } from './helpers';

describe('parseZoomEngagement', () => {
  it('maps a payload held outside a listing (webhook, export) like the listing does', () => {
    const payload = record('e-1', Date.UTC(2026, 2, 1, 10), {
      consumers: [{ consumer_number: '+14155550100' }],
      duration: '90',
    });
    const engagement = parseZoomEngagement(payload);
    expect(EngagementSchema.parse(engagement)).toEqual(engagement);
    expect(engagement).toMatchObject({
      id: 'zoom-contact-center:e-1',
      kind: 'call',
      direction: 'inbound',
      occurredAt: '2026-03-01T10:00:00.000Z',
      durationSeconds: 90,
      participants: [{ role: 'consumer', phone: '+14155550100' }],
    });
    expect(engagement.raw).toBe(payload);
  });

  it('reads offset-less times in the given zone', () => {
    const payload = { engagement_id: 'e-2', start_time: '2026-03-01T10:00:00' };
    expect(parseZoomEngagement(payload, { timeZone: 'Asia/Tokyo' }).occurredAt).toBe(
      '2026-03-01T01:00:00.000Z',
    );
  });

  it('names the path and rule of a payload that breaks the wire schema', () => {
    expect(() => parseZoomEngagement({ engagement_id: '', start_time: 'x' })).toThrowError(
      expect.objectContaining({ constructor: ResponseValidationError, path: 'engagement_id' }),
    );
    expect(() => parseZoomEngagement({ engagement_id: 'e-3' })).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ rule: 'invalid_date' })] }),
    );
  });
});
