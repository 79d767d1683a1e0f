import type { Engagement } from '@engagekit/core';
import {
  type InvalidRecordAt,
  type QueryValue,
  type RequestOptions,
  readRecords,
  recordReader,
  type Transport,
} from '@engagekit/core/adapter';
import { PROVIDER } from './map/common';
import { mapConversation } from './map/conversation';
import { mapEngagement } from './map/engagement';
import { ConversationsListEnvelopeSchema, ConversationWireSchema } from './wire/conversation';
import {
  type DevRevEngagement,
  EngagementsListEnvelopeSchema,
  EngagementWireSchema,
} from './wire/engagement';

/** One vendor page of a DevRev listing, read record by record. */
export interface DevRevPage {
  /** The readable records, mapped, in vendor order. */
  items: Engagement[];
  /** The unreadable ones, at their index among `raw`. */
  invalid: InvalidRecordAt[];
  /** Every record of the page as DevRev sent it (readable or not). */
  raw: readonly unknown[];
  nextCursor: string | undefined;
  prevCursor: string | undefined;
}

/** The `id` (a DON) of a raw DevRev record, when it has one. */
export function devrevIdOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * `GET /engagements.list` with `query` (cursor and mode included): one unreadable record is
 * reported in `invalid`, not the whole page. `read` receives each readable wire record in order.
 */
export async function fetchEngagementsPage(
  transport: Transport,
  query: Record<string, QueryValue>,
  options: RequestOptions,
  includeRaw: boolean,
  read?: (record: DevRevEngagement) => void,
): Promise<DevRevPage> {
  const { data } = await transport.request({
    method: 'GET',
    path: '/engagements.list',
    query,
    schema: EngagementsListEnvelopeSchema,
    operation: 'engagements.list',
    options,
  });
  const mapOptions = { includeRaw, path: 'engagements' };
  const readRecord = recordReader(EngagementWireSchema, {
    provider: PROVIDER,
    what: 'engagements.list record',
    path: 'engagements',
  });
  const { items, invalid } = readRecords(data.engagements, {
    provider: PROVIDER,
    path: ['engagements'],
    read: (raw, i) => {
      const record = readRecord(raw, i);
      const engagement = mapEngagement(record, mapOptions, i);
      read?.(record);
      return engagement;
    },
    remoteIdOf: devrevIdOf,
  });
  return {
    items,
    invalid,
    raw: data.engagements,
    nextCursor: data.next_cursor ?? undefined,
    prevCursor: data.prev_cursor ?? undefined,
  };
}

/** `POST /conversations.list` with `body` (cursor and mode included), mapped to chats. */
export async function fetchConversationsPage(
  transport: Transport,
  body: Record<string, unknown>,
  options: RequestOptions,
  includeRaw: boolean,
): Promise<DevRevPage> {
  const { data } = await transport.request({
    method: 'POST',
    path: '/conversations.list',
    body,
    schema: ConversationsListEnvelopeSchema,
    operation: 'conversations.list',
    // A read sent as POST: safe to repeat.
    idempotent: true,
    options,
  });
  const mapOptions = { includeRaw, path: 'conversations' };
  const readRecord = recordReader(ConversationWireSchema, {
    provider: PROVIDER,
    what: 'conversations.list record',
    path: 'conversations',
  });
  const { items, invalid } = readRecords(data.conversations, {
    provider: PROVIDER,
    path: ['conversations'],
    read: (raw, i) => mapConversation(readRecord(raw, i), mapOptions, i),
    remoteIdOf: devrevIdOf,
  });
  return {
    items,
    invalid,
    raw: data.conversations,
    nextCursor: data.next_cursor ?? undefined,
    prevCursor: data.prev_cursor ?? undefined,
  };
}
