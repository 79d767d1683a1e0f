import { z } from 'zod';
import {
  atomBase,
  CustomFieldsSchema,
  DateTime,
  opt,
  TagWithValueSchema,
  UserSummarySchema,
} from './common';

/** `engagement-type`: the list/count filter enum (beta spec). */
export const DEVREV_ENGAGEMENT_TYPES = [
  'call',
  'conversation',
  'custom',
  'default',
  'email',
  'linked_in',
  'meeting',
  'offline',
  'survey',
] as const;
export type DevRevEngagementType = (typeof DEVREV_ENGAGEMENT_TYPES)[number];

/** `engagements-create-request-engagement-type`: the narrower set `engagements.create` accepts. */
export const DEVREV_CREATE_TYPES = ['call', 'default', 'email', 'linked_in', 'offline'] as const;
export type DevRevCreateType = (typeof DEVREV_CREATE_TYPES)[number];

/** A parent as responses carry it: an object summary, or (in some payloads) a bare id. */
export const ParentSchema = z.union([
  z.string().min(1),
  z.looseObject({
    id: z.string().min(1),
    display_id: opt(z.string()),
    display_name: opt(z.string()),
    type: opt(z.string()),
  }),
]);
export type DevRevParent = z.infer<typeof ParentSchema>;

/**
 * `engagement`. The spec only guarantees `atom-base` + `description`; the other fields are what
 * create/update accept and real responses carry, so all are optional. Unknown fields and unknown
 * `engagement_type` values pass through.
 */
export const EngagementWireSchema = z.looseObject({
  ...atomBase,
  description: opt(z.string()),
  title: opt(z.string()),
  engagement_type: opt(z.string()),
  members: opt(z.array(UserSummarySchema)),
  parents: opt(z.array(ParentSchema)),
  parent: opt(ParentSchema),
  scheduled_date: opt(DateTime),
  external_ref: opt(z.string()),
  external_url: opt(z.string()),
  tags: opt(z.array(TagWithValueSchema)),
  custom_fields: opt(CustomFieldsSchema),
});
export type DevRevEngagement = z.infer<typeof EngagementWireSchema>;

/** `engagements-list-response`: the cursors are absent (not null) at the ends. */
export const EngagementsListResponseSchema = z.looseObject({
  engagements: z.array(EngagementWireSchema),
  next_cursor: opt(z.string()),
  prev_cursor: opt(z.string()),
});
export type DevRevEngagementsListResponse = z.infer<typeof EngagementsListResponseSchema>;

/**
 * The list page with its records left unread: the listing checks each record on its own against
 * `EngagementWireSchema`, so one broken record is reported (`onInvalidRecord`), not the page.
 */
export const EngagementsListEnvelopeSchema = EngagementsListResponseSchema.extend({
  engagements: z.array(z.unknown()),
});

/** `engagements-{get,create,update}-response`. */
export const EngagementResponseSchema = z.looseObject({ engagement: EngagementWireSchema });

/** `engagements-count-response`. */
export const EngagementsCountResponseSchema = z.looseObject({ count: z.number().int().min(0) });

/** `engagements-delete-response`: `{}` (read leniently). */
export const EngagementsDeleteResponseSchema = z.union([z.looseObject({}), z.undefined()]);
