import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTrutoAdapter } from '@engagekit/truto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSync, type SyncListening } from '../src/commands/sync';
import { sandboxNow } from '../src/context';
import { capture, cli } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engagekit-cli-sync-listen-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Lets timers and sockets run a bounded number of times until `done()` holds. */
async function until(done: () => Promise<boolean> | boolean, tries = 400): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return done();
}

it('sync --watch --listen: a create and a delete through the sandbox land in the table by webhook, before the next poll', async () => {
  const controller = new AbortController();
  let firstRunDone = false;
  const stderr = capture(120, false, (chunk) => {
    if (chunk.startsWith('run 1: ')) firstRunDone = true;
  });
  const stdout = capture();
  const seen: Record<string, unknown> = {};
  let work: Promise<void> | undefined;
  const onListening = (ready: SyncListening) => {
    // Runs beside the watch loop: the first run must finish before the write.
    work = (async () => {
      try {
        seen.providers = ready.providers;
        if (!ready.sandbox) throw new Error('no sandbox');
        seen.subscribed = ready.sandbox.webhooks.subscriptions.map((s) => s.url);
        expect(await until(() => firstRunDone)).toBe(true);
        const before = await ready.store.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM engagekit.engagements',
        );
        seen.before = before[0]?.n;
        const truto = createTrutoAdapter(ready.sandbox.adapterOptions.truto);
        const created = await truto.engagements.create({
          kind: 'call',
          subject: 'Heard by sync --listen',
          occurredAt: new Date(sandboxNow().getTime() - 86_400_000).toISOString(),
        });
        seen.id = created.id;
        seen.arrived = await until(async () => (await ready.store.get(created.id)) !== undefined);
        seen.stored = (await ready.store.get(created.id))?.engagement.subject;
        await truto.engagements.delete(created.id);
        seen.tombstoned = await until(
          async () => (await ready.store.get(created.id))?.deletedAt !== undefined,
        );
      } finally {
        controller.abort();
      }
    })();
  };
  const code = await runSync(
    {
      sandbox: true,
      provider: 'truto',
      from: new Date(sandboxNow().getTime() - 10 * 86_400_000).toISOString(),
      db: join(dir, 'db'),
      watch: '1h',
      listen: '0',
    },
    { stdout: stdout.stream, stderr: stderr.stream, env: {}, signal: controller.signal },
    { onListening },
  );
  await work;
  expect(seen.providers).toEqual(['truto']);
  expect(seen.subscribed).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/)]);
  expect(seen.before).toBeGreaterThan(5);
  expect(seen.arrived).toBe(true);
  expect(seen.stored).toBe('Heard by sync --listen');
  expect(seen.tombstoned).toBe(true);
  expect(code).toBe(130);
  // One poll only (the interval is an hour): the webhook wrote the rows.
  expect(stderr.text.match(/^run \d+: /gm)).toEqual(['run 1: ']);
  expect(stderr.text).toMatch(/Listening for webhooks of truto at http:\/\/127\.0\.0\.1:\d+\//);
  expect(stderr.text).toContain('webhook: upserted 1, deleted 0, skipped 0');
  expect(stderr.text).toContain('webhook: upserted 0, deleted 1, skipped 0');
}, 180_000);

it('--listen without --watch, or with a bad port, exits 2 naming the flag', async () => {
  const alone = await cli(['sync', '--sandbox', '--db', join(dir, 'x'), '--listen', '0']);
  expect(alone.code).toBe(2);
  expect(alone.stderr).toContain('--listen needs --watch');
  const port = await cli([
    'sync',
    '--sandbox',
    '--db',
    join(dir, 'y'),
    '--watch',
    '1h',
    '--listen',
    '70000',
  ]);
  expect(port.code).toBe(2);
  expect(port.stderr).toContain('--listen must be 0..65535');
}, 60_000);
