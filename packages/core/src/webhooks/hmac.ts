import * as crypto from 'node:crypto';

/** HMAC-SHA256 of the parts, concatenated, with `secret`. */
export function hmacSha256(secret: string, ...parts: (string | Uint8Array)[]): Buffer {
  const mac = crypto.createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'hex') => string;
// `crypto.hash` (Node ≥ 20.12) skips the Hash object `createHash` builds: about half the cost on a
// webhook-sized body. Read from the namespace so older Node 20 releases fall back.
const oneShotHash = (crypto as unknown as { hash?: OneShotHash }).hash;

/** Hex SHA-256 of `data`. */
export function sha256Hex(data: Uint8Array): string {
  return oneShotHash
    ? oneShotHash('sha256', data, 'hex')
    : crypto.createHash('sha256').update(data).digest('hex');
}

const BASE64 = /^[A-Za-z0-9+/=_-]+$/;
const HEX_ONLY: readonly ('hex' | 'base64')[] = ['hex'];
/** Reused for hex decoding (synchronous, so never shared between calls): no Buffer per request. */
let hexScratch = Buffer.alloc(32);

/**
 * Whether `provided` (as the vendor encodes it: hex or base64) is the `expected` digest, compared in
 * constant time whatever the input's length.
 */
export function digestMatches(
  expected: Buffer,
  provided: string,
  encodings: readonly ('hex' | 'base64')[] = HEX_ONLY,
): boolean {
  const text = provided.trim();
  // The text's form is the sender's, not a secret, so it picks the one decoding that can give a
  // digest-sized value: hex of the digest has exactly twice its length, base64 never does. Only
  // the byte comparison below must not leak, and it always runs.
  let candidate: Buffer | undefined;
  if (text.length === expected.length * 2 && encodings.includes('hex')) {
    if (hexScratch.length !== expected.length) hexScratch = Buffer.alloc(expected.length);
    // Hex decoding stops at the first pair that is not hex: all of it was hex iff every byte came.
    if (hexScratch.write(text, 'hex') === expected.length) candidate = hexScratch;
  } else if (encodings.includes('base64') && BASE64.test(text)) {
    candidate = Buffer.from(text, 'base64');
  }
  // Compare against a same-length buffer even on a length mismatch, so timing does not tell.
  const same = candidate !== undefined && candidate.length === expected.length;
  const equal = crypto.timingSafeEqual(same ? (candidate as Buffer) : expected, expected);
  return same && equal;
}
