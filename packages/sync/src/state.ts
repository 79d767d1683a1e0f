import { SyncError } from './errors';

/**
 * What a checkpoint stream stores, as JSON: where a backfill listing is (its params and cursor,
 * since a cursor only resumes the listing it came from), or where the change feed is.
 */
export type StreamState =
  | {
      v: 1;
      phase: 'backfill';
      /** ISO bounds of the listing: the cursor was made for exactly these. */
      from: string;
      to: string;
      providers?: string[] | undefined;
      /**
       * The listing's `order`: `'none'` (each provider as its adapter returns it: nothing sorted or
       * spilled); absent, a time-ordered listing (what earlier versions stored, still resumed).
       */
      order?: 'none' | undefined;
      /** Resumes after the last committed record; absent before the first batch. */
      cursor?: string | undefined;
    }
  | {
      v: 1;
      phase: 'changes';
      /** The feed's checkpoint; absent until the feed has given one. */
      since?: string | undefined;
      /** Where the feed starts when it has no checkpoint yet (ISO). */
      sinceTime: string;
    }
  /** A shard whose listing was read to its end. */
  | { v: 1; phase: 'done'; from: string; to: string };

/** Reads a stored state; a value this package did not write is a `SyncError` naming the stream. */
export function parseState(stream: string, value: string | undefined): StreamState | undefined {
  if (value === undefined) return undefined;
  let state: unknown;
  try {
    state = JSON.parse(value);
  } catch {
    state = undefined;
  }
  const s = state as Partial<Record<string, unknown>> | undefined;
  const str = (k: string) => typeof s?.[k] === 'string';
  const opt = (k: string) => s?.[k] === undefined || str(k);
  const ok =
    s?.v === 1 &&
    ((s.phase === 'backfill' &&
      str('from') &&
      str('to') &&
      opt('cursor') &&
      (s.order === undefined || s.order === 'none')) ||
      (s.phase === 'changes' && str('sinceTime') && opt('since')) ||
      (s.phase === 'done' && str('from') && str('to')));
  if (!ok) {
    throw new SyncError(
      `Checkpoint stream "${stream}" holds a value this version of @engagekit/sync cannot read: ${value.slice(0, 200)}`,
    );
  }
  return state as StreamState;
}
