import { PGlite } from '@electric-sql/pglite';
import { InputValidationError } from '@engagekit/core';
import type { Queryable, StoreDriver } from './driver';
import { defaultTemplateCache } from './pglite-template';
import { BYTE_ROWS, openPgliteThread } from './pglite-thread';
import { createStore, type StoreOptions, type SyncStore } from './store';

/** Options of {@link pgliteStore}. */
export interface PgliteStoreOptions extends StoreOptions {
  /**
   * Where a copy of an empty database is kept, so a new directory (or `memory://`) is loaded from
   * it instead of running initdb, which costs seconds of CPU. Written (gzipped, about 5 MB, mode
   * 0600) the first time a database is created, once per PGlite version. `false`: never.
   * @default `$XDG_CACHE_HOME/engagekit`, else `~/.cache/engagekit`
   */
  templateCache?: string | false | undefined;
}

/**
 * The embedded store: Postgres compiled to WebAssembly (PGlite) keeping its data in a directory,
 * with no server to run. One process opens a directory at a time.
 *
 * For a directory or `memory://`, PGlite runs in a worker thread of its own: a statement costs
 * PGlite CPU in the thread that runs it (a batch of 2,000 rows, most of a second), which would
 * otherwise stall this thread's timers and sockets, and the sync's listing goes on meanwhile. A
 * `PGlite` you pass in runs where you opened it.
 *
 * @param dir The data directory (created when missing), e.g. `'./.engagekit'`; `'memory://'` keeps
 *   everything in memory. Or a `PGlite` you opened yourself: `close()` leaves it open.
 * @example
 * const store = pgliteStore('./.engagekit');
 * const sync = createSync({ client, store });
 */
export function pgliteStore(dir: string | PGlite, options: PgliteStoreOptions = {}): SyncStore {
  if (dir instanceof PGlite) return createStore(async () => pgliteDriver(dir, false), options);
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new InputValidationError([
      {
        path: 'dir',
        rule: 'invalid_type',
        message: 'expected a directory path, "memory://" or a PGlite',
      },
    ]);
  }
  const cache = options.templateCache;
  if (cache !== undefined && cache !== false && (typeof cache !== 'string' || cache === '')) {
    throw new InputValidationError([
      {
        path: 'templateCache',
        rule: 'invalid_type',
        message: 'expected a directory path or false',
      },
    ]);
  }
  return createStore(
    () => openPgliteThread(dir, cache === false ? undefined : (cache ?? defaultTemplateCache())),
    options,
    BYTE_ROWS,
  );
}

function pgliteDriver(db: PGlite, owned: boolean): StoreDriver {
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await q.query<R>(sql, [...params]);
      return { rows: result.rows, rowCount: result.affectedRows };
    },
  });
  return {
    ...wrap(db),
    async queryArrays(sql, params = []) {
      const result = await db.query<unknown[]>(sql, [...params], { rowMode: 'array' });
      return { columns: result.fields.map((f) => f.name), rows: result.rows };
    },
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: async () => {
      if (owned) await db.close();
    },
  };
}
