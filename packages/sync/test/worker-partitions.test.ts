import { DEVREV_ENGAGEMENT_TYPES, DEVREV_TYPE_PARTITIONS } from '@engagekit/devrev';
import type { Sandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { shardStream } from '../src/sync';
import {
  checkedPartitions,
  planShards,
  type SyncWorker,
  type SyncWorkerEvent,
  startSyncWorker,
} from '../src/workers';
import { startPostgres, type TestPostgres } from './support/postgres';
import { SYNC_FROM, sandboxClient, sandboxData, startSyncSandbox } from './support/sandbox';
import { storedEngagements } from './support/sync-suite';

let server: TestPostgres;
let sb: Sandbox;
const workers: SyncWorker[] = [];
const stores: SyncStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
  sb = await startSyncSandbox();
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  for (const s of stores) await s.close();
  await sb?.close();
  await server?.stop();
});

it('plans one whole-range shard per partition for a provider without a date filter, with its own stream; ignores partitions of a provider with one', () => {
  const parts = [
    { name: 'call', native: { type: 'call' } },
    { name: 'email', native: { type: 'email' } },
  ];
  const shards = planShards({
    providers: [
      { id: 'truto', partitions: parts },
      { id: 'devrev', timeFilter: 'client', partitions: parts },
    ],
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-01-15T00:00:00.000Z',
    // Two quarters of 28 days (the oldest stretch of a range is cut in quarter windows).
    windowMs: 28 * 86_400_000,
  });
  expect(shards).toEqual([
    { ...whole('devrev'), partition: 'call', native: { type: 'call' } },
    { ...whole('devrev'), partition: 'email', native: { type: 'email' } },
    { provider: 'truto', from: '2026-01-08T00:00:00.000Z', to: '2026-01-15T00:00:00.000Z' },
    { provider: 'truto', from: '2026-01-01T00:00:00.000Z', to: '2026-01-08T00:00:00.000Z' },
  ]);
  const bad = (partitions: unknown) => () =>
    planShards({
      providers: [{ id: 'devrev', timeFilter: 'client', partitions: partitions as [] }],
      from: '2026-01-01',
      to: '2026-01-02',
    });
  expect(bad([{ name: 'a:b', native: {} }])).toThrow('providers.0.partitions.0.name');
  expect(bad([parts[0], parts[0]])).toThrow('duplicate partition call');
  expect(bad([{ name: 'x', native: null }])).toThrow('providers.0.partitions.0.native');
});

it('syncs DevRev as one shard per engagement type whose union is every record exactly once', async () => {
  const db = await server.createDatabase('partitions');
  const { adapters } = sandboxClient(sb);
  const from = SYNC_FROM.toISOString();
  const to = new Date().toISOString();
  const events: SyncWorkerEvent[] = [];
  const done = new Map<string, { upserted: number; skipped: number }>();
  let check = () => {};
  const finished = new Promise<void>((resolve) => {
    check = () => {
      const failed = events.some((e) => e.type === 'shard-failed' || e.type === 'error');
      if (done.size >= DEVREV_ENGAGEMENT_TYPES.length || failed) resolve();
    };
  });
  const worker = await startSyncWorker({
    db,
    adapters: [adapters.devrev],
    concurrency: 2,
    backfill: { from, to },
    partitions: { devrev: DEVREV_TYPE_PARTITIONS },
    rateLimits: { devrev: false },
    changesCron: false,
    pollingIntervalSeconds: 0.5,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'shard-done') done.set(e.stream, e.stats);
      check();
    },
  });
  workers.push(worker);
  expect(worker.plan.shards).toEqual({ devrev: DEVREV_ENGAGEMENT_TYPES.length });
  await finished;
  expect(events.filter((e) => e.type === 'shard-failed' || e.type === 'error')).toEqual([]);
  expect(events.find((e) => e.type === 'partitions')).toEqual({
    type: 'partitions',
    provider: 'devrev',
    used: true,
    reason: undefined,
  });
  const base = shardStream({ provider: 'devrev', from, to });
  expect([...done.keys()].sort()).toEqual(DEVREV_ENGAGEMENT_TYPES.map((t) => `${base}:${t}`));

  const expected = await sandboxData(adapters, SYNC_FROM, ['devrev']);
  expect(expected.size).toBeGreaterThan(0);
  // Exactly once: a record listed by two shards would be skipped the second time.
  const stats = [...done.values()];
  expect(stats.reduce((n, s) => n + s.upserted, 0)).toBe(expected.size);
  expect(stats.reduce((n, s) => n + s.skipped, 0)).toBe(0);
  // More than one type holds records, so the work is really split.
  expect(stats.filter((s) => s.upserted > 0).length).toBeGreaterThan(1);
  const store = postgresStore(db);
  stores.push(store);
  const stored = await storedEngagements(store);
  expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, e] of expected) expect(stored.get(id), id).toEqual(e);
});

it('keeps the single whole-range shard when the partitions do not count every record', async () => {
  const { adapters } = sandboxClient(sb);
  // A type that holds records, left out: its records would be in no partition.
  const counts = await Promise.all(
    DEVREV_TYPE_PARTITIONS.map((p) =>
      adapters.devrev.engagements.count({ native: { ...p.native } }),
    ),
  );
  const held = counts.findIndex((n) => n > 0);
  const missing = DEVREV_TYPE_PARTITIONS.filter((_, i) => i !== held);
  const total = counts.reduce((a, b) => a + b, 0);
  expect(total).toBe(await adapters.devrev.engagements.count());

  const db = await server.createDatabase('partitions_mismatch');
  const events: SyncWorkerEvent[] = [];
  const worker = await startSyncWorker({
    db,
    adapters: [adapters.devrev],
    concurrency: 1,
    backfill: { from: SYNC_FROM, to: new Date() },
    partitions: { devrev: missing },
    rateLimits: { devrev: false },
    changesCron: false,
    onEvent: (e) => events.push(e),
  });
  workers.push(worker);
  expect(worker.plan.shards).toEqual({ devrev: 1 });
  expect(events.find((e) => e.type === 'partitions')).toEqual({
    type: 'partitions',
    provider: 'devrev',
    used: false,
    reason: `the partitions count ${total - (counts[held] ?? 0)} records, the provider ${total}`,
  });

  // A count that fails (a type DevRev rejects) also means no partitions.
  const failed = await checkedPartitions(adapters.devrev, [
    ...DEVREV_TYPE_PARTITIONS,
    { name: 'webinar', native: { type: 'webinar' } },
  ]);
  expect(failed.ok).toBe(false);
  expect(failed.ok ? '' : failed.reason).toMatch(/^count failed: .*webinar/);
});

function whole(provider: string) {
  return { provider, from: '2026-01-01T00:00:00.000Z', to: '2026-01-15T00:00:00.000Z' };
}
