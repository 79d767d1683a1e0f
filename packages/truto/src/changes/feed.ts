import {
  ApiError,
  CapabilityError,
  type ChangeCapabilities,
  type ChangeFeed,
  type ChangeFeedParams,
  type EngagementChange,
  InputValidationError,
  type InvalidRecord,
  toIsoUtc,
} from '@engagekit/core';
import {
  AdapterChangeFeed,
  type ChangeFeedSource,
  decodeCheckpoint,
  encodeCheckpoint,
} from '@engagekit/core/adapter';
import { PROVIDER } from '../map/engagement';

/** How the Truto adapter finds changes; see `TrutoAdapterOptions.changes`. */
export type TrutoChangesMode = 'auto' | 'modified' | 'window';

/** The mode a feed actually runs in. */
export type TrutoFeedMode = 'modified' | 'window';

/** What a feed needs from its adapter. */
export interface TrutoFeedContext {
  /** The adapter's `changes` option, when it is not `'auto'`. */
  fixed: TrutoFeedMode | undefined;
  /** The mode the account's cached metadata says, if fresh (no request). */
  cached(): TrutoFeedMode | undefined;
  /**
   * The mode for this account: the fixed one, or the metadata's (cached, else asked with the
   * feed's per-call `request` options, as its listings are).
   */
  resolve(
    signal: AbortSignal | undefined,
    request?: ChangeFeedParams['request'],
  ): Promise<TrutoFeedMode>;
  /** Forgets the cached metadata (the account refused the `updated_at` filter). */
  invalidate(): void;
  capabilities(mode: TrutoFeedMode): ChangeCapabilities;
  source(mode: TrutoFeedMode): ChangeFeedSource;
  /** Checks the listing params (page size, kinds) before any request. */
  checkListParams(params: ChangeFeedParams): void;
  integratedAccountId: string;
}

// What core's engine takes for a checkpoint rather than a date (`ekc1.…`).
const CHECKPOINT = /^ek[a-z]*\d+\./;

/** The mode a change-feed checkpoint was made in; a corrupt or foreign one fails typed. */
function checkpointMode(text: string): TrutoFeedMode {
  try {
    decodeCheckpoint(text, { provider: PROVIDER, mode: 'modified' });
    return 'modified';
  } catch (error) {
    if (error instanceof InputValidationError && error.issues[0]?.rule === 'checkpoint_mode') {
      return 'window';
    }
    throw error;
  }
}

/**
 * Truto's change feed. The mode depends on the integrated account, which only an async metadata
 * request can tell, so the feed settles it when iteration starts:
 * - a fixed `changes` option, a checkpoint (its own mode) or a fresh cached metadata answer sets
 *   `mode` at once; with `'auto'` each iteration still checks the account (cached) and may move on
 *   from a checkpoint's mode as below;
 * - otherwise (`'auto'`, `since` a date, nothing cached) the first iteration asks the account's
 *   metadata. Until then `checkpoint` is `since` as an ISO string, which resumes exactly there.
 *
 * When the account's support changes between runs:
 * - a `'window'` checkpoint on an account that now filters by `updated_at` continues in
 *   `'modified'` mode from the same point (reading by modified time from there loses nothing; an
 *   interrupted run restarts, so its items may come once more at that boundary);
 * - a `'modified'` checkpoint on an account that no longer does fails with `CapabilityError`
 *   (`changes:modified`): going on by start time would silently miss edits to older engagements.
 */
export class TrutoChangeFeed implements ChangeFeed {
  #inner: ChangeFeed | undefined;
  #innerMode: TrutoFeedMode | undefined;
  /** `since` as an ISO string while no inner feed exists. */
  #pending = '';
  readonly #params: ChangeFeedParams;

  constructor(
    private readonly context: TrutoFeedContext,
    params: ChangeFeedParams,
  ) {
    const since = (params as Partial<ChangeFeedParams> | undefined)?.since;
    const fromCheckpoint = typeof since === 'string' && CHECKPOINT.test(since);
    // A fixed mode lets the engine refuse a checkpoint of the other mode itself.
    const mode =
      context.fixed ?? (fromCheckpoint ? checkpointMode(since) : undefined) ?? context.cached();
    const feed = new AdapterChangeFeed(
      PROVIDER,
      context.capabilities(mode ?? 'window'),
      context.source(mode ?? 'window'),
      params,
    );
    context.checkListParams(params);
    this.#params = params;
    if (mode) {
      this.#inner = feed;
      this.#innerMode = mode;
    } else {
      // The engine accepted `since` as a date, so it is a valid Date or ISO string.
      this.#pending = since instanceof Date ? since.toISOString() : (toIsoUtc(String(since)) ?? '');
    }
  }

  /**
   * The mode this feed reads in: `'modified'` (Truto's `updated_at` filter) or `'window'` (start
   * times within the lookback). `undefined` until the first iteration when the adapter is `'auto'`,
   * `since` was a date and no metadata answer was cached.
   */
  get mode(): TrutoFeedMode | undefined {
    return this.#innerMode;
  }

  get checkpoint(): string {
    return this.#inner ? this.#inner.checkpoint : this.#pending;
  }

  get done(): boolean {
    return this.#inner?.done ?? false;
  }

  get skipped(): readonly InvalidRecord[] {
    return this.#inner?.skipped ?? [];
  }

  get skippedCount(): number {
    return this.#inner?.skippedCount ?? 0;
  }

  async toArray(options: { max?: number | undefined } = {}): Promise<EngagementChange[]> {
    const out: EngagementChange[] = [];
    const max = options.max ?? Number.POSITIVE_INFINITY;
    if (max <= 0) return out;
    for await (const change of this) {
      out.push(change);
      if (out.length >= max) break;
    }
    return out;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<EngagementChange> {
    const mode = await this.context.resolve(this.#params.signal, this.#params.request);
    const feed = this.#feedFor(mode);
    try {
      yield* feed;
    } catch (error) {
      // The account refused the filter its metadata listed: ask the metadata again next time.
      if (mode === 'modified' && refusedFilter(error)) this.context.invalidate();
      throw error;
    }
  }

  #feedFor(mode: TrutoFeedMode): ChangeFeed {
    const inner = this.#inner;
    if (inner && this.#innerMode === mode) return inner;
    let since: string = this.#pending;
    if (inner && this.#innerMode === 'window') {
      const state = decodeCheckpoint(inner.checkpoint, { provider: PROVIDER, mode: 'window' });
      // A run in progress holds a start-time listing's cursor: the modified listing starts over.
      since = encodeCheckpoint({ ...state, mode: 'modified', run: undefined });
    } else if (inner) {
      const state = decodeCheckpoint(inner.checkpoint, { provider: PROVIDER, mode: 'modified' });
      throw new CapabilityError(
        'changes:modified',
        `${PROVIDER}: this checkpoint reads by updated_at, but integrated account ` +
          `${this.context.integratedAccountId} no longer supports the updated_at filter ` +
          '(GET /unified/crm/engagements/meta/list). Going on by start time would miss edits to ' +
          'older engagements, so the feed stops. Start a new feed with ' +
          `since: '${new Date(state.readFromMs).toISOString()}' (window mode from there) and ` +
          'reconcile older engagements with engagements.list() if you need them.',
        { provider: PROVIDER },
      );
    }
    const feed = new AdapterChangeFeed(
      PROVIDER,
      this.context.capabilities(mode),
      this.context.source(mode),
      { ...this.#params, since },
    );
    this.#inner = feed;
    this.#innerMode = mode;
    return feed;
  }
}

function refusedFilter(error: unknown): boolean {
  if (error instanceof CapabilityError) return error.capability.startsWith('filter:');
  return error instanceof ApiError && error.status === 400;
}
