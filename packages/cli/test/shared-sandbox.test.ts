import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngagementChange } from '@engagekit/core';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { createTrutoAdapter } from '@engagekit/truto';
import { afterEach, describe, expect, it } from 'vitest';
import { runListen } from '../src/commands/listen';
import type { CliIO } from '../src/io';
import {
  advertiseSandbox,
  SANDBOX_FILE_ENV,
  type SandboxAdvertisement,
  sharedSandboxFile,
} from '../src/shared-sandbox';
import { capture, cli } from './helpers';

const root = fileURLToPath(new URL('../../..', import.meta.url));
/**
 * `engagekit` from source (tsx; the repo's tsconfig paths map the workspace packages to their
 * sources), so the child never runs a dist that another build is rewriting.
 */
const engagekit = ['--import', 'tsx', join(root, 'packages', 'cli', 'src', 'bin.ts')];

/** A discovery file path of this test alone: other runs on the machine never see it. */
async function discoveryFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'ek-shared-')), 'sandbox.json');
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** What an advertising process writes, for an origin and pid of the test's choosing. */
function advert(origin: string, pid: number): string {
  return JSON.stringify({
    version: 1,
    pid,
    command: 'listen',
    origin,
    adapterOptions: {
      devrev: { token: 'sandbox-devrev-pat', baseUrl: `${origin}/devrev` },
      zoom: {
        accountId: 'sandbox-account',
        clientId: 'sandbox-client-id',
        clientSecret: 'sandbox-client-secret',
        baseUrl: `${origin}/zoom/v2`,
        oauthUrl: `${origin}/zoom/oauth/token`,
      },
      truto: {
        token: 'sandbox-truto-token',
        integratedAccountId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
        baseUrl: `${origin}/truto`,
      },
    },
  });
}

/** A loopback origin where nothing listens any more. */
async function deadOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid as number;
}

const createArgs = (subject: string) => [
  'create',
  '--sandbox',
  '--provider',
  'truto',
  '--kind',
  'call',
  '--subject',
  subject,
];

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

describe('engagekit listen --sandbox and engagekit create --sandbox in two processes', () => {
  it('create in another process writes through the shared sandbox; listen prints the verified change', async () => {
    const file = await discoveryFile();
    const env = { PATH: process.env.PATH ?? '', [SANDBOX_FILE_ENV]: file };
    const listener: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      [...engagekit, 'listen', '--sandbox', '--port', '0'],
      { cwd: root, env },
    );
    cleanup.push(async () => listener.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    const waiters: Array<() => void> = [];
    const wake = () => {
      for (const w of waiters.splice(0)) w();
    };
    listener.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      wake();
    });
    listener.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      wake();
    });
    let exited = false;
    const closed = new Promise<number | null>((resolve) =>
      listener.on('close', (code) => {
        exited = true;
        wake();
        resolve(code);
      }),
    );
    // The test's timeout bounds these waits; a listener that dies fails them at once.
    const until = async (ok: () => boolean) => {
      while (!ok()) {
        if (exited) throw new Error(`listen exited early:\n${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    await until(() => stderr.includes('Ctrl+C to stop.'));
    expect(stderr).toContain(`Sandbox: none shared`);
    expect(stderr).toContain(`engagekit --sandbox commands in other shells use it (${file})`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const advertised = JSON.parse(await readFile(file, 'utf8')) as { origin: string; pid: number };
    expect(advertised.pid).toBe(listener.pid);
    expect(advertised.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const created = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve, reject) => {
        execFile(
          process.execPath,
          [...engagekit, ...createArgs('From another shell')],
          { cwd: root, env, timeout: 60_000 },
          (error, out, err) => {
            const code = error ? (error as { code?: unknown }).code : 0;
            if (typeof code !== 'number') reject(error);
            else resolve({ code, stdout: out, stderr: err });
          },
        );
      },
    );
    expect(created.stderr).toBe(
      `Sandbox: using the shared one at ${advertised.origin} (engagekit listen, pid ${listener.pid}).\n`,
    );
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    expect(id).toMatch(/^truto:\d+$/);

    await until(() => stdout.includes('\n'));
    const [change, ...more] = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as EngagementChange);
    expect(more).toEqual([]);
    expect(change).toMatchObject({ type: 'upsert', id, provider: 'truto', source: 'webhook' });
    expect(change?.engagement?.subject).toBe('From another shell');
    expect(change?.engagement?.kind).toBe('call');

    listener.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(stderr).toMatch(/Stopped: 1 delivered, 0 duplicates, 0 ignored, 0 rejected\.\n$/);
    expect(await exists(file)).toBe(false);
  }, 120_000);
});

describe('finding the shared sandbox', () => {
  it('no discovery file: create starts its own sandbox, says so, and advertises nothing', async () => {
    const file = await discoveryFile();
    const r = await cli(createArgs('Alone'), { env: { [SANDBOX_FILE_ENV]: file } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'Sandbox: none shared (start "engagekit sandbox" or "engagekit listen --sandbox" to share one); started one in this process.\n',
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ provider: 'truto', subject: 'Alone' });
    expect(await exists(file)).toBe(false);
  });

  it('a stale file (process gone; port dead; not a sandbox) is ignored and removed', async () => {
    const file = await discoveryFile();
    const env = { [SANDBOX_FILE_ENV]: file };
    const origin = await deadOrigin();
    const pid = await deadPid();
    const cases: Array<[string, string]> = [
      [advert(origin, pid), `process ${pid} is gone`],
      [advert(origin, process.pid), `nothing answers at ${origin}`],
      ['{"version":1,"pid":1', 'it does not describe a sandbox'],
      // URLs that leave the sandbox's origin are not taken from the file.
      [
        advert(origin, process.pid).replace(`${origin}/truto`, 'http://127.0.0.2:1/truto'),
        'it does not describe a sandbox',
      ],
    ];
    for (const [text, why] of cases) {
      await writeFile(file, text, { mode: 0o600 });
      const r = await cli(createArgs('After a stale file'), { env });
      expect(r.code).toBe(0);
      expect(r.stderr.split('\n')[0]).toBe(
        `Sandbox: ignored the discovery file ${file} (stale, removed: ${why}).`,
      );
      expect(r.stderr).toContain('started one in this process');
      expect(await exists(file)).toBe(false);
    }
  });

  it('a file others may write, or a link, is not used and left alone', async () => {
    const sb = await startSandbox({ count: 20 });
    cleanup.push(() => sb.close());
    const file = await discoveryFile();
    const env = { [SANDBOX_FILE_ENV]: file };
    const ad = await advertiseSandbox(sb, env, 'sandbox');
    if (!('file' in ad)) throw new Error(ad.reason);
    cleanup.push(() => ad.withdraw());
    await chmod(file, 0o666);
    const loose = await cli(createArgs('Not through a loose file'), { env });
    expect(loose.code).toBe(0);
    expect(loose.stderr.split('\n')[0]).toBe(
      `Sandbox: ignored the discovery file ${file} (not used: others may write it (it must be 0600)).`,
    );
    expect(await exists(file)).toBe(true);
    await chmod(file, 0o600);
    const link = `${file}.link`;
    await symlink(file, link);
    const linked = await cli(createArgs('Not through a link'), {
      env: { [SANDBOX_FILE_ENV]: link },
    });
    expect(linked.stderr.split('\n')[0]).toBe(
      `Sandbox: ignored the discovery file ${link} (not used: cannot read it (ELOOP)).`,
    );
    // Neither write reached the advertised sandbox.
    expect(sb.log.entries().filter((e) => e.vendor === 'truto')).toEqual([]);
  });

  it('engagekit sandbox replaces a stale file, list --sandbox uses it, and stopping removes it', async () => {
    const file = await discoveryFile();
    const env = { [SANDBOX_FILE_ENV]: file };
    await writeFile(file, advert(await deadOrigin(), await deadPid()), { mode: 0o600 });
    const stop = new AbortController();
    let ready: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const running = cli(['sandbox', '--port', '0', '--count', '30', '--json'], {
      env,
      signal: stop.signal,
      onStdout: () => ready(),
    });
    cleanup.push(async () => {
      stop.abort();
      await running;
    });
    await started;
    const advertised = JSON.parse(await readFile(file, 'utf8')) as {
      origin: string;
      pid: number;
      command: string;
    };
    expect(advertised).toMatchObject({ pid: process.pid, command: 'sandbox' });
    const listed = await cli(
      ['list', '--sandbox', '--provider', 'truto', '--format', 'ndjson', '--from', '200d'],
      { env },
    );
    expect(listed.code).toBe(0);
    expect(listed.stderr.split('\n')[0]).toBe(
      `Sandbox: using the shared one at ${advertised.origin} (engagekit sandbox, pid ${process.pid}).`,
    );
    // --count 30 is this sandbox's, not the 500 records a fresh in-process sandbox seeds.
    expect(listed.stdout.trim().split('\n')).toHaveLength(30);
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `Shared: engagekit --sandbox commands in other shells use this sandbox until it stops (${file}).`,
    );
    expect(await exists(file)).toBe(false);
  });

  it('listen --sandbox subscribes to a shared sandbox over its admin API and closes the subscriptions when it stops', async () => {
    const sb: Sandbox = await startSandbox({ count: 20 });
    cleanup.push(() => sb.close());
    const file = await discoveryFile();
    const env = { [SANDBOX_FILE_ENV]: file };
    const ad = (await advertiseSandbox(sb, env, 'sandbox')) as SandboxAdvertisement;
    cleanup.push(() => ad.withdraw());
    const stop = new AbortController();
    const changes: EngagementChange[] = [];
    let seen: () => void = () => {};
    const stdout = capture(120, false, (chunk) => {
      for (const line of chunk.split('\n').filter(Boolean)) changes.push(JSON.parse(line));
      seen();
    });
    const stderr = capture();
    const io: CliIO = { stdout: stdout.stream, stderr: stderr.stream, env, signal: stop.signal };
    let during: string[] = [];
    const code = await runListen({ port: '0', host: '127.0.0.1', sandbox: true }, io, {
      onReady: async ({ sandbox, url }) => {
        try {
          expect(sandbox).toBeUndefined();
          during = sb.webhooks.subscriptions.map((s) => `${s.provider} ${s.url}`).sort();
          expect(during).toEqual([`devrev ${url}`, `truto ${url}`, `zoom ${url}`]);
          const arrived = new Promise<void>((resolve) => {
            seen = resolve;
          });
          const truto = createTrutoAdapter(sb.adapterOptions.truto);
          await truto.engagements.create({ kind: 'email', subject: 'Heard through the admin API' });
          await arrived;
        } finally {
          stop.abort();
        }
      },
    });
    expect(code).toBe(0);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ type: 'upsert', provider: 'truto', source: 'webhook' });
    expect(changes[0]?.engagement?.subject).toBe('Heard through the admin API');
    expect(stderr.text).toContain(`(subscribed to the shared sandbox at ${sb.origin})`);
    expect(stderr.text).not.toContain('export ');
    expect(sb.webhooks.subscriptions).toEqual([]);
    // listen did not take the advertisement over: the sandbox's own is still there.
    expect(await exists(file)).toBe(true);
  });
});

describe('sharedSandboxFile', () => {
  it('is per user in TMPDIR, else the system temporary directory; off without a home, or when told', () => {
    const uid = process.getuid?.();
    if (uid === undefined) return; // the POSIX name; Windows uses the user name
    expect(sharedSandboxFile({ TMPDIR: '/x/tmp' })).toBe(`/x/tmp/engagekit-sandbox-${uid}.json`);
    expect(sharedSandboxFile({ HOME: '/home/u' })).toBe(
      join(tmpdir(), `engagekit-sandbox-${uid}.json`),
    );
    expect(sharedSandboxFile({ HOME: '/home/u', [SANDBOX_FILE_ENV]: '/a/b.json' })).toBe(
      '/a/b.json',
    );
    expect(sharedSandboxFile({ HOME: '/home/u', [SANDBOX_FILE_ENV]: 'off' })).toBeUndefined();
    expect(sharedSandboxFile({ PATH: '/usr/bin' })).toBeUndefined();
  });

  it('a bare environment shares nothing: no discovery, no message, a sandbox of its own', async () => {
    const r = await cli(createArgs('Bare'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
