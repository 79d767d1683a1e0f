import {
  type Engagement,
  type EngagementKind,
  type Participant,
  type RelatedRecord,
  ResponseValidationError,
  type Tag,
  toIsoUtc,
} from '@engagekit/core';
import { issuePath } from '@engagekit/core/adapter';
import {
  DEVREV_ENGAGEMENT_TYPES,
  type DevRevCreateType,
  type DevRevEngagement,
  type DevRevEngagementType,
  type DevRevParent,
} from '../wire/engagement';
import { PROVIDER, participantOf, relatedOf, tagOf } from './common';

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

/** The unified kinds as DevRev `type` values: `undefined` = no server filter, `[]` = nothing matches. */
export function typesForKinds(kinds: readonly EngagementKind[] | undefined): string[] | undefined {
  if (!kinds) return undefined;
  // Unknown or missing engagement_types map to 'other' and cannot be named in a filter.
  if (kinds.includes('other')) return undefined;
  return kinds.flatMap(typesOfKind);
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

export interface MapOptions {
  includeRaw: boolean;
  /** Where the record sits in the response, for error paths (e.g. `engagements`; the index is appended). */
  path?: string | undefined;
  /** Used when the record carries no date at all (e.g. the `scheduled_date` a create just sent). */
  fallbackOccurredAt?: string | undefined;
}

/** Throws the error a record with no usable timestamp gets. */
export function missingDate(path: string, what: string): never {
  throw new ResponseValidationError(
    [
      {
        path,
        rule: 'missing_timestamp',
        message: `${what} has none of scheduled_date, created_date, modified_date: occurredAt cannot be derived`,
      },
    ],
    { provider: PROVIDER, what },
  );
}

/**
 * One DevRev `engagement` as a unified `Engagement`. Built by plain assignments (no spreads or
 * compacting copy) and each timestamp read once: this runs for every listed record.
 */
export function mapEngagement(
  record: DevRevEngagement,
  options: MapOptions,
  index?: number,
): Engagement {
  const scheduled = toIsoUtc(record.scheduled_date);
  const createdAt = toIsoUtc(record.created_date);
  const updatedAt = toIsoUtc(record.modified_date);
  const occurredAt = scheduled ?? createdAt ?? updatedAt ?? options.fallbackOccurredAt;
  if (occurredAt === undefined) missingDate(issuePath(options.path, index), 'engagement');

  const participants: Participant[] = [];
  for (const member of record.members ?? []) participants.push(participantOf(member, 'member'));
  if (record.created_by) participants.push(participantOf(record.created_by, 'creator'));

  const related: RelatedRecord[] = [];
  const relate = (parent: DevRevParent) => {
    const r = relatedOf(parent);
    for (const o of related) if (o.id === r.id) return;
    related.push(r);
  };
  for (const parent of record.parents ?? []) relate(parent);
  if (record.parent) relate(record.parent);

  const tags: Tag[] = [];
  for (const tag of record.tags ?? []) tags.push(tagOf(tag));

  const engagement: Engagement = {
    id: `${PROVIDER}:${record.id}`,
    provider: PROVIDER,
    remoteId: record.id,
    kind: kindOf(record.engagement_type),
    occurredAt,
    participants,
    related,
    notes: [],
    dispositions: [],
    tags,
  };
  const set = <K extends keyof Engagement>(key: K, value: Engagement[K] | null | undefined) => {
    if (value !== undefined && value !== null) engagement[key] = value;
  };
  set('displayId', record.display_id);
  set('nativeType', record.engagement_type);
  set('subject', record.title);
  set('body', record.description);
  set('startTime', scheduled);
  set('externalRef', record.external_ref);
  set('externalUrl', record.external_url);
  set('createdAt', createdAt);
  set('updatedAt', updatedAt);
  set('customFields', record.custom_fields);
  if (options.includeRaw) engagement.raw = record;
  return engagement;
}
