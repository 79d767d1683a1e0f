import type { Disposition, Engagement, Note, Participant, RelatedRecord } from '../model/index';

/** Builds an `Engagement` with its required fields; the optional ones are assigned after it. */
export type PlainEngagementConstructor = new (
  remoteId: string,
  kind: Engagement['kind'],
  occurredAt: string,
  participants: Participant[],
  related: RelatedRecord[],
  notes: Note[],
  dispositions: Disposition[],
) => Engagement;

/**
 * A constructor of one provider's engagements, for mappers that run once per record: it sets the
 * required fields (`id` is `provider:remoteId`, `tags` empty) in the order a literal would, and the
 * mapper assigns the optional ones after it. A constructor and not a literal: V8 then reserves room
 * inside the object for the fields set after it, where a literal's object moves them to a separate
 * store it grows field by field (about a fifth of a mapper's time). Its prototype is
 * `Object.prototype`, so what it builds is a plain object like a literal.
 *
 * Make one per provider (at module load): each constructor sizes its objects for the optional
 * fields its own mapper sets, which differ between providers.
 */
export function plainEngagementConstructor(provider: string): PlainEngagementConstructor {
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
    this.id = `${provider}:${remoteId}`;
    this.provider = provider;
    this.remoteId = remoteId;
    this.kind = kind;
    this.occurredAt = occurredAt;
    this.participants = participants;
    this.related = related;
    this.notes = notes;
    this.dispositions = dispositions;
    this.tags = [];
  } as unknown as PlainEngagementConstructor;
  PlainEngagement.prototype = Object.prototype;
  return PlainEngagement;
}
