import { createHmac } from 'node:crypto';
import { createWebhookReceiver, type Engagement, type EngagementChange } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';
import { type Endpoint, startEndpoint } from './webhooks-endpoint';

let sb: Sandbox;
let endpoint: Endpoint | undefined;
beforeAll(async () => {
  sb = await startSandbox({ count: 20, rateLimits: false });
});
afterAll(() => sb?.close());
afterEach(async () => {
  await Promise.all(sb.webhooks.subscriptions.map((s) => s.close()));
  await endpoint?.close();
  endpoint = undefined;
  sb.reset();
});

/** A receiver of the given sources behind a loopback endpoint; `changes` collects onChange's. */
async function listen(sources: Parameters<typeof createWebhookReceiver>[0]['sources']) {
  const changes: EngagementChange[] = [];
  const receiver = createWebhookReceiver({
    sources,
    onChange: (batch) => {
      changes.push(...batch);
    },
  });
  endpoint = await startEndpoint(receiver);
  return { changes, receiver, endpoint };
}

/** A slow answer under load must not become a retry minutes later: long timeout, fast schedule. */
const PATIENT = { timeoutMs: 15_000, timeScale: 0.001 } as const;

const parsed = (body: string) => JSON.parse(body) as Record<string, unknown>;

describe('sandbox.webhooks: Truto', () => {
  const SECRET = '6e17561c-a20c-44ce-b8b5-caff0bf786fe';

  it('delivers record:created, record:updated and record:deleted of crm/engagements, verified and mapped', async () => {
    const truto = createTrutoAdapter({ ...sb.adapterOptions.truto, rateLimit: false });
    const { changes, receiver, endpoint } = await listen([truto.webhooks({ secret: SECRET })]);
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      secret: SECRET,
      ...PATIENT,
    });
    expect(sub.secret).toBe(SECRET);
    expect(endpoint.requests).toHaveLength(0); // Truto documents no URL handshake

    const created = await truto.engagements.create({ kind: 'call', subject: 'first' });
    await truto.engagements.update(created.id, { subject: 'renamed' });
    await truto.engagements.delete(created.id);
    await sub.idle();

    expect(endpoint.requests.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(endpoint.requests.map((r) => parsed(r.body).event)).toEqual([
      'record:created',
      'record:updated',
      'record:deleted',
    ]);
    const first = endpoint.requests[0];
    expect(first?.headers['x-truto-signature']).toBe(
      `format=sha256,v=${createHmac('sha256', SECRET)
        .update(first?.body ?? '')
        .digest('hex')}`,
    );
    expect(parsed(first?.body ?? '{}').payload).toMatchObject({
      resource: 'crm/engagements',
      integrated_account_id: sb.credentials.truto.integratedAccountId,
      id: created.remoteId,
    });
    expect(changes.map((c) => [c.type, c.id, c.engagement?.subject, c.partial])).toEqual([
      ['upsert', created.id, 'first', undefined],
      ['upsert', created.id, 'renamed', undefined],
      ['delete', created.id, undefined, undefined],
    ]);
    expect(receiver.stats).toEqual({ delivered: 3, duplicates: 0, ignored: 0, rejected: 0 });
    expect(sub.stats).toMatchObject({ events: 3, attempts: 3, delivered: 3, retries: 0 });
  });
});

describe('sandbox.webhooks: Zoom Contact Center', () => {
  const SECRET = 'zoom-secret-token-Qx81';

  async function someEngagement(): Promise<Engagement> {
    const zoom = createZoomContactCenterAdapter(sb.adapterOptions.zoom);
    const to = new Date();
    const from = new Date(to.getTime() - 30 * 86_400_000);
    const items = await zoom.engagements.list({ from, to, pageSize: 100 }).toArray({ max: 100 });
    const ended = items.find((e) => (e.raw as { end_time?: string }).end_time !== undefined);
    if (!ended) throw new Error('the seeded data has no ended engagement');
    return ended;
  }

  it('passes the endpoint.url_validation handshake, then sends signed lifecycle events, hydrated by get()', async () => {
    const zoom = createZoomContactCenterAdapter(sb.adapterOptions.zoom);
    const { changes, receiver, endpoint } = await listen([
      zoom.webhooks({ secretToken: SECRET, hydrate: true }),
    ]);
    const sub = await sb.webhooks.subscribe({
      provider: 'zoom-contact-center',
      url: endpoint.url,
      secret: SECRET,
      ...PATIENT,
    });

    expect(endpoint.requests).toHaveLength(1);
    const handshake = endpoint.requests[0];
    const challenge = parsed(handshake?.body ?? '{}');
    expect(challenge.event).toBe('endpoint.url_validation');
    const ts = String(handshake?.headers['x-zm-request-timestamp']);
    expect(handshake?.headers['x-zm-signature']).toBe(
      `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${handshake?.body}`).digest('hex')}`,
    );
    expect(handshake?.status).toBe(200);

    const engagement = await someEngagement();
    const record = engagement.raw as Record<string, unknown>;
    const { end_time: _end, ...running } = record;
    sb.webhooks.emit({ vendor: 'zoom', object: 'engagement', action: 'created', record: running });
    sb.webhooks.emit({
      vendor: 'zoom',
      object: 'engagement',
      action: 'updated',
      record,
      previous: running,
    });
    sb.webhooks.emit({
      vendor: 'zoom',
      object: 'engagement',
      action: 'updated',
      record,
      event: 'contact_center.engagement_user_answered',
    });
    sb.webhooks.emit({ vendor: 'zoom', object: 'engagement', action: 'deleted', record });
    await sub.idle();

    const events = endpoint.requests.slice(1).map((r) => parsed(r.body));
    expect(events.map((e) => e.event)).toEqual([
      'contact_center.engagement_started',
      'contact_center.engagement_ended',
      'contact_center.engagement_user_answered',
    ]);
    expect(events[1]?.payload).toMatchObject({
      account_id: sb.credentials.zoom.accountId,
      object: { engagement_id: engagement.remoteId, end_time: record.end_time },
    });
    expect(sub.stats).toMatchObject({ events: 3, skipped: 1, delivered: 3 });
    expect(sub.log().find((e) => e.outcome === 'skipped')?.error).toMatch(/no event/);
    expect(changes).toHaveLength(3);
    for (const change of changes) {
      expect(change).toMatchObject({ type: 'upsert', id: engagement.id, source: 'webhook' });
      expect(change.partial).toBeUndefined();
      expect(change.engagement?.remoteId).toBe(engagement.remoteId);
    }
    expect(receiver.stats.delivered).toBe(3);
  });

  it('tells disposition_added from the records, and sends nothing for an update Zoom has no event for', async () => {
    const zoom = createZoomContactCenterAdapter(sb.adapterOptions.zoom);
    const { changes, endpoint } = await listen([zoom.webhooks({ secretToken: SECRET })]);
    const sub = await sb.webhooks.subscribe({
      provider: 'zoom',
      url: endpoint.url,
      secret: SECRET,
      ...PATIENT,
    });
    const record = {
      engagement_id: 'eng-disp-1',
      start_time: '2026-11-01T10:00:00Z',
      end_time: '2026-11-01T10:05:00Z',
      dispositions: [{ disposition_id: 'd1', disposition_name: 'Resolved' }],
    };
    const { dispositions: _d, ...before } = record;
    const change = { vendor: 'zoom', object: 'engagement', action: 'updated' } as const;
    sb.webhooks.emit({ ...change, record, previous: before });
    sb.webhooks.emit({ ...change, record: { ...record, notes: [] }, previous: record });
    await sub.idle();
    expect(endpoint.requests.slice(1).map((r) => parsed(r.body))).toEqual([
      {
        event: 'contact_center.engagement_disposition_added',
        event_ts: expect.any(Number),
        payload: {
          account_id: sb.credentials.zoom.accountId,
          object: {
            engagement_id: 'eng-disp-1',
            start_time: '2026-11-01T10:00:00Z',
            disposition_id: 'd1',
            disposition_name: 'Resolved',
          },
        },
      },
    ]);
    expect(sub.stats).toMatchObject({ events: 1, skipped: 1, delivered: 1 });
    expect(changes.map((c) => [c.type, c.id, c.partial])).toEqual([
      ['upsert', 'zoom-contact-center:eng-disp-1', true],
    ]);
  });

  it('fails the subscription when the endpoint answers the challenge with another secret', async () => {
    const zoom = createZoomContactCenterAdapter(sb.adapterOptions.zoom);
    const { endpoint } = await listen([zoom.webhooks({ secretToken: 'some-other-secret' })]);
    const error = await sb.webhooks
      .subscribe({ provider: 'zoom', url: endpoint.url, secret: SECRET })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SandboxWebhookError', reason: 'handshake-failed' });
    expect((error as Error).message).toContain('answered 401');
    expect((error as Error).message).not.toContain(SECRET);
    expect(sb.webhooks.subscriptions).toHaveLength(0);
  });
});

describe('sandbox.webhooks: DevRev', () => {
  const SECRET = 'devrev-webhook-secret-5d2a91';

  async function devrevCall(path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${sb.urls.devrev}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sb.credentials.devrev.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  }

  it('passes the verify challenge, sends conversation events and none for engagements', async () => {
    const devrev = createDevRevAdapter(sb.adapterOptions.devrev);
    const { changes, endpoint } = await listen([devrev.webhooks({ secret: SECRET })]);
    const sub = await sb.webhooks.subscribe({
      provider: 'devrev',
      url: endpoint.url,
      secret: SECRET,
      ...PATIENT,
    });

    const verify = parsed(endpoint.requests[0]?.body ?? '{}');
    expect(verify).toMatchObject({ type: 'verify', verify: { challenge: expect.any(String) } });
    expect(endpoint.requests[0]?.headers['x-devrev-signature']).toBe(
      createHmac('sha256', SECRET)
        .update(endpoint.requests[0]?.body ?? '')
        .digest('base64'),
    );
    expect(endpoint.requests[0]?.status).toBe(200);

    // DevRev has no engagement webhook events: a write through engagements.create sends nothing.
    const created = await devrevCall('/engagements.create', {
      title: 'Kick-off',
      members: ['DEVU-1'],
      scheduled_date: '2026-01-05T10:00:00Z',
    });
    expect(created.engagement).toMatchObject({ title: 'Kick-off' });

    const listed = await devrevCall('/conversations.list', { limit: 1 });
    const conversation = (listed.conversations as Record<string, unknown>[])[0] ?? {};
    const renamed = { ...conversation, title: 'Renamed by webhook test' };
    const emit = (action: 'created' | 'updated' | 'deleted', record: Record<string, unknown>) =>
      sb.webhooks.emit({
        vendor: 'devrev',
        object: 'conversation',
        action,
        record,
        previous: conversation,
      });
    emit('created', conversation);
    emit('updated', renamed);
    emit('deleted', renamed);
    await sub.idle();

    expect(sub.stats).toMatchObject({ events: 3, skipped: 1, delivered: 3 });
    expect(endpoint.requests.slice(1).map((r) => parsed(r.body).type)).toEqual([
      'conversation_created',
      'conversation_updated',
      'conversation_deleted',
    ]);
    const id = `devrev:${String(conversation.id)}`;
    expect(changes.map((c) => [c.type, c.id, c.engagement?.kind, c.engagement?.subject])).toEqual([
      ['upsert', id, 'chat', conversation.title],
      ['upsert', id, 'chat', 'Renamed by webhook test'],
      ['delete', id, undefined, undefined],
    ]);
    expect(changes.every((c) => c.partial === undefined && c.source === 'webhook')).toBe(true);
  });
});
