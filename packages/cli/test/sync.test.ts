import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTrutoAdapter } from '@engagekit/truto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sandboxNow, startCliSandbox } from '../src/context';
import { cli } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engagekit-cli-sync-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('engagekit sync --sandbox fills the embedded database, engagekit sql reads it, a rerun adds nothing', async () => {
  const db = join(dir, 'db');
  const from = new Date(sandboxNow().getTime() - 20 * 86_400_000).toISOString();
  // What the CLI's sandbox holds for Truto over the same range, read through the adapter.
  const sb = await startCliSandbox();
  const truto = createTrutoAdapter({ ...sb.adapterOptions.truto });
  const ids: string[] = [];
  for await (const e of truto.engagements.list({ from, to: new Date() })) ids.push(e.id);
  await sb.close();
  expect(ids.length).toBeGreaterThan(20);

  const first = await cli(['sync', '--sandbox', '--provider', 'truto', '--from', from, '--db', db]);
  expect(first.stderr).toMatch(
    new RegExp(`upserted ${ids.length}, deleted 0, skipped 0 in [0-9.]+ s into ${db}`),
  );
  expect(first.code).toBe(0);

  const sql = await cli([
    'sql',
    '--db',
    db,
    '--format',
    'json',
    'select id from engagekit.engagements order by id',
  ]);
  expect(sql.code).toBe(0);
  expect((JSON.parse(sql.stdout) as { id: string }[]).map((r) => r.id)).toEqual([...ids].sort());

  const again = await cli(['sync', '--sandbox', '--provider', 'truto', '--db', db]);
  expect(again.code).toBe(0);
  expect(again.stderr).toMatch(/upserted 0, deleted 0/);

  const grouped = await cli([
    'sql',
    '--db',
    db,
    'select provider, count(*)::int as n from engagekit.engagements group by 1',
  ]);
  expect(grouped.stdout).toBe(`provider\tn\ntruto\t${ids.length}\n`);
  expect(grouped.stderr).toBe('1 row\n');

  // Two columns of one name are both printed, in the statement's order; as JSON the second is
  // count_2 (count_2 is taken here, so count_3).
  const twice =
    'select count(*)::int, 7 as count_2, count(raw)::int, $$x$$ as n from engagekit.engagements';
  const table = await cli(['sql', '--db', db, twice]);
  expect(table.stdout).toBe(`count\tcount_2\tcount\tn\n${ids.length}\t7\t${ids.length}\tx\n`);
  const json = await cli(['sql', '--db', db, '--format', 'ndjson', twice]);
  expect(JSON.parse(json.stdout)).toEqual({
    count: ids.length,
    count_2: 7,
    count_3: ids.length,
    n: 'x',
  });
}, 120_000);

it('refuses bad --db, --watch and a worker without Postgres with exit 2, naming the flag', async () => {
  const bad = await cli(['sync', '--sandbox', '--db', 'mysql://h/x']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--db must be a directory or a postgres:// URL');
  const watch = await cli(['sync', '--sandbox', '--db', join(dir, 'w'), '--watch', '0s']);
  expect(watch.code).toBe(2);
  expect(watch.stderr).toContain('--watch must be an interval');
  const worker = await cli(['sync', 'worker', '--sandbox', '--db', join(dir, 'x')]);
  expect(worker.code).toBe(2);
  expect(worker.stderr).toContain('sync worker needs --db postgres://');
  const sql = await cli(['sql', '--db', join(dir, 'db2'), 'select * from nowhere']);
  expect(sql.code).toBe(1);
  expect(sql.stderr).toContain('nowhere');
}, 60_000);
