/** A position in an ordering: the sort key and the id of the boundary item. */
export interface Position {
  k: number;
  id: string;
}

export function comparePos(a: Position, b: Position): number {
  if (a.k !== b.k) return a.k < b.k ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Inclusive bounds on an ordering's key (either may be absent). */
export interface KeyRange {
  min?: number;
  max?: number;
}

/** One way of ordering a collection. */
export interface Ordering<R> {
  /** Key of base record i (cheap: no full record built). */
  baseKey(i: number): number;
  /** Key of a materialised record (overlay records). */
  recordKey(record: R): number;
  /** True when baseKey is non-decreasing in i, so no index is needed. */
  monotone: boolean;
}

export interface CollectionSpec<R, T> {
  count: number;
  /** Ids of base records sort in index order (string comparison). */
  baseId(i: number): string;
  /** Index of a base id, or undefined. */
  parseId(id: string): number | undefined;
  build(i: number): R;
  idOf(record: R): string;
  /** Cheap filter-relevant attributes of base record i. */
  traits(i: number): T;
  traitsOf(record: R): T;
  orderings: Record<string, Ordering<R>>;
}

/** A scanned item: either a base index or an overlay record. */
export interface Entry<R> {
  pos: Position;
  index?: number;
  record?: R;
}

/**
 * Lazily generated records (a pure function of the index) plus a small overlay of written records.
 * A base record that is written or deleted is masked and, if still alive, lives in the overlay.
 */
export class Collection<R, T> {
  private readonly masked = new Set<number>();
  private readonly overlay = new Map<string, R>();
  private readonly indexes = new Map<string, Uint32Array>();
  private sortedOverlay = new Map<string, Entry<R>[]>();

  constructor(private readonly spec: CollectionSpec<R, T>) {}

  get baseCount(): number {
    return this.spec.count;
  }

  /** True once anything was written or deleted since the last reset (base counts no longer hold). */
  get dirty(): boolean {
    return this.masked.size > 0 || this.overlay.size > 0;
  }

  reset(): void {
    this.masked.clear();
    this.overlay.clear();
    this.sortedOverlay.clear();
  }

  get(id: string): R | undefined {
    const over = this.overlay.get(id);
    if (over) return over;
    const i = this.spec.parseId(id);
    if (i === undefined || i < 0 || i >= this.spec.count || this.masked.has(i)) return undefined;
    return this.spec.build(i);
  }

  put(record: R): void {
    const id = this.spec.idOf(record);
    const i = this.spec.parseId(id);
    if (i !== undefined && i < this.spec.count) this.masked.add(i);
    this.overlay.set(id, record);
    this.sortedOverlay.clear();
  }

  delete(id: string): boolean {
    const existed = this.get(id) !== undefined;
    this.overlay.delete(id);
    const i = this.spec.parseId(id);
    if (i !== undefined && i < this.spec.count) this.masked.add(i);
    this.sortedOverlay.clear();
    return existed;
  }

  materialize(entry: Entry<R>): R {
    return entry.record ?? this.spec.build(entry.index as number);
  }

  traitsOf(entry: Entry<R>): T {
    return entry.record
      ? this.spec.traitsOf(entry.record)
      : this.spec.traits(entry.index as number);
  }

  /** Number of base ranks; rank r maps to base index via the ordering's index. */
  private rankToIndex(name: string): ((r: number) => number) | undefined {
    const ordering = this.ordering(name);
    if (ordering.monotone) return undefined;
    let perm = this.indexes.get(name);
    if (!perm) {
      const n = this.spec.count;
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = ordering.baseKey(i);
      perm = new Uint32Array(n);
      for (let i = 0; i < n; i++) perm[i] = i;
      perm.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
      this.indexes.set(name, perm);
    }
    const p = perm;
    return (r) => p[r] as number;
  }

  private ordering(name: string): Ordering<R> {
    const ordering = this.spec.orderings[name];
    if (!ordering) throw new Error(`unknown ordering ${name}`);
    return ordering;
  }

  private overlayEntries(name: string): Entry<R>[] {
    let list = this.sortedOverlay.get(name);
    if (!list) {
      const ordering = this.ordering(name);
      list = [...this.overlay.values()].map((record) => ({
        pos: { k: ordering.recordKey(record), id: this.spec.idOf(record) },
        record,
      }));
      list.sort((a, b) => comparePos(a.pos, b.pos));
      this.sortedOverlay.set(name, list);
    }
    return list;
  }

  /**
   * Entries strictly after `from` (dir 1) or strictly before it (dir -1), in that direction.
   * Without `from`, starts at the first (dir 1) or last (dir -1) entry. `baseKeys` skips base
   * records whose key lies outside it by seeking (a filter the generator proves they cannot
   * match); written records are always visited, whatever their key.
   */
  *scan(name: string, dir: 1 | -1, from?: Position, baseKeys?: KeyRange): Generator<Entry<R>> {
    const ordering = this.ordering(name);
    const toIndex = this.rankToIndex(name);
    const n = this.spec.count;
    const idx = (r: number) => (toIndex ? toIndex(r) : r);
    const basePos = (r: number): Position => {
      const i = idx(r);
      return { k: ordering.baseKey(i), id: this.spec.baseId(i) };
    };
    // First rank whose position is > from (dir 1); for dir -1 the rank before the first >= from.
    const firstAbove = (p: Position, inclusive: boolean) => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const c = comparePos(basePos(mid), p);
        if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    let r: number;
    if (dir === 1) r = from ? firstAbove(from, false) : 0;
    else r = (from ? firstAbove(from, true) : n) - 1;
    // Base ranks outside baseKeys: [lowRank, highRank) is what may be visited.
    const lowRank = baseKeys?.min === undefined ? 0 : firstAbove({ k: baseKeys.min, id: '' }, true);
    const highRank =
      baseKeys?.max === undefined ? n : firstAbove({ k: baseKeys.max, id: '\uffff' }, false);
    if (dir === 1) r = Math.max(r, lowRank);
    else r = Math.min(r, highRank - 1);

    const over = this.overlayEntries(name);
    let o: number;
    if (dir === 1) {
      o = 0;
      if (from) while (o < over.length && comparePos((over[o] as Entry<R>).pos, from) <= 0) o++;
    } else {
      o = over.length - 1;
      if (from) while (o >= 0 && comparePos((over[o] as Entry<R>).pos, from) >= 0) o--;
    }

    let nextBase: Entry<R> | undefined;
    const advanceBase = () => {
      nextBase = undefined;
      while (r >= lowRank && r < highRank) {
        const i = idx(r);
        r += dir;
        if (this.masked.has(i)) continue;
        nextBase = { pos: { k: ordering.baseKey(i), id: this.spec.baseId(i) }, index: i };
        return;
      }
    };
    advanceBase();
    while (true) {
      const nextOver = o >= 0 && o < over.length ? over[o] : undefined;
      if (!nextBase && !nextOver) return;
      let takeBase: boolean;
      if (!nextOver) takeBase = true;
      else if (!nextBase) takeBase = false;
      else takeBase = comparePos(nextBase.pos, nextOver.pos) * dir < 0;
      if (takeBase) {
        const e = nextBase as Entry<R>;
        advanceBase();
        yield e;
      } else {
        o += dir;
        yield nextOver as Entry<R>;
      }
    }
  }
}
