import { describe, expect, it } from 'vitest';
import { toIsoUtc } from '../src/index';

// The fast paths (already canonical; ECMAScript ISO through Date.parse) must agree with the slow one.
describe('toIsoUtc fast paths', () => {
  it('returns canonical UTC strings unchanged, and rejects impossible days in them', () => {
    expect(toIsoUtc('2026-11-01T10:00:00.000Z')).toBe('2026-11-01T10:00:00.000Z');
    expect(toIsoUtc('2028-02-29T23:59:59.999Z')).toBe('2028-02-29T23:59:59.999Z');
    expect(toIsoUtc('2026-02-29T00:00:00.000Z')).toBeUndefined();
    expect(toIsoUtc('2026-04-31T00:00:00.000Z')).toBeUndefined();
    expect(toIsoUtc('2026-13-01T00:00:00.000Z')).toBeUndefined();
    // ISO 8601's end-of-day 24:00 is the next midnight.
    expect(toIsoUtc('2026-11-01T24:00:00.000Z')).toBe('2026-11-02T00:00:00.000Z');
  });

  it('reads offsets and shorter fractions exactly', () => {
    expect(toIsoUtc('2026-11-01T10:00:00+05:30')).toBe('2026-11-01T04:30:00.000Z');
    expect(toIsoUtc('2026-11-01T10:00:00.5Z')).toBe('2026-11-01T10:00:00.500Z');
    expect(toIsoUtc('2026-03-01T00:30:00+01:00')).toBe('2026-02-28T23:30:00.000Z');
    expect(toIsoUtc('2026-02-30T10:00:00+01:00')).toBeUndefined();
  });
});
