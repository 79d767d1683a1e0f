import { hash32 } from '../data/random';
import { SandboxWebhookError } from './errors';
import type { SandboxChange } from './hub';
import type { ResolvedSubscribeOptions } from './options';
import type { OutgoingEvent, SchemeContext, WebhookProvider, WebhookScheme } from './schemes';
import { postOnce } from './transport';

/** Counters of one subscription since it was made. */
export interface WebhookDeliveryStats {
  /** Changes turned into vendor events. */
  events: number;
  /** Changes the vendor sends no event for (e.g. DevRev engagements, a Zoom delete). */
  skipped: number;
  /** Requests sent (first attempts, retries and duplicates). */
  attempts: number;
  /** Attempts answered 2xx. */
  delivered: number;
  /** Retries scheduled after a non-2xx answer or a network failure. */
  retries: number;
  /** Deliveries given up after the last retry failed. */
  failed: number;
  /** Events dropped because `maxQueue` deliveries were already held. */
  dropped: number;
  /** Extra copies sent by the duplicate fault. */
  duplicated: number;
  /** Events sent after a later one by the reorder fault. */
  reordered: number;
  /** Deliveries held now: queued, held back, waiting to retry or in flight. */
  pending: number;
  /** Attempts in flight now. */
  inFlight: number;
  /** Timers running now (retries and a held-back event). */
  timers: number;
}

/** One entry of a subscription's delivery log. */
export interface WebhookLogEntry {
  /** Order of the event among this subscription's events (from 1); copies share it. */
  seq: number;
  eventId?: string | undefined;
  eventType?: string | undefined;
  /** `delivered`/`failed`: an attempt and its outcome; `skipped`/`dropped`: nothing was sent. */
  outcome: 'delivered' | 'failed' | 'skipped' | 'dropped';
  /** 1 for the first attempt of a copy, 2 for its first retry… (0 when nothing was sent). */
  attempt: number;
  /** The endpoint's status, when it answered. */
  status?: number | undefined;
  /** Why it failed, or why nothing was sent. */
  error?: string | undefined;
  /** This attempt belongs to the extra copy the duplicate fault made. */
  duplicate: boolean;
  at: string;
}

interface Delivery {
  seq: number;
  event: OutgoingEvent;
  attempts: number;
  duplicate: boolean;
}

const MAX_RESPONSE_BYTES = 64 * 1024;
/** How long a held-back event waits for a later one before it goes anyway (scaled). */
const HOLD_MS = 1_000;

/**
 * One endpoint receiving one vendor's signed events: a bounded queue sent in order (up to
 * `concurrency` at a time), retried on the vendor's schedule, with seeded duplicate/reorder faults.
 */
export class WebhookSubscription {
  readonly id: string;
  readonly provider: WebhookProvider;
  readonly url: string;
  /** The signing secret (Zoom: the secret token) the receiver verifies with. */
  readonly secret: string;
  readonly #scheme: WebhookScheme;
  readonly #options: ResolvedSubscribeOptions;
  readonly #context: SchemeContext;
  readonly #delays: readonly number[];
  readonly #timeoutMs: number;
  readonly #stats = {
    events: 0,
    skipped: 0,
    attempts: 0,
    delivered: 0,
    retries: 0,
    failed: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
  };
  readonly #log: WebhookLogEntry[] = [];
  readonly #queue: Delivery[] = [];
  #held: Delivery | undefined;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #retryTimers = new Set<ReturnType<typeof setTimeout>>();
  readonly #inFlight = new Set<AbortController>();
  readonly #settling = new Set<Promise<unknown>>();
  #idleWaiters: (() => void)[] = [];
  #seq = 0;
  #draws = 0;
  #closed = false;
  /** Events flow only once the handshake passed, as the vendors send none to an unverified URL. */
  #active = false;
  readonly #onClose: () => void;

  constructor(args: {
    id: string;
    scheme: WebhookScheme;
    options: ResolvedSubscribeOptions;
    context: SchemeContext;
    onClose: () => void;
  }) {
    const { options, scheme } = args;
    this.id = args.id;
    this.provider = options.provider;
    this.url = options.url.href;
    this.secret = options.secret ?? scheme.newSecret();
    this.#scheme = scheme;
    this.#options = options;
    this.#context = args.context;
    this.#delays = options.retryDelaysMs ?? scheme.retryDelaysMs.map((d) => d * options.timeScale);
    this.#timeoutMs = options.timeoutMs ?? scheme.timeoutMs;
    this.#onClose = args.onClose;
  }

  /** A snapshot of the counters. */
  get stats(): WebhookDeliveryStats {
    return {
      ...this.#stats,
      pending: this.#pending(),
      inFlight: this.#inFlight.size,
      timers: this.#retryTimers.size + (this.#holdTimer ? 1 : 0),
    };
  }

  /** A copy of the delivery log, oldest first (at most `logLimit` entries). */
  log(): WebhookLogEntry[] {
    return this.#log.map((entry) => ({ ...entry }));
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Resolves once nothing is queued, held back, waiting to retry or in flight (every delivery
   * succeeded or was given up), or the subscription is closed.
   */
  idle(): Promise<void> {
    if (this.#closed || this.#pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Tells `onSecret` the secret, then performs the vendor's URL handshake; rejects with `SandboxWebhookError('handshake-failed')`
   * when the endpoint does not answer it as the vendor requires.
   */
  async handshake(): Promise<void> {
    await this.#options.onSecret?.(this.secret);
    const handshake = this.#scheme.handshake?.(this.secret, this.#context, Date.now());
    if (!handshake) {
      this.#active = !this.#closed;
      return;
    }
    const controller = this.#track();
    let failure: string | undefined;
    try {
      const headers = this.#scheme.headers(handshake.body, this.secret, Date.now());
      const result = await postOnce(this.#options.url, handshake.body, {
        headers,
        timeoutMs: this.#timeoutMs,
        signal: controller.signal,
        maxResponseBytes: MAX_RESPONSE_BYTES,
      });
      failure = handshake.check(result.status, result.text);
    } catch (error) {
      failure = this.#closed ? 'was closed' : `failed: ${(error as Error).message}`;
    } finally {
      this.#inFlight.delete(controller);
    }
    if (failure !== undefined) {
      throw new SandboxWebhookError(
        'handshake-failed',
        `The ${this.provider} URL handshake with ${this.url} ${failure}.`,
      );
    }
    this.#active = !this.#closed;
  }

  /** Sends the vendor's event for a change (if it has one), subject to the queue bound and faults. */
  deliver(change: SandboxChange): void {
    if (!this.#active || this.#closed) return;
    const seq = ++this.#seq;
    const event = this.#scheme.event(change, this.#context, Date.now());
    if (typeof event === 'string') {
      this.#stats.skipped++;
      this.#record({ seq, outcome: 'skipped', attempt: 0, error: event, duplicate: false });
      return;
    }
    this.#stats.events++;
    const copies: Delivery[] = [{ seq, event, attempts: 0, duplicate: false }];
    if (this.#chance(this.#options.duplicateRate)) {
      copies.push({ seq, event, attempts: 0, duplicate: true });
      this.#stats.duplicated++;
    }
    for (const copy of copies) {
      if (this.#pending() >= this.#options.maxQueue) {
        this.#stats.dropped++;
        this.#record({
          seq,
          eventId: event.id,
          eventType: event.type,
          outcome: 'dropped',
          attempt: 0,
          error: `maxQueue (${this.#options.maxQueue}) deliveries already held`,
          duplicate: copy.duplicate,
        });
        continue;
      }
      this.#enqueue(copy);
    }
    this.#pump();
  }

  /** Stops every timer and aborts every request in flight; queued events are discarded. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const timer of this.#retryTimers) clearTimeout(timer);
      this.#retryTimers.clear();
      if (this.#holdTimer) clearTimeout(this.#holdTimer);
      this.#holdTimer = undefined;
      this.#held = undefined;
      this.#queue.length = 0;
      for (const controller of this.#inFlight) controller.abort();
      this.#onClose();
    }
    await Promise.allSettled([...this.#settling]);
    this.#checkIdle();
  }

  #pending(): number {
    return this.#queue.length + (this.#held ? 1 : 0) + this.#retryTimers.size + this.#inFlight.size;
  }

  /** A seeded draw: the n-th draw of a subscription depends only on its seed. */
  #chance(rate: number): boolean {
    if (rate <= 0) return false;
    return hash32(this.#options.seed, this.#draws++, 0x5eb) / 4294967296 < rate;
  }

  #enqueue(delivery: Delivery): void {
    const held = this.#held;
    if (held) {
      // The held-back event goes right after this later one: the receiver sees them swapped.
      this.#held = undefined;
      if (this.#holdTimer) clearTimeout(this.#holdTimer);
      this.#holdTimer = undefined;
      this.#queue.push(delivery, held);
      this.#stats.reordered++;
    } else if (this.#chance(this.#options.reorderRate)) {
      this.#held = delivery;
      this.#holdTimer = setTimeout(() => {
        this.#holdTimer = undefined;
        const release = this.#held;
        this.#held = undefined;
        if (release) this.#queue.push(release);
        this.#pump();
        this.#checkIdle();
      }, HOLD_MS * this.#options.timeScale);
    } else {
      this.#queue.push(delivery);
    }
  }

  #pump(): void {
    while (!this.#closed && this.#inFlight.size < this.#options.concurrency) {
      const next = this.#queue.shift();
      if (!next) break;
      this.#attempt(next);
    }
  }

  #track(): AbortController {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    return controller;
  }

  #attempt(delivery: Delivery): void {
    delivery.attempts++;
    this.#stats.attempts++;
    const controller = this.#track();
    const body = delivery.event.body;
    const sent = postOnce(this.#options.url, body, {
      headers: this.#scheme.headers(body, this.secret, Date.now()),
      timeoutMs: this.#timeoutMs,
      signal: controller.signal,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    }).then(
      (result) => {
        const ok = result.status >= 200 && result.status < 300;
        this.#outcome(delivery, ok, result.status, ok ? undefined : `answered ${result.status}`);
      },
      (error: Error) => this.#outcome(delivery, false, undefined, error.message),
    );
    const settled = sent.finally(() => {
      this.#inFlight.delete(controller);
      this.#settling.delete(settled);
      this.#pump();
      this.#checkIdle();
    });
    this.#settling.add(settled);
  }

  #outcome(delivery: Delivery, ok: boolean, status: number | undefined, error?: string): void {
    if (this.#closed) return;
    this.#record({
      seq: delivery.seq,
      eventId: delivery.event.id,
      eventType: delivery.event.type,
      outcome: ok ? 'delivered' : 'failed',
      attempt: delivery.attempts,
      status,
      error,
      duplicate: delivery.duplicate,
    });
    if (ok) {
      this.#stats.delivered++;
      return;
    }
    const delay = this.#delays[delivery.attempts - 1];
    if (delay === undefined) {
      this.#stats.failed++;
      return;
    }
    this.#stats.retries++;
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      this.#queue.push(delivery);
      this.#pump();
    }, delay);
    this.#retryTimers.add(timer);
  }

  #record(entry: Omit<WebhookLogEntry, 'at'>): void {
    this.#log.push({ ...entry, at: new Date().toISOString() });
    if (this.#log.length > this.#options.logLimit) this.#log.shift();
  }

  #checkIdle(): void {
    if (!this.#closed && this.#pending() > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
