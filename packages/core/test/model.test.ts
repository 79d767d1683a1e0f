import { describe, expect, it } from 'vitest';
import { EngagementSchema, toDurationSeconds, toIsoUtc, toIsoUtcStrict } from '../src/model';

const minimal = {
  id: 'devrev:1',
  provider: 'devrev',
  remoteId: '1',
  kind: 'call',
  occurredAt: '2026-11-01T10:00:00.000Z',
  participants: [],
  related: [],
  notes: [],
  dispositions: [],
  tags: [],
};

const full = {
  ...minimal,
  displayId: 'MTG-1',
  nativeType: 'voice_call',
  channels: ['voice', 'sms'],
  direction: 'inbound',
  subject: 'Hello',
  body: 'World',
  status: 'completed',
  startTime: '2026-11-01T10:00:00.000Z',
  endTime: '2026-11-01T10:05:00.000Z',
  durationSeconds: 300,
  participants: [{ id: 'u1', role: 'agent', displayName: 'A', email: 'a@x.io', phone: '+1' }],
  related: [{ type: 'account', id: 'acc1', name: 'Acme' }],
  notes: [{ id: 'n1', text: 'hi', authorId: 'u1', updatedAt: '2026-11-01T10:06:00.000Z' }],
  dispositions: [{ id: 'd1', name: 'resolved' }, { name: 'follow-up' }],
  tags: [{ id: 't1', name: 'vip', value: 'yes' }],
  externalRef: 'ext-1',
  externalUrl: 'https://example.com/1',
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:07:00.000Z',
  customFields: { a: 1 },
  raw: { anything: true },
};

describe('EngagementSchema', () => {
  it('accepts a full and a minimal engagement', () => {
    expect(EngagementSchema.parse(full)).toEqual(full);
    expect(EngagementSchema.parse(minimal)).toEqual(minimal);
  });

  it.each([
    ['unknown kind', { kind: 'fax' }],
    ['non-UTC occurredAt', { occurredAt: '2026-11-01T10:00:00+01:00' }],
    ['occurredAt without millis', { occurredAt: '2026-11-01T10:00:00Z' }],
    ['impossible date', { occurredAt: '2026-13-01T10:00:00.000Z' }],
    ['negative duration', { durationSeconds: -1 }],
    ['string duration', { durationSeconds: '90' }],
    ['bad direction', { direction: 'sideways' }],
    ['empty id', { id: '' }],
    ['missing participants', { participants: undefined }],
    ['participant without role', { participants: [{ id: 'x' }] }],
    ['tag without id', { tags: [{ name: 'x' }] }],
  ])('rejects %s', (_name, patch) => {
    expect(EngagementSchema.safeParse({ ...minimal, ...patch }).success).toBe(false);
  });
});

describe('toIsoUtc', () => {
  it('reads Z and ±HH:mm offsets', () => {
    expect(toIsoUtc('2026-11-01T10:00:00Z')).toBe('2026-11-01T10:00:00.000Z');
    expect(toIsoUtc('2026-11-01T10:00:00.5Z')).toBe('2026-11-01T10:00:00.500Z');
    expect(toIsoUtc('2026-11-01T10:00:00+05:30')).toBe('2026-11-01T04:30:00.000Z');
    expect(toIsoUtc('2026-11-01T10:00:00-08:00')).toBe('2026-11-01T18:00:00.000Z');
    expect(toIsoUtc('2026-11-01T10:00:00+0200')).toBe('2026-11-01T08:00:00.000Z');
    expect(toIsoUtc('2026-11-01T10:00:00.123456-05:00')).toBe('2026-11-01T15:00:00.123Z');
    expect(toIsoUtc('2026-11-01 10:00:00Z')).toBe('2026-11-01T10:00:00.000Z');
    expect(toIsoUtc('2026-11-01t10:00:00z')).toBe('2026-11-01T10:00:00.000Z');
  });

  it('an offset ignores the zone option', () => {
    expect(toIsoUtc('2026-11-01T10:00:00+01:00', { timeZone: 'America/New_York' })).toBe(
      '2026-11-01T09:00:00.000Z',
    );
  });

  it('reads zone-less strings as UTC by default, or in a named IANA zone', () => {
    expect(toIsoUtc('2026-11-01T10:00:00')).toBe('2026-11-01T10:00:00.000Z');
    expect(toIsoUtc('2026-11-01 10:00')).toBe('2026-11-01T10:00:00.000Z');
    expect(toIsoUtc('2026-07-01T10:00:00', { timeZone: 'Europe/Berlin' })).toBe(
      '2026-07-01T08:00:00.000Z',
    );
    expect(toIsoUtc('2026-01-15T10:00:00', { timeZone: 'Europe/Berlin' })).toBe(
      '2026-01-15T09:00:00.000Z',
    );
    expect(toIsoUtc('2026-01-15T10:00:00', { timeZone: 'Asia/Kolkata' })).toBe(
      '2026-01-15T04:30:00.000Z',
    );
  });

  it('handles DST transitions in a named zone', () => {
    // US DST 2026: starts 8 March 02:00, ends 1 November 02:00 (America/New_York).
    expect(toIsoUtc('2026-03-07T12:00:00', { timeZone: 'America/New_York' })).toBe(
      '2026-03-07T17:00:00.000Z',
    );
    expect(toIsoUtc('2026-03-09T12:00:00', { timeZone: 'America/New_York' })).toBe(
      '2026-03-09T16:00:00.000Z',
    );
    expect(toIsoUtc('2026-11-01T03:00:00', { timeZone: 'America/New_York' })).toBe(
      '2026-11-01T08:00:00.000Z',
    );
    // The ambiguous hour still yields a real instant on one side of the change.
    expect(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']).toContain(
      toIsoUtc('2026-11-01T01:30:00', { timeZone: 'America/New_York' }),
    );
  });

  it('reads date-only strings as midnight in the zone, whatever the machine zone', () => {
    expect(toIsoUtc('2026-11-01')).toBe('2026-11-01T00:00:00.000Z');
    expect(toIsoUtc('2026-11-01', { timeZone: 'Europe/Berlin' })).toBe('2026-10-31T23:00:00.000Z');
  });

  it('reads numbers (epoch ms), Dates and HTTP dates', () => {
    expect(toIsoUtc(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(toIsoUtc(1_793_527_200_000)).toBe(new Date(1_793_527_200_000).toISOString());
    expect(toIsoUtc(new Date('2026-11-01T10:00:00Z'))).toBe('2026-11-01T10:00:00.000Z');
    expect(toIsoUtc('Sun, 01 Nov 2026 10:00:00 GMT')).toBe('2026-11-01T10:00:00.000Z');
  });

  it.each([
    null,
    undefined,
    '',
    '   ',
    'garbage',
    'garbage+05',
    '2026-13-01T00:00:00Z',
    '2026-02-30',
    '2026-02-30T10:00:00',
    '2026-11-01T25:00:00',
    '2026-11-01T10:00:00 Mars/Olympus',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1e20,
    new Date('nope'),
  ])('returns undefined, never "Invalid Date", for %s', (value) => {
    const out = toIsoUtc(value as string);
    expect(out).toBeUndefined();
  });

  it('an unknown zone is unreadable, not a crash', () => {
    expect(toIsoUtc('2026-11-01T10:00:00', { timeZone: 'Not/AZone' })).toBeUndefined();
  });

  it('toIsoUtcStrict throws a RangeError naming the value', () => {
    expect(() => toIsoUtcStrict('nope')).toThrow(/nope/);
    expect(toIsoUtcStrict('2026-11-01T10:00:00Z')).toBe('2026-11-01T10:00:00.000Z');
  });
});

describe('toDurationSeconds', () => {
  it.each([
    [90, 90],
    [0, 0],
    [1.5, 1.5],
    ['90', 90],
    [' 90 ', 90],
    ['12.5', 12.5],
    ['01:02:03', 3723],
    ['02:03', 123],
    ['100:00:00', 360000],
    ['PT1M30S', 90],
    ['PT1H', 3600],
    ['P1DT1S', 86401],
    ['pt2m', 120],
    ['PT0.5S', 0.5],
  ])('%s → %s', (input, expected) => {
    expect(toDurationSeconds(input)).toBe(expected);
  });

  it.each([
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '-5',
    'abc',
    'P',
    'PT',
    'P1DT',
    '1:75:00',
    '02:61',
    '',
    null,
    undefined,
    {},
    [],
    true,
  ])('garbage %s → undefined', (input) => {
    expect(toDurationSeconds(input)).toBeUndefined();
  });
});
