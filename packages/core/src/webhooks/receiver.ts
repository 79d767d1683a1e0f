import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactString } from '../errors/redact';
import { WebhookVerificationError } from './errors';
import { sha256Hex } from './hmac';
import type { EngagementChange, WebhookDelivery, WebhookRequest, WebhookSource } from './types';

/** Options of {@link createWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** One source per vendor, from each adapter's `webhooks(options)`. */
  sources: readonly WebhookSource[];
  /**
   * Called once per verified, new event that maps to changes. Answering the vendor waits for it: a
   * throw (or rejection) answers 500 so the vendor retries, and the event is not remembered as seen.
   */
  onChange: (changes: EngagementChange[], delivery: WebhookDelivery) => void | Promise<void>;
  /** Replay window on signed timestamps, in seconds either side of now. @default 300 */
  toleranceSeconds?: number | undefined;
  /** Largest body read, in bytes; larger requests get 413 before any verification. @default 1048576 */
  maxBodyBytes?: number | undefined;
  /** How many recent event ids are remembered to drop redeliveries. @default 10000 */
  dedupeWindow?: number | undefined;
  /** The clock, for tests. @default Date.now */
  now?: (() => number) | undefined;
}

/** Counters since the receiver was made. */
export interface WebhookReceiverStats {
  delivered: number;
  duplicates: number;
  ignored: number;
  rejected: number;
}

/** A verified-webhook endpoint for every source, served through Fetch, `node:http` or a direct call. */
export interface WebhookReceiver {
  /** Fetch API: 200 once `onChange` resolved, 401 on a failed signature, 5xx when `onChange` threw. */
  handle(request: Request): Promise<Response>;
  /** `node:http` / Express listener (mount it before any body parser: it needs the raw bytes). */
  readonly nodeListener: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Verifies one request of `provider` and returns its changes without calling `onChange` or
   * remembering the event; throws `WebhookVerificationError`. A handshake returns `[]`.
   */
  verify(provider: string, request: WebhookRequest): Promise<EngagementChange[]>;
  readonly stats: Readonly<WebhookReceiverStats>;
}

const DEFAULT_MAX_BODY = 1024 * 1024;

interface Outcome {
  status: number;
  body: unknown;
}

function toHeaders(headers: WebhookRequest['headers']): Headers {
  if (headers instanceof Headers) return headers;
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (typeof value === 'string') out.set(name, value);
    else for (const v of value) out.append(name, v);
  }
  return out;
}

function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** A bounded set of recent keys, oldest dropped first. */
class RecentKeys {
  readonly #keys = new Set<string>();
  constructor(private readonly size: number) {}
  has(key: string): boolean {
    return this.#keys.has(key);
  }
  add(key: string): void {
    this.#keys.add(key);
    if (this.#keys.size > this.size) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }
}

/**
 * Receives the vendors' webhooks: verifies each on its raw bytes (constant time), answers the
 * vendors' URL handshakes, rejects stale signed timestamps and redelivered event ids, and hands the
 * unified changes to `onChange`.
 */
export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  const toleranceMs = (options.toleranceSeconds ?? 300) * 1000;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const now = options.now ?? Date.now;
  const seen = new RecentKeys(options.dedupeWindow ?? 10_000);
  const inFlight = new Map<string, Promise<Outcome>>();
  const stats: WebhookReceiverStats = { delivered: 0, duplicates: 0, ignored: 0, rejected: 0 };
  const byProvider = new Map(options.sources.map((s) => [s.provider, s]));

  function sourceFor(headers: Headers): WebhookSource {
    for (const source of options.sources) if (source.recognises(headers)) return source;
    throw new WebhookVerificationError(
      'unknown-source',
      `No webhook source recognises this request (sources: ${[...byProvider.keys()].join(', ')}).`,
    );
  }

  function checkContentType(headers: Headers): void {
    const type = headers.get('content-type');
    if (type !== null && !/^application\/([a-z.+-]*\+)?json\b/i.test(type.trim())) {
      throw new WebhookVerificationError(
        'unsupported-media-type',
        `Webhook bodies are JSON; got content-type ${JSON.stringify(redactString(type).slice(0, 100))}.`,
      );
    }
  }

  function verified(source: WebhookSource, body: Uint8Array, headers: Headers) {
    if (body.byteLength > maxBodyBytes) {
      throw new WebhookVerificationError(
        'too-large',
        `Webhook body of ${body.byteLength} bytes exceeds maxBodyBytes (${maxBodyBytes}).`,
        { provider: source.provider },
      );
    }
    checkContentType(headers);
    const at = now();
    const result = source.verify(body, headers, at);
    if (result.kind === 'event') {
      const { timestampMs, timestampSigned } = result.event;
      if (
        timestampSigned &&
        timestampMs !== undefined &&
        Math.abs(at - timestampMs) > toleranceMs
      ) {
        throw new WebhookVerificationError(
          'stale-timestamp',
          `The signed timestamp is ${Math.round(Math.abs(at - timestampMs) / 1000)} s from now, outside toleranceSeconds (${toleranceMs / 1000}).`,
          { provider: source.provider },
        );
      }
    }
    return result;
  }

  async function process(body: Uint8Array, headers: Headers): Promise<Outcome> {
    let source: WebhookSource | undefined;
    let result: ReturnType<typeof verified>;
    try {
      source = sourceFor(headers);
      result = verified(source, body, headers);
    } catch (error) {
      stats.rejected++;
      if (error instanceof WebhookVerificationError)
        return { status: error.status, body: { error: error.reason, message: error.message } };
      return { status: 400, body: { error: 'malformed' } };
    }
    if (result.kind === 'handshake') return { status: result.status, body: result.body };
    const { event } = result;
    const key = `${source.provider}\u0000${event.id}`;
    if (seen.has(key)) {
      stats.duplicates++;
      return { status: 200, body: { received: true, duplicate: true } };
    }
    const pending = inFlight.get(key);
    if (pending) {
      stats.duplicates++;
      return pending;
    }
    const provider = source.provider;
    const run = (async (): Promise<Outcome> => {
      try {
        const { changes, ignored } = await (source as WebhookSource).toChanges(event);
        if (ignored || changes.length === 0) {
          stats.ignored++;
        } else {
          await options.onChange(changes, {
            provider,
            eventId: event.id,
            eventType: event.type,
            receivedAt: new Date(now()).toISOString(),
          });
          stats.delivered++;
        }
        seen.add(key);
        return { status: 200, body: { received: true } };
      } catch {
        // The vendor retries on 5xx; the event is not remembered, so the retry is processed.
        return { status: 500, body: { error: 'handler-failed' } };
      } finally {
        inFlight.delete(key);
      }
    })();
    inFlight.set(key, run);
    return run;
  }

  async function readBounded(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array | undefined> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += chunk.byteLength;
      if (size > maxBodyBytes) return undefined;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  const tooLarge: Outcome = {
    status: 413,
    body: { error: 'too-large', message: `Webhook body exceeds maxBodyBytes (${maxBodyBytes}).` },
  };

  async function handle(request: Request): Promise<Response> {
    let outcome: Outcome;
    if (request.method !== 'POST') {
      stats.rejected++;
      outcome = { status: 405, body: { error: 'method-not-allowed' } };
    } else {
      const declared = Number(request.headers.get('content-length') ?? '0');
      const body =
        declared > maxBodyBytes || !request.body
          ? declared > maxBodyBytes
            ? undefined
            : new Uint8Array()
          : await readBounded(request.body as unknown as AsyncIterable<Uint8Array>);
      if (body === undefined) {
        stats.rejected++;
        outcome = tooLarge;
      } else outcome = await process(body, request.headers);
    }
    return Response.json(outcome.body, { status: outcome.status });
  }

  function nodeListener(req: IncomingMessage, res: ServerResponse): void {
    const reply = (outcome: Outcome) => {
      const text = JSON.stringify(outcome.body);
      res.writeHead(outcome.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (req.method !== 'POST') {
      stats.rejected++;
      reply({ status: 405, body: { error: 'method-not-allowed' } });
      return;
    }
    readBounded(req)
      .then((body) => {
        if (body === undefined) {
          stats.rejected++;
          reply(tooLarge);
          req.resume();
          return;
        }
        return process(body, toHeaders(req.headers)).then(reply);
      })
      .catch(() => reply({ status: 500, body: { error: 'handler-failed' } }));
  }

  async function verify(provider: string, request: WebhookRequest): Promise<EngagementChange[]> {
    const source = byProvider.get(provider);
    if (!source) {
      throw new WebhookVerificationError(
        'unknown-source',
        `No webhook source for provider ${provider}.`,
      );
    }
    const result = verified(source, toBytes(request.body), toHeaders(request.headers));
    if (result.kind === 'handshake') return [];
    return (await source.toChanges(result.event)).changes;
  }

  return { handle, nodeListener, verify, stats };
}

/** A stable event id for vendors that send none: the SHA-256 of the raw body. */
export function bodyDigestId(body: Uint8Array): string {
  return sha256Hex(body);
}
