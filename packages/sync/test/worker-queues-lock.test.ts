import { DEVREV_ENGAGEMENT_TYPES, DEVREV_TYPE_PARTITIONS } from '@engagekit/devrev';
import type { Sandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SyncWorker, type SyncWorkerEvent, startSyncWorker } from '../src/workers';
import { queuesLockKey } from '../src/workers/plan';
import { startPostgres, type TestPostgres } from './support/postgres';
import { SYNC_FROM, sandboxClient, startSyncSandbox } from './support/sandbox';

// Workers starting together used to create pg-boss's queues at once; create_queue deadlocks
// against itself and Postgres finds a deadlock only after deadlock_timeout (1 s), so every start
// beside another cost a second or more. They now take turns under an advisory lock.

let server: TestPostgres;
let sb: Sandbox;
const workers: SyncWorker[] = [];

beforeAll(async () => {
  server = await startPostgres();
  sb = await startSyncSandbox();
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await sb?.close();
  await server?.stop();
});

const options = (db: string) => ({
  db,
  adapters: [createTrutoAdapter({ ...sb.adapterOptions.truto })],
  backfill: { from: SYNC_FROM.toISOString(), to: new Date().toISOString() },
  rateLimits: { truto: false as const },
  changesCron: false as const,
  pollingIntervalSeconds: 300,
});

/** Advisory lock requests waiting in `db` (the worker queued behind the test's lock). */
async function waitingAdvisoryLocks(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`,
  );
  return rows[0]?.n ?? 0;
}

it('a worker creates its queues only while it holds the schema lock, so concurrent starts take turns', async () => {
  const db = await server.createDatabase('queues_lock');
  const holder = new pg.Client({ connectionString: db });
  await holder.connect();
  try {
    await holder.query('SELECT pg_advisory_lock(hashtext($1))', [queuesLockKey('engagekit')]);
    let started = false;
    const start = startSyncWorker(options(db)).then((w) => {
      started = true;
      workers.push(w);
      return w;
    });
    start.catch(() => {});
    // The worker queues behind the held lock (seen in pg_locks), and its start does not finish.
    let waiting = 0;
    for (let i = 0; i < 600 && waiting === 0; i++) {
      waiting = await waitingAdvisoryLocks(holder);
      if (waiting === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(waiting).toBe(1);
    expect(started).toBe(false);
    await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [queuesLockKey('engagekit')]);
    const worker = await start;
    expect(worker.plan.shards.truto).toBeGreaterThan(0);
    // The lock is given back once the queues exist.
    const { rows } = await holder.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database =
        (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(rows[0]?.n).toBe(0);
  } finally {
    await holder.end();
  }
}, 120_000);

it('four workers started at once all start, on one plan, with the queues created once', async () => {
  const db = await server.createDatabase('queues_four');
  const four = await Promise.all(Array.from({ length: 4 }, () => startSyncWorker(options(db))));
  workers.push(...four);
  const plans = four.map((w) => JSON.stringify(w.plan));
  expect(new Set(plans).size).toBe(1);
  const admin = new pg.Client({ connectionString: db });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ name: string }>(
      'SELECT name FROM engagekit_jobs.queue ORDER BY name',
    );
    expect(rows.map((r) => r.name)).toEqual(['changes-truto', 'shards']);
  } finally {
    await admin.end();
  }
}, 120_000);

it('workers started together plan once: one counts the partitions and writes the plan, the others join it', async () => {
  const db = await server.createDatabase('plan_once');
  const events: SyncWorkerEvent[][] = [[], [], [], []];
  const { adapters } = sandboxClient(sb);
  const four = await Promise.all(
    events.map((mine) =>
      startSyncWorker({
        ...options(db),
        adapters: [adapters.devrev],
        partitions: { devrev: DEVREV_TYPE_PARTITIONS },
        rateLimits: { devrev: false },
        onEvent: (e) => mine.push(e),
      }),
    ),
  );
  workers.push(...four);
  const counted = events.map((mine) => mine.filter((e) => e.type === 'partitions').length);
  expect(counted.sort()).toEqual([0, 0, 0, 1]);
  const created = events.map(
    (mine) => mine.filter((e) => e.type === 'plan' && e.created === true).length,
  );
  expect(created.sort()).toEqual([0, 0, 0, 1]);
  for (const w of four) expect(w.plan.shards).toEqual({ devrev: DEVREV_ENGAGEMENT_TYPES.length });
}, 120_000);
