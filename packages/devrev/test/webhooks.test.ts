import { createHmac } from 'node:crypto';
import {
  createWebhookReceiver,
  type EngagementChange,
  InputValidationError,
  ResponseValidationError,
  WebhookVerificationError,
} from '@engagekit/core';
import { describe, expect, it, vi } from 'vitest';
import { createDevRevAdapter, createDevRevWebhookSource } from '../src/index';
import { mapConversation } from '../src/map/conversation';
import { ConversationWireSchema } from '../src/wire/conversation';
import { conversation } from './fixtures';

const SECRET = 'devrev-webhook-secret-5d2a91';
const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const CONVERSATION_ID = (conversation() as { id: string }).id;

/**
 * Vector from DevRev's documented scheme (https://developer.devrev.ai/public/guides/webhooks):
 * `X-DevRev-Signature` = HMAC-SHA256 of the raw body with the webhook secret, built here with
 * node:crypto (hex by default, base64 where a test says so), not with the source's helpers.
 */
function devrevRequest(
  payload: unknown,
  opts: {
    secret?: string;
    encoding?: 'hex' | 'base64';
    contentType?: string;
    body?: string;
  } = {},
) {
  const body = JSON.stringify(payload);
  const signature = createHmac('sha256', opts.secret ?? SECRET)
    .update(body)
    .digest(opts.encoding ?? 'hex');
  return new Request('https://app.test/hooks/devrev', {
    method: 'POST',
    body: opts.body ?? body,
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'x-devrev-signature': signature,
    },
  });
}

const event = (type: string, data: unknown, overrides: Record<string, unknown> = {}) => ({
  id: 'don:integration:dvrv-us-1:devo/1:webhook/9:event/abc',
  webhook_id: 'don:integration:dvrv-us-1:devo/1:webhook/9',
  timestamp: '2026-11-30T11:59:58.123456789Z',
  type,
  [type]: data,
  ...overrides,
});
const updated = (overrides: Record<string, unknown> = {}) =>
  event('conversation_updated', { conversation: conversation(), old_conversation: {} }, overrides);

function setup(options: { maxBodyBytes?: number } = {}) {
  const onChange = vi.fn(async (_changes: EngagementChange[]) => {});
  const devrev = createDevRevAdapter({ token: 'devrev-token-123', baseUrl: 'https://devrev.test' });
  const receiver = createWebhookReceiver({
    sources: [devrev.webhooks({ secret: SECRET })],
    onChange,
    now: () => NOW,
    maxBodyBytes: options.maxBodyBytes,
  });
  return { receiver, onChange };
}

const changesOf = (onChange: ReturnType<typeof setup>['onChange'], call = 0) =>
  (onChange.mock.calls[call] as unknown as [EngagementChange[]])[0];

describe('devrev.webhooks(): verification through createWebhookReceiver().handle', () => {
  it.each(['hex', 'base64'] as const)(
    'maps a conversation_updated signed in %s to a full upsert',
    async (encoding) => {
      const { receiver, onChange } = setup();
      const res = await receiver.handle(devrevRequest(updated(), { encoding }));
      expect(res.status).toBe(200);
      const [change] = changesOf(onChange);
      expect(change).toMatchObject({
        type: 'upsert',
        id: `devrev:${CONVERSATION_ID}`,
        remoteId: CONVERSATION_ID,
        provider: 'devrev',
        source: 'webhook',
        eventId: 'don:integration:dvrv-us-1:devo/1:webhook/9:event/abc',
        changedAt: '2026-02-03T08:00:00.000Z',
      });
      expect(change?.partial).toBeUndefined();
      expect(change?.engagement?.kind).toBe('chat');
      expect(change?.engagement?.subject).toBe('Cannot log in');
    },
  );

  it('maps conversation_deleted to a delete at the event time', async () => {
    const { receiver, onChange } = setup();
    await receiver.handle(devrevRequest(event('conversation_deleted', { id: CONVERSATION_ID })));
    expect(changesOf(onChange)).toEqual([
      {
        type: 'delete',
        id: `devrev:${CONVERSATION_ID}`,
        remoteId: CONVERSATION_ID,
        provider: 'devrev',
        source: 'webhook',
        eventId: 'don:integration:dvrv-us-1:devo/1:webhook/9:event/abc',
        changedAt: '2026-11-30T11:59:58.123Z',
      },
    ]);
  });

  it('upserts a conversation it cannot map as partial, naming it', async () => {
    const { receiver, onChange } = setup();
    const broken = { id: CONVERSATION_ID, members: 'not-a-list' };
    await receiver.handle(devrevRequest(event('conversation_created', { conversation: broken })));
    const [change] = changesOf(onChange);
    expect(change).toMatchObject({ type: 'upsert', remoteId: CONVERSATION_ID, partial: true });
    expect(change?.engagement).toBeUndefined();
  });

  it.each([
    ['a tampered body', { body: JSON.stringify(updated({ id: 'evt-other' })) }, 'bad-signature'],
    ['the wrong secret', { secret: 'another-devrev-secret' }, 'bad-signature'],
  ])('rejects %s with 401', async (_label, opts, reason) => {
    const { receiver, onChange } = setup();
    const res = await receiver.handle(devrevRequest(updated(), opts));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe(reason);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('rejects a signed body timestamp outside the replay window', async () => {
    const { receiver, onChange } = setup();
    const res = await receiver.handle(
      devrevRequest(updated({ timestamp: '2026-11-30T11:54:58Z' })),
    );
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('stale-timestamp');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('drops a replayed event id', async () => {
    const { receiver, onChange } = setup();
    const first = await receiver.handle(devrevRequest(updated()));
    const replay = await receiver.handle(devrevRequest(updated()));
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(await replay.json()).toEqual({ received: true, duplicate: true });
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('refuses an oversized body (413) and a non-JSON content type (415)', async () => {
    const big = setup({ maxBodyBytes: 200 });
    expect((await big.receiver.handle(devrevRequest(updated()))).status).toBe(413);
    const { receiver, onChange } = setup();
    const res = await receiver.handle(
      devrevRequest(updated(), { contentType: 'application/x-www-form-urlencoded' }),
    );
    expect(res.status).toBe(415);
    expect(big.onChange).not.toHaveBeenCalled();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('answers the verify event with its challenge once signed, and refuses a forged one', async () => {
    const { receiver, onChange } = setup();
    const verify = {
      type: 'verify',
      timestamp: '2026-11-30T11:59:59Z',
      verify: { challenge: 'DlrVaK7zRyZWwbJhj5dZ' },
    };
    const res = await receiver.handle(devrevRequest(verify));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'DlrVaK7zRyZWwbJhj5dZ' });
    const forged = await receiver.handle(devrevRequest(verify, { secret: 'forged-secret' }));
    expect(forged.status).toBe(401);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('never puts the secret in an error', async () => {
    const { receiver } = setup();
    const req = devrevRequest(updated(), { secret: 'wrong-secret-value' });
    const error = await receiver
      .verify('devrev', { body: await req.text(), headers: req.headers })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toBe('bad-signature');
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('refuses a blank secret with InputValidationError on secret', () => {
    expect(() => createDevRevWebhookSource({ secret: '' })).toThrow(InputValidationError);
    try {
      createDevRevWebhookSource({ secret: '' });
    } catch (e) {
      expect((e as InputValidationError).issues[0]?.path).toBe('secret');
    }
  });

  it('counts work and (nonexistent) engagement events as ignored', async () => {
    const { receiver, onChange } = setup();
    await receiver.handle(devrevRequest(event('work_created', { work: { id: 'w-1' } })));
    await receiver.handle(
      devrevRequest(
        event('engagement_created', { engagement: { id: 'e-1' } }, { id: 'evt-engagement' }),
      ),
    );
    expect(onChange).not.toHaveBeenCalled();
    expect(receiver.stats).toEqual({ delivered: 0, duplicates: 0, ignored: 2, rejected: 0 });
  });
});

describe('devrev.webhooks(): the conversation it maps is the listing mapper’s', () => {
  const source = createDevRevWebhookSource({ secret: SECRET });
  const mapped = async (record: Record<string, unknown>) => {
    const req = devrevRequest(event('conversation_updated', { conversation: record }));
    const body = new Uint8Array(await req.arrayBuffer());
    const result = source.verify(body, req.headers, NOW);
    if (result.kind !== 'event') throw new Error('expected an event');
    const { changes } = await source.toChanges(result.event);
    return changes[0];
  };
  const base = conversation() as Record<string, unknown>;
  it.each<[string, Record<string, unknown>]>([
    ['the fixture', {}],
    [
      'a bare account id, a subtype and a close date',
      {
        account: 'ACC-1',
        subtype: 'support',
        actual_close_date: '2026-02-04T10:00:00.5+02:00',
      },
    ],
    ['an account summary with a name', { account: { id: 'ACC-2', display_name: 'Acme' } }],
    ['an account summary without one', { account: { id: 'ACC-3', display_name: null } }],
    [
      'repeated channels and a v2 source channel',
      {
        channels: [
          { id: 'CH-1', display_id: 'one' },
          { id: 'CH-1' },
          { id: 'X', display_id: null },
        ],
        source_channel_v2: { id: 'CH-2', display_id: 'two' },
        group: { id: 'X', name: null },
      },
    ],
    [
      'nulls and empty strings',
      {
        display_id: null,
        title: '',
        description: null,
        stage: { name: null },
        source_channel: '',
        owned_by: null,
        created_by: null,
        tags: null,
        messages: null,
        channels: null,
        group: null,
        custom_fields: null,
      },
    ],
    [
      'only a modified date, custom fields, tags with values',
      {
        created_date: null,
        custom_fields: { tier: 'gold', n: 3 },
        tags: [
          { tag: { id: 'T-1', name: null }, value: 'v' },
          { id: 'T-2', value: null },
        ],
        members: [{ type: 'rev_user', id: 'R-1', full_name: 'Full Name', email: null }],
      },
    ],
    [
      'messages without author or dates',
      {
        messages: [
          { type: 'timeline_comment', id: 'C-1', body: 'hi' },
          {
            type: 'timeline_comment',
            id: 'C-2',
            body: '',
            created_by: { type: 'dev_user', id: 'D-1' },
          },
          { type: 'timeline_change_event', id: 'C-3' },
        ],
      },
    ],
  ])('%s', async (_label, overrides) => {
    const record = { ...base, ...overrides };
    const change = await mapped(record);
    const expected = mapConversation(ConversationWireSchema.parse(record), { includeRaw: true });
    expect(change?.partial).toBeUndefined();
    expect(change?.engagement).toEqual(expected);
    // Same keys in the same order, so stored JSON and digests of either are byte-identical (`raw`
    // aside: zod's parse above reorders the record's keys, the webhook keeps the body's).
    const { raw, ...rest } = change?.engagement ?? {};
    const { raw: expectedRaw, ...expectedRest } = expected;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(expectedRest));
    expect(raw).toEqual(record);
    expect(expectedRaw).toEqual(record);
    expect(change?.changedAt).toBe(expected.updatedAt ?? '2026-11-30T11:59:58.123Z');
  });

  it('upserts a conversation with no date as partial, as the mapper refuses it', async () => {
    const record = { ...base, created_date: null, modified_date: undefined };
    expect(() =>
      mapConversation(ConversationWireSchema.parse(record), { includeRaw: true }),
    ).toThrow(ResponseValidationError);
    const change = await mapped(record);
    expect(change).toMatchObject({
      type: 'upsert',
      partial: true,
      changedAt: '2026-11-30T11:59:58.123Z',
    });
    expect(change?.engagement).toBeUndefined();
  });
});
