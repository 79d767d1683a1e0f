import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { SandboxChange } from './hub';

/** The vendors whose webhooks the sandbox plays (the sandbox's vendor names). */
export type WebhookProvider = 'devrev' | 'zoom' | 'truto';

type Json = Record<string, unknown>;

/** A vendor event ready to send: its id, type and the exact bytes that get signed. */
export interface OutgoingEvent {
  id: string;
  type: string;
  body: string;
}

/** Who the events are from: fixed per subscription. */
export interface SchemeContext {
  webhookId: string;
  zoomAccountId: string;
  trutoAccountId: string;
}

/** A URL handshake: the request to send and how to judge the answer (an error text, or undefined). */
export interface Handshake {
  body: string;
  check(status: number, text: string): string | undefined;
}

/** One vendor's delivery rules: its events, how it signs, its handshake and retry schedule. */
export interface WebhookScheme {
  /** Delays before each retry after a failed attempt, in ms, from the vendor's documentation. */
  retryDelaysMs: readonly number[];
  /** How long an attempt may take before it counts as failed. */
  timeoutMs: number;
  newSecret(): string;
  /** The vendor's event for a change, or why the vendor sends none. */
  event(change: SandboxChange, ctx: SchemeContext, nowMs: number): OutgoingEvent | string;
  /** The headers of one attempt (Zoom signs the attempt's time, so each attempt signs afresh). */
  headers(body: string, secret: string, nowMs: number): Record<string, string>;
  /** The URL handshake performed before the subscription is active; none for Truto. */
  handshake?(secret: string, ctx: SchemeContext, nowMs: number): Handshake;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const hmac = (secret: string, data: string) => createHmac('sha256', secret).update(data);

function parseJson(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Json)
      : undefined;
  } catch {
    return undefined;
  }
}

/** An emulator time (epoch ms, or a vendor string) as Zoom writes times (UTC, whole seconds). */
function zoomTime(value: unknown): string | undefined {
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const first = (value: unknown): Json | undefined =>
  Array.isArray(value) && value[0] !== null && typeof value[0] === 'object'
    ? (value[0] as Json)
    : undefined;

const ZOOM_EVENT = 'contact_center.engagement_';

/** Zoom's lifecycle event for a change, when the records tell it. */
function zoomEventOf(change: SandboxChange): string | undefined {
  if (change.event !== undefined) return change.event;
  if (change.action === 'created') return `${ZOOM_EVENT}started`;
  if (change.action !== 'updated') return undefined;
  const before = change.previous ?? {};
  if (change.record.end_time !== undefined && before.end_time === undefined)
    return `${ZOOM_EVENT}ended`;
  const count = (r: Json) => (Array.isArray(r.dispositions) ? r.dispositions.length : 0);
  if (count(change.record) > count(before)) return `${ZOOM_EVENT}disposition_added`;
  return undefined;
}

/** The event object Zoom sends: the engagement's id and the few fields the event concerns. */
function zoomObject(record: Json, event: string): Json {
  const channel = first(record.channels);
  const queue = first(record.queues);
  const flow = first(record.flows);
  const consumer = first(record.consumers);
  const agent = first(record.agents);
  const object: Json = {
    engagement_id: record.engagement_id,
    channel:
      channel?.channel ??
      (Array.isArray(record.channel_types) ? record.channel_types[0] : undefined),
    channel_source: channel?.channel_source,
    direction: record.direction,
    start_time: zoomTime(record.start_time),
    queue_id: queue?.cc_queue_id ?? queue?.queue_id,
    queue_name: queue?.queue_name,
    flow_id: flow?.flow_id,
    flow_name: flow?.flow_name,
    consumer_id: consumer?.consumer_id,
    consumer_number: consumer?.consumer_number,
    user_id: agent?.user_id,
    display_name: agent?.display_name,
  };
  if (event.endsWith('_ended')) object.end_time = zoomTime(record.end_time);
  const disposition = event.endsWith('disposition_added')
    ? Array.isArray(record.dispositions)
      ? (record.dispositions.at(-1) as Json)
      : undefined
    : undefined;
  if (disposition) {
    object.disposition_id = disposition.disposition_id;
    object.disposition_name = disposition.disposition_name;
  }
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

/**
 * Zoom (https://developers.zoom.us/docs/api/webhooks/): `x-zm-signature` = `v0=` + hex
 * HMAC-SHA256(secretToken, `v0:{x-zm-request-timestamp}:{body}`), the timestamp in seconds; the
 * `endpoint.url_validation` challenge is answered with `{ plainToken, encryptedToken }`, the
 * latter the hex HMAC-SHA256 of plainToken. A delivery succeeds on a 2xx within 3 seconds;
 * otherwise Zoom retries 3 times: 5 minutes after the first attempt, 20 minutes after the first
 * retry and 60 minutes after the second (https://developers.zoom.us/blog/webhook-delays).
 */
export const zoomScheme: WebhookScheme = {
  retryDelaysMs: [5 * 60_000, 20 * 60_000, 60 * 60_000],
  timeoutMs: 3_000,
  newSecret: () => randomBytes(16).toString('base64url'),
  event(change, ctx, nowMs) {
    if (change.object !== 'engagement') return `Zoom sends no ${change.object} events`;
    const type = zoomEventOf(change);
    if (type === undefined) return `Zoom has no event for an engagement ${change.action} this way`;
    const body = JSON.stringify({
      event: type,
      event_ts: nowMs,
      payload: { account_id: ctx.zoomAccountId, object: zoomObject(change.record, type) },
    });
    return { id: randomUUID(), type, body };
  },
  headers(body, secret, nowMs) {
    const ts = String(Math.floor(nowMs / 1000));
    return {
      'content-type': JSON_TYPE,
      'x-zm-request-timestamp': ts,
      'x-zm-signature': `v0=${hmac(secret, `v0:${ts}:${body}`).digest('hex')}`,
      'user-agent': 'Zoom Marketplace/1.0a',
    };
  },
  handshake(secret, _ctx, nowMs) {
    const plainToken = randomBytes(16).toString('base64url');
    const encryptedToken = hmac(secret, plainToken).digest('hex');
    return {
      body: JSON.stringify({
        payload: { plainToken },
        event_ts: nowMs,
        event: 'endpoint.url_validation',
      }),
      check(status, text) {
        if (status !== 200) return `answered ${status}, not 200`;
        const answer = parseJson(text);
        if (answer?.plainToken !== plainToken) return 'answered without the plainToken';
        if (answer.encryptedToken !== encryptedToken)
          return 'answered an encryptedToken that is not the HMAC of the plainToken';
        return undefined;
      },
    };
  },
};

/** DevRev's event data for a conversation change (the webhook event's `<type>` field). */
function devrevData(change: SandboxChange): Json {
  if (change.action === 'created') return { conversation: change.record };
  if (change.action === 'updated')
    return { conversation: change.record, old_conversation: change.previous ?? {} };
  return { id: change.record.id, old_conversation: change.record };
}

/**
 * DevRev (https://developer.devrev.ai/public/guides/webhooks): `X-DevRev-Signature` = HMAC-SHA256
 * of the body with the webhook's secret (sent base64 here; receivers accept hex too), one body
 * schema `{ id, webhook_id, timestamp, type, <type>: data }`, and a `verify` event whose
 * `challenge` the endpoint echoes before the webhook goes active. DevRev's event list
 * (https://developer.devrev.ai/public/api-reference/webhooks/event) has conversation_created |
 * updated | deleted but no engagement events, so engagement writes send nothing. DevRev's guide
 * gives no retry schedule: the sandbox assumes 3 retries backing off 30 s, 2 min, 8 min.
 */
export const devrevScheme: WebhookScheme = {
  retryDelaysMs: [30_000, 120_000, 480_000],
  timeoutMs: 10_000,
  newSecret: () => randomBytes(24).toString('base64url'),
  event(change, ctx, nowMs) {
    if (change.object !== 'conversation') return 'DevRev has no engagement webhook events';
    const type = `conversation_${change.action}`;
    const id = `${ctx.webhookId}:event/${randomBytes(8).toString('hex')}`;
    const body = JSON.stringify({
      id,
      webhook_id: ctx.webhookId,
      timestamp: new Date(nowMs).toISOString(),
      type,
      [type]: devrevData(change),
    });
    return { id, type, body };
  },
  headers(body, secret) {
    return {
      'content-type': JSON_TYPE,
      'x-devrev-signature': hmac(secret, body).digest('base64'),
    };
  },
  handshake(_secret, ctx, nowMs) {
    const challenge = randomBytes(24).toString('base64url');
    return {
      body: JSON.stringify({
        id: `${ctx.webhookId}:event/verify-${randomBytes(4).toString('hex')}`,
        webhook_id: ctx.webhookId,
        timestamp: new Date(nowMs).toISOString(),
        type: 'verify',
        verify: { challenge, expires_at: new Date(nowMs + 3_600_000).toISOString() },
      }),
      check(status, text) {
        if (status !== 200) return `answered ${status}, not 200`;
        if (parseJson(text)?.challenge !== challenge) return 'did not echo the challenge';
        return undefined;
      },
    };
  },
};

const TRUTO_METHOD = { created: 'create', updated: 'update', deleted: 'delete' } as const;

/**
 * Truto (https://www.truto.one/docs/guides/webhooks/overview): `X-Truto-Signature` =
 * `format=sha256,v=<hex HMAC-SHA256 of the body>` with the webhook's secret (a UUID); bodies
 * `{ id, event, payload, environment_id, created_at, webhook_id }` with `record:created | updated
 * | deleted` events. Truto documents no URL handshake. On 4xx/5xx it retries 3 times with
 * exponential backoff of at most 10 seconds.
 */
export const trutoScheme: WebhookScheme = {
  retryDelaysMs: [2_500, 5_000, 10_000],
  timeoutMs: 10_000,
  newSecret: () => randomUUID(),
  event(change, ctx, nowMs) {
    if (change.object !== 'engagement') return `Truto sends no ${change.object} events`;
    const type = `record:${change.action}`;
    const payload: Json = {
      resource: 'crm/engagements',
      unified_model: 'crm',
      method: TRUTO_METHOD[change.action],
      integrated_account_id: ctx.trutoAccountId,
      id: change.record.id,
    };
    if (change.action !== 'deleted') payload.record = change.record;
    const id = randomUUID();
    const body = JSON.stringify({
      id,
      event: type,
      payload,
      environment_id: 'ac15abdc-b38e-47d0-97a2-69194017c177',
      webhook_id: ctx.webhookId,
      created_at: new Date(nowMs).toISOString(),
    });
    return { id, type, body };
  },
  headers(body, secret) {
    return {
      'content-type': JSON_TYPE,
      'x-truto-signature': `format=sha256,v=${hmac(secret, body).digest('hex')}`,
    };
  },
};

/** Each vendor's scheme. */
export const SCHEMES: Readonly<Record<WebhookProvider, WebhookScheme>> = {
  devrev: devrevScheme,
  zoom: zoomScheme,
  truto: trutoScheme,
};
