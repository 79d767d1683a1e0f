import {
  type Direction,
  type Engagement,
  type EngagementKind,
  type Note,
  type Participant,
  type RelatedRecord,
  ResponseValidationError,
  toDurationSeconds,
  toIsoUtc,
} from '@engagekit/core';
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

/**
 * Truto's unified `direction` is a free string whose values depend on the CRM (HubSpot `INCOMING`,
 * Close `outbound`, …): any casing and the usual synonyms are read; anything else is `undefined`.
 */
export function normalizeDirection(value: string | null | undefined): Direction | undefined {
  if (!value) return undefined;
  return DIRECTIONS[
    value
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, '')
  ];
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

/** A relation (object, bare id or array of them) as a list of `{ id, name? }`, without duplicates. */
function refs(...relations: (TrutoRelation | null | undefined)[]): { id: string; name?: string }[] {
  const out = new Map<string, { id: string; name?: string }>();
  for (const relation of relations) {
    if (relation === null || relation === undefined) continue;
    for (const ref of Array.isArray(relation) ? relation : [relation]) {
      const id = refId(ref);
      if (id === undefined || out.has(id)) continue;
      const name = refName(ref);
      out.set(id, name ? { id, name } : { id });
    }
  }
  return [...out.values()];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface MapOptions {
  /** Keep the whole unified record (including `remote_data`) on `raw`. @default true */
  includeRaw?: boolean;
  /** Where the record sits in the response, for error paths (e.g. `result.3`). */
  path?: string;
}

/**
 * A Truto unified engagement → `Engagement`. `occurredAt` is `start_time`, else `created_at`, else
 * `updated_at`; a record with none of them is a `ResponseValidationError`. See
 * docs/unified-model.truto.md for the whole table.
 */
export function mapTrutoEngagement(record: TrutoEngagement, options: MapOptions = {}): Engagement {
  const remoteId = String(record.id);
  const startTime = toIsoUtc(record.start_time);
  const createdAt = toIsoUtc(record.created_at);
  const updatedAt = toIsoUtc(record.updated_at);
  const occurredAt = startTime ?? createdAt ?? updatedAt;
  if (occurredAt === undefined) {
    const at = options.path ? `${options.path}.` : '';
    throw new ResponseValidationError(
      [
        {
          path: `${at}start_time`,
          rule: 'missing_timestamp',
          message: `engagement ${remoteId} has no readable start_time, created_at or updated_at`,
        },
      ],
      { provider: PROVIDER, what: 'engagement' },
    );
  }

  const owner = refId(record.owner);
  const contacts = refs(record.contacts, record.contact);
  const participants: Participant[] = [];
  if (owner !== undefined) {
    const name = refName(record.owner);
    participants.push({ id: owner, role: 'owner', ...(name ? { displayName: name } : {}) });
  }
  for (const c of contacts) {
    participants.push({ id: c.id, role: 'contact', ...(c.name ? { displayName: c.name } : {}) });
  }

  const related: RelatedRecord[] = [];
  const relate = (type: string, relation: TrutoRelation | null | undefined) => {
    for (const r of refs(relation)) related.push({ type, ...r });
  };
  relate('account', record.account);
  for (const c of contacts) related.push({ type: 'contact', ...c });
  relate('opportunity', record.opportunity);
  relate('lead', record.lead);
  relate('project', record.project);

  const notes: Note[] = refs(record.notes).map(({ id }) => ({ id }));
  if (record.internal_notes) notes.push({ text: record.internal_notes });

  const direction = normalizeDirection(record.direction);
  const customFields: Record<string, unknown> = isPlainObject(record.custom_fields)
    ? { ...record.custom_fields }
    : {};
  const phoneNumbers = (record.phone_numbers ?? []).filter((p) => p !== null);
  // The CRM's own custom fields win a name clash; both are on `raw` anyway.
  if (phoneNumbers.length > 0 && !('phoneNumbers' in customFields)) {
    customFields.phoneNumbers = phoneNumbers;
  }
  if (record.direction && !direction && !('nativeDirection' in customFields)) {
    customFields.nativeDirection = record.direction;
  }

  const endTime = toIsoUtc(record.end_time);
  const durationSeconds = toDurationSeconds(record.duration);
  const engagementType = record.engagement_type ?? undefined;
  return {
    id: `${PROVIDER}:${remoteId}`,
    provider: PROVIDER,
    remoteId,
    kind: toKind(engagementType),
    ...(engagementType ? { nativeType: engagementType } : {}),
    ...(direction ? { direction } : {}),
    ...(typeof record.subject === 'string' ? { subject: record.subject } : {}),
    ...(typeof record.content === 'string' ? { body: record.content } : {}),
    ...(typeof record.status === 'string' ? { status: record.status } : {}),
    occurredAt,
    ...(startTime ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    participants,
    related,
    notes,
    dispositions: [],
    tags: [],
    ...(createdAt ? { createdAt } : {}),
    ...(updatedAt ? { updatedAt } : {}),
    ...(Object.keys(customFields).length > 0 ? { customFields } : {}),
    ...(options.includeRaw === false ? {} : { raw: record }),
  };
}
