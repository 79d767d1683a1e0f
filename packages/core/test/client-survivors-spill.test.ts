// The external sort's edges left untested by the client mutation run
// (`reports/mutation/core/client/survivors.jsonl`): a run file that ends mid-line or has a malformed
// line fails with its own error; a run file that vanished fails the listing (no records silently
// lost) and leaves no file open; a run with no line is counted as no head; the exit hook removes
// the directories of listings still in progress.
import { mkdtemp, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SpillStats, sortedListing } from '../src/client/spill';
import type { Engagement } from '../src/index';
import { engagement, expectedIds, T0 } from './client-fakes';
import { failure, openUnder, runReader } from './spill-helpers';

let spillDir: string;
beforeEach(async () => {
  spillDir = await mkdtemp(join(tmpdir(), 'engagekit-survivors-'));
});
afterEach(async () => {
  await rm(spillDir, { recursive: true, force: true });
});

/** Records `u-0`… at times in no order. */
const records = (n: number) =>
  Array.from({ length: n }, (_, i) => engagement('u', `u-${i}`, T0 + ((i * 7) % n) * 1_000));

/** The listing's own directory inside `spillDir`. */
async function listingDir(): Promise<string> {
  const dirs = (await readdir(spillDir)).filter((d) => d.startsWith('engagekit-merge-'));
  expect(dirs).toHaveLength(1);
  return join(spillDir, dirs[0] as string);
}

/**
 * One window of `all`, one record at a time; once the last one was taken in (every full chunk is
 * a run by then), `tamper` gets the listing's directory.
 */
function listing(
  all: Engagement[],
  maxBuffered: number,
  stats: SpillStats,
  tamper: (dir: string) => Promise<void>,
) {
  return sortedListing({
    windows: [[undefined, undefined]],
    list: async function* () {
      yield* all;
      await tamper(await listingDir());
    },
    sign: 1,
    maxBuffered,
    windowsInFlight: 3,
    spillDir,
    stats,
  });
}

describe('run files', () => {
  const reader = (text: string) => runReader(spillDir, text);

  it('a run that ends mid-line fails after its last whole line', async () => {
    const r = await reader(`5\t"a"\t{"n":1}\n6\t"b"\t{"n"`);
    expect(await r.next()).toBe(true);
    expect([r.t, r.id, r.value()]).toEqual([5, 'a', { n: 1 }]);
    expect(await failure(r.next())).toBe('engagekit: a spilled run ends mid-line');
    await r.close();
  });

  it('a line without its two tabs is malformed, even when a later line has them', async () => {
    for (const text of ['no tabs at all here\n', '5\t"a"\n6\t"b"\t{}\n', '5\t"a"{}\n']) {
      const r = await reader(text);
      expect([text, await failure(r.next())]).toEqual([
        text,
        'engagekit: a spilled run has a malformed line',
      ]);
      await r.close();
    }
  });
});

describe('runs that changed on disk while the listing went on', () => {
  it('a vanished run fails the listing, and every run opened for the merge is closed', async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    let dir = '';
    const sorted = listing(records(10), 4, stats, async (d) => {
      dir = d;
      expect((await readdir(d)).sort()).toEqual(['run-0.ndjson', 'run-1.ndjson']);
      await rm(join(d, 'run-1.ndjson'));
    });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const e of sorted) seen.push(e.id);
    })().then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(seen).toEqual([]);
    expect(error?.code).toBe('ENOENT');
    expect(await openUnder(dir)).toBe(0);
    expect(stats.held).toBe(0);
    expect(await readdir(spillDir)).toEqual([]);
  });

  it('a run with no line is no head: the merge counts only the runs still open', async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const all = records(10);
    const sorted = listing(all, 4, stats, (d) => truncate(join(d, 'run-1.ndjson'), 0));
    const held: number[] = [];
    const seen: string[] = [];
    for await (const e of sorted) {
      seen.push(e.id);
      held.push(stats.held);
    }
    // run-0 (the first 4 records read) and run-2 (the last 2) are merged; run-1 holds nothing.
    const kept = expectedIds([...all.slice(0, 4), ...all.slice(8)]);
    expect(seen).toEqual(kept);
    expect(stats.runsWritten).toBe(3);
    // Two heads while both runs have lines, then one, then none.
    expect(held[0]).toBe(2);
    expect(held.at(-1)).toBe(0);
    expect(stats.held).toBe(0);
  });

  it('over 64 runs, an empty one among those merged first leaves the count at zero', async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const all = records(70);
    const sorted = listing(all, 1, stats, (d) => truncate(join(d, 'run-5.ndjson'), 0));
    const seen: string[] = [];
    for await (const e of sorted) seen.push(e.id);
    // One record per run: run-5 held the sixth record read.
    const kept = expectedIds(all.filter((e) => e.id !== 'u:u-5'));
    expect(seen).toEqual(kept);
    // 70 runs, then the first 64 merged into one.
    expect(stats.runsWritten).toBe(71);
    expect(stats.held).toBe(0);
  });
});

describe('the exit hook', () => {
  it('removes the directory of a listing still in progress, and one already gone is no error', async () => {
    // A fresh module: the hook is installed by the first listing that spills in it.
    vi.resetModules();
    const spill = await import('../src/client/spill');
    const before = new Set(process.listeners('exit'));
    const sorted = spill
      .sortedListing({
        windows: [[undefined, undefined]],
        list: async function* () {
          yield* records(12);
        },
        sign: 1,
        maxBuffered: 4,
        windowsInFlight: 3,
        spillDir,
      })
      [Symbol.asyncIterator]();
    try {
      expect((await sorted.next()).value?.id).toBe('u:u-0');
      const dir = await listingDir();
      expect((await readdir(dir)).length).toBeGreaterThan(1);
      const hooks = process.listeners('exit').filter((l) => !before.has(l));
      expect(hooks).toHaveLength(1);
      const hook = hooks[0] as (code: number) => void;
      process.removeListener('exit', hook);
      hook(0);
      expect(await readdir(spillDir)).toEqual([]);
      // Called again (the directory is still tracked until its listing ends): nothing to remove.
      expect(() => hook(0)).not.toThrow();
    } finally {
      await sorted.return?.(undefined);
    }
  });
});
