import type { AdapterCapabilities, Engagement, PageIterator } from '@engagekit/core';
import {
  type ChangeFeedSource,
  type ChangeListRequest,
  type NormalizedListParams,
  normalizeListParams,
} from '@engagekit/core/adapter';
import { PROVIDER } from '../map/engagement';
import type { TrutoFeedMode } from './feed';

/**
 * The query parameter of Truto's modified-time filter. Truto's unified APIs take `created_at` and
 * `updated_at` with comparison operators in bracket notation
 * (https://truto.one/docs/api-reference/overview/querying); `gt` of one millisecond earlier is
 * "at or after" at millisecond precision.
 */
export const UPDATED_AFTER_PARAM = 'updated_at[gt]';

/** The engine's key in `'modified'` mode. */
const modifiedKey = (e: Engagement) => Date.parse(e.updatedAt ?? e.createdAt ?? e.occurredAt);

/**
 * What a change-feed listing asks of the adapter's own `list()`:
 * - `'modified'`: `updated_at[gt]` = `fromMs` − 1 ms, no start-time bounds; older records a CRM
 *   returns anyway (one that ignores the filter) are dropped here, so they are never delivered again;
 * - `'window'`: `from` = `fromMs` on the start time (Truto's `start_time`, checked here too).
 * Both keep engagekit's resumable cursor (its fingerprint covers the filter, so a cursor of another
 * mode or point is refused).
 */
export function changeListParams(
  mode: TrutoFeedMode,
  request: ChangeListRequest,
  capabilities: AdapterCapabilities,
): NormalizedListParams {
  const common = {
    kinds: request.kinds ? [...request.kinds] : undefined,
    pageSize: request.pageSize,
    includeRaw: request.includeRaw,
    cursor: request.cursor,
    signal: request.signal,
    onInvalidRecord: request.onInvalidRecord,
    request: request.request,
  };
  if (mode === 'window') {
    return normalizeListParams(PROVIDER, capabilities, {
      ...common,
      from: new Date(request.fromMs),
    });
  }
  const params = normalizeListParams(PROVIDER, capabilities, {
    ...common,
    native: { [UPDATED_AFTER_PARAM]: new Date(request.fromMs - 1).toISOString() },
  });
  const fromMs = request.fromMs;
  return { ...params, clientFilter: (e) => modifiedKey(e) >= fromMs };
}

/** A change-feed source over the adapter's `list()` in one mode. */
export function createChangeSource(
  mode: TrutoFeedMode,
  capabilities: AdapterCapabilities,
  list: (params: NormalizedListParams) => PageIterator<Engagement>,
): ChangeFeedSource {
  return { list: (request) => list(changeListParams(mode, request, capabilities)) };
}
