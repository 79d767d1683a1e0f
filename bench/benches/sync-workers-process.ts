/**
 * One worker process of the `sync-workers` benchmark (not a benchmark itself): builds the three
 * sandbox adapters from ENGAGEKIT_BENCH_WORKER (JSON), waits for a line on stdin, starts a
 * `startSyncWorker()` and prints `ready`; at the next line it stops the worker and prints its process
 * CPU.
 */
import { createInterface } from 'node:readline';
import { type SyncWorkerOptions, startSyncWorker } from '@engagekit/sync/workers';
import type { SandboxChild } from '../lib';
import { cpuMs, sandboxAdapters } from './sync-lib';

interface Config {
  sandbox: Pick<SandboxChild, 'urls' | 'credentials'>;
  worker: Omit<SyncWorkerOptions, 'adapters' | 'rateLimits'>;
}

const config = JSON.parse(process.env.ENGAGEKIT_BENCH_WORKER ?? '{}') as Config;
const adapters = sandboxAdapters(config.sandbox as SandboxChild);
const out = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const lines = createInterface({ input: process.stdin });
out({ type: 'loaded' });
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
const cpu = cpuMs();
const worker = await startSyncWorker({
  ...config.worker,
  adapters,
  // Off: with shared limits the vendors' limits, not the worker count, would set the pace.
  rateLimits: Object.fromEntries(adapters.map((a) => [a.id, false as const])),
  onEvent: (e) => {
    if (e.type === 'shard-failed' || e.type === 'error')
      out({ type: e.type, error: String(e.error) });
    if (process.env.BENCH_TRACE && (e.type === 'shard-start' || e.type === 'shard-done')) {
      process.stderr.write(`${Date.now() % 1e6} ${process.pid} ${e.type} ${e.stream}\n`);
    }
  },
});
out({ type: 'ready' });
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
await worker.stop();
out({ type: 'stopped', cpuMs: cpuMs() - cpu });
lines.close();
process.exit(0);
