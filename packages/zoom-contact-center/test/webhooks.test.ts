import { createHash, createHmac } from 'node:crypto';
import {
  createWebhookReceiver,
  type EngagementChange,
  InputValidationError,
  WebhookVerificationError,
} from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createZoomContactCenterAdapter, createZoomWebhookSource } from '../src/index';

const SECRET_TOKEN = 'zoom-secret-token-7c1f0e9a';
const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const BASE = 'https://zoom-webhooks.test/v2';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
});
afterEach(() => nock.cleanAll());

const adapter = () =>
  createZoomContactCenterAdapter({ accessToken: 'zoom-access-token-abc', baseUrl: BASE });

/**
 * Vector from Zoom's documented formula (https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events):
 * `x-zm-signature` = `v0=` + hex HMAC-SHA256(secret token, `v0:{x-zm-request-timestamp}:{body}`),
 * built here with node:crypto, not with the source's helpers.
 */
function zoomRequest(
  payload: unknown,
  opts: { secret?: string; atMs?: number; contentType?: string; body?: string } = {},
) {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor((opts.atMs ?? NOW) / 1000));
  const signature = `v0=${createHmac('sha256', opts.secret ?? SECRET_TOKEN)
    .update(`v0:${timestamp}:${body}`)
    .digest('hex')}`;
  return new Request('https://app.test/any/path', {
    method: 'POST',
    body: opts.body ?? body,
    headers: {
      'content-type': opts.contentType ?? 'application/json; charset=utf-8',
      'x-zm-signature': signature,
      'x-zm-request-timestamp': timestamp,
    },
  });
}

const started = (engagementId = 'eng-1') => ({
  event: 'contact_center.engagement_started',
  event_ts: NOW - 2000,
  payload: {
    account_id: 'acc-1',
    object: {
      engagement_id: engagementId,
      channel: 'voice',
      direction: 'inbound',
      start_time: '2026-11-30T11:59:58Z',
    },
  },
});

function setup(options: { hydrate?: boolean; maxBodyBytes?: number; secretToken?: string } = {}) {
  const onChange = vi.fn(async (_changes: EngagementChange[]) => {});
  const receiver = createWebhookReceiver({
    sources: [
      adapter().webhooks({
        secretToken: options.secretToken ?? SECRET_TOKEN,
        hydrate: options.hydrate,
      }),
    ],
    onChange,
    now: () => NOW,
    maxBodyBytes: options.maxBodyBytes,
  });
  return { receiver, onChange };
}

describe('zoom.webhooks(): verification through createWebhookReceiver().handle', () => {
  it('maps a signed engagement_started to a partial upsert whose id is the body digest', async () => {
    const { receiver, onChange } = setup();
    const payload = started();
    const res = await receiver.handle(zoomRequest(payload));
    expect(res.status).toBe(200);
    expect(onChange).toHaveBeenCalledTimes(1);
    const [changes, delivery] = onChange.mock.calls[0] as unknown as [
      EngagementChange[],
      { eventId: string; eventType: string },
    ];
    const digest = createHash('sha256').update(JSON.stringify(payload)).digest('hex');
    expect(changes).toEqual([
      {
        type: 'upsert',
        id: 'zoom-contact-center:eng-1',
        provider: 'zoom-contact-center',
        remoteId: 'eng-1',
        changedAt: '2026-11-30T11:59:58.000Z',
        source: 'webhook',
        eventId: digest,
        partial: true,
      },
    ]);
    expect(delivery.eventId).toBe(digest);
    expect(delivery.eventType).toBe('contact_center.engagement_started');
  });

  it.each([
    ['a tampered body', { body: JSON.stringify(started('eng-2')) }, 'bad-signature'],
    ['the wrong secret token', { secret: 'another-secret-token' }, 'bad-signature'],
    ['a stale signed timestamp', { atMs: NOW - 301_000 }, 'stale-timestamp'],
    ['a future signed timestamp', { atMs: NOW + 301_000 }, 'stale-timestamp'],
  ])('rejects %s with 401', async (_label, opts, reason) => {
    const { receiver, onChange } = setup();
    const res = await receiver.handle(zoomRequest(started(), opts));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe(reason);
    expect(onChange).not.toHaveBeenCalled();
    expect(receiver.stats.rejected).toBe(1);
  });

  it('drops a redelivered body (same digest id) and reaches onChange once', async () => {
    const { receiver, onChange } = setup();
    const first = await receiver.handle(zoomRequest(started()));
    const again = await receiver.handle(zoomRequest(started()));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(receiver.stats.duplicates).toBe(1);
  });

  it('refuses an oversized body (413) and a non-JSON content type (415)', async () => {
    const big = setup({ maxBodyBytes: 100 });
    const tooLarge = await big.receiver.handle(zoomRequest(started()));
    expect(tooLarge.status).toBe(413);
    const { receiver, onChange } = setup();
    const wrongType = await receiver.handle(zoomRequest(started(), { contentType: 'text/plain' }));
    expect(wrongType.status).toBe(415);
    expect(big.onChange).not.toHaveBeenCalled();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('answers endpoint.url_validation with plainToken and its hex HMAC, once the request is signed', async () => {
    // https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint
    const { receiver, onChange } = setup();
    const validation = {
      event: 'endpoint.url_validation',
      event_ts: NOW,
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
    };
    const res = await receiver.handle(zoomRequest(validation));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', SECRET_TOKEN)
        .update('qgg8vlvZRS6UYooatFL8Aw')
        .digest('hex'),
    });
    const forged = await receiver.handle(zoomRequest(validation, { secret: 'not-the-token' }));
    expect(forged.status).toBe(401);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('never puts the secret token in an error', async () => {
    const { receiver } = setup();
    const req = zoomRequest(started(), { secret: 'wrong-secret-token' });
    const error = await receiver
      .verify('zoom-contact-center', {
        body: await req.text(),
        headers: req.headers,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toBe('bad-signature');
    expect(JSON.stringify(error)).not.toContain(SECRET_TOKEN);
    expect((error as Error).message).not.toContain(SECRET_TOKEN);
    expect((error as Error).stack ?? '').not.toContain(SECRET_TOKEN);
  });

  it('refuses a missing or blank secretToken with InputValidationError on secretToken', () => {
    const error = (() => {
      try {
        createZoomWebhookSource({ secretToken: '  ' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues).toEqual([
      { path: 'secretToken', rule: 'required', message: 'must be a non-empty string' },
    ]);
  });

  it('counts event types it does not map as ignored, without calling onChange', async () => {
    const { receiver, onChange } = setup();
    const res = await receiver.handle(
      zoomRequest({
        event: 'contact_center.user_created',
        event_ts: NOW,
        payload: { object: { user_id: 'u-1' } },
      }),
    );
    expect(res.status).toBe(200);
    expect(onChange).not.toHaveBeenCalled();
    expect(receiver.stats).toEqual({ delivered: 0, duplicates: 0, ignored: 1, rejected: 0 });
  });

  it('hydrate: true fetches the engagement with get() and upserts it whole', async () => {
    const scope = nock(BASE)
      .get('/contact_center/engagements/eng-1')
      .once()
      .reply(200, {
        engagement_id: 'eng-1',
        start_time: '2026-11-30T11:59:58Z',
        end_time: '2026-11-30T12:04:58Z',
        direction: 'inbound',
        channels: [{ channel: 'voice' }],
        agents: [{ user_id: 'agent-7', display_name: 'Ada' }],
      });
    const { receiver, onChange } = setup({ hydrate: true });
    const res = await receiver.handle(zoomRequest(started()));
    expect(res.status).toBe(200);
    expect(scope.isDone()).toBe(true);
    const [changes] = onChange.mock.calls[0] as unknown as [EngagementChange[]];
    const change = changes[0];
    expect(change?.partial).toBeUndefined();
    expect(change?.engagement?.id).toBe('zoom-contact-center:eng-1');
    expect(change?.engagement?.kind).toBe('call');
    expect(change?.engagement?.occurredAt).toBe('2026-11-30T11:59:58.000Z');
    expect(change?.engagement?.participants.map((p) => p.id)).toContain('agent-7');
  });
  it('hydrate: true falls back to a partial upsert when Zoom answers 404 (reports lag live events)', async () => {
    const scope = nock(BASE)
      .get('/contact_center/engagements/eng-1')
      .once()
      .reply(404, { code: 1001, message: 'Engagement does not exist.' });
    const { receiver, onChange } = setup({ hydrate: true });
    const res = await receiver.handle(zoomRequest(started()));
    expect(res.status).toBe(200);
    expect(scope.isDone()).toBe(true);
    const [changes] = onChange.mock.calls[0] as unknown as [EngagementChange[]];
    expect(changes).toEqual([expect.objectContaining({ remoteId: 'eng-1', partial: true })]);
    expect(changes[0]?.engagement).toBeUndefined();
  });

  it('hydrate: true answers 500 when get() fails otherwise, so Zoom retries', async () => {
    const scope = nock(BASE)
      .get('/contact_center/engagements/eng-1')
      .times(3)
      .reply(401, { code: 124, message: 'Invalid access token.' });
    const { receiver, onChange } = setup({ hydrate: true });
    const res = await receiver.handle(zoomRequest(started()));
    expect(res.status).toBe(500);
    expect(scope.pendingMocks().length).toBeLessThan(3);
    expect(onChange).not.toHaveBeenCalled();
  });
});

describe('zoom.webhooks(): the change time', () => {
  const source = createZoomWebhookSource({ secretToken: SECRET_TOKEN });
  const changedAt = async (eventTs: unknown) => {
    const req = zoomRequest({ ...started(), event_ts: eventTs });
    const body = new Uint8Array(await req.arrayBuffer());
    const result = source.verify(body, req.headers, NOW);
    if (result.kind !== 'event') throw new Error('expected an event');
    return (await source.toChanges(result.event)).changes[0]?.changedAt;
  };
  it.each<[string, unknown, string]>([
    ['epoch ms', NOW - 2001, '2026-11-30T11:59:57.999Z'],
    ['epoch seconds', (NOW - 2000) / 1000, '2026-11-30T11:59:58.000Z'],
    ['a time past Date’s range: the signed delivery time', 9e15, '2026-11-30T12:00:00.000Z'],
    ['no number: the signed delivery time', '2026-11-30T11:59:58Z', '2026-11-30T12:00:00.000Z'],
  ])('reads event_ts as %s', async (_label, eventTs, expected) => {
    expect(await changedAt(eventTs)).toBe(expected);
  });
});
