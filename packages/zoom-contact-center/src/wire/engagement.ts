import { z } from 'zod';

/**
 * Wire schemas of `GET /contact_center/engagements` and `GET /contact_center/engagements/{id}`,
 * from Zoom's Contact Center OpenAPI (`listEngagements`, `getEngagement`). Lenient on purpose:
 * every field is optional (as in the spec) and nullable, enums are plain strings and unknown fields
 * are kept, so a new Zoom channel or field never breaks a listing. `engagement_id` is required:
 * without it a record cannot be addressed.
 */
const str = () => z.string().nullish();
/** Durations and counts are int64 in the spec; tolerate numeric strings. */
const num = () => z.union([z.number(), z.string()]).nullish();
const list = <T extends z.ZodType>(item: T) => z.array(item).nullish();

export const ZoomChannelSchema = z.looseObject({
  /** `voice` | `video` | `messaging` | `email` (more may come). */
  channel: str(),
  /** `in_app_video` | `kiosk_video` | `web_video` | `web_chat` | `in_app_chat` | `sms` | `facebook_messenger` | `whatsapp` | `email_address`. */
  channel_source: str(),
});
export type ZoomChannel = z.infer<typeof ZoomChannelSchema>;

export const ZoomConsumerSchema = z.looseObject({
  consumer_id: str(),
  consumer_display_name: str(),
  consumer_number: str(),
});
export const ZoomFlowSchema = z.looseObject({
  flow_id: str(),
  flow_name: str(),
  flow_version: str(),
});
export const ZoomQueueSchema = z.looseObject({
  cc_queue_id: str(),
  /** Deprecated in favour of `cc_queue_id` (get-engagement only). */
  queue_id: str(),
  queue_name: str(),
});
export const ZoomAgentSchema = z.looseObject({ user_id: str(), display_name: str() });
export const ZoomDispositionSchema = z.looseObject({
  disposition_id: str(),
  disposition_name: str(),
});
export const ZoomNoteSchema = z.looseObject({
  user_id: str(),
  note_id: str(),
  note: str(),
  last_modified_time: str(),
});

/** One engagement, as the list and get endpoints return it (get adds `events`, `queue_wait_type`, `voice_mail`). */
export const ZoomEngagementSchema = z.looseObject({
  engagement_id: z.string().min(1),
  start_time: str(),
  end_time: str(),
  duration: num(),
  direction: str(),
  /** Deprecated by Zoom in favour of `channels`; still sent by older records. */
  channel_types: list(z.string()),
  channels: list(ZoomChannelSchema),
  consumers: list(ZoomConsumerSchema),
  flows: list(ZoomFlowSchema),
  queues: list(ZoomQueueSchema),
  agents: list(ZoomAgentSchema),
  talk_duration: num(),
  flow_duration: num(),
  waiting_duration: num(),
  handling_duration: num(),
  wrap_up_duration: num(),
  transfer_count: num(),
  queue_wait_type: str(),
  voice_mail: num(),
  dispositions: list(ZoomDispositionSchema),
  notes: list(ZoomNoteSchema),
  events: list(z.unknown()),
  transcript_url: str(),
  survey_id: str(),
});
export type ZoomEngagement = z.infer<typeof ZoomEngagementSchema>;

/** `GET /contact_center/engagements` 200 body. `""` (or no) `next_page_token` = last page. */
export const ZoomListEngagementsResponseSchema = z.looseObject({
  next_page_token: str(),
  page_size: num(),
  total_records: num(),
  timezone: str(),
  from: str(),
  to: str(),
  engagements: list(ZoomEngagementSchema),
});
export type ZoomListEngagementsResponse = z.infer<typeof ZoomListEngagementsResponseSchema>;

/**
 * The list page with its records left unread: the listing checks each record on its own against
 * `ZoomEngagementSchema`, so one broken record is reported (`onInvalidRecord`), not the page.
 */
export const ZoomListEngagementsEnvelopeSchema = ZoomListEngagementsResponseSchema.extend({
  engagements: list(z.unknown()),
});

/** Zoom's REST error body: `{ code, message, errors?: [{ field, message }] }`. */
export const ZoomErrorBodySchema = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  message: z.string().optional(),
  errors: z
    .array(z.looseObject({ field: z.string().optional(), message: z.string().optional() }))
    .optional(),
});

/** The OAuth endpoint's error body: `{ reason, error }`. */
export const ZoomOAuthErrorBodySchema = z.looseObject({
  reason: z.string().optional(),
  error: z.string().optional(),
});

/** `POST https://zoom.us/oauth/token` (server-to-server OAuth) 200 body. */
export const ZoomTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  /** Seconds; Zoom issues 3600. */
  expires_in: z.number().positive(),
  scope: z.string().optional(),
});
export type ZoomTokenResponse = z.infer<typeof ZoomTokenResponseSchema>;
