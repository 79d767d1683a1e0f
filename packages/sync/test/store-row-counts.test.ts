import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Queryable, StoreDriver } from '../src/driver';
import { SyncError } from '../src/errors';
import { pgliteStore } from '../src/pglite';
import { defaultTemplateCache, openPglite } from '../src/pglite-template';
import { createStore } from '../src/store';
import { minimalEngagement, remove, upsert } from './support/fixtures';

let db: PGlite;
beforeAll(async () => {
  db = await openPglite('memory://', defaultTemplateCache());
});
afterAll(async () => {
  await db?.close();
});

/** A driver over the real PGlite that passes on its rows but not its affected-row count. */
function countlessDriver(pglite: PGlite): StoreDriver {
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await q.query<R>(sql, [...params]);
      return { rows: result.rows };
    },
  });
  return {
    ...wrap(pglite),
    queryArrays: () => Promise.reject(new Error('not used here')),
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    close: async () => {},
  };
}

it('a driver result without a row count fails the batch with a SyncError and writes nothing, for upserts and deletes', async () => {
  const schema = 'countless';
  const e = minimalEngagement(1);
  const batches = [
    { changes: [upsert(e, '2026-11-01T00:00:00.000Z')], checkpoint: { stream: 's', value: 'u' } },
    { changes: [remove(e, '2026-11-02T00:00:00.000Z')], checkpoint: { stream: 's', value: 'd' } },
  ];
  const rows = async () => {
    const n = async (table: string) =>
      Number(
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".${table}`))
          .rows[0]?.n,
      );
    return { engagements: await n('engagements'), checkpoints: await n('checkpoints') };
  };

  const countless = createStore(async () => countlessDriver(db), { schema });
  for (const batch of batches) {
    const write = countless.writeBatch(batch);
    await expect(write).rejects.toBeInstanceOf(SyncError);
    await expect(write).rejects.toThrow(
      'The database driver did not report how many rows a write affected.',
    );
    // The error is raised inside the transaction: the rows and the checkpoint are rolled back.
    expect(await rows()).toEqual({ engagements: 0, checkpoints: 0 });
  }
  await countless.close();

  // The same batches through the real driver on the same database are counted and written.
  const real = pgliteStore(db, { schema });
  expect(await real.writeBatch(batches[0] as (typeof batches)[0])).toEqual({
    upserted: 1,
    deleted: 0,
    skipped: 0,
  });
  expect(await real.writeBatch(batches[1] as (typeof batches)[1])).toEqual({
    upserted: 0,
    deleted: 1,
    skipped: 0,
  });
  expect(await rows()).toEqual({ engagements: 1, checkpoints: 1 });
  expect((await real.get(e.id))?.deletedAt).toBe('2026-11-02T00:00:00.000Z');
  await real.close();
});
