/** Pieces of JSON text are joined up to this many characters before they are encoded. */
const CHUNK_CHARS = 16 * 1024;

/**
 * The UTF-8 bytes of `JSON.stringify(value)`, built from one piece per element of the value and
 * of the arrays and objects it holds directly (a page's records), so no string of the whole page is
 * ever made. A page of 100 records is a string of half a megabyte, which V8 allocates in its
 * large-object space: fresh pages of memory each time, and on the VMs the benchmarks run on each
 * first touch of a page costs ~20 µs, more than encoding the page. Pieces stay small.
 */
export function jsonBytes(value: unknown): Buffer {
  const parts: Buffer[] = [];
  let chunk = '';
  const push = (text: string) => {
    chunk += text;
    if (chunk.length >= CHUNK_CHARS) {
      parts.push(Buffer.from(chunk, 'utf8'));
      chunk = '';
    }
  };
  pieces(value, 0, push);
  parts.push(Buffer.from(chunk, 'utf8'));
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/** How deep values are split into pieces: the reply object, its arrays, their records. */
const SPLIT_DEPTH = 2;

function pieces(value: unknown, depth: number, push: (text: string) => void): void {
  if (
    depth >= SPLIT_DEPTH ||
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    // `undefined`, functions and symbols have no JSON: callers leave them out (object members) or
    // write null (array elements), as JSON.stringify does.
    push(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) push(',');
      pieces(value[i], depth + 1, push);
    }
    push(']');
    return;
  }
  push('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol')
      continue;
    push(`${first ? '' : ','}${JSON.stringify(key)}:`);
    pieces(member, depth + 1, push);
    first = false;
  }
  push('}');
}
