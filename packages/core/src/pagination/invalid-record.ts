import type { InputIssue } from '../errors/errors';

/**
 * A vendor record a listing could not read (it broke its wire schema, or held a value that cannot be
 * represented faithfully). With `onInvalidRecord: 'skip'` or a function, the listing goes on past it
 * and keeps it on `iterator.skipped`.
 */
export interface InvalidRecord {
  provider: string;
  /** The vendor's id of the record, when it could be read. */
  remoteId?: string | undefined;
  /** Where in the vendor response the record sits, e.g. `['result', 3]`. */
  path: (string | number)[];
  /** What was wrong, one entry per broken rule (path relative to the response). */
  issues: InputIssue[];
  /** The record as the vendor sent it. */
  raw: unknown;
}

/**
 * What a listing does with a record it cannot read: `'throw'` fails the listing with
 * `ResponseValidationError` (whose message names this option); `'skip'` keeps it on
 * `iterator.skipped` and goes on; a function is called with it, then it is kept and skipped likewise.
 * @default 'throw'
 */
export type OnInvalidRecord = 'throw' | 'skip' | ((record: InvalidRecord) => void);

/** At most this many skipped records are kept on `iterator.skipped`; `skippedCount` counts them all. */
export const MAX_KEPT_SKIPPED = 100;
