import type { Engagement } from '@engagekit/core';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { backfillStatus, changesQueue, planShards, sharedRateLimit } from '../src/workers';
import { startPostgres, type TestPostgres } from './support/postgres';
import { type Child, pollUntil, sleep, spawnEntry } from './support/processes';
import { SANDBOX_NOW, SYNC_FROM, sandboxClient } from './support/sandbox';
import { storedEngagements } from './support/sync-suite';

const DAY = 86_400_000;
const ENTRY = 'packages/sync/test/support/worker-entry.ts';
const ZOOM_LIMIT = 5;
const VICTIM = 'engagekit-test-victim';

let server: TestPostgres;
let sb: Sandbox;
let store: SyncStore | undefined;
const children: Child[] = [];

beforeAll(async () => {
  server = await startPostgres();
  sb = await startSandbox({
    seed: 11,
    count: 240,
    days: 30,
    now: SANDBOX_NOW,
    zoom: { rateLimitPerSecond: ZOOM_LIMIT },
    // Pages take a moment, so a worker killed after its first commit is mid-shard.
    faults: { latencyMs: 15 },
  });
});
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await store?.close();
  await sb?.close();
  await server?.stop();
});

it('plans shards per provider and window within each vendor limit, newest first, without gaps, the oldest two windows cut in quarters to be claimed last; one shard for a provider without a date filter, claimed first', () => {
  const shards = planShards({
    providers: [
      { id: 'zoom-contact-center', maxWindowMs: 30 * DAY, timeFilter: 'server' },
      { id: 'truto' },
      { id: 'devrev', timeFilter: 'client' },
    ],
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-05-01T00:00:00.000Z',
    windowMs: 40 * DAY,
  });
  // Zoom: 30-day windows (its limit) down to 60 days from the start, then 7.5-day windows.
  // Truto: 40-day windows (windowMs) down to 80 days from the start, then 10-day windows.
  expect(shards.map((s) => [s.provider, s.from, s.to])).toEqual([
    ['devrev', '2026-01-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'],
    ['zoom-contact-center', '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'],
    ['truto', '2026-03-22T00:00:00.000Z', '2026-05-01T00:00:00.000Z'],
    ['zoom-contact-center', '2026-03-02T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    ['truto', '2026-03-12T00:00:00.000Z', '2026-03-22T00:00:00.000Z'],
    ['zoom-contact-center', '2026-02-22T12:00:00.000Z', '2026-03-02T00:00:00.000Z'],
    ['truto', '2026-03-02T00:00:00.000Z', '2026-03-12T00:00:00.000Z'],
    ['zoom-contact-center', '2026-02-15T00:00:00.000Z', '2026-02-22T12:00:00.000Z'],
    ['truto', '2026-02-20T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
    ['zoom-contact-center', '2026-02-07T12:00:00.000Z', '2026-02-15T00:00:00.000Z'],
    ['truto', '2026-02-10T00:00:00.000Z', '2026-02-20T00:00:00.000Z'],
    ['zoom-contact-center', '2026-01-31T00:00:00.000Z', '2026-02-07T12:00:00.000Z'],
    ['truto', '2026-01-31T00:00:00.000Z', '2026-02-10T00:00:00.000Z'],
    ['zoom-contact-center', '2026-01-23T12:00:00.000Z', '2026-01-31T00:00:00.000Z'],
    ['truto', '2026-01-21T00:00:00.000Z', '2026-01-31T00:00:00.000Z'],
    ['zoom-contact-center', '2026-01-16T00:00:00.000Z', '2026-01-23T12:00:00.000Z'],
    ['truto', '2026-01-11T00:00:00.000Z', '2026-01-21T00:00:00.000Z'],
    ['zoom-contact-center', '2026-01-08T12:00:00.000Z', '2026-01-16T00:00:00.000Z'],
    ['truto', '2026-01-01T00:00:00.000Z', '2026-01-11T00:00:00.000Z'],
    ['zoom-contact-center', '2026-01-01T00:00:00.000Z', '2026-01-08T12:00:00.000Z'],
  ]);
  expect(() =>
    planShards({
      providers: [{ id: 'x', timeFilter: 'nowhere' as 'client' }],
      from: new Date(0),
      to: new Date(DAY),
    }),
  ).toThrow('providers.0.timeFilter');
  expect(() =>
    planShards({ providers: [{ id: '' }], from: new Date(0), to: new Date(DAY) }),
  ).toThrow('providers.0.id');
  expect(() =>
    planShards({ providers: [{ id: 'x' }], from: new Date(DAY), to: new Date(0) }),
  ).toThrow('to');
});

it('the rate_limits table is a versioned migration: applied once, recorded, and a version-1 database upgrades, with or without the table its workers made', async () => {
  const db = await server.createDatabase('migrations');
  const versions = async (s: SyncStore) =>
    (
      await s.query<{ version: number; name: string }>(
        `SELECT version, name FROM "${s.schema}".migrations ORDER BY version`,
      )
    ).map((r) => `${r.version} ${r.name}`);
  const bucket = async (s: SyncStore) =>
    s.query<{ key: string }>(`SELECT key FROM "${s.schema}".rate_limits ORDER BY key`);
  for (const workersMadeIt of [false, true]) {
    const schema = workersMadeIt ? 'v1_with_table' : 'v1_without_table';
    // A database as version 1 left it: no migration 2 or 3; its workers may have made the table.
    const old = postgresStore(db, { schema });
    await old.ready();
    await old.query(`DELETE FROM "${schema}".migrations WHERE version >= 2`);
    await old.query(
      `ALTER TABLE "${schema}".engagements ALTER COLUMN raw TYPE jsonb USING raw::jsonb`,
    );
    await old.query(`DROP TABLE "${schema}".rate_limits`);
    if (workersMadeIt) {
      await old.query(
        `CREATE TABLE "${schema}".rate_limits (key text PRIMARY KEY, tat timestamptz NOT NULL)`,
      );
      await old.query(`INSERT INTO "${schema}".rate_limits VALUES ('devrev', now())`);
    }
    expect(await versions(old)).toEqual(['1 engagements and checkpoints']);
    await old.close();

    const upgraded = postgresStore(db, { schema });
    await upgraded.ready();
    expect(await versions(upgraded)).toEqual([
      '1 engagements and checkpoints',
      '2 rate limits',
      '3 raw as json',
    ]);
    expect(await bucket(upgraded)).toEqual(workersMadeIt ? [{ key: 'devrev' }] : []);
    const queryable = {
      query: async <R>(sql: string, params?: readonly unknown[]) => ({
        rows: await upgraded.query<R & Record<string, unknown>>(sql, params),
      }),
    };
    await sharedRateLimit(queryable, { key: 'truto', requestsPerSecond: 1000, schema }).acquire();
    expect((await bucket(upgraded)).map((r) => r.key)).toEqual(
      workersMadeIt ? ['devrev', 'truto'] : ['truto'],
    );
    await upgraded.close();

    const again = postgresStore(db, { schema });
    await again.ready();
    expect(await versions(again)).toEqual([
      '1 engagements and checkpoints',
      '2 rate limits',
      '3 raw as json',
    ]);
    await again.close();
  }
});

it('4 worker processes, one SIGKILLed mid-shard: the table equals the sandbox data, the shard resumed from its checkpoint, and the shared Zoom limit got no 429s', async () => {
  const env = sandboxClient(sb);
  const to = new Date();
  const expected = new Map<string, Engagement>();
  for (const adapter of Object.values(env.adapters)) {
    for await (const e of adapter.engagements.list({ from: SYNC_FROM, to })) expected.set(e.id, e);
  }
  expect(expected.size).toBeGreaterThan(600);
  sb.log.clear();

  const db = await server.createDatabase('workers');
  const config = {
    adapterOptions: sb.adapterOptions,
    worker: {
      db,
      concurrency: 1,
      batchSize: 10,
      pageSize: 10,
      backfill: { from: SYNC_FROM, to, windowMs: 4 * DAY },
      rateLimits: { 'zoom-contact-center': { requestsPerSecond: ZOOM_LIMIT } },
      changesCron: false,
      // Long enough for a shard on a loaded machine; short enough that the killed one returns soon.
      shardExpireInSeconds: 8,
      retryDelaySeconds: 0,
      maintenanceIntervalSeconds: 1,
      pollingIntervalSeconds: 0.5,
    },
  };
  // The victim's own connections carry a name, so the test can tell when none is mid-statement.
  const victimDb = `${db}?application_name=${VICTIM}`;
  for (let i = 0; i < 4; i++) {
    const worker = i === 0 ? { ...config.worker, db: victimDb } : config.worker;
    const env = { ENGAGEKIT_TEST_WORKER: JSON.stringify({ ...config, worker }) };
    children.push(spawnEntry(ENTRY, env));
  }
  const [victim] = children as [Child];
  store = postgresStore(db);

  // Kill the first worker while a shard it runs has a committed checkpoint and is not finished.
  const { stream, victimRows } = await killMidShard(victim, store);

  const status = await pollUntil(
    () => backfillStatus(store as SyncStore),
    (s) => s.total > 0 && s.finished === s.total,
  );
  // DevRev cannot filter by date: one shard for the range. The others: 31 days and part of today,
  // 6 windows of 4 days, then the oldest 7-8 days in 8 one-day quarters.
  expect(status.total).toBe(29);
  expect(status.done).toEqual({ devrev: 1, 'zoom-contact-center': 14, truto: 14 });

  const stored = await storedEngagements(store);
  expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, e] of expected) expect(stored.get(id), id).toEqual(e);

  // Exactly one worker wrote the plan; the survivors finished every shard, the victim's included.
  const plans = children.flatMap((c) => c.events.filter((e) => e.type === 'plan'));
  expect(plans.filter((e) => e.created === true)).toHaveLength(1);
  const boss = await store.query<{ retry_count: number; state: string; output: unknown }>(
    'SELECT retry_count, state, output FROM engagekit_jobs.job WHERE singleton_key = $1',
    [stream],
  );
  // The killed shard: expired by pg-boss, retried once by a survivor, which read exactly the
  // records after the victim's last commit (a retry from the start reads all of them again).
  expect(boss).toHaveLength(1);
  expect(boss[0]?.state).toBe('completed');
  expect(boss[0]?.retry_count).toBe(1);
  const [, provider, from, until] = stream.match(/^shard:([^:]+):(.+Z):(.+Z)$/) ?? [];
  const inShard = [...expected.values()].filter(
    (e) => e.provider === provider && e.occurredAt >= String(from) && e.occurredAt < String(until),
  ).length;
  expect(victimRows).toBeGreaterThan(0);
  const out = boss[0]?.output as { upserted: number; skipped: number };
  expect(out).toEqual({ upserted: inShard - victimRows, skipped: 0 });
  const done = children.slice(1).flatMap((c) => c.events.filter((e) => e.type === 'shard-done'));
  expect(done.filter((e) => e.stream === stream)).toHaveLength(1);

  // The shared limit held 4 processes to Zoom's limit: no 429 at all, not merely retried ones.
  const zoom = sb.log.entries({ vendor: 'zoom' });
  expect(zoom.length).toBeGreaterThan(24);
  expect(zoom.filter((e) => e.status === 429)).toEqual([]);
  expect(children.flatMap((c) => c.events.filter((e) => e.type === 'shard-failed'))).toEqual([]);

  // The change feed runs as one job per provider once its shards are in: an edit is picked up.
  const target = [...expected.values()].find((e) => e.provider === 'devrev') as Engagement;
  sb.data.devrev.engagements.update(target.remoteId, { title: 'edited by the workers test' });
  const sender = new PgBoss({
    connectionString: db,
    schema: 'engagekit_jobs',
    supervise: false,
    schedule: false,
  });
  await sender.start();
  await sender.send(changesQueue('devrev'), { provider: 'devrev' }, { singletonKey: 'devrev' });
  await sender.stop({ graceful: false, wait: true });
  const edited = await pollUntil(
    async () => (await store?.get(target.id))?.engagement.subject,
    (subject) => subject === 'edited by the workers test',
  );
  expect(edited).toBe('edited by the workers test');

  for (const c of children.slice(1)) c.proc.kill('SIGTERM');
  for (const c of children.slice(1)) expect((await c.exited).code).toBe(0);
}, 150_000);

/** A checkpoint of a shard that committed a batch and has more to read. */
const midShard = (value: string | undefined) => {
  const state = value ? (JSON.parse(value) as { phase?: string; cursor?: unknown }) : undefined;
  return state?.phase === 'backfill' && typeof state.cursor === 'string';
};

/**
 * SIGKILLs `victim` (concurrency 1) at a moment its current shard has a committed, unfinished
 * checkpoint. The checkpoint is read, the victim stopped (SIGSTOP) and, once none of its
 * connections is running a statement (a COMMIT sent before the stop has landed by then), read
 * again: still unfinished, the victim is killed there; else it goes on and the next shard is
 * tried. Returns the shard's stream and how many of its rows the victim had committed, read in
 * the same snapshot as the job still in its first attempt (so no retry had written yet).
 */
async function killMidShard(
  victim: Child,
  store: SyncStore,
): Promise<{ stream: string; victimRows: number }> {
  const busy = async () =>
    Number(
      (
        await store.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'",
          [VICTIM],
        )
      )[0]?.n,
    );
  while (true) {
    if (victim.proc.exitCode !== null)
      throw new Error(`the victim exited: ${victim.stderr.join('')}`);
    const starts = victim.events.filter((e) => e.type === 'shard-start');
    const current = starts.at(-1)?.stream as string | undefined;
    if (current && midShard(await store.getCheckpoint(current))) {
      victim.proc.kill('SIGSTOP');
      await pollUntil(busy, (n) => n === 0, 10);
      if (midShard(await store.getCheckpoint(current))) {
        victim.proc.kill('SIGKILL');
        expect((await victim.exited).signal).toBe('SIGKILL');
        const [, provider, from, to] = current.match(/^shard:([^:]+):(.+Z):(.+Z)$/) ?? [];
        const [snapshot] = await store.query<{ rows: string; attempt: number; state: string }>(
          `SELECT (SELECT count(*) FROM engagekit.engagements
                    WHERE provider = $2 AND occurred_at >= $3 AND occurred_at < $4) AS rows,
                  j.retry_count AS attempt, j.state
             FROM engagekit_jobs.job j WHERE j.singleton_key = $1`,
          [current, provider, from, to],
        );
        expect(snapshot).toMatchObject({ attempt: 0, state: 'active' });
        return { stream: current, victimRows: Number(snapshot?.rows) };
      }
      victim.proc.kill('SIGCONT');
    }
    await sleep(10);
  }
}
