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

/** What a response says about the vendor's rate-limit window. */
export interface RateLimitState {
  /** Requests left in the window (the smallest over all policies), when the vendor said. */
  remaining: number | undefined;
  /** Milliseconds until the window resets, when the vendor said. */
  resetInMs: number | undefined;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct.trim();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) return headers[key]?.trim();
  }
  return undefined;
}

function readNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** A reset value: epoch milliseconds, epoch seconds or seconds from now, as ms from `now`. */
function resetToMs(n: number, now: number): number {
  const at = n > 1e12 ? n : n > 1e9 ? n * 1000 : now + n * 1000;
  return Math.max(0, Math.round(at - now));
}

/** `"default";r=0;t=30, "daily";r=5;t=3600` (or draft-07 `limit=10, remaining=0, reset=5`) as items. */
function structuredItems(text: string): { name: string; params: Record<string, string> }[] {
  const items: { name: string; params: Record<string, string> }[] = [];
  for (const raw of text.split(',').slice(0, 32)) {
    const parts = raw.split(';').map((p) => p.trim());
    const first = parts.shift() ?? '';
    const params: Record<string, string> = Object.create(null);
    let name = first.replace(/^"|"$/g, '');
    if (first.includes('=') && !first.startsWith('"')) {
      parts.unshift(first);
      name = '';
    }
    for (const part of parts) {
      const eq = part.indexOf('=');
      if (eq > 0) params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
    }
    items.push({ name, params });
  }
  return items;
}

/**
 * Reads the rate-limit headers vendors send, case-insensitively: `X-RateLimit-Remaining`/`-Reset`,
 * the IETF draft's unprefixed `RateLimit-Remaining`/`-Reset` (seconds from now), and the newer
 * structured `RateLimit: "policy";r=0;t=30` with `RateLimit-Policy: "policy";q=100;w=60` (the
 * window stands in for a missing `t`).
 */
export function parseRateLimitHeaders(
  headers: Record<string, string>,
  now: number,
): RateLimitState {
  const seen: { remaining: number | undefined; resetMs: number | undefined }[] = [];
  const consider = (remaining: number | undefined, resetMs: number | undefined) => {
    if (remaining !== undefined || resetMs !== undefined) seen.push({ remaining, resetMs });
  };
  for (const prefix of ['x-ratelimit-', 'ratelimit-']) {
    const r = readNumber(header(headers, `${prefix}remaining`));
    const reset = readNumber(header(headers, `${prefix}reset`));
    consider(r, reset === undefined ? undefined : resetToMs(reset, now));
  }
  const structured = header(headers, 'ratelimit');
  if (structured) {
    const windows = new Map<string, number>();
    const policy = header(headers, 'ratelimit-policy');
    for (const item of policy ? structuredItems(policy) : []) {
      const w = readNumber(item.params.w);
      if (w !== undefined) windows.set(item.name, w);
    }
    for (const item of structuredItems(structured)) {
      const r = readNumber(item.params.r ?? item.params.remaining);
      const t = readNumber(item.params.t ?? item.params.reset) ?? windows.get(item.name);
      // The structured field's reset is always seconds from now.
      consider(r, t === undefined ? undefined : Math.round(t * 1000));
    }
  }
  // The scarcest policy decides; its reset (the latest, when several are as scarce) is the wait.
  const counts = seen.flatMap((s) => (s.remaining === undefined ? [] : [s.remaining]));
  const remaining = counts.length > 0 ? Math.min(...counts) : undefined;
  const resets = seen
    .filter((s) => s.remaining === remaining && s.resetMs !== undefined)
    .map((s) => s.resetMs as number);
  const anyResets = seen.flatMap((s) => (s.resetMs === undefined ? [] : [s.resetMs]));
  const pick = resets.length > 0 ? resets : anyResets;
  return { remaining, resetInMs: pick.length > 0 ? Math.max(...pick) : undefined };
}
