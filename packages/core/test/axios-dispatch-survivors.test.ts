import axios, {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { directSender, type Send, type SendConfig } from '../src/http/axios-dispatch';

const seen: InternalAxiosRequestConfig[] = [];
/** Records each config it is handed and answers 200 with plain response headers. */
const capture: AxiosAdapter = async (config) => {
  if (seen.length >= 10) throw new Error('capture adapter called too often');
  seen.push(config);
  return { status: 200, statusText: 'OK', headers: { 'x-res': 'r' }, config, data: 'ok' };
};

const original = {
  adapter: axios.defaults.adapter,
  headers: axios.defaults.headers,
  paramsSerializer: axios.defaults.paramsSerializer,
  allowAbsoluteUrls: axios.defaults.allowAbsoluteUrls,
};
afterEach(() => {
  axios.defaults.adapter = original.adapter;
  axios.defaults.headers = original.headers;
  axios.defaults.paramsSerializer = original.paramsSerializer;
  axios.defaults.allowAbsoluteUrls = original.allowAbsoluteUrls;
  seen.length = 0;
});

/** Replaces the global header buckets by a copy, changed by `change`; `afterEach` restores them. */
function setGlobalHeaders(change: (headers: Record<string, unknown>) => void) {
  const copy: Record<string, unknown> = {};
  for (const [name, bucket] of Object.entries(original.headers))
    copy[name] = { ...(bucket as object) };
  change(copy);
  axios.defaults.headers = copy as never;
}

function request(over: Partial<SendConfig> = {}): SendConfig {
  return {
    url: 'https://api.example.test/v1/items',
    method: 'GET',
    headers: { accept: 'application/json' },
    data: undefined,
    timeout: 1000,
    signal: new AbortController().signal,
    maxContentLength: 1024,
    ...over,
  };
}

function sender(): Send {
  const send = directSender();
  if (send === undefined) throw new Error('directSender declined the global defaults');
  return send;
}

/** The settled outcome of a send, so a rejection can be compared by identity. */
async function outcome(send: Send, req: SendConfig) {
  return send(req).then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );
}

describe('directSender: when it declines the global defaults', () => {
  it('takes the stock defaults', () => {
    expect(typeof directSender()).toBe('function');
  });

  it('declines headers that are not a plain object (a Map, null)', () => {
    axios.defaults.headers = new Map([['x-map', 'm']]) as never;
    expect(directSender()).toBe(undefined);
    axios.defaults.headers = null as never;
    expect(directSender()).toBe(undefined);
  });

  it('declines a header set outside the buckets, whatever its value', () => {
    for (const value of ['t', null, { nested: 'n' }]) {
      setGlobalHeaders((h) => {
        h['x-top'] = value;
      });
      expect(directSender()).toBe(undefined);
    }
  });

  it('declines a bucket that is not a plain object', () => {
    setGlobalHeaders((h) => {
      h.common = new Map([['x-map', 'm']]);
    });
    expect(directSender()).toBe(undefined);
  });

  it('takes null and undefined buckets, and sends without them', async () => {
    setGlobalHeaders((h) => {
      h.common = null;
      h.get = undefined;
      (h.post as Record<string, string>)['x-post'] = 'p';
    });
    axios.defaults.adapter = capture;
    const send = sender();
    await send(request());
    await send(request({ method: 'POST', data: '{}' }));
    expect(seen.map((c) => c.headers.toJSON())).toEqual([
      { accept: 'application/json' },
      {
        accept: 'application/json',
        'x-post': 'p',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
    ]);
  });
});

describe('directSender: the config the adapter gets', () => {
  it('wraps a global paramsSerializer function as axios.request does', async () => {
    const serialize = (params: Record<string, unknown>) => Object.keys(params).join(',');
    axios.defaults.paramsSerializer = serialize as never;
    axios.defaults.adapter = capture;
    await sender()(request());
    await axios.request({ url: 'https://api.example.test/v1/items' });
    const [own, stock] = seen;
    expect(own?.paramsSerializer).toEqual({ serialize });
    expect(stock?.paramsSerializer).toEqual({ serialize });
  });

  it('keeps a global allowAbsoluteUrls false', async () => {
    axios.defaults.allowAbsoluteUrls = false;
    axios.defaults.adapter = capture;
    await sender()(request());
    await axios.request({ url: 'https://api.example.test/v1/items' });
    expect(seen.map((c) => c.allowAbsoluteUrls)).toEqual([false, false]);
  });

  it('gives a body-less PUT and PATCH the form content type, not a GET', async () => {
    axios.defaults.adapter = capture;
    const send = sender();
    for (const method of ['PUT', 'PATCH', 'GET']) await send(request({ method }));
    expect(seen.map((c) => c.headers.get('content-type') ?? null)).toEqual([
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded',
      null,
    ]);
  });
});

describe('directSender: failures and cancellation', () => {
  it('rejects, not throws or resolves, when the signal fired before the adapter', async () => {
    axios.defaults.adapter = capture;
    const controller = new AbortController();
    controller.abort();
    const result = await outcome(sender(), request({ signal: controller.signal }));
    expect(result).toMatchObject({ error: { name: 'CanceledError', code: 'ERR_CANCELED' } });
    expect(seen).toHaveLength(0);
  });

  it('turns the headers of an error’s response into AxiosHeaders', async () => {
    let calls = 0;
    axios.defaults.adapter = async (config) => {
      calls += 1;
      if (calls > 1) throw new Error('adapter called too often');
      const response = {
        status: 503,
        statusText: 'Busy',
        headers: { 'retry-after': '7' },
        config,
        data: '',
      };
      throw new AxiosError(
        'busy',
        'ERR_BAD_RESPONSE',
        config,
        undefined,
        response as AxiosResponse,
      );
    };
    const result = await outcome(sender(), request());
    const error = (result as { error: AxiosError }).error;
    expect(error.message).toBe('busy');
    const headers = error.response?.headers;
    expect(headers).toBeInstanceOf(AxiosHeaders);
    expect(headers instanceof AxiosHeaders ? headers.get('Retry-After') : headers).toBe('7');
  });

  it('answers a CanceledError when the signal fired while a failing adapter ran', async () => {
    const controller = new AbortController();
    let calls = 0;
    axios.defaults.adapter = async () => {
      calls += 1;
      if (calls > 1) throw new Error('adapter called too often');
      controller.abort();
      throw new Error('socket closed');
    };
    const result = await outcome(sender(), request({ signal: controller.signal }));
    expect(result).toMatchObject({ error: { name: 'CanceledError', code: 'ERR_CANCELED' } });
  });

  it('passes the adapter’s own cancel through unchanged', async () => {
    const controller = new AbortController();
    const own = new axios.CanceledError('stopped by the adapter');
    let calls = 0;
    axios.defaults.adapter = async () => {
      calls += 1;
      if (calls > 1) throw new Error('adapter called too often');
      controller.abort();
      throw own;
    };
    const result = await outcome(sender(), request({ signal: controller.signal }));
    expect((result as { error: unknown }).error).toBe(own);
    expect(own.message).toBe('stopped by the adapter');
  });

  it('answers the response of an adapter that dropped the signal from the config', async () => {
    let calls = 0;
    axios.defaults.adapter = async (config) => {
      calls += 1;
      if (calls > 1) throw new Error('adapter called too often');
      config.signal = undefined;
      return { status: 200, statusText: 'OK', headers: {}, config, data: 'done' };
    };
    const response = await sender()(request());
    expect(response.data).toBe('done');
  });

  it('passes an adapter’s null rejection through', async () => {
    let calls = 0;
    axios.defaults.adapter = async () => {
      calls += 1;
      if (calls > 1) throw new Error('adapter called too often');
      throw null;
    };
    const result = await outcome(sender(), request());
    expect(result).toEqual({ error: null });
  });
});
