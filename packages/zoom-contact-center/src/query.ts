import { type Engagement, InputValidationError } from '@engagekit/core';
import {
  type NormalizedListParams,
  type QueryValue,
  reservedNativeKey,
  type TimeWindow,
} from '@engagekit/core/adapter';
import { PROVIDER } from './map/engagement';
import { channelForKinds } from './map/kind';

const DAY_MS = 86_400_000;
/**
 * Zoom: "The defined date range should be a month, as the response only includes one month's
 * worth of data" (spec `listEngagements` `from`). 27 days stay under a month even in February,
 * with room for rounding to whole seconds and the ±1 h DST padding used for non-UTC time zones.
 */
export const WINDOW_MS = 27 * DAY_MS;
/** Zoom's default range when `from`/`to` are omitted (made explicit so cursors are stable). */
export const DEFAULT_RANGE_MS = DAY_MS;
/** Padding of each query edge in a non-UTC zone, so a DST-ambiguous wall-clock time never narrows it. */
const ZONE_PAD_MS = 3_600_000;

/** Parameters engagekit sets itself; passing them in `native` would break windowing or paging. */
const MANAGED = ['from', 'to', 'next_page_token', 'page_size'] as const;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function isUtc(timeZone: string): boolean {
  return /^(utc|etc\/utc|gmt|etc\/gmt|z|zulu|universal|etc\/universal)$/i.test(timeZone);
}

/**
 * An instant in Zoom's `yyyy-MM-dd'T'HH:mm:ss'Z'` query format. Zoom reads the `Z` as a literal and
 * the wall-clock time in the request's `timezone`, so outside UTC the wall-clock of that zone is sent.
 */
export function formatZoomTime(ms: number, timeZone = 'UTC'): string {
  if (isUtc(timeZone)) return `${new Date(ms).toISOString().slice(0, 19)}Z`;
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}Z`;
}

/** The `[from, to)` range of a listing: the caller's, or Zoom's default (the last 24 h) made explicit. */
export function listRange(params: NormalizedListParams, now: number): { from: number; to: number } {
  const to = params.to?.getTime() ?? now;
  const from = params.from?.getTime() ?? to - DEFAULT_RANGE_MS;
  return { from, to };
}

export interface ListQueryPlan {
  /** Query values fixed for the whole listing (all but the window and the page token). */
  base: Record<string, QueryValue>;
  timeZone: string;
  /** Whether the query names `user_id` because of a single `participantIds` entry. */
  userIdFromParticipants: boolean;
  /**
   * The `directions` check the adapter applies to every mapped record (Zoom takes one `direction`
   * and omits it on some records); `undefined` without the filter.
   */
  keepDirection: ((engagement: Engagement) => boolean) | undefined;
  /** No Zoom engagement can match (only `internal` asked for): no request is needed. */
  matchesNothing: boolean;
}

/** Builds the fixed part of the list query from the unified and native params. */
export function planListQuery(params: NormalizedListParams): ListQueryPlan {
  const native = params.native;
  const issues = Object.keys(native).flatMap((key) => {
    const k = reservedNativeKey(key, MANAGED);
    if (k === undefined || native[key] === undefined) return [];
    return {
      path: `native.${key}`,
      rule: 'managed_param',
      message: `"${k}" is set by engagekit (use ${k === 'from' || k === 'to' ? `the unified "${k}"` : k === 'page_size' ? '"pageSize"' : '"cursor"'})`,
    };
  });
  const timeZone = native.timezone ?? 'UTC';
  if (typeof timeZone !== 'string' || !validZone(timeZone)) {
    issues.push({
      path: 'native.timezone',
      rule: 'invalid_time_zone',
      message: 'expected an IANA time zone id such as "America/Los_Angeles"',
    });
  }
  if (issues.length) throw new InputValidationError(issues, { provider: PROVIDER });

  const base: Record<string, QueryValue> = {};
  for (const [key, value] of Object.entries(native)) {
    const v = toQueryValue(value);
    if (v !== undefined) base[key] = v;
  }
  base.timezone = timeZone as string;
  base.page_size = Math.min(params.pageSize, 100);

  const nativeChannel =
    native.channel !== undefined ||
    native.channel_types !== undefined ||
    native.channel_sources !== undefined;
  if (params.kinds && !nativeChannel) {
    const narrowed = channelForKinds(params.kinds);
    if (narrowed) {
      base.channel = narrowed.channel;
      if (narrowed.channel_sources) base.channel_sources = narrowed.channel_sources;
    }
  }
  const directions = params.directions;
  // Zoom's `direction` is one of `inbound` | `outbound` (spec `listEngagements`); it has no internal.
  const zoomDirections = directions?.filter((d) => d === 'inbound' || d === 'outbound') ?? [];
  if (zoomDirections.length === 1 && native.direction === undefined) {
    base.direction = zoomDirections[0];
  }
  const userIdFromParticipants =
    params.participantIds?.length === 1 && native.user_id === undefined;
  if (userIdFromParticipants) base.user_id = params.participantIds![0]!;
  return {
    base,
    timeZone: timeZone as string,
    userIdFromParticipants,
    keepDirection: directions
      ? (e) => e.direction !== undefined && directions.includes(e.direction)
      : undefined,
    matchesNothing: directions !== undefined && zoomDirections.length === 0,
  };
}

/** The query for one window: floored `from`, ceiled `to` (Zoom has second precision, both inclusive). */
export function windowQuery(window: TimeWindow, timeZone: string): { from: string; to: string } {
  const pad = isUtc(timeZone) ? 0 : ZONE_PAD_MS;
  return {
    from: formatZoomTime(Math.floor((window.from - pad) / 1000) * 1000, timeZone),
    to: formatZoomTime(Math.ceil((window.to + pad) / 1000) * 1000, timeZone),
  };
}

export function validZone(timeZone: string): boolean {
  if (isUtc(timeZone)) return true;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Native values as query values. Arrays stay arrays, which the transport sends as a repeated key
 * (`channel_sources=web_chat&channel_sources=in_app_chat`): Zoom's spec declares them with the
 * OpenAPI default (`style: form`, `explode: true`) and its Postman collection repeats the key;
 * a validating server (Prism) rejects the comma-joined form as an unknown enum value.
 */
function toQueryValue(value: unknown): QueryValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  if (value instanceof Date) return formatZoomTime(value.getTime());
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}
