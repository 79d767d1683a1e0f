import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ListEngagementsParamsObject } from '../adapter/params';
import type { ListEngagementsParams } from '../adapter/types';
import { AbortError, InputValidationError } from '../errors/errors';
import { parseInput } from '../errors/zod';
import type { Engagement, EngagementKind } from '../model/engagement';
import { toIsoUtc } from '../model/time';
import type { InvalidRecord, OnInvalidRecord } from '../pagination/invalid-record';
import type { PageIterator } from '../pagination/page-iterator';
import type { EngagementChange } from '../webhooks/types';
import {
  type CheckpointState,
  decodeCheckpoint,
  encodeCheckpoint,
  isCheckpoint,
  MAX_CHECKPOINT_LENGTH,
  MAX_REMEMBERED,
  type SeenSet,
} from './checkpoint';
import type { ChangeCapabilities, ChangeFeed, ChangeFeedParams } from './types';

/** What a feed asks the adapter to list: engagements whose key is at or after `fromMs`. */
export interface ChangeListRequest {
  /** Epoch ms on the mode's key: the modified time (`'modified'`) or the start time (`'window'`). */
  fromMs: number;
  /** The listing's own cursor, to resume a run stopped part-way. */
  cursor?: string | undefined;
  kinds?: readonly EngagementKind[] | undefined;
  pageSize?: number | undefined;
  includeRaw: boolean;
  signal?: AbortSignal | undefined;
  onInvalidRecord?: OnInvalidRecord | undefined;
  /** The feed's per-call HTTP options (`ChangeFeedParams.request`), for every request of the listing. */
  request?: ListEngagementsParams['request'];
}

/** What an adapter gives `defineAdapter` to get a change feed. */
export interface ChangeFeedSource {
  /**
   * Lists every engagement whose key is at or after `request.fromMs` (more is harmless), resumable
   * from `request.cursor`: a modified-time filter, a sort with an early stop, or a start-time window.
   */
  list(request: ChangeListRequest): PageIterator<Engagement>;
  /** The clock runs start by. @default Date.now */
  now?: (() => number) | undefined;
  /**
   * Most engagements a checkpoint remembers from one run (those within the lookback); beyond it the
   * next run delivers the others again (never loses them). @default 50000
   */
  maxRemembered?: number | undefined;
}

/** The default lookback of `'modified'` feeds: clock skew and writes in flight during a run. */
export const DEFAULT_MODIFIED_LOOKBACK_MS = 5 * 60_000;
const DEFAULT_MAX_REMEMBERED = 50_000;

const SinceSchema = z.union([z.instanceof(Date), z.string().min(1).max(MAX_CHECKPOINT_LENGTH)]);
const ParamsSchema = ListEngagementsParamsObject.pick({
  kinds: true,
  pageSize: true,
  includeRaw: true,
  signal: true,
  onInvalidRecord: true,
  request: true,
})
  .extend({ since: SinceSchema })
  .strict();

/** Parses `since` as a date (a first run): a Date or ISO-8601 (zone-less = UTC). */
export function sinceDateMs(since: string | Date, provider?: string): number {
  const ms = since instanceof Date ? since.getTime() : Date.parse(toIsoUtc(since) ?? '');
  if (Number.isNaN(ms)) {
    throw new InputValidationError(
      [
        {
          path: 'since',
          rule: 'invalid_date',
          message: 'not a checkpoint, a valid Date or an ISO-8601 string',
        },
      ],
      { provider },
    );
  }
  return ms;
}

function hashId(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/** 48 bits of SHA-256 over the engagement as mapped, `raw` left out (it may hold volatile fields). */
function contentVersion(engagement: Engagement): number {
  const { raw: _raw, ...content } = engagement;
  return createHash('sha256').update(JSON.stringify(content)).digest().readUIntBE(0, 6);
}

function changedAtOf(e: Engagement): string {
  return e.updatedAt ?? e.endTime ?? e.createdAt ?? e.occurredAt;
}

/**
 * An adapter's change feed over any listing that can read "everything at or after a time":
 * each run reads from the previous run's start minus the lookback and delivers what it has not
 * delivered in that version (a 48-bit digest per engagement within the lookback, kept in the
 * checkpoint), so edits are found, late inserts are found, nothing is delivered twice except at a
 * resume boundary, and memory holds one page plus the remembered set.
 */
export class AdapterChangeFeed implements ChangeFeed {
  #state: CheckpointState;
  #done = false;
  #listing: PageIterator<Engagement> | undefined;
  readonly #params: z.infer<typeof ParamsSchema>;
  readonly #lookbackMs: number;
  readonly #maxRemembered: number;

  constructor(
    private readonly provider: string,
    private readonly capabilities: ChangeCapabilities,
    private readonly source: ChangeFeedSource,
    params: ChangeFeedParams,
  ) {
    this.#params = parseInput(ParamsSchema, params, { provider });
    this.#lookbackMs =
      capabilities.lookbackMs ??
      (capabilities.mode === 'modified' ? DEFAULT_MODIFIED_LOOKBACK_MS : 0);
    this.#maxRemembered = Math.min(source.maxRemembered ?? DEFAULT_MAX_REMEMBERED, MAX_REMEMBERED);
    const kinds = this.#params.kinds ? [...new Set(this.#params.kinds)].sort() : undefined;
    const since = this.#params.since;
    if (typeof since === 'string' && isCheckpoint(since)) {
      this.#state = decodeCheckpoint(since, { provider, mode: capabilities.mode });
      if (JSON.stringify(this.#state.kinds) !== JSON.stringify(kinds)) {
        throw new InputValidationError(
          [
            {
              path: 'kinds',
              rule: 'checkpoint_kinds',
              message: `must be the checkpoint's kinds (${this.#state.kinds?.join(', ') ?? 'all'})`,
            },
          ],
          { provider },
        );
      }
    } else {
      this.#state = {
        provider,
        mode: capabilities.mode,
        kinds,
        readFromMs: sinceDateMs(since, provider),
        seen: new Map(),
      };
    }
  }

  get checkpoint(): string {
    return encodeCheckpoint(this.#state);
  }

  get done(): boolean {
    return this.#done;
  }

  get skipped(): readonly InvalidRecord[] {
    return this.#listing?.skipped ?? [];
  }

  get skippedCount(): number {
    return this.#listing?.skippedCount ?? 0;
  }

  toArray(options: { max?: number | undefined } = {}): Promise<EngagementChange[]> {
    return collectChanges(this, options.max);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<EngagementChange> {
    this.#done = false;
    const state = this.#state;
    const run = state.run ?? {
      startMs: (this.source.now ?? Date.now)(),
      fromMs: state.readFromMs,
      seen: new Map() as SeenSet,
    };
    state.run = run;
    // What the next run reads again, so what it must remember from this one.
    const nextFromMs = Math.max(run.fromMs, run.startMs - this.#lookbackMs);
    const nextFromSec = Math.floor(nextFromMs / 1000);
    const modified = this.capabilities.mode === 'modified';
    const params = this.#params;
    const listing = this.source.list({
      fromMs: run.fromMs,
      cursor: run.cursor,
      kinds: state.kinds as EngagementKind[] | undefined,
      pageSize: params.pageSize,
      includeRaw: params.includeRaw ?? true,
      signal: params.signal,
      onInvalidRecord: params.onInvalidRecord,
      request: params.request,
    });
    this.#listing = listing;
    for await (const engagement of listing) {
      // The page is in memory already, but a caller who aborted wants no more changes; checked
      // before this one is recorded, so the checkpoint still resumes at it.
      if (params.signal?.aborted) {
        throw new AbortError('The change feed was aborted.', { provider: this.provider });
      }
      const idHash = hashId(engagement.id);
      const version = contentVersion(engagement);
      const keyMs = Date.parse(
        modified
          ? (engagement.updatedAt ?? engagement.createdAt ?? engagement.occurredAt)
          : engagement.occurredAt,
      );
      const keySec = Math.floor(keyMs / 1000);
      const previous = run.seen.get(idHash) ?? state.seen.get(idHash);
      if (keySec >= nextFromSec && (run.seen.has(idHash) || run.seen.size < this.#maxRemembered)) {
        run.seen.set(idHash, { version, keySec });
      }
      const cursor = listing.cursor;
      if (cursor !== undefined) run.cursor = cursor;
      if (previous?.version === version) continue;
      yield {
        type: 'upsert',
        id: engagement.id,
        provider: engagement.provider,
        remoteId: engagement.remoteId,
        changedAt: changedAtOf(engagement),
        engagement,
        source: 'feed',
      };
    }
    if (!listing.done) return;
    this.#state = {
      provider: state.provider,
      mode: state.mode,
      kinds: state.kinds,
      readFromMs: nextFromMs,
      seen: run.seen,
    };
    this.#done = true;
  }
}

/** Reads up to `max` changes of a feed (all by default) into an array. */
export async function collectChanges(
  feed: AsyncIterable<EngagementChange>,
  max = Number.POSITIVE_INFINITY,
): Promise<EngagementChange[]> {
  const out: EngagementChange[] = [];
  if (max <= 0) return out;
  for await (const change of feed) {
    out.push(change);
    if (out.length >= max) break;
  }
  return out;
}

/** Builds an adapter's `engagements.changes()` from its listing (used by `defineAdapter`). */
export function createChangeFeed(
  provider: string,
  capabilities: ChangeCapabilities,
  source: ChangeFeedSource,
  params: ChangeFeedParams,
): ChangeFeed {
  return new AdapterChangeFeed(provider, capabilities, source, params);
}
