import { InputValidationError } from '@engagekit/core';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import { minimalEngagement, upsert } from './support/fixtures';
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
  const rows = await stores[0]!.query(`SELECT version FROM "${schema}".migrations`);
  expect(rows).toEqual([{ version: 1 }]);
  await Promise.all(stores.map((s) => s.close()));
});
