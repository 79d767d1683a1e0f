import nock from 'nock';

export interface ServedRecord {
  engagement_id: string;
  start_time: string;
  [key: string]: unknown;
}

export interface ZoomServerOptions {
  /** Answer a token request with Zoom's "expired" error when this returns true. */
  expire?: (token: string, request: number) => boolean;
  /**
   * How `from`/`to` select records. Zoom's docs do not say: `'start'` (the default) keeps records
   * that start inside; `'overlap'` keeps every record whose `[start_time, end_time]` meets the range.
   */
  match?: 'start' | 'overlap';
}

/** Zoom's list semantics over `records`: inclusive `from`/`to` on `start_time`, sorted, paged by offset. */
export function inclusiveWindow(records: ServedRecord[], from: string, to: string): ServedRecord[] {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  return records
    .filter((r) => {
      const t = Date.parse(r.start_time);
      return t >= fromMs && t <= toMs;
    })
    .sort(
      (a, b) =>
        Date.parse(a.start_time) - Date.parse(b.start_time) ||
        a.engagement_id.localeCompare(b.engagement_id),
    );
}

/** The other reading of `from`/`to`: records that overlap the inclusive range, by start time. */
export function overlappingWindow(
  records: ServedRecord[],
  from: string,
  to: string,
): ServedRecord[] {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  return records
    .filter((r) => {
      const start = Date.parse(r.start_time);
      const end = typeof r.end_time === 'string' ? Date.parse(r.end_time) : start;
      return start <= toMs && end >= fromMs;
    })
    .sort(
      (a, b) =>
        Date.parse(a.start_time) - Date.parse(b.start_time) ||
        a.engagement_id.localeCompare(b.engagement_id),
    );
}

export const EXPIRED_BODY = {
  code: 300,
  message: 'The next page token is invalid or has expired.',
};

/**
 * A nock emulation of `GET /contact_center/engagements` that behaves like Zoom: `from`/`to`
 * (`yyyy-MM-ddTHH:mm:ssZ`, UTC) filter `start_time` INCLUSIVELY at both ends, `page_size` pages
 * chained by `next_page_token` ("" on the last page), and a token only works with the query it
 * was issued for.
 */
export function zoomServer(records: ServedRecord[], options: ZoomServerOptions = {}) {
  const queries: URLSearchParams[] = [];
  const issued = new Map<string, { offset: number; query: string }>();
  const expired = new Set<string>();
  let counter = 0;
  const scope = nock('https://zoom.test')
    .persist()
    .get('/v2/contact_center/engagements')
    .query(true)
    .reply((uri) => {
      const q = new URL(uri, 'https://zoom.test').searchParams;
      queries.push(q);
      const token = q.get('next_page_token');
      const rest = new URLSearchParams(q);
      rest.delete('next_page_token');
      rest.sort();
      let offset = 0;
      if (token) {
        const known = issued.get(token);
        if (!known || expired.has(token) || options.expire?.(token, queries.length)) {
          return [400, EXPIRED_BODY];
        }
        if (known.query !== rest.toString()) {
          return [400, { code: 300, message: 'Query changed while paging.' }];
        }
        offset = known.offset;
      }
      const from = q.get('from');
      const to = q.get('to');
      if (!from || !to) return [400, { code: 300, message: 'from and to are required here' }];
      if (Date.parse(to) - Date.parse(from) > 31 * 86_400_000) {
        return [400, { code: 300, message: 'The date range should be within one month.' }];
      }
      const size = Number(q.get('page_size') ?? 10);
      const matching =
        options.match === 'overlap'
          ? overlappingWindow(records, from, to)
          : inclusiveWindow(records, from, to);
      const page = matching.slice(offset, offset + size);
      let next = '';
      if (offset + size < matching.length) {
        next = `tok${++counter}x${Math.random().toString(36).slice(2, 8)}`;
        issued.set(next, { offset: offset + size, query: rest.toString() });
      }
      return [
        200,
        {
          next_page_token: next,
          page_size: size,
          total_records: matching.length,
          timezone: q.get('timezone') ?? 'UTC',
          from,
          to,
          engagements: page,
        },
        { 'x-zm-trackingid': `track-${queries.length}` },
      ];
    });
  return {
    scope,
    queries,
    /** Every token issued so far stops working (15 minutes went by). */
    expireAll() {
      for (const token of issued.keys()) expired.add(token);
    },
  };
}
