import {
  type Engagement,
  type EngagementChange,
  NotFoundError,
  type VerifiedWebhookEvent,
  type WebhookSource,
  type WebhookVerification,
} from '@engagekit/core';
import {
  digestMatches,
  hmacSha256,
  requireWebhookSecret,
  type WebhookRefuse,
  webhookIsoTime,
  webhookJson,
  webhookRefusal,
  webhookTimeMs,
} from '@engagekit/core/adapter';
import { PROVIDER, type TrutoDurationUnit } from './map/engagement';
import { parseTrutoEngagement } from './parse';

/** Options of `truto.webhooks()`. */
export interface TrutoWebhooksOptions {
  /** The `secret` Truto returned when the webhook was created (`POST /webhook`). */
  secret: string;
  /**
   * Fetch each changed engagement with the adapter's `engagements.get()` when the event carries no
   * mappable record (events of the adapter's own integrated account only: another account's
   * record cannot be read with this adapter's); otherwise such upserts are `partial: true`.
   * @default false
   */
  hydrate?: boolean | undefined;
}

/** What hydration needs from the adapter. */
export interface TrutoWebhookHydration {
  get(remoteId: string, options: { signal?: AbortSignal | undefined }): Promise<Engagement>;
  integratedAccountId: string;
  durationUnit?: TrutoDurationUnit | undefined;
}

/** Truto's record events (https://truto.one/docs/guides/webhooks/list-webhook-events). */
export const TRUTO_RECORD_EVENTS: readonly string[] = [
  'record:created',
  'record:updated',
  'record:deleted',
];

const SIGNATURE = 'x-truto-signature';
const ENCODINGS: readonly ('hex' | 'base64')[] = ['hex', 'base64'];

interface TrutoEventBody {
  id?: unknown;
  event?: unknown;
  created_at?: unknown;
  payload?: TrutoRecordPayload | null;
}
interface TrutoRecordPayload {
  resource?: unknown;
  unified_model?: unknown;
  integrated_account_id?: unknown;
  id?: unknown;
  record_id?: unknown;
  record?: unknown;
}

const refuse: WebhookRefuse = webhookRefusal(PROVIDER);

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;

/** `format=sha256,v=<digest>` (or a bare digest) → the digest. */
function digestOf(header: string): string {
  // One pass over the comma-separated fields, no arrays or maps: this runs for every delivery.
  let format: string | undefined;
  let v: string | undefined;
  let parts = 0;
  for (let start = 0; start <= header.length; parts++) {
    let end = header.indexOf(',', start);
    if (end === -1) end = header.length;
    const part = header.slice(start, end).trim();
    const eq = part.indexOf('=');
    if (eq > 0) {
      const name = part.slice(0, eq).toLowerCase();
      if (name === 'format') format = part.slice(eq + 1);
      else if (name === 'v') v = part.slice(eq + 1);
    }
    start = end + 1;
  }
  if (format !== undefined && format.toLowerCase() !== 'sha256') return '';
  return v ?? (parts === 1 ? header.trim() : '');
}

/** Whether the record event is about the unified `crm/engagements` resource. */
function isEngagements(payload: TrutoRecordPayload): boolean {
  const resource = typeof payload.resource === 'string' ? payload.resource : '';
  if (resource === 'crm/engagements') return true;
  return payload.unified_model === 'crm' && resource === 'engagements';
}

/**
 * Truto's webhook scheme (https://www.truto.one/docs/guides/webhooks/overview, "SHA256
 * Signature"): `X-Truto-Signature` = `format=sha256,v=<digest>`, the digest an HMAC-SHA256 of the
 * raw body with the webhook's `secret`, accepted hex or base64 (Truto's pages and published
 * receivers show both). The body's `id` is the event id and `created_at` its time, signed since
 * the whole body is (zone-less times are UTC). Record events of `crm/engagements` become
 * upserts/deletes; the rest are ignored.
 */
export function createTrutoWebhookSource(
  options: TrutoWebhooksOptions,
  hydration?: TrutoWebhookHydration,
): WebhookSource {
  const secret = requireWebhookSecret(PROVIDER, 'secret', options?.secret);
  const hydrate = options.hydrate === true ? hydration : undefined;
  const parseOptions = { durationUnit: hydration?.durationUnit };

  function verify(body: Uint8Array, headers: Headers): WebhookVerification {
    const header = headers.get(SIGNATURE);
    if (header === null || header.trim() === '') {
      refuse('missing-signature', 'Truto webhooks carry X-Truto-Signature.');
    }
    if (!digestMatches(hmacSha256(secret, body), digestOf(header), ENCODINGS)) {
      refuse('bad-signature', 'The X-Truto-Signature does not match the body.');
    }
    const parsed = webhookJson<TrutoEventBody>(body, refuse, 'Truto') as TrutoEventBody;
    if (typeof parsed.event !== 'string')
      refuse('malformed', 'The Truto webhook body has no event.');
    const id = nonEmpty(parsed.id);
    if (id === undefined) refuse('malformed', 'The Truto webhook body has no event id.');
    return {
      kind: 'event',
      event: {
        id,
        type: parsed.event,
        timestampMs: webhookTimeMs(parsed.created_at),
        timestampSigned: true,
        payload: parsed,
      },
    };
  }

  async function toChanges(event: VerifiedWebhookEvent, signal?: AbortSignal) {
    const payload = (event.payload as TrutoEventBody).payload;
    if (!TRUTO_RECORD_EVENTS.includes(event.type) || !payload || !isEngagements(payload)) {
      return { changes: [], ignored: true };
    }
    const record = payload.record as { id?: unknown; updated_at?: unknown } | null | undefined;
    const remoteId = nonEmpty(record?.id) ?? nonEmpty(payload.id) ?? nonEmpty(payload.record_id);
    if (remoteId === undefined) return { changes: [], ignored: true };
    const change: EngagementChange = {
      type: event.type === 'record:deleted' ? 'delete' : 'upsert',
      id: `${PROVIDER}:${remoteId}`,
      provider: PROVIDER,
      remoteId,
      changedAt: '',
      source: 'webhook',
      eventId: event.id,
    };
    const eventTime = () => webhookIsoTime(event.timestampMs ?? Date.now());
    if (change.type === 'delete') {
      change.changedAt = eventTime();
      return { changes: [change], ignored: false };
    }
    if (record && typeof record === 'object') {
      try {
        change.engagement = parseTrutoEngagement(record, parseOptions);
        change.changedAt = change.engagement.updatedAt ?? eventTime();
        return { changes: [change], ignored: false };
      } catch {
        // Not a unified record engagekit can map: hydrate it, or say it is partial.
      }
    }
    const account = nonEmpty(payload.integrated_account_id);
    if (hydrate && (account === undefined || account === hydrate.integratedAccountId)) {
      try {
        change.engagement = await hydrate.get(remoteId, { signal });
      } catch (error) {
        // Gone by now: the change is still worth telling; Truto retrying a 404 would not help.
        if (!(error instanceof NotFoundError)) throw error;
        change.partial = true;
      }
    } else change.partial = true;
    change.changedAt = eventTime();
    return { changes: [change], ignored: false };
  }

  return {
    provider: PROVIDER,
    recognises: (headers) => headers.has(SIGNATURE),
    verify,
    toChanges,
  };
}
