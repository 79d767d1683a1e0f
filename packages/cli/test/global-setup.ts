import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsup = join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** JavaScript only, over the old files: types are not needed to run, and `clean` would delete them. */
function build(pkg: string): void {
  execFileSync(process.execPath, [tsup, '--no-dts', '--no-clean'], {
    cwd: join(root, 'packages', pkg),
    stdio: 'pipe',
  });
}

/** A package's `dist` is missing or older than one of its source files. */
function stale(pkg: string, entry: string): boolean {
  const dir = join(root, 'packages', pkg);
  const built = join(dir, 'dist', entry);
  return !existsSync(built) || statSync(built).mtimeMs < newestMtime(join(dir, 'src'));
}

/**
 * The bin test runs the built CLI, which imports the built workspace packages: build each one
 * whose `dist` is missing or older than its sources. A failed build fails the run with tsup's
 * output, so the bin test never passes by being skipped.
 */
export default function setup(): void {
  try {
    for (const pkg of ['core', 'devrev', 'zoom-contact-center', 'truto', 'sandbox', 'sync']) {
      if (stale(pkg, 'index.js')) build(pkg);
    }
    if (stale('cli', 'bin.js')) build('cli');
  } catch (error) {
    const output = (error as { stderr?: Buffer; stdout?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`building the CLI for the bin test failed:\n${output || String(error)}`);
  }
}
