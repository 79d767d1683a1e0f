const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `tz` from UTC at instant `t`, in minutes. */
export function offsetMinutes(tz: string, t: number): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return Math.round((wall - Math.floor(t / 1000) * 1000) / 60000);
}

/** Instant at which the wall-clock time `wallMs` (expressed as if it were UTC) occurs in `tz`. */
export function wallToInstant(wallMs: number, tz: string): number {
  const guess = wallMs - offsetMinutes(tz, wallMs) * 60000;
  return wallMs - offsetMinutes(tz, guess) * 60000;
}

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC, or with the zone's `±HH:mm` offset. */
export function formatInZone(t: number, tz: string): string {
  const off = offsetMinutes(tz, t);
  const local = new Date(t + off * 60000).toISOString().slice(0, 19);
  if (off === 0) return `${local}Z`;
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
