import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { leanAxios } from '../src/http/transport';
import { sendPairs } from './axios-stub';

/** What an adapter call receives that can reach the wire. */
function wireView(config: InternalAxiosRequestConfig) {
  const headers = config.headers.toJSON() as Record<string, unknown>;
  return {
    url: config.url,
    method: config.method,
    data: config.data,
    timeout: config.timeout,
    // Own requests take bytes, a caller's instance text (transport-json-bytes.test.ts).
    responseType: config.responseType === 'arraybuffer' ? 'text' : config.responseType,
    maxRedirects: config.maxRedirects,
    maxContentLength: config.maxContentLength,
    headerNames: Object.keys(headers),
    headers,
  };
}

const seen: ReturnType<typeof wireView>[] = [];
const capture: AxiosAdapter = async (config) => {
  if (seen.length >= 20) throw new Error('capture adapter called too often');
  seen.push(wireView(config));
  return { status: 200, statusText: 'OK', headers: {}, config, data: '{"ok":true}' };
};
const original = axios.defaults.adapter;
afterEach(() => {
  axios.defaults.adapter = original;
  seen.length = 0;
});

const requests = [
  { method: 'GET', path: '/items', query: { a: 1, b: ['x', 'y'] } },
  { method: 'POST', path: '/items', body: { name: 'n' }, headers: { 'x-req': 'r' } },
  { method: 'DELETE', path: '/items/1' },
] as const;

async function viaBoth() {
  const pairs = await sendPairs(capture, requests, seen);
  return pairs.map(([lean, stock]) => ({ lean, stock }));
}

describe('leanAxios (the transport’s own axios instance)', () => {
  it('drops only the empty per-method header buckets', () => {
    const stock = Object.keys(axios.create().defaults.headers);
    expect(stock).toContain('get');
    expect(stock).toContain('post');
    expect(Object.keys(leanAxios().defaults.headers)).toEqual(['common']);
    expect(leanAxios().defaults.headers.common).toEqual(axios.create().defaults.headers.common);
  });

  it('hands the adapter the same url, body, limits and headers (names in the same order) as a stock instance', async () => {
    const pairs = await viaBoth();
    expect(pairs).toHaveLength(3);
    for (const { lean, stock } of pairs) expect(lean).toStrictEqual(stock);
    // Concrete values, so the comparison cannot pass on two empty views.
    expect(pairs[0]?.lean).toMatchObject({
      url: 'https://api.example.test/v1/items?a=1&b=x&b=y',
      method: 'get',
      headers: { Accept: 'application/json', authorization: 'Bearer t', 'user-agent': 'ua' },
    });
    expect(pairs[1]?.lean).toMatchObject({
      method: 'post',
      data: '{"name":"n"}',
      headers: { 'Content-Type': 'application/json', 'x-req': 'r' },
    });
  });

  it('keeps a bucket that holds a header and sends that header', async () => {
    const get = axios.defaults.headers.get as unknown as Record<string, string>;
    get['x-global'] = 'g';
    try {
      expect(Object.keys(leanAxios().defaults.headers)).toEqual(['common', 'get']);
      const pairs = await viaBoth();
      expect(pairs[0]?.lean).toStrictEqual(pairs[0]?.stock);
      const globalHeaderOf = (i: number) => {
        const lean = pairs[i]?.lean as { headers: Record<string, string> } | undefined;
        if (lean === undefined) throw new Error(`no request ${i} was sent`);
        return lean.headers['x-global'];
      };
      expect(globalHeaderOf(0)).toBe('g');
      expect(globalHeaderOf(1)).toBe(undefined);
    } finally {
      delete get['x-global'];
    }
  });
});
