import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';
import { devrevCall } from './helpers';

type Conversation = { id: string; account?: { id: string; display_id: string } };

describe('DevRev emulator agrees with the beta API', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ count: 200, now: '2025-06-01T00:00:00Z' });
  });
  afterAll(() => sb.close());

  const conversations = async (init: { body?: unknown; query?: string }) => {
    const r = await devrevCall(sb, '/conversations.list', init);
    expect(r.status).toBe(200);
    return r.body.conversations as Conversation[];
  };

  // Reference: DevRev beta `conversation.account` (account-summary) and the
  // `conversations-list-request.account` filter (id[]).
  it('gives conversations an account and filters on `account` (POST body and GET form)', async () => {
    const all = await conversations({ body: { limit: 100 } });
    const withAccount = all.filter((c) => c.account);
    expect(withAccount.length).toBeGreaterThan(0);
    expect(withAccount.length).toBeLessThan(all.length);
    const account = withAccount[0]?.account as { id: string; display_id: string };
    expect(account.id).toMatch(/:account\/\d+$/);
    const expected = all.filter((c) => c.account?.id === account.id).map((c) => c.id);
    const byId = await conversations({ body: { account: [account.id], limit: 100 } });
    expect(byId.map((c) => c.id)).toEqual(expected);
    const byDisplay = await conversations({
      query: `account=${encodeURIComponent(account.display_id)}&limit=100`,
    });
    expect(byDisplay.map((c) => c.id)).toEqual(expected);
  });

  // Reference: DevRev beta spec, GET array parameters are `explode: false` (comma-separated);
  // Prism serving the spec reads `"call","email"` as the values `"call"` and `"email"`.
  it('reads GET arrays comma-separated and refuses the quoted form', async () => {
    const comma = await devrevCall(sb, '/engagements.list', { query: 'type=call,email' });
    expect(comma.status).toBe(200);
    const quoted = await devrevCall(sb, '/engagements.list', {
      query: `type=${encodeURIComponent('"call","email"')}`,
    });
    expect(quoted.status).toBe(400);
    expect(quoted.body).toMatchObject({ type: 'invalid_enum_value', field_name: 'type' });
  });

  // Reference: DevRev beta `engagements-list-request.external_ref` (POST form).
  it('finds a created engagement by external_ref', async () => {
    const created = await devrevCall(sb, '/engagements.create', {
      body: {
        title: 'Ref',
        members: ['DEVU-1'],
        scheduled_date: '2025-05-01T10:00:00Z',
        external_ref: 'crm,1',
      },
    });
    expect(created.status).toBe(201);
    const found = await devrevCall(sb, '/engagements.list', {
      body: { external_ref: ['crm,1'], limit: 10 },
    });
    const ids = (found.body.engagements as { id: string }[]).map((e) => e.id);
    expect(ids).toEqual([(created.body.engagement as { id: string }).id]);
  });
});
