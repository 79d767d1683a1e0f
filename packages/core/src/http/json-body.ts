import { constants, isAscii } from 'node:buffer';

/**
 * Response bodies as bytes, parsed as `JSON.parse(bytes.toString('utf8'))` would parse them, with
 * half the string memory. A body with any non-ASCII character decodes to a two-byte string, twice
 * its size: a 100 KB page becomes 200 KB, past V8's 128 KB limit for regular objects, so every
 * decoding allocates a fresh large object whose pages the kernel faults in on first touch (1.5 ms
 * for a 100 KB Truto page on the benchmark VM, 0.09 ms for 64 KB; bench/README.md, "Response bodies
 * as bytes"). Latin-1 text is one byte per byte. JSON's structure is ASCII, so the Latin-1 text
 * parses to the same tree, and only the strings that hold bytes ≥ 0x80 are decoded again, each
 * from its own bytes. Every byte of such a string is a raw byte of the body unless the body has
 * `\u` escapes (one could stand for U+0080–U+00FF): those bodies take the plain path.
 */

/** A string holding a character U+0080–U+00FF: in Latin-1 text, one that came from a byte ≥ 0x80. */
const HIGH = /[\x80-\xff]/;
/** `\u` in the body's bytes (a false positive, `\\u`, only means the plain path). */
const UNICODE_ESCAPE = Buffer.from('\\u', 'latin1');

const fromLatin1 = (text: string): string => Buffer.from(text, 'latin1').toString('utf8');

/** The body's text, as axios would have decoded it (UTF-8), for error messages and non-JSON bodies. */
export function bodyText(data: unknown): unknown {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  return bytes instanceof Uint8Array ? toBuffer(bytes).toString('utf8') : data;
}

/** Whether the body is bytes past what one string can hold: axios would have failed to decode it. */
export function tooLongForText(data: unknown): boolean {
  return (
    (data instanceof Uint8Array || data instanceof ArrayBuffer) &&
    data.byteLength > constants.MAX_STRING_LENGTH
  );
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** `JSON.parse` of the bytes' UTF-8 text; throws what `JSON.parse` throws. */
export function parseJsonBytes(data: Uint8Array): unknown {
  const bytes = toBuffer(data);
  if (isAscii(bytes)) return JSON.parse(bytes.toString('latin1'));
  if (bytes.includes(UNICODE_ESCAPE)) return JSON.parse(bytes.toString('utf8'));
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('latin1'));
  } catch {
    // Bytes ≥ 0x80 outside a string: the UTF-8 text gives the error JSON.parse would give.
    return JSON.parse(bytes.toString('utf8'));
  }
  return decodeStrings(value);
}

/**
 * Decodes, in place, every string (value or key) of a `JSON.parse` result that holds a character
 * U+0080–U+00FF. Iterative: a body nested deeper than the call stack is parsed by `JSON.parse`
 * (V8's parser is iterative) and must not fail here.
 */
function decodeStrings(root: unknown): unknown {
  if (typeof root === 'string') return HIGH.test(root) ? fromLatin1(root) : root;
  const stack: object[] = [];
  if (typeof root === 'object' && root !== null) stack.push(root);
  for (let container = stack.pop(); container !== undefined; container = stack.pop()) {
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item: unknown = container[i];
        if (typeof item === 'string') {
          if (HIGH.test(item)) container[i] = fromLatin1(item);
        } else if (typeof item === 'object' && item !== null) stack.push(item);
      }
      continue;
    }
    const record = container as Record<string, unknown>;
    let keysToDecode = false;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === 'string') {
        if (HIGH.test(item)) record[key] = fromLatin1(item);
      } else if (typeof item === 'object' && item !== null) stack.push(item);
      if (!keysToDecode && HIGH.test(key)) keysToDecode = true;
    }
    if (keysToDecode) rekey(record);
  }
  return root;
}

/**
 * Replaces the record's keys by their decoded form, keeping their order and, where two keys decode
 * to one (invalid sequences become U+FFFD), the last value at the first one's place, as
 * `JSON.parse` of the UTF-8 text does. Defined, not assigned: a `__proto__` key stays a key.
 */
function rekey(record: Record<string, unknown>): void {
  const entries = Object.keys(record).map((key) => [key, record[key]] as const);
  for (const [key] of entries) delete record[key];
  for (const [key, value] of entries) {
    Object.defineProperty(record, HIGH.test(key) ? fromLatin1(key) : key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}
