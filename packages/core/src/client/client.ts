import { tmpdir } from 'node:os';
import { z } from 'zod';
import { ListEngagementsParamsObject, refineRange } from '../adapter/params';
import type {
  CreateEngagementInput,
  EngagementAdapter,
  ListEngagementsParams,
} from '../adapter/types';
import { MergedChangeFeed, type MergedChangeFeedParams } from '../changes/merged';
import { CapabilityError, InputValidationError, PaginationError } from '../errors/errors';
import { parseInput } from '../errors/zod';
import type { RequestOptions } from '../http/types';
import type { Engagement } from '../model/engagement';
import {
  CursorSecretSchema,
  type CursorState,
  decodeCursor,
  encodeCursor,
  fingerprintParams,
  MAX_CURSOR_LENGTH,
} from '../pagination/cursor';
import type { InvalidRecord, OnInvalidRecord } from '../pagination/invalid-record';
import { type ListingSink, PageIterator, type SourcePage } from '../pagination/page-iterator';
import { linkedAbort } from './linked-abort';
import { compareKeys, keyOf, limiter, type MergeKey, providerPageSize } from './merge';
import { sortedListing } from './spill';
import { unorderedPages } from './unordered';

/** A provider that failed during a merged listing. */
export interface ProviderFailure {
  provider: string;
  error: unknown;
}

export interface EngagementsClientOptions {
  adapters: readonly EngagementAdapter[];
  /**
   * What a failing provider does to a merged listing: `'fail'` throws its error; `'skip'` records
   * it on `iterator.failures` and goes on with the others; a function decides per failure. The
   * caller's abort (`signal`) is no provider's failure: it ends the listing with `AbortError` either way.
   * @default 'fail'
   */
  onProviderError?: 'fail' | 'skip' | ((failure: ProviderFailure) => 'fail' | 'skip') | undefined;
  /** How many providers are fetched at once. @default all */
  concurrency?: number | undefined;
  /**
   * Window size (ms) used to fetch adapters that do not list in time order but filter by time on the
   * server: each window is read, sorted (spilling to disk when it overflows its share of
   * `maxBufferedPerProvider`) and merged, a few windows ahead (one at a time, without prefetch, once
   * the provider spills: its reads then only feed the sort). @default 7 days
   */
  windowMs?: number | undefined;
  /**
   * How many fetched-but-not-yet-merged items one provider that does not list in order may hold in
   * memory (over the windows it reads ahead); beyond that, sorted runs go to `spillDir` and are
   * merged from there, so memory stays bounded whatever the range holds. Providers that list in order
   * hold only their current page. @default 10000
   */
  maxBufferedPerProvider?: number | undefined;
  /**
   * Where providers that do not list in order spill sorted runs once they hold
   * `maxBufferedPerProvider` items (a fresh directory per listing, removed when it ends, fails or is
   * abandoned). @default os.tmpdir()
   */
  spillDir?: string | undefined;
  /**
   * Signs composite cursors with HMAC-SHA256 under this key (at least 16 characters), so a cursor
   * changed in any way is rejected with `PaginationError('tampered-cursor')`. Give each adapter the
   * same option to sign the cursors it hands out on its own.
   * @default undefined (a checksum that catches corruption only)
   */
  cursorSecret?: string | undefined;
  /**
   * What every provider does with a record it cannot read, unless a `list()` call says otherwise:
   * `'throw'` fails the listing, `'skip'` (or a function, called first) skips it and keeps it on the
   * merged iterator's `skipped`.
   * @default 'throw'
   */
  onInvalidRecord?: OnInvalidRecord | undefined;
}

/** `list()` params of the multi-provider client. */
export interface MergedListParams extends Omit<ListEngagementsParams, 'maxPages'> {
  /**
   * `'asc'`/`'desc'`: one stream in `occurredAt` order (ties by `id`). `'none'`: each provider's
   * pages as its adapter returns them, providers interleaved page by page as they arrive; nothing
   * is sorted or spilled to disk, so it is the cheapest way to read everything when the order does
   * not matter (a sync). Its cursors hold every provider's own cursor; a page's `nextCursor` is
   * there on the last page too (resuming it reads nothing).
   * @default 'asc'
   */
  order?: 'asc' | 'desc' | 'none' | undefined;
  /** Only these providers (ids or aliases). @default every adapter */
  providers?: readonly string[] | undefined;
  /**
   * What each provider does with a record it cannot read (see `InvalidRecord`).
   * @default the client's `onInvalidRecord`, else 'throw'
   */
  onInvalidRecord?: OnInvalidRecord | undefined;
}

/**
 * The merged listing: a `PageIterator` that also reports which providers failed (with `'skip'`).
 * `skipped`/`skippedCount` gather the records every provider skipped. `done` becomes `true` once every
 * provider was read to its end (not when one was skipped after failing): `cursor` is then a terminal
 * cursor that resumes to nothing.
 */
export class MergedPageIterator extends PageIterator<Engagement> {
  /** Providers that failed and were skipped during the latest iteration. */
  readonly failures: ProviderFailure[] = [];
}

const MERGE = 'merge';
const DAY = 86_400_000;
/** Windows one provider fetches at once while reading ahead. */
const WINDOWS_IN_FLIGHT = 3;

const MergedParamsSchema = ListEngagementsParamsObject.omit({ maxPages: true })
  .extend({
    order: z.enum(['asc', 'desc', 'none']).optional(),
    providers: z.array(z.string().min(1)).min(1).optional(),
    onInvalidRecord: z
      .union([
        z.literal('throw'),
        z.literal('skip'),
        z.custom<(record: InvalidRecord) => void>((v) => typeof v === 'function', {
          message: "expected 'throw', 'skip' or a function",
        }),
      ])
      .optional(),
  })
  .superRefine(refineRange);

/**
 * One client over several adapters: `engagements.list()` lists every provider concurrently and
 * yields one stream in `occurredAt` order (ties by `id`), resumable with one cursor.
 */
export function createEngagementsClient(options: EngagementsClientOptions) {
  const adapters = [...options.adapters];
  const cursorSecret =
    options.cursorSecret === undefined
      ? undefined
      : parseInput(z.object({ cursorSecret: CursorSecretSchema }), {
          cursorSecret: options.cursorSecret,
        }).cursorSecret;
  // Every id and alias names one adapter.
  const byName = new Map<string, EngagementAdapter>();
  for (const a of adapters) {
    for (const name of [a.id, ...(a.aliases ?? [])]) {
      const other = byName.get(name);
      if (other && other !== a) {
        throw new InputValidationError([
          {
            path: 'adapters',
            rule: 'unique',
            message: `"${name}" names two adapters ("${other.id}" and "${a.id}")`,
          },
        ]);
      }
      byName.set(name, a);
    }
  }
  const byId = (provider: string): EngagementAdapter => {
    const adapter = byName.get(provider);
    if (!adapter) {
      throw new InputValidationError([
        {
          path: 'provider',
          rule: 'known_provider',
          message: `no adapter "${provider}" (have: ${[...byName.keys()].join(', ')})`,
        },
      ]);
    }
    return adapter;
  };
  const decide = (failure: ProviderFailure): 'fail' | 'skip' => {
    const policy = options.onProviderError ?? 'fail';
    return typeof policy === 'function' ? policy(failure) : policy;
  };

  function list(params: MergedListParams = {}): MergedPageIterator {
    let iterator: MergedPageIterator;
    const source = (sink: ListingSink) => mergedPages(params, iterator, sink);
    iterator = new MergedPageIterator(source);
    return iterator;
  }

  async function* mergedPages(
    raw: MergedListParams,
    iterator: MergedPageIterator,
    sink: ListingSink,
  ): AsyncGenerator<SourcePage<Engagement>> {
    iterator.failures.length = 0;
    const params = parseInput(MergedParamsSchema, raw);
    const order = params.order ?? 'asc';
    const selected = params.providers ? [...new Set(params.providers.map(byId))] : adapters;
    const fingerprint = fingerprintParams({
      from: params.from,
      to: params.to,
      kinds: params.kinds ? [...params.kinds].sort() : undefined,
      directions: params.directions ? [...params.directions].sort() : undefined,
      participantIds: params.participantIds,
      accountIds: params.accountIds,
      ownerIds: params.ownerIds,
      native: params.native,
      order,
      providers: selected.map((a) => a.id).sort(),
    });
    const from = params.from?.getTime();
    const to = params.to?.getTime();
    // Stored in every cursor: resuming checks it lies within the params, so no cursor widens a listing.
    const range: Pick<CursorState, 'r'> =
      from !== undefined && to !== undefined ? { r: [from, to] } : {};
    const encode = (state: Omit<CursorState, 'p' | 'f' | 'r'>) =>
      encodeCursor({ p: MERGE, f: fingerprint, ...range, ...state }, { secret: cursorSecret });
    let after: MergeKey | undefined;
    let positions: Record<string, string> | undefined;
    if (params.cursor) {
      const state = decodeCursor(params.cursor, {
        provider: MERGE,
        fingerprint,
        secret: cursorSecret,
      });
      checkCursorRange(state, from, to);
      if (state.e === 1) {
        sink.finished(encode({ e: 1 }));
        return;
      }
      if (order === 'none') {
        positions = unorderedPositions(state.x, selected);
      } else {
        after = mergePosition(state.x, from, to);
      }
    }
    if (order === 'none') {
      yield* unorderedPages(
        {
          adapters: selected,
          params: listParamsOf(params),
          pageSize: params.pageSize,
          positions: positions ?? {},
          onInvalidRecord: params.onInvalidRecord ?? options.onInvalidRecord,
          concurrency: options.concurrency ?? selected.length,
          signal: params.signal,
          decide,
          failures: iterator.failures,
          encode: (u) => {
            const cursor = encode({ x: { u } });
            // Each provider's cursor fits on its own; all of them together might not.
            if (cursor.length > MAX_CURSOR_LENGTH) {
              throw new PaginationError(
                'oversized-token',
                `The providers' cursors together make a cursor of ${cursor.length} characters, over the ${MAX_CURSOR_LENGTH} one can resume; list fewer providers at once.`,
              );
            }
            return cursor;
          },
          terminal: () => encode({ e: 1 }),
        },
        sink,
      );
      return;
    }
    const pageSize = params.pageSize ?? 100;
    const sign = order === 'asc' ? 1 : -1;
    const beyond = (k: MergeKey) => (after ? sign * compareKeys(k, after) > 0 : true);
    const run = limiter(options.concurrency ?? selected.length);
    // One listener on the caller's signal for the whole listing, whatever the providers and windows
    // in flight do with theirs; removed when the listing ends.
    const aborting = linkedAbort(params.signal, selected.length);
    const callerSignal = params.signal;

    const streams = selected.map((adapter) => ({
      adapter,
      it: providerStream(adapter, params, order, after, {
        windowMs: options.windowMs ?? 7 * DAY,
        maxBuffered: options.maxBufferedPerProvider ?? 10_000,
        spillDir: options.spillDir ?? tmpdir(),
        signal: aborting.signal,
        onInvalidRecord: params.onInvalidRecord ?? options.onInvalidRecord,
        sink,
      })[Symbol.asyncIterator](),
      head: undefined as { e: Engagement; k: MergeKey } | undefined,
      done: false,
    }));

    type Stream = (typeof streams)[number];
    const pull = async (s: Stream): Promise<void> => {
      while (true) {
        try {
          const r = await run(() => s.it.next());
          if (r.done) {
            s.done = true;
            s.head = undefined;
            return;
          }
          const k = keyOf(r.value);
          if (!beyond(k)) continue;
          s.head = { e: r.value, k };
          return;
        } catch (error) {
          // The caller's abort ends the whole listing, whatever the policy: no provider failed.
          if (callerSignal?.aborted) throw error;
          // The listing is over (another provider failed): not a failure.
          if (aborting.signal.aborted) {
            s.done = true;
            s.head = undefined;
            return;
          }
          const failure = { provider: s.adapter.id, error };
          if (decide(failure) === 'fail') throw error;
          iterator.failures.push(failure);
          s.done = true;
          s.head = undefined;
          return;
        }
      }
    };

    try {
      await Promise.all(streams.map(pull));
      let page: Engagement[] = [];
      while (true) {
        let best: Stream | undefined;
        for (const s of streams) {
          if (s.done || !s.head) continue;
          if (!best?.head || sign * compareKeys(s.head.k, best.head.k) < 0) best = s;
        }
        if (!best?.head) break;
        page.push(best.head.e);
        if (page.length >= pageSize) {
          yield makePage(page, true);
          page = [];
        }
        await pull(best);
      }
      if (page.length > 0) yield makePage(page, false);
      // A provider skipped after failing was not read to its end: resuming must not claim it was.
      if (iterator.failures.length === 0) sink.finished(encode({ e: 1 }));
    } finally {
      // Stops reads still in flight (e.g. after another provider failed), so returning does not wait.
      aborting.release();
      await Promise.allSettled(streams.map((s) => s.it.return?.(undefined)));
    }

    function cursorAfter(e: Engagement): string {
      const k = keyOf(e);
      return encode({ x: { t: k.t, i: k.id } });
    }
    function makePage(items: Engagement[], more: boolean): SourcePage<Engagement> {
      const last = items[items.length - 1] as Engagement;
      return {
        items,
        nextCursor: more ? cursorAfter(last) : undefined,
        cursorAfter: (index) => {
          const e = items[index];
          if (!e) return undefined;
          // After the very last item nothing follows: the terminal cursor, so resuming sends no request.
          const end = !more && index === items.length - 1 && iterator.failures.length === 0;
          return end ? encode({ e: 1 }) : cursorAfter(e);
        },
      };
    }
  }

  return {
    adapters: adapters as readonly EngagementAdapter[],
    engagements: {
      list,
      /**
       * Gets one engagement by its unified id, `provider:remoteId`, where `provider` is an adapter's
       * id or one of its aliases (`'zoom:…'` for `'zoom-contact-center:…'`).
       */
      async get(id: string, requestOptions?: RequestOptions): Promise<Engagement> {
        const colon = typeof id === 'string' ? id.indexOf(':') : -1;
        const provider = colon > 0 ? byName.get(id.slice(0, colon)) : undefined;
        if (!provider) {
          throw new InputValidationError([
            {
              path: 'id',
              rule: 'unified_id',
              message: `expected "<provider>:<remoteId>" with a known provider, got "${id}"`,
            },
          ]);
        }
        return provider.engagements.get(`${provider.id}${id.slice(colon)}`, requestOptions);
      },
      /**
       * What changed at every provider (or `params.providers`) since a composite checkpoint (or,
       * for a first run, a date): each provider's feed in turn, one checkpoint for all. A provider
       * that fails follows `onProviderError` and keeps its own last checkpoint.
       */
      changes(params: MergedChangeFeedParams): MergedChangeFeed {
        const selected = params?.providers ? [...new Set(params.providers.map(byId))] : adapters;
        return new MergedChangeFeed(selected, params, decide);
      },
      /** Creates an engagement with one provider (its id or an alias). */
      async create(
        provider: string,
        input: CreateEngagementInput,
        requestOptions?: RequestOptions,
      ): Promise<Engagement> {
        const adapter = byId(provider);
        if (!adapter.capabilities.operations.create) {
          throw new CapabilityError(
            'create',
            `${adapter.id} does not support creating engagements.`,
            { provider: adapter.id },
          );
        }
        return adapter.engagements.create(input, requestOptions);
      },
    },
  };
}

export type EngagementsClient = ReturnType<typeof createEngagementsClient>;

/** What one provider's stream needs besides the params. */
interface ProviderStreamOptions {
  windowMs: number;
  maxBuffered: number;
  spillDir: string;
  signal: AbortSignal;
  onInvalidRecord: OnInvalidRecord | undefined;
  /** Where the provider's skipped records go (the merged iterator's `skipped`). */
  sink: ListingSink;
}

/** Rejects a cursor whose stored range is not the params' (an edited cursor would widen the listing). */
function checkCursorRange(state: CursorState, from: number | undefined, to: number | undefined) {
  const fits =
    state.r === undefined
      ? from === undefined || to === undefined
      : from !== undefined && to !== undefined && state.r[0] >= from && state.r[1] <= to;
  if (!fits) {
    throw new PaginationError(
      'mismatched-cursor',
      'Cursor does not fit these list params: its date range is not theirs.',
    );
  }
}

/**
 * One provider's engagements in `order`, strictly after `after`. Adapters that list in that order
 * stream; the others go through an external sort (`sortedListing`): fetched a window at a time (a few
 * windows ahead), sorted in chunks of at most `maxBuffered` items that spill to temporary files, and
 * merged lazily, so memory stays bounded whatever the range holds.
 */
async function* providerStream(
  adapter: EngagementAdapter,
  params: z.output<typeof MergedParamsSchema>,
  order: 'asc' | 'desc',
  after: MergeKey | undefined,
  o: ProviderStreamOptions,
): AsyncGenerator<Engagement> {
  const base = listParamsOf(params);
  let from = params.from?.getTime();
  let to = params.to?.getTime();
  // Inclusive of `after.t` in both directions: records that share its millisecond are sorted by id
  // and the merge drops those up to `after`.
  if (after) {
    if (order === 'asc') from = Math.max(from ?? after.t, after.t);
    else to = Math.min(to ?? after.t + 1, after.t + 1);
  }
  // Skipped records go to the merged iterator; each provider's own end is not the listing's.
  const forward: ListingSink = { skipped: (record) => o.sink.skipped(record), finished: () => {} };
  /** One range's pages (their items arrays). */
  async function* pages(
    f: number | undefined,
    t: number | undefined,
    signal: AbortSignal,
    prefetch = true,
  ) {
    const listParams: ListEngagementsParams = {
      ...base,
      // The merged page size is the caller's; each vendor page stays within its adapter's maximum.
      pageSize: providerPageSize(params.pageSize, adapter),
      from: f === undefined ? undefined : new Date(f),
      to: t === undefined ? undefined : new Date(t),
      signal,
      prefetch,
      ...(o.onInvalidRecord === undefined ? {} : { onInvalidRecord: o.onInvalidRecord }),
    };
    for await (const page of adapter.engagements.list(listParams).sourcePages(forward)) {
      yield page.items;
    }
  }

  if (order === 'asc' && adapter.capabilities.ordering === 'asc') {
    for await (const items of pages(from, to, o.signal)) {
      yield* items;
      // Handed out: the listing keeps its last page while it fetches the next (see `sortedListing`).
      items.length = 0;
    }
    return;
  }
  const sign = order === 'asc' ? 1 : -1;
  const windows: Array<readonly [number | undefined, number | undefined]> = [];
  if (from === undefined || to === undefined || adapter.capabilities.filters.from !== 'server') {
    // No range to slice, or the vendor cannot filter by time (slicing would rescan everything):
    // one window, the whole range.
    windows.push([from, to]);
  } else {
    const size = Math.min(o.windowMs, adapter.capabilities.maxWindowMs ?? o.windowMs);
    for (let s = from; s < to; s += size) windows.push([s, Math.min(s + size, to)]);
    if (order === 'desc') windows.reverse();
  }
  yield* sortedListing({
    windows,
    // Whole pages: the sorter takes each in at once (see `SortedListingOptions.list`).
    list: ([f, t], signal, read) => pages(f, t, signal, read.prefetch),
    sign,
    maxBuffered: o.maxBuffered,
    windowsInFlight: WINDOWS_IN_FLIGHT,
    spillDir: o.spillDir,
    signal: o.signal,
  });
}

/** The merge position of an ordered merged cursor, checked against the params' range. */
function mergePosition(x: unknown, from: number | undefined, to: number | undefined): MergeKey {
  const parsed = z.object({ t: z.number().int(), i: z.string() }).safeParse(x);
  if (!parsed.success) {
    throw new PaginationError('malformed-cursor', 'Cursor has no merge position.');
  }
  const after = { t: parsed.data.t, id: parsed.data.i };
  if ((from !== undefined && after.t < from) || (to !== undefined && after.t >= to)) {
    throw new PaginationError(
      'mismatched-cursor',
      'Cursor does not fit these list params: its position is outside their date range.',
    );
  }
  return after;
}

/** The providers' own cursors an unordered merged cursor holds, each for a listed provider. */
function unorderedPositions(
  x: unknown,
  selected: readonly EngagementAdapter[],
): Record<string, string> {
  const parsed = z.object({ u: z.record(z.string(), z.string().min(1)) }).safeParse(x);
  if (!parsed.success) {
    throw new PaginationError('malformed-cursor', 'Cursor has no provider positions.');
  }
  const ids = new Set(selected.map((a) => a.id));
  const positions: Record<string, string> = Object.create(null);
  for (const [provider, cursor] of Object.entries(parsed.data.u)) {
    if (!ids.has(provider)) {
      throw new PaginationError(
        'mismatched-cursor',
        `Cursor does not fit these list params: it holds a position for "${provider}", which they do not list.`,
      );
    }
    positions[provider] = cursor;
  }
  return positions;
}

/** What each provider of a merged listing is asked for: the merged params but its own. */
function listParamsOf(
  params: z.output<typeof MergedParamsSchema>,
): Omit<ListEngagementsParams, 'cursor' | 'signal' | 'maxPages'> {
  const {
    order: _o,
    providers: _p,
    cursor: _c,
    signal: _s,
    onInvalidRecord: _i,
    pageSize: _z,
    ...base
  } = params;
  return base;
}
