import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 of the parts, concatenated, with `secret`. */
export function hmacSha256(secret: string, ...parts: (string | Uint8Array)[]): Buffer {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Whether `provided` (as the vendor encodes it: hex or base64) is the `expected` digest, compared in
 * constant time whatever the input's length.
 */
export function digestMatches(
  expected: Buffer,
  provided: string,
  encodings: readonly ('hex' | 'base64')[] = ['hex'],
): boolean {
  let match = false;
  for (const encoding of encodings) {
    const text = provided.trim();
    const valid =
      encoding === 'hex' ? /^[0-9a-fA-F]+$/.test(text) : /^[A-Za-z0-9+/=_-]+$/.test(text);
    const candidate = valid ? Buffer.from(text, encoding) : Buffer.alloc(0);
    // Compare against a same-length buffer even on a length mismatch, so timing does not tell.
    const same = candidate.length === expected.length;
    const equal = timingSafeEqual(same ? candidate : expected, expected);
    match = (same && equal) || match;
  }
  return match;
}
