import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { WebhookReceiver } from '@engagekit/core';

/** One request the endpoint got, and what it answered (0: it never answered). */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A loopback webhook endpoint in front of a `createWebhookReceiver` (for the sandbox's tests). */
export interface Endpoint {
  url: string;
  requests: ReceivedRequest[];
  /** The receiver answering; settable later (a made secret is known only at subscribe). */
  receiver: WebhookReceiver | undefined;
  /** The next `count` requests are answered `status` without reaching the receiver. */
  failNext(count: number, status?: number): void;
  /** While set, requests are never answered. */
  hang: boolean;
  /** Unanswered requests whose connection the sender closed. */
  abandoned: number;
  /** Resolves once `count` requests arrived. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function fetchHeaders(headers: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ['host', 'connection', 'content-length'].includes(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  }
  return out;
}

export async function startEndpoint(receiver?: WebhookReceiver): Promise<Endpoint> {
  let failures = 0;
  let failStatus = 500;
  const waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const entry: ReceivedRequest = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0,
      };
      endpoint.requests.push(entry);
      for (const w of waiters.filter((w) => endpoint.requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const reply = (status: number, text: string) => {
        entry.status = status;
        res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      };
      if (endpoint.hang) {
        res.on('close', () => endpoint.abandoned++);
        return;
      }
      if (failures > 0) {
        failures--;
        reply(failStatus, '{"error":"injected"}');
        return;
      }
      if (!endpoint.receiver) {
        reply(200, '{}');
        return;
      }
      const request = new Request(endpoint.url, {
        method: 'POST',
        headers: fetchHeaders(req.headers),
        body: entry.body,
      });
      endpoint.receiver
        .handle(request)
        .then(async (response) => reply(response.status, await response.text()))
        .catch(() => reply(599, '{}'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint: Endpoint = {
    url: `http://127.0.0.1:${port}/hooks`,
    requests: [],
    receiver,
    hang: false,
    abandoned: 0,
    failNext(count, status = 500) {
      failures = count;
      failStatus = status;
    },
    received(count) {
      if (endpoint.requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
  return endpoint;
}
