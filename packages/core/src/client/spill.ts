import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engagement } from '../model/engagement';
import { linkedAbort } from './linked-abort';
import { compareKeys, type MergeKey } from './merge';
import { Arena, Item, RunReader, RunWriter } from './runs';

/** How many items the sorter holds in memory right now, and at most so far (for tests and benches). */
export interface SpillStats {
  held: number;
  peakHeld: number;
  runsWritten: number;
}

export interface SortedListingOptions {
  /** The ranges to read, in the order they are consumed; each is listed and sorted on its own. */
  windows: readonly (readonly [number | undefined, number | undefined])[];
  /**
   * Lists one window, a record or a page (array) at a time; `signal` stops it when the sorted
   * listing ends early. A page is taken in at once and then emptied (`length = 0`): the generators
   * a page comes through keep their last page while they wait for the next, so its records would
   * otherwise outlive young-generation collections and be promoted while other windows are read.
   */
  list(
    window: readonly [number | undefined, number | undefined],
    signal: AbortSignal,
    read: ReadHints,
  ): AsyncIterable<Engagement | Engagement[]>;
  /** Order of the output by (`occurredAt`, `id`): 1 ascending, -1 descending. */
  sign: 1 | -1;
  /**
   * Items held in memory at once, over every window (read, waiting or being merged). A page is
   * taken in whole, so a window whose chunk fills mid-page holds the rest of that page too (less
   * than a page more) until the full chunk is written.
   */
  maxBuffered: number;
  /** Windows read at once, ahead of the one being consumed. */
  windowsInFlight: number;
  /** Where sorted runs go (a fresh directory is made inside and removed at the end). */
  spillDir: string;
  /** Stops the whole listing. */
  signal?: AbortSignal | undefined;
  stats?: SpillStats | undefined;
}

/** How `list` should read a window. */
export interface ReadHints {
  /**
   * Whether to fetch the next page while this one is taken in: only for the window the merge waits
   * on, and not once the listing spills (its reads then only feed the sort). A parsed page that
   * waits (for a window read ahead, or while a run is written) outlives young-generation collections
   * (see `runs.ts`).
   */
  prefetch: boolean;
}

/** A window's records read since its last spill, and the arena holding those kept as JSON. */
interface Chunk {
  items: Item[];
  arena: Arena | undefined;
}

interface WindowState {
  read: Promise<void>;
  /** The whole window, sorted, when it fitted in its share of the budget. */
  memory: Item[];
  /** Where `memory` keeps the JSON of the items it holds as bytes. */
  arena: Arena | undefined;
  /** Else its sorted runs on disk (the whole window). */
  runs: string[];
}

/**
 * Records of a window kept as objects before the rest go to an arena as JSON: a small window stays
 * objects (no encoding), a large one promotes at most this many objects (see `runs.ts`). Only the
 * window the merge waits on keeps objects: a window read ahead may wait long (e.g. while another
 * provider is read whole), and every record it kept as an object would be promoted meanwhile.
 */
const OBJECT_ITEMS = 256;
/** Runs merged at once; a window with more is first merged into longer runs (bounds open files). */
export const MAX_FAN_IN = 64;
/** Windows read ahead of the one being merged, at most (bounds the work lost when a listing stops). */
const MAX_WINDOWS_AHEAD = 32;

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
 * (one line per record, its sort key first), and the window's runs are merged lazily, at most
 * `MAX_FAN_IN` at once. The window being merged keeps its first `OBJECT_ITEMS` records as objects
 * and the others as JSON bytes in reused off-heap blocks (windows read ahead, and every window once
 * one of this listing spilled, keep bytes only), and a window that spilled spills its last chunk too
 * (see `runs.ts` for why). Several windows are read ahead at once, each with
 * its share of the budget, so memory stays within `maxBuffered` items (plus one head per run)
 * whatever the listing's size. Temporary files are deleted when the listing ends, fails or is
 * abandoned.
 */
export async function* sortedListing(o: SortedListingOptions): AsyncGenerator<Engagement> {
  const stats = o.stats ?? { held: 0, peakHeld: 0, runsWritten: 0 };
  const slots = Math.max(1, Math.min(o.windows.length, o.windowsInFlight + 1));
  const perWindow = Math.max(1, Math.floor(o.maxBuffered / slots));
  // Each window read at once has a page request and a prefetched one, each listening for aborts.
  const aborting = linkedAbort(o.signal, slots);
  const states: WindowState[] = [];
  let dirPromise: Promise<string> | undefined;
  let runCount = 0;
  let launched = 0;
  let reading = 0;
  /** Items in the chunks readers are filling (the rest of `held` waits in read windows). */
  let readerHeld = 0;
  let consuming = 0;
  /** Objects a window keeps before it keeps JSON: none once a window of this listing spilled. */
  let objectItems = OBJECT_ITEMS;
  /**
   * Set once a window of this listing spilled: its reads then only feed the sort, so windows are
   * read one at a time without prefetch (fewer pages alive at once, none waiting on a spill).
   */
  let spilling = false;
  /** Arena blocks and write buffers no reader uses right now. */
  const blocks: Buffer[] = [];
  const writeBuffers: Buffer[] = [];

  const hold = (n: number) => {
    stats.held += n;
    if (stats.held > stats.peakHeld) stats.peakHeld = stats.held;
  };
  const release = (n: number) => {
    stats.held -= n;
  };
  const spillDirectory = (): Promise<string> => {
    dirPromise ??= mkdtemp(join(o.spillDir, 'engagekit-merge-')).then((d) => {
      trackDir(d);
      return d;
    });
    return dirPromise;
  };
  const newRunFile = async () => join(await spillDirectory(), `run-${runCount++}.ndjson`);
  const byKey = (a: MergeKey, b: MergeKey) => o.sign * compareKeys(a, b);
  const spill = async (chunk: Item[]): Promise<string> => {
    chunk.sort(byKey);
    const file = await newRunFile();
    const w = await RunWriter.create(file, writeBuffers.pop());
    try {
      for (let i = 0; i < chunk.length; i++) {
        w.item(chunk[i] as Item);
        if (w.full) await w.flush();
      }
    } finally {
      await w.close();
      writeBuffers.push(w.buffer);
    }
    stats.runsWritten++;
    return file;
  };
  const readWindow = async (index: number, state: WindowState): Promise<void> => {
    const window = o.windows[index] as readonly [number | undefined, number | undefined];
    let chunk: Item[] = [];
    // The first `objectItems` records of the window being merged stay objects, the others go to the
    // arena as JSON.
    let objects = objectItems;
    let arena: Arena | undefined;
    /** Chunks that filled during the page being taken in, spilled once it is. */
    const full: Chunk[] = [];
    /** Sets the current chunk aside to be spilled and starts a new one. */
    const retire = () => {
      full.push({ items: chunk, arena });
      chunk = [];
      arena = undefined;
    };
    /** Gives back what a chunk held: no longer counted, its arena blocks reused. */
    const drop = (c: Chunk) => {
      release(c.items.length);
      readerHeld -= c.items.length;
      c.arena?.clear();
    };
    const spillFull = async () => {
      while (full.length > 0) {
        const f = full[0] as Chunk;
        state.runs.push(await spill(f.items));
        full.shift();
        drop(f);
      }
    };
    try {
      // Only the window the merge waits on prefetches: one read ahead would hold a parsed page more.
      const read = { prefetch: !spilling && index === consuming };
      for await (const got of o.list(window, aborting.signal, read)) {
        if (aborting.signal.aborted) return;
        const page = isPage(got) ? got : [got];
        // The whole page is taken in before any await, so none of its objects waits on a spill.
        for (let i = 0; i < page.length; i++) {
          const e = page[i] as Engagement;
          const t = Date.parse(e.occurredAt);
          if (objects > 0 && index === consuming) {
            objects--;
            chunk.push(new Item(t, e.id, e, undefined, 0, 0));
          } else {
            arena ??= new Arena(blocks);
            chunk.push(arena.add(t, e.id, JSON.stringify(e)));
          }
          hold(1);
          readerHeld++;
          if (chunk.length >= perWindow) {
            retire();
            spilling = true;
            objectItems = 0;
            objects = 0;
          }
        }
        if (isPage(got)) got.length = 0;
        await spillFull();
      }
      if (state.runs.length > 0) {
        // A window that spilled keeps nothing in memory: its rest is a run too.
        if (chunk.length > 0) {
          retire();
          await spillFull();
        }
      } else {
        chunk.sort(byKey);
        state.memory = chunk;
        state.arena = arena;
        arena = undefined;
        readerHeld -= chunk.length;
        chunk = [];
      }
    } finally {
      for (const f of full) drop(f);
      drop({ items: chunk, arena });
      reading--;
      if (!aborting.signal.aborted) fill();
    }
  };
  // A reader may fill `perWindow` items before it spills: one starts only when that fits in the budget
  // next to what read windows still hold, so `held` never exceeds `maxBuffered`. Windows that fit
  // wait in memory, so small windows are read far ahead while another provider is slow.
  const fits = () =>
    stats.held - readerHeld + (reading + 1) * perWindow <= o.maxBuffered &&
    reading < (spilling ? 1 : o.windowsInFlight) &&
    launched - consuming < MAX_WINDOWS_AHEAD;
  function fill(): void {
    while (launched < o.windows.length && (launched <= consuming || fits())) {
      const state: WindowState = {
        read: Promise.resolve(),
        memory: [],
        arena: undefined,
        runs: [],
      };
      reading++;
      state.read = readWindow(launched, state);
      state.read.catch(() => undefined);
      states.push(state);
      launched++;
    }
  }
  /** Merges runs into longer ones until at most `MAX_FAN_IN` are left (bounds open files). */
  const shorten = async (state: WindowState): Promise<void> => {
    while (state.runs.length > MAX_FAN_IN) {
      const group = state.runs.splice(0, MAX_FAN_IN);
      const file = await newRunFile();
      await mergeFiles(group, file, byKey, stats, aborting.signal, writeBuffers);
      stats.runsWritten++;
      state.runs.push(file);
      await Promise.all(group.map((f) => rm(f, { force: true })));
    }
  };

  try {
    for (let index = 0; index < o.windows.length; index++) {
      consuming = index;
      fill();
      const state = states[index] as WindowState;
      await state.read;
      if (state.runs.length === 0) {
        const items = state.memory;
        const arena = state.arena;
        state.memory = [];
        for (let i = 0; i < items.length; i++) {
          release(1);
          const item = items[i] as Item;
          yield item.e ?? (arena as Arena).value(item);
        }
        arena?.clear();
        state.arena = undefined;
      } else {
        await shorten(state);
        yield* mergeRuns(state.runs, byKey, stats);
        await Promise.all(state.runs.map((file) => rm(file, { force: true })));
      }
      states[index] = { read: Promise.resolve(), memory: [], arena: undefined, runs: [] };
    }
  } finally {
    aborting.release();
    await Promise.allSettled(states.map((s) => s.read));
    for (const s of states) {
      release(s.memory.length);
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

const isPage = (x: Engagement | Engagement[]): x is Engagement[] => Array.isArray(x);

/** Opens a reader per run and moves each to its first line; closes them all if one fails. */
async function openRuns(files: readonly string[]): Promise<RunReader[]> {
  const readers: RunReader[] = [];
  try {
    for (const file of files) readers.push(await RunReader.open(file));
  } catch (error) {
    await Promise.allSettled(readers.map((r) => r.close()));
    throw error;
  }
  return readers;
}

/** Merges a window's sorted runs, holding one head per run. */
async function* mergeRuns(
  files: readonly string[],
  compare: (a: MergeKey, b: MergeKey) => number,
  stats: SpillStats,
): AsyncGenerator<Engagement> {
  const readers = await openRuns(files);
  const heap = new MinHeap<RunReader>(compare);
  stats.held += readers.length;
  if (stats.held > stats.peakHeld) stats.peakHeld = stats.held;
  let open = readers.length;
  try {
    for (const r of readers) {
      if (await r.next()) heap.push(r);
      else {
        stats.held--;
        open--;
      }
    }
    while (heap.size > 0) {
      const top = heap.peek() as RunReader;
      const value = top.value();
      if (await top.next()) heap.replaceTop(top);
      else {
        heap.pop();
        stats.held--;
        open--;
      }
      yield value;
    }
  } finally {
    stats.held -= open;
    await Promise.allSettled(readers.map((r) => r.close()));
  }
}

/** Merges run files into one by copying their lines (no record is parsed). */
async function mergeFiles(
  files: readonly string[],
  into: string,
  compare: (a: MergeKey, b: MergeKey) => number,
  stats: SpillStats,
  signal: AbortSignal,
  writeBuffers: Buffer[],
): Promise<void> {
  const readers = await openRuns(files);
  stats.held += readers.length;
  if (stats.held > stats.peakHeld) stats.peakHeld = stats.held;
  let open = readers.length;
  let w: RunWriter | undefined;
  try {
    w = await RunWriter.create(into, writeBuffers.pop());
    const heap = new MinHeap<RunReader>(compare);
    for (const r of readers) {
      if (await r.next()) heap.push(r);
      else {
        stats.held--;
        open--;
      }
    }
    while (heap.size > 0) {
      const top = heap.peek() as RunReader;
      top.copyLine(w);
      if (w.full) {
        signal.throwIfAborted();
        await w.flush();
      }
      if (await top.next()) heap.replaceTop(top);
      else {
        heap.pop();
        stats.held--;
        open--;
      }
    }
  } finally {
    stats.held -= open;
    await Promise.allSettled(readers.map((r) => r.close()));
    if (w) {
      await w.close();
      writeBuffers.push(w.buffer);
    }
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
