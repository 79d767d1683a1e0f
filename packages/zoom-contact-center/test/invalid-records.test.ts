import { ResponseValidationError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';
import { BASE, LIST_PATH, record, setupNock } from './helpers';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const RANGE = { from: new Date(T0), to: new Date(T0 + 10 * 86_400_000) };
const good = (id: string, hour: number) => JSON.stringify(record(id, T0 + hour * HOUR));
// Raw JSON text: `1e309` only exists before JSON.parse (which makes it Infinity).
const PAGE_1 = `{"engagements": [${[
  good('a', 1),
  '{"engagement_id": "b", "start_time": "0000-00-00"}',
  '{"start_time": "2026-01-01T03:00:00Z"}',
  `{"engagement_id": "d", "start_time": "2026-01-01T04:00:00Z", "duration": 1e309}`,
  good('e', 5),
].join(', ')}], "next_page_token": "tok-2", "timezone": "UTC"}`;
const PAGE_2 = `{"engagements": [${good('f', 6)}], "next_page_token": ""}`;

const adapter = () =>
  createZoomContactCenterAdapter({
    accessToken: 'test-access-token',
    baseUrl: BASE,
    rateLimit: false,
    maxRetries: 0,
  });

/** Serves page 1 (no token) and page 2 (`next_page_token=tok-2`), each at most `times` times. */
function serve(times = 1) {
  const served: string[] = [];
  for (const [name, token, body] of [
    ['page-1', undefined, PAGE_1],
    ['page-2', 'tok-2', PAGE_2],
  ] as const) {
    nock('https://zoom.test')
      .get(LIST_PATH)
      .query((q) => q.next_page_token === token)
      .times(times)
      .reply(() => {
        served.push(name);
        return [200, body, { 'content-type': 'application/json' }];
      });
  }
  return served;
}

describe('Zoom Contact Center: one bad record does not stop the listing', () => {
  it('fails on the first bad record by default, naming it', async () => {
    serve();
    const error = await adapter()
      .engagements.list(RANGE)
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).path).toBe('engagements.1.start_time');
  });

  it("with 'skip', lists past bad records and reports each with path, vendor id, issues and raw", async () => {
    const served = serve();
    const listing = adapter().engagements.list({ ...RANGE, onInvalidRecord: 'skip' });
    expect((await listing.toArray()).map((e) => e.remoteId)).toEqual(['a', 'e', 'f']);
    expect(served).toEqual(['page-1', 'page-2']);
    expect(
      listing.skipped.map((r) => ({
        provider: r.provider,
        remoteId: r.remoteId,
        path: r.path,
        issues: r.issues.map((i) => i.path),
      })),
    ).toEqual([
      {
        provider: 'zoom-contact-center',
        remoteId: 'b',
        path: ['engagements', 1],
        issues: ['engagements.1.start_time'],
      },
      {
        provider: 'zoom-contact-center',
        remoteId: undefined,
        path: ['engagements', 2],
        issues: ['engagements.2.engagement_id'],
      },
      {
        provider: 'zoom-contact-center',
        remoteId: 'd',
        path: ['engagements', 3],
        issues: ['engagements.3.duration'],
      },
    ]);
    expect(listing.skipped[1]?.raw).toEqual({ start_time: '2026-01-01T03:00:00Z' });
  });

  it('a listing resumed after a skipped record never returns to it', async () => {
    serve(2);
    const listing = adapter().engagements.list({ ...RANGE, onInvalidRecord: 'skip' });
    const before: string[] = [];
    for await (const e of listing) {
      before.push(e.remoteId);
      if (e.remoteId === 'e') break;
    }
    expect(before).toEqual(['a', 'e']);
    const resumed = adapter().engagements.list({
      ...RANGE,
      onInvalidRecord: 'skip',
      cursor: listing.cursor,
    });
    expect((await resumed.toArray()).map((e) => e.remoteId)).toEqual(['f']);
    expect(resumed.skippedCount).toBe(0);
  });
});
