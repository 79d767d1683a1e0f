// Issue 17: what the pagination mutation run found unheld in windows.ts. `isoUtcMs` gives the value
// `Date.parse` gives whichever way it reads a string, so its fast path is held by what it promises:
// a string in the form `toIsoUtc` writes, on a real day, is read without `Date.parse` (the listing's
// costliest step per record); anything else is handed to `Date.parse`, once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isoUtcMs, sliceWindows } from '../src/pagination/windows';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const iso = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) =>
  `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}Z`;
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
};

const LAST_DAY_2023 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

describe('isoUtcMs reads the canonical form of a real day without Date.parse', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** `isoUtcMs(text)` and how many times it asked `Date.parse`. */
  const read = (text: string): [number, number] => {
    const parse = vi.spyOn(Date, 'parse');
    try {
      const ms = isoUtcMs(text);
      return [ms, parse.mock.calls.length];
    } finally {
      parse.mockRestore();
    }
  };

  it('the first and the last instant of every month of 2023', () => {
    for (let month = 1; month <= 12; month++) {
      const last = LAST_DAY_2023[month - 1] as number;
      expect([month, read(iso(2023, month, 1))]).toEqual([month, [utc(2023, month, 1), 0]]);
      expect([month, read(iso(2023, month, last, 23, 59, 59, 999))]).toEqual([
        month,
        [utc(2023, month, last, 23, 59, 59, 999), 0],
      ]);
    }
  });

  it('February 29 of leap years, those divisible by 400 among them', () => {
    expect(read('2024-02-29T12:00:00.000Z')).toEqual([utc(2024, 2, 29, 12), 0]);
    expect(read('2000-02-29T00:00:00.000Z')).toEqual([951_782_400_000, 0]);
    expect(read('1600-02-29T00:00:00.000Z')).toEqual([utc(1600, 2, 29), 0]);
  });

  it('every digit value in every field, and millisecond 000', () => {
    expect(read('1987-06-05T04:03:02.010Z')).toEqual([utc(1987, 6, 5, 4, 3, 2, 10), 0]);
    expect(read('2019-10-28T18:47:36.000Z')).toEqual([utc(2019, 10, 28, 18, 47, 36, 0), 0]);
    expect(read('1970-01-01T00:00:00.000Z')).toEqual([0, 0]);
  });
});

describe('isoUtcMs hands every other string to Date.parse, once, and returns its value', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const handedOver = (text: string) => {
    const expected = Date.parse(text);
    const parse = vi.spyOn(Date, 'parse');
    try {
      const ms = isoUtcMs(text);
      expect([text, Object.is(ms, expected), parse.mock.calls]).toEqual([text, true, [[text]]]);
    } finally {
      parse.mockRestore();
    }
    return expected;
  };

  it('a day past the end of its month (V8 rolls it over, as days_from_civil would)', () => {
    // Not leap years: 2023, and 1900 and 2100 (divisible by 100, not by 400).
    expect(handedOver('2023-02-29T00:00:00.000Z')).toBe(utc(2023, 3, 1));
    expect(handedOver('1900-02-29T00:00:00.000Z')).toBe(utc(1900, 3, 1));
    expect(handedOver('2100-02-29T00:00:00.000Z')).toBe(utc(2100, 3, 1));
    expect(handedOver('2024-02-30T00:00:00.000Z')).toBe(utc(2024, 3, 1));
    for (const month of [4, 6, 9, 11]) {
      expect(handedOver(iso(2023, month, 31))).toBe(utc(2023, month + 1, 1));
    }
    expect(handedOver('2023-01-32T00:00:00.000Z')).toBeNaN();
  });

  it('day 00, month 00 or 13, hour 24, minute 60, second 60', () => {
    expect(handedOver('2023-01-00T00:00:00.000Z')).toBeNaN();
    expect(handedOver('2023-00-10T00:00:00.000Z')).toBeNaN();
    expect(handedOver('2023-13-10T00:00:00.000Z')).toBeNaN();
    expect(handedOver('2023-01-10T24:00:00.000Z')).toBe(utc(2023, 1, 11));
    expect(handedOver('2023-01-10T23:60:00.000Z')).toBeNaN();
    expect(handedOver('2023-01-10T23:59:60.000Z')).toBeNaN();
  });

  it('a character that is not a digit in the milliseconds or elsewhere', () => {
    expect(handedOver('2023-01-10T00:00:00.0a0Z')).toBeNaN();
    expect(handedOver('2023-01-10T00:00:00.00/Z')).toBeNaN();
    expect(handedOver('2023-01-10T00:00:0:.000Z')).toBeNaN();
    expect(handedOver('2023-01-1aT00:00:00.000Z')).toBeNaN();
  });
});

describe('sliceWindows', () => {
  it('says which argument is wrong', () => {
    expect(() => sliceWindows(0, 10, 0)).toThrow(new RangeError('maxWindowMs must be positive'));
    expect(() => sliceWindows(0, Number.POSITIVE_INFINITY, 5)).toThrow(
      new RangeError('sliceWindows needs a finite range'),
    );
  });

  it('takes the rest of the range at once where a step no longer moves the float', () => {
    // 2^60 is spaced 256 apart: adding 1 ms gives 2^60 again.
    const from = 2 ** 60;
    expect(sliceWindows(from, from + 512, 1)).toEqual([{ from, to: from + 512 }]);
    expect(sliceWindows(0, 3, 2)).toEqual([
      { from: 0, to: 2 },
      { from: 2, to: 3 },
    ]);
  });
});
