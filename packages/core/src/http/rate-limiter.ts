import { sleepFor } from './timers';
import type { RateLimitOptions } from './types';

/** Why `acquire` refused: the vendor's pause lasts longer than the caller agreed to wait. */
export class LimiterPausedError extends Error {
  constructor(readonly pausedForMs: number) {
    super(`the rate limiter is paused for ${pausedForMs} ms`);
  }
}

interface Waiter {
  maxWaitMs: number;
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A token bucket: `acquire()` resolves when a request may start. Concurrent callers queue in order,
 * so a burst of parallel requests is paced to the vendor's published limit instead of earning 429s.
 * A caller whose signal fires leaves the queue at once and takes no token from those behind it.
 */
export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  #tokens: number;
  #last: number;
  #pausedUntil = 0;
  #waiters: Waiter[] = [];
  #pumping = false;
  #wake: AbortController | undefined;

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = (ms, signal) =>
      sleepFor(ms, signal),
  ) {
    if (!(options.requestsPerSecond > 0) || !Number.isFinite(options.requestsPerSecond)) {
      throw new RangeError('rateLimit.requestsPerSecond must be a positive number');
    }
    this.rate = options.requestsPerSecond;
    this.burst = Math.max(1, options.burst ?? Math.ceil(options.requestsPerSecond));
    this.#tokens = this.burst;
    this.#last = now();
  }

  #refill(): void {
    const t = this.now();
    // No tokens accrue during a pause: the vendor's window has not reset yet.
    const from = Math.max(this.#last, Math.min(t, this.#pausedUntil));
    this.#tokens = Math.min(this.burst, this.#tokens + (Math.max(0, t - from) / 1000) * this.rate);
    this.#last = t;
  }

  #waitMs(): number {
    const t = this.now();
    if (this.#pausedUntil > t) return this.#pausedUntil - t;
    if (this.#tokens >= 1) return 0;
    return Math.ceil(((1 - this.#tokens) / this.rate) * 1000);
  }

  /**
   * Waits for one token. Rejects with the signal's reason when `signal` fires first, and with a
   * `LimiterPausedError` as soon as a pause lasts longer than `maxWaitMs`; the caller then leaves
   * the queue.
   */
  acquire(signal?: AbortSignal, maxWaitMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const paused = this.pausedForMs();
    if (paused > maxWaitMs) return Promise.reject(new LimiterPausedError(paused));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { maxWaitMs, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(signal.reason);
          this.#wake?.abort();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#waiters.length > 0) {
        this.#refill();
        const wait = this.#waitMs();
        if (wait > 0) {
          // Let the callers just admitted run before time moves on (a fake clock jumps at once).
          await new Promise<void>((r) => setImmediate(r));
          const wake = new AbortController();
          this.#wake = wake;
          try {
            await this.sleep(wait, wake.signal);
          } catch (error) {
            if (!wake.signal.aborted) throw error;
          } finally {
            this.#wake = undefined;
          }
          continue;
        }
        const waiter = this.#waiters.shift();
        if (!waiter) break;
        this.#tokens -= 1;
        if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.resolve();
      }
    } catch (error) {
      for (const waiter of this.#waiters.splice(0)) {
        if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.reject(error);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Holds every caller until `untilMs` (e.g. after a 429 or an exhausted `X-RateLimit-Remaining`);
   * one request may start at `untilMs`, the rest are paced from there. A time in the past does nothing.
   */
  pauseUntil(untilMs: number): void {
    const t = this.now();
    if (!(untilMs > t)) return;
    this.#refill();
    this.#pausedUntil = Math.max(this.#pausedUntil, untilMs);
    // Exactly one request may start when the pause ends; the rest are paced from there.
    this.#tokens = 1;
    const paused = this.pausedForMs();
    for (const waiter of [...this.#waiters]) {
      if (waiter.maxWaitMs >= paused) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(new LimiterPausedError(paused));
    }
    this.#wake?.abort();
  }

  /** How long from now the current pause lasts (0 when not paused). */
  pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - this.now());
  }
}
