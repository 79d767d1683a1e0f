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
import { issuePath, plainEngagementConstructor, toDurationSeconds } from '@engagekit/core/adapter';
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

/**
 * The record's fields the mapper reads, copied in one `for…in` pass. Truto records come in many
 * shapes (each CRM and each set of optional fields is one: 188 among the sandbox's 5,000 records),
 * so every named read `record.x` would be megamorphic. `for…in` reads the keys from V8's enum cache
 * and each value by that key, and the mapper then reads this one shape.
 */
class Fields {
  id: TrutoEngagement['id'] | undefined = undefined;
  engagement_type: TrutoEngagement['engagement_type'] = undefined;
  start_time: TrutoEngagement['start_time'] = undefined;
  created_at: TrutoEngagement['created_at'] = undefined;
  updated_at: TrutoEngagement['updated_at'] = undefined;
  subject: TrutoEngagement['subject'] = undefined;
  content: TrutoEngagement['content'] = undefined;
  direction: TrutoEngagement['direction'] = undefined;
  status: TrutoEngagement['status'] = undefined;
  end_time: TrutoEngagement['end_time'] = undefined;
  duration: TrutoEngagement['duration'] = undefined;
  owner: TrutoEngagement['owner'] = undefined;
  account: TrutoEngagement['account'] = undefined;
  contact: TrutoEngagement['contact'] = undefined;
  contacts: TrutoEngagement['contacts'] = undefined;
  opportunity: TrutoEngagement['opportunity'] = undefined;
  lead: TrutoEngagement['lead'] = undefined;
  project: TrutoEngagement['project'] = undefined;
  notes: TrutoEngagement['notes'] = undefined;
  internal_notes: TrutoEngagement['internal_notes'] = undefined;
  phone_numbers: TrutoEngagement['phone_numbers'] = undefined;
  custom_fields: TrutoEngagement['custom_fields'] = undefined;
}

/** `record`'s fields as `Fields` (inherited enumerable ones too, as `record.x` would read them). */
function readFields(record: TrutoEngagement): Fields {
  const f = new Fields();
  // The record passed the schema: each value has its field's type. Named stores into one shape.
  const values = record as Record<string, unknown>;
  for (const key in values) {
    switch (key) {
      case 'remote_data':
        break;
      case 'id':
        f.id = values[key] as Fields['id'];
        break;
      case 'engagement_type':
        f.engagement_type = values[key] as Fields['engagement_type'];
        break;
      case 'start_time':
        f.start_time = values[key] as Fields['start_time'];
        break;
      case 'created_at':
        f.created_at = values[key] as Fields['created_at'];
        break;
      case 'updated_at':
        f.updated_at = values[key] as Fields['updated_at'];
        break;
      case 'subject':
        f.subject = values[key] as Fields['subject'];
        break;
      case 'content':
        f.content = values[key] as Fields['content'];
        break;
      case 'direction':
        f.direction = values[key] as Fields['direction'];
        break;
      case 'status':
        f.status = values[key] as Fields['status'];
        break;
      case 'end_time':
        f.end_time = values[key] as Fields['end_time'];
        break;
      case 'duration':
        f.duration = values[key] as Fields['duration'];
        break;
      case 'owner':
        f.owner = values[key] as Fields['owner'];
        break;
      case 'account':
        f.account = values[key] as Fields['account'];
        break;
      case 'contact':
        f.contact = values[key] as Fields['contact'];
        break;
      case 'contacts':
        f.contacts = values[key] as Fields['contacts'];
        break;
      case 'opportunity':
        f.opportunity = values[key] as Fields['opportunity'];
        break;
      case 'lead':
        f.lead = values[key] as Fields['lead'];
        break;
      case 'project':
        f.project = values[key] as Fields['project'];
        break;
      case 'notes':
        f.notes = values[key] as Fields['notes'];
        break;
      case 'internal_notes':
        f.internal_notes = values[key] as Fields['internal_notes'];
        break;
      case 'phone_numbers':
        f.phone_numbers = values[key] as Fields['phone_numbers'];
        break;
      case 'custom_fields':
        f.custom_fields = values[key] as Fields['custom_fields'];
        break;
    }
  }
  return f;
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
  const r = readFields(record);
  const remoteId = String(r.id);
  const startTime = toIsoUtc(r.start_time);
  const createdAt = toIsoUtc(r.created_at);
  const updatedAt = toIsoUtc(r.updated_at);
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

  const owner = refId(r.owner);
  const contacts = addRefs(addRefs([], r.contacts), r.contact);
  const participants: Participant[] = [];
  if (owner !== undefined) {
    const p: Participant = { id: owner, role: 'owner' };
    const name = refName(r.owner);
    if (name) p.displayName = name;
    participants.push(p);
  }
  const related: RelatedRecord[] = [];
  relate(related, 'account', r.account);
  for (const c of contacts) {
    participants.push(
      c.name ? { id: c.id, role: 'contact', displayName: c.name } : { id: c.id, role: 'contact' },
    );
  }
  relateRefs(related, 'contact', contacts);
  relate(related, 'opportunity', r.opportunity);
  relate(related, 'lead', r.lead);
  relate(related, 'project', r.project);

  const notes: Note[] = [];
  if (r.notes !== null && r.notes !== undefined) {
    for (const { id } of addRefs([], r.notes)) notes.push({ id });
  }
  if (r.internal_notes) notes.push({ text: r.internal_notes });

  // The direction's key is read once, for the direction and for `missed`.
  const key = r.direction ? knownDirectionKey(r.direction) : undefined;
  const missed = key === 'missed';
  const direction = key === undefined ? undefined : missed ? 'inbound' : DIRECTIONS[key];
  let customFields: Record<string, unknown> | undefined;
  if (isPlainObject(r.custom_fields) && hasKeys(r.custom_fields)) {
    customFields = { ...r.custom_fields };
  }
  const phones = r.phone_numbers;
  // The CRM's own custom fields win a name clash; both are on `raw` anyway.
  if (phones?.some((p) => p !== null) && !(customFields && 'phoneNumbers' in customFields)) {
    customFields ??= {};
    customFields.phoneNumbers = phones.filter((p) => p !== null);
  }
  // `missed` reads as inbound, so the original value is kept too.
  if (
    r.direction &&
    (!direction || missed) &&
    !(customFields && 'nativeDirection' in customFields)
  ) {
    customFields ??= {};
    customFields.nativeDirection = r.direction;
  }

  const engagementType = r.engagement_type ?? undefined;
  // Plain assignments, not conditional spreads: this runs once per record (bench/README.md).
  const engagement = new PlainEngagement(
    remoteId,
    toKind(engagementType),
    occurredAt,
    participants,
    related,
    notes,
    [],
  );
  if (engagementType) engagement.nativeType = engagementType;
  if (direction) engagement.direction = direction;
  if (typeof r.subject === 'string') engagement.subject = r.subject;
  if (typeof r.content === 'string') engagement.body = r.content;
  if (typeof r.status === 'string') engagement.status = r.status;
  else if (missed) engagement.status = 'missed';
  if (startTime) engagement.startTime = startTime;
  const endTime = toIsoUtc(r.end_time);
  if (endTime) engagement.endTime = endTime;
  const durationSeconds = durationSecondsOf(r.duration, options.durationUnit);
  if (durationSeconds !== undefined) engagement.durationSeconds = durationSeconds;
  if (createdAt) engagement.createdAt = createdAt;
  if (updatedAt) engagement.updatedAt = updatedAt;
  if (customFields) engagement.customFields = customFields;
  if (options.includeRaw !== false) engagement.raw = record;
  return engagement;
}

/** Builds each engagement: its required fields in one shape (see `plainEngagementConstructor`). */
const PlainEngagement = plainEngagementConstructor(PROVIDER);
