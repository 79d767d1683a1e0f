import {
  type Engagement,
  type EngagementKind,
  ResponseValidationError,
  toIsoUtc,
} from '@engagekit/core';
import {
  DEVREV_ENGAGEMENT_TYPES,
  type DevRevCreateType,
  type DevRevEngagement,
  type DevRevEngagementType,
} from '../wire/engagement';
import { compact, PROVIDER, participantOf, relatedOf, tagOf } from './common';

/** DevRev `engagement_type` → unified kind. Values not listed (incl. `default`/`custom`) → `'other'`. */
export const KIND_BY_TYPE: Readonly<Record<DevRevEngagementType, EngagementKind>> = {
  call: 'call',
  email: 'email',
  linked_in: 'social',
  meeting: 'meeting',
  offline: 'meeting',
  conversation: 'chat',
  survey: 'survey',
  default: 'other',
  custom: 'other',
};

/** The unified kind of a DevRev `engagement_type` (missing or unknown → `'other'`). */
export function kindOf(type: string | null | undefined): EngagementKind {
  return (type && (KIND_BY_TYPE as Record<string, EngagementKind>)[type]) || 'other';
}

/** The DevRev types that map to `kind` (the reverse of `KIND_BY_TYPE`; empty when none does). */
export function typesOfKind(kind: EngagementKind): DevRevEngagementType[] {
  return DEVREV_ENGAGEMENT_TYPES.filter((t) => KIND_BY_TYPE[t] === kind);
}

/** Unified kind → the `engagement_type` `engagements.create` accepts (see the docs for `meeting`). */
export const CREATE_TYPE_BY_KIND: Readonly<Partial<Record<EngagementKind, DevRevCreateType>>> = {
  call: 'call',
  email: 'email',
  social: 'linked_in',
  // DevRev creates no `meeting` (calendar-synced) engagements; `offline` is the meeting type it
  // accepts, and it reads back as kind 'meeting'.
  meeting: 'offline',
  other: 'default',
};

/**
 * The time an engagement happened: `scheduled_date`, else `created_date`, else `modified_date`
 * (the spec makes all three optional). `undefined` when the record has none.
 */
export function occurredAtOf(record: {
  scheduled_date?: string | null;
  created_date?: string | null;
  modified_date?: string | null;
}): string | undefined {
  return (
    toIsoUtc(record.scheduled_date) ??
    toIsoUtc(record.created_date) ??
    toIsoUtc(record.modified_date)
  );
}

export interface MapOptions {
  includeRaw: boolean;
  /** Where the record sits in the response, for error paths (e.g. `engagements.3`). */
  path?: string | undefined;
  /** Used when the record carries no date at all (e.g. the `scheduled_date` a create just sent). */
  fallbackOccurredAt?: string | undefined;
}

/** Throws the error a record with no usable timestamp gets. */
export function missingDate(path: string | undefined, what: string): never {
  throw new ResponseValidationError(
    [
      {
        path: path ?? '',
        rule: 'missing_timestamp',
        message: `${what} has none of scheduled_date, created_date, modified_date: occurredAt cannot be derived`,
      },
    ],
    { provider: PROVIDER, what },
  );
}

/** One DevRev `engagement` as a unified `Engagement`. */
export function mapEngagement(record: DevRevEngagement, options: MapOptions): Engagement {
  const occurredAt = occurredAtOf(record) ?? options.fallbackOccurredAt;
  if (occurredAt === undefined) missingDate(options.path, 'engagement');
  const creator = record.created_by ? [participantOf(record.created_by, 'creator')] : [];
  const parents = [...(record.parents ?? []), ...(record.parent ? [record.parent] : [])];
  const related = parents
    .map(relatedOf)
    .filter((r, i, all) => all.findIndex((o) => o.id === r.id) === i);
  return compact<Engagement>({
    id: `${PROVIDER}:${record.id}`,
    provider: PROVIDER,
    remoteId: record.id,
    displayId: record.display_id ?? undefined,
    kind: kindOf(record.engagement_type),
    nativeType: record.engagement_type ?? undefined,
    subject: record.title ?? undefined,
    body: record.description ?? undefined,
    occurredAt,
    startTime: toIsoUtc(record.scheduled_date),
    participants: [...(record.members ?? []).map((m) => participantOf(m, 'member')), ...creator],
    related,
    notes: [],
    dispositions: [],
    tags: (record.tags ?? []).map(tagOf),
    externalRef: record.external_ref ?? undefined,
    externalUrl: record.external_url ?? undefined,
    createdAt: toIsoUtc(record.created_date),
    updatedAt: toIsoUtc(record.modified_date),
    customFields: record.custom_fields ?? undefined,
    raw: options.includeRaw ? record : undefined,
  });
}
