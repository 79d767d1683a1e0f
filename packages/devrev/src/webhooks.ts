import {
  type Engagement,
  type EngagementChange,
  type Note,
  type Participant,
  type RelatedRecord,
  type Tag,
  toIsoUtc,
  type VerifiedWebhookEvent,
  type WebhookSource,
  type WebhookVerification,
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
import { PROVIDER, participantOf, tagOf } from './map/common';
import { ConversationWireSchema, type DevRevConversation } from './wire/conversation';

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

const idOf = (value: unknown): string | undefined => {
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
};

/** `{ type, id, name? }`, the `name` left out when absent (as the mapper's `compact` does). */
function relatedRecord(type: string, id: string, name: string | null | undefined): RelatedRecord {
  const related: RelatedRecord = { type, id };
  if (name !== undefined && name !== null) related.name = name;
  return related;
}

/**
 * The engagement `mapConversation` makes of `record` with `includeRaw` (the same fields in the same
 * key order), built by assignment: a webhook maps one conversation per event, and the listing
 * mapper's spreads and compacting copies cost more than parsing the whole body did.
 * `undefined` when the conversation has no date (the mapper throws). test/webhooks.test.ts holds
 * it to `mapConversation`; a change there must be made here too.
 */
function conversationEngagement(record: DevRevConversation): Engagement | undefined {
  const createdAt = toIsoUtc(record.created_date);
  const updatedAt = toIsoUtc(record.modified_date);
  const occurredAt = createdAt ?? updatedAt;
  if (occurredAt === undefined) return undefined;

  const participants: Participant[] = [];
  for (const member of record.members) participants.push(participantOf(member, 'member'));
  for (const owner of record.owned_by ?? []) participants.push(participantOf(owner, 'owner'));
  if (record.created_by) participants.push(participantOf(record.created_by, 'creator'));

  const related: RelatedRecord[] = [];
  const relate = (r: RelatedRecord) => {
    for (const o of related) if (o.type === r.type && o.id === r.id) return;
    related.push(r);
  };
  const account = record.account;
  if (typeof account === 'string') relate({ type: 'account', id: account });
  else if (account) relate(relatedRecord('account', account.id, account.display_name));
  for (const c of record.channels ?? []) relate(relatedRecord('channel', c.id, c.display_id));
  const v2 = record.source_channel_v2;
  if (v2) relate(relatedRecord('channel', v2.id, v2.display_id));
  if (record.group) relate(relatedRecord('group', record.group.id, record.group.name));

  const notes: Note[] = [];
  for (const entry of record.messages ?? []) {
    if (typeof entry.body !== 'string') continue;
    const note: Note = { id: entry.id, text: entry.body };
    const author = entry.created_by?.id;
    if (author !== undefined && author !== null) note.authorId = author;
    const noteTime = toIsoUtc(entry.modified_date) ?? toIsoUtc(entry.created_date);
    if (noteTime !== undefined) note.updatedAt = noteTime;
    notes.push(note);
  }

  const tags: Tag[] = [];
  for (const tag of record.tags ?? []) tags.push(tagOf(tag));

  // Assigned in mapConversation's key order, optional keys only when set.
  const e = {
    id: `${PROVIDER}:${record.id}`,
    provider: PROVIDER,
    remoteId: record.id,
  } as Engagement;
  if (record.display_id !== undefined && record.display_id !== null)
    e.displayId = record.display_id;
  e.kind = 'chat';
  e.nativeType = record.subtype ?? 'conversation';
  if (record.source_channel) e.channels = [record.source_channel];
  if (record.title !== undefined && record.title !== null) e.subject = record.title;
  if (record.description !== undefined && record.description !== null) {
    e.body = record.description;
  }
  const status = record.stage?.name;
  if (status !== undefined && status !== null) e.status = status;
  e.occurredAt = occurredAt;
  if (createdAt !== undefined) e.startTime = createdAt;
  const endTime = toIsoUtc(record.actual_close_date);
  if (endTime !== undefined) e.endTime = endTime;
  e.participants = participants;
  e.related = related;
  e.notes = notes;
  e.dispositions = [];
  e.tags = tags;
  if (createdAt !== undefined) e.createdAt = createdAt;
  if (updatedAt !== undefined) e.updatedAt = updatedAt;
  if (record.custom_fields !== undefined && record.custom_fields !== null) {
    e.customFields = record.custom_fields;
  }
  e.raw = record;
  return e;
}

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
        change.engagement = conversationEngagement(record);
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
