import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortError } from '../src/errors';
import { cachedTokenAuth, createTransport } from '../src/http';

const BASE = 'https://auth.http.test';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** A token endpoint whose first fetch hangs until aborted; later fetches answer at once. */
function hangingFirstFetch() {
  const signals: AbortSignal[] = [];
  const fetchToken = vi.fn((signal: AbortSignal) => {
    if (signals.length > 5) throw new Error('too many token fetches');
    signals.push(signal);
    if (signals.length > 1) {
      return Promise.resolve({
        token: `tok-fresh-${signals.length}-abcdef`,
        expiresInMs: 3_600_000,
      });
    }
    return new Promise<{ token: string; expiresInMs: number }>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  });
  return { fetchToken, signals };
}

describe('cachedTokenAuth after an abandoned fetch', () => {
  it('a call after an aborted token fetch starts a fresh fetch; the abandoned one is aborted', async () => {
    const { fetchToken, signals } = hangingFirstFetch();
    const auth = cachedTokenAuth({ fetchToken });
    const controller = new AbortController();
    const first = auth.token(controller.signal).catch((e: unknown) => e);
    await Promise.resolve();
    controller.abort(new Error('caller gave up'));
    expect(await first).toEqual(new Error('caller gave up'));
    expect(signals[0]?.aborted).toBe(true);
    const second = auth.token(new AbortController().signal);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(await second).toBe('tok-fresh-2-abcdef');
  });

  it('a fetch another caller still waits for is kept', async () => {
    let release: ((v: { token: string; expiresInMs: number }) => void) | undefined;
    const fetchToken = vi.fn(
      () =>
        new Promise<{ token: string; expiresInMs: number }>((resolve) => {
          release = resolve;
        }),
    );
    const auth = cachedTokenAuth({ fetchToken });
    const leaving = new AbortController();
    const gone = auth.token(leaving.signal).catch((e: unknown) => e);
    const staying = auth.token(new AbortController().signal);
    await Promise.resolve();
    leaving.abort();
    expect(await gone).toBeInstanceOf(DOMException);
    release?.({ token: 'tok-shared-abcdef', expiresInMs: 3_600_000 });
    expect(await staying).toBe('tok-shared-abcdef');
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('through the transport: an aborted request does not leave the next one waiting', async () => {
    const { fetchToken } = hangingFirstFetch();
    nock(BASE).get('/x').matchHeader('authorization', 'Bearer tok-fresh-2-abcdef').reply(200, {});
    const transport = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      auth: cachedTokenAuth({ fetchToken }),
    });
    const controller = new AbortController();
    const first = transport
      .request({ method: 'GET', path: '/x', options: { signal: controller.signal } })
      .catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    controller.abort();
    expect(await first).toBeInstanceOf(AbortError);
    const res = await transport.request({ method: 'GET', path: '/x' });
    expect(res.status).toBe(200);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});
