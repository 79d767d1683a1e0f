/** A half-open time window `[from, to)` in epoch milliseconds. */
export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * Splits `[from, to)` into consecutive windows no longer than `maxWindowMs`. The windows tile the
 * range exactly: each starts where the previous one ends, so no instant is in two windows.
 */
export function sliceWindows(from: number, to: number, maxWindowMs: number): TimeWindow[] {
  if (!(maxWindowMs > 0)) throw new RangeError('maxWindowMs must be positive');
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new RangeError('sliceWindows needs a finite range');
  }
  const out: TimeWindow[] = [];
  for (let start = from; start < to; ) {
    const end = Math.min(start + maxWindowMs, to);
    // A window too small to move a float this large would loop forever: take the rest at once.
    if (end <= start) {
      out.push({ from: start, to });
      break;
    }
    out.push({ from: start, to: end });
    start = end;
  }
  return out;
}

/** The window that follows the one starting at `start` within `[.., to)`, or `undefined`. */
export function nextWindow(start: number, to: number, maxWindowMs: number): TimeWindow | undefined {
  const from = Math.min(start + maxWindowMs, to);
  if (from >= to) return undefined;
  return { from, to: Math.min(from + maxWindowMs, to) };
}

/** Whether an instant belongs to the half-open window. */
export function inWindow(ms: number, window: TimeWindow): boolean {
  return ms >= window.from && ms < window.to;
}

const DAY_MS = 86_400_000;

/** The digit at `i`, or NaN. */
function digitAt(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : Number.NaN;
}

/**
 * `Date.parse(iso)`, read by character codes when `iso` is in the form `toIsoUtc` writes
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`, a real day): a listing asks for the time of every record to keep it
 * inside its window, and `Date.parse` is its costliest step there. Anything else goes to `Date.parse`.
 */
export function isoUtcMs(iso: string): number {
  if (
    iso.length !== 24 ||
    iso.charCodeAt(4) !== 45 ||
    iso.charCodeAt(7) !== 45 ||
    iso.charCodeAt(10) !== 84 ||
    iso.charCodeAt(13) !== 58 ||
    iso.charCodeAt(16) !== 58 ||
    iso.charCodeAt(19) !== 46 ||
    iso.charCodeAt(23) !== 90
  ) {
    return Date.parse(iso);
  }
  const year =
    digitAt(iso, 0) * 1000 + digitAt(iso, 1) * 100 + digitAt(iso, 2) * 10 + digitAt(iso, 3);
  const month = digitAt(iso, 5) * 10 + digitAt(iso, 6);
  const day = digitAt(iso, 8) * 10 + digitAt(iso, 9);
  const hour = digitAt(iso, 11) * 10 + digitAt(iso, 12);
  const minute = digitAt(iso, 14) * 10 + digitAt(iso, 15);
  const second = digitAt(iso, 17) * 10 + digitAt(iso, 18);
  const ms = digitAt(iso, 20) * 100 + digitAt(iso, 21) * 10 + digitAt(iso, 22);
  // NaN fails every comparison: a non-digit anywhere, like any value out of range, goes to Date.parse.
  if (
    !(
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysIn(year, month) &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59 &&
      ms >= 0
    )
  ) {
    return Date.parse(iso);
  }
  // Days since 1970-01-01: Howard Hinnant's `days_from_civil`, with years starting in March.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146_097 + dayOfEra - 719_468;
  return days * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
