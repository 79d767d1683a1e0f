const REDACTED = '[REDACTED]';
const SENSITIVE_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|access[-_]?token|refresh[-_]?token|client[-_]?secret|token|password|secret)$/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

/** Strings that must never appear in an error, log line or hook payload. Registered by transports. */
const knownSecrets = new Set<string>();

/** Registers a secret (token, client secret) so every redaction removes it wherever it appears. */
export function registerSecret(secret: string | undefined): void {
  // Very short strings would redact ordinary words; real credentials are longer.
  if (secret && secret.length >= 6) knownSecrets.add(secret);
}

/** Removes credentials from a string: registered secrets and `Bearer …`/`Basic …` values. */
export function redactString(value: string): string {
  let out = value;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out.replace(BEARER, `$1 ${REDACTED}`);
}

/**
 * A deep copy of `value` with every credential removed: sensitive keys (Authorization, tokens,
 * secrets) are replaced whole, and registered secrets are cut out of every string.
 */
export function redact<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactString(value) as T;
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SENSITIVE_KEY.test(key) ? REDACTED : redact(v, depth + 1);
  }
  return out as T;
}

/** Redacts sensitive query parameters of a URL (e.g. `access_token=`), keeping the rest readable. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) {
      if (SENSITIVE_KEY.test(key)) parsed.searchParams.set(key, REDACTED);
    }
    if (parsed.password) parsed.password = REDACTED;
    return redactString(parsed.toString());
  } catch {
    return redactString(url);
  }
}
