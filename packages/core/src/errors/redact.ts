const REDACTED = '[REDACTED]';
/** Keys whose values are credentials wherever they appear (headers, bodies, query strings). */
const SENSITIVE_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|x-auth-token|session[-_]?token|security[-_]?token|x-amz-security-token|client[-_]?secret|token|password|passwd|secret|private[-_]?key|assertion|code[-_]?verifier)$/i;
const BEARER = /\b(Bearer|bearer|BEARER|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
/** Header names that carry credentials, whatever the vendor calls them (`X-Custom-Token`, `Cookie`…). */
export const SENSITIVE_HEADER =
  /authorization|cookie|key|token|secret|passw(or)?d|session|credential|signature/i;

/** Strings that must never appear in an error, log line or hook payload. Registered by transports. */
const knownSecrets = new Set<string>();

/** The forms a secret takes once it is put in a URL, a form body or a JSON string. */
function encodings(secret: string): string[] {
  const out = new Set<string>([secret]);
  try {
    out.add(encodeURIComponent(secret));
  } catch {
    // Lone surrogates cannot be URI-encoded; the raw form is still redacted.
  }
  out.add(new URLSearchParams({ s: secret }).toString().slice(2));
  out.add(JSON.stringify(secret).slice(1, -1));
  return [...out];
}

/** Registers a secret (token, client secret) so every redaction removes it wherever it appears. */
export function registerSecret(secret: string | undefined): void {
  // Very short strings would redact ordinary words; real credentials are longer.
  if (typeof secret !== 'string') return;
  const value = secret.trim();
  if (value.length < 6) return;
  for (const form of encodings(value)) knownSecrets.add(form);
}

/**
 * Registers a credential as sent in a header: the whole value, the part after an auth scheme
 * (`Bearer x`, `Basic x`), and for Basic both the base64 form and the decoded `user:password` and
 * password, so an echo of any of them is redacted.
 */
export function registerCredential(value: string): void {
  registerSecret(value);
  const scheme = /^\s*([A-Za-z][\w-]*)\s+(\S+)\s*$/.exec(value);
  if (!scheme?.[2]) return;
  registerSecret(scheme[2]);
  if (scheme[1]?.toLowerCase() !== 'basic') return;
  const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return;
  registerSecret(decoded);
  registerSecret(decoded.slice(colon + 1));
}

/** Headers as hooks and errors show them: credential-named headers replaced, secrets cut out. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    setOwn(out, name, SENSITIVE_HEADER.test(name) ? REDACTED : redactString(String(value)));
  }
  return out;
}

/** `target[key] = value` that makes `__proto__` an own key instead of replacing the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else target[key] = value;
}

/** Removes credentials from a string: registered secrets and `Bearer …`/`Basic …` values. */
export function redactString(value: string): string {
  let out = value;
  if (knownSecrets.size > 0) {
    // Longest first, so a secret that contains another is removed whole.
    for (const secret of [...knownSecrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
  }
  return out.replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`);
}

/**
 * A deep copy of `value` with every credential removed: sensitive keys (Authorization, tokens,
 * secrets) are replaced whole, and registered secrets are cut out of every string. Objects nested
 * deeper than the limit are dropped rather than copied unredacted; cycles are cut.
 */
export function redact<T>(value: T, depth = 0, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value === 'string') return redactString(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (depth > 8) return '[Truncated]' as T;
  if (seen.has(value)) return '[Circular]' as T;
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen)) as T;
    if (value instanceof Error) {
      const out: Record<string, unknown> = {
        name: value.name,
        message: redactString(value.message),
      };
      const code = (value as { code?: unknown }).code;
      if (code !== undefined) out.code = redact(code, depth + 1, seen);
      return out as T;
    }
    if (value instanceof Map) {
      return Object.fromEntries(
        [...value.entries()].map(([k, v]) => [
          String(k),
          SENSITIVE_KEY.test(String(k)) ? REDACTED : redact(v, depth + 1, seen),
        ]),
      ) as T;
    }
    if (ArrayBuffer.isView(value))
      return `[${value.constructor.name} ${value.byteLength} bytes]` as T;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      setOwn(out, key, SENSITIVE_KEY.test(key) ? REDACTED : redact(v, depth + 1, seen));
    }
    return out as T;
  } finally {
    seen.delete(value);
  }
}

/** Redacts sensitive query parameters of a URL (e.g. `access_token=`), keeping the rest readable. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) {
      if (SENSITIVE_KEY.test(key)) parsed.searchParams.set(key, REDACTED);
    }
    if (parsed.password) parsed.password = REDACTED;
    if (parsed.username) parsed.username = REDACTED;
    return redactString(parsed.toString());
  } catch {
    return redactString(url);
  }
}
