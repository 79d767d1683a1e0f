import type { Engagement } from '@engagekit/core';
import { parseResponse } from '@engagekit/core/adapter';
import { PROVIDER } from './map/common';
import { mapEngagement } from './map/engagement';
import { EngagementWireSchema } from './wire/engagement';

/** Options of `parseDevRevEngagement`. */
export interface ParseDevRevEngagementOptions {
  /** Keep the DevRev object on `raw`. @default true */
  includeRaw?: boolean;
}

/**
 * One DevRev `engagement` object you already hold (a webhook's `engagement_created.engagement`,
 * a stored export) as an `Engagement`: checked against the wire schema the listing uses, then
 * mapped the same way. Throws `ResponseValidationError` naming the path when it breaks the schema
 * or carries no usable date.
 */
export function parseDevRevEngagement(
  payload: unknown,
  options: ParseDevRevEngagementOptions = {},
): Engagement {
  const record = parseResponse(EngagementWireSchema, payload, {
    provider: PROVIDER,
    what: 'engagement',
  });
  return mapEngagement(record, { includeRaw: options.includeRaw ?? true });
}
