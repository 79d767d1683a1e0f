import { InputValidationError } from '@engagekit/core';
import pg, { type Pool, type PoolClient } from 'pg';
import {
  byteRows,
  jsonArrayBytes,
  type Queryable,
  type RowCodec,
  type StoreDriver,
  writeJsonArray,
} from './driver';
import { createStore, type StoreOptions, type SyncStore } from './store';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions extends StoreOptions {
  /** Connections of the pool the store opens from a URL. @default 4 */
  maxConnections?: number | undefined;
}

/**
 * The server store: a Postgres database reached with node-postgres.
 *
 * @param urlOrPool A connection string (`postgres://user:pass@host:5432/db`; the store opens a pool
 *   and `close()` ends it) or a `pg.Pool` you own (`close()` leaves it open).
 */
export function postgresStore(
  urlOrPool: string | Pool,
  options: PostgresStoreOptions = {},
): SyncStore {
  const isUrl = typeof urlOrPool === 'string';
  if (isUrl ? !/^postgres(ql)?:\/\//.test(urlOrPool) : !isPool(urlOrPool)) {
    throw new InputValidationError([
      {
        path: 'urlOrPool',
        rule: 'invalid_type',
        message: 'expected a postgres:// connection string or a pg.Pool',
      },
    ]);
  }
  const max = options.maxConnections ?? 4;
  if (!Number.isInteger(max) || max < 1) {
    throw new InputValidationError([
      { path: 'maxConnections', rule: 'invalid', message: 'expected a positive integer' },
    ]);
  }
  return createStore(
    async () => {
      if (!isUrl) return poolDriver(urlOrPool, false);
      const pool = new pg.Pool({ connectionString: urlOrPool, max });
      // An idle connection the server drops must not crash the process; the next query reconnects.
      pool.on('error', () => {});
      return poolDriver(pool, true);
    },
    options,
    BINARY_ROWS,
  );
}

function isPool(value: unknown): value is Pool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Pool).connect === 'function' &&
    typeof (value as Pool).query === 'function'
  );
}

function poolDriver(pool: Pool, owned: boolean): StoreDriver {
  const wrap = (q: Pool | PoolClient): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await q.query(sql, [...params]);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? undefined };
    },
  });
  return {
    ...wrap(pool),
    async queryArrays(sql, params = []) {
      const result = await pool.query({ text: sql, values: [...params], rowMode: 'array' });
      return { columns: result.fields.map((f) => f.name), rows: result.rows as unknown[][] };
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A connection that cannot roll back is not given back to the pool.
          broken = rollbackError;
        }
        throw error;
      } finally {
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    close: async () => {
      if (owned) await pool.end();
    },
  };
}

/** `jsonb`'s binary wire format: version 1, then the JSON text in UTF-8 (`json`'s is the text). */
const JSONB_VERSION = 1;

/**
 * Rows as UTF-8 bytes, each encoded once as it is made, and a parameter in binary `jsonb` or
 * `json`, which node-postgres sends as it is: the bytes live outside the JavaScript heap, so a
 * batch waiting for its statement costs the garbage collector nothing, and no string of megabytes
 * is built, measured and copied again (what most of the process CPU of a batch went to before).
 */
const BINARY_ROWS: RowCodec<Buffer> = byteRows((rows, type) => {
  const header = type === 'jsonb' ? 1 : 0;
  const out = Buffer.allocUnsafe(header + jsonArrayBytes(rows));
  if (header) out[0] = JSONB_VERSION;
  writeJsonArray(out, header, rows);
  return out;
});
