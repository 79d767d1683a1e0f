import { z } from 'zod';

/**
 * DevRev's error body: `error-base {message?, detail?}` + the `type` discriminator, plus per-type
 * fields (`retry_after` on 429, `reference_id` on 500, `field_name`/`allowed_values`/… on 400).
 */
export const DevRevErrorBodySchema = z.looseObject({
  type: z.string().optional(),
  message: z.string().optional(),
  detail: z.string().optional(),
  retry_after: z.number().optional(),
  reference_id: z.string().optional(),
  field_name: z.string().optional(),
  value: z.string().optional(),
  allowed_values: z.array(z.string()).optional(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  reason: z.string().optional(),
  subtype: z.string().optional(),
});
export type DevRevErrorBody = z.infer<typeof DevRevErrorBodySchema>;
