/**
 * Diagnostic for the sync-workers benchmark (not part of `pnpm bench`): lists one backfill shard
 * per vendor (the newest `--window-days` window, or with `--whole` the benchmark's whole range)
 * through the adapter as the workers do (prefetch on), and prints each one's wall time, records and
 * vendor requests (sandbox log). With `--sync` the shard is synced into a Postgres this script
 * starts (`syncShard`, `--batch` records per transaction) and the time of each page and each commit
 * is printed. `--vendor <id>` picks one vendor. Run under `node --cpu-prof` (and `--sandbox-prof
 * <dir>` for the sandbox process) to see where a shard's time goes.
 */
import type { Engagement } from '@engagekit/core';
import { createEngagementsClient } from '@engagekit/core';
import { syncShard } from '@engagekit/sync';
import { postgresStore } from '@engagekit/sync/postgres';
import { gatedListing } from '@engagekit/sync/workers';
import { flag, SPAN, sandboxChild } from '../lib';
import { sandboxAdapters, startPostgres } from './sync-lib';

const PER_VENDOR = flag('count', 9_000);
const LATENCY = flag('latency', 50);
const PAGE = flag('page', 100);
const WINDOW_DAYS = flag('window-days', 15);
const BATCH = flag('batch', 2_000);
const arg = (name: string) =>
  process.argv.includes(`--${name}`)
    ? process.argv[process.argv.indexOf(`--${name}`) + 1]
    : undefined;
const VENDOR = arg('vendor');
const PROF = arg('sandbox-prof');
const SYNC = process.argv.includes('--sync');
const WHOLE = process.argv.includes('--whole');

const sb = await sandboxChild({
  count: PER_VENDOR,
  latencyMs: LATENCY,
  ...(PROF ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${PROF}`] } : {}),
});
const pg = SYNC ? await startPostgres() : undefined;
try {
  const adapters = sandboxAdapters(sb);
  const to = Date.parse(SPAN.to);
  const from = WHOLE ? Date.parse(SPAN.from) : to - WINDOW_DAYS * 86_400_000;
  for (const a of adapters) {
    if (VENDOR && a.id !== VENDOR) continue;
    await sb.reset();
    const t = performance.now();
    const at = () => ((performance.now() - t) / 1000).toFixed(2);
    let n = 0;
    const marks: string[] = [];
    if (pg) {
      const store = postgresStore(await pg.createDatabase(`shard_${a.id.replace(/-/g, '_')}`));
      await store.ready();
      const t0 = performance.now();
      let pages = 0;
      const stats = await syncShard({
        store,
        shard: { provider: a.id, from: new Date(from), to: new Date(to) },
        batchSize: BATCH,
        onBatch: (e) => marks.push(`commit ${e.upserted} @${at()}`),
        client: {
          engagements: {
            list: (p) => {
              const listing = a.engagements.list({
                from: p.from,
                to: p.to,
                cursor: p.cursor,
                pageSize: PAGE,
                prefetch: true,
              });
              return gatedListing(listing, p.cursor, async () => {
                if (pages++ % 10 === 0) marks.push(`page ${pages} @${at()}`);
              });
            },
          },
        },
      });
      n = stats.upserted;
      marks.push(`sync ${Math.round(performance.now() - t0)} ms`);
      await store.close();
    } else {
      const client = createEngagementsClient({ adapters });
      const items: AsyncIterable<Engagement> = client.engagements.list({
        providers: [a.id],
        from: new Date(from),
        to: new Date(to),
        pageSize: PAGE,
      });
      for await (const _ of items) n++;
    }
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
    if (marks.length) console.log(`  ${marks.join('\n  ')}`);
  }
} finally {
  await pg?.stop();
  await sb.close();
}
