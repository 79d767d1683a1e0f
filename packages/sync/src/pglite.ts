import { PGlite } from '@electric-sql/pglite';
import { InputValidationError } from '@engagekit/core';
import type { Queryable, StoreDriver } from './driver';
import { createStore, type StoreOptions, type SyncStore } from './store';

/**
 * The embedded store: Postgres compiled to WebAssembly (PGlite) keeping its data in a directory,
 * with no server to run. One process opens a directory at a time.
 *
 * @param dir The data directory (created when missing), e.g. `'./.engagekit'`; `'memory://'` keeps
 *   everything in memory. Or a `PGlite` you opened yourself: `close()` leaves it open.
 * @example
 * const store = pgliteStore('./.engagekit');
 * const sync = createSync({ client, store });
 */
export function pgliteStore(dir: string | PGlite, options: StoreOptions = {}): SyncStore {
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
  return createStore(async () => {
    return pgliteDriver(await PGlite.create(dir), true);
  }, options);
}

function pgliteDriver(db: PGlite, owned: boolean): StoreDriver {
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await q.query<R>(sql, [...params]);
      return { rows: result.rows };
    },
  });
  return {
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: async () => {
      if (owned) await db.close();
    },
  };
}
