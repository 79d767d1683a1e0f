import type { Engagement } from '@engagekit/core';
import { parseResponse } from '@engagekit/core/adapter';
import { mapTrutoEngagement, PROVIDER, type TrutoDurationUnit } from './map/engagement';
import { TrutoEngagementSchema } from './wire/engagement';

/** Options of `parseTrutoEngagement`. */
export interface ParseTrutoEngagementOptions {
  /** Keep the unified record (with `remote_data`) on `raw`. @default true */
  includeRaw?: boolean;
  /** How a bare-number `duration` is read (see `TrutoAdapterOptions.durationUnit`). @default 'seconds' */
  durationUnit?: TrutoDurationUnit;
}

/**
 * One Truto unified CRM engagement you already hold (a webhook's `record`, a stored export) as an
 * `Engagement`: checked against the wire schema the listing uses, then mapped the same way.
 * Throws `ResponseValidationError` naming the path when it breaks the schema or has no date.
 */
export function parseTrutoEngagement(
  payload: unknown,
  options: ParseTrutoEngagementOptions = {},
): Engagement {
  const record = parseResponse(TrutoEngagementSchema, payload, {
    provider: PROVIDER,
    what: 'engagement',
  });
  return mapTrutoEngagement(record, {
    includeRaw: options.includeRaw ?? true,
    durationUnit: options.durationUnit ?? 'seconds',
  });
}
