import { getEventListeners } from 'node:events';
import type { AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import { AbortError, TimeoutError } from '../src/errors/errors';
import { createTransport } from '../src/http/transport';

const BASE = 'https://api.example.test';

/** An axios stand-in that answers 200 and counts its calls (capped). */
function fakeHttp() {
  const calls: unknown[] = [];
  const http = {
    request(config: unknown) {
      if (calls.length >= 5) throw new Error('fake axios called too often');
      calls.push(config);
      return Promise.resolve({ status: 200, data: '{"ok":1}', headers: {} });
    },
  } as unknown as AxiosInstance;
  return { http, calls };
}

async function failure(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('transport: waiting for credentials (ended by the attempt’s own abort, no listener)', () => {
  it('the deadline ends the wait with a TimeoutError naming it, and aborts the auth provider’s signal', async () => {
    const { http, calls } = fakeHttp();
    let seen: AbortSignal | undefined;
    const transport = createTransport(
      {
        provider: 'acme',
        baseUrl: BASE,
        timeoutMs: 20,
        maxRetries: 0,
        auth: {
          headers: (signal?: AbortSignal) => {
            seen = signal;
            return new Promise<Record<string, string>>(() => undefined);
          },
        },
      },
      http,
    );
    const e = await failure(() => transport.request({ method: 'GET', path: '/c' }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toBe(
      `acme: request timed out after 20 ms waiting for credentials (GET ${BASE}/c)`,
    );
    expect(seen?.aborted).toBe(true);
    expect(calls).toHaveLength(0);
  });

  it('the caller’s abort ends the wait with an AbortError and reaches the auth provider’s signal', async () => {
    const { http, calls } = fakeHttp();
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const transport = createTransport(
      {
        provider: 'acme',
        baseUrl: BASE,
        maxRetries: 0,
        auth: {
          headers: (signal?: AbortSignal) => {
            seen = signal;
            setImmediate(() => caller.abort(new Error('stop')));
            return new Promise<Record<string, string>>(() => undefined);
          },
        },
      },
      http,
    );
    const e = await failure(() =>
      transport.request({ method: 'GET', path: '/c', options: { signal: caller.signal } }),
    );
    expect(e).toBeInstanceOf(AbortError);
    expect(e.message).toBe('The request was aborted.');
    expect(seen?.aborted).toBe(true);
    expect(calls).toHaveLength(0);
  });

  it('credentials that arrive are used, with no abort listener left on the attempt’s signal', async () => {
    const { http, calls } = fakeHttp();
    let listenersWhileWaiting = -1;
    const transport = createTransport(
      {
        provider: 'acme',
        baseUrl: BASE,
        maxRetries: 0,
        auth: {
          headers: (signal?: AbortSignal) =>
            new Promise<Record<string, string>>((resolve) =>
              setImmediate(() => {
                listenersWhileWaiting = getEventListeners(signal as AbortSignal, 'abort').length;
                resolve({ authorization: 'Bearer t' });
              }),
            ),
        },
      },
      http,
    );
    const res = await transport.request({ method: 'GET', path: '/c' });
    expect(res.data).toEqual({ ok: 1 });
    expect(listenersWhileWaiting).toBe(0);
    expect(calls).toHaveLength(1);
    expect((calls[0] as { headers: Record<string, string> }).headers.authorization).toBe(
      'Bearer t',
    );
  });

  it('an auth provider that fails is still a credentials failure, not an abort', async () => {
    const { http, calls } = fakeHttp();
    const transport = createTransport(
      {
        provider: 'acme',
        baseUrl: BASE,
        maxRetries: 0,
        auth: {
          headers: () => Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' })),
        },
      },
      http,
    );
    const e = await failure(() => transport.request({ method: 'GET', path: '/c' }));
    expect(e.message).toBe('acme: could not obtain credentials (ECONNRESET)');
    expect(calls).toHaveLength(0);
  });
});
