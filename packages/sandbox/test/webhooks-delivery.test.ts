import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookReceiver, type EngagementChange } from '@engagekit/core';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Sandbox,
  SandboxWebhookError,
  startSandbox,
  type WebhookSubscription,
} from '../src/index';
import { type Endpoint, startEndpoint } from './webhooks-endpoint';

const SECRET = '0b7c1f4e-2d3a-4c5b-8e9f-a0b1c2d3e4f5';
/** Truto's schedule (2.5 s, 5 s, 10 s) a thousand times faster. */
const FAST = 0.001;

let sb: Sandbox;
let endpoint: Endpoint | undefined;
beforeAll(async () => {
  sb = await startSandbox({ count: 5, rateLimits: false });
});
afterAll(() => sb?.close());
afterEach(async () => {
  await Promise.all(sb.webhooks.subscriptions.map((s) => s.close()));
  await endpoint?.close();
  endpoint = undefined;
});

const truto = () => createTrutoAdapter({ ...sb.adapterOptions.truto, rateLimit: false });

/** A loopback endpoint verifying Truto's signature with `secret`; `changes` collects onChange's. */
async function trutoEndpoint(secret = SECRET) {
  const changes: EngagementChange[] = [];
  const receiver = createWebhookReceiver({
    sources: [truto().webhooks({ secret })],
    onChange: (batch) => {
      changes.push(...batch);
    },
  });
  endpoint = await startEndpoint(receiver);
  return { changes, receiver, endpoint };
}

/** Deletes of Truto engagements 1..n, played in one go (so the queue holds them together). */
function emitDeletes(n: number): void {
  for (let i = 1; i <= n; i++) {
    sb.webhooks.emit({
      vendor: 'truto',
      object: 'engagement',
      action: 'deleted',
      record: { id: String(i) },
    });
  }
}

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('sandbox.webhooks: retries', () => {
  it('retries a 500 twice, then delivers once: 3 attempts of the same signed body', async () => {
    const { changes, endpoint } = await trutoEndpoint();
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      secret: SECRET,
      timeScale: FAST,
    });
    endpoint.failNext(2, 500);
    const created = await truto().engagements.create({ kind: 'note', subject: 'retried' });
    await sub.idle();

    expect(endpoint.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(endpoint.requests.map((r) => r.body)).size).toBe(1);
    expect(new Set(endpoint.requests.map((r) => r.headers['x-truto-signature'])).size).toBe(1);
    expect(sub.stats).toMatchObject({ attempts: 3, retries: 2, delivered: 1, failed: 0 });
    expect(sub.log().map((e) => [e.outcome, e.attempt, e.status])).toEqual([
      ['failed', 1, 500],
      ['failed', 2, 500],
      ['delivered', 3, 200],
    ]);
    expect(changes.map((c) => [c.type, c.id, c.engagement?.subject])).toEqual([
      ['upsert', created.id, 'retried'],
    ]);
  });

  it("gives up after Truto's 3 retries: 4 attempts, then counted as failed", async () => {
    const { changes, endpoint } = await trutoEndpoint();
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      secret: SECRET,
      timeScale: FAST,
    });
    endpoint.failNext(10, 503);
    emitDeletes(1);
    await sub.idle();
    expect(endpoint.requests.map((r) => r.status)).toEqual([503, 503, 503, 503]);
    expect(sub.stats).toMatchObject({ attempts: 4, retries: 3, delivered: 0, failed: 1 });
    expect(changes).toEqual([]);
  });

  it('retries network failures (a refused connection) on the same schedule', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: `http://127.0.0.1:${port}/gone`,
      timeScale: FAST,
    });
    emitDeletes(1);
    await sub.idle();
    expect(sub.stats).toMatchObject({ attempts: 4, retries: 3, failed: 1 });
    expect(sub.log().map((e) => e.error)).toEqual(
      Array(4).fill(expect.stringMatching(/ECONNREFUSED/)),
    );
  });

  it('uses retryDelaysMs as given: its length is the number of retries', async () => {
    const { endpoint } = await trutoEndpoint();
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      secret: SECRET,
      retryDelaysMs: [1],
    });
    endpoint.failNext(10);
    emitDeletes(1);
    await sub.idle();
    expect(sub.stats).toMatchObject({ attempts: 2, retries: 1, failed: 1 });
  });
});

describe('sandbox.webhooks: duplicate and reorder faults', () => {
  it('duplicateRate 1 sends every event twice; the receiver drops the copies', async () => {
    const { changes, receiver, endpoint } = await trutoEndpoint();
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      secret: SECRET,
      faults: { duplicateRate: 1 },
    });
    emitDeletes(3);
    await sub.idle();
    expect(endpoint.requests).toHaveLength(6);
    expect(sub.stats).toMatchObject({ events: 3, duplicated: 3, attempts: 6, delivered: 6 });
    expect(receiver.stats).toMatchObject({ delivered: 3, duplicates: 3 });
    expect(changes.map((c) => c.id)).toEqual(['truto:1', 'truto:2', 'truto:3']);
  });

  it('reorderRate 1 holds each event back until the next one: pairs arrive swapped', async () => {
    const { changes, endpoint } = await trutoEndpoint();
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      secret: SECRET,
      timeScale: FAST,
      faults: { reorderRate: 1 },
    });
    emitDeletes(5);
    await sub.idle();
    expect(sub.log().map((e) => e.seq)).toEqual([2, 1, 4, 3, 5]);
    expect(changes.map((c) => c.id)).toEqual([
      'truto:2',
      'truto:1',
      'truto:4',
      'truto:3',
      'truto:5',
    ]);
    expect(sub.stats).toMatchObject({ events: 5, reordered: 2, delivered: 5 });
  });

  it('is deterministic per seed: the same events get the same duplicates and order', async () => {
    const { changes, endpoint } = await trutoEndpoint();
    const faults = { duplicateRate: 0.5, reorderRate: 0.5, seed: 7 };
    const subscribe = () =>
      sb.webhooks.subscribe({
        provider: 'truto',
        url: endpoint.url,
        secret: SECRET,
        timeScale: FAST,
        faults,
      });
    const [a, b] = await Promise.all([subscribe(), subscribe()]);
    emitDeletes(12);
    await Promise.all([a.idle(), b.idle()]);
    const shape = (s: WebhookSubscription) => s.log().map((e) => [e.seq, e.duplicate]);
    expect(shape(a)).toEqual(shape(b));
    const seqs = a.log().map((e) => e.seq);
    expect(seqs).not.toEqual([...seqs].sort((x, y) => x - y));
    expect(a.stats.duplicated).toBeGreaterThan(0);
    expect(a.stats.reordered).toBeGreaterThan(0);
    // Every event reached the receiver once per subscription, whatever the faults did.
    expect(changes).toHaveLength(24);
    expect(new Set(changes.map((c) => c.eventId)).size).toBe(24);
  });
});

describe('sandbox.webhooks: secrets', () => {
  it('signs with the given secret, or makes one per subscription in the vendor form', async () => {
    const { endpoint } = await trutoEndpoint();
    const given = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      secret: SECRET,
    });
    const made = { provider: 'truto', url: endpoint.url, timeScale: FAST } as const;
    const madeA = await sb.webhooks.subscribe(made);
    const madeB = await sb.webhooks.subscribe(made);
    expect(given.secret).toBe(SECRET);
    expect(madeA.secret).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(madeB.secret).not.toBe(madeA.secret);
    emitDeletes(1);
    await Promise.all([given.idle(), madeA.idle(), madeB.idle()]);
    // The endpoint verifies with SECRET only: the made secrets' events are refused (401), and
    // Truto retries 4xx too.
    expect(given.stats).toMatchObject({ attempts: 1, delivered: 1 });
    for (const sub of [madeA, madeB]) {
      expect(sub.stats).toMatchObject({ attempts: 4, delivered: 0, failed: 1 });
      expect(sub.log().map((e) => e.status)).toEqual([401, 401, 401, 401]);
    }
  });

  it("hands a made secret to onSecret before the handshake, so Zoom's challenge verifies", async () => {
    const zoom = createZoomContactCenterAdapter(sb.adapterOptions.zoom);
    endpoint = await startEndpoint();
    const target = endpoint;
    const seen: string[] = [];
    const sub = await sb.webhooks.subscribe({
      provider: 'zoom',
      url: target.url,
      onSecret: (secret) => {
        seen.push(secret);
        target.receiver = createWebhookReceiver({
          sources: [zoom.webhooks({ secretToken: secret })],
          onChange: () => {},
        });
      },
    });
    expect(seen).toEqual([sub.secret]);
    expect(sub.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(target.requests.map((r) => r.status)).toEqual([200]);
  });
});

describe('sandbox.webhooks: options', () => {
  it.each([
    ['provider', { provider: 'hubspot' }],
    ['url', { url: 'not a url' }],
    ['url', { url: 'ftp://127.0.0.1/hooks' }],
    ['secret', { secret: ' ' }],
    ['onSecret', { onSecret: 'log' }],
    ['retryDelaysMs[1]', { retryDelaysMs: [10, -1] }],
    ['timeScale', { timeScale: Number.NaN }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['faults.duplicateRate', { faults: { duplicateRate: 2 } }],
    ['faults.seed', { faults: { seed: 1.5 } }],
    ['maxQueue', { maxQueue: 0 }],
    ['concurrency', { concurrency: 100 }],
  ])('refuses a bad %s before sending anything', async (field, bad) => {
    endpoint = await startEndpoint();
    const error = await sb.webhooks
      .subscribe({ provider: 'zoom', url: endpoint.url, ...(bad as object) } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxWebhookError);
    expect(error).toMatchObject({ reason: 'invalid-input', field });
    expect((error as Error).message).toContain(field);
    expect(endpoint.requests).toHaveLength(0);
    expect(sb.webhooks.subscriptions).toHaveLength(0);
  });
});

describe('sandbox.webhooks: bounds and close()', () => {
  it('holds at most maxQueue deliveries for a dead endpoint, and close() aborts the one in flight', async () => {
    endpoint = await startEndpoint();
    endpoint.hang = true;
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      maxQueue: 3,
      timeoutMs: 600_000,
    });
    emitDeletes(10);
    await endpoint.received(1);
    expect(sub.stats).toMatchObject({ events: 10, pending: 3, inFlight: 1, dropped: 7 });
    expect(sub.log().filter((e) => e.outcome === 'dropped')).toHaveLength(7);

    await sub.close();
    expect(sub.stats).toMatchObject({ pending: 0, inFlight: 0, timers: 0 });
    await vi.waitFor(() => expect(endpoint?.abandoned).toBe(1));
    expect(endpoint.requests).toHaveLength(1);
    expect(sb.webhooks.subscriptions).toHaveLength(0);
  });

  it('keeps up to `concurrency` attempts in flight', async () => {
    endpoint = await startEndpoint();
    endpoint.hang = true;
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      concurrency: 3,
      timeoutMs: 600_000,
    });
    emitDeletes(5);
    await endpoint.received(3);
    expect(sub.stats).toMatchObject({ pending: 5, inFlight: 3, attempts: 3 });
    await sub.close();
    await vi.waitFor(() => expect(endpoint?.abandoned).toBe(3));
  });

  it('counts an attempt that gets no answer within timeoutMs as failed', async () => {
    endpoint = await startEndpoint();
    endpoint.hang = true;
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      timeoutMs: 20,
      retryDelaysMs: [],
    });
    emitDeletes(1);
    await sub.idle();
    expect(sub.stats).toMatchObject({ attempts: 1, failed: 1, pending: 0 });
    expect(sub.log()[0]?.error).toBe('no answer within 20 ms');
  });

  it('close() stops pending retry timers (none left running)', async () => {
    const { endpoint } = await trutoEndpoint();
    endpoint.failNext(10);
    // Real Truto delays: the first retry waits 2.5 s.
    const sub = await sb.webhooks.subscribe({
      provider: 'truto',
      url: endpoint.url,
      secret: SECRET,
    });
    emitDeletes(2);
    await vi.waitFor(() => expect(sub.stats.timers).toBe(2));
    // Counted just before close(), not at the test's start: other tests' timers (sockets, agents)
    // may end at any time in between, which made a count taken earlier drop below ours under load.
    const withOurs = timeouts();
    expect(withOurs).toBeGreaterThanOrEqual(2);
    await sub.close();
    expect(sub.stats).toMatchObject({ pending: 0, inFlight: 0, timers: 0, retries: 2 });
    // Other timers of the process may have ended meanwhile; ours must all be gone.
    expect(timeouts()).toBeLessThanOrEqual(withOurs - 2);
    await sub.idle();
    emitDeletes(1);
    expect(sub.stats.events).toBe(2);
  });

  it('sandbox.close() closes every subscription and refuses new ones', async () => {
    const own = await startSandbox({ count: 1 });
    endpoint = await startEndpoint();
    endpoint.failNext(10);
    const sub = await own.webhooks.subscribe({ provider: 'truto', url: endpoint.url });
    own.webhooks.emit({
      vendor: 'truto',
      object: 'engagement',
      action: 'deleted',
      record: { id: '1' },
    });
    await vi.waitFor(() => expect(sub.stats.timers).toBe(1));
    await own.close();
    expect(sub.closed).toBe(true);
    expect(sub.stats.timers).toBe(0);
    await expect(
      own.webhooks.subscribe({ provider: 'truto', url: endpoint.url }),
    ).rejects.toMatchObject({ reason: 'closed' });
  });
});

describe('sandbox.webhooks: before the handshake passed', () => {
  it('sends no event to a URL whose handshake is still running', async () => {
    const zoom = createZoomContactCenterAdapter(sb.adapterOptions.zoom);
    endpoint = await startEndpoint();
    const target = endpoint;
    const sub = await sb.webhooks.subscribe({
      provider: 'zoom',
      url: target.url,
      onSecret: (secret) => {
        sb.webhooks.emit({
          vendor: 'zoom',
          object: 'engagement',
          action: 'created',
          record: { engagement_id: 'early', start_time: 0 },
        });
        target.receiver = createWebhookReceiver({
          sources: [zoom.webhooks({ secretToken: secret })],
          onChange: () => {},
        });
      },
    });
    await sub.idle();
    expect(sub.stats).toMatchObject({ events: 0, attempts: 0 });
    expect(target.requests.map((r) => JSON.parse(r.body).event)).toEqual([
      'endpoint.url_validation',
    ]);
  });
});

describe('sandbox.webhooks: the admin API (/__admin/webhooks)', () => {
  const admin = async (method: string, path = '', body?: unknown) => {
    const res = await fetch(`${sb.origin}/__admin/webhooks${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('subscribes, lists without secrets, shows the log and closes', async () => {
    const { changes, endpoint } = await trutoEndpoint();
    const made = await admin('POST', '', { provider: 'truto', url: endpoint.url, secret: SECRET });
    expect(made).toEqual({
      status: 201,
      body: { id: expect.any(String), provider: 'truto', url: endpoint.url, secret: SECRET },
    });
    const id = String(made.body.id);
    const created = await truto().engagements.create({ kind: 'email', subject: 'via admin' });
    await sb.webhooks.subscriptions[0]?.idle();
    expect(changes.map((c) => c.id)).toEqual([created.id]);

    const listed = await admin('GET');
    expect(listed.body).toEqual([
      {
        id,
        provider: 'truto',
        url: endpoint.url,
        stats: expect.objectContaining({ events: 1, delivered: 1 }),
      },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    const log = await admin('GET', `/${id}/log`);
    expect(log.body).toEqual([expect.objectContaining({ outcome: 'delivered', status: 200 })]);
    expect(await admin('DELETE', `/${id}`)).toEqual({ status: 200, body: { id, closed: true } });
    expect(sb.webhooks.subscriptions).toHaveLength(0);
    expect((await admin('DELETE', `/${id}`)).status).toBe(404);
  });

  it('answers a bad option 400 naming it, and a failed handshake 502', async () => {
    endpoint = await startEndpoint();
    const bad = await admin('POST', '', { provider: 'hubspot', url: endpoint.url });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid-input', field: 'provider' } });
    endpoint.failNext(1, 404);
    const refused = await admin('POST', '', { provider: 'devrev', url: endpoint.url });
    expect(refused).toMatchObject({ status: 502, body: { error: 'handshake-failed' } });
    expect(String(refused.body.message)).toContain('answered 404');
  });
});
