import { type Engagement, InputValidationError } from '@engagekit/core';
import type { NormalizedListParams } from '@engagekit/core/adapter';
import { describe, expect, it } from 'vitest';
import { channelForKinds } from '../src/map/kind';
import {
  DEFAULT_RANGE_MS,
  formatZoomTime,
  listRange,
  planListQuery,
  validZone,
  WINDOW_MS,
  windowQuery,
} from '../src/query';

// Issue 17: the list query plan, window query and time format, each branch with its value.
const T0 = Date.UTC(2026, 0, 15, 12, 30, 45, 250);

const params = (extra: Partial<NormalizedListParams> = {}): NormalizedListParams => ({
  from: undefined,
  to: undefined,
  kinds: undefined,
  directions: undefined,
  participantIds: undefined,
  accountIds: undefined,
  ownerIds: undefined,
  pageSize: 50,
  cursor: undefined,
  includeRaw: true,
  signal: undefined,
  maxPages: undefined,
  prefetch: false,
  native: {},
  request: undefined,
  fingerprint: 'fp',
  clientFilters: [],
  clientFilter: undefined,
  ...extra,
});

const issuesOf = (native: Record<string, unknown>) => {
  try {
    planListQuery(params({ native }));
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).provider).toBe('zoom-contact-center');
    return (error as InputValidationError).issues.map((i) => [i.path, i.rule, i.message]);
  }
  throw new Error('expected an InputValidationError');
};

const engagement = (direction?: Engagement['direction']) =>
  ({ direction }) as unknown as Engagement;

describe('constants', () => {
  it('windows of 27 days and a default range of one day', () => {
    expect(WINDOW_MS).toBe(27 * 86_400_000);
    expect(DEFAULT_RANGE_MS).toBe(86_400_000);
  });
});

describe('formatZoomTime and time zones', () => {
  it('writes UTC to the second with a literal Z, for every spelling of UTC', () => {
    for (const zone of ['UTC', 'utc', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z', 'Zulu', 'Universal']) {
      expect(formatZoomTime(T0, zone)).toBe('2026-01-15T12:30:45Z');
    }
    expect(formatZoomTime(T0)).toBe('2026-01-15T12:30:45Z');
  });

  it('writes the wall-clock time of another zone, 24-hour, with the same literal Z', () => {
    expect(formatZoomTime(T0, 'America/Los_Angeles')).toBe('2026-01-15T04:30:45Z');
    expect(formatZoomTime(Date.UTC(2026, 6, 1, 0, 5, 9), 'Asia/Tokyo')).toBe(
      '2026-07-01T09:05:09Z',
    );
    // Ends in "z" without being a spelling of UTC (La Paz is UTC−4 all year).
    expect(formatZoomTime(T0, 'America/La_Paz')).toBe('2026-01-15T08:30:45Z');
    expect(formatZoomTime(Date.UTC(2026, 0, 1, 8), 'America/Los_Angeles')).toBe(
      '2026-01-01T00:00:00Z',
    );
  });

  it('validZone: UTC spellings and IANA ids pass, anything else fails', () => {
    expect(validZone('utc')).toBe(true);
    // Intl refuses these spellings of UTC; Zoom's own list accepts them.
    expect(validZone('Z')).toBe(true);
    expect(validZone('z')).toBe(true);
    expect(validZone('Europe/Berlin')).toBe(true);
    expect(validZone('Mars/Olympus_Mons')).toBe(false);
    expect(validZone('UTC+1x')).toBe(false);
  });
});

describe('listRange', () => {
  it('takes the caller’s range, else ends now and starts one day before the end', () => {
    expect(listRange(params({ from: new Date(1000), to: new Date(5000) }), 9e12)).toEqual({
      from: 1000,
      to: 5000,
    });
    expect(listRange(params(), T0)).toEqual({ from: T0 - 86_400_000, to: T0 });
    expect(listRange(params({ to: new Date(T0) }), 0)).toEqual({ from: T0 - 86_400_000, to: T0 });
    expect(listRange(params({ from: new Date(1000) }), T0)).toEqual({ from: 1000, to: T0 });
  });
});

describe('windowQuery', () => {
  it('floors from and ceils to the second in UTC, without padding', () => {
    expect(windowQuery({ from: T0, to: T0 + 1 }, 'UTC')).toEqual({
      from: '2026-01-15T12:30:45Z',
      to: '2026-01-15T12:30:46Z',
    });
    const whole = Date.UTC(2026, 0, 15, 12, 30, 45);
    expect(windowQuery({ from: whole, to: whole }, 'UTC')).toEqual({
      from: '2026-01-15T12:30:45Z',
      to: '2026-01-15T12:30:45Z',
    });
  });

  it('pads each edge by one hour outside UTC, in the zone’s wall-clock time', () => {
    expect(windowQuery({ from: T0, to: T0 + 1 }, 'America/Los_Angeles')).toEqual({
      from: '2026-01-15T03:30:45Z',
      to: '2026-01-15T05:30:46Z',
    });
  });
});

describe('planListQuery', () => {
  it('defaults: timezone UTC, page_size from pageSize capped at 100, nothing else', () => {
    const plan = planListQuery(params());
    expect(plan.base).toEqual({ timezone: 'UTC', page_size: 50 });
    expect(plan.timeZone).toBe('UTC');
    expect(plan.userIdFromParticipants).toBe(false);
    expect(plan.keepDirection).toBeUndefined();
    expect(plan.matchesNothing).toBe(false);
    expect(planListQuery(params({ pageSize: 100 })).base.page_size).toBe(100);
    expect(planListQuery(params({ pageSize: 300 })).base.page_size).toBe(100);
  });

  it('passes native values: scalars as given, arrays as strings, dates in Zoom format, objects as JSON', () => {
    const plan = planListQuery(
      params({
        native: {
          timezone: 'Asia/Tokyo',
          queue_id: 'q1',
          limit: 3,
          flag: false,
          channel_sources: ['web_chat', 2],
          since: new Date(T0),
          extra: { a: 1 },
          gone: null,
          missing: undefined,
        },
      }),
    );
    expect(plan.base).toEqual({
      timezone: 'Asia/Tokyo',
      queue_id: 'q1',
      limit: 3,
      flag: false,
      channel_sources: ['web_chat', '2'],
      since: '2026-01-15T12:30:45Z',
      extra: '{"a":1}',
      page_size: 50,
    });
    expect(plan.timeZone).toBe('Asia/Tokyo');
    // Left out, not sent as an empty key (toEqual would not tell).
    expect(Object.keys(plan.base)).not.toContain('gone');
    expect(Object.keys(plan.base)).not.toContain('missing');
  });

  it('refuses each managed param with the unified option to use, and a bad time zone', () => {
    expect(
      issuesOf({
        from: 'x',
        TO: 'y',
        next_page_token: 't',
        'page_size[]': 5,
        timezone: 'Nowhere/Land',
        ok: 1,
      }),
    ).toEqual([
      ['native.from', 'managed_param', '"from" is set by engagekit (use the unified "from")'],
      ['native.TO', 'managed_param', '"to" is set by engagekit (use the unified "to")'],
      [
        'native.next_page_token',
        'managed_param',
        '"next_page_token" is set by engagekit (use "cursor")',
      ],
      ['native.page_size[]', 'managed_param', '"page_size" is set by engagekit (use "pageSize")'],
      [
        'native.timezone',
        'invalid_time_zone',
        'expected an IANA time zone id such as "America/Los_Angeles"',
      ],
    ]);
    // Not a string, even one whose text is a valid zone.
    expect(issuesOf({ timezone: ['UTC'] })).toEqual([
      [
        'native.timezone',
        'invalid_time_zone',
        'expected an IANA time zone id such as "America/Los_Angeles"',
      ],
    ]);
    expect(issuesOf({ timezone: 7 })).toEqual([
      [
        'native.timezone',
        'invalid_time_zone',
        'expected an IANA time zone id such as "America/Los_Angeles"',
      ],
    ]);
    // A managed key set to undefined is as good as absent.
    expect(planListQuery(params({ native: { from: undefined } })).base).toEqual({
      timezone: 'UTC',
      page_size: 50,
    });
  });

  it('narrows by channel from kinds unless a native channel parameter is given', () => {
    expect(planListQuery(params({ kinds: ['call'] })).base.channel).toBe('voice');
    const sms = planListQuery(params({ kinds: ['sms'] })).base;
    expect([sms.channel, sms.channel_sources]).toEqual(['messaging', ['sms']]);
    const chat = planListQuery(params({ kinds: ['chat', 'sms'] })).base;
    expect(chat.channel).toBe('messaging');
    expect(Object.keys(chat)).not.toContain('channel_sources');
    expect(planListQuery(params({ kinds: ['call', 'email'] })).base.channel).toBeUndefined();
    for (const native of [{ channel: 'video' }, { channel_types: 'x' }, { channel_sources: 's' }]) {
      const base = planListQuery(params({ kinds: ['call'], native })).base;
      expect(base.channel === 'voice').toBe(false);
    }
  });

  it('channelForKinds: one channel for kinds that share it, none otherwise', () => {
    expect(channelForKinds(['video'])).toEqual({ channel: 'video' });
    expect(channelForKinds(['email'])).toEqual({ channel: 'email' });
    expect(channelForKinds(['chat'])).toEqual({ channel: 'messaging' });
    expect(channelForKinds(['sms', 'sms'])).toEqual({
      channel: 'messaging',
      channel_sources: ['sms'],
    });
    expect(channelForKinds(['call', 'call'])).toEqual({ channel: 'voice' });
    expect(channelForKinds(['note'])).toBeUndefined();
    expect(channelForKinds(['call', 'note'])).toBeUndefined();
  });

  it('sends one direction, none for both or internal, and keeps only records of the asked directions', () => {
    const inbound = planListQuery(params({ directions: ['inbound'] }));
    expect(inbound.base.direction).toBe('inbound');
    expect(inbound.matchesNothing).toBe(false);
    expect(inbound.keepDirection?.(engagement('inbound'))).toBe(true);
    expect(inbound.keepDirection?.(engagement('outbound'))).toBe(false);
    expect(inbound.keepDirection?.(engagement(undefined))).toBe(false);
    expect(planListQuery(params({ directions: ['outbound'] })).base.direction).toBe('outbound');
    expect(planListQuery(params({ directions: ['inbound', 'outbound'] })).base.direction).toBe(
      undefined,
    );
    const mixed = planListQuery(params({ directions: ['internal', 'outbound'] }));
    expect(mixed.base.direction).toBe('outbound');
    expect(mixed.keepDirection?.(engagement('internal'))).toBe(true);
    expect(mixed.matchesNothing).toBe(false);
    const internal = planListQuery(params({ directions: ['internal'] }));
    expect(internal.base.direction).toBeUndefined();
    expect(internal.matchesNothing).toBe(true);
    const native = planListQuery(params({ directions: ['inbound'], native: { direction: 'x' } }));
    expect(native.base.direction).toBe('x');
  });

  it('sends user_id for exactly one participant unless native names it', () => {
    const one = planListQuery(params({ participantIds: ['u1'] }));
    expect([one.base.user_id, one.userIdFromParticipants]).toEqual(['u1', true]);
    const two = planListQuery(params({ participantIds: ['u1', 'u2'] }));
    expect([two.base.user_id, two.userIdFromParticipants]).toEqual([undefined, false]);
    const native = planListQuery(params({ participantIds: ['u1'], native: { user_id: 'n' } }));
    expect([native.base.user_id, native.userIdFromParticipants]).toEqual(['n', false]);
  });
});
