/**
 * Hostile vendors that page without end, repeat pages, hand out huge tokens, and callers that forge
 * cursors: a real adapter (Truto) against a loopback server. Every case ends with a typed error and
 * a bounded, asserted number of requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PaginationError } from '@engagekit/core';
import { encodeCursor } from '@engagekit/core/adapter';
import { createTrutoAdapter } from '@engagekit/truto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Past this many requests in one test the server answers 418: a paging loop fails fast. */
const MAX_REQUESTS = 60;
const TOKEN = 'truto-hostile-token-123456';
const ACCOUNT = 'acct-hostile';

type Handler = (url: URL, res: ServerResponse) => void;

let handler: Handler = (_url, res) => res.end('{}');
let requests = 0;
let server: Server;
let baseUrl: string;

function serve(next: Handler) {
  handler = next;
  requests = 0;
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    if (requests > MAX_REQUESTS) {
      res.statusCode = 418;
      res.end('too many requests in one test');
      return;
    }
    res.setHeader('content-type', 'application/json');
    handler(new URL(req.url ?? '/', 'http://127.0.0.1'), res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

const truto = (extra: { cursorSecret?: string } = {}) =>
  createTrutoAdapter({
    token: TOKEN,
    integratedAccountId: ACCOUNT,
    baseUrl,
    maxRetries: 0,
    rateLimit: false,
    ...extra,
  });

function record(id: string, at = '2026-03-01T10:00:00.000Z') {
  return {
    id,
    engagement_type: 'call',
    subject: `Engagement ${id}`,
    direction: 'outbound',
    start_time: at,
    created_at: at,
    updated_at: at,
  };
}

const body = (result: unknown[], next: string | null) =>
  JSON.stringify({ result, next_cursor: next, prev_cursor: null, result_count: result.length });

async function failure(run: () => Promise<unknown>): Promise<PaginationError> {
  const error = await run().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PaginationError);
  return error as PaginationError;
}

describe('hostile pagination (Truto adapter, loopback vendor)', () => {
  it('endless empty pages with fresh tokens: empty-pages after exactly maxEmptyPages requests', async () => {
    serve((url, res) =>
      res.end(body([], `e${Number(url.searchParams.get('next_cursor')?.slice(1) ?? 0) + 1}`)),
    );
    const error = await failure(() => truto().engagements.list().toArray());
    expect(error.reason).toBe('empty-pages');
    expect(requests).toBe(25);

    serve((url, res) =>
      res.end(body([], `e${Number(url.searchParams.get('next_cursor')?.slice(1) ?? 0) + 1}`)),
    );
    const custom = await failure(() => truto().engagements.list({ maxEmptyPages: 4 }).toArray());
    expect(custom.reason).toBe('empty-pages');
    expect(requests).toBe(4);
  });

  it('the same page again under new tokens: repeated-page, each record yielded once, two requests', async () => {
    let n = 0;
    serve((_url, res) => res.end(body([record('a'), record('b')], `t${++n}`)));
    const seen: string[] = [];
    const error = await failure(async () => {
      for await (const e of truto().engagements.list()) seen.push(e.remoteId);
    });
    expect(error.reason).toBe('repeated-page');
    expect(seen).toEqual(['a', 'b']);
    expect(requests).toBe(2);
  });

  it('a page token answered with itself: repeated-token after two requests', async () => {
    serve((_url, res) => res.end(body([record('a')], 'same')));
    const error = await failure(() => truto().engagements.list().toArray());
    expect(error.reason).toBe('repeated-token');
    expect(requests).toBe(2);
  });

  it('a 13 KB vendor token stays resumable, and reaches the vendor intact', async () => {
    const huge = `H${'x'.repeat(13 * 1024)}`;
    const received: (string | null)[] = [];
    serve((url, res) => {
      const token = url.searchParams.get('next_cursor');
      received.push(token);
      res.end(token === huge ? body([record('c')], null) : body([record('a'), record('b')], huge));
    });
    const first = await truto().engagements.list().firstPage();
    expect(first.nextCursor?.length).toBeGreaterThan(16_384);
    const rest = await truto().engagements.list({ cursor: first.nextCursor }).toArray();
    expect(rest.map((e) => e.remoteId)).toEqual(['c']);
    expect(received).toEqual([null, huge]);
  });

  it('a token too large for any cursor: oversized-token, one request, nothing from its page', async () => {
    serve((_url, res) => res.end(body([record('a')], 'y'.repeat(300_000))));
    const seen: string[] = [];
    const error = await failure(async () => {
      for await (const e of truto().engagements.list()) seen.push(e.remoteId);
    });
    expect(error.reason).toBe('oversized-token');
    expect(seen).toEqual([]);
    expect(requests).toBe(1);
  });

  it('a cursor widened past the params (checksum recomputed) is refused before any request', async () => {
    const from = '2026-03-01T00:00:00.000Z';
    const to = '2026-03-02T00:00:00.000Z';
    serve((_url, res) => res.end(body([record('a'), record('b')], 'n1')));
    const { nextCursor = '' } = await truto().engagements.list({ from, to }).firstPage();
    const state = JSON.parse(Buffer.from(nextCursor.split('.')[1] ?? '', 'base64url').toString());
    expect(state.r).toEqual([Date.parse(from), Date.parse(to)]);
    const widened = encodeCursor({ ...state, r: [0, Date.parse('2030-01-01T00:00:00Z')] });

    serve((_url, res) => res.end(body([record('z')], null)));
    const error = await failure(() =>
      truto().engagements.list({ from, to, cursor: widened }).toArray(),
    );
    expect(error.reason).toBe('mismatched-cursor');
    expect(requests).toBe(0);

    // With cursorSecret, the same forgery fails the signature check.
    const secret = 'hostile-cursor-secret-0123';
    serve((_url, res) => res.end(body([record('a'), record('b')], 'n1')));
    const signed = await truto({ cursorSecret: secret }).engagements.list({ from, to }).firstPage();
    const forged = encodeCursor({ ...state, w: state.w, t: 'n2' });
    requests = 0;
    const tampered = await failure(() =>
      truto({ cursorSecret: secret }).engagements.list({ from, to, cursor: forged }).toArray(),
    );
    expect(tampered.reason).toBe('tampered-cursor');
    expect(requests).toBe(0);
    expect(signed.nextCursor?.split('.')[2]).toHaveLength(43);
  });
});
