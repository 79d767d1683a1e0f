import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messages, PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Queryable } from '../src/driver';
import { SyncError } from '../src/errors';
import { pgliteStore } from '../src/pglite';
import { defaultTemplateCache } from '../src/pglite-template';
import {
  BYTE_ROWS,
  openPgliteThread,
  PGLITE_WORKER,
  type PgliteThreadDriver,
} from '../src/pglite-thread';
import { createStore, type SyncStore } from '../src/store';
import { fullEngagement, upsert } from './support/fixtures';
import { type BundledEntry, bundleEntry, spawnEntry } from './support/processes';
import { describeStore } from './support/store-suite';

// One worker for the suite (each test has its own schema): opening PGlite takes seconds.
let driver: PgliteThreadDriver;
beforeAll(async () => {
  driver = await openPgliteThread('memory://', defaultTemplateCache());
});
afterAll(async () => {
  await driver?.close();
});

/** A store on the suite's worker whose close() leaves the worker to the suite. */
const threadStore = (options = {}): SyncStore =>
  createStore(async () => ({ ...driver, close: async () => {} }), options, BYTE_ROWS);

describeStore('pglite (worker thread)', () => threadStore);

/** setImmediate turns of this thread's event loop while `work` runs. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const before = turns;
  try {
    await work();
  } finally {
    running = false;
  }
  return turns - before;
}

const batch = (n: number) =>
  Array.from({ length: n }, (_, i) => upsert(fullEngagement(i + 1), '2026-11-01T12:00:00.000Z'));

it('runs statements in the worker: the event loop turns while a batch of 2,000 rows commits', async () => {
  const store = threadStore({ schema: 'loop_thread' });
  await store.ready();
  const changes = batch(2_000);
  const turns = await turnsDuring(() => store.writeBatch({ changes }));
  expect(turns).toBeGreaterThan(0);
  const rows = await store.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM loop_thread.engagements',
  );
  expect(rows[0]?.n).toBe(2_000);
  // The same batch through PGlite in this thread: no turn until the commit is in.
  const db = await PGlite.create('memory://');
  try {
    const inThread = pgliteStore(db, { schema: 'loop_here' });
    await inThread.ready();
    expect(await turnsDuring(() => inThread.writeBatch({ changes }))).toBe(0);
  } finally {
    await db.close();
  }
});

it('rows reach the worker intact, ASCII or not', async () => {
  const store = threadStore({ schema: 'rows_text' });
  const ascii = fullEngagement(1, { subject: 'plain "quoted" \\ text' });
  const wide = fullEngagement(2, { subject: 'café ✓ 😀', body: 'naïve — 日本語' });
  await store.writeBatch({ changes: [upsert(ascii, '2026-11-01T12:00:00.000Z')] });
  await store.writeBatch({ changes: [upsert(wide, '2026-11-01T12:00:00.000Z')] });
  expect((await store.get(ascii.id))?.engagement).toEqual(ascii);
  expect((await store.get(wide.id))?.engagement).toEqual(wide);
});

it('a transaction holds the database: a statement from outside waits for its end', async () => {
  await driver.query('CREATE TABLE tx_isolation (n int)');
  const seen: number[] = [];
  const outside = (): Promise<void> =>
    driver
      .query<{ n: number }>('SELECT count(*)::int AS n FROM tx_isolation')
      .then((r) => void seen.push(r.rows[0]?.n ?? -1));
  let waiting: Promise<void> | undefined;
  await driver.transaction(async (tx) => {
    await tx.query('INSERT INTO tx_isolation VALUES (1)');
    waiting = outside();
    await tx.query('INSERT INTO tx_isolation VALUES (2)');
    const inside = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_isolation');
    expect(inside.rows[0]?.n).toBe(2);
    expect(seen).toEqual([]);
  });
  await waiting;
  expect(seen).toEqual([2]);
  // Rolled back: the outside statement, issued inside, sees none of the transaction's rows.
  await expect(
    driver.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_isolation VALUES (3)');
      waiting = outside();
      throw new Error('abandon');
    }),
  ).rejects.toThrow('abandon');
  await waiting;
  expect(seen).toEqual([2, 2]);
});

it('a Postgres error rejects its statement with the fields of PGlite’s DatabaseError', async () => {
  const error = await driver.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(messages.DatabaseError);
  expect((error as { code?: string }).code).toBe('42P01');
  expect((error as Error).message).toBe('relation "no_such_table" does not exist');
  // A failed statement in a transaction rolls back the ones before it.
  await driver.query('CREATE TABLE tx_failed (n int PRIMARY KEY)');
  let tx: Queryable | undefined;
  const failed = await driver
    .transaction(async (t) => {
      tx = t;
      await t.query('INSERT INTO tx_failed VALUES (1)');
      await t.query('INSERT INTO tx_failed VALUES (1)');
    })
    .catch((e: unknown) => e);
  expect((failed as { code?: string }).code).toBe('23505');
  expect((failed as { constraint?: string }).constraint).toBe('tx_failed_pkey');
  const rows = await driver.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_failed');
  expect(rows.rows[0]?.n).toBe(0);
  await expect(tx?.query('SELECT 1')).rejects.toThrow('The transaction is over.');
});

it('a worker that dies rejects the statement it was running and every later one', async () => {
  const own = await openPgliteThread('memory://', defaultTemplateCache());
  const running = own.query('SELECT count(*) FROM generate_series(1, 20000000)');
  const queued = own.query('SELECT 1');
  await own[PGLITE_WORKER].terminate();
  await expect(running).rejects.toBeInstanceOf(SyncError);
  await expect(running).rejects.toThrow('The PGlite worker thread exited (code 1).');
  await expect(queued).rejects.toBeInstanceOf(SyncError);
  await expect(own.query('SELECT 1')).rejects.toThrow('The PGlite worker thread exited');
  await expect(own.transaction(async () => 1)).rejects.toBeInstanceOf(SyncError);
  await own.close();
});

it('a store whose worker died opens a new one on its next call: committed rows and checkpoint are there', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'engagekit-pglite-lost-'));
  const drivers: PgliteThreadDriver[] = [];
  const store = createStore(
    async () => {
      if (drivers.length >= 3) throw new Error('opened too often');
      const d = await openPgliteThread(dir, defaultTemplateCache());
      drivers.push(d);
      return d;
    },
    {},
    BYTE_ROWS,
  );
  const killWorker = async (d: PgliteThreadDriver | undefined) => {
    const worker = (d as PgliteThreadDriver)[PGLITE_WORKER];
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await worker.terminate();
    await exited;
  };
  try {
    await store.writeBatch({ changes: batch(3), checkpoint: { stream: 's', value: 'one' } });
    // Killed between calls: the next call opens the directory again.
    await killWorker(drivers[0]);
    expect(await store.getCheckpoint('s')).toBe('one');
    expect(drivers).toHaveLength(2);
    // Killed mid-statement: that statement fails, the next one runs on a new worker.
    const running = store.query('SELECT count(*) FROM generate_series(1, 50000000)');
    await killWorker(drivers[1]);
    await expect(running).rejects.toBeInstanceOf(SyncError);
    await store.writeBatch({ changes: batch(5), checkpoint: { stream: 's', value: 'two' } });
    expect(drivers).toHaveLength(3);
    expect(
      await store.query<{ n: number }>('SELECT count(*)::int AS n FROM engagekit.engagements'),
    ).toEqual([{ n: 5 }]);
    expect(await store.getCheckpoint('s')).toBe('two');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

let entry: BundledEntry | undefined;
afterAll(async () => {
  await entry?.remove();
});

it('a process exits once its script ends, whether it closed the store or left it idle', async () => {
  entry = await bundleEntry('packages/sync/test/support/pglite-thread-entry.ts');
  const file = entry.file;
  const children = ['1', '0'].map((close) => spawnEntry(file, { ENGAGEKIT_TEST_CLOSE: close }));
  for (const child of children) {
    const done = await child.waitFor((e) => e.type === 'done');
    expect(done.n).toBe(42);
    expect(await child.exited).toEqual({ code: 0, signal: null });
  }
});
