import {
  type Disposition,
  type Engagement,
  type Note,
  type Participant,
  type RelatedRecord,
  ResponseValidationError,
  toIsoUtc,
} from '@engagekit/core';
import { issuePath, plainEngagementConstructor, toDurationSeconds } from '@engagekit/core/adapter';
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
  const r = readFields(record);
  const startTime = toIsoUtc(r.start_time, options);
  const endTime = toIsoUtc(r.end_time, options);
  const occurredAt = startTime ?? endTime;
  if (occurredAt === undefined) {
    const path = issuePath(options.path, index, 'start_time');
    throw new ResponseValidationError(
      [
        {
          path,
          rule: 'invalid_date',
          message: `engagement ${r.engagement_id} has no readable start_time or end_time (got ${JSON.stringify(r.start_time ?? null)})`,
        },
      ],
      { provider: PROVIDER, what: options.what ?? 'engagement' },
    );
  }
  const { kind, nativeType, channels } = channelInfo(r);

  const participants: Participant[] = [];
  for (const c of r.consumers ?? NONE) {
    const p: Participant = { role: 'consumer' };
    if (present(c.consumer_id)) p.id = c.consumer_id;
    if (present(c.consumer_display_name)) p.displayName = c.consumer_display_name;
    if (present(c.consumer_number)) p.phone = c.consumer_number;
    if (p.id || p.displayName || p.phone) participants.push(p);
  }
  for (const a of r.agents ?? NONE) {
    const p: Participant = { role: 'agent' };
    if (present(a.user_id)) p.id = a.user_id;
    if (present(a.display_name)) p.displayName = a.display_name;
    if (p.id || p.displayName) participants.push(p);
  }

  const related: RelatedRecord[] = [];
  for (const q of r.queues ?? NONE) {
    const id = q.cc_queue_id || q.queue_id;
    if (!id) continue;
    const r: RelatedRecord = { type: 'queue', id };
    if (present(q.queue_name)) r.name = q.queue_name;
    related.push(r);
  }
  for (const f of r.flows ?? NONE) {
    if (!f.flow_id) continue;
    const r: RelatedRecord = { type: 'flow', id: f.flow_id };
    if (present(f.flow_name)) r.name = f.flow_name;
    related.push(r);
  }

  const notes: Note[] = [];
  for (const n of r.notes ?? NONE) {
    const note: Note = {};
    if (present(n.note_id)) note.id = n.note_id;
    if (present(n.note)) note.text = n.note;
    if (present(n.user_id)) note.authorId = n.user_id;
    const updatedAt = toIsoUtc(n.last_modified_time, options);
    if (updatedAt !== undefined) note.updatedAt = updatedAt;
    notes.push(note);
  }
  const dispositions: Disposition[] = [];
  for (const d of r.dispositions ?? NONE) {
    const name = d.disposition_name || d.disposition_id;
    if (!name) continue;
    const disposition: Disposition = { name };
    if (present(d.disposition_id)) disposition.id = d.disposition_id;
    dispositions.push(disposition);
  }

  // Named stores in a fixed order: the same few shapes each time, where keyed stores into a growing
  // object went through the megamorphic store path.
  const customFields: CustomFields = {};
  let customCount = 0;
  const talk = toDurationSeconds(r.talk_duration);
  if (talk !== undefined) {
    customFields.talk_duration = talk;
    customCount++;
  }
  const flow = toDurationSeconds(r.flow_duration);
  if (flow !== undefined) {
    customFields.flow_duration = flow;
    customCount++;
  }
  const waiting = toDurationSeconds(r.waiting_duration);
  if (waiting !== undefined) {
    customFields.waiting_duration = waiting;
    customCount++;
  }
  const handling = toDurationSeconds(r.handling_duration);
  if (handling !== undefined) {
    customFields.handling_duration = handling;
    customCount++;
  }
  const wrapUp = toDurationSeconds(r.wrap_up_duration);
  if (wrapUp !== undefined) {
    customFields.wrap_up_duration = wrapUp;
    customCount++;
  }
  const transfers = toCount(r.transfer_count);
  if (transfers !== undefined) {
    customFields.transfer_count = transfers;
    customCount++;
  }
  const voiceMail = toCount(r.voice_mail);
  if (voiceMail !== undefined) {
    customFields.voice_mail = voiceMail;
    customCount++;
  }
  if (present(r.queue_wait_type)) {
    customFields.queue_wait_type = r.queue_wait_type;
    customCount++;
  }
  if (present(r.transcript_url)) {
    customFields.transcript_url = r.transcript_url;
    customCount++;
  }
  if (present(r.survey_id)) {
    customFields.survey_id = r.survey_id;
    customCount++;
  }

  const engagement = new PlainEngagement(
    r.engagement_id,
    kind,
    occurredAt,
    participants,
    related,
    notes,
    dispositions,
  );
  if (present(nativeType)) engagement.nativeType = nativeType;
  if (channels.length) engagement.channels = channels;
  if (r.direction === 'inbound' || r.direction === 'outbound') {
    engagement.direction = r.direction;
  }
  if (startTime !== undefined) engagement.startTime = startTime;
  if (endTime !== undefined) engagement.endTime = endTime;
  const durationSeconds = toDurationSeconds(r.duration);
  if (durationSeconds !== undefined) engagement.durationSeconds = durationSeconds;
  if (customCount) engagement.customFields = customFields;
  if (options.includeRaw !== false) engagement.raw = record;
  return engagement;
}

/**
 * The record's fields the mapper reads, copied in one `for…in` pass. Zoom records come in many
 * shapes (49 among the sandbox's 5,000: each set of optional fields is one), so every named read
 * `record.x` would be megamorphic. `for…in` reads the keys from V8's enum cache and each value by
 * that key; the mapper then reads this one shape.
 */
class Fields {
  engagement_id = undefined as unknown as ZoomEngagement['engagement_id'];
  start_time: ZoomEngagement['start_time'] = undefined;
  end_time: ZoomEngagement['end_time'] = undefined;
  duration: ZoomEngagement['duration'] = undefined;
  direction: ZoomEngagement['direction'] = undefined;
  channel_types: ZoomEngagement['channel_types'] = undefined;
  channels: ZoomEngagement['channels'] = undefined;
  consumers: ZoomEngagement['consumers'] = undefined;
  flows: ZoomEngagement['flows'] = undefined;
  queues: ZoomEngagement['queues'] = undefined;
  agents: ZoomEngagement['agents'] = undefined;
  talk_duration: ZoomEngagement['talk_duration'] = undefined;
  flow_duration: ZoomEngagement['flow_duration'] = undefined;
  waiting_duration: ZoomEngagement['waiting_duration'] = undefined;
  handling_duration: ZoomEngagement['handling_duration'] = undefined;
  wrap_up_duration: ZoomEngagement['wrap_up_duration'] = undefined;
  transfer_count: ZoomEngagement['transfer_count'] = undefined;
  queue_wait_type: ZoomEngagement['queue_wait_type'] = undefined;
  voice_mail: ZoomEngagement['voice_mail'] = undefined;
  dispositions: ZoomEngagement['dispositions'] = undefined;
  notes: ZoomEngagement['notes'] = undefined;
  transcript_url: ZoomEngagement['transcript_url'] = undefined;
  survey_id: ZoomEngagement['survey_id'] = undefined;
}

/**
 * `record`'s fields as `Fields`. A record that is not a plain object (a class instance, whose
 * getters `for…in` would not see) is read field by field, as `record.x` always read it.
 */
function readFields(record: ZoomEngagement): Fields {
  const f = new Fields();
  const proto: unknown = Object.getPrototypeOf(record);
  if (proto !== Object.prototype && proto !== null) {
    // Cold: a record handed to the public mapper, not parsed JSON. Each field read by its name.
    const into = f as unknown as Record<string, unknown>;
    const from = record as unknown as Record<string, unknown>;
    for (const key of Object.keys(f)) into[key] = from[key];
    return f;
  }
  // The record passed the schema: each value has its field's type. Named stores into one shape.
  const values = record as Record<string, unknown>;
  for (const key in values) {
    switch (key) {
      case 'engagement_id':
        f.engagement_id = values[key] as Fields['engagement_id'];
        break;
      case 'start_time':
        f.start_time = values[key] as Fields['start_time'];
        break;
      case 'end_time':
        f.end_time = values[key] as Fields['end_time'];
        break;
      case 'duration':
        f.duration = values[key] as Fields['duration'];
        break;
      case 'direction':
        f.direction = values[key] as Fields['direction'];
        break;
      case 'channel_types':
        f.channel_types = values[key] as Fields['channel_types'];
        break;
      case 'channels':
        f.channels = values[key] as Fields['channels'];
        break;
      case 'consumers':
        f.consumers = values[key] as Fields['consumers'];
        break;
      case 'flows':
        f.flows = values[key] as Fields['flows'];
        break;
      case 'queues':
        f.queues = values[key] as Fields['queues'];
        break;
      case 'agents':
        f.agents = values[key] as Fields['agents'];
        break;
      case 'talk_duration':
        f.talk_duration = values[key] as Fields['talk_duration'];
        break;
      case 'flow_duration':
        f.flow_duration = values[key] as Fields['flow_duration'];
        break;
      case 'waiting_duration':
        f.waiting_duration = values[key] as Fields['waiting_duration'];
        break;
      case 'handling_duration':
        f.handling_duration = values[key] as Fields['handling_duration'];
        break;
      case 'wrap_up_duration':
        f.wrap_up_duration = values[key] as Fields['wrap_up_duration'];
        break;
      case 'transfer_count':
        f.transfer_count = values[key] as Fields['transfer_count'];
        break;
      case 'queue_wait_type':
        f.queue_wait_type = values[key] as Fields['queue_wait_type'];
        break;
      case 'voice_mail':
        f.voice_mail = values[key] as Fields['voice_mail'];
        break;
      case 'dispositions':
        f.dispositions = values[key] as Fields['dispositions'];
        break;
      case 'notes':
        f.notes = values[key] as Fields['notes'];
        break;
      case 'transcript_url':
        f.transcript_url = values[key] as Fields['transcript_url'];
        break;
      case 'survey_id':
        f.survey_id = values[key] as Fields['survey_id'];
        break;
    }
  }
  return f;
}

/** The Zoom fields `customFields` carries, in the order they are written. */
type CustomFields = {
  talk_duration?: number;
  flow_duration?: number;
  waiting_duration?: number;
  handling_duration?: number;
  wrap_up_duration?: number;
  transfer_count?: number;
  voice_mail?: number;
  queue_wait_type?: string;
  transcript_url?: string;
  survey_id?: string;
};

/** Builds each engagement: its required fields in one shape (see `plainEngagementConstructor`). */
const PlainEngagement = plainEngagementConstructor(PROVIDER);

/** A count only when a number holds it exactly: a whole number from 0 to 2^53 - 1. */
function toCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
