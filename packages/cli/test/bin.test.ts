import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The package's bin: a committed shim that loads dist/bin.js (built by test/global-setup.ts).
const distBin = fileURLToPath(new URL('../bin/engagekit.js', import.meta.url));
const run = promisify(execFile);

describe('the built bin (bin/engagekit.js → dist/bin.js)', () => {
  it('is built: the global setup builds dist/bin.js, the test never skips', () => {
    expect(existsSync(fileURLToPath(new URL('../dist/bin.js', import.meta.url)))).toBe(true);
  });

  it('list --sandbox --format ndjson --limit 5 prints five JSON lines and a resume cursor', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [distBin, 'list', '--sandbox', '--format', 'ndjson', '--limit', '5'],
      { env: { PATH: process.env.PATH ?? '' }, timeout: 15_000 },
    );
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(JSON.parse(l)).toHaveProperty('provider');
    expect(stderr).toMatch(/--cursor ek1\.\S+ --from \S+ --to \S+/);
  });

  it('missing credentials exit with code 2', async () => {
    const error = await run(process.execPath, [distBin, 'list'], {
      env: { PATH: process.env.PATH ?? '' },
      timeout: 15_000,
    }).catch((e: { code: number; stderr: string }) => e);
    expect((error as { code: number }).code).toBe(2);
    expect((error as { stderr: string }).stderr).toContain('DEVREV_TOKEN');
  });
});
