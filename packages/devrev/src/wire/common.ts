import { toIsoUtc } from '@engagekit/core';
import { hasOnlyFiniteNumbers } from '@engagekit/core/adapter';
import { z } from 'zod';

/** An optional DevRev field: absent and `null` both mean "not set". */
export const opt = <S extends z.ZodType>(schema: S) => schema.nullish();

/** A `format: date-time` value: a present but unreadable timestamp breaks the schema. */
export const DateTime = z.string().refine((v) => toIsoUtc(v) !== undefined, {
  message: 'not an ISO-8601 date-time',
  params: { rule: 'invalid_date' },
});

/** `custom_fields`: any JSON, as long as it can be kept faithfully (`1e309` parses to `Infinity`). */
export const CustomFieldsSchema = z.record(z.string(), z.unknown()).refine(hasOnlyFiniteNumbers, {
  message: 'holds a number JSON cannot carry (e.g. 1e309, read as Infinity)',
  params: { rule: 'not_finite' },
});

/** `atom-base-summary`: `id` is required by the spec. */
export const AtomSummarySchema = z.looseObject({
  id: z.string().min(1),
  display_id: opt(z.string()),
});

/**
 * `user-summary`: a union on `type` (`dev_user` | `rev_user` | `service_account` | `sys_user`).
 * Unknown future types still parse; they map like the others.
 */
export const UserSummarySchema = z.looseObject({
  type: z.string(),
  id: z.string().min(1),
  display_id: opt(z.string()),
  display_name: opt(z.string()),
  full_name: opt(z.string()),
  email: opt(z.string()),
  state: opt(z.string()),
  external_ref: opt(z.string()),
});
export type DevRevUserSummary = z.infer<typeof UserSummarySchema>;

/** `tag-with-value` (`{tag: tag-summary, value?}`) as responses carry it; `{id, value?}` is also read. */
export const TagWithValueSchema = z.union([
  z.looseObject({
    tag: z.looseObject({ id: z.string().min(1), name: opt(z.string()) }),
    value: opt(z.string()),
  }),
  z.looseObject({ id: z.string().min(1), value: opt(z.string()) }),
]);
export type DevRevTagWithValue = z.infer<typeof TagWithValueSchema>;

/** The fields every DevRev object has (`atom-base`). */
export const atomBase = {
  id: z.string().min(1),
  display_id: opt(z.string()),
  created_by: opt(UserSummarySchema),
  created_date: opt(DateTime),
  modified_by: opt(UserSummarySchema),
  modified_date: opt(DateTime),
};
