// More of the external sort's edges left untested by the client mutation run
// (`reports/mutation/core/client/survivors.jsonl`, `src/client/spill.ts`): one exit hook per
// process; the abort listeners allowed per listing; runs written in 64 KiB writes (spill and merge
// of runs); exactly `MAX_FAN_IN` runs merged without a longer run; a window's runs deleted once it
// was merged; records of the same key keep their listing order; `held` back to zero when the listing
// ends or is abandoned at a window's end; the windows read ahead, in order.
import { getEventListeners, getMaxListeners } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_FAN_IN, type SpillStats, sortedListing } from '../src/client/spill';
import type { Engagement } from '../src/index';
import { engagement, T0 } from './client-fakes';
import { openUnder, spyFileHandle, windowed } from './spill-helpers';

let spillDir: string;
beforeEach(async () => {
  spillDir = await mkdtemp(join(tmpdir(), 'engagekit-survivors2-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(spillDir, { recursive: true, force: true });
});

const newStats = (): SpillStats => ({ held: 0, peakHeld: 0, runsWritten: 0 });

/** Records `<p>-0`… at times in no order. */
const records = (p: string, n: number, pad = 0) =>
  Array.from({ length: n }, (_, i) => {
    const e = engagement(p, `${p}-${i}`, T0 + ((i * 7) % n) * 1_000);
    if (pad > 0) e.subject = 's'.repeat(pad);
    return e;
  });

/** Ids in the order the listing must give them (ascending time, then id). */
const sortedIds = (all: Engagement[]) =>
  [...all]
    .sort((a, b) =>
      a.occurredAt !== b.occurredAt
        ? a.occurredAt < b.occurredAt
          ? -1
          : 1
        : a.id < b.id
          ? -1
          : a.id > b.id
            ? 1
            : 0,
    )
    .map((e) => e.id);

/** One window listing `all`. */
const oneWindow = (all: Engagement[], maxBuffered: number, stats: SpillStats) =>
  sortedListing({
    windows: [[undefined, undefined]],
    list: async function* () {
      yield* all;
    },
    sign: 1,
    maxBuffered,
    windowsInFlight: 0,
    spillDir,
    stats,
  });

async function ids(listing: AsyncIterable<Engagement>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of listing) out.push(e.id);
  return out;
}

/** Lengths of the `FileHandle.write` calls made meanwhile (the run writer's flushes). */
const spyWrites = () => spyFileHandle(spillDir, 'write', 5_000, (args) => args[2] as number);

describe('process-wide and per-listing limits', () => {
  it('installs one exit hook for all the listings of the process', async () => {
    const before = process.listenerCount('exit');
    const first = records('a', 30);
    expect(await ids(oneWindow(first, 10, newStats()))).toEqual(sortedIds(first));
    const afterFirst = process.listenerCount('exit');
    expect([0, 1]).toContain(afterFirst - before);
    expect(await ids(oneWindow(records('b', 30), 10, newStats()))).toHaveLength(30);
    expect(await ids(oneWindow(records('c', 30), 10, newStats()))).toHaveLength(30);
    expect(process.listenerCount('exit')).toBe(afterFirst);
  });

  it('lets each window read at once hold six abort listeners', async () => {
    const limits: number[] = [];
    const listing = sortedListing({
      windows: [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
      ],
      list: async function* ([from], signal) {
        limits.push(getMaxListeners(signal));
        yield engagement('w', `w-${from}`, T0 + (from ?? 0));
      },
      sign: 1,
      maxBuffered: 100,
      windowsInFlight: 2,
      spillDir,
    });
    expect(await ids(listing)).toEqual(['w:w-0', 'w:w-1', 'w:w-2', 'w:w-3', 'w:w-4']);
    // Three windows at once (the one consumed and two ahead), six listeners each.
    expect(limits).toEqual([18, 18, 18, 18, 18]);
  });
});

describe('run files on disk', () => {
  it('a spilled chunk is written in writes of about 64 KiB, not one per record nor one in all', async () => {
    const all = records('s', 1_500, 200);
    const lengths = await spyWrites();
    const stats = newStats();
    expect(await ids(oneWindow(all, 1_000, stats))).toEqual(sortedIds(all));
    expect(stats.runsWritten).toBe(2);
    // ~550 bytes a line: 1,000 lines are ~540 KiB, 500 lines ~270 KiB.
    expect(lengths.length).toBeGreaterThanOrEqual(10);
    expect(lengths.length).toBeLessThanOrEqual(14);
    for (const n of lengths) expect(n).toBeLessThan(64 * 1024 + 600);
    expect(lengths.filter((n) => n >= 64 * 1024)).toHaveLength(lengths.length - 2);
  });

  it('runs merged into a longer one are written in writes of about 64 KiB too', async () => {
    // 70 runs of 10: the first 64 are merged into one longer run (over 200 KiB) before the merge.
    const all = records('m', 700, 200);
    const lengths = await spyWrites();
    const stats = newStats();
    expect(await ids(oneWindow(all, 10, stats))).toEqual(sortedIds(all));
    expect(stats.runsWritten).toBe(71);
    const big = lengths.filter((n) => n > 10 * 600);
    expect(lengths.length - big.length).toBe(70);
    expect(big.length).toBeGreaterThanOrEqual(3);
    for (const n of big) expect(n).toBeLessThan(64 * 1024 + 600);
    // Every write but the last one of the file is a full 64 KiB or more.
    expect(big.filter((n) => n < 64 * 1024).length).toBeLessThanOrEqual(1);
  });

  it(`merges exactly ${MAX_FAN_IN} runs at once, without a longer run first`, async () => {
    const all = records('f', MAX_FAN_IN * 10);
    const stats = newStats();
    expect(await ids(oneWindow(all, 10, stats))).toEqual(sortedIds(all));
    expect(stats.runsWritten).toBe(MAX_FAN_IN);
  });

  it("deletes a window's runs once it was merged, before the next window is merged", async () => {
    const byWindow = [records('x', 30), records('y', 30)];
    const listing = sortedListing({
      ...windowed(byWindow),
      sign: 1,
      maxBuffered: 10,
      windowsInFlight: 0,
      spillDir,
    });
    const out: string[] = [];
    let filesAt31: string[] = [];
    for await (const e of listing) {
      out.push(e.id);
      if (out.length === 31) {
        const dirs = await readdir(spillDir);
        expect(dirs).toHaveLength(1);
        filesAt31 = (await readdir(join(spillDir, dirs[0] as string))).sort();
      }
    }
    expect(out).toEqual([
      ...sortedIds(byWindow[0] as Engagement[]),
      ...sortedIds(byWindow[1] as Engagement[]),
    ]);
    expect(filesAt31).toEqual(['run-3.ndjson', 'run-4.ndjson', 'run-5.ndjson']);
  });
});

describe('order and accounting', () => {
  it('records of the same key keep their listing order, descending too', async () => {
    const twin = (n: number) => {
      const e = engagement('d', 'same', T0);
      e.subject = `copy ${n}`;
      return e;
    };
    const listing = sortedListing({
      windows: [[undefined, undefined]],
      list: async function* () {
        yield [
          engagement('d', 'early', T0 - 1),
          twin(1),
          twin(2),
          twin(3),
          engagement('d', 'late', T0 + 1),
        ];
      },
      sign: -1,
      maxBuffered: 100,
      windowsInFlight: 0,
      spillDir,
    });
    const out: string[] = [];
    for await (const e of listing) out.push(e.subject ?? e.id);
    expect(out).toEqual(['d:late', 'copy 1', 'copy 2', 'copy 3', 'd:early']);
  });

  it('holds nothing once the listing ended, in memory or spilled', async () => {
    const stats = newStats();
    const byWindow = [records('p', 5), records('q', 30), records('r', 5)];
    const listing = sortedListing({
      ...windowed(byWindow),
      sign: 1,
      maxBuffered: 30,
      windowsInFlight: 2,
      spillDir,
      stats,
    });
    expect(await ids(listing)).toHaveLength(40);
    expect(stats.runsWritten).toBeGreaterThan(0);
    expect(stats.held).toBe(0);
  });

  it("holds nothing once abandoned at a window's end, windows read ahead included", async () => {
    const stats = newStats();
    const byWindow = [records('p', 5), records('q', 5), records('r', 5)];
    const listed: number[] = [];
    const listing = sortedListing({
      ...windowed(byWindow, (w) => listed.push(w)),
      sign: 1,
      maxBuffered: 100,
      windowsInFlight: 2,
      spillDir,
      stats,
    });
    const out: string[] = [];
    for await (const e of listing) {
      out.push(e.id);
      if (out.length === 5) break;
    }
    expect(out).toEqual(sortedIds(byWindow[0] as Engagement[]));
    expect(listed).toEqual([0, 1, 2]);
    expect(stats.held).toBe(0);
  });
});

describe('heads, objects and reads ahead', () => {
  it('counts the heads of the runs merged at once in the peak', async () => {
    const stats = newStats();
    expect(await ids(oneWindow(records('h', MAX_FAN_IN * 10), 10, stats))).toHaveLength(
      MAX_FAN_IN * 10,
    );
    expect(stats.peakHeld).toBe(MAX_FAN_IN);
  });

  it('a merge into a longer run never lowers the peak', async () => {
    const stats = newStats();
    const all = records('k', (MAX_FAN_IN + 1) * 100);
    expect(await ids(oneWindow(all, 100, stats))).toEqual(sortedIds(all));
    expect(stats.runsWritten).toBe(MAX_FAN_IN + 2);
    expect(stats.peakHeld).toBe(100);
  });

  it('the window the merge waits on gives its first 256 records back as the very objects listed', async () => {
    const all = records('o', 300);
    const given = new Set<Engagement>();
    const listing = sortedListing({
      windows: [[undefined, undefined]],
      list: async function* () {
        yield* all;
      },
      sign: 1,
      maxBuffered: 1_000,
      windowsInFlight: 0,
      spillDir,
    });
    const out: Engagement[] = [];
    for await (const e of listing) {
      out.push(e);
      given.add(e);
    }
    expect(out.map((e) => e.id)).toEqual(sortedIds(all));
    expect(all.filter((e) => given.has(e)).map((e) => e.id)).toEqual(
      all.slice(0, 256).map((e) => e.id),
    );
  });

  it('stops taking records from a source that ignores the abort', async () => {
    let pulled = 0;
    const listing = sortedListing({
      windows: [
        [0, 1],
        [1, 2],
      ],
      list: async function* ([from], signal) {
        if (from === 0) {
          yield engagement('a', 'a-0', T0);
          return;
        }
        pulled++;
        yield engagement('b', 'b-0', T0 + 1);
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        for (let i = 1; i < 100; i++) {
          pulled++;
          yield engagement('b', `b-${i}`, T0 + 1 + i);
        }
      },
      sign: 1,
      maxBuffered: 1_000,
      windowsInFlight: 1,
      spillDir,
    });
    for await (const e of listing) {
      expect(e.id).toBe('a:a-0');
      break;
    }
    expect(pulled).toBe(2);
  });

  it('reads at most 32 windows ahead of the one consumed', async () => {
    const listed: number[] = [];
    let seenBySecond = -1;
    const listing = sortedListing({
      windows: Array.from({ length: 40 }, (_, w) => [w, w + 1] as const),
      list: async function* ([from]) {
        const w = from ?? 0;
        listed.push(w);
        if (w === 1) {
          // Let every read that may start start (event-loop turns, not time).
          for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
          seenBySecond = listed.length;
        }
        yield engagement('w', `w-${w}`, T0 + w);
      },
      sign: 1,
      maxBuffered: 1_000,
      windowsInFlight: 3,
      spillDir,
    });
    expect(await ids(listing)).toHaveLength(40);
    // Windows 0 to 32: the one consumed (1) and 32 ahead.
    expect(seenBySecond).toBe(33);
  });
});

describe('the read budget', () => {
  /**
   * Lists `counts[w]` records for window `w`; window 0 answers after some event-loop turns (a slow
   * page, not a time). Gives the windows read, each as `window@records consumed by then`, and how
   * many windows had started when window 0 answered.
   */
  async function trace(counts: number[], maxBuffered: number, windowsInFlight: number) {
    const started: string[] = [];
    let consumed = 0;
    let startedBy0 = -1;
    const stats = newStats();
    const listing = sortedListing({
      windows: counts.map((_, w) => [w, w + 1] as const),
      list: async function* ([from]) {
        const w = from ?? 0;
        started.push(`${w}@${consumed}`);
        if (w === 0) {
          for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
          startedBy0 = started.length;
        }
        for (let i = 0; i < (counts[w] ?? 0); i++)
          yield engagement('w', `w-${w}-${i}`, T0 + w * 100 + i);
      },
      sign: 1,
      maxBuffered,
      windowsInFlight,
      spillDir,
      stats,
    });
    for await (const _ of listing) consumed++;
    expect(consumed).toBe(counts.reduce((a, b) => a + b, 0));
    return { started, startedBy0, peak: stats.peakHeld, runs: stats.runsWritten };
  }

  it('starts a window only when its share fits next to the windows waiting in memory', async () => {
    // 12 items, 3 windows at once: 4 each. Window 0 (3 records) is slow; windows 1 to 6 wait in
    // memory (6 items) with window 0's share (4) and one more share (4) still free: 7 starts only
    // once the first record was consumed.
    expect(await trace([3, 1, 1, 1, 1, 1, 1, 1, 1, 1], 12, 2)).toEqual({
      started: ['0@0', '1@0', '2@0', '3@0', '4@0', '5@0', '6@0', '7@1', '8@3', '9@4'],
      startedBy0: 6,
      peak: 8,
      runs: 0,
    });
  });

  it('counts a spilled chunk out of the reader and windows waiting in memory against the budget', async () => {
    // 8 items, 4 windows at once: 2 each. Windows 2 and 5 spill; once one did, one window at a time.
    // When windows 4 to 9 start depends on when the runs are written on disk: not asserted.
    const t = await trace([1, 1, 5, 1, 1, 3, 1, 1, 1, 1], 8, 3);
    expect(t.started.map((s) => s.split('@')[0])).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(t.started.slice(0, 4)).toEqual(['0@0', '1@0', '2@0', '3@0']);
    expect(t.peak).toBeLessThanOrEqual(8);
    expect(t.runs).toBe(5);
  });

  it('starts no window once the listing was abandoned', async () => {
    const listed: number[] = [];
    const listing = sortedListing({
      windows: Array.from({ length: 6 }, (_, w) => [w, w + 1] as const),
      list: async function* ([from], signal) {
        const w = from ?? 0;
        listed.push(w);
        yield engagement('w', `w-${w}`, T0 + w);
        if (w === 1)
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      },
      sign: 1,
      maxBuffered: 100,
      windowsInFlight: 1,
      spillDir,
    });
    for await (const e of listing) {
      expect(e.id).toBe('w:w-0');
      break;
    }
    expect(listed).toEqual([0, 1]);
  });
});

describe('what a listing leaves behind', () => {
  it('closes every run it read, merged directly or into a longer run', async () => {
    const all = records('c', (MAX_FAN_IN + 6) * 10);
    const stats = newStats();
    expect(await ids(oneWindow(all, 10, stats))).toEqual(sortedIds(all));
    expect(stats.runsWritten).toBe(MAX_FAN_IN + 7);
    expect(await openUnder(spillDir)).toBe(0);
  });

  it("removes its listener from the caller's signal when it ends", async () => {
    const caller = new AbortController();
    const listing = sortedListing({
      windows: [[undefined, undefined]],
      list: async function* () {
        yield engagement('l', 'l-0', T0);
      },
      sign: 1,
      maxBuffered: 10,
      windowsInFlight: 0,
      spillDir,
      signal: caller.signal,
    });
    expect(await ids(listing)).toEqual(['l:l-0']);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('fails with the error of a spill directory that cannot be made', async () => {
    await rm(spillDir, { recursive: true });
    const listing = oneWindow(records('n', 30), 10, newStats());
    const failure = await ids(listing).then(
      () => 'no error',
      (e: NodeJS.ErrnoException) => `${e.code} ${e.syscall}`,
    );
    expect(failure).toBe('ENOENT mkdtemp');
  });
});
