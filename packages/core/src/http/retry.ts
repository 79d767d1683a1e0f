import { toIsoUtc } from '../model/time';

/** Everything the retry decision looks at. */
export interface RetryContext {
  /** 1 for the first retry. */
  attempt: number;
  maxRetries: number;
  method: string;
  /** The HTTP status, or undefined for a network error / timeout. */
  status: number | undefined;
  /** A network error code (`ECONNRESET`, `ETIMEDOUT`, …) when there was no response. */
  errorCode?: string | undefined;
  /** True when a write is safe to repeat (idempotency key, or the vendor says so). */
  idempotent: boolean;
  /** Statuses that prove a write did not happen. */
  retryWriteOn: readonly number[];
  /** The adapter's veto (e.g. Truto 503: the account is blocked). */
  vetoed?: boolean | undefined;
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

/** The one retry decision: network errors, 408, 429 and 5xx, within budget, writes only when safe. */
export function shouldRetry(ctx: RetryContext): boolean {
  if (!(ctx.attempt <= ctx.maxRetries) || ctx.vetoed) return false;
  if (ctx.status !== undefined && !RETRYABLE_STATUS(ctx.status)) return false;
  const method = ctx.method.toUpperCase();
  const isRead = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  if (isRead || ctx.idempotent) return true;
  return ctx.status !== undefined && ctx.retryWriteOn.includes(ctx.status);
}

export interface RetryDelayInput {
  attempt: number;
  /** What the vendor asked for (header or body), in ms. */
  retryAfterMs?: number | undefined;
  /** @default 500 */
  baseMs?: number | undefined;
  /** @default 30000 */
  maxMs?: number | undefined;
  /** 0..1, injectable for tests. */
  random?: number | undefined;
}

/**
 * How long to wait before retry `attempt`: the vendor's ask when it gave one (capped at 5 min),
 * else exponential backoff with full jitter between half and the whole step, capped at `maxMs`.
 */
export function retryDelay(input: RetryDelayInput): number {
  if (input.retryAfterMs !== undefined && input.retryAfterMs >= 0) {
    return Math.min(input.retryAfterMs, 300_000);
  }
  const base = input.baseMs ?? 500;
  const max = input.maxMs ?? 30_000;
  const step = Math.min(max, base * 2 ** Math.max(0, input.attempt - 1));
  const drawn = input.random ?? Math.random();
  const r = Number.isFinite(drawn) ? Math.min(1, Math.max(0, drawn)) : 1;
  return Math.round(step / 2 + (step / 2) * r);
}

/**
 * `Retry-After` (seconds, HTTP-date or ISO-8601) or a reset header (epoch seconds) as milliseconds
 * from `now`. Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(
  headers: Record<string, string>,
  now: number,
  resetHeaders: readonly string[] = ['x-ratelimit-reset'],
): number | undefined {
  const value = (headers['retry-after'] ?? headers['Retry-After'])?.trim();
  if (value) {
    if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
    // HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`) or ISO-8601; never V8's lenient guesses.
    const iso = toIsoUtc(value);
    if (iso !== undefined) return Math.max(0, Date.parse(iso) - now);
  }
  for (const name of resetHeaders) {
    const reset = headers[name]?.trim();
    if (reset && /^\d+$/.test(reset)) {
      const n = Number(reset);
      // Epoch milliseconds, epoch seconds (most vendors' reset headers) or "seconds from now".
      const at = n > 1e12 ? n : n > 1e9 ? n * 1000 : now + n * 1000;
      return Math.max(0, at - now);
    }
  }
  return undefined;
}
