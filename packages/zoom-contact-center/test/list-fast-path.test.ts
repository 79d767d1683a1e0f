/**
 * A valid list page is read on the compiled fast path: the envelope with its records unread, then
 * each record, and zod (which copies what it accepts) is never called.
 */
import { compileValidator } from '@engagekit/core/adapter';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';
import { ZoomEngagementSchema, ZoomListEngagementsEnvelopeSchema } from '../src/wire/engagement';
import { LIST_PATH, record, setupNock } from './helpers';

beforeAll(setupNock);
afterEach(() => {
  nock.cleanAll();
  vi.restoreAllMocks();
});

describe('Zoom list on the compiled fast path', () => {
  it('compiles the envelope and the record schema', () => {
    expect(compileValidator(ZoomListEngagementsEnvelopeSchema)).toBeTypeOf('function');
    expect(compileValidator(ZoomEngagementSchema)).toBeTypeOf('function');
  });

  it('reads a valid page without calling zod', async () => {
    const T0 = Date.UTC(2026, 0, 1);
    const engagements = Array.from({ length: 20 }, (_, i) =>
      record(`e${i}`, T0 + i * 60_000, { duration: 90, notes: [{ note: 'n' }] }),
    );
    nock('https://zoom.test')
      .get(LIST_PATH)
      .query(true)
      .reply(200, { engagements, next_page_token: '', timezone: 'UTC' });
    const envelope = vi.spyOn(ZoomListEngagementsEnvelopeSchema, 'safeParse');
    const records = vi.spyOn(ZoomEngagementSchema, 'safeParse');
    const items = await createZoomContactCenterAdapter({
      accessToken: 'test-access-token',
      baseUrl: 'https://zoom.test/v2',
      rateLimit: false,
      maxRetries: 0,
    })
      .engagements.list({ from: new Date(T0), to: new Date(T0 + 86_400_000) })
      .toArray();
    expect(items).toHaveLength(20);
    expect(envelope).toHaveBeenCalledTimes(0);
    expect(records).toHaveBeenCalledTimes(0);
  });
});
