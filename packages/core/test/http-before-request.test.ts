import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, EngagekitError, RateLimitError, TimeoutError } from '../src/errors';
import {
  type AuthProvider,
  type AuthRequestContext,
  type BeforeRequestInfo,
  cachedTokenAuth,
  createTransport,
  HttpOptionsSchema,
  type TransportConfig,
} from '../src/http';
import { fakeClock } from './fake-clock';

const BASE = 'https://before.http.test';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function transport(over: Partial<TransportConfig> = {}) {
  const clock = fakeClock();
  return createTransport({
    provider: 'acme',
    baseUrl: BASE,
    rateLimit: false,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...over,
  });
}

/** What a hook saw, without the signal (kept apart: it is one per attempt). */
const seen = (info: BeforeRequestInfo) => ({
  provider: info.provider,
  operation: info.operation,
  method: info.method,
  url: info.url,
  attempt: info.attempt,
});

describe('beforeRequest', () => {
  it('is awaited before every attempt: the first, a 429 retry and a 5xx retry, each with a signal of its own', async () => {
    const events: string[] = [];
    const infos: BeforeRequestInfo[] = [];
    let served = 0;
    const answer = (status: number, headers: Record<string, string> = {}) =>
      function (this: unknown) {
        served++;
        events.push(`request ${served}`);
        return [status, status === 200 ? { ok: true } : { message: 'later' }, headers] as const;
      };
    nock(BASE)
      .get('/items')
      .query({ q: 'x', access_token: 'tok-in-query-123' })
      .reply(answer(429, { 'retry-after': '0' }))
      .get('/items')
      .query(true)
      .reply(answer(503))
      .get('/items')
      .query(true)
      .reply(answer(200));
    const t = transport({
      beforeRequest: async (info) => {
        if (infos.length >= 5) throw new Error('too many attempts');
        infos.push(info);
        events.push(`hook ${info.attempt} start`);
        // A wait the transport must sit out: without the await the request would go out first.
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push(`hook ${info.attempt} end`);
      },
    });
    const res = await t.request({
      method: 'GET',
      path: '/items',
      query: { q: 'x', access_token: 'tok-in-query-123' },
      operation: 'items.list',
    });
    expect(res.data).toEqual({ ok: true });
    expect(events).toEqual([
      'hook 1 start',
      'hook 1 end',
      'request 1',
      'hook 2 start',
      'hook 2 end',
      'request 2',
      'hook 3 start',
      'hook 3 end',
      'request 3',
    ]);
    const url = `${BASE}/items?q=x&access_token=%5BREDACTED%5D`;
    expect(infos.map(seen)).toEqual(
      [1, 2, 3].map((attempt) => ({
        provider: 'acme',
        operation: 'items.list',
        method: 'GET',
        url,
        attempt,
      })),
    );
    expect(new Set(infos.map((i) => i.signal)).size).toBe(3);
    expect(infos.map((i) => i.signal.aborted)).toEqual([false, false, false]);
  });

  it('an abort while the hook waits ends the call with AbortError and sends nothing, even when the hook ignores the signal', async () => {
    const scope = nock(BASE).get('/items').reply(200, { ok: true });
    const controller = new AbortController();
    const infos: BeforeRequestInfo[] = [];
    let entered: () => void = () => {};
    const inHook = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const t = transport({
      beforeRequest: (info) => {
        infos.push(info);
        entered();
        return new Promise<void>(() => {});
      },
    });
    const call = t
      .request({ method: 'GET', path: '/items', options: { signal: controller.signal } })
      .catch((e: unknown) => e);
    await inHook;
    controller.abort();
    const error = await call;
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).request?.url).toBe(`${BASE}/items`);
    expect(infos.length).toBe(1);
    expect(infos[0]?.signal.aborted).toBe(true);
    expect(scope.isDone()).toBe(false);
  });

  it('the timeout covers the wait: a hook that never ends gives TimeoutError and no request', async () => {
    const scope = nock(BASE).get('/items').reply(200, { ok: true });
    let calls = 0;
    const t = createTransport({
      provider: 'acme',
      baseUrl: BASE,
      rateLimit: false,
      timeoutMs: 30,
      beforeRequest: () => {
        calls++;
        return new Promise<void>(() => {});
      },
    });
    const error = await t.request({ method: 'GET', path: '/items' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('waiting for beforeRequest');
    expect(calls).toBe(1);
    expect(scope.isDone()).toBe(false);
  });

  it('a hook that throws fails the call as an EngagekitError with its cause, not retried and nothing sent', async () => {
    const scope = nock(BASE).get('/items').reply(200, { ok: true });
    for (const hook of [
      async () => {
        throw new Error('bucket table missing');
      },
      () => {
        throw new Error('bucket table missing');
      },
    ]) {
      let calls = 0;
      const t = transport({
        beforeRequest: () => {
          calls++;
          return hook();
        },
      });
      const error = await t.request({ method: 'GET', path: '/items' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngagekitError);
      expect((error as EngagekitError).constructor).toBe(EngagekitError);
      expect((error as EngagekitError).message).toBe(
        `acme: the beforeRequest hook failed (GET ${BASE}/items)`,
      );
      expect(((error as EngagekitError).cause as Error).message).toBe('bucket table missing');
      expect((error as EngagekitError).provider).toBe('acme');
      expect(calls).toBe(1);
    }
    expect(scope.isDone()).toBe(false);
  });

  it('an engagekit error from the hook (a shared limit out of slots) is the call error as it is', async () => {
    const thrown = new RateLimitError('acme: no slot for 90000 ms', {
      status: 429,
      provider: 'acme',
      retryAfterMs: 90_000,
    });
    const t = transport({
      beforeRequest: () => {
        throw thrown;
      },
    });
    await expect(t.request({ method: 'GET', path: '/items' })).rejects.toBe(thrown);
  });

  it("a per-call hook replaces the adapter's", async () => {
    nock(BASE).get('/items').reply(200, { ok: true });
    const calls: string[] = [];
    const t = transport({ beforeRequest: () => void calls.push('adapter') });
    await t.request({
      method: 'GET',
      path: '/items',
      options: { beforeRequest: () => void calls.push('call') },
    });
    expect(calls).toEqual(['call']);
  });

  it('is handed to the auth provider for its token requests, on every attempt and on a 401', async () => {
    nock(BASE)
      .get('/items')
      .reply(401, { message: 'expired' })
      .get('/items')
      .reply(200, { ok: true });
    const contexts: (AuthRequestContext | undefined)[] = [];
    const auth: AuthProvider = {
      headers: (_signal, context) => {
        contexts.push(context);
        return { authorization: 'Bearer tok-before-request-1' };
      },
      onUnauthorized: (context) => {
        contexts.push(context);
        return true;
      },
    };
    const hook = () => {};
    await transport({ auth, beforeRequest: hook }).request({ method: 'GET', path: '/items' });
    expect(contexts.map((c) => c?.beforeRequest)).toEqual([hook, hook, hook]);
  });

  it("cachedTokenAuth gives fetchToken the context of the request that started the fetch (headers and a 401's refresh)", async () => {
    const contexts: (AuthRequestContext | undefined)[] = [];
    let n = 0;
    const auth = cachedTokenAuth({
      fetchToken: async (_signal, context) => {
        if (contexts.length >= 5) throw new Error('too many token fetches');
        contexts.push(context);
        n++;
        return { token: `tok-cached-${n}-abcdef`, expiresInMs: 3_600_000 };
      },
    });
    const hook = () => {};
    expect(await auth.headers(undefined, { beforeRequest: hook })).toEqual({
      authorization: 'Bearer tok-cached-1-abcdef',
    });
    // Cached: no fetch, so no second context.
    await auth.headers(undefined, { beforeRequest: () => {} });
    expect(await auth.onUnauthorized?.({ beforeRequest: hook })).toBe(true);
    expect(contexts.map((c) => c?.beforeRequest)).toEqual([hook, hook]);
  });

  it('without a hook the auth provider is given no context', async () => {
    nock(BASE).get('/items').reply(200, { ok: true });
    const contexts: unknown[] = [];
    const auth: AuthProvider = {
      headers: (_signal, context) => {
        contexts.push(context);
        return {};
      },
    };
    await transport({ auth }).request({ method: 'GET', path: '/items' });
    expect(contexts).toEqual([undefined]);
  });

  it('the options schema refuses a beforeRequest that is not a function', () => {
    const result = HttpOptionsSchema.safeParse({ beforeRequest: 'slot' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['beforeRequest', 'expected a function'],
    ]);
    expect(HttpOptionsSchema.safeParse({ beforeRequest: () => {} }).success).toBe(true);
  });
});
