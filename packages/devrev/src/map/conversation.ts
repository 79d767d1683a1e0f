import {
  type Engagement,
  type Note,
  type Participant,
  type RelatedRecord,
  type Tag,
  toIsoUtc,
} from '@engagekit/core';
import { issuePath } from '@engagekit/core/adapter';
import type { DevRevConversation } from '../wire/conversation';
import { PROVIDER, participantOf, tagOf } from './common';
import { type MapOptions, missingDate } from './engagement';

/** `{ type, id, name? }`, the `name` left out when absent. */
function relatedRecord(type: string, id: string, name: string | null | undefined): RelatedRecord {
  const related: RelatedRecord = { type, id };
  if (name !== undefined && name !== null) related.name = name;
  return related;
}

/**
 * One DevRev `conversation` as an `Engagement` of kind `'chat'`: members and owners are
 * participants, the latest messages (comments) are notes, `occurredAt` is when it was created,
 * the (beta) `account` is a related record of type `'account'`. Built by assignment, optional keys
 * only when set: webhooks map one conversation per event, where spreads and compacting copies cost
 * more than parsing the body.
 */
export function mapConversation(
  record: DevRevConversation,
  options: MapOptions,
  index?: number,
): Engagement {
  const createdAt = toIsoUtc(record.created_date);
  const updatedAt = toIsoUtc(record.modified_date);
  const occurredAt = createdAt ?? updatedAt ?? options.fallbackOccurredAt;
  if (occurredAt === undefined) missingDate(issuePath(options.path, index), 'conversation');

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

  // A timeline comment is a note; change events (no `body`) are not.
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
  if (record.description !== undefined && record.description !== null) e.body = record.description;
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
  if (options.includeRaw) e.raw = record;
  return e;
}
