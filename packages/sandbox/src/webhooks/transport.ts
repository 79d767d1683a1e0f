import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What an endpoint answered, its body cut at the read limit. */
export interface PostResult {
  status: number;
  text: string;
}

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  /** Bytes of the answer kept; the rest is drained unread. */
  maxResponseBytes: number;
}

/**
 * POSTs `body` to `url` on a fresh connection (no agent pool: nothing outlives the attempt),
 * failing with an Error on a network failure, after `timeoutMs`, or when `signal` aborts.
 */
export function postOnce(url: URL, body: string, options: PostOptions): Promise<PostResult> {
  return new Promise<PostResult>((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      agent: false,
      headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: options.signal,
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept >= options.maxResponseBytes) return;
        const part = chunk.subarray(0, options.maxResponseBytes - kept);
        chunks.push(part);
        kept += part.length;
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}
