import { z } from 'zod';

/** The closed set of engagement kinds. Vendor types with no match map to `'other'`. */
export const ENGAGEMENT_KINDS = [
  'call',
  'email',
  'meeting',
  'chat',
  'sms',
  'video',
  'social',
  'note',
  'task',
  'survey',
  'other',
] as const;
export const EngagementKindSchema = z.enum(ENGAGEMENT_KINDS);
export type EngagementKind = z.infer<typeof EngagementKindSchema>;

export const DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
export const DirectionSchema = z.enum(DIRECTIONS);
export type Direction = z.infer<typeof DirectionSchema>;

/** ISO-8601 UTC with milliseconds, e.g. `2026-11-01T10:00:00.000Z`: the only timestamp form in the model. */
export const IsoUtcSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'expected ISO-8601 UTC with milliseconds')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date');

export const ParticipantSchema = z.object({
  id: z.string().optional(),
  /** e.g. `'agent'`, `'consumer'`, `'member'`, `'owner'`, `'contact'`, `'creator'`. */
  role: z.string(),
  displayName: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
});
export type Participant = z.infer<typeof ParticipantSchema>;

export const RelatedRecordSchema = z.object({
  /** `'account' | 'opportunity' | 'contact' | 'lead' | 'project' | 'parent' | 'queue' | 'flow' | …` */
  type: z.string(),
  id: z.string(),
  name: z.string().optional(),
});
export type RelatedRecord = z.infer<typeof RelatedRecordSchema>;

export const NoteSchema = z.object({
  id: z.string().optional(),
  text: z.string().optional(),
  authorId: z.string().optional(),
  updatedAt: IsoUtcSchema.optional(),
});
export type Note = z.infer<typeof NoteSchema>;

export const DispositionSchema = z.object({ id: z.string().optional(), name: z.string() });
export type Disposition = z.infer<typeof DispositionSchema>;

export const TagSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  value: z.string().optional(),
});
export type Tag = z.infer<typeof TagSchema>;

/** The ids of the adapters engagekit ships; third-party adapters bring their own. */
export type KnownProviderId = 'devrev' | 'zoom-contact-center' | 'truto';

/** One engagement from any vendor, in engagekit's unified shape. */
export const EngagementSchema = z.object({
  /** `${provider}:${remoteId}`: unique across providers. */
  id: z.string().min(1),
  /** One of the `KnownProviderId`s (autocompleted) or a third-party adapter's id. */
  provider: z.string().min(1) as z.ZodType<KnownProviderId | (string & {}), string>,
  remoteId: z.string().min(1),
  displayId: z.string().optional(),
  kind: EngagementKindSchema,
  /** The vendor's own type value, untouched. */
  nativeType: z.string().optional(),
  channels: z.array(z.string()).optional(),
  direction: DirectionSchema.optional(),
  subject: z.string().optional(),
  body: z.string().optional(),
  status: z.string().optional(),
  /** When the engagement happened: the ordering and from/to filter key. */
  occurredAt: IsoUtcSchema,
  startTime: IsoUtcSchema.optional(),
  endTime: IsoUtcSchema.optional(),
  durationSeconds: z.number().nonnegative().optional(),
  participants: z.array(ParticipantSchema),
  related: z.array(RelatedRecordSchema),
  notes: z.array(NoteSchema),
  dispositions: z.array(DispositionSchema),
  tags: z.array(TagSchema),
  externalRef: z.string().optional(),
  externalUrl: z.string().optional(),
  createdAt: IsoUtcSchema.optional(),
  updatedAt: IsoUtcSchema.optional(),
  customFields: z.record(z.string(), z.unknown()).optional(),
  /** The vendor payload, unless the caller opted out with `includeRaw: false`. */
  raw: z.unknown().optional(),
});
export type Engagement = z.infer<typeof EngagementSchema>;
