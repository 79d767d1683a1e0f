import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSyncWorker } from '../src/workers';
import { startPostgres, type TestPostgres } from './support/postgres';
import { SANDBOX_NOW, SYNC_FROM, startSyncSandbox } from './support/sandbox';

// A worker's store, shared rate limits and pg-boss share one pool: each Postgres connection is a
// server process (tens of ms of CPU to start) and counts against max_connections, which every
// worker of a database shares.

let server: TestPostgres;
let sb: Sandbox;

beforeAll(async () => {
  server = await startPostgres();
  sb = await startSyncSandbox();
});
afterAll(async () => {
  await sb?.close();
  await server?.stop();
});

it('a worker opens at most concurrency + 2 connections, pg-boss included, over a whole backfill', async () => {
  const db = await server.createDatabase('connections');
  const worker = await startSyncWorker({
    db,
    adapters: [createTrutoAdapter({ ...sb.adapterOptions.truto })],
    backfill: { from: SYNC_FROM.toISOString(), to: new Date().toISOString() },
    rateLimits: { truto: { requestsPerSecond: 1000 } },
    changesCron: false,
    concurrency: 1,
    pollingIntervalSeconds: 0.5,
  });
  let status = await worker.status();
  try {
    for (let i = 0; i < 600 && !(status.total > 0 && status.finished === status.total); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await worker.status();
    }
  } finally {
    await worker.stop();
  }
  expect(status.finished).toBe(status.total);
  expect(status.total).toBeGreaterThan(1);
  const admin = new pg.Client({ connectionString: db });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ sessions: number }>(
      'SELECT sessions::int FROM pg_stat_database WHERE datname = current_database()',
    );
    // Every session this database has had, this one included.
    expect((rows[0]?.sessions ?? 0) - 1).toBeLessThanOrEqual(3);
    expect((rows[0]?.sessions ?? 0) - 1).toBeGreaterThanOrEqual(1);
  } finally {
    await admin.end();
  }
}, 120_000);

it('a worker stopped mid-shard leaves pg-boss nothing to send on the ended pool (no unhandled rejection)', async () => {
  const slow = await startSandbox({
    seed: 7,
    count: 60,
    days: 30,
    now: SANDBOX_NOW,
    faults: { latencyMs: 150 },
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const db = await server.createDatabase('stop_mid_shard');
    let started = () => {};
    const shardStarted = new Promise<void>((r) => {
      started = r;
    });
    const worker = await startSyncWorker({
      db,
      adapters: [createTrutoAdapter({ ...slow.adapterOptions.truto })],
      backfill: { from: SYNC_FROM.toISOString(), to: new Date().toISOString() },
      rateLimits: { truto: false },
      changesCron: false,
      concurrency: 2,
      pageSize: 2,
      pollingIntervalSeconds: 0.5,
      onEvent: (e) => {
        if (e.type === 'shard-start') started();
      },
    });
    await shardStarted;
    await worker.stop();
    // pg-boss reports the aborted shards after its workers stop; give it the time to try.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await slow.close();
  }
}, 120_000);
