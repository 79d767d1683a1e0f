import type { ConformanceHarness } from '@engagekit/core/testing';
import nock from 'nock';
import { inclusiveWindow, type ServedRecord } from './zoom-server';

const HOST = 'https://zoom-conformance.test';
const PATH = '/v2/contact_center/engagements';

/** Zoom's error bodies per status (https://developers.zoom.us/docs/api/errors/). */
const ERROR_BODIES: Record<number, { code: number; message: string }> = {
  400: { code: 300, message: 'Validation Failed.' },
  401: { code: 124, message: 'Invalid access token.' },
  404: { code: 2901, message: 'Engagement does not exist.' },
  429: {
    code: 429,
    message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
  },
};

type Mode =
  | { kind: 'pages'; pages: unknown[][]; repeatToken: boolean }
  | { kind: 'records'; records: ServedRecord[] }
  | { kind: 'none' };

/** The conformance harness for Zoom Contact Center: a nock emulation of `listEngagements`. */
export function createZoomHarness(): ConformanceHarness {
  let count = 0;
  let mode: Mode = { kind: 'none' };
  const queue: Array<() => [number, unknown, Record<string, string>?]> = [];

  const listPage = (q: URLSearchParams): [number, unknown] => {
    const token = q.get('next_page_token') ?? '';
    if (mode.kind === 'pages') {
      const index = token ? Number(token.replace('page-', '')) : 0;
      const items = mode.pages[index] ?? [];
      let next = index + 1 < mode.pages.length ? `page-${index + 1}` : '';
      if (mode.repeatToken && index === 1) next = 'page-1';
      return [
        200,
        {
          next_page_token: next,
          page_size: items.length,
          total_records: 0,
          timezone: 'UTC',
          engagements: items,
        },
      ];
    }
    if (mode.kind === 'records') {
      const size = Number(q.get('page_size') ?? 10);
      const offset = token ? Number(token.replace('off-', '')) : 0;
      const matching = inclusiveWindow(mode.records, q.get('from') ?? '', q.get('to') ?? '');
      const items = matching.slice(offset, offset + size);
      const next = offset + size < matching.length ? `off-${offset + size}` : '';
      return [
        200,
        {
          next_page_token: next,
          page_size: size,
          total_records: matching.length,
          timezone: 'UTC',
          engagements: items,
        },
      ];
    }
    return [200, { next_page_token: '', engagements: [] }];
  };

  const install = () => {
    nock(HOST)
      .persist()
      .get(PATH)
      .query(true)
      .reply((uri) => {
        count++;
        const failure = queue.shift();
        if (failure) return failure();
        return listPage(new URL(uri, HOST).searchParams);
      });
  };

  const harness: ConformanceHarness = {
    baseUrl: `${HOST}/v2`,
    record({ remoteId, occurredAt, unknownType }) {
      const start = Math.floor(Date.parse(occurredAt) / 1000) * 1000;
      const zoomTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
      return {
        engagement_id: remoteId,
        start_time: zoomTime(start),
        end_time: zoomTime(start + 120_000),
        duration: 120,
        direction: 'inbound',
        channels: [
          unknownType ? { channel: 'fax', channel_source: 'fax_machine' } : { channel: 'voice' },
        ],
        consumers: [
          {
            consumer_id: `c-${remoteId}`,
            consumer_display_name: 'Jill',
            consumer_number: '+12058945728',
          },
        ],
        agents: [{ user_id: 'ukAAkZKfROKMSw1bj_RDFQ', display_name: 'Jilly' }],
        queues: [{ cc_queue_id: 'd95avl1eRJ-H162PZUJ-qg', queue_name: 'agentQueue' }],
        talk_duration: 100,
      };
    },
    servePages(pages, options = {}) {
      mode = { kind: 'pages', pages, repeatToken: options.repeatToken ?? false };
    },
    failNext(status, options = {}) {
      const headers: Record<string, string> = {};
      if (options.retryAfterSeconds !== undefined)
        headers['retry-after'] = String(options.retryAfterSeconds);
      queue.push(() => [
        status,
        ERROR_BODIES[status] ?? { code: status, message: 'Error' },
        headers,
      ]);
    },
    serveBrokenPage() {
      queue.push(() => [200, { next_page_token: '', engagements: 'not-an-array' }]);
    },
    serveRecords(records) {
      mode = { kind: 'records', records: records as ServedRecord[] };
    },
    requestCount: () => count,
    reset() {
      nock.cleanAll();
      count = 0;
      mode = { kind: 'none' };
      queue.length = 0;
      install();
    },
  };
  harness.reset();
  return harness;
}
