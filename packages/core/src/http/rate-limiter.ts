import type { RateLimitOptions } from './types';

/**
 * A token bucket: `acquire()` resolves when a request may start. Concurrent callers queue in order,
 * so a burst of parallel requests is paced to the vendor's published limit instead of earning 429s.
 */
export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  #tokens: number;
  #last: number;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((r) => setTimeout(r, ms)),
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
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) / 1000) * this.rate);
    this.#last = t;
  }

  /** Waits for one token. */
  acquire(): Promise<void> {
    const turn = this.#queue.then(async () => {
      this.#refill();
      while (this.#tokens < 1) {
        await this.sleep(Math.ceil(((1 - this.#tokens) / this.rate) * 1000));
        this.#refill();
      }
      this.#tokens -= 1;
    });
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Empties the bucket until `untilMs` (e.g. after a 429 or an exhausted `X-RateLimit-Remaining`). */
  pauseUntil(untilMs: number): void {
    const t = this.now();
    if (untilMs <= t) return;
    this.#tokens = Math.min(this.#tokens, -((untilMs - t) / 1000) * this.rate + 1);
    this.#last = t;
  }
}
