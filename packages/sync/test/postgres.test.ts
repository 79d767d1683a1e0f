import { InputValidationError } from '@engagekit/core';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import { minimalEngagement, remove, upsert } from './support/fixtures';
import { startPostgres, type TestPostgres } from './support/postgres';
import { describeStore } from './support/store-suite';
import { describeSync } from './support/sync-suite';

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

describeStore('postgres', () => (options) => postgresStore(server.url, options));
describeSync('Postgres', () => (options) => postgresStore(server.url, options));

it('refuses what is neither a postgres:// URL nor a pool, naming the field', () => {
  expect(() => postgresStore('mysql://x')).toThrow(InputValidationError);
  expect(() => postgresStore({} as pg.Pool)).toThrow(
    'urlOrPool: expected a postgres:// connection string',
  );
});

it('works on a pool the caller owns and leaves it open on close()', async () => {
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  const store = postgresStore(pool, { schema: `owned_${process.pid}` });
  await store.writeBatch({ changes: [upsert(minimalEngagement(1), '2026-11-01T00:00:00.000Z')] });
  await store.close();
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM "owned_${process.pid}".engagements`,
  );
  expect(rows).toEqual([{ n: 1 }]);
  await pool.end();
});

it('applies migrations once when several stores start at the same moment', async () => {
  const schema = `race_${process.pid}`;
  const stores = Array.from({ length: 4 }, () => postgresStore(server.url, { schema }));
  await Promise.all(stores.map((s) => s.ready()));
  const rows = await stores[0]!.query(
    `SELECT version FROM "${schema}".migrations ORDER BY version`,
  );
  expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
  await Promise.all(stores.map((s) => s.close()));
});

it('keeps the newest version of every row when many writers race on the same ids', async () => {
  const schema = `concurrent_${process.pid}`;
  const stores = Array.from({ length: 4 }, () => postgresStore(server.url, { schema }));
  await stores[0]!.ready();
  // 8 batches of versions of ids 0..299, in shuffled orders: version v of an id changed at day v.
  let seed = 12345;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const batches = Array.from({ length: 8 }, (_, b) => {
    const changes = Array.from({ length: 300 }, (_, i) => {
      const version = Math.floor(random() * 28) + 1;
      const day = String(version).padStart(2, '0');
      const e = minimalEngagement(i, { subject: `v${version}` });
      return version === 13 && b % 2 === 0
        ? remove(e, `2026-11-${day}T00:00:00.000Z`)
        : upsert(e, `2026-11-${day}T00:00:00.000Z`);
    });
    return changes.sort(() => random() - 0.5);
  });
  const newest = new Map<string, { at: string; type: string; subject?: string | undefined }>();
  for (const c of batches.flat()) {
    const kept = newest.get(c.id);
    if (!kept || c.changedAt > kept.at || (c.changedAt === kept.at && c.type === 'delete')) {
      newest.set(c.id, { at: c.changedAt, type: c.type, subject: c.engagement?.subject });
    }
  }
  await Promise.all(batches.map((changes, i) => stores[i % 4]!.writeBatch({ changes })));
  const rows = await stores[0]!.query<{
    id: string;
    changed_at: Date;
    deleted_at: Date | null;
    subject: string;
  }>(`SELECT id, changed_at, deleted_at, subject FROM "${schema}".engagements`);
  expect(rows).toHaveLength(300);
  for (const row of rows) {
    const want = newest.get(row.id);
    expect(row.changed_at.toISOString(), row.id).toBe(want?.at);
    expect(row.deleted_at === null ? 'upsert' : 'delete', row.id).toBe(want?.type);
    if (want?.type === 'upsert') expect(row.subject, row.id).toBe(want.subject);
  }
  await Promise.all(stores.map((s) => s.close()));
});

it('runs a batch again when Postgres aborts it as a deadlock with another writer', async () => {
  const schema = `deadlock_${process.pid}`;
  const [one, two] = [postgresStore(server.url, { schema }), postgresStore(server.url, { schema })];
  const a = minimalEngagement(1);
  const b = minimalEngagement(2);
  await one.writeBatch({
    changes: [upsert(a, '2026-11-01T00:00:00.000Z'), upsert(b, '2026-11-01T00:00:00.000Z')],
  });
  // Each upsert holds its row while it sleeps, so each batch's delete then waits for the other's
  // row: a deadlock Postgres breaks by aborting one of the two transactions.
  await one.query(
    `CREATE FUNCTION "${schema}".slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END $$`,
  );
  await one.query(
    `CREATE TRIGGER slow BEFORE UPDATE ON "${schema}".engagements FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION "${schema}".slow()`,
  );
  const results = await Promise.all([
    one.writeBatch({
      changes: [upsert(a, '2026-11-02T00:00:00.000Z'), remove(b, '2026-11-02T00:00:00.000Z')],
    }),
    two.writeBatch({
      changes: [upsert(b, '2026-11-03T00:00:00.000Z'), remove(a, '2026-11-03T00:00:00.000Z')],
    }),
  ]);
  expect(results[1]).toEqual({ upserted: 1, deleted: 1, skipped: 0 });
  expect((await one.get(a.id))?.deletedAt).toBe('2026-11-03T00:00:00.000Z');
  const liveB = await one.get(b.id);
  expect(liveB?.deletedAt).toBeUndefined();
  expect(liveB?.changedAt).toBe('2026-11-03T00:00:00.000Z');
  await Promise.all([one.close(), two.close()]);
});
