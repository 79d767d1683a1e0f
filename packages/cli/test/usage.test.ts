import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SANDBOX_FLAGS, type Sandbox, startSandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/index';
import { capture, cli, ndjson } from './helpers';

/** A loopback port some other server holds for the duration of `fn`. */
async function withBusyPort<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  try {
    return await fn(address.port);
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
}

describe('usage errors: exit 2, one message in CLI terms', () => {
  it('sandbox --port abc, a busy port, demo --seed abc', async () => {
    const port = await cli(['sandbox', '--port', 'abc']);
    expect(port.code).toBe(2);
    expect(port.stderr).toBe('error: --port must be an integer from 0 to 65535, got "abc"\n');

    const busy = await withBusyPort((p) => cli(['sandbox', '--port', String(p)]));
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(
      /^error: port \d+ is already in use on 127\.0\.0\.1: choose another --port/,
    );
    expect(busy.stderr).not.toContain('EADDRINUSE');

    const seed = await cli(['demo', '--seed', 'abc']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toBe('error: --seed must be an integer, got "abc"\n');
    expect(seed.stdout).toBe('');
  });

  it('--raw with table or csv is refused, for list and get', async () => {
    for (const format of ['table', 'csv']) {
      const list = await cli(['list', '--sandbox', '--raw', '--format', format]);
      expect(list.code).toBe(2);
      expect(list.stderr).toBe(
        `error: --raw only applies to --format json or ndjson, not ${format}\n`,
      );
      const get = await cli(['get', 'devrev:x', '--sandbox', '--raw', '--format', format]);
      expect(get.code).toBe(2);
      expect(get.stderr).toBe(
        `error: --raw only applies to --format json or ndjson, not ${format}\n`,
      );
    }
  });
});

describe('engagekit sandbox takes the flags of engagekit-sandbox (one definition)', () => {
  it('--help lists every shared flag', async () => {
    const help = await cli(['sandbox', '--help'], { columns: 200 });
    expect(help.code).toBe(0);
    for (const f of SANDBOX_FLAGS) expect(help.stdout).toContain(`--${f.name}`);
  });

  it('fault, latency and drift flags reach the running sandbox', async () => {
    const controller = new AbortController();
    const out = capture();
    const err = capture();
    let seen = '';
    const done = run(
      [
        'sandbox',
        '--json',
        '--count',
        '20',
        '--latency',
        '5',
        '--fault-rate',
        '0.25',
        '--fault-vendors',
        'truto',
        '--schema-drift',
        '--fault-seed',
        '9',
        '--no-rate-limits',
        '--now',
        '2026-11-01T00:00:00',
      ],
      {
        stdout: {
          write: (s: string) => {
            seen += s;
            return out.stream.write(s);
          },
        },
        stderr: err.stream,
        env: {},
        signal: controller.signal,
      },
    );
    for (let i = 0; i < 200 && !seen.includes('\n'); i++)
      await new Promise((r) => setTimeout(r, 10));
    try {
      const info = JSON.parse(seen) as { origin: string };
      const faults = (await (await fetch(`${info.origin}/__admin/faults`)).json()) as unknown;
      expect(faults).toEqual({
        seed: 9,
        truto: { latencyMs: 5, errorRate: 0.25, schemaDrift: true },
      });
    } finally {
      controller.abort();
    }
    expect(await done).toBe(0);
  });
});

describe('ids with provider aliases', () => {
  it('get zoom:<id> and zcc:<id> read the zoom-contact-center engagement', async () => {
    const listed = ndjson(
      (await cli(['list', '--sandbox', '--format', 'ndjson', '--provider', 'zoom', '--limit', '1']))
        .stdout,
    );
    const e = listed[0];
    if (!e) throw new Error('no zoom engagement listed');
    expect(e.id.startsWith('zoom-contact-center:')).toBe(true);
    for (const alias of ['zoom', 'zcc', 'ZOOM']) {
      const r = await cli(['get', `${alias}:${e.remoteId}`, '--sandbox']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { id: string }).id).toBe(e.id);
    }
  });
});

describe('demo', () => {
  it('--stop-after beyond the listing ends cleanly: exit 0, terminal cursor resumes to nothing', async () => {
    const r = await cli(['demo', '--count', '40', '--stop-after', '100000'], { columns: 140 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /the listing ended after \d+ records, before 100000: its cursor is terminal/,
    );
    expect(r.stdout).toContain('✓ the terminal cursor resumes to nothing');
    expect(r.stdout).toContain('all checks passed');
  });
});

describe('secrets', () => {
  let sb: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sb = await startSandbox({ count: 30 });
    dir = await mkdtemp(join(tmpdir(), 'engagekit-cli-secret-'));
  });
  afterAll(async () => {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a mistyped secret flag never echoes its value', async () => {
    for (const args of [
      ['list', '--devrev-tokn=SECRET-5a1f'],
      ['list', '--devrev-tokn', 'SECRET-5a1f'],
      ['list', '-xSECRET-5a1f'],
      ['get', 'devrev:1', '--truto-tokne=SECRET-5a1f'],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('unknown option');
      expect(r.stderr + r.stdout).not.toContain('SECRET');
    }
  });

  it('--devrev-token-file reads the token from a file, or from stdin with -', async () => {
    const file = join(dir, 'token');
    await writeFile(file, `${sb.credentials.devrev.token}\n`);
    const env = { DEVREV_BASE_URL: sb.urls.devrev };
    const args = ['list', '--format', 'ndjson', '--from', '180d', '--limit', '3'];
    const fromFile = await cli([...args, '--devrev-token-file', file], { env });
    expect(fromFile.code).toBe(0);
    expect(ndjson(fromFile.stdout).map((e) => e.provider)).toEqual(['devrev', 'devrev', 'devrev']);

    const stdout = capture();
    const stderr = capture();
    const code = await run([...args, '--devrev-token-file', '-'], {
      stdout: stdout.stream,
      stderr: stderr.stream,
      env,
      stdin: Readable.from([`${sb.credentials.devrev.token}\n`]),
    });
    expect(stderr.text.split('\n')[0]).toMatch(/^Stopped after 3 records/);
    expect(code).toBe(0);
    expect(ndjson(stdout.text)).toHaveLength(3);
  });

  it('a wrong token from a file fails with the flag named, never the secret', async () => {
    const file = join(dir, 'wrong');
    await writeFile(file, 'wrong-secret-9c2e\n');
    const r = await cli(['list', '--devrev-token-file', file], {
      env: { DEVREV_BASE_URL: sb.urls.devrev },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^AuthenticationError: /);
    expect(r.stderr + r.stdout).not.toContain('wrong-secret-9c2e');

    const missing = await cli(['list', '--devrev-token-file', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `error: cannot read --devrev-token-file ${join(dir, 'nope')} (ENOENT)\n`,
    );
    const both = await cli(['list', '--devrev-token', 'x', '--devrev-token-file', file]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('error: pass --devrev-token or --devrev-token-file, not both\n');
  });
});
