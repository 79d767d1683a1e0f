import type { ConformanceHarness } from '@engagekit/core/testing';
import nock from 'nock';

const BASE = 'https://devrev-conformance.test';
const IDENTITY = 'don:identity:dvrv-us-1:devo/0';

type Reply = [number, unknown, Record<string, string>?];

/**
 * The conformance harness for DevRev, in DevRev's wire format: `GET /engagements.list` answers
 * `{engagements, next_cursor?, prev_cursor?}`; cursors are opaque strings, absent at the end.
 */
export function createDevRevHarness(): ConformanceHarness {
  let requests = 0;
  const queue: (() => Reply)[] = [];
  let answer: ((query: URLSearchParams) => Reply) | undefined;

  const install = () => {
    nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply((uri) => {
        requests++;
        const queued = queue.shift();
        if (queued) return queued();
        const query = new URL(uri, BASE).searchParams;
        return answer ? answer(query) : [200, { engagements: [] }];
      })
      .persist();
  };

  return {
    baseUrl: BASE,
    record({ remoteId, occurredAt, unknownType }) {
      return {
        id: remoteId,
        display_id: `ENG-${remoteId}`,
        title: `Engagement ${remoteId}`,
        engagement_type: unknownType ? 'webinar' : 'call',
        members: [
          { type: 'dev_user', id: `${IDENTITY}:devu/1`, display_id: 'DEVU-1', display_name: 'Ada' },
        ],
        created_date: occurredAt,
        modified_date: occurredAt,
      };
    },
    servePages(pages, options = {}) {
      // Page i answers the token of page i; page i names page i+1's token.
      const tokenOf = (i: number) => (i === 0 ? undefined : `cur-${i}`);
      answer = (query) => {
        const cursor = query.get('cursor') ?? undefined;
        const index = cursor === undefined ? 0 : pages.findIndex((_, i) => tokenOf(i) === cursor);
        if (index < 0) {
          return [400, { type: 'bad_request', message: `unknown cursor ${cursor}` }];
        }
        const next =
          index + 1 < pages.length
            ? options.repeatToken && index >= 1
              ? tokenOf(1)
              : tokenOf(index + 1)
            : undefined;
        return [
          200,
          {
            engagements: pages[index],
            ...(next ? { next_cursor: next } : {}),
            ...(index > 0 ? { prev_cursor: `prev-${index}` } : {}),
          },
        ];
      };
    },
    failNext(status, options = {}) {
      const type =
        {
          400: 'bad_request',
          401: 'unauthenticated',
          403: 'forbidden',
          404: 'not_found',
          409: 'conflict',
          429: 'too_many_requests',
          500: 'internal_error',
          503: 'service_unavailable',
        }[status] ?? 'internal_error';
      queue.push(() => [
        status,
        {
          type,
          message: `injected ${status}`,
          ...(options.retryAfterSeconds !== undefined
            ? { retry_after: options.retryAfterSeconds }
            : {}),
          ...(status === 500 ? { reference_id: 'ref-conformance' } : {}),
        },
        options.retryAfterSeconds !== undefined
          ? { 'Retry-After': String(options.retryAfterSeconds) }
          : ({} as Record<string, string>),
      ]);
    },
    serveBrokenPage() {
      queue.push(() => [200, { engagements: 'not-an-array' }]);
    },
    serveRecords(records) {
      // DevRev has no date filter on engagements.list: it pages through everything by `limit`.
      answer = (query) => {
        const limit = Math.min(100, Number(query.get('limit') ?? 50));
        const offset = Number(query.get('cursor')?.replace('off-', '') ?? 0);
        const slice = records.slice(offset, offset + limit);
        const next = offset + limit < records.length ? `off-${offset + limit}` : undefined;
        return [200, { engagements: slice, ...(next ? { next_cursor: next } : {}) }];
      };
    },
    requestCount: () => requests,
    reset() {
      nock.cleanAll();
      requests = 0;
      queue.length = 0;
      answer = undefined;
      install();
    },
  };
}
