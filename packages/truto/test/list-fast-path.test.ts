/**
 * A valid list page is read on the compiled fast path: the envelope with its records unread, then
 * each record, and zod (which copies what it accepts) is never called.
 */
import { compileValidator } from '@engagekit/core/adapter';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TrutoEngagementListEnvelopeSchema, TrutoEngagementSchema } from '../src/wire/engagement';
import { adapter, BASE, listBody, PATH, setupNock, trutoRecord } from './fixtures';

beforeAll(setupNock);
afterEach(() => {
  nock.cleanAll();
  vi.restoreAllMocks();
});

describe('Truto list on the compiled fast path', () => {
  it('compiles the envelope and the record schema', () => {
    expect(compileValidator(TrutoEngagementListEnvelopeSchema)).toBeTypeOf('function');
    expect(compileValidator(TrutoEngagementSchema)).toBeTypeOf('function');
  });

  it('reads a valid page without calling zod', async () => {
    const records = Array.from({ length: 20 }, (_, i) =>
      trutoRecord({ id: i % 2 ? `t${i}` : i, start_time: 1_767_225_600 + i }),
    );
    nock(BASE).get(PATH).query(true).reply(200, listBody(records, null));
    const envelope = vi.spyOn(TrutoEngagementListEnvelopeSchema, 'safeParse');
    const record = vi.spyOn(TrutoEngagementSchema, 'safeParse');
    const items = await adapter().engagements.list().toArray();
    expect(items).toHaveLength(20);
    expect(envelope).toHaveBeenCalledTimes(0);
    expect(record).toHaveBeenCalledTimes(0);
  });
});
