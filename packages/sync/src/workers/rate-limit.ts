import { type BeforeRequestHook, InputValidationError, RateLimitError } from '@engagekit/core';
import type { Queryable } from '../driver';

/** A vendor's request budget, shared by every worker process that reads the same database. */
export interface SharedRateLimit {
  /** The bucket's key (the provider id). */
  readonly key: string;
  /** Resolves when this process may send one request; takes the slot even if the caller then aborts. */
  acquire(signal?: AbortSignal): Promise<void>;
  /**
   * `acquire` as an adapter's (or one call's) `beforeRequest`: every attempt the adapter sends
   * takes one slot, retries and credential requests (Zoom's OAuth token) included, and waits for it
   * under the attempt's signal.
   */
  readonly beforeRequest: BeforeRequestHook;
}

/** Options of {@link sharedRateLimit}. */
export interface SharedRateLimitOptions {
  /** The bucket, one per vendor account (e.g. the provider id). */
  key: string;
  /** The vendor's limit for all workers together. */
  requestsPerSecond: number;
  /** Requests allowed at once before pacing starts. @default 1 */
  burst?: number | undefined;
  /** A slot further away than this fails at once with `RateLimitError`. @default 60000 */
  maxWaitMs?: number | undefined;
  /**
   * The schema holding the `rate_limits` table, which a store's migrations create (`ready()` of a
   * `postgresStore` on that schema). @default 'engagekit'
   */
  schema?: string | undefined;
}

/**
 * A token bucket kept in one Postgres row (GCRA: the row holds the theoretical arrival time of the
 * next request), so N workers on any number of machines share the vendor's limit instead of each
 * spending it. Every `acquire()` is one `INSERT … ON CONFLICT DO UPDATE` that reserves the next
 * slot under the row lock and returns how long to wait for it; the database's clock is the only
 * clock, so machines whose clocks disagree still space their requests correctly.
 */
export function sharedRateLimit(db: Queryable, options: SharedRateLimitOptions): SharedRateLimit {
  const { key } = options;
  const rps = options.requestsPerSecond;
  const burst = options.burst ?? 1;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const schema = options.schema ?? 'engagekit';
  const bad = (path: string, message: string) =>
    new InputValidationError([{ path, rule: 'invalid', message }]);
  if (typeof key !== 'string' || key.length === 0) throw bad('key', 'expected a non-empty string');
  if (typeof rps !== 'number' || !Number.isFinite(rps) || rps <= 0) {
    throw bad('requestsPerSecond', 'expected a positive number');
  }
  if (!Number.isInteger(burst) || burst < 1) throw bad('burst', 'expected a positive integer');
  if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) {
    throw bad('maxWaitMs', 'expected a non-negative number of milliseconds');
  }
  const intervalS = 1 / rps;
  // The earliest slot a request may take is (burst - 1) intervals before now: that is the burst.
  const sql = `INSERT INTO "${schema}".rate_limits AS r (key, tat)
      VALUES ($1, clock_timestamp() - make_interval(secs => ($3::int - 1) * $2::float8)
        + make_interval(secs => $2::float8))
    ON CONFLICT (key) DO UPDATE
      SET tat = greatest(r.tat, clock_timestamp() - make_interval(secs => ($3::int - 1) * $2::float8))
        + make_interval(secs => $2::float8)
    RETURNING (extract(epoch FROM (r.tat - clock_timestamp()))::float8 - $2::float8) * 1000 AS wait_ms`;
  const limit: SharedRateLimit = {
    key,
    beforeRequest: (info) => limit.acquire(info.signal),
    async acquire(signal) {
      const { rows } = await db.query<{ wait_ms: string | number }>(sql, [key, intervalS, burst]);
      const waitMs = Math.ceil(Number(rows[0]?.wait_ms ?? 0));
      if (waitMs <= 0) return;
      if (waitMs > maxWaitMs) {
        throw new RateLimitError(
          `${key}: the shared rate limit's next slot is ${waitMs} ms away, longer than maxWaitMs (${maxWaitMs} ms)`,
          { status: 429, provider: key, retryAfterMs: waitMs },
        );
      }
      await sleep(waitMs, signal);
    },
  };
  return limit;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
