import { InputValidationError, ServerError } from '@engagekit/core';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, conversation, devUser, engagement, engagementId } from './fixtures';
import { adapter, BASE, queryOf, useNock } from './helpers';

useNock();

const internalError = { type: 'internal_error', message: 'boom', reference_id: 'r-1' };
const sampleInput = {
  kind: 'call' as const,
  subject: 'Sync call',
  participantIds: ['DEVU-1'],
  occurredAt: '2026-03-01T10:00:00Z',
  externalRef: 'crm-call-42',
};

describe('DevRev conversations: the beta `account` filter and field', () => {
  // Reference: DevRev beta API `conversations-list-request.account` (id[], "conversations of any
  // of the provided accounts") and `conversation.account` (account-summary); the DevRev
  // TypeScript SDK's beta ConversationsListRequest/Conversation types carry the same.
  it('sends accountIds as `account` in the POST body instead of refusing them', async () => {
    const bodies: Record<string, unknown>[] = [];
    nock(BASE)
      .post('/conversations.list', (body) => {
        bodies.push(body);
        return true;
      })
      .reply(200, { conversations: [conversation({ account: ACCOUNT })] });
    const items = await adapter()
      .conversations.list({ accountIds: ['ACC-12', ACCOUNT.id] })
      .toArray();
    expect(bodies).toEqual([{ account: ['ACC-12', ACCOUNT.id], limit: 50 }]);
    expect(items[0]?.related).toContainEqual({ type: 'account', id: ACCOUNT.id, name: 'Acme' });
  });

  it('maps `account` (a summary or a bare id) into related with type account', async () => {
    nock(BASE)
      .post('/conversations.list')
      .reply(200, {
        conversations: [
          conversation({ account: 'don:core:dvrv-us-1:devo/0:account/7' }),
          conversation({ id: 'CONV-2', account: null }),
        ],
      });
    const [withId, without] = await adapter().conversations.list().toArray();
    expect(withId?.related.filter((r) => r.type === 'account')).toEqual([
      { type: 'account', id: 'don:core:dvrv-us-1:devo/0:account/7' },
    ]);
    expect(without?.related.filter((r) => r.type === 'account')).toEqual([]);
  });

  it('refuses a native `account` next to accountIds (one source per filter)', async () => {
    const error = await adapter()
      .conversations.list({ accountIds: ['ACC-1'], native: { account: ['ACC-2'] } })
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues[0]).toMatchObject({
      path: 'native.account',
      rule: 'conflict',
    });
  });
});

describe('DevRev create kind meeting', () => {
  // Reference: DevRev beta `engagements-create-request.engagement_type` enum is
  // call | default | email | linked_in | offline (no `meeting`).
  it('sends engagement_type offline', async () => {
    const bodies: Record<string, unknown>[] = [];
    nock(BASE)
      .post('/engagements.create', (body) => {
        bodies.push(body);
        return true;
      })
      .reply(201, { engagement: engagement(9, {}, { engagement_type: 'offline' }) });
    const e = await adapter().engagements.create({ ...sampleInput, kind: 'meeting' });
    expect(bodies[0]?.engagement_type).toBe('offline');
    expect(e.kind).toBe('meeting');
  });
});

describe('DevRev GET arrays are comma-joined', () => {
  // Reference: DevRev beta spec, GET /engagements.list array params are `explode: false`
  // (comma-separated); Prism, serving that spec, accepts `a,b` and rejects the SDK's quoted
  // `"a","b"` form as an invalid enum value.
  it('sends members and type as a,b, never quoted and never repeated', async () => {
    const uris: string[] = [];
    nock(BASE)
      .get('/engagements.list')
      .query(true)
      .reply((uri) => {
        uris.push(uri);
        return [200, { engagements: [] }];
      });
    await adapter()
      .engagements.list({
        participantIds: ['DEVU-1', 'DEVU-2'],
        accountIds: ['ACC-1', 'ACC-2'],
        kinds: ['call', 'email'],
      })
      .toArray();
    expect(uris).toHaveLength(1);
    const uri = uris[0] as string;
    expect(queryOf(uri)).toMatchObject({
      members: 'DEVU-1,DEVU-2',
      parent: 'ACC-1,ACC-2',
      type: 'call,email',
    });
    expect(decodeURIComponent(uri)).not.toContain('"');
    expect(new URL(uri, BASE).searchParams.getAll('members')).toHaveLength(1);
  });
});

describe('DevRev external_ref', () => {
  // Reference: DevRev beta `engagements-list-request.external_ref` (string[], "meetings with the
  // provided external_refs"), POST form of /engagements.list.
  it('findByExternalRef lists with the external_ref filter and maps the match', async () => {
    const bodies: Record<string, unknown>[] = [];
    nock(BASE)
      .post('/engagements.list', (body) => {
        bodies.push(body);
        return true;
      })
      .reply(200, { engagements: [engagement(7, {}, { external_ref: 'a,"b"' })] })
      .post('/engagements.list')
      .reply(200, { engagements: [] });
    const a = adapter();
    const found = await a.engagements.findByExternalRef('a,"b"');
    expect(bodies).toEqual([{ external_ref: ['a,"b"'], limit: 10 }]);
    expect(found).toMatchObject({ id: `devrev:${engagementId(7)}`, externalRef: 'a,"b"' });
    expect(await a.engagements.findByExternalRef('nothing')).toBeUndefined();
  });

  it('findByExternalRef skips a listed engagement whose external_ref differs', async () => {
    nock(BASE)
      .post('/engagements.list')
      .reply(200, {
        engagements: [
          engagement(1, {}, { external_ref: 'other' }),
          engagement(2, {}, { external_ref: 'wanted' }),
        ],
      });
    expect((await adapter().engagements.findByExternalRef('wanted'))?.remoteId).toBe(
      engagementId(2),
    );
  });

  it('findByExternalRef refuses an empty reference before any request', async () => {
    const error = await adapter()
      .engagements.findByExternalRef('  ')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues[0]?.path).toBe('externalRef');
  });

  // Reference: DevRev `engagements.create` 500 `internal_error`; the record may exist.
  it('a create with externalRef that got a 500 after writing returns the written engagement, no second POST', async () => {
    const written = engagement(
      42,
      { scheduled: '2026-03-01T10:00:00Z' },
      { external_ref: 'crm-call-42', members: [devUser] },
    );
    const creates: unknown[] = [];
    const lookups: unknown[] = [];
    const scope = nock(BASE)
      .post('/engagements.create', (body) => {
        creates.push(body);
        return true;
      })
      .reply(500, internalError)
      .post('/engagements.list', (body) => {
        lookups.push(body);
        return true;
      })
      .reply(200, { engagements: [written] });
    const e = await adapter().engagements.create(sampleInput);
    expect(scope.isDone()).toBe(true);
    expect(creates).toHaveLength(1);
    expect(lookups).toEqual([{ external_ref: ['crm-call-42'], limit: 10 }]);
    expect(e).toMatchObject({ remoteId: engagementId(42), externalRef: 'crm-call-42' });
  });

  it('sends again when the lookup finds nothing (the first attempt did not write)', async () => {
    const creates: unknown[] = [];
    nock(BASE)
      .post('/engagements.create', (body) => {
        creates.push(body);
        return true;
      })
      .reply(502, internalError)
      .post('/engagements.list')
      .reply(200, { engagements: [] })
      .post('/engagements.create', (body) => {
        creates.push(body);
        return true;
      })
      .reply(201, { engagement: engagement(43, {}, { external_ref: 'crm-call-42' }) });
    const e = await adapter().engagements.create(sampleInput);
    expect(creates).toHaveLength(2);
    expect(creates[0]).toEqual(creates[1]);
    expect(e.remoteId).toBe(engagementId(43));
  });

  it('gives up after maxRetries resends with the last ServerError', async () => {
    let creates = 0;
    let lookups = 0;
    nock(BASE)
      .post('/engagements.create')
      .times(5)
      .reply(() => {
        creates++;
        return [500, internalError];
      })
      .post('/engagements.list')
      .times(5)
      .reply(() => {
        lookups++;
        return [200, { engagements: [] }];
      });
    const error = await adapter({ maxRetries: 2 })
      .engagements.create(sampleInput)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(creates).toBe(3);
    expect(lookups).toBe(2);
  });

  it('without externalRef a 500 is not retried and nothing is looked up', async () => {
    const scope = nock(BASE).post('/engagements.create').reply(500, internalError);
    const { externalRef: _omit, ...input } = sampleInput;
    const error = await adapter()
      .engagements.create(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(scope.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('directions filter', () => {
  // Reference: DevRev beta `engagement` and `conversation` schemas carry no direction field, and
  // engagements.list/count and conversations.list have no direction filter.
  it('is declared and matches nothing without asking DevRev', async () => {
    const { DEVREV_CAPABILITIES } = await import('../src/index');
    expect(DEVREV_CAPABILITIES.filters.directions).toBe('client');
    const a = adapter();
    expect(await a.engagements.list({ directions: ['inbound'] }).toArray()).toEqual([]);
    expect(await a.engagements.count({ directions: ['outbound'] })).toBe(0);
    expect(await a.conversations.list({ directions: ['internal'] }).toArray()).toEqual([]);
    // No interceptor is installed: any request would have failed the calls above.
    expect(nock.pendingMocks()).toEqual([]);
  });
});
