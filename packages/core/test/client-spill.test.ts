import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FAN_IN, type SpillStats, sortedListing } from '../src/client/spill';
import { createEngagementsClient, type Engagement } from '../src/index';
import { DAY, engagement, expectedIds, fakeProvider, T0 } from './client-fakes';

let spillDir: string;
beforeEach(async () => {
  spillDir = await mkdtemp(join(tmpdir(), 'engagekit-spill-test-'));
});
afterEach(async () => {
  await rm(spillDir, { recursive: true, force: true });
});

/** Files under `dir`, one level of subdirectories deep. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      for (const f of await readdir(join(dir, entry.name))) out.push(join(entry.name, f));
    } else out.push(entry.name);
  }
  return out;
}

/** `n` timestamps over 10 days, many sharing a millisecond, in no order. */
const scrambledTimes = (n: number) =>
  Array.from({ length: n }, (_, i) => T0 + ((i * 7_919) % (n / 4)) * 1_000 * 3_457);

describe('sortedListing (external sort)', () => {
  const records = scrambledTimes(1_000).map((t, i) => engagement('u', `u-${i}`, t));
  async function* source(failAt?: number): AsyncGenerator<Engagement> {
    for (let i = 0; i < records.length; i++) {
      if (i === failAt) throw new Error('source failed');
      yield records[i] as Engagement;
    }
  }

  it('sorts 1,000 records holding at most maxBuffered items plus one head per run', async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const out: string[] = [];
    for await (const e of sortedListing({
      windows: [[undefined, undefined]],
      list: () => source(),
      sign: 1,
      maxBuffered: 50,
      windowsInFlight: 3,
      spillDir,
      stats,
    })) {
      out.push(e.id);
    }
    expect(out).toEqual(expectedIds(records));
    expect(stats.runsWritten).toBe(20);
    // 50 in the chunk being filled, or 20 run heads while merging.
    expect(stats.peakHeld).toBe(50);
    expect(stats.held).toBe(0);
    expect(await filesUnder(spillDir)).toEqual([]);
  });

  it('shares the budget between windows read ahead at once', async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const windows = Array.from({ length: 10 }, (_, w) => [w * 100, (w + 1) * 100] as const);
    const out: string[] = [];
    for await (const e of sortedListing({
      windows,
      // Each window holds 100 records, in reverse.
      list: async function* ([from]) {
        for (let i = 99; i >= 0; i--)
          yield engagement('w', `w-${(from ?? 0) + i}`, T0 + (from ?? 0) + i);
      },
      sign: 1,
      maxBuffered: 80,
      windowsInFlight: 3,
      spillDir,
      stats,
    })) {
      out.push(e.id);
    }
    expect(out).toHaveLength(1_000);
    expect(out).toEqual([...out].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))));
    expect(stats.peakHeld).toBeLessThanOrEqual(80);
    expect(stats.held).toBe(0);
    expect(await filesUnder(spillDir)).toEqual([]);
  });

  it('reads small windows far ahead while the first is slow, within the budget', async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const windows = Array.from({ length: 40 }, (_, w) => [w * 10, (w + 1) * 10] as const);
    const listed: number[] = [];
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const listing = sortedListing({
      windows,
      list: async function* ([from]) {
        const w = (from ?? 0) / 10;
        listed.push(w);
        // The first window answers only once ten others were read: a slow vendor page.
        if (listed.length >= 10) open();
        if (w === 0) await gate;
        for (let i = 1; i >= 0; i--) yield engagement('w', `w-${w * 10 + i}`, T0 + w * 10 + i);
      },
      sign: 1,
      maxBuffered: 80,
      windowsInFlight: 3,
      spillDir,
      stats,
    });
    const out: string[] = [];
    for await (const e of listing) out.push(e.id);
    expect(out).toHaveLength(80);
    expect(listed.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(stats.peakHeld).toBeLessThanOrEqual(80);
    expect(stats.runsWritten).toBe(0);
  });

  it('removes its temporary files when the source fails', async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const listing = sortedListing({
      windows: [[undefined, undefined]],
      list: () => source(730),
      sign: 1,
      maxBuffered: 100,
      windowsInFlight: 3,
      spillDir,
      stats,
    });
    await expect(listing.next()).rejects.toThrow('source failed');
    expect(stats.runsWritten).toBe(7);
    expect(await filesUnder(spillDir)).toEqual([]);
    expect(stats.held).toBe(0);
  });

  it('keeps every record exact through the spill: text, ids, long lines, the last chunk', async () => {
    // Ids and text with tabs, newlines, quotes, backslashes and multi-byte characters; chunks that
    // fill more than one arena block, a record longer than a block and lines longer than the read and
    // write buffers; 1,000 is no multiple of the chunk, so the window ends with a shorter run.
    const odd = scrambledTimes(1_000).map((t, i) => {
      const e = engagement('u', `u\t${i}"\\\n€😀`, t);
      return {
        ...e,
        subject: `line\tone\nline "two" \\ ü € 😀 ${'x'.repeat(i === 500 ? 300_000 : i % 3 === 0 ? 12_000 : i % 50)}`,
        raw: { nested: { i, s: 'tab\there', list: [1, 'two', null, true] } },
      } as Engagement;
    });
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const out: Engagement[] = [];
    for await (const e of sortedListing({
      windows: [[undefined, undefined]],
      list: async function* () {
        yield* odd;
      },
      sign: -1,
      maxBuffered: 64,
      windowsInFlight: 3,
      spillDir,
      stats,
    })) {
      out.push(e);
    }
    expect(stats.runsWritten).toBe(16);
    const expected = [...odd].sort(
      (a, b) => b.occurredAt.localeCompare(a.occurredAt) || (a.id < b.id ? 1 : -1),
    );
    expect(out.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(out).toEqual(expected);
    expect(stats.peakHeld).toBe(64);
    expect(stats.held).toBe(0);
    expect(await filesUnder(spillDir)).toEqual([]);
  });

  it('keeps a window that fits exact and in order, its later records held as JSON', async () => {
    const many = scrambledTimes(1_000).map((t, i) => ({
      ...engagement('m', `m-${i}`, t),
      subject: `ü € 😀\t"${i}"\n`,
      raw: { i, nested: [i, { s: `x${i}` }] },
    }));
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const out: Engagement[] = [];
    for await (const e of sortedListing({
      windows: [[undefined, undefined]],
      // Whole pages, as the client hands them over.
      list: async function* () {
        for (let i = 0; i < many.length; i += 100) yield many.slice(i, i + 100);
      },
      sign: 1,
      // A chunk spills when it is full: one more than the window holds keeps it in memory.
      maxBuffered: 1_001,
      windowsInFlight: 3,
      spillDir,
      stats,
    })) {
      out.push(e);
    }
    const expected = [...many].sort(
      (a, b) => a.occurredAt.localeCompare(b.occurredAt) || (a.id < b.id ? -1 : 1),
    );
    expect(out).toEqual(expected);
    expect(stats.runsWritten).toBe(0);
    expect(stats.peakHeld).toBe(1_000);
    expect(stats.held).toBe(0);
  });

  it(`merges more than ${MAX_FAN_IN} runs through longer runs, holding at most ${MAX_FAN_IN} heads`, async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const out: string[] = [];
    let filesAtFirst = -1;
    for await (const e of sortedListing({
      windows: [[undefined, undefined]],
      list: () => source(),
      sign: 1,
      maxBuffered: 10,
      windowsInFlight: 3,
      spillDir,
      stats,
    })) {
      if (out.length === 0) filesAtFirst = (await filesUnder(spillDir)).length;
      out.push(e.id);
    }
    expect(out).toEqual(expectedIds(records));
    // 100 runs of 10; the first 64 merged into one, then 37 merged as the output.
    expect(stats.runsWritten).toBe(101);
    expect(filesAtFirst).toBe(37);
    expect(stats.peakHeld).toBe(MAX_FAN_IN);
    expect(stats.held).toBe(0);
    expect(await filesUnder(spillDir)).toEqual([]);
  });

  it('empties each page it took in, and once spilling reads one window at a time without prefetch', async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const windows = Array.from({ length: 8 }, (_, w) => [w * 100, (w + 1) * 100] as const);
    const pages: Engagement[][] = [];
    const prefetch: boolean[] = [];
    let open = 0;
    const openWhenStarted: number[] = [];
    const out: string[] = [];
    for await (const e of sortedListing({
      windows,
      // Each window: 100 records in reverse, in pages of 25.
      list: async function* ([from], _signal, read) {
        prefetch.push(read.prefetch);
        openWhenStarted.push(open++);
        try {
          for (let p = 3; p >= 0; p--) {
            await new Promise((resolve) => setImmediate(resolve));
            const page = Array.from({ length: 25 }, (_, i) => {
              const n = (from ?? 0) + p * 25 + 24 - i;
              return engagement('w', `w-${n}`, T0 + n);
            });
            pages.push(page);
            yield page;
          }
        } finally {
          open--;
        }
      },
      sign: 1,
      maxBuffered: 80,
      windowsInFlight: 3,
      spillDir,
      stats,
    })) {
      out.push(e.id);
    }
    expect(out).toEqual(Array.from({ length: 800 }, (_, n) => `w:w-${n}`));
    expect(pages).toHaveLength(32);
    expect(pages.map((p) => p.length)).toEqual(Array.from({ length: 32 }, () => 0));
    // Three windows start at once, only the first (the one merged) with prefetch; every window
    // spills its 20-item chunks, so the other five are read one after another, without prefetch.
    expect(prefetch).toEqual([true, false, false, false, false, false, false, false]);
    expect(openWhenStarted.slice(3)).toEqual([0, 0, 0, 0, 0]);
    expect(stats.runsWritten).toBe(40);
    expect(stats.held).toBe(0);
  });

  it('keeps objects only for the window the merge waits on; windows read ahead keep bytes', async () => {
    const windows = Array.from({ length: 3 }, (_, w) => [w * 10, (w + 1) * 10] as const);
    const listed = new Map<string, Engagement>();
    let finishedAhead = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const out: Engagement[] = [];
    for await (const e of sortedListing({
      windows,
      list: async function* ([from]) {
        const w = (from ?? 0) / 10;
        // Window 0 answers only once windows 1 and 2 were read whole (while 0 is the one merged).
        if (w === 0) await gate;
        try {
          for (let i = 1; i >= 0; i--) {
            const e = engagement('w', `w-${w * 10 + i}`, T0 + w * 10 + i);
            listed.set(e.id, e);
            yield e;
          }
        } finally {
          if (w > 0 && ++finishedAhead === 2) open();
        }
      },
      sign: 1,
      maxBuffered: 80,
      windowsInFlight: 3,
      spillDir,
    })) {
      out.push(e);
    }
    expect(out.map((e) => e.id)).toEqual([
      'w:w-0',
      'w:w-1',
      'w:w-10',
      'w:w-11',
      'w:w-20',
      'w:w-21',
    ]);
    expect(out.map((e) => e === listed.get(e.id))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(out).toEqual(out.map((e) => listed.get(e.id)));
  });

  it('removes its temporary files when abandoned mid-merge', async () => {
    const stats: SpillStats = { held: 0, peakHeld: 0, runsWritten: 0 };
    const listing = sortedListing({
      windows: [[undefined, undefined]],
      list: () => source(),
      sign: 1,
      maxBuffered: 100,
      windowsInFlight: 3,
      spillDir,
      stats,
    });
    const first = await listing.next();
    expect(first.value?.id).toBe(expectedIds(records)[0]);
    expect((await filesUnder(spillDir)).length).toBe(10);
    await listing.return(undefined);
    expect(await filesUnder(spillDir)).toEqual([]);
    expect(stats.held).toBe(0);
  });
});

describe('merged client over a provider that lists in no order', () => {
  const N = 600;
  const times = scrambledTimes(N);

  it('spills sorted runs instead of loading the range, and resumes exactly', async () => {
    const devrevLike = fakeProvider('u', times, { ordering: 'unordered', pageSize: 25 });
    const ordered = fakeProvider('o', times.slice(0, 50), { ordering: 'asc', serverTime: true });
    const client = createEngagementsClient({
      adapters: [devrevLike.adapter, ordered.adapter],
      maxBufferedPerProvider: 40,
      spillDir,
    });
    const all = [...devrevLike.records, ...ordered.records];
    const range = { from: new Date(T0), to: new Date(T0 + 20 * DAY), pageSize: 9 };
    const it = client.engagements.list(range);
    const seen: string[] = [];
    for await (const e of it) {
      if (seen.length === 0) {
        // Before the first item: every record read, none held beyond the budget — the rest is on disk.
        expect(devrevLike.served()).toBe(N);
        expect((await filesUnder(spillDir)).length).toBe(15);
      }
      seen.push(e.id);
      if (seen.length === 250) break;
    }
    expect(await filesUnder(spillDir)).toEqual([]);
    for await (const e of client.engagements.list({ ...range, cursor: it.cursor })) seen.push(e.id);
    expect(seen).toEqual(expectedIds(all, T0, T0 + 20 * DAY));
    expect(await filesUnder(spillDir)).toEqual([]);
  });

  it('removes the temporary files when the provider fails mid-listing', async () => {
    const failing = fakeProvider('u', times, {
      ordering: 'unordered',
      pageSize: 25,
      failOnRequest: 20,
    });
    const client = createEngagementsClient({
      adapters: [failing.adapter],
      maxBufferedPerProvider: 40,
      spillDir,
    });
    await expect(client.engagements.list({ from: new Date(T0) }).toArray()).rejects.toThrow(
      'u is down',
    );
    expect(failing.served()).toBe(19 * 25);
    expect(await filesUnder(spillDir)).toEqual([]);
  });

  it('fails fast when one provider fails while another is still being read', async () => {
    const slow = fakeProvider('u', times, {
      ordering: 'unordered',
      pageSize: 25,
      hangOnRequest: 3,
    });
    const bad = fakeProvider('x', times, { ordering: 'asc', failOnRequest: 1 });
    const client = createEngagementsClient({
      adapters: [slow.adapter, bad.adapter],
      maxBufferedPerProvider: 20,
      spillDir,
    });
    await expect(client.engagements.list({ from: new Date(T0) }).toArray()).rejects.toThrow(
      'x is down',
    );
    expect(slow.requests()).toBeLessThanOrEqual(3);
    expect(await filesUnder(spillDir)).toEqual([]);
  });

  it('slices a time-filtered provider into windows and spills only windows that overflow', async () => {
    const windowed = fakeProvider('w', times, {
      ordering: 'unordered',
      serverTime: true,
      pageSize: 25,
    });
    const client = createEngagementsClient({
      adapters: [windowed.adapter],
      maxBufferedPerProvider: 40,
      windowMs: DAY,
      spillDir,
    });
    const from = T0;
    const to = T0 + 11 * DAY;
    const desc = await client.engagements
      .list({ from: new Date(from), to: new Date(to), order: 'desc' })
      .toArray();
    expect(desc.map((e) => e.id)).toEqual(expectedIds(windowed.records, from, to, 'desc'));
    expect(await filesUnder(spillDir)).toEqual([]);
  });
});

describe('sortedListing on process exit', () => {
  it('removes the spill directory of a listing still open when the process exits', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const spill = fileURLToPath(new URL('../src/client/spill.ts', import.meta.url));
    const script = `
      const { sortedListing } = await import(${JSON.stringify(spill)});
      const e = (i) => ({ id: 'u:' + i, occurredAt: new Date(${T0} + ((i * 37) % 100) * 1000).toISOString() });
      async function* source() { for (let i = 0; i < 100; i++) yield e(i); }
      const listing = sortedListing({ windows: [[undefined, undefined]], list: source, sign: 1,
        maxBuffered: 10, windowsInFlight: 3, spillDir: ${JSON.stringify(spillDir)} });
      await listing.next();
      const { readdirSync } = await import('node:fs');
      const [dir] = readdirSync(${JSON.stringify(spillDir)});
      process.stdout.write(String(readdirSync(${JSON.stringify(spillDir)} + '/' + dir).length));
      process.exit(0);
    `;
    const tsx = fileURLToPath(
      new URL('../../../node_modules/tsx/dist/esm/index.mjs', import.meta.url),
    );
    const child = spawnSync(
      process.execPath,
      ['--import', tsx, '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('10');
    expect(await filesUnder(spillDir)).toEqual([]);
  }, 70_000);
});
