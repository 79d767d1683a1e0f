import type { ConformanceHarness } from '@engagekit/core/testing';
import nock from 'nock';
import { BASE, listBody, PATH, trutoError } from './fixtures';

type Reply = [number, unknown, Record<string, string>?];

/**
 * The conformance harness for Truto: one persistent nock interceptor on
 * `GET /unified/crm/engagements` answering in Truto's wire format (`{ result, next_cursor }`,
 * `next_cursor: null` at the end, `{ statusCode, error, message }` errors).
 */
export function createTrutoHarness(): ConformanceHarness {
  let requests = 0;
  let pages: unknown[][] = [];
  let repeatToken = false;
  let records: Record<string, unknown>[] | undefined;
  const pending: Array<() => Reply> = [];

  const fromPages = (q: URLSearchParams): Reply => {
    const token = q.get('next_cursor');
    const index = token ? Number(token.slice(1)) : 0;
    const hasNext = index + 1 < pages.length;
    // A broken vendor: from page 2 on it keeps handing out page 2's token.
    const next = hasNext ? `p${repeatToken && index >= 1 ? 1 : index + 1}` : null;
    return [200, listBody(pages[index] ?? [], next)];
  };

  // Truto's real filtering: start_time/end_time inclusive at both ends, `limit` per page.
  const fromRecords = (all: Record<string, unknown>[], q: URLSearchParams): Reply => {
    const start = q.get('start_time') ? Date.parse(q.get('start_time') ?? '') : -Infinity;
    const end = q.get('end_time') ? Date.parse(q.get('end_time') ?? '') : Infinity;
    const limit = Number(q.get('limit') ?? 100);
    const matching = all.filter((r) => {
      const t = Date.parse(String(r.start_time));
      return t >= start && t <= end;
    });
    const token = q.get('next_cursor');
    const offset = token ? Number(JSON.parse(Buffer.from(token, 'base64url').toString()).o) : 0;
    const page = matching.slice(offset, offset + limit);
    const more = offset + limit < matching.length;
    const next = more
      ? Buffer.from(JSON.stringify({ s: start, e: end, o: offset + limit })).toString('base64url')
      : null;
    return [200, listBody(page, next)];
  };

  const install = () => {
    nock(BASE)
      .get(PATH)
      .query(true)
      .reply((uri) => {
        requests++;
        const queued = pending.shift();
        if (queued) return queued();
        const q = new URL(uri, BASE).searchParams;
        return records ? fromRecords(records, q) : fromPages(q);
      })
      .persist();
  };

  return {
    baseUrl: BASE,
    record: ({ remoteId, occurredAt, unknownType }) => ({
      id: remoteId,
      engagement_type: unknownType ? 'LinkedIn Message' : 'call',
      subject: `Engagement ${remoteId}`,
      direction: 'outbound',
      start_time: occurredAt,
      duration: '60',
      contacts: [{ id: 'c1' }],
      owner: { id: 'u1' },
      created_at: occurredAt,
      updated_at: occurredAt,
      remote_data: { id: `remote-${remoteId}` },
    }),
    servePages(served, options = {}) {
      pages = served;
      records = undefined;
      repeatToken = options.repeatToken ?? false;
    },
    failNext(status, options = {}) {
      const headers: Record<string, string> = {};
      if (options.retryAfterSeconds !== undefined) {
        headers['Retry-After'] = String(options.retryAfterSeconds);
      }
      const message = status === 401 ? 'Invalid API token' : `Failed with ${status}`;
      pending.push(() => [status, trutoError(status, message), headers]);
    },
    serveBrokenPage() {
      pending.push(() => [200, { result: 'not an array', next_cursor: null }]);
    },
    serveRecords(served) {
      records = served as Record<string, unknown>[];
    },
    requestCount: () => requests,
    reset() {
      nock.cleanAll();
      requests = 0;
      pages = [];
      records = undefined;
      repeatToken = false;
      pending.length = 0;
      install();
    },
  };
}
