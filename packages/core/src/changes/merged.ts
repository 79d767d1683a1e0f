import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EngagementAdapter } from '../adapter/types';
import { CapabilityError } from '../errors/errors';
import type { InvalidRecord } from '../pagination/invalid-record';
import { MAX_KEPT_SKIPPED } from '../pagination/invalid-record';
import type { EngagementChange } from '../webhooks/types';
import {
  isCheckpoint,
  MAX_CHECKPOINT_LENGTH,
  readPayload,
  refuseSince as refuse,
} from './checkpoint';
import { collectChanges, sinceDateMs } from './feed';
import type { ChangeFeed, ChangeFeedParams } from './types';

const PREFIX = 'ekm1';

/** A provider whose feed failed during a merged feed. */
export interface ChangeFeedFailure {
  provider: string;
  error: unknown;
}

/** `changes()` params of the multi-provider client. */
export interface MergedChangeFeedParams extends ChangeFeedParams {
  /** Only these providers (ids or aliases). @default every adapter */
  providers?: readonly string[] | undefined;
}

const CompositeSchema = z
  .object({
    /** The first run's `since`, where a provider new to the checkpoint starts. */
    t: z.number().int(),
    /** Each provider's own checkpoint. */
    c: z.record(z.string().min(1), z.string().max(MAX_CHECKPOINT_LENGTH)),
  })
  .strict();
type Composite = z.infer<typeof CompositeSchema>;

function checksum(payload: string): string {
  return createHash('sha256').update(payload).digest('base64url').slice(0, 12);
}

function encodeComposite(state: Composite): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${PREFIX}.${payload}.${checksum(payload)}`;
}

function decodeComposite(text: string): Composite {
  if (text.length > MAX_CHECKPOINT_LENGTH * 4) {
    refuse('checkpoint_size', 'checkpoint is too long');
  }
  const parts = text.trim().split('.');
  if (parts[0] !== PREFIX) {
    refuse(
      'checkpoint_version',
      `checkpoint version "${String(parts[0]).slice(0, 16)}" is not a merged feed's (expects "${PREFIX}")`,
    );
  }
  const [, payload = '', sum = ''] = parts;
  if (parts.length !== 3 || checksum(payload) !== sum) {
    refuse(
      'checkpoint_checksum',
      'checkpoint checksum does not match: it was altered or truncated',
    );
  }
  return readPayload(payload, CompositeSchema);
}

/**
 * The providers' change feeds one after another, with one composite checkpoint holding each
 * provider's own: a provider that fails keeps its last checkpoint (nothing it had not delivered is
 * lost) and, with `onProviderError: 'skip'`, the others go on.
 */
export class MergedChangeFeed implements ChangeFeed {
  #state: Composite;
  #done = false;
  /** The feeds the constructor built, until the first iteration reads them. */
  #unread: Map<string, ChangeFeed> | undefined;
  /** The feed being read, whose checkpoint the composite takes when asked (encoding is not free). */
  #current: { provider: string; feed: ChangeFeed } | undefined;
  #skipped: InvalidRecord[] = [];
  #skippedCount = 0;
  /** Providers that failed and were skipped during the latest iteration. */
  readonly failures: ChangeFeedFailure[] = [];

  constructor(
    private readonly adapters: readonly EngagementAdapter[],
    private readonly params: MergedChangeFeedParams,
    private readonly decide: (failure: ChangeFeedFailure) => 'fail' | 'skip',
  ) {
    for (const adapter of adapters) {
      if (!adapter.capabilities.changes || typeof adapter.engagements.changes !== 'function') {
        throw new CapabilityError('changes', `${adapter.id} has no change feed.`, {
          provider: adapter.id,
        });
      }
    }
    const since = params.since;
    if (typeof since === 'string' && isCheckpoint(since)) {
      this.#state = decodeComposite(since);
    } else {
      this.#state = { t: sinceDateMs(since), c: {} };
    }
    // Every provider's feed is built now, so a bad param fails before any request; the first
    // iteration reads these (no checkpoint has moved yet), later ones open from the checkpoint.
    this.#unread = new Map(adapters.map((adapter) => [adapter.id, this.#open(adapter)]));
  }

  #open(adapter: EngagementAdapter): ChangeFeed {
    const { providers: _providers, since: _since, ...rest } = this.params;
    return adapter.engagements.changes({
      ...rest,
      since: this.#state.c[adapter.id] ?? new Date(this.#state.t),
    });
  }

  get checkpoint(): string {
    const current = this.#current;
    if (!current) return encodeComposite(this.#state);
    return encodeComposite({
      t: this.#state.t,
      c: { ...this.#state.c, [current.provider]: current.feed.checkpoint },
    });
  }

  get done(): boolean {
    return this.#done;
  }

  get skipped(): readonly InvalidRecord[] {
    return this.#skipped;
  }

  get skippedCount(): number {
    return this.#skippedCount;
  }

  toArray(options: { max?: number | undefined } = {}): Promise<EngagementChange[]> {
    return collectChanges(this, options.max);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<EngagementChange> {
    this.#done = false;
    this.failures.length = 0;
    const unread = this.#unread;
    this.#unread = undefined;
    this.#skipped = [];
    this.#skippedCount = 0;
    for (const adapter of this.adapters) {
      const feed = unread?.get(adapter.id) ?? this.#open(adapter);
      this.#current = { provider: adapter.id, feed };
      try {
        yield* feed;
      } catch (error) {
        // The caller's abort ends the whole feed; it is no provider's failure.
        if (this.params.signal?.aborted) throw error;
        const failure = { provider: adapter.id, error };
        if (this.decide(failure) === 'fail') throw error;
        this.failures.push(failure);
      } finally {
        this.#state.c[adapter.id] = feed.checkpoint;
        this.#skippedCount += feed.skippedCount;
        for (const record of feed.skipped) {
          if (this.#skipped.length < MAX_KEPT_SKIPPED) this.#skipped.push(record);
        }
        this.#current = undefined;
      }
    }
    this.#done = this.failures.length === 0;
  }
}
