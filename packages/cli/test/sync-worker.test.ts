import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Engagement } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { rowToEngagement, type SyncStore } from '@engagekit/sync';
import { postgresStore } from '@engagekit/sync/postgres';
import { backfillStatus } from '@engagekit/sync/workers';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../sync/test/support/postgres';
import { sandboxEnv } from './helpers';

// The package's bin: a committed shim that loads dist/bin.js (built by test/global-setup.ts).
const distBin = fileURLToPath(new URL('../bin/engagekit.js', import.meta.url));
const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;
const FROM = new Date(TODAY - 20 * DAY).toISOString();

interface Worker {
  proc: ChildProcess;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let server: TestPostgres;
let sb: Sandbox;
let store: SyncStore | undefined;
const workers: Worker[] = [];

beforeAll(async () => {
  [server, sb] = await Promise.all([
    startPostgres(),
    startSandbox({ seed: 5, count: 80, days: 30, now: TODAY }),
  ]);
}, 120_000);
afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
  await store?.close();
  await sb?.close();
  await server?.stop();
});

/** `engagekit sync worker` from the built bin, with the sandbox's credentials in its environment. */
function startWorker(db: string): Worker {
  const proc = spawn(
    process.execPath,
    [distBin, 'sync', 'worker', '--db', db, '--from', FROM, '--concurrency', '2'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        ENGAGEKIT_SANDBOX_FILE: 'off',
        ...sandboxEnv(sb),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text += `stdout: ${chunk}`;
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const worker = { proc, stderr: () => text, exited };
  workers.push(worker);
  return worker;
}

/** Polls until `until` holds; a worker that exits meanwhile fails the test with its output. */
async function waitFor<T>(read: () => Promise<T>, until: (v: T) => boolean): Promise<T> {
  while (true) {
    for (const w of workers) {
      if (w.proc.exitCode !== null)
        throw new Error(`a worker exited (${w.proc.exitCode}): ${w.stderr()}`);
    }
    const value = await read();
    if (until(value)) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('two `engagekit sync worker --db postgres://…` processes (the built bin) plan once, share the shards and fill the table with exactly the sandbox data; SIGTERM stops them with exit 0', async () => {
  const o = sb.adapterOptions;
  const adapters = [
    createDevRevAdapter({ ...o.devrev }),
    createZoomContactCenterAdapter({ ...o.zoom }),
    createTrutoAdapter({ ...o.truto }),
  ];
  const expected = new Map<string, Engagement>();
  for (const a of adapters) {
    for await (const e of a.engagements.list({ from: FROM, to: new Date() })) expected.set(e.id, e);
  }
  expect(expected.size).toBeGreaterThan(100);

  const db = await server.createDatabase('cli_workers');
  const pair = [startWorker(db), startWorker(db)];
  store = postgresStore(db);
  // 20 days and part of today with 7-day windows: Zoom and Truto each one 7-day shard, then the
  // oldest 13-14 days in 8 quarter windows (1.75 days); DevRev, which cannot filter by date, 1 for
  // the whole range per engagement type (9).
  const status = await waitFor(
    () => backfillStatus(store as SyncStore),
    (s) => s.total > 0 && s.finished === s.total,
  );
  expect(status).toMatchObject({
    total: 27,
    finished: 27,
    done: { devrev: 9, 'zoom-contact-center': 9, truto: 9 },
  });

  const rows = await store.query(
    'SELECT * FROM engagekit.engagements WHERE deleted_at IS NULL ORDER BY id',
  );
  const stored = new Map(rows.map((r) => [String(r.id), rowToEngagement(r)]));
  expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, e] of expected) expect(stored.get(id), id).toEqual(e);

  // Both joined the same plan: one wrote it, the other found it.
  await waitFor(
    async () => pair.map((w) => w.stderr()),
    (texts) => texts.every((t) => /running \(concurrency 2\)/.test(t)),
  );
  const said = pair.map((w) => w.stderr());
  expect(
    said.filter((t) => t.includes(`planned a backfill of 27 shards from ${FROM}`)),
  ).toHaveLength(1);
  expect(
    said.filter((t) => t.includes(`joined a backfill of 27 shards from ${FROM}`)),
  ).toHaveLength(1);
  // Every shard reported once, by one of the two, with what it wrote.
  const reported = said.flatMap((t) => [
    ...t.matchAll(/^(shard:\S+): upserted (\d+), skipped (\d+)$/gm),
  ]);
  expect(reported.map((m) => m[1]).sort()).toEqual(
    (
      await store.query<{ stream: string }>(
        "SELECT stream FROM engagekit.checkpoints WHERE stream LIKE 'shard:%' ORDER BY stream",
      )
    ).map((r) => r.stream),
  );
  expect(reported.reduce((n, m) => n + Number(m[2]), 0)).toBe(expected.size);

  for (const w of pair) w.proc.kill('SIGTERM');
  for (const w of pair) {
    expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(w.stderr()).toContain('stopped; backfill 27/27 shards done');
  }
}, 240_000);
