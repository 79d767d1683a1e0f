import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PaginationError } from '../errors/errors';

const PREFIX = 'ek1';

/**
 * The longest vendor page token a cursor carries, counted as JSON-escaped characters. A longer token
 * fails the listing with `PaginationError('oversized-token')` when it arrives, before any item of its
 * page is yielded, so no cursor engagekit hands out is ever too large to resume.
 */
export const MAX_VENDOR_TOKEN_LENGTH = 262_144;

/**
 * The longest cursor `decodeCursor` accepts. Every cursor the engine writes fits: its JSON is the
 * vendor token (≤ {@link MAX_VENDOR_TOKEN_LENGTH}) plus at most a few hundred characters of
 * positions and ids, and base64url makes it 4/3 as long, so a cursor stays under 352 KiB
 * (typically 100–300 characters).
 */
export const MAX_CURSOR_LENGTH = 524_288;

/** The shortest `cursorSecret`: an HMAC key much shorter than this is guessable. */
export const MIN_CURSOR_SECRET_LENGTH = 16;

/** The schema of the `cursorSecret` option of adapter factories and the merged client. */
export const CursorSecretSchema = z
  .string()
  .min(
    MIN_CURSOR_SECRET_LENGTH,
    `must be at least ${MIN_CURSOR_SECRET_LENGTH} characters (it keys the HMAC that signs cursors)`,
  );

/** What an engagekit cursor carries. Short keys keep cursors URL-friendly. */
export const CursorStateSchema = z.object({
  /** Provider id (or `'merge'` for the multi-provider client). */
  p: z.string().min(1),
  /** Fingerprint of the list params the cursor belongs to. */
  f: z.string().min(1),
  /** Overall date range `[from, to)` in epoch ms, fixed at the start so windows stay stable. */
  r: z.tuple([z.number().int(), z.number().int()]).optional(),
  /** Start (epoch ms) of the window in progress. */
  w: z.number().int().optional(),
  /** Direction: after (default) or before. */
  d: z.enum(['a', 'b']).optional(),
  /** The vendor token of the page in progress; absent = the first page of the window. */
  t: z.string().optional(),
  /** Raw items of that page already consumed. */
  k: z.number().int().nonnegative().optional(),
  /**
   * A short hash of the id of the last item consumed on that page: a resume skips through that
   * item wherever the page now holds it, not `k` items (a record deleted or inserted before it in
   * the meantime would otherwise shift the count onto a record not yet yielded).
   */
  i: z.string().min(1).max(16).optional(),
  /** Raw items of the window consumed before that page (for restarts after token expiry). */
  c: z.number().int().nonnegative().optional(),
  /** Adapter- or client-specific state. */
  x: z.unknown().optional(),
  /** The listing was read to its end: resuming yields nothing and sends no request. */
  e: z.literal(1).optional(),
});
export type CursorState = z.infer<typeof CursorStateSchema>;

/**
 * Without a secret: a short SHA-256 checksum, which catches corruption (truncation, typos, a
 * copy-paste cut) but not a deliberate edit, since anyone can recompute it. With a secret: an
 * HMAC-SHA256 that no one without the secret can forge.
 */
function checksum(payload: string, secret: string | undefined): string {
  return secret === undefined
    ? createHash('sha256').update(payload).digest('base64url').slice(0, 12)
    : createHmac('sha256', secret).update(payload).digest('base64url');
}

function sameChecksum(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** How cursors are signed. */
export interface CursorCodecOptions {
  /**
   * Signs cursors with HMAC-SHA256 under this key, so any change to a cursor is rejected
   * (`PaginationError('tampered-cursor')`). Without it the checksum only detects corruption: a cursor
   * edited on purpose (and its checksum recomputed) is still bounded by the list params it is resumed
   * with, but its positions are taken on trust.
   * @default undefined (checksum only)
   */
  secret?: string | undefined;
}

/**
 * Encodes a cursor: versioned, URL-safe, with a checksum that catches corruption, or an HMAC that
 * catches any change when `options.secret` is set.
 */
export function encodeCursor(state: CursorState, options: CursorCodecOptions = {}): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${PREFIX}.${payload}.${checksum(payload, options.secret)}`;
}

/**
 * Decodes and checks a cursor. Throws `PaginationError` saying which rule failed: malformed,
 * corrupted or (with a secret) changed at all, another version, another provider, or other list params.
 */
export function decodeCursor(
  cursor: string,
  expected: { provider: string; fingerprint: string } & CursorCodecOptions,
): CursorState {
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH) {
    throw new PaginationError('malformed-cursor', 'Cursor is not an engagekit cursor.');
  }
  // Cursors are often copied from logs or URLs: tolerate surrounding whitespace.
  const parts = cursor.trim().split('.');
  if (parts.length !== 3 || !parts[0]?.startsWith('ek')) {
    throw new PaginationError(
      'malformed-cursor',
      'Cursor is not an engagekit cursor (expected "ek1.<payload>.<checksum>").',
    );
  }
  const [version, payload = '', sum] = parts;
  if (version !== PREFIX) {
    throw new PaginationError(
      'unsupported-cursor-version',
      `Cursor version "${version}" is not supported by this engagekit (expects "${PREFIX}").`,
    );
  }
  if (!sameChecksum(checksum(payload, expected.secret), sum ?? '')) {
    throw new PaginationError(
      'tampered-cursor',
      expected.secret === undefined
        ? 'Cursor checksum does not match: it was altered or truncated (or signed with a cursorSecret this listing lacks).'
        : 'Cursor signature does not match: it was altered, truncated, or not signed with this cursorSecret.',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new PaginationError('malformed-cursor', 'Cursor payload is not valid JSON.');
  }
  const parsed = CursorStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new PaginationError('malformed-cursor', 'Cursor payload has an invalid shape.');
  }
  const state = parsed.data;
  if (state.p !== expected.provider) {
    throw new PaginationError(
      'foreign-cursor',
      `Cursor belongs to provider "${state.p}", not "${expected.provider}".`,
      { provider: expected.provider },
    );
  }
  if (state.f !== expected.fingerprint) {
    throw new PaginationError(
      'mismatched-cursor',
      'Cursor was created with other list parameters (filters, range or native params); pass the same parameters to resume.',
      { provider: expected.provider },
    );
  }
  return state;
}

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/** A short, stable hash of the params that define a listing (not page size, cursor or signal). */
export function fingerprintParams(params: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(params)))
    .digest('base64url')
    .slice(0, 16);
}
