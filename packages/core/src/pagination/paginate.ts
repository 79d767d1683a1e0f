import * as crypto from 'node:crypto';
import { AbortError, PaginationError, ResponseValidationError } from '../errors/errors';
import { issuePath } from '../errors/zod';
import { raceAbort } from '../http/abort';
import { type CursorState, decodeCursor, encodeCursor, MAX_VENDOR_TOKEN_LENGTH } from './cursor';
import type { InvalidRecord, OnInvalidRecord } from './invalid-record';
import { type ListingSink, PageIterator, type SourcePage } from './page-iterator';
import type { InvalidRecordAt } from './read-records';
import { RecentSet } from './recent-set';
import { inWindow, type TimeWindow } from './windows';

/** What the engine asks the adapter for: one vendor page. */
export interface FetchPageRequest {
  /** The vendor's page token; `undefined` for the first page (of the window). */
  token: string | undefined;
  /**
   * The date window to query, `[from, to)` in epoch ms, when the listing is windowed. The vendor may
   * filter inclusively at both ends: the engine drops items outside the half-open window, so a record
   * exactly on an edge is yielded once.
   */
  window: TimeWindow | undefined;
  direction: 'after' | 'before';
  signal: AbortSignal | undefined;
}

/** One vendor page as the adapter read it. Empty-string and `null` tokens mean "no more". */
export interface FetchPageResult<T> {
  items: T[];
  nextToken?: string | null | undefined;
  prevToken?: string | null | undefined;
  /** The adapter knows nothing further can match (e.g. sorted past the range): stop the listing. */
  done?: boolean | undefined;
  /**
   * Records of this page the adapter could not read, each with its `index` among the page's raw
   * records (`readRecords` builds `items` and `invalid` together). `items` holds the others, in order.
   * The engine applies the caller's `onInvalidRecord` policy to them.
   */
  invalid?: InvalidRecordAt[] | undefined;
}

export interface PaginateOptions<T> {
  /** Provider id, written into cursors and checked on resume. */
  provider: string;
  /** `fingerprintParams(...)` of the params that define the listing. */
  fingerprint: string;
  cursor?: string | undefined;
  /** Signs cursors with HMAC-SHA256 and rejects any changed cursor (see `CursorCodecOptions.secret`). */
  cursorSecret?: string | undefined;
  fetchPage(request: FetchPageRequest): Promise<FetchPageResult<T>>;
  /**
   * Restrict items to `[from, to)` on `timeOf(item)`; with `maxWindowMs`, also slice the range into
   * windows the vendor accepts and query them one after another. A cursor resumed with these options
   * must carry a range inside `[from, to)`.
   */
  range?:
    | {
        from: number;
        to: number;
        maxWindowMs?: number | undefined;
        timeOf(item: T): number | undefined;
        /**
         * The range is the adapter's default ending now (the caller set no bound), so it moves between
         * calls: a cursor may then carry an earlier range, no longer than this one.
         */
        slidingDefault?: boolean | undefined;
      }
    | undefined;
  /** Client-side filter; items it rejects are dropped (and never end the listing). */
  filter?: ((item: T) => boolean) | undefined;
  maxPages?: number | undefined;
  /**
   * Fail with `PaginationError('empty-pages')` once this many vendor pages in a row came back with
   * no record yet pointing to a next page. @default 25
   */
  maxEmptyPages?: number | undefined;
  /** What to do with records the adapter reported as unreadable (`FetchPageResult.invalid`). @default 'throw' */
  onInvalidRecord?: OnInvalidRecord | undefined;
  /**
   * A record's identity, for the guard that never yields a record twice. @default the item's `id`
   * when it is a string
   */
  idOf?: ((item: T) => string | undefined) | undefined;
  prefetch?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /**
   * `'before'` pages backwards by `prevToken`; over a windowed range the windows are then read newest
   * first, each from its end. @default 'after'
   */
  direction?: 'after' | 'before' | undefined;
  /** Recognises the vendor's "page token expired" error. */
  isExpiredToken?: ((error: unknown) => boolean) | undefined;
  /**
   * On an expired token: `'restart'` re-reads the window from its start and skips the records
   * already yielded: by id over the last 10,000 before the resume point (records deleted or
   * inserted there meanwhile shift nothing), by count before those; `'fail'` throws
   * `PaginationError('expired-token')`. @default 'restart'
   */
  onExpiredToken?: 'restart' | 'fail' | undefined;
}

/** `maxEmptyPages` when none is set. */
export const DEFAULT_MAX_EMPTY_PAGES = 25;
/**
 * How many recently yielded record ids a listing remembers to never yield a record twice and to
 * spot a repeated page. A window of recent ids, not all of them: memory stays bounded (about 1 MB)
 * on a listing of millions of records, and a vendor that repeats pages repeats recent ones.
 */
export const MAX_TRACKED_IDS = 10_000;
/** How many recent page tokens a listing remembers to spot a token loop (long tokens by digest). */
export const MAX_TRACKED_TOKENS = 10_000;

const MAX_DATE_MS = 8.64e15;

interface Position {
  window: TimeWindow | undefined;
  token: string | undefined;
  /** Raw items of the window consumed before the page at `token`. */
  consumed: number;
}

function presentToken(token: string | null | undefined): string | undefined {
  return token === null || token === undefined || token === '' ? undefined : token;
}

function throwIfAborted(signal: AbortSignal | undefined, provider: string): void {
  if (signal?.aborted) throw new AbortError('The listing was aborted.', { provider });
}

/** Settles with `promise`, or rejects with an `AbortError` the moment `signal` fires. */
function untilAborted<R>(
  promise: Promise<R>,
  signal: AbortSignal | undefined,
  provider: string,
): Promise<R> {
  return raceAbort(promise, signal, () => new AbortError('The listing was aborted.', { provider }));
}

function defaultIdOf(item: unknown): string | undefined {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** Node's one-shot `crypto.hash` (from 20.12), several times cheaper than a `Hash` object per token. */
const oneShotHash = (
  crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }
).hash;

function tokenKey(token: string): string {
  if (token.length <= 64) return `=${token}`;
  return oneShotHash
    ? oneShotHash('sha256', token, 'base64url')
    : crypto.createHash('sha256').update(token).digest('base64url');
}

function mismatch(provider: string, what: string): PaginationError {
  return new PaginationError(
    'mismatched-cursor',
    `Cursor does not fit the list parameters it is resumed with: ${what}. A cursor can only resume the listing it came from.`,
    { provider },
  );
}

/** The record (path and issues) as the error `onInvalidRecord: 'throw'` raises. */
function invalidRecordError(record: InvalidRecord): ResponseValidationError {
  const issues = record.issues.length
    ? record.issues
    : [{ path: issuePath(...record.path), rule: 'invalid', message: 'unreadable record' }];
  return new ResponseValidationError(issues, {
    provider: record.provider,
    what: `record at ${issuePath(...record.path) || '(root)'}`,
    hint: "Pass onInvalidRecord: 'skip' (or a function) to list past unreadable records",
  });
}

/**
 * The pagination engine every adapter composes: token paging, optional date-window slicing,
 * client-side filters, engagekit cursors (page- and item-level, terminal once a listing is done),
 * guards against repeated tokens, repeated pages, runs of empty pages and oversized tokens,
 * `maxPages`, prefetch, abort, the `onInvalidRecord` policy, and recovery from expired page tokens.
 */
/** The id of a page's last consumed item as a cursor carries it: 48 bits of its SHA-256. */
function idAnchor(id: string): string {
  return crypto.createHash('sha256').update(id).digest('base64url').slice(0, 8);
}

export function paginate<T>(options: PaginateOptions<T>): PageIterator<T> {
  return new PageIterator<T>((sink) => run(options, sink));
}

async function* run<T>(
  o: PaginateOptions<T>,
  sink: ListingSink,
): AsyncGenerator<SourcePage<T>, void, undefined> {
  const { provider, fingerprint, signal } = o;
  const secret = o.cursorSecret;
  const state: CursorState | undefined = o.cursor
    ? decodeCursor(o.cursor, { provider, fingerprint, secret })
    : undefined;
  const listingDirection = o.direction ?? 'after';
  const direction = state?.d ? (state.d === 'b' ? 'before' : 'after') : listingDirection;
  // Open ends become the limits of `Date`, so cursors (JSON, integers) can carry them.
  const clampMs = (ms: number) => Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, Math.trunc(ms)));
  const paramsRange = o.range
    ? { from: clampMs(o.range.from), to: clampMs(o.range.to) }
    : undefined;
  if (state) {
    // The checksum is no integrity check without a secret: whatever a cursor says must lie inside
    // what the params allow, so an edited cursor can never widen a listing.
    if (state.r && !paramsRange)
      throw mismatch(provider, 'it carries a date range, the params none');
    if (!state.r && paramsRange) throw mismatch(provider, 'the params have a date range, it none');
    if (state.r && paramsRange) {
      const [from, to] = state.r;
      const inside = o.range?.slidingDefault
        ? to <= paramsRange.to && to - from <= paramsRange.to - paramsRange.from
        : from >= paramsRange.from && to <= paramsRange.to;
      if (!inside) throw mismatch(provider, 'its date range is outside the params');
    }
    if (state.w !== undefined && !(state.r && state.w >= state.r[0] && state.w < state.r[1])) {
      throw mismatch(provider, 'its window is outside its date range');
    }
    // Only a prevCursor (which always names the vendor's token) turns a listing around; a terminal
    // cursor reads nothing, whichever way it pointed.
    if (direction !== listingDirection && state.t === undefined && !state.e) {
      throw mismatch(provider, `it pages ${direction}, the params ${listingDirection}`);
    }
  }
  const range = state?.r ? { from: state.r[0], to: state.r[1] } : paramsRange;
  const timeOf = o.range?.timeOf;
  const maxWindow = o.range?.maxWindowMs;
  const windowSize =
    maxWindow !== undefined && maxWindow >= 1 ? Math.trunc(maxWindow) : Number.POSITIVE_INFINITY;
  const windowAt = (from: number): TimeWindow | undefined => {
    if (!range || !(from < range.to)) return undefined;
    const end = Math.min(from + windowSize, range.to);
    return { from, to: end > from ? end : range.to };
  };
  // Backwards, windows are read newest first on the same grid: a fresh listing starts at the last
  // one, and each window is followed by the one that ends where it starts.
  const newestWindowFrom = (r: { from: number; to: number }): number =>
    windowSize === Number.POSITIVE_INFINITY || !(r.to > r.from)
      ? r.from
      : r.from + Math.floor((r.to - 1 - r.from) / windowSize) * windowSize;
  const windowBefore = (w: TimeWindow): TimeWindow | undefined =>
    range && w.from > range.from
      ? { from: Math.max(range.from, w.from - windowSize), to: w.from }
      : undefined;
  const idOf = o.idOf ?? defaultIdOf;
  const maxEmptyPages = o.maxEmptyPages ?? DEFAULT_MAX_EMPTY_PAGES;
  const policy = o.onInvalidRecord ?? 'throw';

  // Written whenever it differs from the default, so a cursor always resumes the way it was going.
  const directionFlag = (d: 'after' | 'before'): Partial<CursorState> =>
    d === 'before' ? { d: 'b' } : o.direction === 'before' ? { d: 'a' } : {};
  const rangeField = (): Partial<CursorState> =>
    range ? { r: [range.from, range.to] as [number, number] } : {};
  const encode = (p: Position, extra: Partial<CursorState> = {}) =>
    encodeCursor(
      {
        p: provider,
        f: fingerprint,
        ...rangeField(),
        ...(p.window ? { w: p.window.from } : {}),
        ...directionFlag(direction),
        ...(p.token !== undefined ? { t: p.token } : {}),
        ...(p.consumed ? { c: p.consumed } : {}),
        ...extra,
      },
      { secret },
    );
  const terminalCursor = () =>
    encodeCursor(
      { p: provider, f: fingerprint, ...rangeField(), ...directionFlag(direction), e: 1 },
      { secret },
    );

  if (state?.e) {
    sink.finished(terminalCursor());
    return;
  }
  let pos: Position = {
    window: range
      ? windowAt(state?.w ?? (direction === 'before' ? newestWindowFrom(range) : range.from))
      : undefined,
    token: state?.t,
    consumed: state?.c ?? 0,
  };
  if (range && !pos.window) {
    sink.finished(terminalCursor());
    return;
  }
  let skip = state?.k ?? 0;
  /**
   * Raw items into the window where this listing began reading it: those before were read by the
   * run that wrote the cursor, and their ids are not known here.
   */
  let readFrom = pos.consumed + skip;
  /** The resumed page's anchor: the id hash of the last item consumed on it. */
  let anchor = state?.k !== undefined ? state.i : undefined;
  let pages = 0;
  let emptyPagesInARow = 0;
  let seenTokens = new RecentSet(MAX_TRACKED_TOKENS);
  const yieldedIds = new RecentSet(MAX_TRACKED_IDS);
  /**
   * Records seen again that may still be dropped without a `'repeated-page'` error: after an
   * expired-token restart, the re-read records before the resume point come again.
   */
  let repeatBudget = 0;
  /** Position (raw items into the window) of the last expired-token restart: a restart must progress. */
  let lastRestartAt = -1;
  /**
   * Raw items into the window read before the last restart: an invalid one among them was reported
   * already, and one without an id was yielded already.
   */
  let readThrough = 0;
  const maxPages = o.maxPages ?? Number.POSITIVE_INFINITY;
  const fetchAt = (p: Position) =>
    o.fetchPage({ token: p.token, window: p.window, direction, signal });

  let pending: Promise<FetchPageResult<T>> | undefined;
  while (true) {
    throwIfAborted(signal, provider);
    let result: FetchPageResult<T>;
    try {
      const fetching = pending ?? fetchAt(pos);
      fetching.catch(() => undefined);
      result = await untilAborted(fetching, signal, provider);
    } catch (error) {
      pending = undefined;
      if (error instanceof AbortError || signal?.aborted) {
        throw error instanceof AbortError
          ? error
          : new AbortError('The listing was aborted.', { provider, cause: error });
      }
      if (pos.token !== undefined && o.isExpiredToken?.(error)) {
        if (o.onExpiredToken === 'fail') {
          throw new PaginationError(
            'expired-token',
            'The vendor page token expired; resume is disabled (onExpiredToken: "fail"). Restart the listing or use the default "restart".',
            { provider, cause: error },
          );
        }
        // Re-read the window from its start. The records consumed are skipped by count only up to
        // the last MAX_TRACKED_IDS this listing read before the resume point; those are dropped by
        // id, as records yielded already. Records deleted before the point while the listing ran
        // shift the count back: skipped by count alone, as many records never yielded would be lost.
        const resumeAt = skip + pos.consumed;
        if (resumeAt <= lastRestartAt) {
          throw new PaginationError(
            'expired-token',
            'The vendor page token expired again before the listing made progress; giving up instead of restarting forever.',
            { provider, cause: error },
          );
        }
        lastRestartAt = resumeAt;
        readThrough = resumeAt;
        skip = Math.max(readFrom, resumeAt - MAX_TRACKED_IDS);
        anchor = undefined;
        // The re-read records come again, and as many inserted before the point would shift as many
        // more: that many are dropped, not an error. Restarts must progress, so this is bounded.
        repeatBudget = 2 * (resumeAt - skip);
        pos = { window: pos.window, token: undefined, consumed: 0 };
        seenTokens = new RecentSet(MAX_TRACKED_TOKENS);
        continue;
      }
      throw error;
    }
    pending = undefined;
    pages++;
    throwIfAborted(signal, provider);

    const records = rawRecords(result, provider);
    const continuation = presentToken(direction === 'after' ? result.nextToken : result.prevToken);
    if (continuation !== undefined) {
      const continuationKey = tokenKey(continuation);
      if (continuation === pos.token || seenTokens.has(continuationKey)) {
        throw new PaginationError(
          'repeated-token',
          `The vendor returned a page token it had already returned; stopping instead of looping forever.`,
          { provider },
        );
      }
      if (!tokenFits(continuation)) {
        throw new PaginationError(
          'oversized-token',
          `The vendor returned a page token of ${continuation.length} characters, over the ${MAX_VENDOR_TOKEN_LENGTH} a resumable cursor can carry.`,
          { provider },
        );
      }
      seenTokens.add(continuationKey);
    }
    // A token for the other direction that no cursor can carry only costs the page its prevCursor.
    const otherToken = presentToken(direction === 'after' ? result.prevToken : result.nextToken);
    const other = otherToken !== undefined && tokenFits(otherToken) ? otherToken : undefined;

    let next: Position | undefined;
    if (!result.done) {
      if (continuation !== undefined) {
        next = { window: pos.window, token: continuation, consumed: pos.consumed + records.count };
      } else if (pos.window) {
        const following =
          direction === 'after' ? windowAt(pos.window.to) : windowBefore(pos.window);
        if (following) next = { window: following, token: undefined, consumed: 0 };
      }
    }
    if (records.count > 0) {
      emptyPagesInARow = 0;
    } else if (continuation !== undefined && !result.done) {
      emptyPagesInARow++;
      if (emptyPagesInARow >= maxEmptyPages) {
        throw new PaginationError(
          'empty-pages',
          `The vendor returned ${emptyPagesInARow} empty pages in a row, each pointing to another (maxEmptyPages: ${maxEmptyPages}); stopping instead of paging on without end.`,
          { provider },
        );
      }
    }
    const stopHere = pages >= maxPages;

    let start: number;
    if (anchor === undefined) {
      start = Math.min(skip, records.count);
      skip -= start;
    } else {
      // Resumed mid-page: skip through the last item consumed wherever it now is. Gone from the
      // page, nothing is skipped: the items consumed before it come again at this resume boundary,
      // which is better than skipping one never yielded.
      start = 0;
      for (let i = 0; i < records.count; i++) {
        const entry = records.entries?.[i];
        if (entry?.invalid) continue;
        const id = idOf((entry ? entry.item : result.items[i]) as T);
        if (id !== undefined && idAnchor(id) === anchor) {
          start = i + 1;
          break;
        }
      }
      anchor = undefined;
      skip = 0;
    }
    const kept: T[] = [];
    const rawIndex: number[] = [];
    let repeats = 0;
    for (let i = start; i < records.count; i++) {
      const entry = records.entries?.[i];
      if (entry?.invalid) {
        if (pos.consumed + i < readThrough) continue;
        if (policy === 'throw') throw invalidRecordError(entry.invalid);
        if (typeof policy === 'function') policy(entry.invalid);
        sink.skipped(entry.invalid);
        continue;
      }
      const item = (entry ? entry.item : result.items[i]) as T;
      if (pos.window && timeOf) {
        const t = timeOf(item);
        if (t === undefined || !inWindow(t, pos.window)) continue;
      }
      if (o.filter && !o.filter(item)) continue;
      const id = idOf(item);
      if (id !== undefined) {
        // The page's own ids join the window as they are met (one set to ask, not two); nothing is
        // forgotten before the page ends.
        if (!yieldedIds.addNew(id)) {
          repeats++;
          continue;
        }
      } else if (pos.consumed + i < readThrough) {
        continue;
      }
      kept.push(item);
      rawIndex.push(i);
    }
    if (kept.length === 0 && repeats > 0) {
      if (repeats > repeatBudget) {
        throw new PaginationError(
          'repeated-page',
          `The vendor returned a page whose ${repeats} records this listing had already yielded, under another token; stopping instead of yielding them twice or looping.`,
          { provider },
        );
      }
      repeatBudget -= repeats;
    }
    yieldedIds.trim();

    if (o.prefetch && next && !stopHere) {
      pending = fetchAt(next);
      pending.catch(() => undefined);
      // One turn of the event loop lets the request go out now: a consumer that works through the
      // page synchronously (only microtasks between items) would otherwise hold it until the end.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    // Cursors are built when asked for: an item iteration asks for none unless its caller reads
    // `iterator.cursor`, and a page that yields nothing needs none.
    const following = next;
    let nextCursor: string | undefined;
    const nextCursorOf = () => {
      if (following && nextCursor === undefined) nextCursor = encode(following);
      return nextCursor;
    };
    let endCursor: string | undefined;
    const endCursorOf = () => {
      endCursor ??= following ? nextCursorOf() : terminalCursor();
      return endCursor;
    };
    const prevCursor =
      other !== undefined
        ? encodeCursor(
            {
              p: provider,
              f: fingerprint,
              ...rangeField(),
              ...(pos.window ? { w: pos.window.from } : {}),
              d: direction === 'after' ? ('b' as const) : ('a' as const),
              t: other,
            },
            { secret },
          )
        : undefined;
    const here = pos;
    if (kept.length > 0 || stopHere || (!next && pages === 1)) {
      const lastKept = kept.length - 1;
      yield {
        items: kept,
        get nextCursor() {
          return nextCursorOf();
        },
        prevCursor,
        cursorAfter(index: number) {
          const r = rawIndex[index];
          if (r === undefined) return undefined;
          // What follows the last item on this page was dropped or skipped already: resume after it.
          if (index === lastKept) return endCursorOf();
          const item = kept[index] as T;
          const id = idOf(item);
          return encode(here, { k: r + 1, ...(id !== undefined ? { i: idAnchor(id) } : {}) });
        },
      };
    }
    if (!next) {
      sink.finished(terminalCursor());
      return;
    }
    if (stopHere) return;
    // Vendors may reuse token values in another window (e.g. offsets): only repeats within one count.
    if (next.window !== pos.window) {
      seenTokens = new RecentSet(MAX_TRACKED_TOKENS);
      lastRestartAt = -1;
      readThrough = 0;
      readFrom = 0;
      repeatBudget = 0;
    }
    pos = next;
  }
}

/** Whether a cursor can carry `token`: at most `MAX_VENDOR_TOKEN_LENGTH` characters, as JSON too. */
export function tokenFits(token: string): boolean {
  if (token.length > MAX_VENDOR_TOKEN_LENGTH) return false;
  // JSON writes a UTF-16 unit as at most six characters (`\u001f`): a token that fits even then is
  // not stringified to be measured, once per page.
  if (token.length * 6 <= MAX_VENDOR_TOKEN_LENGTH) return true;
  return JSON.stringify(token).length - 2 <= MAX_VENDOR_TOKEN_LENGTH;
}

type RawEntry<T> = { item: T; invalid?: undefined } | { item?: undefined; invalid: InvalidRecord };

/**
 * A page's raw records in vendor order: the readable items with the unreadable ones at their index.
 * Without unreadable records there are no `entries`: the raw records are `items` (no object per item).
 */
function rawRecords<T>(
  result: FetchPageResult<T>,
  provider: string,
): { count: number; entries: readonly RawEntry<T>[] | undefined } {
  const items = result.items;
  const invalid = result.invalid ?? [];
  if (invalid.length === 0) return { count: items.length, entries: undefined };
  const count = items.length + invalid.length;
  const entries: RawEntry<T>[] = new Array(count);
  for (const { index, ...record } of invalid) {
    if (!Number.isInteger(index) || index < 0 || index >= count || entries[index]) {
      throw new RangeError(
        `${provider} adapter bug: an unreadable record at position ${index} does not fit its page of ${count} records.`,
      );
    }
    entries[index] = { invalid: record };
  }
  let next = 0;
  for (let i = 0; i < count; i++) {
    if (!entries[i]) entries[i] = { item: items[next++] as T };
  }
  return { count, entries };
}
