import {
  CapabilityError,
  EngagementSchema,
  InputValidationError,
  PaginationError,
  ResponseValidationError,
} from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, adapter, BASE, listBody, PATH, setupNock, TOKEN, trutoRecord } from './fixtures';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

/** Serves `bodies` in order to list requests and records each request's query. */
function serve(...bodies: unknown[]) {
  const queries: URLSearchParams[] = [];
  const headers: Record<string, string | string[] | undefined>[] = [];
  nock(BASE)
    .get(PATH)
    .query(true)
    .times(bodies.length)
    .reply(function (uri) {
      queries.push(new URL(uri, BASE).searchParams);
      headers.push(this.req.headers);
      return [200, bodies[queries.length - 1]];
    });
  return { queries, headers };
}

const rec = (id: string, start: string, extra: Record<string, unknown> = {}) =>
  trutoRecord({ id, start_time: start, ...extra });

describe('engagements.list', () => {
  it('sends the account, limit and token; pages on next_cursor until null', async () => {
    const { queries, headers } = serve(
      listBody([rec('1', '2026-01-01T00:00:00Z'), rec('2', '2026-01-02T00:00:00Z')], 'cur-2'),
      listBody([rec('3', '2026-01-03T00:00:00Z')], null),
    );
    const items = await adapter().engagements.list().toArray();
    expect(items.map((e) => e.id)).toEqual(['truto:1', 'truto:2', 'truto:3']);
    for (const e of items) expect(EngagementSchema.safeParse(e).success).toBe(true);
    expect(queries[0]?.get('integrated_account_id')).toBe(ACCOUNT);
    expect(queries[0]?.get('limit')).toBe('100');
    expect(queries[0]?.has('next_cursor')).toBe(false);
    expect(queries[1]?.get('next_cursor')).toBe('cur-2');
    expect(queries[1]?.get('integrated_account_id')).toBe(ACCOUNT);
    expect(headers[0]?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('exposes pages with a resumable nextCursor and no prevCursor', async () => {
    serve(listBody([rec('1', '2026-01-01T00:00:00Z')], 'cur-2'));
    const page = await adapter().engagements.list({ pageSize: 1 }).firstPage();
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toMatch(/^ek1\./);
    expect(page.prevCursor).toBeUndefined();

    const { queries } = serve(listBody([rec('2', '2026-01-02T00:00:00Z')], null));
    const rest = await adapter()
      .engagements.list({ pageSize: 1, cursor: page.nextCursor })
      .toArray();
    expect(rest.map((e) => e.remoteId)).toEqual(['2']);
    expect(queries[0]?.get('next_cursor')).toBe('cur-2');
    expect(queries[0]?.get('limit')).toBe('1');
  });

  it('maps single-valued filters to Truto query parameters', async () => {
    const { queries } = serve(listBody([rec('1', '2026-01-01T00:00:00Z')]));
    await adapter()
      .engagements.list({
        kinds: ['meeting'],
        participantIds: ['c-1'],
        accountIds: ['acc-1'],
        ownerIds: ['u-1'],
        includeRaw: false,
      })
      .toArray();
    const q = queries[0];
    expect(q?.get('engagement_type')).toBe('meeting');
    expect(q?.get('contact[id]')).toBe('c-1');
    expect(q?.get('account[id]')).toBe('acc-1');
    expect(q?.get('owner[id]')).toBe('u-1');
    expect(q?.get('truto_ignore_remote_data')).toBe('true');
  });

  it('filters several kinds, kinds Truto cannot filter and several ids client-side', async () => {
    const { queries } = serve(
      listBody([
        rec('1', '2026-01-01T00:00:00Z', { engagement_type: 'call' }),
        rec('2', '2026-01-01T00:00:00Z', { engagement_type: 'email' }),
        rec('3', '2026-01-01T00:00:00Z', { engagement_type: 'note', contacts: [{ id: 'c-9' }] }),
        rec('4', '2026-01-01T00:00:00Z', { engagement_type: 'Custom', contacts: [] }),
        rec('5', '2026-01-01T00:00:00Z', { engagement_type: 'call', owner: { id: 'u-5' } }),
      ]),
    );
    const items = await adapter()
      .engagements.list({
        kinds: ['call', 'note', 'other'],
        participantIds: ['c-1', 'c-9'],
        ownerIds: ['u-1', 'u-9'],
      })
      .toArray();
    expect(items.map((e) => e.remoteId)).toEqual(['1', '3']);
    const q = queries[0];
    expect(q?.has('engagement_type')).toBe(false);
    expect(q?.has('contact[id]')).toBe(false);
    expect(q?.has('owner[id]')).toBe(false);
  });

  it('sends a single note kind as a client-side filter (not a documented Truto filter value)', async () => {
    const { queries } = serve(
      listBody([
        rec('1', '2026-01-01T00:00:00Z', { engagement_type: 'call' }),
        rec('2', '2026-01-01T00:00:00Z', { engagement_type: 'Note' }),
      ]),
    );
    const items = await adapter()
      .engagements.list({ kinds: ['note'] })
      .toArray();
    expect(items.map((e) => e.remoteId)).toEqual(['2']);
    expect(queries[0]?.has('engagement_type')).toBe(false);
  });

  it('answers kinds no Truto engagement can have with nothing, without a request', async () => {
    const items = await adapter()
      .engagements.list({ kinds: ['sms', 'video'] })
      .toArray();
    expect(items).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('narrows kinds to those Truto can have: [call, sms] filters call server-side', async () => {
    const { queries } = serve(listBody([rec('1', '2026-01-01T00:00:00Z')]));
    await adapter()
      .engagements.list({ kinds: ['call', 'sms'] })
      .toArray();
    expect(queries[0]?.get('engagement_type')).toBe('call');
  });

  it('sends from/to as start_time/end_time and drops records outside [from, to)', async () => {
    const { queries } = serve(
      listBody([
        rec('a', '2026-01-01T00:00:00.000Z'),
        rec('b', '2026-01-15T00:00:00.000Z'),
        rec('c', '2026-02-01T00:00:00.000Z'),
      ]),
    );
    const items = await adapter()
      .engagements.list({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' })
      .toArray();
    expect(items.map((e) => e.remoteId)).toEqual(['a', 'b']);
    expect(queries[0]?.get('start_time')).toBe('2026-01-01T00:00:00.000Z');
    expect(queries[0]?.get('end_time')).toBe('2026-02-01T00:00:00.000Z');
  });

  it('slices a range longer than a year into windows of at most 365 days', async () => {
    const { queries } = serve(
      listBody([rec('a', '2024-06-01T00:00:00Z')], 'c2'),
      listBody([rec('b', '2024-12-01T00:00:00Z')]),
      listBody([rec('c', '2025-06-01T00:00:00Z')]),
      listBody([rec('d', '2026-03-01T00:00:00Z')]),
    );
    const items = await adapter()
      .engagements.list({ from: '2024-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' })
      .toArray();
    expect(items.map((e) => e.remoteId)).toEqual(['a', 'b', 'c', 'd']);
    const windows = queries.map((q) => [q.get('start_time'), q.get('end_time')]);
    expect(windows).toEqual([
      ['2024-01-01T00:00:00.000Z', '2024-12-31T00:00:00.000Z'],
      ['2024-01-01T00:00:00.000Z', '2024-12-31T00:00:00.000Z'],
      ['2024-12-31T00:00:00.000Z', '2025-12-31T00:00:00.000Z'],
      ['2025-12-31T00:00:00.000Z', '2026-06-01T00:00:00.000Z'],
    ]);
    expect(queries[1]?.get('next_cursor')).toBe('c2');
    for (const [from, to] of windows) {
      expect(Date.parse(to ?? '') - Date.parse(from ?? '')).toBeLessThanOrEqual(365 * 86_400_000);
    }
  });

  it('accepts the same next_cursor value again in a later window', async () => {
    serve(
      listBody([rec('a', '2024-02-01T00:00:00Z')], 'offset=1'),
      listBody([rec('b', '2024-03-01T00:00:00Z')]),
      listBody([rec('c', '2025-02-01T00:00:00Z')], 'offset=1'),
      listBody([rec('d', '2025-03-01T00:00:00Z')]),
    );
    const items = await adapter()
      .engagements.list({ from: '2024-01-01T00:00:00Z', to: '2025-06-01T00:00:00Z' })
      .toArray();
    expect(items.map((e) => e.remoteId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('sends a lone from (or to) as is and enforces it client-side', async () => {
    const { queries } = serve(
      listBody([rec('a', '2025-12-31T23:59:59Z'), rec('b', '2026-01-01T00:00:00Z')]),
      listBody([rec('c', '2026-01-31T23:59:59Z'), rec('d', '2026-02-01T00:00:00Z')]),
    );
    const after = await adapter().engagements.list({ from: '2026-01-01T00:00:00Z' }).toArray();
    expect(after.map((e) => e.remoteId)).toEqual(['b']);
    expect(queries[0]?.get('start_time')).toBe('2026-01-01T00:00:00.000Z');
    expect(queries[0]?.has('end_time')).toBe(false);
    const before = await adapter().engagements.list({ to: '2026-02-01T00:00:00Z' }).toArray();
    expect(before.map((e) => e.remoteId)).toEqual(['c']);
    expect(queries[1]?.get('end_time')).toBe('2026-02-01T00:00:00.000Z');
    expect(queries[1]?.has('start_time')).toBe(false);
  });

  it('passes native parameters through in Truto bracket notation; native wins', async () => {
    const { queries } = serve(listBody([]));
    await adapter()
      .engagements.list({
        native: {
          'remote_query[foo]': 'bar',
          remote_query: { nested: { deep: 1 } },
          'truto_exclude_fields[]': ['subject', 'content'],
          truto_super_query: 'wnam',
          engagement_type: 'LinkedIn Message',
          limit: 7,
        },
      })
      .toArray();
    const q = queries[0];
    expect(q?.get('remote_query[foo]')).toBe('bar');
    expect(q?.get('remote_query[nested][deep]')).toBe('1');
    expect(q?.getAll('truto_exclude_fields[]')).toEqual(['subject', 'content']);
    expect(q?.get('truto_super_query')).toBe('wnam');
    expect(q?.get('engagement_type')).toBe('LinkedIn Message');
    expect(q?.getAll('limit')).toEqual(['7']);
  });

  it('rejects native params engagekit owns, before any request', async () => {
    for (const native of [
      { integrated_account_id: 'other' },
      { next_cursor: 'x' },
      { truto_key_by: 'id' },
      { truto_response_format: 'raw' },
    ]) {
      const error = await adapter()
        .engagements.list({ native })
        .toArray()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputValidationError);
      expect((error as InputValidationError).issues[0]?.path).toBe(
        `native.${Object.keys(native)[0]}`,
      );
    }
  });

  it('rejects a page size above 100 and filters it cannot apply', async () => {
    await expect(adapter().engagements.list({ pageSize: 101 }).toArray()).rejects.toBeInstanceOf(
      InputValidationError,
    );
    await expect(adapter().engagements.count()).rejects.toBeInstanceOf(CapabilityError);
  });

  it('fails with a ResponseValidationError naming the path of a broken record', async () => {
    serve({ result: [trutoRecord(), { subject: 'no id' }], next_cursor: null });
    const error = await adapter()
      .engagements.list()
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).path).toBe('result.1.id');
  });

  it('fails with a ResponseValidationError when result is not an array', async () => {
    serve({ result: { '1': trutoRecord() }, next_cursor: null });
    await expect(adapter().engagements.list().toArray()).rejects.toBeInstanceOf(
      ResponseValidationError,
    );
  });

  it('stops on a repeated next_cursor', async () => {
    serve(
      listBody([rec('1', '2026-01-01T00:00:00Z')], 'same'),
      listBody([rec('2', '2026-01-01T00:00:00Z')], 'same'),
    );
    await expect(adapter().engagements.list().toArray()).rejects.toBeInstanceOf(PaginationError);
  });
});
