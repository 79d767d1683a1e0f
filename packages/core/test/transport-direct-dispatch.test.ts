import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AbortError } from '../src/errors/errors';
import { createTransport } from '../src/http/transport';
import type { TransportRequest } from '../src/http/types';
import { acmeConfig as config, sendPairs } from './axios-stub';

/** Every key of the config an adapter call receives, signal and headers made comparable. */
function adapterView(config: InternalAxiosRequestConfig) {
  const view: Record<string, unknown> = {};
  for (const key of Object.keys(config).sort()) {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (key === 'signal') view[key] = value instanceof AbortSignal;
    // Own requests take bytes, a caller's instance text: asserted on its own below.
    else if (key === 'responseType') view[key] = value === 'arraybuffer' ? 'text' : value;
    else if (key === 'headers') {
      const headers = config.headers.toJSON() as Record<string, unknown>;
      view.headerNames = Object.keys(headers);
      view.headers = headers;
    } else view[key] = value;
  }
  return {
    prototype: Object.getPrototypeOf(config),
    ownHasOwnProperty: typeof config.hasOwnProperty === 'function',
    view,
  };
}

type View = ReturnType<typeof adapterView>;
const seen: View[] = [];

/** The adapter's view of the transport's own request `i`; fails when it was not sent. */
function ownView(pairs: { own: View; stock: View }[], i: number): View {
  const pair = pairs[i];
  if (pair === undefined) throw new Error(`request ${i} was not sent`);
  return pair.own;
}
const capture: AxiosAdapter = async (config) => {
  if (seen.length >= 30) throw new Error('capture adapter called too often');
  seen.push(adapterView(config));
  return {
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json' },
    config,
    data: '{"ok":true}',
  };
};
const originalAdapter = axios.defaults.adapter;
afterEach(() => {
  axios.defaults.adapter = originalAdapter;
  seen.length = 0;
  vi.restoreAllMocks();
});

const requests: TransportRequest[] = [
  { method: 'GET', path: '/items', query: { a: 1, b: ['x', 'y'] } },
  { method: 'POST', path: '/items', body: { name: 'n' }, headers: { 'x-req': 'r' } },
  // A write without a body: axios gives it the form content type.
  { method: 'POST', path: '/items/1/close' },
  { method: 'PUT', path: '/items/1', body: [1, 2] },
  { method: 'DELETE', path: '/items/1', options: { timeoutMs: 1234, maxResponseBytes: 99 } },
  // Two spellings of one header: the later value under the first spelling, as axios merges them.
  { method: 'GET', path: '/items', options: { headers: { Accept: 'text/csv', 'X-Two': '2' } } },
  {
    method: 'GET',
    path: '/items',
    headers: { 'x-two': '1' },
    options: { headers: { 'X-TWO': '2' } },
  },
];

/** Each request sent by the transport's own dispatch and by a stock axios instance, in turn. */
async function sendBoth() {
  const pairs = await sendPairs(capture, requests, seen);
  return pairs.map(([own, stock]) => ({ own, stock }));
}

describe('the transport’s own requests skip axios’ request pipeline', () => {
  it('does not go through Axios#request, and hands the adapter the config a stock instance would', async () => {
    const viaAxios = vi.spyOn(axios.Axios.prototype, 'request');
    axios.defaults.adapter = capture;
    const own = createTransport(config);
    await own.request({ method: 'GET', path: '/items' });
    expect(seen).toHaveLength(1);
    expect(viaAxios).not.toHaveBeenCalled();
    await createTransport(config, axios.create()).request({ method: 'GET', path: '/items' });
    expect(viaAxios).toHaveBeenCalledTimes(1);
  });

  it('builds every key of the adapter’s config as axios does (methods, bodies, limits, headers)', async () => {
    const pairs = await sendBoth();
    expect(pairs).toHaveLength(requests.length);
    for (const { own, stock } of pairs) expect(own).toStrictEqual(stock);
    const views = pairs.map((p) => p.own.view);
    // Concrete values, so the comparison cannot pass on two empty views.
    expect(ownView(pairs, 0).prototype).toBe(null);
    expect(ownView(pairs, 0).ownHasOwnProperty).toBe(true);
    expect(views[0]).toMatchObject({
      url: 'https://api.example.test/v1/items?a=1&b=x&b=y',
      method: 'get',
      responseType: 'text',
      maxRedirects: 0,
      maxContentLength: 32 * 1024 * 1024,
      allowAbsoluteUrls: true,
      headers: { Accept: 'application/json', authorization: 'Bearer t', 'user-agent': 'ua' },
    });
    expect(views[1]).toMatchObject({ method: 'post', data: '{"name":"n"}' });
    expect(views[1]?.headers).toMatchObject({ 'Content-Type': 'application/json', 'x-req': 'r' });
    expect(views[2]?.headers).toMatchObject({
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(views[4]).toMatchObject({ method: 'delete', timeout: 1234, maxContentLength: 99 });
    expect(views[5]?.headers).toMatchObject({ Accept: 'text/csv', 'X-Two': '2' });
    expect(views[6]?.headers).toMatchObject({ 'x-two': '2' });
  });

  it('adds the headers of the global common and per-method buckets', async () => {
    const common = axios.defaults.headers.common as unknown as Record<string, string>;
    const post = axios.defaults.headers.post as unknown as Record<string, string>;
    common['x-common'] = 'c';
    post['x-post'] = 'p';
    try {
      const pairs = await sendBoth();
      for (const { own, stock } of pairs) expect(own).toStrictEqual(stock);
      const headersOf = (i: number) => ownView(pairs, i).view.headers as Record<string, string>;
      expect(headersOf(0)).toMatchObject({ 'x-common': 'c' });
      expect(headersOf(0)['x-post']).toBe(undefined);
      expect(headersOf(1)).toMatchObject({ 'x-common': 'c', 'x-post': 'p' });
    } finally {
      delete common['x-common'];
      delete post['x-post'];
    }
  });

  it('still sends a global header set outside the buckets (through an instance then)', async () => {
    const headers = axios.defaults.headers as unknown as Record<string, unknown>;
    headers['x-top'] = 't';
    try {
      const pairs = await sendBoth();
      for (const { own, stock } of pairs) expect(own).toStrictEqual(stock);
      const view = ownView(pairs, 0).view;
      expect(view.headers).toMatchObject({ 'x-top': 't' });
    } finally {
      delete headers['x-top'];
    }
  });

  it('runs the global request transforms', async () => {
    const transforms = axios.defaults.transformRequest;
    axios.defaults.transformRequest = [
      ...(Array.isArray(transforms) ? transforms : []),
      (data: unknown) => (typeof data === 'string' ? `${data}\n` : data),
    ];
    try {
      const pairs = await sendBoth();
      for (const { own, stock } of pairs) expect(own).toStrictEqual(stock);
      expect(ownView(pairs, 1).view.data).toBe('{"name":"n"}\n');
    } finally {
      axios.defaults.transformRequest = transforms;
    }
  });

  it('keeps the interceptors of a caller’s instance', async () => {
    axios.defaults.adapter = capture;
    const instance = axios.create();
    instance.interceptors.request.use((c) => {
      c.headers.set('x-intercepted', 'yes');
      return c;
    });
    const statuses: number[] = [];
    instance.interceptors.response.use((r) => {
      statuses.push(r.status);
      return r;
    });
    const res = await createTransport(config, instance).request({ method: 'GET', path: '/x' });
    expect(res.data).toEqual({ ok: true });
    expect(seen[0]?.view.headers).toMatchObject({ 'x-intercepted': 'yes' });
    expect(statuses).toEqual([200]);
  });

  it('answers AbortError when the signal fires while the adapter runs', async () => {
    const controller = new AbortController();
    axios.defaults.adapter = async (c) => {
      controller.abort();
      return { status: 200, statusText: 'OK', headers: {}, config: c, data: '{}' };
    };
    const own = createTransport(config);
    const error = await own
      .request({ method: 'GET', path: '/x', options: { signal: controller.signal } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AbortError);
    const cause = (error as AbortError).cause;
    expect(cause).toMatchObject({ name: 'CanceledError', code: 'ERR_CANCELED' });
  });
});
