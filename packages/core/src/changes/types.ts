import type { ListEngagementsParams } from '../adapter/types';
import type { EngagementKind } from '../model/engagement';
import type { InvalidRecord, OnInvalidRecord } from '../pagination/invalid-record';
import type { EngagementChange } from '../webhooks/types';

/** How an adapter finds what changed (`adapter.capabilities.changes`). */
export interface ChangeCapabilities {
  /**
   * `'modified'`: the vendor filters or sorts by a modified time, so edits to engagements of any
   * age are found. `'window'`: only engagements whose start time falls within `lookbackMs` of the
   * previous run are re-read and compared, so an edit to an older one is not seen.
   */
  mode: 'modified' | 'window';
  /**
   * Where deletions come from: `'feed'` (the change feed reports them), `'webhook'` (only the
   * vendor's webhooks do; see `adapter.webhooks()`), `'none'` (the vendor shows them nowhere).
   */
  deletes: 'feed' | 'webhook' | 'none';
  /**
   * How far before the previous run's start each run reads again: in `'window'` mode the span in
   * which engagements still change (Zoom: while they run, and notes after); in `'modified'` mode a
   * safety margin for clock skew and writes in flight during a run.
   */
  lookbackMs?: number | undefined;
}

/** Parameters of `engagements.changes()`. */
export interface ChangeFeedParams {
  /**
   * Where to start: the `checkpoint` of an earlier feed (opaque, versioned), or for a first run a
   * Date / ISO-8601 string (zone-less = UTC): changes at or after that time.
   */
  since: string | Date;
  /** Only engagements of these kinds; a checkpoint keeps them, so resume with the same kinds. */
  kinds?: readonly EngagementKind[] | undefined;
  /** Items per vendor page; capped by `capabilities.maxPageSize`. */
  pageSize?: number | undefined;
  /** Keep the vendor payload on `engagement.raw`. @default true */
  includeRaw?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** As for `list()`: `'throw'` fails the feed, `'skip'` or a function skips the record. @default 'throw' */
  onInvalidRecord?: OnInvalidRecord | undefined;
  /**
   * Per-call HTTP options, as for `list()`, applied to every request the feed makes (each listing
   * page, its retries). E.g. `beforeRequest` to take a slot of a rate limit shared by several
   * processes before each attempt. Checked like `list()`'s, before any request.
   */
  request?: ListEngagementsParams['request'];
}

/**
 * What `engagements.changes()` returns: iterate it for `EngagementChange`s, then keep `checkpoint`.
 * Iterating again continues from the current checkpoint.
 */
export interface ChangeFeed extends AsyncIterable<EngagementChange> {
  /**
   * An opaque, versioned string to pass as `since` next time. Valid at any moment: after each change,
   * after a stop part-way (a break, an abort, an error) and after the end. Resuming from it loses no
   * change; a change may come again only at that resume boundary.
   */
  readonly checkpoint: string;
  /** `true` once the latest iteration read every change up to the run's start. */
  readonly done: boolean;
  /** Records skipped under `onInvalidRecord` (the first 100). */
  readonly skipped: readonly InvalidRecord[];
  readonly skippedCount: number;
  /** Reads up to `max` changes (default: all) into an array. */
  toArray(options?: { max?: number | undefined }): Promise<EngagementChange[]>;
}
