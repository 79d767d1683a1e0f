import fc from 'fast-check';
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

describe('toIsoUtc character-code reader', () => {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const isoLike = fc
    .record({
      y: fc.integer({ min: 0, max: 9999 }),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }),
      mi: fc.integer({ min: 0, max: 60 }),
      s: fc.integer({ min: 0, max: 60 }),
      frac: fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,4}$/)),
      zone: fc.oneof(
        fc.constantFrom('Z', 'z', '', '+00:00', '-00:00', '+24:00', '+05:60'),
        fc
          .tuple(
            fc.constantFrom('+', '-'),
            fc.integer({ min: 0, max: 23 }),
            fc.integer({ min: 0, max: 59 }),
          )
          .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
      ),
    })
    .map(
      (p) =>
        `${pad(p.y, 4)}-${pad(p.mo, 2)}-${pad(p.d, 2)}T${pad(p.h, 2)}:${pad(p.mi, 2)}:${pad(p.s, 2)}${p.frac}${p.zone}`,
    );

  it('agrees with Date.parse on valid days and rejects impossible ones, for every strict ISO string', () => {
    fc.assert(
      fc.property(isoLike, (text) => {
        const m = STRICT.exec(text);
        const out = toIsoUtc(text);
        if (!m) return; // other forms are the general path's (covered by model.test.ts)
        const [, y, mo, d] = m.map(Number) as [number, number, number, number];
        const dim = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
        if (d < 1 || d > dim) expect(out).toBeUndefined();
        else expect(out).toBe(new Date(Date.parse(text)).toISOString());
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads years below 100 as they are written', () => {
    expect(toIsoUtc('0050-06-01T00:00:00Z')).toBe('0050-06-01T00:00:00.000Z');
    expect(toIsoUtc('0099-12-31T23:00:00-02:00')).toBe('0100-01-01T01:00:00.000Z');
    // Without an offset (wall-clock UTC) the general path reads them the same way.
    expect(toIsoUtc('0050-06-01 12:00')).toBe('0050-06-01T12:00:00.000Z');
    expect(toIsoUtc('0004-02-29T00:00:00')).toBe('0004-02-29T00:00:00.000Z');
  });
});

const STRICT =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,3})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
