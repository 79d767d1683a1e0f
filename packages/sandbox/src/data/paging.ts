import type { Collection, Entry, KeyRange, Position } from './collection';

/** Upper bound of entries examined per request when filters make matches sparse. */
export const SCAN_CAP = 20_000;

export interface KeysetPage<R> {
  /** Matching entries in scan order. */
  entries: Entry<R>[];
  /** Where to continue in the scan direction, if more may exist. */
  far?: Position;
  /** Where to continue in the opposite direction, if earlier matches exist. */
  near?: Position;
}

/** Options of {@link keysetPage} that only some vendors use. */
export interface KeysetOptions {
  /** Base records outside these keys cannot match the filter: they are skipped by seeking. */
  baseKeys?: KeyRange;
  /**
   * Filter before paginating, as a vendor's indexed query does: the scan cap only ends a page
   * once it holds a match, so a page is empty only when nothing matches beyond it.
   */
  neverEmpty?: boolean;
}

/**
 * One keyset page: up to `limit` matching entries strictly beyond `from` in direction `dir`.
 * The scan stops after SCAN_CAP entries, returning a short page with a continuation position,
 * so a sparse filter never makes one request walk the whole dataset (unless `neverEmpty`).
 */
export function keysetPage<R, T>(
  coll: Collection<R, T>,
  ordering: string,
  dir: 1 | -1,
  from: Position | undefined,
  limit: number,
  match: ((traits: T) => boolean) | undefined,
  within?: (pos: Position) => boolean,
  wantNear = true,
  options: KeysetOptions = {},
): KeysetPage<R> {
  const { baseKeys, neverEmpty = false } = options;
  const entries: Entry<R>[] = [];
  let scanned = 0;
  let last: Position | undefined;
  let far: Position | undefined;
  const accepts = (e: Entry<R>) => !match || match(coll.traitsOf(e));
  for (const e of coll.scan(ordering, dir, from, baseKeys)) {
    if (within && !within(e.pos)) break;
    if (entries.length === limit) {
      // Page is full: peek for one more match beyond it.
      if (accepts(e)) {
        far = entries[entries.length - 1]?.pos;
        break;
      }
    } else if (accepts(e)) {
      entries.push(e);
    }
    last = e.pos;
    if (++scanned >= SCAN_CAP && (!neverEmpty || entries.length > 0)) {
      far = entries.length === limit ? entries[entries.length - 1]?.pos : last;
      break;
    }
  }
  const nearStart = entries[0]?.pos ?? from;
  let near: Position | undefined;
  if (nearStart && wantNear) {
    let n = 0;
    for (const e of coll.scan(ordering, dir === 1 ? -1 : 1, nearStart, baseKeys)) {
      if (within && !within(e.pos)) break;
      if (accepts(e) || ++n >= SCAN_CAP) {
        near = nearStart;
        break;
      }
    }
  }
  const page: KeysetPage<R> = { entries };
  if (far) page.far = far;
  if (near) page.near = near;
  return page;
}
