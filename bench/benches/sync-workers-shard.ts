/**
 * Diagnostic for the sync-workers benchmark (not part of `pnpm bench`): lists one backfill shard
 * per vendor (the newest 15-day window of the benchmark's plan) through the same client the
 * workers use, and prints each one's wall time, records and vendor requests (sandbox log).
 * Run under `node --cpu-prof` to see where a shard's time goes.
 */
import { createEngagementsClient } from '@engagekit/core';
import { flag, SPAN, sandboxChild } from '../lib';
import { sandboxAdapters } from './sync-lib';

const PER_VENDOR = flag('count', 9_000);
const LATENCY = flag('latency', 50);
const PAGE = flag('page', 100);
const WINDOW_DAYS = flag('window-days', 15);
const SHARD = flag('shard', 0);
const VENDOR = process.argv.includes('--vendor')
  ? process.argv[process.argv.indexOf('--vendor') + 1]
  : undefined;

const PROF = process.argv.includes('--sandbox-prof')
  ? process.argv[process.argv.indexOf('--sandbox-prof') + 1]
  : undefined;
const sb = await sandboxChild({
  count: PER_VENDOR,
  latencyMs: LATENCY,
  ...(PROF ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${PROF}`] } : {}),
});
try {
  const adapters = sandboxAdapters(sb);
  const client = createEngagementsClient({ adapters });
  const to = Date.parse(SPAN.to) - SHARD * WINDOW_DAYS * 86_400_000;
  const from = to - WINDOW_DAYS * 86_400_000;
  for (const a of adapters) {
    if (VENDOR && a.id !== VENDOR) continue;
    await sb.reset();
    const t = performance.now();
    let n = 0;
    for await (const _ of client.engagements.list({
      providers: [a.id],
      from: new Date(from),
      to: new Date(to),
      pageSize: PAGE,
    }))
      n++;
    const ms = performance.now() - t;
    const log = await sb.log();
    const byPath = new Map<string, number>();
    for (const e of log) byPath.set(e.path, (byPath.get(e.path) ?? 0) + 1);
    console.log(a.id, {
      records: n,
      ms: Math.round(ms),
      requests: log.length,
      byPath: Object.fromEntries(byPath),
    });
  }
} finally {
  await sb.close();
}
