import { describe, expect, it } from 'vitest';
import { toDurationSeconds, toIsoUtc } from '../src/model/time';

describe('toIsoUtc: RFC 3339 leap seconds', () => {
  it.each([
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z'],
    ['2016-12-31T23:59:60.5Z', '2017-01-01T00:00:00.500Z'],
    ['2016-12-31T23:59:60.123Z', '2017-01-01T00:00:00.123Z'],
    ['2017-01-01T05:29:60+05:30', '2017-01-01T00:00:00.000Z'],
    ['2016-12-31T18:59:60-05:00', '2017-01-01T00:00:00.000Z'],
    ['0050-06-30T23:59:60Z', '0050-07-01T00:00:00.000Z'],
  ])('the character-code reader reads %s as the next second', (input, expected) => {
    expect(toIsoUtc(input)).toBe(expected);
  });

  it.each([
    ['2016-12-31 23:59:60Z', '2017-01-01T00:00:00.000Z'],
    ['2016-12-31T23:59:60.123456Z', '2017-01-01T00:00:00.123Z'],
    ['2016-12-31T23:59:60 +00:00', '2017-01-01T00:00:00.000Z'],
    ['2016-12-31T23:59:60', '2017-01-01T00:00:00.000Z'],
    ['Sat, 31 Dec 2016 23:59:60 GMT', '2017-01-01T00:00:00.000Z'],
  ])('the general reader reads %s as the next second', (input, expected) => {
    expect(toIsoUtc(input)).toBe(expected);
  });

  it('reads a zone-less leap second in a named zone', () => {
    expect(toIsoUtc('2016-12-31T18:59:60', { timeZone: 'America/New_York' })).toBe(
      '2017-01-01T00:00:00.000Z',
    );
  });

  it.each([
    '2016-12-31T12:00:60Z',
    '2016-12-31T23:59:60+01:00',
    '2016-12-31 12:00:60Z',
    '2016-12-31T12:00:60',
    '2016-12-31T23:59:61Z',
  ])('second 60 outside the last second of a UTC day (%s) is unreadable', (input) => {
    expect(toIsoUtc(input)).toBeUndefined();
  });
});

describe('toIsoUtc: numbers', () => {
  it('reads magnitudes below 1e11 as epoch seconds and from 1e11 up as epoch milliseconds', () => {
    expect(toIsoUtc(1_700_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(toIsoUtc(1_700_000_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(toIsoUtc(99_999_999_999)).toBe('5138-11-16T09:46:39.000Z');
    expect(toIsoUtc(1e11)).toBe('1973-03-03T09:46:40.000Z');
    expect(toIsoUtc(-86_400)).toBe('1969-12-31T00:00:00.000Z');
    expect(toIsoUtc(1.5)).toBe('1970-01-01T00:00:01.500Z');
  });

  it.each([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, JSON.parse('1e309')])(
    '%s is unreadable',
    (value) => {
      expect(toIsoUtc(value)).toBeUndefined();
    },
  );
});

describe('toDurationSeconds: only values a number holds exactly', () => {
  it.each([
    ['9'.repeat(400)],
    [JSON.parse('1e309')],
    [2 ** 53],
    [`${2 ** 60}`],
    [`PT${'9'.repeat(400)}S`],
  ])('%s is unreadable, never Infinity or a rounded value', (value) => {
    expect(toDurationSeconds(value)).toBeUndefined();
  });

  it('keeps the largest exact value', () => {
    expect(toDurationSeconds(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(toDurationSeconds(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });
});
