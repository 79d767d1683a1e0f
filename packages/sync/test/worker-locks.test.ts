import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { onceAmongWorkers } from '../src/workers/locks';
import { startPostgres, type TestPostgres } from './support/postgres';

// Set-up one worker does while the others wait (the queues, the plan): the others wait on a
// shared lock, side by side, and all go on at once when the first lets go.

let server: TestPostgres;
let url: string;
let pool: pg.Pool;
let admin: pg.Client;

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('locks');
  pool = new pg.Pool({ connectionString: url, max: 8 });
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await pool?.end();
  await server?.stop();
});

/** Advisory locks of this database by mode and whether granted, e.g. `ShareLock waiting`. */
async function advisoryLocks(): Promise<string[]> {
  const { rows } = await admin.query<{ mode: string; granted: boolean }>(
    `SELECT l.mode, l.granted FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND d.datname = current_database() ORDER BY l.mode, l.granted`,
  );
  return rows.map((r) => `${r.mode} ${r.granted ? 'held' : 'waiting'}`);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
}

it('one caller does the work while the others wait on a shared lock, then all return its result', async () => {
  let result: string | undefined;
  let works = 0;
  let finish = () => {};
  const held = new Promise<void>((r) => {
    finish = r;
  });
  const found = async () => result;
  const work = async () => {
    works++;
    if (works > 3) throw new Error('work ran more than three times');
    await held;
    result = 'the plan';
    return result;
  };
  const callers = Array.from({ length: 4 }, () => onceAmongWorkers(pool, 'test-once', found, work));
  // One holds the lock (exclusive, in `work`); three wait side by side on the shared lock.
  await until(async () => (await advisoryLocks()).length === 4);
  expect(await advisoryLocks()).toEqual([
    'ExclusiveLock held',
    'ShareLock waiting',
    'ShareLock waiting',
    'ShareLock waiting',
  ]);
  expect(works).toBe(1);
  finish();
  expect(await Promise.all(callers)).toEqual(['the plan', 'the plan', 'the plan', 'the plan']);
  expect(works).toBe(1);
  expect(await advisoryLocks()).toEqual([]);
}, 60_000);

it('when the first caller fails, it alone gets the error and a waiting caller does the work', async () => {
  let result: number | undefined;
  let works = 0;
  let failFirst = () => {};
  const firstHeld = new Promise<void>((r) => {
    failFirst = r;
  });
  const work = async () => {
    works++;
    if (works > 3) throw new Error('work ran more than three times');
    if (works === 1) {
      await firstHeld;
      throw new Error('the first planner failed');
    }
    result = works;
    return result;
  };
  const first = onceAmongWorkers(pool, 'test-fail', async () => result, work);
  first.catch(() => {});
  await until(async () => works === 1);
  const others = [1, 2].map(() => onceAmongWorkers(pool, 'test-fail', async () => result, work));
  await until(async () => (await advisoryLocks()).length === 3);
  failFirst();
  await expect(first).rejects.toThrow('the first planner failed');
  // The second run of `work` is the one both waiting callers return.
  expect(await Promise.all(others)).toEqual([2, 2]);
  expect(works).toBe(2);
  expect(await advisoryLocks()).toEqual([]);
}, 60_000);

it('does no locking once the set-up is found done', async () => {
  let works = 0;
  const out = await onceAmongWorkers(
    pool,
    'test-done',
    async () => 'done before',
    async () => {
      works++;
      return 'worked';
    },
  );
  expect(out).toBe('done before');
  expect(works).toBe(0);
});

it('a caller that found it not done but then takes the lock looks again before working', async () => {
  let looks = 0;
  let works = 0;
  // Not done at the first look; done by the time the lock is taken (another worker finished).
  const out = await onceAmongWorkers(
    pool,
    'test-recheck',
    async () => (++looks >= 2 ? 'finished by another' : undefined),
    async () => {
      works++;
      return 'worked';
    },
  );
  expect(out).toBe('finished by another');
  expect(looks).toBe(2);
  expect(works).toBe(0);
});
