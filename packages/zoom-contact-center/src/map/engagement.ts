import {
  type Disposition,
  type Engagement,
  type Note,
  type Participant,
  type RelatedRecord,
  ResponseValidationError,
  toIsoUtc,
} from '@engagekit/core';
import { issuePath, toDurationSeconds } from '@engagekit/core/adapter';
import type { ZoomEngagement } from '../wire/engagement';
import { channelInfo } from './kind';

export const PROVIDER = 'zoom-contact-center';
/** Shorter names for the provider, accepted by the multi-provider client and the CLI. */
export const ZOOM_CONTACT_CENTER_ALIASES = ['zoom', 'zcc'] as const;

export interface MapOptions {
  /** Keep the vendor record on `raw`. @default true */
  includeRaw?: boolean | undefined;
  /** Zone for timestamps that carry no offset: the response's `timezone`. @default 'UTC' */
  timeZone?: string | undefined;
  /** Where the record sits in the response, for error paths (e.g. `engagements`; the index is appended). */
  path?: string | undefined;
  /** Names the payload in a `ResponseValidationError`. */
  what?: string | undefined;
}

/** What an absent list reads as: one shared empty array, not a new one per record. */
const NONE: readonly never[] = [];

const text = (v: string | null | undefined) => (v === null || v === undefined ? undefined : v);
/** Zoom leaves fields empty (`""`) as often as it omits them: both mean "not set". */
const present = (v: string | null | undefined): v is string =>
  v !== null && v !== undefined && v !== '';

/**
 * One Zoom Contact Center engagement (list item or get body) → `Engagement`. `occurredAt` is
 * `start_time`, else `end_time`; a record with neither breaks the schema engagekit needs and throws
 * `ResponseValidationError` (never silently dropped).
 *
 * Written as plain assignments, not object spreads or a compacting copy: it runs once per record
 * and the listing's cost is mostly here (see bench/README.md, "Normalisation cost").
 */
export function mapZoomEngagement(
  record: ZoomEngagement,
  options: MapOptions = {},
  index?: number,
): Engagement {
  const startTime = toIsoUtc(record.start_time, options);
  const endTime = toIsoUtc(record.end_time, options);
  const occurredAt = startTime ?? endTime;
  if (occurredAt === undefined) {
    const path = issuePath(options.path, index, 'start_time');
    throw new ResponseValidationError(
      [
        {
          path,
          rule: 'invalid_date',
          message: `engagement ${record.engagement_id} has no readable start_time or end_time (got ${JSON.stringify(record.start_time ?? null)})`,
        },
      ],
      { provider: PROVIDER, what: options.what ?? 'engagement' },
    );
  }
  const { kind, nativeType, channels } = channelInfo(record);

  const participants: Participant[] = [];
  for (const c of record.consumers ?? NONE) {
    const p: Participant = { role: 'consumer' };
    if (present(c.consumer_id)) p.id = c.consumer_id;
    if (present(c.consumer_display_name)) p.displayName = c.consumer_display_name;
    if (present(c.consumer_number)) p.phone = c.consumer_number;
    if (p.id || p.displayName || p.phone) participants.push(p);
  }
  for (const a of record.agents ?? NONE) {
    const p: Participant = { role: 'agent' };
    if (present(a.user_id)) p.id = a.user_id;
    if (present(a.display_name)) p.displayName = a.display_name;
    if (p.id || p.displayName) participants.push(p);
  }

  const related: RelatedRecord[] = [];
  for (const q of record.queues ?? NONE) {
    const id = q.cc_queue_id || q.queue_id;
    if (!id) continue;
    const r: RelatedRecord = { type: 'queue', id };
    if (present(q.queue_name)) r.name = q.queue_name;
    related.push(r);
  }
  for (const f of record.flows ?? NONE) {
    if (!f.flow_id) continue;
    const r: RelatedRecord = { type: 'flow', id: f.flow_id };
    if (present(f.flow_name)) r.name = f.flow_name;
    related.push(r);
  }

  const notes: Note[] = [];
  for (const n of record.notes ?? NONE) {
    const note: Note = {};
    if (present(n.note_id)) note.id = n.note_id;
    if (present(n.note)) note.text = n.note;
    if (present(n.user_id)) note.authorId = n.user_id;
    const updatedAt = toIsoUtc(n.last_modified_time, options);
    if (updatedAt !== undefined) note.updatedAt = updatedAt;
    notes.push(note);
  }
  const dispositions: Disposition[] = [];
  for (const d of record.dispositions ?? NONE) {
    const name = d.disposition_name || d.disposition_id;
    if (!name) continue;
    const disposition: Disposition = { name };
    if (present(d.disposition_id)) disposition.id = d.disposition_id;
    dispositions.push(disposition);
  }

  const customFields: Record<string, unknown> = {};
  let customCount = 0;
  customCount += setDefined(customFields, 'talk_duration', toDurationSeconds(record.talk_duration));
  customCount += setDefined(customFields, 'flow_duration', toDurationSeconds(record.flow_duration));
  customCount += setDefined(
    customFields,
    'waiting_duration',
    toDurationSeconds(record.waiting_duration),
  );
  customCount += setDefined(
    customFields,
    'handling_duration',
    toDurationSeconds(record.handling_duration),
  );
  customCount += setDefined(
    customFields,
    'wrap_up_duration',
    toDurationSeconds(record.wrap_up_duration),
  );
  customCount += setDefined(customFields, 'transfer_count', toCount(record.transfer_count));
  customCount += setDefined(customFields, 'voice_mail', toCount(record.voice_mail));
  customCount += setDefined(customFields, 'queue_wait_type', text(record.queue_wait_type));
  customCount += setDefined(customFields, 'transcript_url', text(record.transcript_url));
  customCount += setDefined(customFields, 'survey_id', text(record.survey_id));

  const engagement = new PlainEngagement(
    record.engagement_id,
    kind,
    occurredAt,
    participants,
    related,
    notes,
    dispositions,
  );
  if (present(nativeType)) engagement.nativeType = nativeType;
  if (channels.length) engagement.channels = channels;
  if (record.direction === 'inbound' || record.direction === 'outbound') {
    engagement.direction = record.direction;
  }
  if (startTime !== undefined) engagement.startTime = startTime;
  if (endTime !== undefined) engagement.endTime = endTime;
  const durationSeconds = toDurationSeconds(record.duration);
  if (durationSeconds !== undefined) engagement.durationSeconds = durationSeconds;
  if (customCount) engagement.customFields = customFields;
  if (options.includeRaw !== false) engagement.raw = record;
  return engagement;
}

/**
 * The required fields, set in the order a literal would. A constructor and not a literal: V8 then
 * reserves room inside the object for the optional fields set after it, where a literal's object
 * moves them to a separate store it grows field by field (about a fifth of the mapper's time).
 * Its prototype is `Object.prototype`, so what it builds is a plain object like a literal.
 */
const PlainEngagement = function (
  this: Engagement,
  remoteId: string,
  kind: Engagement['kind'],
  occurredAt: string,
  participants: Participant[],
  related: RelatedRecord[],
  notes: Note[],
  dispositions: Disposition[],
) {
  this.id = `${PROVIDER}:${remoteId}`;
  this.provider = PROVIDER;
  this.remoteId = remoteId;
  this.kind = kind;
  this.occurredAt = occurredAt;
  this.participants = participants;
  this.related = related;
  this.notes = notes;
  this.dispositions = dispositions;
  this.tags = [];
} as unknown as new (
  remoteId: string,
  kind: Engagement['kind'],
  occurredAt: string,
  participants: Participant[],
  related: RelatedRecord[],
  notes: Note[],
  dispositions: Disposition[],
) => Engagement;
PlainEngagement.prototype = Object.prototype;

/** Sets `key` unless `value` is `undefined` or `""`; 1 when it did. */
function setDefined(target: Record<string, unknown>, key: string, value: unknown): number {
  if (value === undefined || value === '') return 0;
  target[key] = value;
  return 1;
}

/** A count only when a number holds it exactly: a whole number from 0 to 2^53 - 1. */
function toCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
