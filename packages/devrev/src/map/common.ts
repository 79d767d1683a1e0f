import type { Participant, RelatedRecord, Tag } from '@engagekit/core';
import type { DevRevTagWithValue, DevRevUserSummary } from '../wire/common';
import type { DevRevParent } from '../wire/engagement';

/** The provider id of every DevRev engagement. */
export const PROVIDER = 'devrev';

/** Copies only defined values, so mapped objects never hold `undefined` keys or strings. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  // for…in over a fresh literal: no entries array per call (this runs for every record).
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined && v !== null) out[k] = v;
  }
  return out as T;
}

/** A `user-summary` (any of the four `type`s) as a participant with `role`. */
export function participantOf(user: DevRevUserSummary, role: string): Participant {
  const participant: Participant = { id: user.id, role };
  const displayName = user.display_name ?? user.full_name;
  if (displayName !== undefined && displayName !== null) participant.displayName = displayName;
  if (user.email !== undefined && user.email !== null) participant.email = user.email;
  return participant;
}

/** `account` / `opportunity` from a DON (`…:account/12`) or display id (`ACC-12`), else `parent`. */
export function parentType(...ids: (string | null | undefined)[]): string {
  for (const id of ids) {
    if (!id) continue;
    if (/:account\/|^ACC-/i.test(id)) return 'account';
    if (/:opportunity\/|^OPP-/i.test(id)) return 'opportunity';
  }
  return 'parent';
}

/** A parent (object summary or bare id) as a related record. */
export function relatedOf(parent: DevRevParent): RelatedRecord {
  if (typeof parent === 'string') return { type: parentType(parent), id: parent };
  const related: RelatedRecord = { type: parentType(parent.id, parent.display_id), id: parent.id };
  if (parent.display_name !== undefined && parent.display_name !== null) {
    related.name = parent.display_name;
  }
  return related;
}

/** `tag-with-value` (or `{id, value}`) as a unified tag. */
export function tagOf(tag: DevRevTagWithValue): Tag {
  const summary = 'tag' in tag ? (tag.tag as { id: string; name?: string | null }) : undefined;
  const out: Tag = { id: summary ? summary.id : (tag as { id: string }).id };
  if (summary?.name !== undefined && summary.name !== null) out.name = summary.name;
  if (tag.value !== undefined && tag.value !== null) out.value = tag.value;
  return out;
}
