/**
 * Sync into a database, then ask it questions in SQL.
 *
 * `createSync()` copies the engagements of every provider into an `engagements` table: the first
 * run backfills, later runs read only what changed (each batch committed with its checkpoint, so a
 * crash loses nothing). `pgliteStore(dir)` is Postgres embedded in the process (PGlite, a directory
 * on disk, no server); `postgresStore('postgres://…')` writes to a server with the same tables.
 * See docs/sync.md.
 * Run: npx tsx examples/sync-sandbox.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngagementsClient } from '@engagekit/core';
import { createSync } from '@engagekit/sync';
import { pgliteStore } from '@engagekit/sync/pglite';
import {
  DAY,
  type ExampleOptions,
  isMain,
  SANDBOX_NOW,
  sandboxAdapters,
  withSandbox,
} from './lib/sandbox';

export async function main({ sandbox, log = console.log }: ExampleOptions = {}) {
  return withSandbox(sandbox, async (sb) => {
    const { devrev, zoom, truto } = sandboxAdapters(sb);
    const client = createEngagementsClient({ adapters: [devrev, zoom, truto] });
    const dir = await mkdtemp(join(tmpdir(), 'engagekit-example-'));
    const store = pgliteStore(join(dir, 'db'));
    try {
      const from = new Date(SANDBOX_NOW.getTime() - 180 * DAY); // the sandbox's whole span
      const stats = await createSync({ client, store }).run({ from });
      log(`synced ${stats.upserted} engagements in ${(stats.durationMs / 1000).toFixed(1)} s`);

      const rows = await store.query<{ provider: string; kind: string; n: number }>(
        `SELECT provider, kind, count(*)::int AS n
           FROM engagekit.engagements
          WHERE deleted_at IS NULL
          GROUP BY provider, kind
          ORDER BY provider, kind`,
      );
      for (const r of rows) log(`${r.provider.padEnd(20)} ${r.kind.padEnd(8)} ${r.n}`);
      return { stats, rows, from };
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

if (isMain(import.meta.url)) await main();
