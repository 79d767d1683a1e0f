import { describe, expect, it } from 'vitest';
import { parseZoomEngagement } from '../src/index';

const base = { engagement_id: 'E1', start_time: '2026-03-01T10:00:00Z' };

describe('Zoom values are read faithfully or not at all', () => {
  it('leaves out counts and durations a number cannot hold exactly, never rounds them', () => {
    const e = parseZoomEngagement({
      ...base,
      transfer_count: '99999999999999999999',
      voice_mail: '18014398509481985',
      talk_duration: '9'.repeat(400),
      duration: '9007199254740993',
    });
    expect(e.customFields?.transfer_count).toBeUndefined();
    expect(e.customFields?.voice_mail).toBeUndefined();
    expect(e.customFields?.talk_duration).toBeUndefined();
    expect(e.durationSeconds).toBeUndefined();
  });

  it('keeps the largest exact ones', () => {
    const e = parseZoomEngagement({
      ...base,
      transfer_count: '9007199254740991',
      duration: 9_007_199_254_740_991,
    });
    expect(e.customFields?.transfer_count).toBe(9_007_199_254_740_991);
    expect(e.durationSeconds).toBe(9_007_199_254_740_991);
  });

  it('reads a leap-second start_time as the next second', () => {
    expect(parseZoomEngagement({ ...base, start_time: '2016-12-31T23:59:60Z' }).occurredAt).toBe(
      '2017-01-01T00:00:00.000Z',
    );
  });
});
