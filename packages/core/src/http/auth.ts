import { registerSecret } from '../errors/redact';
import type { AuthProvider, AuthRequestContext } from './types';

/** A fixed token sent as `Authorization: Bearer <token>` (a `Bearer ` prefix already present is kept). */
export function bearerAuth(token: string): AuthProvider {
  registerSecret(token);
  const value = /^bearer\s/i.test(token) ? token : `Bearer ${token}`;
  registerSecret(value.replace(/^bearer\s+/i, ''));
  return { headers: () => ({ authorization: value }), secrets: [token] };
}

export interface CachedTokenProviderOptions {
  /**
   * Fetches a new token; `expiresInMs` from now. `signal` fires when every request waiting for
   * this token has given up: the fetch is then abandoned and the next request starts a fresh one.
   * `context` is the one of the request that started the fetch: pass its `beforeRequest` and
   * `timeoutMs` to the token request (as `options.beforeRequest` and `options.timeoutMs`), so it
   * waits for the hook like the API requests, within the same timeout.
   */
  fetchToken(
    signal: AbortSignal,
    context?: AuthRequestContext,
  ): Promise<{ token: string; expiresInMs: number }>;
  /** Refresh this long before expiry. @default 60000 */
  refreshBeforeMs?: number;
  now?: () => number;
  /** Secrets behind the token (client secret) to redact everywhere. */
  secrets?: string[];
}

interface TokenFlight {
  promise: Promise<string>;
  controller: AbortController;
  /** Requests still waiting; a waiter without a signal can never give up. */
  waiting: number;
  pinned: boolean;
}

/**
 * An OAuth-style token cache: one fetch at a time however many requests wait (single flight),
 * refreshed `refreshBeforeMs` before expiry, and refreshed once when the vendor answers 401.
 * A fetch every waiter has abandoned is aborted and forgotten, so the next request never waits on it.
 */
export function cachedTokenAuth(options: CachedTokenProviderOptions): AuthProvider & {
  /**
   * The current token, fetching one when needed; `signal` lets this caller stop waiting, `context`
   * goes to `fetchToken` when this call starts a fetch.
   */
  token(signal?: AbortSignal, context?: AuthRequestContext): Promise<string>;
  /** Forgets the cached token. */
  invalidate(): void;
} {
  const now = options.now ?? Date.now;
  const refreshBefore = options.refreshBeforeMs ?? 60_000;
  for (const s of options.secrets ?? []) registerSecret(s);
  let cached: { token: string; refreshAt: number } | undefined;
  let inflight: TokenFlight | undefined;

  const startFlight = (context: AuthRequestContext | undefined): TokenFlight => {
    const controller = new AbortController();
    const flight: TokenFlight = {
      controller,
      waiting: 0,
      pinned: false,
      // Started at once (an async wrapper only turns a synchronous throw into a rejection).
      promise: (async () => options.fetchToken(controller.signal, context))()
        .then(({ token: value, expiresInMs }) => {
          registerSecret(value);
          // A token that lives shorter than the refresh margin is refreshed at half its life,
          // not fetched again for every request.
          const margin = Math.min(refreshBefore, Math.max(0, expiresInMs) / 2);
          if (!controller.signal.aborted) {
            cached = { token: value, refreshAt: now() + expiresInMs - margin };
          }
          return value;
        })
        .finally(() => {
          if (inflight === flight) inflight = undefined;
        }),
    };
    return flight;
  };

  const token = (signal?: AbortSignal, context?: AuthRequestContext): Promise<string> => {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
    if (signal?.aborted) return Promise.reject(signal.reason);
    inflight ??= startFlight(context);
    const flight = inflight;
    if (!signal) {
      flight.pinned = true;
      return flight.promise;
    }
    flight.waiting++;
    return new Promise<string>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        flight.waiting--;
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        reject(signal.reason);
        if (flight.waiting === 0 && !flight.pinned) {
          if (inflight === flight) inflight = undefined;
          flight.controller.abort(signal.reason);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          leave();
          resolve(value);
        },
        (error: unknown) => {
          leave();
          reject(error);
        },
      );
    });
  };
  return {
    token,
    invalidate: () => {
      cached = undefined;
    },
    async headers(signal?: AbortSignal, context?: AuthRequestContext) {
      return { authorization: `Bearer ${await token(signal, context)}` };
    },
    async onUnauthorized(context?: AuthRequestContext) {
      cached = undefined;
      await token(undefined, context);
      return true;
    },
    secrets: options.secrets ?? [],
  };
}
