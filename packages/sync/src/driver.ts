import type { Engagement } from '@engagekit/core';
import { upsertRow, upsertRowBytes } from './rows';

/**
 * What the store needs of a database connection: one parameterised statement at a time, with the
 * rows it returned and, for INSERT/UPDATE/DELETE, the rows it affected (the command tag's count).
 */
export interface Queryable {
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount?: number | undefined }>;
}

/** A statement's rows as arrays in column order, and the columns' names (a name may repeat). */
export interface ArrayRows {
  columns: string[];
  rows: unknown[][];
}

/**
 * A database as the store sees it: statements, transactions and a way to release it. PGlite and
 * node-postgres each provide one; the SQL and everything above it is shared.
 */
export interface StoreDriver extends Queryable {
  /** Runs one statement and returns its rows as arrays (see {@link ArrayRows}). */
  queryArrays(sql: string, params?: readonly unknown[]): Promise<ArrayRows>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Releases what the driver opened (not what the caller handed it). */
  close(): Promise<void>;
  /**
   * Whether the database went away for good (PGlite's worker thread died): the store then opens a
   * new driver for its next call instead of failing every call from then on.
   */
  lost?(): boolean;
}

/** The type of a statement's parameter that carries a JSON array of rows. */
export type JsonType = 'jsonb' | 'json';

/**
 * How a driver carries the rows of a statement's parameters, each a JSON array (of rows, or of
 * their raw records): the form a row's JSON is kept in from the moment it is encoded (a sync
 * encodes each record as it arrives, so the record itself is garbage at once) to the statement
 * that sends it.
 */
export interface RowCodec<Row> {
  /** A JSON value in the form the driver sends. */
  row(json: string): Row;
  /** A value's size, counted toward a statement's limit (characters or bytes). */
  size(row: Row): number;
  /** An engagement's upsert row and raw record (see `upsertRow`), in that form. */
  upsert(engagement: Engagement, changedAt: string): [row: Row, raw: Row];
  /** The value of a parameter of type `type` holding the JSON array of `rows`. */
  param(rows: readonly Row[], type: JsonType): unknown;
}

/** Rows as strings and a parameter as the array's text: any driver takes it, for either type. */
export const TEXT_ROWS: RowCodec<string> = {
  row: (json) => json,
  upsert(engagement, changedAt) {
    const { row, raw } = upsertRow(engagement, changedAt);
    return [row, raw];
  },
  size: (row) => row.length,
  param: (rows) => `[${rows.join(',')}]`,
};

/**
 * Rows as UTF-8 bytes, each encoded once as it is made (an upsert by `upsertRowBytes`), and a
 * parameter in the form `param` gives the driver (see {@link writeJsonArray}).
 */
export function byteRows(param: RowCodec<Buffer>['param']): RowCodec<Buffer> {
  return {
    row: (json) => Buffer.from(json),
    upsert(engagement, changedAt) {
      const { row, raw } = upsertRowBytes(engagement, changedAt);
      return [row, raw];
    },
    size: (row) => row.length,
    param,
  };
}

/** Bytes of the JSON array of `rows` (UTF-8 JSON values). */
export function jsonArrayBytes(rows: readonly Uint8Array[]): number {
  let bytes = 2 + Math.max(0, rows.length - 1);
  for (const row of rows) bytes += row.length;
  return bytes;
}

/** Writes the JSON array of `rows` into `out` from `at` ({@link jsonArrayBytes} long). */
export function writeJsonArray(out: Uint8Array, at: number, rows: readonly Uint8Array[]): void {
  out[at++] = 0x5b; // [
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) out[at++] = 0x2c; // ,
    const row = rows[i] as Uint8Array;
    out.set(row, at);
    at += row.length;
  }
  out[at] = 0x5d; // ]
}
