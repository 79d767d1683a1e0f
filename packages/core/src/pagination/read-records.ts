import type { z } from 'zod';
import { ResponseValidationError } from '../errors/errors';
import { issuePath, parseResponse } from '../errors/zod';
import { compileValidator } from '../validation/compile';
import type { InvalidRecord } from './invalid-record';

/** An unreadable record with its position among the raw records of its vendor page. */
export interface InvalidRecordAt extends InvalidRecord {
  /** Index of the record in the page's raw record array (what the engine counts for cursors). */
  index: number;
}

export interface ReadRecordsOptions<T> {
  provider: string;
  /** Where the record array sits in the vendor response, e.g. `['result']`. */
  path: readonly (string | number)[];
  /**
   * Reads one raw record, or throws `ResponseValidationError` when it cannot. Its issue paths should
   * be relative to the response: `recordReader(schema, { provider, what, path: 'result' })` checks a
   * record that way and builds the path only when the record fails.
   * Any other error is a failure of the listing, not of the record, and propagates.
   */
  read(raw: unknown, index: number): T;
  /** The vendor id of a raw record, for `InvalidRecord.remoteId`; must not throw on broken records. */
  remoteIdOf?: ((raw: unknown) => string | undefined) | undefined;
}

/**
 * Reads a vendor page record by record: what could be read lands in `items` (in order), what broke
 * its schema in `invalid` with its position. Return both from `fetchPage` (`{ items, invalid, … }`)
 * and the engine applies the caller's `onInvalidRecord` policy.
 */
export function readRecords<T>(
  rawItems: readonly unknown[],
  options: ReadRecordsOptions<T>,
): { items: T[]; invalid: InvalidRecordAt[] } {
  const items: T[] = [];
  const invalid: InvalidRecordAt[] = [];
  for (let index = 0; index < rawItems.length; index++) {
    const raw = rawItems[index];
    try {
      items.push(options.read(raw, index));
    } catch (error) {
      if (!(error instanceof ResponseValidationError)) throw error;
      invalid.push({
        provider: options.provider,
        remoteId: safeRemoteId(options.remoteIdOf, raw),
        path: [...options.path, index],
        issues: error.issues,
        raw,
        index,
      });
    }
  }
  return { items, invalid };
}

function safeRemoteId(
  remoteIdOf: ((raw: unknown) => string | undefined) | undefined,
  raw: unknown,
): string | undefined {
  try {
    const id = remoteIdOf?.(raw);
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The reader of one page's raw records against `schema`, for `readRecords`' `read`: a record the
 * compiled check accepts is returned as it is (zod would return an equal copy); any other goes
 * through `parseResponse`, which throws `ResponseValidationError` with issue paths under
 * `path.<index>`. Neither the path nor the options are built for a record that passes, since every
 * record of a listing comes through here. Make one per page.
 */
export function recordReader<S extends z.ZodType>(
  schema: S,
  options: { provider: string; what: string; path: string },
): (raw: unknown, index: number) => z.output<S> {
  const check = compileValidator(schema);
  return (raw, index) =>
    check?.(raw)
      ? (raw as z.output<S>)
      : parseResponse(schema, raw, {
          provider: options.provider,
          what: options.what,
          prefix: issuePath(options.path, index),
        });
}
