import { hasOnlyFiniteNumbers } from '@engagekit/core/adapter';
import { z } from 'zod';

/**
 * Truto publishes no OpenAPI file for the unified CRM model, so these schemas follow the docs page
 * (https://truto.one/docs/api-reference/unified-crm-api/engagements) and stay lenient: every field
 * but `id` is optional and nullable, unknown fields pass through, and relations accept the shapes
 * the docs disagree on (`contact` vs `contacts`, `opportunity` as an object or an array). No
 * transforms: the parsed record is the wire record, so it can be kept as `raw` unchanged.
 */

/**
 * Ids beyond 2^53 arrive already rounded by `JSON.parse`: such a number is a different id, so it
 * breaks the schema (the record is invalid) instead of being read.
 */
const ExactNumericId = z
  .number()
  .int('a numeric id must be an integer below 2^53 (JSON has already rounded larger ones)');
const IdValue = z.union([z.string(), ExactNumericId]);

/** A relation as Truto sends it: `{ id }` (plus whatever the CRM adds), or a bare id. */
// Objects first: they are what Truto sends, and a union pays for every branch that fails before a match.
const RefObject = z.looseObject({ id: IdValue.nullish(), name: z.string().nullish() });
export const TrutoRefSchema = z.union([RefObject, IdValue]);
export type TrutoRef = z.infer<typeof TrutoRefSchema>;

/** One relation or a list of them. */
export const TrutoRelationSchema = z.union([
  RefObject,
  z.array(TrutoRefSchema.nullable()),
  IdValue,
]);
export type TrutoRelation = z.infer<typeof TrutoRelationSchema>;

export const TrutoPhoneNumberSchema = z.looseObject({
  id: IdValue.nullish(),
  number: z.string().nullish(),
  extension: z.string().nullish(),
  type: z.string().nullish(),
});
export type TrutoPhoneNumber = z.infer<typeof TrutoPhoneNumberSchema>;

const Timestamp = z.union([z.string(), z.number()]).nullish();

/** A unified CRM engagement (`/unified/crm/engagements`). */
export const TrutoEngagementSchema = z.looseObject({
  id: z.union([z.string().min(1), ExactNumericId]),
  engagement_type: z.string().nullish(),
  subject: z.string().nullish(),
  content: z.string().nullish(),
  direction: z.string().nullish(),
  status: z.string().nullish(),
  start_time: Timestamp,
  end_time: Timestamp,
  /** A string in the unified schema; some CRMs send a number. */
  duration: z.union([z.string(), z.number()]).nullish(),
  owner: TrutoRefSchema.nullish(),
  account: TrutoRelationSchema.nullish(),
  contact: TrutoRelationSchema.nullish(),
  contacts: TrutoRelationSchema.nullish(),
  opportunity: TrutoRelationSchema.nullish(),
  lead: TrutoRelationSchema.nullish(),
  project: TrutoRelationSchema.nullish(),
  notes: TrutoRelationSchema.nullish(),
  internal_notes: z.string().nullish(),
  phone_numbers: z.array(TrutoPhoneNumberSchema.nullable()).nullish(),
  /** Mapped to `customFields`, so it must be kept faithfully: `1e309` (read as `Infinity`) is not. */
  custom_fields: z
    .unknown()
    .refine(hasOnlyFiniteNumbers, {
      message: 'holds a number JSON cannot carry (e.g. 1e309, read as Infinity)',
      params: { rule: 'not_finite' },
    })
    .optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
  remote_data: z.unknown().optional(),
});
export type TrutoEngagement = z.infer<typeof TrutoEngagementSchema>;

/** `GET /unified/crm/engagements`: `next_cursor: null` is the last page. */
export const TrutoEngagementListSchema = z.looseObject({
  result: z.array(TrutoEngagementSchema),
  next_cursor: z.string().nullish(),
  /** Parsed but unused: Truto documents no request parameter that pages backwards with it. */
  prev_cursor: z.string().nullish(),
  result_count: z.number().nullish(),
  is_partial_response: z.boolean().nullish(),
});
export type TrutoEngagementList = z.infer<typeof TrutoEngagementListSchema>;

/**
 * The list page with its records left unread: the listing checks each record on its own against
 * `TrutoEngagementSchema`, so one broken record is reported (`onInvalidRecord`), not the page.
 */
export const TrutoEngagementListEnvelopeSchema = TrutoEngagementListSchema.extend({
  result: z.array(z.unknown()),
});

/** `DELETE /unified/crm/engagements/{id}` answers `{ id }`. */
export const TrutoDeleteResponseSchema = z.looseObject({ id: IdValue.nullish() });

/** `{ description, value? }`, one per insight key. */
const InsightEntry = z.looseObject({
  description: z.string().nullish(),
  value: z.unknown().optional(),
});

/**
 * Truto's error envelope (https://truto.one/docs/api-reference/overview/errors). Unified API
 * errors add `truto_error_insight`; provider-originated ones add `truto_is_remote_error` and
 * `raw_response`. Every field falls back to `undefined` when it has an unexpected shape, so an odd
 * error body never hides the error itself.
 */
export const TrutoErrorBodySchema = z.looseObject({
  statusCode: z.number().nullish().catch(undefined),
  error: z.string().nullish().catch(undefined),
  message: z.string().nullish().catch(undefined),
  details: z.unknown().optional(),
  truto_is_remote_error: z.boolean().nullish().catch(undefined),
  raw_response: z.unknown().optional(),
  truto_error_insight: z
    .record(z.string(), InsightEntry.nullish().catch(undefined))
    .nullish()
    .catch(undefined),
});
export type TrutoErrorBody = z.infer<typeof TrutoErrorBodySchema>;

/** The body of `POST` / `PATCH /unified/crm/engagements[/{id}]` that engagekit sends. */
export interface TrutoEngagementWrite {
  engagement_type?: string;
  subject?: string;
  content?: string;
  direction?: string;
  status?: string;
  start_time?: string;
  end_time?: string;
  duration?: string;
  contact?: { id: string }[];
  account?: { id: string };
  owner?: { id: string };
  [field: string]: unknown;
}
