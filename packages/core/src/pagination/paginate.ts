import { AbortError, PaginationError, ResponseValidationError } from '../errors/errors';
import { raceAbort } from '../http/abort';
import { type CursorState, decodeCursor, encodeCursor } from './cursor';
import { PageIterator, type SourcePage } from './page-iterator';
import type { InvalidRecordAt } from './read-records';
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
  fetchPage(request: FetchPageRequest): Promise<FetchPageResult<T>>;
  /**
   * Restrict items to `[from, to)` on `timeOf(item)`; with `maxWindowMs`, also slice the range into
   * windows the vendor accepts and query them one after another.
   */
  range?:
    | {
        from: number;
        to: number;
        maxWindowMs?: number | undefined;
        timeOf(item: T): number | undefined;
      }
    | undefined;
  /** Client-side filter; items it rejects are dropped (and never end the listing). */
  filter?: ((item: T) => boolean) | undefined;
  maxPages?: number | undefined;
  prefetch?: boolean | undefined;
  signal?: AbortSignal | undefined;
  direction?: 'after' | 'before' | undefined;
  /** Recognises the vendor's "page token expired" error. */
  isExpiredToken?: ((error: unknown) => boolean) | undefined;
  /**
   * On an expired token: `'restart'` re-reads the window from its start and skips the records
   * already yielded (by count, relying on the vendor's stable order); `'fail'` throws
   * `PaginationError('expired-token')`. @default 'restart'
   */
  onExpiredToken?: 'restart' | 'fail' | undefined;
}

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

/**
 * The pagination engine every adapter composes: token paging, optional date-window slicing,
 * client-side filters, engagekit cursors (page- and item-level), guards against repeated tokens,
 * `maxPages`, prefetch, abort, and recovery from expired page tokens.
 */
export function paginate<T>(options: PaginateOptions<T>): PageIterator<T> {
  return new PageIterator<T>(() => run(options));
}

async function* run<T>(o: PaginateOptions<T>): AsyncGenerator<SourcePage<T>, void, undefined> {
  const { provider, fingerprint, signal } = o;
  const state: CursorState | undefined = o.cursor
    ? decodeCursor(o.cursor, { provider, fingerprint })
    : undefined;
  const direction = state?.d ? (state.d === 'b' ? 'before' : 'after') : (o.direction ?? 'after');
  // Open ends become the limits of `Date`, so cursors (JSON, integers) can carry them.
  const clampMs = (ms: number) => Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, Math.trunc(ms)));
  const range = state?.r
    ? { from: state.r[0], to: state.r[1] }
    : o.range
      ? { from: clampMs(o.range.from), to: clampMs(o.range.to) }
      : undefined;
  const timeOf = o.range?.timeOf;
  const maxWindow = o.range?.maxWindowMs;
  const windowSize =
    maxWindow !== undefined && maxWindow >= 1 ? Math.trunc(maxWindow) : Number.POSITIVE_INFINITY;
  const windowAt = (from: number): TimeWindow | undefined => {
    if (!range || !(from < range.to)) return undefined;
    const end = Math.min(from + windowSize, range.to);
    return { from, to: end > from ? end : range.to };
  };

  let pos: Position = {
    window: range ? windowAt(state?.w ?? range.from) : undefined,
    token: state?.t,
    consumed: state?.c ?? 0,
  };
  if (range && !pos.window) return;
  let skip = state?.k ?? 0;
  let pages = 0;
  let seen = new Set<string>();
  /** Position (raw items into the window) of the last expired-token restart: a restart must progress. */
  let lastRestartAt = -1;
  const maxPages = o.maxPages ?? Number.POSITIVE_INFINITY;

  // Written whenever it differs from the default, so a cursor always resumes the way it was going.
  const directionFlag = (d: 'after' | 'before'): Partial<CursorState> =>
    d === 'before' ? { d: 'b' } : o.direction === 'before' ? { d: 'a' } : {};
  const encode = (p: Position, extra: Partial<CursorState> = {}) =>
    encodeCursor({
      p: provider,
      f: fingerprint,
      ...(range ? { r: [range.from, range.to] as [number, number] } : {}),
      ...(p.window ? { w: p.window.from } : {}),
      ...directionFlag(direction),
      ...(p.token !== undefined ? { t: p.token } : {}),
      ...(p.consumed ? { c: p.consumed } : {}),
      ...extra,
    });
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
        // Re-read the window from its start and skip what was already consumed.
        const resumeAt = skip + pos.consumed;
        if (resumeAt <= lastRestartAt) {
          throw new PaginationError(
            'expired-token',
            'The vendor page token expired again before the listing made progress; giving up instead of restarting forever.',
            { provider, cause: error },
          );
        }
        lastRestartAt = resumeAt;
        skip = resumeAt;
        pos = { window: pos.window, token: undefined, consumed: 0 };
        seen = new Set();
        continue;
      }
      throw error;
    }
    pending = undefined;
    pages++;
    throwIfAborted(signal, provider);

    const raw = result.items;
    const unreadable = result.invalid?.[0];
    if (unreadable) {
      throw new ResponseValidationError(unreadable.issues, { provider, what: 'record' });
    }
    const continuation = presentToken(direction === 'after' ? result.nextToken : result.prevToken);
    if (continuation !== undefined) {
      if (continuation === pos.token || seen.has(continuation)) {
        throw new PaginationError(
          'repeated-token',
          `The vendor returned a page token it had already returned; stopping instead of looping forever.`,
          { provider },
        );
      }
      seen.add(continuation);
    }

    let next: Position | undefined;
    if (!result.done) {
      if (continuation !== undefined) {
        next = { window: pos.window, token: continuation, consumed: pos.consumed + raw.length };
      } else if (pos.window && direction === 'after') {
        const following = windowAt(pos.window.to);
        if (following) next = { window: following, token: undefined, consumed: 0 };
      }
    }
    const stopHere = pages >= maxPages;
    if (o.prefetch && next && !stopHere) {
      pending = fetchAt(next);
      pending.catch(() => undefined);
      // One turn of the event loop lets the request go out now: a consumer that works through the
      // page synchronously (only microtasks between items) would otherwise hold it until the end.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    const start = Math.min(skip, raw.length);
    skip -= start;
    const kept: T[] = [];
    const rawIndex: number[] = [];
    for (let i = start; i < raw.length; i++) {
      const item = raw[i] as T;
      if (pos.window && timeOf) {
        const t = timeOf(item);
        if (t === undefined || !inWindow(t, pos.window)) continue;
      }
      if (o.filter && !o.filter(item)) continue;
      kept.push(item);
      rawIndex.push(i);
    }

    const nextCursor = next ? encode(next) : undefined;
    const other = presentToken(direction === 'after' ? result.prevToken : result.nextToken);
    const prevCursor =
      other !== undefined
        ? encodeCursor({
            p: provider,
            f: fingerprint,
            ...(range ? { r: [range.from, range.to] as [number, number] } : {}),
            ...(pos.window ? { w: pos.window.from } : {}),
            d: direction === 'after' ? ('b' as const) : ('a' as const),
            t: other,
          })
        : undefined;
    const here = pos;
    if (kept.length > 0 || stopHere || (!next && pages === 1)) {
      yield {
        items: kept,
        nextCursor,
        prevCursor,
        cursorAfter(index: number) {
          const r = rawIndex[index];
          if (r === undefined) return undefined;
          if (r === raw.length - 1) return nextCursor;
          return encode(here, { k: r + 1 });
        },
      };
    }
    if (!next || stopHere) return;
    // Vendors may reuse token values in another window (e.g. offsets): only repeats within one count.
    if (next.window !== pos.window) {
      seen = new Set();
      lastRestartAt = -1;
    }
    pos = next;
  }
}
