import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

export function spawnEntry(entry: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', entry], {
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
