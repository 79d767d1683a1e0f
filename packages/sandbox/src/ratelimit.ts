/** Fixed-window counter (DevRev- and Truto-style limits). */
export class WindowLimiter {
  private windows = new Map<string, { start: number; used: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts one request; reports whether it is allowed and the window state. */
  take(key: string, now: number): { allowed: boolean; remaining: number; resetAt: number } {
    let w = this.windows.get(key);
    if (!w || now >= w.start + this.windowMs) {
      w = { start: Math.floor(now / this.windowMs) * this.windowMs, used: 0 };
      this.windows.set(key, w);
    }
    const resetAt = w.start + this.windowMs;
    if (w.used >= this.limit) return { allowed: false, remaining: 0, resetAt };
    w.used += 1;
    return { allowed: true, remaining: this.limit - w.used, resetAt };
  }

  reset(): void {
    this.windows.clear();
  }
}

/** Token bucket for Zoom's QPS limit, refilled at the rate, holding at most `capacity` requests. */
export class TokenBucket {
  private tokens: number;
  private last = 0;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity = ratePerSecond * 2,
  ) {
    this.tokens = capacity;
  }

  take(now: number): { allowed: boolean; remaining: number } {
    const capacity = this.capacity;
    if (this.last === 0) this.last = now;
    this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return { allowed: false, remaining: 0 };
    this.tokens -= 1;
    return { allowed: true, remaining: Math.min(this.ratePerSecond, Math.floor(this.tokens)) };
  }

  reset(): void {
    this.tokens = this.capacity;
    this.last = 0;
  }
}
