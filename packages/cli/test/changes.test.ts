import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngagementChange } from '@engagekit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeVendor, T0 } from '../../../test-support/changes-fake';
import { type ChangesOptions, runChanges } from '../src/commands/changes';
import { report } from '../src/errors';
import type { CliIO } from '../src/io';
import { capture, cli } from './helpers';

let vendor: FakeVendor;

beforeEach(() => {
  vendor = new FakeVendor('acme', 'modified', 500, 3);
  for (let i = 0; i < 8; i++) vendor.insert(T0 - (90 - i) * 86_400_000);
});

/** Runs `engagekit changes` in-process against the fake vendor (as the CLI would, errors reported). */
async function changes(
  opts: Partial<ChangesOptions>,
  options: {
    signal?: AbortSignal;
    onStdout?: (chunk: string) => void;
    vendors?: FakeVendor[];
  } = {},
) {
  const stdout = capture(120, false, options.onStdout);
  const stderr = capture();
  const io: CliIO = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: {},
    signal: options.signal,
  };
  let closed = 0;
  const connect = async () => ({
    adapters: (options.vendors ?? [vendor]).map((v) => v.adapter(60_000, { deletes: 'webhook' })),
    sandbox: undefined,
    close: async () => void closed++,
  });
  let code: number;
  try {
    code = await runChanges({ format: 'ndjson', ...opts }, io, connect);
  } catch (error) {
    code = report(error, io);
  }
  return { code, stdout: stdout.text, stderr: stderr.text, closed };
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EngagementChange);

function checkpointOf(stderr: string): string {
  const m = /^(ekm1\.\S+)$/m.exec(stderr);
  if (!m) throw new Error(`no checkpoint in: ${stderr}`);
  return m[1] as string;
}

const subjects = (text: string) => lines(text).map((c) => c.engagement?.subject);

describe('engagekit changes (a fake adapter with a modified-time feed)', () => {
  it('prints every change as ndjson, then the next checkpoint on stderr; the next run prints only what changed', async () => {
    const first = await changes({ since: '2025-01-01' });
    expect(first.code).toBe(0);
    const all = lines(first.stdout);
    expect(all.map((c) => c.id)).toEqual([...vendor.records.keys()].map((id) => `acme:${id}`));
    expect(all[0]).toMatchObject({ type: 'upsert', provider: 'acme', source: 'feed' });
    expect(all.every((c) => c.engagement && !('raw' in c.engagement))).toBe(true);
    expect(first.stderr).toMatch(
      /^8 changes\. Next checkpoint \(pass it as --since next time\):\n/,
    );
    expect(first.closed).toBe(1);

    // Meanwhile: an edit to an engagement that happened 90 days ago, and a late-logged one.
    vendor.edit('r000');
    vendor.insert(T0 - 200 * 86_400_000);
    const second = await changes({ since: checkpointOf(first.stderr) });
    expect(second.code).toBe(0);
    expect(subjects(second.stdout)).toEqual(['r000 v1', 'r008 v0']);

    const third = await changes({ since: checkpointOf(second.stderr) });
    expect(third.code).toBe(0);
    expect(third.stdout).toBe('');
    expect(third.stderr).toMatch(/^0 changes\./);
  });

  it('a vendor failure part-way prints the error, then a checkpoint that resumes with nothing lost', async () => {
    vendor.failAfter = 5;
    const failed = await changes({ since: '2025-01-01' });
    expect(failed.code).toBe(1);
    expect(subjects(failed.stdout)).toEqual([
      'r000 v0',
      'r001 v0',
      'r002 v0',
      'r003 v0',
      'r004 v0',
    ]);
    expect(failed.stderr).toMatch(
      /^ServerError: acme is down\nFailed after 5 changes\. Next checkpoint/,
    );
    const resumed = await changes({ since: checkpointOf(failed.stderr) });
    expect(resumed.code).toBe(0);
    // The resume boundary may repeat the last change delivered, never skip one.
    const after = subjects(resumed.stdout).filter((s) => s !== 'r004 v0');
    expect(after).toEqual(['r005 v0', 'r006 v0', 'r007 v0']);
  });

  it('Ctrl+C stops at a change boundary with exit 130 and a checkpoint that resumes', async () => {
    const interrupt = new AbortController();
    const stopped = await changes(
      { since: '2025-01-01' },
      {
        signal: interrupt.signal,
        onStdout: (chunk) => {
          if (chunk.includes('r001')) interrupt.abort();
        },
      },
    );
    expect(stopped.code).toBe(130);
    expect(subjects(stopped.stdout)).toEqual(['r000 v0', 'r001 v0']);
    expect(stopped.stderr).toMatch(/^Interrupted after 2 changes\. Next checkpoint/);
    const resumed = await changes({ since: checkpointOf(stopped.stderr) });
    expect(subjects(resumed.stdout).filter((s) => s !== 'r001 v0')).toEqual(
      ['r002', 'r003', 'r004', 'r005', 'r006', 'r007'].map((id) => `${id} v0`),
    );
  });

  it('--skip-failing: a failing provider is a warning and keeps its checkpoint; the next run gets its changes', async () => {
    const beta = new FakeVendor('beta', 'modified', 500, 3);
    beta.insert(T0 - 10 * 86_400_000);
    beta.failAfter = 0;
    const failing = await changes({ since: '2025-01-01' }, { vendors: [vendor, beta] });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/^ServerError: beta is down\nFailed after 8 changes\./);

    beta.failAfter = 0;
    const first = await changes(
      { since: '2025-01-01', skipFailing: true },
      { vendors: [vendor, beta] },
    );
    expect(first.code).toBe(0);
    expect(lines(first.stdout).map((c) => c.provider)).toEqual(Array(8).fill('acme'));
    expect(first.stderr).toMatch(
      /^warning: skipped beta: ServerError: beta is down\n8 changes\. Next checkpoint/,
    );
    const second = await changes(
      { since: checkpointOf(first.stderr), skipFailing: true },
      { vendors: [vendor, beta] },
    );
    expect(second.code).toBe(0);
    expect(lines(second.stdout).map((c) => c.id)).toEqual(['beta:r000']);
  });

  it('--checkpoint-file reads the checkpoint when it exists and writes the next one, also on failure', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'ek-changes-')), 'checkpoint');
    const refused = await changes({ checkpointFile: file });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --since <checkpoint|when>');

    vendor.failAfter = 3;
    const first = await changes({ checkpointFile: file, since: '2025-01-01' });
    expect(first.code).toBe(1);
    expect((await readFile(file, 'utf8')).trim()).toBe(checkpointOf(first.stderr));

    const both = await changes({ checkpointFile: file, since: '2025-01-01' });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('already holds a checkpoint');

    const second = await changes({ checkpointFile: file });
    expect(second.code).toBe(0);
    expect(subjects(second.stdout).filter((s) => s !== 'r002 v0')).toHaveLength(5);
    expect((await readFile(file, 'utf8')).trim()).toBe(checkpointOf(second.stderr));

    await writeFile(file, 'not a checkpoint\n');
    const garbage = await changes({ checkpointFile: file });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('does not hold an engagekit checkpoint');
  });

  it('--format json prints one array, table one tab-separated line per change, --raw keeps raw', async () => {
    const json = await changes({ since: '2025-01-01', format: 'json', raw: true });
    const parsed = JSON.parse(json.stdout) as EngagementChange[];
    expect(parsed).toHaveLength(8);
    expect(parsed[0]?.engagement?.raw).toEqual({ vendor: 'r000', fetchedAt: vendor.clock });

    const table = await changes({ since: '2025-01-01', format: 'table' });
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(8);
    expect(rows[0]?.split('\t')).toEqual([
      'upsert',
      new Date(vendor.records.get('r000')?.modifiedMs ?? 0).toISOString(),
      'acme:r000',
      'call',
      'r000 v0',
    ]);
  });

  it('an altered checkpoint is refused naming since, before any request, and no checkpoint is printed', async () => {
    const first = await changes({ since: '2025-01-01' });
    const checkpoint = checkpointOf(first.stderr);
    const requests = vendor.requests;
    const altered = `${checkpoint.slice(0, 10)}x${checkpoint.slice(11)}`;
    const r = await changes({ since: altered });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^InputValidationError: .*since/);
    expect(r.stderr).not.toContain('Next checkpoint');
    expect(vendor.requests).toBe(requests);
  });
});

describe('engagekit changes: usage', () => {
  it('needs --since or --checkpoint-file; a bad --since or --format is exit 2', async () => {
    const none = await cli(['changes']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('pass --since <checkpoint|when>');
    const bad = await cli(['changes', '--since', 'yesterday-ish']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be an ISO-8601 date');
    const csv = await cli(['changes', '--since', '7d', '--format', 'csv']);
    expect(csv.code).toBe(2);
    const raw = await cli(['changes', '--since', '7d', '--format', 'table', '--raw']);
    expect(raw.code).toBe(2);
    expect(raw.stderr).toContain('--raw only applies to --format json or ndjson');
  });

  it('is listed in the help', async () => {
    const help = await cli(['--help'], { columns: 200 });
    expect(help.stdout).toMatch(/changes \[options\]\s+Print what changed since a checkpoint/);
    expect(help.stdout).toMatch(/listen \[options\]\s+Receive the vendors' webhooks/);
  });
});

describe('engagekit changes --sandbox (the three adapters)', () => {
  it('a first run prints every provider’s changes; the next run, on the same seeded data, prints none', async () => {
    const since = new Date(Date.now() - 30 * 86_400_000);
    const first = await cli(['changes', '--sandbox', '--since', since.toISOString()]);
    expect(first.code).toBe(0);
    const all = lines(first.stdout);
    expect(all.length).toBeGreaterThan(100);
    expect(new Set(all.map((c) => c.provider))).toEqual(
      new Set(['devrev', 'zoom-contact-center', 'truto']),
    );
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    expect(all.every((c) => c.type === 'upsert' && c.engagement?.id === c.id)).toBe(true);
    expect(first.stderr).toMatch(
      new RegExp(
        `^${all.length} changes\\. Next checkpoint \\(pass it as --since next time\\):\\n`,
      ),
    );
    // Each `--sandbox` run starts the emulators afresh from the same seed: nothing has changed.
    const second = await cli(['changes', '--sandbox', '--since', checkpointOf(first.stderr)]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(/^0 changes\./);
  });

  it('a checkpoint of one provider set resumes that set; an ekc1 checkpoint is not a merged one', async () => {
    const first = await cli(['changes', '--sandbox', '--provider', 'truto', '--since', '7d']);
    expect(first.code).toBe(0);
    expect(new Set(lines(first.stdout).map((c) => c.provider))).toEqual(new Set(['truto']));
    const again = ['--provider', 'truto', '--since', checkpointOf(first.stderr)];
    const resumed = await cli(['changes', '--sandbox', ...again]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe('');
    const perProvider = 'ekc1.e30...x';
    const refused = await cli(['changes', '--sandbox', '--since', perProvider]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^InputValidationError: .*since.*ekm1/);
  });
});

describe('engagekit changes: a real Ctrl+C (SIGINT to the process)', () => {
  it('stops with exit 130 and prints the checkpoint on stderr', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const args = ['changes', '--sandbox', '--since', '180d', '--page-size', '10'];
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/bin.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '' },
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // The first change is out: interrupt. The run has ~150 pages to go, so it is mid-way.
      if (!signalled) signalled = child.kill('SIGINT');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(signalled).toBe(true);
    expect(code).toBe(130);
    const printed = lines(stdout).length;
    expect(stderr).toMatch(new RegExp(`^Interrupted after ${printed} changes\\. Next checkpoint`));
    expect(checkpointOf(stderr)).toMatch(/^ekm1\./);
  }, 60_000);
});
