import { setTimeout as delay } from 'node:timers/promises';
import { type BeforeRequestHook, InputValidationError, RateLimitError } from '@engagekit/core';
import type { Queryable } from '../driver';

/** Half the adapters' default `timeoutMs` (30 s): the rest of the attempt is the vendor's answer. */
const DEFAULT_MAX_WAIT_MS = 15_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Refusals of a shared limit a worker's job waits out in a row (with no batch committed between
 * them) before it fails.
 */
export const MAX_SLOT_REFUSALS = 10;

/** Each refusal of a shared limit, with how long until its slot is within reach. */
const refusals = new WeakMap<object, number>();

/**
 * When `error` is a shared rate limit's refusal (its next slot was further than `maxWaitMs` or the
 * attempt's deadline, and none was taken), how long until that slot is within the same reach, in
 * ms; otherwise `undefined`.
 */
export function slotInReachMs(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? refusals.get(error) : undefined;
}

/**
 * Runs `run`, and after each refusal of a shared limit it fails with (see {@link slotInReachMs})
 * waits until the slot is within reach and runs it again. After {@link MAX_SLOT_REFUSALS} refusals
 * in a row, the next refusal, any other error, or `signal` firing fails it with that refusal or
 * error. With `progress` (a count that grows as `run` commits its work), a refusal after progress
 * starts the row anew: a long job on a busy limit that keeps committing never fails for it. Core
 * retries no error of `beforeRequest`, so this is where a refused request is retried: `run` must
 * resume where the last one stopped (a sync from its checkpoint, or a request sent again).
 */
export async function waitingForSlots<T>(
  run: () => Promise<T>,
  options: {
    signal?: AbortSignal | undefined;
    onWait?: ((waitMs: number) => void) | undefined;
    progress?: (() => number) | undefined;
  },
): Promise<T> {
  let mark = options.progress?.();
  for (let refused = 0; ; refused++) {
    try {
      return await run();
    } catch (error) {
      const waitMs = slotInReachMs(error);
      const progress = options.progress?.();
      if (progress !== mark) {
        mark = progress;
        refused = 0;
      }
      if (waitMs === undefined || refused >= MAX_SLOT_REFUSALS || options.signal?.aborted) {
        throw error;
      }
      options.onWait?.(waitMs);
      await delay(waitMs, undefined, { signal: options.signal }).catch(() => {
        throw error;
      });
    }
  }
}

/** A vendor's request budget, shared by every worker process that reads the same database. */
export interface SharedRateLimit {
  /** The bucket's key (the provider id). */
  readonly key: string;
  /**
   * Resolves when this process may send one request; takes the slot even if the caller then aborts.
   * A next slot further away than `maxWaitMs`, or than `deadline` (epoch ms, when the caller gives
   * up), rejects at once with `RateLimitError` and takes none.
   */
  acquire(signal?: AbortSignal, deadline?: number): Promise<void>;
  /**
   * `acquire` as an adapter's (or one call's) `beforeRequest`: every attempt the adapter sends
   * takes one slot, retries and credential requests (Zoom's OAuth token) included, and waits for it
   * under the attempt's signal, within the attempt's deadline (`info.deadline`: its `timeoutMs`).
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
  /**
   * The longest wait for a slot. A slot further away is not taken: the attempt fails at once with a
   * `RateLimitError` (status 429, `retryAfterMs`: how far away the next slot is) and the bucket is
   * left as it was, so an attempt that cannot use a slot does not push later ones further away.
   * The wait counts toward the attempt's `timeoutMs` (the adapters' default: 30 s), which must also
   * leave the vendor time to answer: keep this well below the `timeoutMs` of the requests the limit
   * holds back. An attempt whose deadline (`timeoutMs`) comes sooner is held back only until then:
   * a slot further away than its deadline is refused the same way, so no slot is reserved for an
   * attempt that would time out waiting for it. At most 2^31-1.
   * @default 15000 (half the adapters' default `timeoutMs`)
   */
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
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const schema = options.schema ?? 'engagekit';
  const bad = (path: string, message: string) =>
    new InputValidationError([{ path, rule: 'invalid', message }]);
  if (typeof key !== 'string' || key.length === 0) throw bad('key', 'expected a non-empty string');
  if (typeof rps !== 'number' || !Number.isFinite(rps) || rps <= 0) {
    throw bad('requestsPerSecond', 'expected a positive number');
  }
  if (!Number.isInteger(burst) || burst < 1) throw bad('burst', 'expected a positive integer');
  if (typeof maxWaitMs !== 'number' || !(maxWaitMs >= 0 && maxWaitMs <= MAX_TIMER_MS)) {
    throw bad('maxWaitMs', `expected a number of milliseconds from 0 to ${MAX_TIMER_MS}`);
  }
  const intervalS = 1 / rps;
  const table = `"${schema}".rate_limits`;
  // The earliest slot a request may take is (burst - 1) intervals before now: that is the burst.
  // The slot an update takes is greatest(r.tat, earliest), so its wait is at most maxWaitMs exactly
  // when r.tat is at most maxWaitMs away: otherwise the row stays as it is and nothing is returned.
  const reserve = `INSERT INTO ${table} AS r (key, tat)
      VALUES ($1, clock_timestamp() - make_interval(secs => ($3::int - 1) * $2::float8)
        + make_interval(secs => $2::float8))
    ON CONFLICT (key) DO UPDATE
      SET tat = greatest(r.tat, clock_timestamp() - make_interval(secs => ($3::int - 1) * $2::float8))
        + make_interval(secs => $2::float8)
      WHERE r.tat <= clock_timestamp() + make_interval(secs => $4::float8)
    RETURNING (extract(epoch FROM (r.tat - clock_timestamp()))::float8 - $2::float8) * 1000 AS wait_ms`;
  const nextSlot = `SELECT extract(epoch FROM (tat - clock_timestamp()))::float8 * 1000 AS wait_ms
    FROM ${table} WHERE key = $1`;
  const limit: SharedRateLimit = {
    key,
    beforeRequest: (info) => limit.acquire(info.signal, info.deadline),
    async acquire(signal, deadline) {
      // An attempt that already gave up takes no slot.
      if (signal?.aborted) throw signal.reason;
      // A slot the attempt would time out waiting for is as useless as one past maxWaitMs.
      const leftMs = deadline === undefined ? Number.NaN : deadline - Date.now();
      const reachMs = leftMs < maxWaitMs ? Math.max(0, Math.floor(leftMs)) : maxWaitMs;
      const { rows } = await db.query<{ wait_ms: string | number }>(reserve, [
        key,
        intervalS,
        burst,
        reachMs / 1000,
      ]);
      const reserved = rows[0];
      if (reserved === undefined) {
        // Not reserved: how far the next slot is, for the caller to come back then.
        const next = await db.query<{ wait_ms: string | number }>(nextSlot, [key]);
        const awayMs = Math.max(1, Math.ceil(Number(next.rows[0]?.wait_ms ?? intervalS * 1000)));
        const reach =
          reachMs < maxWaitMs
            ? `the ${reachMs} ms left before the attempt's deadline`
            : `maxWaitMs (${maxWaitMs} ms)`;
        const refusal = new RateLimitError(
          `${key}: the shared rate limit's next slot is ${awayMs} ms away, longer than ${reach}; no slot was taken`,
          { status: 429, provider: key, retryAfterMs: awayMs },
        );
        refusals.set(refusal, Math.max(0, awayMs - reachMs));
        throw refusal;
      }
      // Reserved: the slot is this attempt's, whatever the clock said between the two readings.
      const waitMs = Math.ceil(Number(reserved.wait_ms));
      if (waitMs > 0) await sleep(waitMs, signal);
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
