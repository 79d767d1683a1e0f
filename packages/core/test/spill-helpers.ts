// Setup shared by the external-sort tests (run files, spill directories, FileHandle spies).
import { open, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vi } from 'vitest';
import { RunReader } from '../src/client/runs';
import type { Engagement } from '../src/index';

/** File descriptors this process holds on anything under `dir` (Linux `/proc`). */
export async function openUnder(dir: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(join('/proc/self/fd', fd)).catch(() => '');
    if (target.startsWith(dir)) n++;
  }
  return n;
}

/** A reader of `dir/run.ndjson` written with `text`. */
export async function runReader(dir: string, text: string | Buffer): Promise<RunReader> {
  const file = join(dir, 'run.ndjson');
  await writeFile(file, text);
  return RunReader.open(file);
}

/** The message `p` rejects with, or `no error`. */
export const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.message,
  );

/**
 * Spies on `FileHandle#<method>` (the class borrowed from a probe handle opened in `dir`) and gives
 * what `pick` takes from each call's arguments; more than `cap` calls fail the test fast.
 */
export async function spyFileHandle(
  dir: string,
  method: 'read' | 'write',
  cap: number,
  pick: (args: unknown[]) => number,
): Promise<number[]> {
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as Record<typeof method, (...a: unknown[]) => unknown>;
  await probe.close();
  await rm(join(dir, 'probe'));
  const seen: number[] = [];
  const original = proto[method];
  vi.spyOn(proto, method).mockImplementation(function (this: unknown, ...args: unknown[]) {
    if (seen.length > cap) throw new Error(`too many ${method}s`);
    seen.push(pick(args));
    return original.apply(this, args);
  });
  return seen;
}

/** Windows `[w, w + 1]`, one per entry of `byWindow`, and a source listing `byWindow[w]` for each. */
export function windowed(byWindow: Engagement[][], onList?: (w: number) => void) {
  return {
    windows: byWindow.map((_, w) => [w, w + 1] as const),
    list: async function* ([from]: readonly [number | undefined, number | undefined]) {
      onList?.(from ?? 0);
      yield* byWindow[from ?? 0] as Engagement[];
    },
  };
}
