import { TZDate } from '@date-fns/tz';
import { isValid, parseISO } from 'date-fns';

/** A zone designator after a time of day (`…T10:00Z`, `…10:00:00.5+05:30`); a date-only `-01` is not one. */
const HAS_ZONE = /[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$/i;
const HTTP_DATE =
  /^(?:[A-Z][a-z]{2},\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s+(?:GMT|UTC|[+-]\d{4})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
/** The seconds field of a time of day when it is `60` (an RFC 3339 leap second). */
const LEAP_SECOND = /([T ]\d{2}:?\d{2}:?)60(?=$|[.,\sZz+-])/;
const DAY_MS = 86_400_000;
/** Numbers below this are epoch seconds, from it up epoch milliseconds (1e11 s is the year 5138, 1e11 ms March 1973). */
const EPOCH_SECONDS_BELOW = 1e11;

/**
 * Any timestamp to ISO-8601 UTC with milliseconds. Strings with an offset or `Z` keep their instant;
 * strings without one are read as wall-clock time in `timeZone` (IANA id, default UTC, never the
 * machine's zone). Numbers are epoch seconds when their magnitude is below 1e11 (until the year
 * 5138), epoch milliseconds from there up; non-finite numbers are unreadable. An RFC 3339 leap second
 * (`23:59:60Z`) is read as the next second. Returns `undefined` for missing or unparseable input, so
 * a mapper never emits `"Invalid Date"`.
 */
export function toIsoUtc(
  value: string | number | Date | null | undefined,
  options: { timeZone?: string | undefined } = {},
): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string') {
    const fast = readStrictIso(value);
    if (fast !== null) return fast;
  }
  let ms: number;
  let leap = false;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') {
    ms = Math.abs(value) < EPOCH_SECONDS_BELOW ? value * 1000 : value;
  } else {
    let text = value.trim();
    // No parser below knows second 60: read :59 and add the second back once the instant is known.
    if (LEAP_SECOND.test(text)) {
      text = text.replace(LEAP_SECOND, (_, time: string) => `${time}59`);
      leap = true;
    }
    if (HAS_ZONE.test(text)) {
      // date-fns wants the designator glued to the time and `Z` upper-case.
      const date = parseISO(
        text.toUpperCase().replace(/\s*(Z|[+-]\d{2}(?::?\d{2})?)$/, (z) => z.trim()),
      );
      ms = isValid(date) ? date.getTime() : Number.NaN;
    } else {
      const m = LOCAL.exec(text);
      if (!m) {
        // RFC 7231 / RFC 2822 dates carry their own zone (`Tue, 01 Nov 2026 10:00:00 GMT`).
        if (!HTTP_DATE.test(text)) return undefined;
        ms = Date.parse(text);
      } else {
        const parts = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
        const [y, mo, d, h, mi, se] = parts;
        if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined;
        // Reject days the month lacks (`2026-02-30`) instead of rolling over into the next month.
        if (d > daysInMonth(y, mo)) return undefined;
        const zone = options.timeZone;
        ms =
          zone && zone.toUpperCase() !== 'UTC'
            ? new TZDate(y, mo - 1, d, h, mi, se, millis, zone).getTime()
            : utcMs(y, mo, d, h, mi, se, millis);
      }
    }
  }
  if (leap) {
    ms += 1000;
    if (!isAfterLeapSecond(ms)) return undefined;
  }
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

/** Like `toIsoUtc`, but throws a `RangeError` naming the value when it cannot be read. */
export function toIsoUtcStrict(
  value: string | number | Date,
  options: { timeZone?: string | undefined } = {},
): string {
  const iso = toIsoUtc(value, options);
  if (iso === undefined) throw new RangeError(`not a valid timestamp: ${String(value)}`);
  return iso;
}

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/**
 * A duration in seconds from a number, a numeric string (`"90"`), a clock string (`"01:02:03"`,
 * `"02:03"`) or an ISO-8601 duration (`"PT1M30S"`). `undefined` when missing, negative, not finite,
 * beyond 2^53 (not held exactly) or unreadable.
 */
export function toDurationSeconds(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number') return exactSeconds(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return exactSeconds(Number(text));
  const clock = /^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$/.exec(text);
  if (clock) {
    const [, h, m = '0', sec = '0'] = clock;
    // `01:75:00` or `02:61` is not a clock reading.
    if (Number(sec) >= 60 || (h !== undefined && Number(m) >= 60)) return undefined;
    return exactSeconds(Number(h ?? 0) * 3600 + Number(m) * 60 + Number(sec));
  }
  const iso = ISO_DURATION.exec(text);
  if (iso && text.length > 1 && !/T$/i.test(text)) {
    const [, d, h, m, s] = iso;
    return exactSeconds(
      Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0),
    );
  }
  return undefined;
}

/** A count of seconds only when a number holds it exactly: not negative, infinite or beyond 2^53. */
function exactSeconds(seconds: number): number | undefined {
  return seconds >= 0 && seconds <= Number.MAX_SAFE_INTEGER ? seconds : undefined;
}

const YEARS_400_MS = 146_097 * 86_400_000;
const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
};
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);
/** What completes `SS`, `SS.f` and `SS.ff` before `Z` to `SS.fffZ`, by fraction digits. */
const MS_PADDING = ['.000Z', '00Z', '0Z'];

/** `Date.UTC` with a 1-based month, for every year from 0 (it reads years 0–99 as 1900–1999). */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  // Compute 400 years later (a whole Gregorian cycle of 146,097 days) and step back.
  const cycles = y >= 0 && y < 100 ? 1 : 0;
  return Date.UTC(y + 400 * cycles, mo - 1, d, h, mi, s, ms) - cycles * YEARS_400_MS;
}

/** Whether `ms` lies in the first second of a UTC day, the only second a leap second rolls into. */
function isAfterLeapSecond(ms: number): boolean {
  return ((ms % DAY_MS) + DAY_MS) % DAY_MS < 1000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.f{1,3}](Z|±HH:MM)`, the form vendors send, read by character codes: the
 * normalised string, `undefined` for an impossible day (`02-30`, which `Date.parse` would roll over
 * to March), or `null` when the text is not in exactly this form and the general path decides.
 * Every record's timestamps pass through here, so it allocates nothing for canonical input.
 */
function readStrictIso(s: string): string | undefined | null {
  const n = s.length;
  if (n < 20 || n > 29) return null;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return null;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  // NaN fails every comparison: a non-digit anywhere lands here.
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1)) return null;
  if (!(hour <= 23 && minute <= 59 && second <= 60)) return null;
  let i = 19;
  let ms = 0;
  let fraction = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < n && fraction < 4) {
      const d = digit(s, i);
      if (Number.isNaN(d)) break;
      ms = ms * 10 + d;
      fraction++;
      i++;
    }
    if (fraction === 0 || fraction > 3) return null;
    ms *= fraction === 1 ? 100 : fraction === 2 ? 10 : 1;
  }
  let offset = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90 && i === n - 1) {
    if (day > daysInMonth(year, month)) return undefined;
    if (second !== 60) {
      if (fraction === 3) return s;
      // The text up to its last digit, then zeros to three digits: one concatenation.
      return s.slice(0, n - 1) + (MS_PADDING[fraction] as string);
    }
  } else if ((zone === 43 || zone === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
    const oh = two(s, i + 1);
    const om = two(s, i + 4);
    if (!(oh <= 23 && om <= 59)) return null;
    if (day > daysInMonth(year, month)) return undefined;
    offset = (zone === 43 ? 1 : -1) * (oh * 60 + om) * 60_000;
  } else return null;
  // A leap second rolls over into the next one (Date.UTC carries second 60 into the next minute).
  const utc = utcMs(year, month, day, hour, minute, second, ms) - offset;
  if (second === 60 && !isAfterLeapSecond(utc)) return undefined;
  return new Date(utc).toISOString();
}
