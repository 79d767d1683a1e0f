import { setMaxListeners } from 'node:events';
import { createReadStream, rmSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engagement } from '../model/engagement';
import { compareKeys, keyOf, type MergeKey } from './merge';

/** How many items the sorter holds in memory right now, and at most so far (for tests and benches). */
export interface SpillStats {
  held: number;
  peakHeld: number;
  runsWritten: number;
}

export interface SortedListingOptions {
  /** The ranges to read, in the order they are consumed; each is listed and sorted on its own. */
  windows: readonly (readonly [number | undefined, number | undefined])[];
  /** Lists one window; `signal` stops it when the sorted listing ends early. */
  list(
    window: readonly [number | undefined, number | undefined],
    signal: AbortSignal,
  ): AsyncIterable<Engagement>;
  /** Order of the output by (`occurredAt`, `id`): 1 ascending, -1 descending. */
  sign: 1 | -1;
  /** Items held in memory at once, over every window (read, waiting or being merged). */
  maxBuffered: number;
  /** Windows read at once, ahead of the one being consumed. */
  windowsInFlight: number;
  /** Where sorted runs go (a fresh directory is made inside and removed at the end). */
  spillDir: string;
  /** Stops the whole listing. */
  signal?: AbortSignal | undefined;
  stats?: SpillStats | undefined;
}

interface Keyed {
  k: MergeKey;
  e: Engagement;
}

interface WindowState {
  read: Promise<void>;
  /** Sorted items kept in memory (the whole window when it fitted). */
  memory: Keyed[];
  /** Sorted runs on disk. */
  runs: string[];
}

/** Lines per `write()` when spilling a run: large enough to be fast, small enough not to copy a run. */
const LINES_PER_WRITE = 256;
const RUN_READ_BYTES = 16 * 1024;
/** Windows read ahead of the one being merged, at most (bounds the work lost when a listing stops). */
const MAX_WINDOWS_AHEAD = 32;
/** Abort listeners one listing may hold at once: engine and transport, for a page and its prefetch. */
export const LISTENERS_PER_READER = 6;

/** Directories of sorted listings in progress, removed on process exit if their listing never ended. */
const liveDirs = new Set<string>();
let exitHookInstalled = false;
function trackDir(dir: string): void {
  liveDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    // `exit` handlers must be synchronous.
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

/**
 * An external sort over a listing that comes in no useful order: each window is read in chunks of at
 * most `maxBuffered / slots` items; a chunk that fills is sorted and written to a temporary file
 * (ndjson), and the window's runs are merged lazily. A window that fits stays in memory. Several
 * windows are read ahead at once, each with its share of the budget, so memory stays within
 * `maxBuffered` items (plus one head item per run) whatever the listing's size. Temporary files are
 * deleted when the listing ends, fails or is abandoned.
 */
export async function* sortedListing(o: SortedListingOptions): AsyncGenerator<Engagement> {
  const stats = o.stats ?? { held: 0, peakHeld: 0, runsWritten: 0 };
  const slots = Math.max(1, Math.min(o.windows.length, o.windowsInFlight + 1));
  const perWindow = Math.max(1, Math.floor(o.maxBuffered / slots));
  const controller = new AbortController();
  // Each window read at once has a page request and a prefetched one, each listening for aborts.
  setMaxListeners(Math.max(10, slots * LISTENERS_PER_READER), controller.signal);
  const stop = () => controller.abort(o.signal?.reason);
  if (o.signal?.aborted) stop();
  o.signal?.addEventListener('abort', stop, { once: true });
  const states: WindowState[] = [];
  let dirPromise: Promise<string> | undefined;
  let runCount = 0;
  let launched = 0;
  let reading = 0;
  /** Items in the chunks readers are filling (the rest of `held` waits in read windows). */
  let readerHeld = 0;
  let consuming = 0;

  const hold = (n: number) => {
    stats.held += n;
    if (stats.held > stats.peakHeld) stats.peakHeld = stats.held;
  };
  const spillDirectory = (): Promise<string> => {
    dirPromise ??= mkdtemp(join(o.spillDir, 'engagekit-merge-')).then((d) => {
      trackDir(d);
      return d;
    });
    return dirPromise;
  };
  const byKey = (a: Keyed, b: Keyed) => o.sign * compareKeys(a.k, b.k);
  const spill = async (chunk: Keyed[]): Promise<string> => {
    chunk.sort(byKey);
    const file = join(await spillDirectory(), `run-${runCount++}.ndjson`);
    const handle = await open(file, 'w');
    try {
      for (let i = 0; i < chunk.length; i += LINES_PER_WRITE) {
        let text = '';
        const end = Math.min(i + LINES_PER_WRITE, chunk.length);
        for (let j = i; j < end; j++) text += `${JSON.stringify((chunk[j] as Keyed).e)}\n`;
        await handle.write(text);
      }
    } finally {
      await handle.close();
    }
    stats.runsWritten++;
    return file;
  };
  const readWindow = async (index: number, state: WindowState): Promise<void> => {
    const window = o.windows[index] as readonly [number | undefined, number | undefined];
    let chunk: Keyed[] = [];
    try {
      for await (const e of o.list(window, controller.signal)) {
        if (controller.signal.aborted) return;
        chunk.push({ k: keyOf(e), e });
        hold(1);
        readerHeld++;
        if (chunk.length >= perWindow) {
          state.runs.push(await spill(chunk));
          stats.held -= chunk.length;
          readerHeld -= chunk.length;
          chunk = [];
        }
      }
      chunk.sort(byKey);
      state.memory = chunk;
      readerHeld -= chunk.length;
      chunk = [];
    } finally {
      stats.held -= chunk.length;
      readerHeld -= chunk.length;
      reading--;
      if (!controller.signal.aborted) fill();
    }
  };
  // A reader may fill `perWindow` items before it spills: one starts only when that fits in the budget
  // next to what read windows still hold, so `held` never exceeds `maxBuffered`. Windows that fit
  // wait in memory, so small windows are read far ahead while another provider is slow.
  const fits = () =>
    stats.held - readerHeld + (reading + 1) * perWindow <= o.maxBuffered &&
    reading < o.windowsInFlight &&
    launched - consuming < MAX_WINDOWS_AHEAD;
  function fill(): void {
    while (launched < o.windows.length && (launched <= consuming || fits())) {
      const state: WindowState = { read: Promise.resolve(), memory: [], runs: [] };
      reading++;
      state.read = readWindow(launched, state);
      state.read.catch(() => undefined);
      states.push(state);
      launched++;
    }
  }

  try {
    for (let index = 0; index < o.windows.length; index++) {
      consuming = index;
      fill();
      const state = states[index] as WindowState;
      await state.read;
      if (state.runs.length === 0) {
        const items = state.memory;
        state.memory = [];
        for (let i = 0; i < items.length; i++) {
          stats.held--;
          yield (items[i] as Keyed).e;
        }
      } else {
        yield* mergeRuns(state, byKey, stats);
        await Promise.all(state.runs.map((file) => rm(file, { force: true })));
      }
      states[index] = { read: Promise.resolve(), memory: [], runs: [] };
    }
  } finally {
    o.signal?.removeEventListener('abort', stop);
    controller.abort();
    await Promise.allSettled(states.map((s) => s.read));
    for (const s of states) {
      stats.held -= s.memory.length;
      s.memory = [];
    }
    if (dirPromise) {
      const d = await dirPromise.catch(() => undefined);
      if (d) {
        await rm(d, { recursive: true, force: true });
        liveDirs.delete(d);
      }
    }
  }
}

/** Merges a window's sorted runs (files and the in-memory rest), holding one head per run. */
async function* mergeRuns(
  state: WindowState,
  compare: (a: Keyed, b: Keyed) => number,
  stats: SpillStats,
): AsyncGenerator<Engagement> {
  const sources: AsyncIterator<Keyed>[] = state.runs.map((file) =>
    readRun(file)[Symbol.asyncIterator](),
  );
  const memory = state.memory;
  state.memory = [];
  // The in-memory rest is already counted as held; its items leave the count as they join the heap.
  if (memory.length > 0) sources.push(arraySource(memory, stats));
  const heap = new MinHeap<{ value: Keyed; source: AsyncIterator<Keyed> }>((a, b) =>
    compare(a.value, b.value),
  );
  try {
    for (const source of sources) {
      const r = await source.next();
      if (!r.done) heap.push({ value: r.value, source });
    }
    stats.held += heap.size;
    if (stats.held > stats.peakHeld) stats.peakHeld = stats.held;
    while (heap.size > 0) {
      const top = heap.peek() as { value: Keyed; source: AsyncIterator<Keyed> };
      const value = top.value;
      const r = await top.source.next();
      if (r.done) {
        heap.pop();
        stats.held--;
      } else {
        top.value = r.value;
        heap.replaceTop(top);
      }
      yield value.e;
    }
  } finally {
    stats.held -= heap.size;
    await Promise.allSettled(sources.map((s) => s.return?.()));
  }
}

/** Items of an in-memory run, released from the held count as they are read. */
async function* arraySource(items: Keyed[], stats: SpillStats): AsyncGenerator<Keyed> {
  for (let i = 0; i < items.length; i++) {
    stats.held--;
    yield items[i] as Keyed;
  }
}

/** Reads an ndjson run lazily, a small block at a time. */
async function* readRun(file: string): AsyncGenerator<Keyed> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: RUN_READ_BYTES });
  let rest = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      let nl = text.indexOf('\n', start);
      while (nl >= 0) {
        const e = JSON.parse(text.slice(start, nl)) as Engagement;
        yield { k: keyOf(e), e };
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      rest = text.slice(start);
    }
  } finally {
    stream.destroy();
  }
}

/** A binary min-heap. */
class MinHeap<T> {
  readonly #items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}
  get size(): number {
    return this.#items.length;
  }
  peek(): T | undefined {
    return this.#items[0];
  }
  push(item: T): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(a[i] as T, a[parent] as T) >= 0) break;
      [a[i], a[parent]] = [a[parent] as T, a[i] as T];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) this.replaceTop(last);
    return top;
  }
  /** Replaces the top with `item` and restores the heap order. */
  replaceTop(item: T): void {
    const a = this.#items;
    a[0] = item;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l] as T, a[m] as T) < 0) m = l;
      if (r < a.length && this.less(a[r] as T, a[m] as T) < 0) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m] as T, a[i] as T];
      i = m;
    }
  }
}
