import type { Engagement } from '@engagekit/core';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { backfillStatus, changesQueue, planShards } from '../src/workers';
import { startPostgres, type TestPostgres } from './support/postgres';
import { type Child, pollUntil, spawnEntry } from './support/processes';
import { SANDBOX_NOW, SYNC_FROM, sandboxClient } from './support/sandbox';
import { storedEngagements } from './support/sync-suite';

const DAY = 86_400_000;
const ENTRY = 'packages/sync/test/support/worker-entry.ts';
const ZOOM_LIMIT = 5;

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

it('plans shards per provider and window within each vendor limit, newest first, without gaps', () => {
  const shards = planShards({
    providers: [{ id: 'zoom-contact-center', maxWindowMs: 30 * DAY }, { id: 'truto' }],
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-03-01T00:00:00.000Z',
    windowMs: 40 * DAY,
  });
  expect(shards.map((s) => [s.provider, s.from, s.to])).toEqual([
    ['zoom-contact-center', '2026-01-30T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ['zoom-contact-center', '2026-01-01T00:00:00.000Z', '2026-01-30T00:00:00.000Z'],
    ['truto', '2026-01-20T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ['truto', '2026-01-01T00:00:00.000Z', '2026-01-20T00:00:00.000Z'],
  ]);
  expect(() =>
    planShards({ providers: [{ id: '' }], from: new Date(0), to: new Date(DAY) }),
  ).toThrow('providers.0.id');
  expect(() =>
    planShards({ providers: [{ id: 'x' }], from: new Date(DAY), to: new Date(0) }),
  ).toThrow('to');
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
  for (let i = 0; i < 4; i++) {
    children.push(spawnEntry(ENTRY, { ENGAGEKIT_TEST_WORKER: JSON.stringify(config) }));
  }
  const [victim] = children as [Child];
  store = postgresStore(db);

  // Kill the first worker once a shard it runs has committed a batch but is not finished.
  const started = await victim.waitFor((e) => e.type === 'shard-start');
  const stream = String(started.stream);
  const state = await pollUntil(
    async () => (await store?.getCheckpoint(stream)) ?? '',
    (v) => v.includes('"cursor"') || v.includes('"done"'),
    20,
  );
  victim.proc.kill('SIGKILL');
  expect((await victim.exited).signal).toBe('SIGKILL');
  const committed = JSON.parse(state) as { phase: string };

  const status = await pollUntil(
    () => backfillStatus(store as SyncStore),
    (s) => s.total > 0 && s.finished === s.total,
  );
  expect(status.total).toBe(24);
  expect(status.done).toEqual({ devrev: 8, 'zoom-contact-center': 8, truto: 8 });

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
  if (committed.phase === 'backfill') {
    // The killed shard: expired by pg-boss, retried by a survivor, resumed after its checkpoint.
    expect(boss).toHaveLength(1);
    expect(boss[0]?.state).toBe('completed');
    expect(boss[0]?.retry_count).toBeGreaterThanOrEqual(1);
    const [, provider, from, to] = stream.match(/^shard:([^:]+):(.+Z):(.+Z)$/) ?? [];
    const inShard = [...expected.values()].filter(
      (e) => e.provider === provider && e.occurredAt >= String(from) && e.occurredAt < String(to),
    ).length;
    const out = boss[0]?.output as { upserted: number; skipped: number };
    expect(out.upserted + out.skipped).toBeLessThan(inShard);
  }
  const done = children.slice(1).flatMap((c) => c.events.filter((e) => e.type === 'shard-done'));
  expect(done.some((e) => e.stream === stream)).toBe(committed.phase === 'backfill');

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
