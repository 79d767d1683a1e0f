import { registerSecret } from '../errors/redact';
import type { AuthProvider } from './types';

/** A fixed token sent as `Authorization: Bearer <token>` (a `Bearer ` prefix already present is kept). */
export function bearerAuth(token: string): AuthProvider {
  registerSecret(token);
  const value = /^bearer\s/i.test(token) ? token : `Bearer ${token}`;
  registerSecret(value.replace(/^bearer\s+/i, ''));
  return { headers: () => ({ authorization: value }), secrets: [token] };
}

export interface CachedTokenProviderOptions {
  /** Fetches a new token; `expiresInMs` from now. */
  fetchToken(): Promise<{ token: string; expiresInMs: number }>;
  /** Refresh this long before expiry. @default 60000 */
  refreshBeforeMs?: number;
  now?: () => number;
  /** Secrets behind the token (client secret) to redact everywhere. */
  secrets?: string[];
}

/**
 * An OAuth-style token cache: one fetch at a time however many requests wait (single flight),
 * refreshed `refreshBeforeMs` before expiry, and refreshed once when the vendor answers 401.
 */
export function cachedTokenAuth(options: CachedTokenProviderOptions): AuthProvider & {
  /** The current token, fetching one when needed. */
  token(): Promise<string>;
  /** Forgets the cached token. */
  invalidate(): void;
} {
  const now = options.now ?? Date.now;
  const refreshBefore = options.refreshBeforeMs ?? 60_000;
  for (const s of options.secrets ?? []) registerSecret(s);
  let cached: { token: string; refreshAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  const token = (): Promise<string> => {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
    if (!inflight) {
      inflight = options
        .fetchToken()
        .then(({ token: value, expiresInMs }) => {
          registerSecret(value);
          // A token that lives shorter than the refresh margin is refreshed at half its life,
          // not fetched again for every request.
          const margin = Math.min(refreshBefore, Math.max(0, expiresInMs) / 2);
          cached = { token: value, refreshAt: now() + expiresInMs - margin };
          return value;
        })
        .finally(() => {
          inflight = undefined;
        });
    }
    return inflight;
  };
  return {
    token,
    invalidate: () => {
      cached = undefined;
    },
    async headers() {
      return { authorization: `Bearer ${await token()}` };
    },
    async onUnauthorized() {
      cached = undefined;
      await token();
      return true;
    },
    secrets: options.secrets ?? [],
  };
}
