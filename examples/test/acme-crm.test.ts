import { checkFastPath, runConformanceSuite } from '@engagekit/core/testing';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityPageSchema, createAcmeCrmAdapter, mapActivity } from '../acme-crm/adapter';

const BASE = 'https://acme.test';
let requests = 0;
let pages: unknown[][] = [];
let repeatToken = false;
const pending: Array<() => [number, unknown, Record<string, string>]> = [];

/** One persistent interceptor that answers from the harness state, so queued failures come first. */
function install() {
  nock(BASE)
    .get('/activities')
    .query(true)
    .reply((uri) => {
      requests++;
      const queued = pending.shift();
      if (queued) return queued();
      const page = Number(new URL(uri, BASE).searchParams.get('page') ?? 1);
      // A broken vendor that keeps saying "page 2 of 3" from page 2 on.
      const shown = repeatToken && page >= 2 ? 1 : page;
      return [
        200,
        { data: pages[page - 1] ?? [], meta: { page: shown, total_pages: pages.length } },
      ];
    })
    .persist();
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
});
afterAll(() => nock.cleanAll());

runConformanceSuite({
  name: 'acme-crm',
  createAdapter: ({ baseUrl, hooks, maxRetries }) =>
    createAcmeCrmAdapter({ apiKey: 'acme-secret-key', baseUrl, hooks, maxRetries }),
  harness: {
    baseUrl: BASE,
    record: ({ remoteId, occurredAt, unknownType }) => ({
      id: remoteId,
      type: unknownType ? 'carrier_pigeon' : 'phone_call',
      title: `Activity ${remoteId}`,
      happened_at: occurredAt,
      contact_ids: ['c1'],
    }),
    servePages(served, options = {}) {
      pages = served;
      repeatToken = options.repeatToken ?? false;
    },
    failNext(status, options = {}) {
      pending.push(() => [
        status,
        { error: { code: `E${status}`, message: 'failed' } },
        options.retryAfterSeconds !== undefined
          ? { 'retry-after': String(options.retryAfterSeconds) }
          : ({} as Record<string, string>),
      ]);
    },
    serveRecords(records) {
      // Acme has no date filter: engagekit filters client-side, so plain pages of 3 suffice.
      pages = [];
      for (let i = 0; i < records.length; i += 3) pages.push(records.slice(i, i + 3));
    },
    serveBrokenPage() {
      pending.push(() => [200, { data: 'not an array', meta: { page: 1, total_pages: 1 } }, {}]);
    },
    requestCount: () => requests,
    reset() {
      nock.cleanAll();
      requests = 0;
      pages = [];
      repeatToken = false;
      pending.length = 0;
      install();
    },
  },
});

describe('acme-crm wire schema and mapper', () => {
  it('takes the compiled fast path and agrees with zod on a page and its mutations', () => {
    const page = {
      data: [
        { id: 7, type: 'phone_call', happened_at: '2026-03-01T10:00:00Z', contact_ids: ['c1'] },
        { id: 'a-2', type: 'email', title: null, happened_at: '2026-03-02T10:00:00+02:00' },
      ],
      meta: { page: 1, total_pages: 1 },
    };
    expect(
      checkFastPath(ActivityPageSchema, [page], { expectAccepted: true }).fastAccepted,
    ).toBeGreaterThan(20);
  });

  it('rejects an activity with an unreadable date instead of inventing one', () => {
    expect(() => mapActivity({ id: 9, type: 'email', happened_at: 'soon' }, true, 3)).toThrowError(
      expect.objectContaining({ name: 'ResponseValidationError', path: 'data.3.happened_at' }),
    );
    expect(
      mapActivity({ id: 9, type: 'email', happened_at: '2026-03-02T10:00:00Z' }, false, 0),
    ).toMatchObject({
      id: 'acme-crm:9',
      remoteId: '9',
      occurredAt: '2026-03-02T10:00:00.000Z',
    });
  });
});
