import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PaginationError } from '../errors/errors';

const PREFIX = 'ek1';

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
  /** Raw items of the window consumed before that page (for restarts after token expiry). */
  c: z.number().int().nonnegative().optional(),
  /** Adapter- or client-specific state. */
  x: z.unknown().optional(),
});
export type CursorState = z.infer<typeof CursorStateSchema>;

function checksum(payload: string): string {
  return createHash('sha256').update(payload).digest('base64url').slice(0, 12);
}

/** Encodes a cursor: versioned, URL-safe, with a checksum so edits are caught. */
export function encodeCursor(state: CursorState): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${PREFIX}.${payload}.${checksum(payload)}`;
}

/**
 * Decodes and checks a cursor. Throws `PaginationError` saying which rule failed: malformed,
 * tampered, another version, another provider, or other list params.
 */
export function decodeCursor(
  cursor: string,
  expected: { provider: string; fingerprint: string },
): CursorState {
  if (typeof cursor !== 'string' || cursor.length > 16_384) {
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
  if (checksum(payload) !== sum) {
    throw new PaginationError(
      'tampered-cursor',
      'Cursor checksum does not match: it was altered or truncated.',
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
