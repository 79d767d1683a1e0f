import {
  AbortError,
  CapabilityError,
  type Engagement,
  type EngagementChange,
  InputValidationError,
  type MergedListParams,
  NotFoundError,
} from '@engagekit/core';
import { SyncError } from './errors';
import { parseState, type StreamState } from './state';
import { type BatchResult, PREPARE_UPSERT, type PrepareUpsert, type SyncStore } from './store';

/** A listing as the sync reads it: items, and a cursor resuming after the last one yielded. */
export interface SyncListing extends AsyncIterable<Engagement> {
  readonly cursor: string | undefined;
  readonly done: boolean;
}

/** A change feed as the sync reads it: changes, and a checkpoint valid after each one. */
export interface SyncChangeFeed extends AsyncIterable<EngagementChange> {
  readonly checkpoint: string | undefined;
}

/** `changes()` params the sync passes. */
export interface SyncChangesParams {
  since: string | Date;
  signal?: AbortSignal | undefined;
  pageSize?: number | undefined;
}

/**
 * What the sync needs of a client: `createEngagementsClient()` from `@engagekit/core` is one.
 * `changes` is needed by `run()` once the backfill is done; `get` hydrates partial webhook changes.
 */
export interface SyncClient {
  engagements: {
    list(params: MergedListParams): SyncListing;
    changes?: ((params: SyncChangesParams) => SyncChangeFeed) | undefined;
    get?: ((id: string) => Promise<Engagement>) | undefined;
  };
}

/** Options of {@link createSync}. */
export interface SyncOptions {
  client: SyncClient;
  store: SyncStore;
  /** The checkpoint stream of `run()`. @default 'engagements' */
  stream?: string | undefined;
  /** Records (or changes) per transaction. @default 2000 */
  batchSize?: number | undefined;
  /**
   * How far before the backfill's start the change feed begins, so a change made while the backfill
   * ran is read by the feed. @default 300000 (5 minutes)
   */
  lookbackMs?: number | undefined;
  /** Called after each committed batch (e.g. for progress); what it throws stops the run. */
  onBatch?: ((event: SyncBatchEvent) => void) | undefined;
}

/** What `onBatch` hears after each committed batch. */
export interface SyncBatchEvent extends BatchResult {
  /** The checkpoint stream the batch was committed under. */
  stream: string;
  phase: 'backfill' | 'changes';
  /** How many changes (records) the batch held, per provider. */
  byProvider: Record<string, number>;
}

/** What `run()`, `syncShard()` or `apply()` did. */
export interface SyncStats extends BatchResult {
  /** The stream's stored checkpoint value after the run (JSON owned by this package). */
  checkpoint: string | undefined;
  durationMs: number;
}

/** One backfill shard: one provider's listing over `[from, to)`, with its own checkpoint stream. */
export interface SyncShard {
  provider: string;
  from: Date | string;
  to: Date | string;
}

const DAY = 86_400_000;
/** Batches of a backfill that may wait for their commit while the listing reads on. */
const QUEUED_BATCHES = 2;
const DEFAULT_BATCH = 2_000;
const MAX_BATCH = 10_000;

/**
 * A sync of a client's engagements into a store. `run()` backfills on its first call and follows
 * the change feed after that; `apply()` writes changes from the webhook receiver. Every batch is
 * committed with the checkpoint that follows it, and older changes never overwrite newer ones, so a
 * crash loses nothing and a replay changes nothing.
 *
 * @example
 * const sync = createSync({ client, store: pgliteStore('./.engagekit') });
 * const stats = await sync.run(); // { upserted, deleted, skipped, checkpoint, durationMs }
 */
export function createSync(options: SyncOptions) {
  const { client, store } = options;
  const stream = options.stream ?? 'engagements';
  const batchSize = checkBatchSize(options.batchSize);
  const lookbackMs = options.lookbackMs ?? 5 * 60_000;
  if (typeof stream !== 'string' || stream.length === 0) {
    throw invalid('stream', 'expected a non-empty string');
  }
  if (!Number.isFinite(lookbackMs) || lookbackMs < 0) {
    throw invalid('lookbackMs', 'expected a non-negative number of milliseconds');
  }
  if (typeof client?.engagements?.list !== 'function') {
    throw invalid('client', 'expected an engagements client (createEngagementsClient)');
  }
  if (typeof store?.writeBatch !== 'function') {
    throw invalid('store', 'expected a store (pgliteStore or postgresStore)');
  }
  let running = false;
  const onBatch = options.onBatch;

  /**
   * First call: lists `[from, now)` (default the last 90 days) into the store, then reads the
   * change feed from 5 minutes before the listing began. Later calls: the change feed from the
   * stored checkpoint. `from` only matters on the first call.
   */
  async function run(
    params: { from?: Date | string; signal?: AbortSignal } = {},
  ): Promise<SyncStats> {
    const started = Date.now();
    const fromMs = params.from === undefined ? undefined : new Date(params.from).getTime();
    if (fromMs !== undefined && (Number.isNaN(fromMs) || fromMs >= started)) {
      throw invalid('from', 'expected a valid date in the past');
    }
    if (running) throw new SyncError(`A run of stream "${stream}" is already in progress.`);
    running = true;
    try {
      throwIfAborted(params.signal);
      const totals = zero();
      let state = parseState(stream, await store.getCheckpoint(stream));
      if (!state) {
        state = {
          v: 1,
          phase: 'backfill',
          from: new Date(fromMs ?? started - 90 * DAY).toISOString(),
          to: new Date(started).toISOString(),
          // A sync keys records by id: it needs no time order, and sorting a provider that does
          // not list in order (an external sort, spilled to disk) cost it as much CPU as the rows.
          order: 'none',
        };
      }
      if (state.phase === 'done') {
        throw new SyncError(`Stream "${stream}" is a finished shard, not a sync stream.`);
      }
      if (state.phase === 'backfill') {
        const next: StreamState = {
          v: 1,
          phase: 'changes',
          sinceTime: new Date(Date.parse(state.to) - lookbackMs).toISOString(),
        };
        add(
          totals,
          await backfill(client, store, stream, state, next, batchSize, params.signal, onBatch),
        );
        state = next;
      }
      add(totals, await followChanges(state, params.signal));
      return {
        ...totals,
        checkpoint: await store.getCheckpoint(stream),
        durationMs: Date.now() - started,
      };
    } finally {
      running = false;
    }
  }

  async function followChanges(
    state: Extract<StreamState, { phase: 'changes' }>,
    signal: AbortSignal | undefined,
  ): Promise<BatchResult> {
    const changes = client.engagements.changes;
    if (typeof changes !== 'function') {
      throw new CapabilityError(
        'changes',
        'The client has no engagements.changes() feed to follow.',
      );
    }
    const feed = changes({ since: state.since ?? new Date(state.sinceTime), signal });
    const totals = zero();
    let pending: EngagementChange[] = [];
    let stored = state.since;
    const flush = async (force: boolean) => {
      const since = feed.checkpoint ?? stored;
      if (pending.length === 0 && (!force || since === stored)) return;
      const value: StreamState = { ...state, since };
      const result = await store.writeBatch({
        changes: pending,
        checkpoint: { stream, value: JSON.stringify(value) },
      });
      add(totals, result);
      const written = pending;
      pending = [];
      report(onBatch, stream, 'changes', written, result);
      stored = since;
    };
    await drain(
      feed,
      (c) => {
        pending.push(c);
        // An abort takes effect at the next commit at the latest, whatever the feed has buffered.
        return pending.length >= batchSize
          ? flush(false).then(() => throwIfAborted(signal))
          : undefined;
      },
      () => flush(false),
    );
    await flush(true);
    return totals;
  }

  return {
    run,
    /**
     * Writes changes (e.g. from the webhook receiver's `onChange`) in one transaction. Partial
     * upserts are read with the client's `get()` when it has one (skipped when the vendor no longer
     * has the engagement); older changes than the stored ones are skipped.
     */
    async apply(
      changes: readonly EngagementChange[],
      params: { signal?: AbortSignal } = {},
    ): Promise<SyncStats> {
      const started = Date.now();
      if (!Array.isArray(changes))
        throw invalid('changes', 'expected an array of EngagementChange');
      const get = client.engagements.get;
      const ready: EngagementChange[] = [];
      for (const c of changes) {
        throwIfAborted(params.signal);
        if (c?.type === 'upsert' && !c.engagement && typeof get === 'function') {
          try {
            ready.push({ ...c, engagement: await get(c.id), partial: false });
            continue;
          } catch (error) {
            if (!(error instanceof NotFoundError)) throw error;
          }
        }
        ready.push(c);
      }
      const result = await store.writeBatch({ changes: ready });
      return { ...result, checkpoint: undefined, durationMs: Date.now() - started };
    },
    /** The stream `run()` checkpoints under. */
    stream,
  };
}

export type Sync = ReturnType<typeof createSync>;

/** The checkpoint stream of a shard: one per provider and window. */
export function shardStream(shard: SyncShard): string {
  const { from, to } = shardBounds(shard);
  return `shard:${shard.provider}:${from}:${to}`;
}

/**
 * Lists one shard (one provider over `[from, to)`) into the store, checkpointing its cursor with
 * every batch under its own stream: a shard interrupted anywhere resumes where it committed, and a
 * finished shard does nothing when run again. For running a backfill as many jobs (e.g. pg-boss).
 */
export async function syncShard(options: {
  client: SyncClient;
  store: SyncStore;
  shard: SyncShard;
  /** @default shardStream(shard) */
  stream?: string | undefined;
  batchSize?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called after each committed batch; what it throws stops the shard. */
  onBatch?: ((event: SyncBatchEvent) => void) | undefined;
}): Promise<SyncStats> {
  const started = Date.now();
  const { from, to } = shardBounds(options.shard);
  if (typeof options.shard.provider !== 'string' || options.shard.provider.length === 0) {
    throw invalid('shard.provider', 'expected a provider id');
  }
  const batchSize = checkBatchSize(options.batchSize);
  const stream = options.stream ?? shardStream(options.shard);
  const stored = parseState(stream, await options.store.getCheckpoint(stream));
  if (stored && (stored.phase === 'changes' || stored.from !== from || stored.to !== to)) {
    throw new SyncError(`Stream "${stream}" belongs to another listing than shard ${from}..${to}.`);
  }
  let totals = zero();
  if (stored?.phase !== 'done') {
    const state: Extract<StreamState, { phase: 'backfill' }> = stored ?? {
      v: 1,
      phase: 'backfill',
      from,
      to,
      providers: [options.shard.provider],
    };
    const done: StreamState = { v: 1, phase: 'done', from, to };
    totals = await backfill(
      options.client,
      options.store,
      stream,
      state,
      done,
      batchSize,
      options.signal,
      options.onBatch,
    );
  }
  return {
    ...totals,
    checkpoint: await options.store.getCheckpoint(stream),
    durationMs: Date.now() - started,
  };
}

/**
 * Lists `state`'s range from its cursor, committing each batch with the cursor after it, and
 * `next` with the last batch once the listing is read to its end.
 */
async function backfill(
  client: SyncClient,
  store: SyncStore,
  stream: string,
  state: Extract<StreamState, { phase: 'backfill' }>,
  next: StreamState,
  batchSize: number,
  signal: AbortSignal | undefined,
  onBatch: SyncOptions['onBatch'],
): Promise<BatchResult> {
  const listing = client.engagements.list({
    from: new Date(state.from),
    to: new Date(state.to),
    cursor: state.cursor,
    providers: state.providers,
    ...(state.order ? { order: state.order } : {}),
    signal,
  });
  const totals = zero();
  let pending: EngagementChange[] = [];
  let cursor = state.cursor;
  const prepare = preparerOf(store);
  // Batches are committed while the next ones are read: the listing waits on the vendor, the commit
  // on the database, and overlapping them is most of a sync's speed. Up to QUEUED_BATCHES batches
  // wait for their commit before the listing pauses: one commit can take longer than reading the
  // next batch (the database shares the machine), and the listing should not stall for it. Commits
  // stay in order (each starts only after the one before it is in; none after a failure) and each
  // carries the cursor after it.
  const queue: Promise<void>[] = [];
  const settle = async () => {
    while (queue.length > 0) await queue.shift();
  };
  const write = async (changes: EngagementChange[], value: StreamState) => {
    const result = await store.writeBatch({
      changes,
      checkpoint: { stream, value: JSON.stringify(value) },
    });
    add(totals, result);
    report(onBatch, stream, 'backfill', changes, result);
  };
  const startFlush = async () => {
    while (queue.length >= QUEUED_BATCHES) await queue.shift();
    // An abort takes effect at the next commit at the latest, whatever the listing has buffered.
    throwIfAborted(signal);
    if (pending.length === 0) return;
    // A listing that cannot name a cursor here keeps the previous one: re-reading is harmless.
    cursor = listing.cursor ?? cursor;
    const batch = pending;
    pending = [];
    const before = queue[queue.length - 1];
    const value: StreamState = { ...state, cursor };
    const committed = (async () => {
      await before;
      throwIfAborted(signal);
      await write(batch, value);
    })();
    // Observed when settled; until then a failure must not count as unhandled.
    committed.catch(() => {});
    queue.push(committed);
  };
  await drain(
    listing,
    (e) => {
      pending.push(prepare ? prepare(e, changedAtOf(e)) : upsertOf(e));
      return pending.length >= batchSize ? startFlush() : undefined;
    },
    async () => {
      // The source failed: what was read before the failure is committed, unless aborted.
      await settle();
      if (signal?.aborted) return;
      await startFlush();
      await settle();
    },
  ).catch(async (error: unknown) => {
    await settle().catch(() => {});
    throw error;
  });
  await settle();
  throwIfAborted(signal);
  if (!listing.done) {
    await startFlush();
    await settle();
    throw new SyncError(
      `The listing of stream "${stream}" ended before its end (a provider failed and was skipped); run again to resume.`,
    );
  }
  const rest = pending;
  pending = [];
  await write(rest, next);
  return totals;
}

/**
 * Feeds every item to `onItem` (awaiting what it returns); when the source itself fails, `onFail`
 * commits what was read before the failure is rethrown.
 */
async function drain<T>(
  source: AsyncIterable<T>,
  onItem: (item: T) => Promise<void> | undefined,
  onFail: () => Promise<void>,
): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  try {
    while (true) {
      let r: IteratorResult<T>;
      try {
        r = await it.next();
      } catch (error) {
        await onFail();
        throw error;
      }
      if (r.done) return;
      await onItem(r.value);
    }
  } finally {
    await it.return?.();
  }
}

/** A listed engagement as a change, dated by its vendor's last update (else creation, else occurrence). */
function upsertOf(e: Engagement): EngagementChange {
  return {
    type: 'upsert',
    id: e.id,
    provider: e.provider,
    remoteId: e.remoteId,
    changedAt: changedAtOf(e),
    engagement: e,
    source: 'feed',
  };
}

/** When a listed engagement last changed, as far as the vendor says. */
function changedAtOf(e: Engagement): string {
  return e.updatedAt ?? e.createdAt ?? e.occurredAt;
}

/** The store's own way to encode an upsert as it arrives, when it is this package's store. */
function preparerOf(store: SyncStore): PrepareUpsert | undefined {
  const prepare = (store as { [PREPARE_UPSERT]?: unknown })[PREPARE_UPSERT];
  return typeof prepare === 'function' ? (prepare as PrepareUpsert) : undefined;
}

function report(
  onBatch: SyncOptions['onBatch'],
  stream: string,
  phase: SyncBatchEvent['phase'],
  changes: readonly EngagementChange[],
  result: BatchResult,
) {
  if (!onBatch || changes.length === 0) return;
  const byProvider: Record<string, number> = {};
  for (const c of changes) byProvider[c.provider] = (byProvider[c.provider] ?? 0) + 1;
  onBatch({ stream, phase, byProvider, ...result });
}

function shardBounds(shard: SyncShard): { from: string; to: string } {
  const from = new Date(shard?.from ?? Number.NaN).getTime();
  const to = new Date(shard?.to ?? Number.NaN).getTime();
  if (Number.isNaN(from)) throw invalid('shard.from', 'expected a date');
  if (Number.isNaN(to) || to <= from) throw invalid('shard.to', 'expected a date after shard.from');
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

function checkBatchSize(value: number | undefined): number {
  const size = value ?? DEFAULT_BATCH;
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH) {
    throw invalid('batchSize', `expected an integer from 1 to ${MAX_BATCH}`);
  }
  return size;
}

function throwIfAborted(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw new AbortError('The sync was aborted.', { cause: signal.reason });
}

function invalid(path: string, message: string) {
  return new InputValidationError([{ path, rule: 'invalid', message }]);
}

function zero(): BatchResult {
  return { upserted: 0, deleted: 0, skipped: 0 };
}

function add(to: BatchResult, r: BatchResult) {
  to.upserted += r.upserted;
  to.deleted += r.deleted;
  to.skipped += r.skipped;
}
