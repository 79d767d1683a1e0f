import {
  type Engagement,
  type Note,
  type Participant,
  type RelatedRecord,
  ResponseValidationError,
  toDurationSeconds,
  toIsoUtc,
} from '@engagekit/core';
import type { ZoomEngagement } from '../wire/engagement';
import { channelInfo } from './kind';

export const PROVIDER = 'zoom-contact-center';

export interface MapOptions {
  /** Keep the vendor record on `raw`. @default true */
  includeRaw?: boolean | undefined;
  /** Zone for timestamps that carry no offset: the response's `timezone`. @default 'UTC' */
  timeZone?: string | undefined;
  /** Where the record sits in the response, for error paths (e.g. `engagements.3`). */
  path?: string | undefined;
  /** Names the payload in a `ResponseValidationError`. */
  what?: string | undefined;
}

/** Copies an object without its `undefined`, `null` and empty-string values. */
function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  // for…in over a fresh literal: no entries array per call (this runs for every record).
  for (const k in value) {
    const v = value[k];
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  }
  return out as T;
}

const text = (v: string | null | undefined) => (v === null || v === undefined ? undefined : v);

/**
 * One Zoom Contact Center engagement (list item or get body) → `Engagement`. `occurredAt` is
 * `start_time`, else `end_time`; a record with neither breaks the schema engagekit needs and throws
 * `ResponseValidationError` (never silently dropped).
 */
export function mapZoomEngagement(record: ZoomEngagement, options: MapOptions = {}): Engagement {
  const timeZone = options.timeZone ?? 'UTC';
  const time = (v: string | null | undefined) => toIsoUtc(v, { timeZone });
  const startTime = time(record.start_time);
  const endTime = time(record.end_time);
  const occurredAt = startTime ?? endTime;
  if (occurredAt === undefined) {
    const path = [options.path, 'start_time'].filter(Boolean).join('.');
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
  for (const c of record.consumers ?? []) {
    const p = compact({
      id: text(c.consumer_id),
      role: 'consumer',
      displayName: text(c.consumer_display_name),
      phone: text(c.consumer_number),
    });
    if (p.id || p.displayName || p.phone) participants.push(p);
  }
  for (const a of record.agents ?? []) {
    const p = compact({ id: text(a.user_id), role: 'agent', displayName: text(a.display_name) });
    if (p.id || p.displayName) participants.push(p);
  }

  const related: RelatedRecord[] = [];
  for (const q of record.queues ?? []) {
    const id = q.cc_queue_id || q.queue_id;
    if (id) related.push(compact({ type: 'queue', id, name: text(q.queue_name) }));
  }
  for (const f of record.flows ?? []) {
    if (f.flow_id) related.push(compact({ type: 'flow', id: f.flow_id, name: text(f.flow_name) }));
  }

  const notes: Note[] = (record.notes ?? []).map((n) =>
    compact({
      id: text(n.note_id),
      text: text(n.note),
      authorId: text(n.user_id),
      updatedAt: time(n.last_modified_time),
    }),
  );
  const dispositions = (record.dispositions ?? []).flatMap((d) => {
    const name = d.disposition_name || d.disposition_id;
    return name ? [compact({ id: text(d.disposition_id), name })] : [];
  });

  const customFields = compact({
    talk_duration: toDurationSeconds(record.talk_duration),
    flow_duration: toDurationSeconds(record.flow_duration),
    waiting_duration: toDurationSeconds(record.waiting_duration),
    handling_duration: toDurationSeconds(record.handling_duration),
    wrap_up_duration: toDurationSeconds(record.wrap_up_duration),
    transfer_count: toCount(record.transfer_count),
    voice_mail: toCount(record.voice_mail),
    queue_wait_type: text(record.queue_wait_type),
    transcript_url: text(record.transcript_url),
    survey_id: text(record.survey_id),
  });

  const direction =
    record.direction === 'inbound' || record.direction === 'outbound'
      ? record.direction
      : undefined;

  return compact({
    id: `${PROVIDER}:${record.engagement_id}`,
    provider: PROVIDER,
    remoteId: record.engagement_id,
    kind,
    nativeType,
    channels: channels.length ? channels : undefined,
    direction,
    occurredAt,
    startTime,
    endTime,
    durationSeconds: toDurationSeconds(record.duration),
    participants,
    related,
    notes,
    dispositions,
    tags: [],
    customFields: Object.keys(customFields).length ? customFields : undefined,
    raw: options.includeRaw === false ? undefined : record,
  }) as Engagement;
}

function toCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}
