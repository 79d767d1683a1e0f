import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngagementChange } from '@engagekit/core';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { describe, expect, it } from 'vitest';
import { type ListenOptions, type ListenReady, runListen } from '../src/commands/listen';
import { report } from '../src/errors';
import type { CliIO } from '../src/io';
import { capture, cli } from './helpers';

const SECRET = 'truto-webhook-secret-for-tests';

/**
 * Starts `engagekit listen` in-process and gives `body` the ready receiver and a way to wait for
 * stdout lines; stops it (as Ctrl+C does) when `body` returns.
 */
async function listening(
  opts: Partial<ListenOptions>,
  env: Record<string, string>,
  body: (
    ready: ListenReady,
    lines: (n: number) => Promise<EngagementChange[]>,
    stderrSoFar: () => string,
  ) => Promise<void>,
) {
  const stop = new AbortController();
  const out: EngagementChange[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  const stdout = capture(120, false, (chunk) => {
    for (const line of chunk.split('\n').filter(Boolean)) out.push(JSON.parse(line));
    if (waiter && out.length >= waiter.n) waiter.resolve();
  });
  const stderr = capture();
  const io: CliIO = { stdout: stdout.stream, stderr: stderr.stream, env, signal: stop.signal };
  // The test's own timeout bounds the wait: a missing event fails it, never hangs the run.
  const lines = (n: number) =>
    new Promise<EngagementChange[]>((resolve) => {
      if (out.length >= n) return resolve(out.slice(0, n));
      waiter = { n, resolve: () => resolve(out.slice(0, n)) };
    });
  let failure: unknown;
  let code: number;
  try {
    code = await runListen({ port: '0', host: '127.0.0.1', ...opts }, io, {
      onReady: async (ready) => {
        try {
          await body(ready, lines, () => stderr.text);
        } catch (error) {
          failure = error;
        } finally {
          stop.abort();
        }
      },
    });
  } catch (error) {
    code = report(error, io);
  }
  if (failure) throw failure;
  return { code, stdout: stdout.text, stderr: stderr.text, changes: out };
}

function trutoDelivery(url: string, payload: unknown, secret = SECRET, body?: string) {
  const text = JSON.stringify(payload);
  const digest = createHmac('sha256', secret).update(text).digest('hex');
  return fetch(url, {
    method: 'POST',
    body: body ?? text,
    headers: {
      'content-type': 'application/json',
      'x-truto-signature': `format=sha256,v=${digest}`,
    },
  });
}

const deleted = (id: string) => ({
  id: `evt-${id}`,
  event: 'record:deleted',
  payload: { resource: 'crm/engagements', integrated_account_id: 'acct-1', id },
  created_at: new Date().toISOString(),
});

describe('engagekit listen', () => {
  it('prints each verified change as a JSON line; a bad signature is 401, printed nowhere but stderr', async () => {
    const r = await listening(
      {},
      { TRUTO_WEBHOOK_SECRET: SECRET },
      async ({ url, providers }, lines) => {
        expect(providers).toEqual(['truto']);
        expect((await trutoDelivery(url, deleted('1001'))).status).toBe(200);
        expect((await trutoDelivery(url, deleted('1002'), 'wrong-secret-123')).status).toBe(401);
        const tampered = JSON.stringify(deleted('1003'));
        expect(
          (await trutoDelivery(url, deleted('1004'), SECRET, tampered.replace('1003', '1005')))
            .status,
        ).toBe(401);
        expect((await trutoDelivery(url, deleted('1001'))).status).toBe(200); // a redelivery
        expect((await trutoDelivery(`${url}any/path`, deleted('1006'))).status).toBe(200);
        await lines(2);
      },
    );
    expect(r.code).toBe(0);
    expect(r.changes).toEqual([
      expect.objectContaining({
        type: 'delete',
        id: 'truto:1001',
        source: 'webhook',
        eventId: 'evt-1001',
      }),
      expect.objectContaining({ type: 'delete', id: 'truto:1006', eventId: 'evt-1006' }),
    ]);
    expect(r.stderr).toMatch(/^Ready: receiving webhooks of truto at http:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stderr.match(/warning: answered 401 to POST \//g)).toHaveLength(2);
    expect(r.stderr).toContain('Stopped: 2 delivered, 1 duplicates, 0 ignored, 2 rejected.');
    expect(r.stderr).not.toContain(SECRET);
  });

  it('--sandbox subscribes itself and prints the signed events of writes made through the sandbox', async () => {
    const r = await listening({ sandbox: true }, {}, async ({ sandbox, providers }, lines) => {
      expect(providers).toEqual(['devrev', 'zoom-contact-center', 'truto']);
      if (!sandbox) throw new Error('no sandbox');
      expect(sandbox.webhooks.subscriptions.map((s) => s.provider).sort()).toEqual([
        'devrev',
        'truto',
        'zoom',
      ]);
      const truto = createTrutoAdapter(sandbox.adapterOptions.truto);
      const created = await truto.engagements.create({
        kind: 'call',
        subject: 'Heard by listen',
        occurredAt: '2026-01-05T10:00:00Z',
      });
      await truto.engagements.update(created.id, { subject: 'Heard again' });
      await truto.engagements.delete(created.id);
      const [c, u, d] = await lines(3);
      expect(c).toMatchObject({ type: 'upsert', id: created.id, source: 'webhook' });
      expect(c?.engagement?.subject).toBe('Heard by listen');
      expect(u).toMatchObject({ type: 'upsert', id: created.id });
      expect(u?.engagement?.subject).toBe('Heard again');
      expect(d).toMatchObject({ type: 'delete', id: created.id });
    });
    expect(r.code).toBe(0);
    expect(r.changes).toHaveLength(3);
    expect(r.stderr).toContain('(subscribed to the sandbox)');
    expect(r.stderr).toMatch(/export TRUTO_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/truto /);
  });

  it('--sandbox prints export lines with which `engagekit create` in another shell reaches the same emulators', async () => {
    const r = await listening(
      { sandbox: true, provider: 'truto' },
      {},
      async (_ready, lines, stderr) => {
        const env: Record<string, string> = {};
        for (const line of stderr()
          .split('\n')
          .filter((l) => l.startsWith('export '))) {
          for (const pair of line.slice('export '.length).split(' ')) {
            const eq = pair.indexOf('=');
            env[pair.slice(0, eq)] = pair.slice(eq + 1);
          }
        }
        expect(Object.keys(env)).toContain('TRUTO_BASE_URL');
        const args = ['create', '--provider', 'truto', '--kind', 'call'];
        const created = await cli([...args, '--subject', 'From another shell'], { env });
        expect(created.code).toBe(0);
        const id = (JSON.parse(created.stdout) as { id: string }).id;
        const [change] = await lines(1);
        expect(change).toMatchObject({ type: 'upsert', id, source: 'webhook' });
        expect(change?.engagement?.subject).toBe('From another shell');
      },
    );
    expect(r.code).toBe(0);
  });

  it('--hydrate fetches the whole engagement a Zoom event names; without it the change is partial', async () => {
    const seen: Record<string, EngagementChange | undefined> = {};
    for (const hydrate of [false, true]) {
      await listening(
        { sandbox: true, provider: 'zoom', hydrate },
        {},
        async ({ sandbox }, lines) => {
          if (!sandbox) throw new Error('no sandbox');
          const zoom = createZoomContactCenterAdapter(sandbox.adapterOptions.zoom);
          const from = new Date(Date.now() - 30 * 86_400_000);
          const [e] = (await zoom.engagements.list({ from, pageSize: 1 }).firstPage()).items;
          if (!e) throw new Error('no zoom engagement');
          sandbox.webhooks.emit({
            vendor: 'zoom',
            object: 'engagement',
            action: 'updated',
            record: { engagement_id: e.remoteId, end_time: e.endTime ?? e.occurredAt },
            event: 'contact_center.engagement_ended',
          });
          const [change] = await lines(1);
          expect(change).toMatchObject({ type: 'upsert', id: e.id, source: 'webhook' });
          seen[String(hydrate)] = change;
        },
      );
    }
    expect(seen.false?.partial).toBe(true);
    expect(seen.false?.engagement).toBeUndefined();
    expect(seen.true?.partial).toBeUndefined();
    expect(seen.true?.engagement?.id).toBe(seen.true?.id);
    expect(seen.true?.engagement?.participants.length).toBeGreaterThan(0);
  });

  it('--truto-webhook-secret-file reads the secret (one trailing newline dropped)', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'ek-listen-')), 'secret');
    await writeFile(file, `${SECRET}\n`);
    const r = await listening({ trutoWebhookSecretFile: file }, {}, async ({ url }, lines) => {
      expect((await trutoDelivery(url, deleted('2001'))).status).toBe(200);
      await lines(1);
    });
    expect(r.changes.map((c) => c.id)).toEqual(['truto:2001']);
    const both = await cli([
      'listen',
      '--truto-webhook-secret',
      'x',
      '--truto-webhook-secret-file',
      file,
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      'pass --truto-webhook-secret or --truto-webhook-secret-file, not both',
    );
  });

  it('without a secret names the variables; a bad port is exit 2', async () => {
    const none = await cli(['listen']);
    expect(none.code).toBe(2);
    for (const name of [
      'DEVREV_WEBHOOK_SECRET',
      'ZOOM_WEBHOOK_SECRET_TOKEN',
      'TRUTO_WEBHOOK_SECRET',
    ]) {
      expect(none.stderr).toContain(name);
    }
    const asked = await cli(['listen', '--provider', 'zoom'], {
      env: { TRUTO_WEBHOOK_SECRET: SECRET },
    });
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('zoom-contact-center: ZOOM_WEBHOOK_SECRET_TOKEN');
    expect(asked.stderr).not.toContain('TRUTO_WEBHOOK_SECRET');
    const port = await cli(['listen', '--port', '70000', '--sandbox']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be 0..65535');
  });
});

describe('engagekit listen: a real Ctrl+C (SIGINT to the process)', () => {
  it('closes the receiver and the sandbox, prints the counters and exits 0', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const args = ['listen', '--sandbox', '--provider', 'truto'];
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/bin.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '' },
    });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!signalled && stderr.includes('Ctrl+C to stop.')) signalled = child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(signalled).toBe(true);
    expect(code).toBe(0);
    expect(stderr).toMatch(/Stopped: 0 delivered, 0 duplicates, 0 ignored, 0 rejected\.\n$/);
  }, 60_000);
});
