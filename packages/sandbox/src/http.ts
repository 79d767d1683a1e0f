import type { IncomingMessage } from 'node:http';

/** What a vendor handler answers; the server writes it. */
export interface Reply {
  status: number;
  body?: unknown;
  /** Raw text body (sent as-is) instead of JSON. */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A parsed request as vendor handlers see it. */
export interface VendorRequest {
  method: string;
  /** Path below the vendor prefix, e.g. `/engagements.list`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** Raw body text (for form bodies). */
  rawBody: string;
  now: number;
  schemaDrift: boolean;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

const MAX_BODY = 5 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body; `undefined` for an empty body, `Symbol` marker for invalid JSON. */
export const INVALID_JSON = Symbol('invalid-json');

export function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return INVALID_JSON;
  }
}

/** Query values for `name`: repeated params, comma-joined values, and `"a","b"` quoted forms. */
export function queryList(query: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (const raw of query.getAll(name)) {
    for (const part of splitList(raw)) if (part !== '') out.push(part);
  }
  return out;
}

function splitList(raw: string): string[] {
  const trimmed = raw.trim();
  if (trimmed.startsWith('"')) {
    const out: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"/g;
    for (let m = re.exec(trimmed); m; m = re.exec(trimmed))
      out.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
    return out;
  }
  return trimmed.split(',').map((s) => s.trim());
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function fromBase64url(text: string): string {
  return Buffer.from(text, 'base64url').toString('utf8');
}
