import type { Engagement } from '@engagekit/core';
import { parseResponse } from '@engagekit/core/adapter';
import { mapZoomEngagement, PROVIDER } from './map/engagement';
import { ZoomEngagementSchema } from './wire/engagement';

/** Options of `parseZoomEngagement`. */
export interface ParseZoomEngagementOptions {
  /** Keep the Zoom record on `raw`. @default true */
  includeRaw?: boolean;
  /** Zone of timestamps written without an offset (a list response's `timezone`). @default 'UTC' */
  timeZone?: string;
}

/**
 * One Zoom Contact Center engagement you already hold (a webhook's `object`, a stored export) as
 * an `Engagement`: checked against the wire schema the listing uses, then mapped the same way.
 * Throws `ResponseValidationError` naming the path when it breaks the schema or has no time.
 */
export function parseZoomEngagement(
  payload: unknown,
  options: ParseZoomEngagementOptions = {},
): Engagement {
  const record = parseResponse(ZoomEngagementSchema, payload, {
    provider: PROVIDER,
    what: 'engagement',
  });
  return mapZoomEngagement(record, options);
}
