import {
  type Direction,
  type Engagement,
  type EngagementKind,
  type Note,
  type Participant,
  type RelatedRecord,
  ResponseValidationError,
  toIsoUtc,
} from '@engagekit/core';
import { issuePath, toDurationSeconds } from '@engagekit/core/adapter';
import type { TrutoEngagement, TrutoRef, TrutoRelation } from '../wire/engagement';

export const PROVIDER = 'truto';

/** Truto `engagement_type` values with a unified kind of their own; anything else is `'other'`. */
const KINDS: ReadonlySet<EngagementKind> = new Set<EngagementKind>([
  'call',
  'email',
  'meeting',
  'chat',
  'note',
  'task',
]);

/** The kinds a Truto engagement can map to; `sms`, `video`, `social` and `survey` never occur. */
export const TRUTO_KINDS: readonly EngagementKind[] = [...KINDS, 'other'];

/** `engagement_type` (any casing) → kind; unknown and raw provider types → `'other'`. */
export function toKind(engagementType: string | null | undefined): EngagementKind {
  const value = engagementType?.trim().toLowerCase() as EngagementKind | undefined;
  return value && KINDS.has(value) ? value : 'other';
}

const DIRECTIONS: Record<string, Direction> = {
  inbound: 'inbound',
  incoming: 'inbound',
  in: 'inbound',
  received: 'inbound',
  outbound: 'outbound',
  outgoing: 'outbound',
  out: 'outbound',
  sent: 'outbound',
  internal: 'internal',
};

const directionKey = (value: string) =>
  value
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

/** `directionKey`, without building a string for a value that already is a key (`inbound`…). */
const knownDirectionKey = (value: string) =>
  value === 'missed' || Object.hasOwn(DIRECTIONS, value) ? value : directionKey(value);

/**
 * Truto's unified `direction` is a free string whose values depend on the CRM (HubSpot `INCOMING`,
 * Close `outbound`, …): any casing and the usual synonyms are read; `missed` (a missed call, one
 * of Truto's `inbound | outbound | missed`) is `'inbound'`; anything else is `undefined`.
 */
export function normalizeDirection(value: string | null | undefined): Direction | undefined {
  if (!value) return undefined;
  const key = directionKey(value);
  return key === 'missed' ? 'inbound' : DIRECTIONS[key];
}

/**
 * The unit of Truto's `duration`: Truto's schema says only "string", and the CRMs behind it
 * differ (HubSpot's `hs_call_duration` counts milliseconds, most others seconds).
 */
export type TrutoDurationUnit = 'seconds' | 'milliseconds';

const PLAIN_NUMBER = /^\d+(\.\d+)?$/;

/** `duration` in seconds; a bare number is read in `unit`, clock and ISO 8601 forms as they say. */
export function durationSecondsOf(
  value: string | number | null | undefined,
  unit: TrutoDurationUnit = 'seconds',
): number | undefined {
  const seconds = toDurationSeconds(value);
  if (seconds === undefined || unit === 'seconds') return seconds;
  const plain = typeof value === 'number' || PLAIN_NUMBER.test(String(value).trim());
  return plain ? seconds / 1000 : seconds;
}

function refId(ref: TrutoRef | null | undefined): string | undefined {
  if (ref === null || ref === undefined) return undefined;
  const id = typeof ref === 'object' ? ref.id : ref;
  if (id === null || id === undefined) return undefined;
  const text = String(id);
  return text === '' ? undefined : text;
}

function refName(ref: TrutoRef | null | undefined): string | undefined {
  return ref && typeof ref === 'object' && typeof ref.name === 'string' && ref.name !== ''
    ? ref.name
    : undefined;
}

type Ref = { id: string; name?: string };

/**
 * Appends a relation (object, bare id or array of them) to `out` as `{ id, name? }` entries,
 * skipping ids already in `out`. Relations hold a handful of entries: a linear scan beats a Map.
 */
function addRefs(out: Ref[], relation: TrutoRelation | null | undefined): Ref[] {
  if (relation === null || relation === undefined) return out;
  if (!Array.isArray(relation)) return addRef(out, relation);
  for (const ref of relation) addRef(out, ref);
  return out;
}

function addRef(out: Ref[], ref: TrutoRef | null | undefined): Ref[] {
  const id = refId(ref);
  if (id === undefined) return out;
  for (const r of out) if (r.id === id) return out;
  const name = refName(ref);
  out.push(name ? { id, name } : { id });
  return out;
}

/** Appends one relation's entries (ids de-duplicated) to `related` as `type`; nothing when absent. */
function relate(
  related: RelatedRecord[],
  type: string,
  relation: TrutoRelation | null | undefined,
): void {
  if (relation !== null && relation !== undefined) relateRefs(related, type, addRefs([], relation));
}

function relateRefs(related: RelatedRecord[], type: string, refs: Ref[]): void {
  for (const r of refs)
    related.push(r.name ? { type, id: r.id, name: r.name } : { type, id: r.id });
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface MapOptions {
  /** Keep the whole unified record (including `remote_data`) on `raw`. @default true */
  includeRaw?: boolean;
  /** Where the record sits in the response, for error paths (e.g. `result`; the index is appended). */
  path?: string;
  /** How a bare-number `duration` is read. @default 'seconds' */
  durationUnit?: TrutoDurationUnit;
}

/**
 * A Truto unified engagement → `Engagement`. `occurredAt` is `start_time`, else `created_at`, else
 * `updated_at`; a record with none of them is a `ResponseValidationError`. See
 * docs/unified-model.truto.md for the whole table.
 */
export function mapTrutoEngagement(
  record: TrutoEngagement,
  options: MapOptions = {},
  index?: number,
): Engagement {
  const remoteId = String(record.id);
  const startTime = toIsoUtc(record.start_time);
  const createdAt = toIsoUtc(record.created_at);
  const updatedAt = toIsoUtc(record.updated_at);
  const occurredAt = startTime ?? createdAt ?? updatedAt;
  if (occurredAt === undefined) {
    throw new ResponseValidationError(
      [
        {
          path: issuePath(options.path, index, 'start_time'),
          rule: 'missing_timestamp',
          message: `engagement ${remoteId} has no readable start_time, created_at or updated_at`,
        },
      ],
      { provider: PROVIDER, what: 'engagement' },
    );
  }

  const owner = refId(record.owner);
  const contacts = addRefs(addRefs([], record.contacts), record.contact);
  const participants: Participant[] = [];
  if (owner !== undefined) {
    const p: Participant = { id: owner, role: 'owner' };
    const name = refName(record.owner);
    if (name) p.displayName = name;
    participants.push(p);
  }
  const related: RelatedRecord[] = [];
  relate(related, 'account', record.account);
  for (const c of contacts) {
    participants.push(
      c.name ? { id: c.id, role: 'contact', displayName: c.name } : { id: c.id, role: 'contact' },
    );
  }
  relateRefs(related, 'contact', contacts);
  relate(related, 'opportunity', record.opportunity);
  relate(related, 'lead', record.lead);
  relate(related, 'project', record.project);

  const notes: Note[] = [];
  if (record.notes !== null && record.notes !== undefined) {
    for (const { id } of addRefs([], record.notes)) notes.push({ id });
  }
  if (record.internal_notes) notes.push({ text: record.internal_notes });

  // The direction's key is read once, for the direction and for `missed`.
  const key = record.direction ? knownDirectionKey(record.direction) : undefined;
  const missed = key === 'missed';
  const direction = key === undefined ? undefined : missed ? 'inbound' : DIRECTIONS[key];
  let customFields: Record<string, unknown> | undefined;
  if (isPlainObject(record.custom_fields) && hasKeys(record.custom_fields)) {
    customFields = { ...record.custom_fields };
  }
  const phones = record.phone_numbers;
  // The CRM's own custom fields win a name clash; both are on `raw` anyway.
  if (phones?.some((p) => p !== null) && !(customFields && 'phoneNumbers' in customFields)) {
    customFields ??= {};
    customFields.phoneNumbers = phones.filter((p) => p !== null);
  }
  // `missed` reads as inbound, so the original value is kept too.
  if (
    record.direction &&
    (!direction || missed) &&
    !(customFields && 'nativeDirection' in customFields)
  ) {
    customFields ??= {};
    customFields.nativeDirection = record.direction;
  }

  const engagementType = record.engagement_type ?? undefined;
  // Plain assignments, not conditional spreads: this runs once per record (bench/README.md).
  const engagement = new PlainEngagement(
    remoteId,
    toKind(engagementType),
    occurredAt,
    participants,
    related,
    notes,
  );
  if (engagementType) engagement.nativeType = engagementType;
  if (direction) engagement.direction = direction;
  if (typeof record.subject === 'string') engagement.subject = record.subject;
  if (typeof record.content === 'string') engagement.body = record.content;
  if (typeof record.status === 'string') engagement.status = record.status;
  else if (missed) engagement.status = 'missed';
  if (startTime) engagement.startTime = startTime;
  const endTime = toIsoUtc(record.end_time);
  if (endTime) engagement.endTime = endTime;
  const durationSeconds = durationSecondsOf(record.duration, options.durationUnit);
  if (durationSeconds !== undefined) engagement.durationSeconds = durationSeconds;
  if (createdAt) engagement.createdAt = createdAt;
  if (updatedAt) engagement.updatedAt = updatedAt;
  if (customFields) engagement.customFields = customFields;
  if (options.includeRaw !== false) engagement.raw = record;
  return engagement;
}

/**
 * The required fields, set in the order a literal would. A constructor and not a literal: V8 then
 * reserves room inside the object for the optional fields set after it, where a literal's object
 * moves them to a separate store it grows field by field. Its prototype is `Object.prototype`, so
 * what it builds is a plain object like a literal.
 */
const PlainEngagement = function (
  this: Engagement,
  remoteId: string,
  kind: EngagementKind,
  occurredAt: string,
  participants: Participant[],
  related: RelatedRecord[],
  notes: Note[],
) {
  this.id = `${PROVIDER}:${remoteId}`;
  this.provider = PROVIDER;
  this.remoteId = remoteId;
  this.kind = kind;
  this.occurredAt = occurredAt;
  this.participants = participants;
  this.related = related;
  this.notes = notes;
  this.dispositions = [];
  this.tags = [];
} as unknown as new (
  remoteId: string,
  kind: EngagementKind,
  occurredAt: string,
  participants: Participant[],
  related: RelatedRecord[],
  notes: Note[],
) => Engagement;
PlainEngagement.prototype = Object.prototype;
