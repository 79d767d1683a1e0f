import { EngagementSchema, InputValidationError } from '@engagekit/core';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { assertSpecValid, conversation } from './fixtures';
import { adapter, BASE, useNock } from './helpers';

useNock();

const page = (body: Record<string, unknown>) => {
  assertSpecValid('conversations-list-response', body);
  return body;
};

describe('conversations.list', () => {
  it('posts the DevRev filters and maps conversations to chats', async () => {
    const bodies: unknown[] = [];
    const scope = nock(BASE, { reqheaders: { 'x-devrev-scope': 'beta' } })
      .post('/conversations.list', (b) => {
        bodies.push(b);
        return true;
      })
      .reply(200, page({ conversations: [conversation()], next_cursor: 'c2' }))
      .post('/conversations.list', (b) => {
        bodies.push(b);
        return true;
      })
      .reply(
        200,
        page({
          conversations: [
            { id: 'CONV-2', members: [], created_date: '2026-02-10T00:00:00Z' },
            // created after `to`: filtered out client-side
            { id: 'CONV-3', members: [], created_date: '2026-03-10T00:00:00Z' },
          ],
        }),
      );
    const items = await adapter()
      .conversations.list({
        from: '2026-01-15T00:00:00Z',
        to: '2026-03-01T00:00:00Z',
        participantIds: ['REVU-7'],
        ownerIds: ['DEVU-1'],
        states: ['open'],
        sourceChannels: ['plug', 'email'],
        tags: [{ id: 'TAG-4', value: 'x' }],
        pageSize: 20,
        native: { is_spam: false },
      })
      .toArray();
    scope.done();
    const first = {
      is_spam: false,
      state: ['open'],
      source_channel: ['plug', 'email'],
      tags_v2: [{ id: 'TAG-4', value: 'x' }],
      members: ['REVU-7'],
      owned_by: ['DEVU-1'],
      modified_date: { after: '2026-01-15T00:00:00.000Z' },
      limit: 20,
    };
    assertSpecValid('conversations-list-request', first);
    expect(bodies).toEqual([first, { ...first, cursor: 'c2' }]);
    expect(items.map((e) => e.remoteId)).toEqual([
      expect.stringContaining('conversation/1'),
      'CONV-2',
    ]);
    for (const e of items) {
      expect(EngagementSchema.safeParse(e).success).toBe(true);
      expect(e.kind).toBe('chat');
      expect(e.id.startsWith('devrev:')).toBe(true);
    }
  });

  it('pages backwards with prevCursor (mode: before)', async () => {
    const bodies: Record<string, unknown>[] = [];
    nock(BASE)
      .post('/conversations.list', (b) => {
        bodies.push(b);
        return true;
      })
      .times(2)
      .reply(200, (_uri, b) =>
        (b as Record<string, unknown>).mode === 'before'
          ? { conversations: [{ id: 'C0', members: [], created_date: '2026-01-01T00:00:00Z' }] }
          : {
              conversations: [{ id: 'C1', members: [], created_date: '2026-01-02T00:00:00Z' }],
              prev_cursor: 'p0',
            },
      );
    const a = adapter();
    const first = await a.conversations.list().firstPage();
    const back = await a.conversations.list({ cursor: first.prevCursor }).toArray();
    expect(back.map((e) => e.remoteId)).toEqual(['C0']);
    expect(bodies[1]).toEqual({ limit: 50, cursor: 'p0', mode: 'before' });
  });

  it('retries the POST read on a 5xx', async () => {
    const scope = nock(BASE)
      .post('/conversations.list')
      .reply(503, { type: 'service_unavailable' })
      .post('/conversations.list')
      .reply(200, { conversations: [] });
    await expect(adapter().conversations.list().toArray()).resolves.toEqual([]);
    scope.done();
  });

  it('validates before any request', async () => {
    const a = adapter();
    const errorOf = (params: Parameters<typeof a.conversations.list>[0]) =>
      a.conversations
        .list(params)
        .toArray()
        .catch((e: unknown) => e);
    const conflict = (await errorOf({
      states: ['open'],
      native: { state: ['closed'] },
    })) as InputValidationError;
    expect(conflict.issues[0]).toMatchObject({ path: 'native.state', rule: 'conflict' });
    const empty = (await errorOf({ states: [] })) as InputValidationError;
    expect(empty.issues[0]?.path).toBe('states');
    expect(await errorOf({ native: { limit: 5 } })).toBeInstanceOf(InputValidationError);
    expect(await a.conversations.list({ kinds: ['call'] }).toArray()).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('does not accept an engagements.list cursor', async () => {
    nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply(200, {
        engagements: [{ id: 'E', created_date: '2026-01-01T00:00:00Z' }],
        next_cursor: 'n',
      });
    const a = adapter();
    const { nextCursor } = await a.engagements.list().firstPage();
    await expect(a.conversations.list({ cursor: nextCursor }).toArray()).rejects.toMatchObject({
      reason: 'mismatched-cursor',
    });
  });
});
