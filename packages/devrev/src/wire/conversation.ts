import { z } from 'zod';
import {
  AtomSummarySchema,
  atomBase,
  CustomFieldsSchema,
  DateTime,
  opt,
  TagWithValueSchema,
  UserSummarySchema,
} from './common';

/** `timeline-entry` (`timeline_comment` | `timeline_change_event`); only comments carry a `body`. */
export const TimelineEntrySchema = z.looseObject({
  type: z.string(),
  ...atomBase,
  body: opt(z.string()),
  body_type: opt(z.string()),
});
export type DevRevTimelineEntry = z.infer<typeof TimelineEntrySchema>;

/** The beta `account` of a conversation: an `account-summary`, or a bare id. */
export const ConversationAccountSchema = z.union([
  AtomSummarySchema.extend({ display_name: opt(z.string()) }),
  z.string().min(1),
]);

/** `conversation` (GA + beta fields); `members` is required by the spec. */
export const ConversationWireSchema = z.looseObject({
  ...atomBase,
  members: z.array(UserSummarySchema),
  /** Beta: the account the conversation belongs to. */
  account: opt(ConversationAccountSchema),
  title: opt(z.string()),
  description: opt(z.string()),
  channels: opt(z.array(AtomSummarySchema)),
  group: opt(AtomSummarySchema.extend({ name: opt(z.string()) })),
  messages: opt(z.array(TimelineEntrySchema)),
  owned_by: opt(z.array(UserSummarySchema)),
  source_channel: opt(z.string()),
  source_channel_v2: opt(AtomSummarySchema),
  stage: opt(z.looseObject({ name: opt(z.string()) })),
  subtype: opt(z.string()),
  tags: opt(z.array(TagWithValueSchema)),
  actual_close_date: opt(DateTime),
  custom_fields: opt(CustomFieldsSchema),
});
export type DevRevConversation = z.infer<typeof ConversationWireSchema>;

/** `conversations-list-response`. */
export const ConversationsListResponseSchema = z.looseObject({
  conversations: z.array(ConversationWireSchema),
  next_cursor: opt(z.string()),
  prev_cursor: opt(z.string()),
});

/**
 * The list page with its records left unread: the listing checks each record on its own against
 * `ConversationWireSchema`, so one broken record is reported (`onInvalidRecord`), not the page.
 */
export const ConversationsListEnvelopeSchema = ConversationsListResponseSchema.extend({
  conversations: z.array(z.unknown()),
});
