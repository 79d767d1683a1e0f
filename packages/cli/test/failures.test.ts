import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, ndjson, resumeHint, sandboxEnv } from './helpers';

describe('a listing that fails part-way (the vendors start answering 500)', {
  timeout: 60_000,
}, () => {
  let sb: Sandbox;
  const range = ['--from', '2025-11-01T00:00:00Z', '--to', '2026-11-01T00:00:00Z'];
  beforeAll(async () => {
    sb = await startSandbox({
      seed: 42,
      count: 500,
      days: 365,
      now: new Date('2026-11-01T00:00:00Z'),
    });
  });
  beforeEach(() => sb.reset());
  afterAll(() => sb.close());

  /**
   * Runs `list` and makes every later vendor request fail once the first record is out. Small pages
   * over a year of windows leave requests to make after the first record, however far the merge
   * reads ahead.
   */
  const failingAfterFirstRecord = (args: string[]) => {
    let armed = false;
    return cli(['list', '--page-size', '10', ...args, ...range], {
      env: sandboxEnv(sb),
      onStdout: () => {
        if (armed) return;
        armed = true;
        sb.faults.failNext('*', { status: 500, count: 10_000 });
      },
    });
  };

  it('ndjson: exit 1, the error, then the resume line; resuming lists exactly the rest', async () => {
    const failed = await failingAfterFirstRecord(['--format', 'ndjson']);
    expect(failed.code).toBe(1);
    const head = ndjson(failed.stdout);
    expect(head.length).toBeGreaterThan(0);
    const lines = failed.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ServerError: (devrev|zoom-contact-center|truto) 500 /);
    expect(lines[1]).toBe(
      `Failed after ${head.length} records. To resume, run the same command with:`,
    );
    expect(lines[2]).toMatch(
      /^ {2}--cursor ek1\.\S+ --from 2025-11-01T00:00:00\.000Z --to 2026-11-01T00:00:00\.000Z$/,
    );
    expect(lines).toHaveLength(3);

    sb.reset();
    const rest = await cli(
      ['list', '--format', 'ndjson', '--page-size', '10', ...resumeHint(failed.stderr)],
      { env: sandboxEnv(sb) },
    );
    expect(rest.code).toBe(0);
    const whole = await cli(['list', '--format', 'ndjson', ...range], { env: sandboxEnv(sb) });
    expect(whole.code).toBe(0);
    expect([...head, ...ndjson(rest.stdout)].map((e) => e.id)).toEqual(
      ndjson(whole.stdout).map((e) => e.id),
    );
  });

  it('json: stdout is one whole JSON array of the records written before the failure', async () => {
    const failed = await failingAfterFirstRecord(['--format', 'json']);
    expect(failed.code).toBe(1);
    const items = JSON.parse(failed.stdout) as Array<{ id: string }>;
    expect(items.length).toBeGreaterThan(0);
    expect(failed.stderr).toContain(`Failed after ${items.length} records.`);
  });

  it('json: a failure before the first record still leaves [] on stdout', async () => {
    sb.faults.failNext('truto', { status: 500, count: 1_000 });
    const failed = await cli(['list', '--format', 'json', ...range], { env: sandboxEnv(sb) });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toEqual([]);
    expect(failed.stderr).toMatch(/^ServerError: truto 500 /);
    expect(failed.stderr).not.toContain('--cursor');
  });

  it('--skip-failing: exit 0, the working providers on stdout, the warning on stderr', async () => {
    sb.faults.failNext('truto', { status: 500, count: 1_000 });
    const r = await cli(['list', '--format', 'ndjson', '--skip-failing', ...range], {
      env: sandboxEnv(sb),
    });
    expect(r.code).toBe(0);
    const providers = new Set(ndjson(r.stdout).map((e) => e.provider));
    expect([...providers].sort()).toEqual(['devrev', 'zoom-contact-center']);
    expect(r.stderr).toMatch(/^warning: skipped truto: ServerError: truto 500 /);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('Ctrl+C during a listing', { timeout: 60_000 }, () => {
  it('ends the JSON document, prints the resume line and exits 130', async () => {
    const controller = new AbortController();
    const r = await cli(['list', '--sandbox', '--format', 'json', '--from', '180d'], {
      signal: controller.signal,
      onStdout: () => controller.abort(),
    });
    expect(r.code).toBe(130);
    const items = JSON.parse(r.stdout) as Array<{ id: string }>;
    expect(items.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `^Interrupted after ${items.length} records\\. To resume, run the same command with:\\n {2}--cursor ek1\\.\\S+ --from \\S+ --to \\S+\\n$`,
      ),
    );
  });
});
