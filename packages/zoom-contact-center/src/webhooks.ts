import {
  type Engagement,
  type EngagementChange,
  NotFoundError,
  toIsoUtc,
  type VerifiedWebhookEvent,
  type WebhookSource,
  type WebhookVerification,
} from '@engagekit/core';
import {
  bodyDigestId,
  digestMatches,
  hmacSha256,
  requireWebhookSecret,
  type WebhookRefuse,
  webhookIsoTime,
  webhookJson,
  webhookRefusal,
} from '@engagekit/core/adapter';
import { PROVIDER } from './map/engagement';

/** Options of `zoom.webhooks()`. */
export interface ZoomWebhooksOptions {
  /** The Secret Token of the app's event subscription (Zoom Marketplace → Features → Access). */
  secretToken: string;
  /**
   * Fetch each changed engagement with the adapter's `engagements.get()`, so upserts carry the full
   * engagement; otherwise they are `partial: true` (Zoom's event objects hold only some fields).
   * @default false
   */
  hydrate?: boolean | undefined;
}

/** Fetches one engagement by remote id (the adapter's `engagements.get`). */
export type ZoomEngagementGetter = (
  remoteId: string,
  options: { signal?: AbortSignal | undefined },
) => Promise<Engagement>;

/**
 * Zoom Contact Center engagement events engagekit turns into upserts. Sources:
 * https://developers.zoom.us/changelog/contact-center/july-17-2023 (engagement_started),
 * https://developers.zoom.us/changelog/contact-center/zoom-contact-center-march-11-2024/
 * (consumer_notified/answered, user_answered/ended) and the `engagement_disposition_added` event
 * named in Zoom's Contact Center event list. Notes events were not found documented.
 */
export const ZOOM_ENGAGEMENT_EVENTS: readonly string[] = [
  'contact_center.engagement_started',
  'contact_center.engagement_ended',
  'contact_center.engagement_consumer_notified',
  'contact_center.engagement_consumer_answered',
  'contact_center.engagement_consumer_ended',
  'contact_center.engagement_user_answered',
  'contact_center.engagement_user_ended',
  'contact_center.engagement_disposition_added',
];
const MAPPED = new Set(ZOOM_ENGAGEMENT_EVENTS);

const SIGNATURE = 'x-zm-signature';
const TIMESTAMP = 'x-zm-request-timestamp';

interface ZoomEventBody {
  event?: unknown;
  event_ts?: unknown;
  payload?: { plainToken?: unknown; object?: { engagement_id?: unknown } | null } | null;
}

/**
 * The engagement from `get()`, or `undefined` when Zoom does not have it (yet): its reports lag
 * the live events, and a 404 retried by Zoom forever would help no one.
 */
async function hydrated(
  get: ZoomEngagementGetter,
  remoteId: string,
  signal: AbortSignal | undefined,
): Promise<Engagement | undefined> {
  try {
    return await get(remoteId, { signal });
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

const refuse: WebhookRefuse = webhookRefusal(PROVIDER);

/**
 * Zoom's webhook scheme (https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events):
 * `x-zm-signature` = `v0=` + hex HMAC-SHA256(secretToken, `v0:{x-zm-request-timestamp}:{body}`),
 * the timestamp in seconds; `endpoint.url_validation` is answered with
 * `{ plainToken, encryptedToken: hex HMAC-SHA256(secretToken, plainToken) }`
 * (https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint), only once the
 * request's own signature checked out. Zoom sends no event id: the body's SHA-256 is the id (a
 * retried delivery repeats the body).
 */
export function createZoomWebhookSource(
  options: ZoomWebhooksOptions,
  get?: ZoomEngagementGetter,
): WebhookSource {
  const secretToken = requireWebhookSecret(PROVIDER, 'secretToken', options?.secretToken);
  const hydrate = options.hydrate === true ? get : undefined;

  function verify(body: Uint8Array, headers: Headers): WebhookVerification {
    const signature = headers.get(SIGNATURE);
    const timestamp = headers.get(TIMESTAMP);
    if (signature === null || timestamp === null) {
      refuse('missing-signature', `Zoom webhooks carry ${SIGNATURE} and ${TIMESTAMP}.`);
    }
    const signed = signature.trim();
    const digest = signed.startsWith('v0=') ? signed.slice(3) : '';
    // One update for the prefix: the same bytes as `v0:`, timestamp, `:` fed one by one.
    const expected = hmacSha256(secretToken, `v0:${timestamp}:`, body);
    if (!digestMatches(expected, digest)) {
      refuse('bad-signature', `The ${SIGNATURE} does not match the body.`);
    }
    if (!/^\d{1,12}$/.test(timestamp.trim())) {
      refuse('malformed', `${TIMESTAMP} is not a time in seconds.`);
    }
    const parsed = webhookJson<ZoomEventBody>(body, refuse, 'Zoom') as ZoomEventBody;
    if (typeof parsed.event !== 'string')
      refuse('malformed', 'The Zoom webhook body has no event.');
    if (parsed.event === 'endpoint.url_validation') {
      const plainToken = parsed.payload?.plainToken;
      if (typeof plainToken !== 'string' || plainToken === '' || plainToken.length > 1024) {
        refuse('malformed', 'endpoint.url_validation carries no plainToken.');
      }
      const encryptedToken = hmacSha256(secretToken, plainToken).toString('hex');
      return { kind: 'handshake', status: 200, body: { plainToken, encryptedToken } };
    }
    return {
      kind: 'event',
      event: {
        id: bodyDigestId(body),
        type: parsed.event,
        timestampMs: Number(timestamp.trim()) * 1000,
        timestampSigned: true,
        payload: parsed,
      },
    };
  }

  async function toChanges(event: VerifiedWebhookEvent, signal?: AbortSignal) {
    const body = event.payload as ZoomEventBody;
    const remoteId = body.payload?.object?.engagement_id;
    if (!MAPPED.has(event.type) || typeof remoteId !== 'string' || remoteId === '') {
      return { changes: [], ignored: true };
    }
    const ts = body.event_ts;
    // Epoch ms (Zoom's unit) in Date's range skip toIsoUtc's checks; anything else is its to read.
    const eventTs =
      typeof ts !== 'number'
        ? undefined
        : ts >= 1e11 && ts <= 8.64e15
          ? webhookIsoTime(ts)
          : toIsoUtc(ts);
    const change: EngagementChange = {
      type: 'upsert',
      id: `${PROVIDER}:${remoteId}`,
      provider: PROVIDER,
      remoteId,
      changedAt: eventTs ?? webhookIsoTime(event.timestampMs ?? 0),
      source: 'webhook',
      eventId: event.id,
    };
    // Event objects hold a few fields of the engagement: upserting them as the engagement would
    // erase what a store already has, so without hydration the change says it is partial.
    const engagement = hydrate ? await hydrated(hydrate, remoteId, signal) : undefined;
    if (engagement) change.engagement = engagement;
    else change.partial = true;
    return { changes: [change], ignored: false };
  }

  return {
    provider: PROVIDER,
    recognises: (headers) => headers.has(SIGNATURE),
    verify,
    toChanges,
  };
}
