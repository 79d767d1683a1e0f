import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bossDb } from '../src/workers/boss-db';
import { startPostgres, type TestPostgres } from './support/postgres';

// pg-boss calls complete()/fail() without awaiting them. A CI run ended with an unhandled
// TypeError from fail() reading `rows[0].count` of the empty result the worker's db gave after
// stop(): a job that ended after its worker stopped.

let server: TestPostgres;
const pools: pg.Pool[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  server = await startPostgres();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  for (const p of pools) await p.end().catch(() => {});
  await server?.stop();
});

const newPool = (url: string) => {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pools.push(pool);
  return pool;
};

it('a job that fails after its worker stopped is reported as 0 affected, not an unhandled rejection', async () => {
  const pool = newPool(await server.createDatabase('boss_db_late'));
  let ended = false;
  const errors: unknown[] = [];
  const inner = bossDb(
    pool,
    () => ended,
    (e) => errors.push(e),
  );
  const afterEnd: { text: string; result: unknown }[] = [];
  const boss = new PgBoss({
    db: {
      async executeSql(text: string, values?: unknown[]) {
        const result = await inner.executeSql(text, values);
        if (ended) afterEnd.push({ text, result });
        return result;
      },
    } as PgBoss.Db,
    schema: 'boss_db_late',
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.createQueue('late');
  await boss.send('late', {});
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let began = () => {};
  const running = new Promise<void>((r) => {
    began = r;
  });
  await boss.work('late', { pollingIntervalSeconds: 0.5 }, async () => {
    began();
    await gate;
    throw new Error('the job ends after stop()');
  });
  await running;
  await boss.stop({ graceful: true, wait: true, timeout: 200 });
  ended = true;
  await pool.end();
  release();
  for (let i = 0; i < 100 && !afterEnd.some((c) => /COUNT\(\*\) FROM results/.test(c.text)); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const commands = afterEnd.filter((c) => /COUNT\(\*\) FROM results/.test(c.text));
  expect(commands.length).toBe(1);
  expect(commands[0]?.result).toBeUndefined();
  await new Promise((r) => setTimeout(r, 50));
  expect(unhandled).toEqual([]);
  expect(errors).toEqual([]);
}, 60_000);

it('a job command that fails on the server is reported to onError and answers 0 affected; other statements still reject', async () => {
  const pool = newPool(await server.createDatabase('boss_db_errors'));
  const errors: unknown[] = [];
  const db = bossDb(
    pool,
    () => false,
    (e) => errors.push(e),
  );
  const ok = await db.executeSql('WITH results AS (SELECT 1 AS x) SELECT COUNT(*) FROM results');
  expect(ok?.rows).toEqual([{ count: '1' }]);
  const failed = await db.executeSql(
    'WITH results AS (SELECT * FROM no_such_table) SELECT COUNT(*) FROM results',
  );
  expect(failed).toBeUndefined();
  expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['42P01']);
  await expect(db.executeSql('SELECT 1 / 0 AS x')).rejects.toMatchObject({ code: '22012' });
  expect(errors.length).toBe(1);
}, 60_000);

it('after the pool ended, nothing is sent: a job command answers undefined, any other statement no rows', async () => {
  const pool = newPool(await server.createDatabase('boss_db_ended'));
  const db = bossDb(
    pool,
    () => true,
    () => {},
  );
  await pool.end();
  expect(await db.executeSql('WITH results AS (SELECT 1) SELECT COUNT(*) FROM results')).toBe(
    undefined,
  );
  expect(await db.executeSql('SELECT 1')).toEqual({ rows: [] });
}, 60_000);
