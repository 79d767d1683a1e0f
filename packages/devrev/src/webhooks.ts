import type {
  EngagementChange,
  VerifiedWebhookEvent,
  WebhookSource,
  WebhookVerification,
} from '@engagekit/core';
import {
  digestMatches,
  hmacSha256,
  parseResponse,
  requireWebhookSecret,
  type WebhookRefuse,
  webhookIsoTime,
  webhookJson,
  webhookRefusal,
  webhookTimeMs,
} from '@engagekit/core/adapter';
import { PROVIDER } from './map/common';
import { mapConversation } from './map/conversation';
import { ConversationWireSchema } from './wire/conversation';

/**
 * Options of `devrev.webhooks()`. DevRev's conversation events carry the whole conversation, so
 * there is nothing partial to hydrate (and DevRev has no engagement events: see
 * `DEVREV_WEBHOOK_EVENTS`).
 */
export interface DevRevWebhooksOptions {
  /** The `secret` DevRev returned when the webhook was created (`webhooks.create`). */
  secret: string;
}

/**
 * The DevRev event types engagekit maps. DevRev's webhook event list
 * (https://developer.devrev.ai/public/api-reference/webhooks/event) has `conversation_created |
 * updated | deleted` but no `engagement_*` type: engagement changes cannot be received by webhook,
 * only read from the change feed.
 */
export const DEVREV_WEBHOOK_EVENTS: readonly string[] = [
  'conversation_created',
  'conversation_updated',
  'conversation_deleted',
];

const SIGNATURE = 'x-devrev-signature';
const MAX_CHALLENGE_LENGTH = 1024;
const ENCODINGS: readonly ('hex' | 'base64')[] = ['hex', 'base64'];

interface DevRevEventBody {
  id?: unknown;
  type?: unknown;
  timestamp?: unknown;
  verify?: { challenge?: unknown } | null;
  [type: string]: unknown;
}

const refuse: WebhookRefuse = webhookRefusal(PROVIDER);
const WEBHOOK_MAP_OPTIONS = { includeRaw: true } as const;

const idOf = (value: unknown): string | undefined => {
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
};

/** parseResponse's options per mapped event type, built once (they only name a failure). */
const PARSE_OPTIONS = new Map(
  DEVREV_WEBHOOK_EVENTS.map((type) => [
    type,
    { provider: PROVIDER, what: `${type} conversation`, prefix: `${type}.conversation` },
  ]),
);

/**
 * DevRev's webhook scheme (https://developer.devrev.ai/public/guides/webhooks):
 * `X-DevRev-Signature` = HMAC-SHA256 of the raw body with the webhook's `secret`, accepted hex or
 * base64 encoded (DevRev's guide does not pin the encoding; published receivers use both). The
 * body's `id` is the event id and its `timestamp` the event time, signed since the whole body is.
 * The `verify` event is answered with `{ challenge }`, only once its signature checked out.
 */
export function createDevRevWebhookSource(options: DevRevWebhooksOptions): WebhookSource {
  const secret = requireWebhookSecret(PROVIDER, 'secret', options?.secret);

  function verify(body: Uint8Array, headers: Headers): WebhookVerification {
    const signature = headers.get(SIGNATURE);
    if (signature === null || signature.trim() === '') {
      refuse('missing-signature', 'DevRev webhooks carry X-DevRev-Signature.');
    }
    if (!digestMatches(hmacSha256(secret, body), signature, ENCODINGS)) {
      refuse('bad-signature', 'The X-DevRev-Signature does not match the body.');
    }
    const parsed = webhookJson<DevRevEventBody>(body, refuse, 'DevRev') as DevRevEventBody;
    if (typeof parsed.type !== 'string')
      refuse('malformed', 'The DevRev webhook body has no type.');
    if (parsed.type === 'verify') {
      const challenge = parsed.verify?.challenge;
      if (
        typeof challenge !== 'string' ||
        challenge === '' ||
        challenge.length > MAX_CHALLENGE_LENGTH
      ) {
        refuse('malformed', 'The DevRev verify event carries no challenge.');
      }
      return { kind: 'handshake', status: 200, body: { challenge } };
    }
    const id = idOf(parsed);
    if (id === undefined) refuse('malformed', 'The DevRev webhook body has no event id.');
    return {
      kind: 'event',
      event: {
        id,
        type: parsed.type,
        timestampMs: webhookTimeMs(parsed.timestamp),
        timestampSigned: true,
        payload: parsed,
      },
    };
  }

  async function toChanges(event: VerifiedWebhookEvent) {
    const parseOptions = PARSE_OPTIONS.get(event.type);
    if (parseOptions === undefined) return { changes: [], ignored: true };
    const body = event.payload as DevRevEventBody;
    const data = body[event.type] as
      | { id?: unknown; conversation?: unknown; old_conversation?: unknown }
      | undefined;
    const deleted = event.type === 'conversation_deleted';
    const remoteId = deleted
      ? (idOf(data) ?? idOf(data?.old_conversation))
      : idOf(data?.conversation);
    if (remoteId === undefined) return { changes: [], ignored: true };
    const change: EngagementChange = {
      type: deleted ? 'delete' : 'upsert',
      id: `${PROVIDER}:${remoteId}`,
      provider: PROVIDER,
      remoteId,
      changedAt: '',
      source: 'webhook',
      eventId: event.id,
    };
    if (!deleted) {
      try {
        const record = parseResponse(ConversationWireSchema, data?.conversation, parseOptions);
        change.engagement = mapConversation(record, WEBHOOK_MAP_OPTIONS);
      } catch {
        // A conversation engagekit cannot map still changed: the consumer learns which one.
      }
      if (change.engagement === undefined) change.partial = true;
    }
    change.changedAt =
      change.engagement?.updatedAt ?? webhookIsoTime(event.timestampMs ?? Date.now());
    return { changes: [change], ignored: false };
  }

  return {
    provider: PROVIDER,
    recognises: (headers) => headers.has(SIGNATURE),
    verify,
    toChanges,
  };
}
