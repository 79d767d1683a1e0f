import { type Engagement, type Note, toIsoUtc } from '@engagekit/core';
import { issuePath } from '@engagekit/core/adapter';
import type { DevRevConversation, DevRevTimelineEntry } from '../wire/conversation';
import { compact, PROVIDER, participantOf, tagOf } from './common';
import { type MapOptions, missingDate } from './engagement';

/** A timeline comment as a note; change events (no `body`) are not notes. */
function noteOf(entry: DevRevTimelineEntry): Note | undefined {
  if (typeof entry.body !== 'string') return undefined;
  return compact({
    id: entry.id,
    text: entry.body,
    authorId: entry.created_by?.id,
    updatedAt: toIsoUtc(entry.modified_date) ?? toIsoUtc(entry.created_date),
  });
}

/**
 * One DevRev `conversation` as an `Engagement` of kind `'chat'`: members and owners are
 * participants, the latest messages (comments) are notes, `occurredAt` is when it was created,
 * the (beta) `account` is a related record of type `'account'`.
 */
export function mapConversation(
  record: DevRevConversation,
  options: MapOptions,
  index?: number,
): Engagement {
  const occurredAt =
    toIsoUtc(record.created_date) ?? toIsoUtc(record.modified_date) ?? options.fallbackOccurredAt;
  if (occurredAt === undefined) missingDate(issuePath(options.path, index), 'conversation');
  const account =
    typeof record.account === 'string'
      ? { type: 'account', id: record.account }
      : record.account
        ? compact({
            type: 'account',
            id: record.account.id,
            name: record.account.display_name ?? undefined,
          })
        : undefined;
  const related = [
    ...(account ? [account] : []),
    ...(record.channels ?? []).map((c) =>
      compact({ type: 'channel', id: c.id, name: c.display_id ?? undefined }),
    ),
    ...(record.source_channel_v2
      ? [
          compact({
            type: 'channel',
            id: record.source_channel_v2.id,
            name: record.source_channel_v2.display_id ?? undefined,
          }),
        ]
      : []),
    ...(record.group
      ? [compact({ type: 'group', id: record.group.id, name: record.group.name ?? undefined })]
      : []),
  ].filter((r, i, all) => all.findIndex((o) => o.type === r.type && o.id === r.id) === i);
  return compact<Engagement>({
    id: `${PROVIDER}:${record.id}`,
    provider: PROVIDER,
    remoteId: record.id,
    displayId: record.display_id ?? undefined,
    kind: 'chat',
    nativeType: record.subtype ?? 'conversation',
    channels: record.source_channel ? [record.source_channel] : undefined,
    subject: record.title ?? undefined,
    body: record.description ?? undefined,
    status: record.stage?.name ?? undefined,
    occurredAt,
    startTime: toIsoUtc(record.created_date),
    endTime: toIsoUtc(record.actual_close_date),
    participants: [
      ...record.members.map((m) => participantOf(m, 'member')),
      ...(record.owned_by ?? []).map((o) => participantOf(o, 'owner')),
      ...(record.created_by ? [participantOf(record.created_by, 'creator')] : []),
    ],
    related,
    notes: (record.messages ?? []).map(noteOf).filter((n): n is Note => n !== undefined),
    dispositions: [],
    tags: (record.tags ?? []).map(tagOf),
    createdAt: toIsoUtc(record.created_date),
    updatedAt: toIsoUtc(record.modified_date),
    customFields: record.custom_fields ?? undefined,
    raw: options.includeRaw ? record : undefined,
  });
}
