import type {
  AdapterCapabilities,
  ChangeCapabilities,
  Engagement,
  PageIterator,
} from '@engagekit/core';
import {
  type ChangeFeedSource,
  type ChangeListRequest,
  fingerprintParams,
  type NormalizedListParams,
  normalizeListParams,
} from '@engagekit/core/adapter';
import { z } from 'zod';
import { PROVIDER } from './map/engagement';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** `changesLookbackMs` when none is given: a day covers a run, its wrap-up, notes and dispositions. */
export const DEFAULT_CHANGES_LOOKBACK_MS = DAY_MS;
/** The longest lookback accepted: every run re-reads that much of Zoom's listing. */
export const MAX_CHANGES_LOOKBACK_MS = 90 * DAY_MS;

/** The `changesLookbackMs` option. */
export const ChangesLookbackSchema = z
  .number()
  .int('must be a whole number of milliseconds')
  .min(
    MINUTE_MS,
    'must be at least 60000 (1 minute): Zoom lists an engagement only once its record exists, so a shorter lookback loses engagements that started just before a run',
  )
  .max(MAX_CHANGES_LOOKBACK_MS, `must be at most ${MAX_CHANGES_LOOKBACK_MS} (90 days)`);

/**
 * Zoom's place in the change-feed table: start-time windows re-read with a lookback, since Zoom
 * lists by start time only. Deletions: Zoom's API deletes no engagement and its engagement
 * webhooks (`ZOOM_ENGAGEMENT_EVENTS`) report none, so no source shows them.
 */
export function zoomChangeCapabilities(lookbackMs: number): ChangeCapabilities {
  return { mode: 'window', deletes: 'none', lookbackMs };
}

/**
 * The listing behind `engagements.changes()`: the adapter's own listing from `fromMs` to now,
 * so Zoom's month limit (27-day windows), expiring page tokens (restarted) and the rate limit all
 * apply as in `list()`. The fingerprint leaves out the end, which moves with the clock: a run
 * resumed from its checkpoint keeps the range its cursor started with.
 */
export function zoomChangeSource(
  capabilities: AdapterCapabilities,
  list: (params: NormalizedListParams) => PageIterator<Engagement>,
  now: () => number,
): ChangeFeedSource {
  return {
    now,
    list(request: ChangeListRequest) {
      const params = normalizeListParams(PROVIDER, capabilities, {
        from: new Date(request.fromMs),
        // A feed whose `since` lies ahead reads an empty second instead of an invalid range.
        to: new Date(Math.max(now(), request.fromMs + 1000)),
        kinds: request.kinds ? [...request.kinds] : undefined,
        pageSize:
          request.pageSize === undefined
            ? undefined
            : Math.min(request.pageSize, capabilities.maxPageSize),
        includeRaw: request.includeRaw,
        signal: request.signal,
        onInvalidRecord: request.onInvalidRecord,
        request: request.request,
      });
      return list({
        ...params,
        cursor: request.cursor,
        fingerprint: fingerprintParams({
          changesFrom: request.fromMs,
          kinds: params.kinds ? [...new Set(params.kinds)].sort() : undefined,
        }),
      });
    },
  };
}
