import type { Queryable } from '../../src/driver';
import type { SyncStore } from '../../src/store';

/**
 * The store's connection as a shared rate limit takes it (what a worker gives it: a pool); `store`
 * is read on each query, so it may be opened after this is made (in `beforeAll`).
 */
export function storeQueryable(store: () => SyncStore): Queryable {
  return {
    query: async <R>(sql: string, params: readonly unknown[] = []) => ({
      rows: await store().query<R>(sql, params),
    }),
  };
}
