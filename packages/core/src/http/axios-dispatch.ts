import axios, {
  AxiosHeaders,
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';

/** What the transport decides per request; everything else is the same for every request. */
export interface SendConfig {
  url: string;
  /** Upper case, as the transport's requests carry it. */
  method: string;
  headers: Record<string, string>;
  data: string | undefined;
  timeout: number;
  signal: AbortSignal;
  maxContentLength: number;
}

/**
 * Sends one request and answers axios' response, whatever its status (`validateStatus` accepts all).
 * Its body is text, or bytes the transport decodes itself (`parseJsonBytes`).
 */
export type Send = (request: SendConfig) => Promise<AxiosResponse<string | Uint8Array>>;

const identity = (data: string) => data;
const acceptAll = () => true;
/** The options every transport request carries: the body as text, every status, no redirects. */
const FIXED = {
  responseType: 'text',
  transformResponse: identity,
  validateStatus: acceptAll,
  maxRedirects: 0,
} as const satisfies AxiosRequestConfig;

/** Whether axios would decode a body with this `responseEncoding` as UTF-8 (its default). */
const decodesAsUtf8 = (encoding: unknown) =>
  encoding === undefined || /^utf-?8$/i.test(String(encoding));

/**
 * The transport's own requests take the body as bytes: `parseJsonBytes` parses it without the
 * two-byte string UTF-8 text of a non-ASCII body becomes (see json-body.ts).
 */
const FIXED_BYTES = { ...FIXED, responseType: 'arraybuffer' } as const satisfies AxiosRequestConfig;

/**
 * Through `instance.request`: its interceptors and config merging run as the caller set them up.
 * A caller's instance gets the body as text, as its response interceptors always have; the
 * transport's own instance (`bytes`) as bytes.
 */
export function instanceSender(instance: AxiosInstance, bytes = false): Send {
  const fixed = bytes && decodesAsUtf8(instance.defaults.responseEncoding) ? FIXED_BYTES : FIXED;
  return (request) => instance.request<string | Uint8Array>({ ...request, ...fixed });
}

/** The header buckets axios flattens into each request: `common` and one per method. */
const BUCKETS = [
  'get',
  'delete',
  'head',
  'options',
  'post',
  'put',
  'patch',
  'purge',
  'link',
  'unlink',
  'query',
];
const POLLUTING = new Set(['__proto__', 'constructor', 'prototype']);
const hasOwnPropertyDescriptor: PropertyDescriptor = {
  value: Object.prototype.hasOwnProperty,
  enumerable: false,
  writable: true,
  configurable: true,
};
const isPlain = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * What `axios.request` hands its adapter, built without its per-request pipeline, for the
 * transport's own requests (no interceptors can be registered on them). The merged defaults are
 * computed once; each request then gets what `Axios#request` and `dispatchRequest` would give it:
 * a null-prototype config, the `common` and method header buckets under the request's headers,
 * the request transforms, the form content type of a body-less write, and a `CanceledError` when
 * the signal has fired before or after the adapter ran. `axios.mergeConfig` (copying every default
 * per request) and the interceptor chain were a third of a listing's per-page cost in a profile
 * (bench/README.md, "Normalisation cost").
 *
 * `undefined` when the global defaults hold something this does not reproduce (headers outside
 * the buckets, a bucket that is not a plain object): the caller then goes through an instance.
 */
export function directSender(): Send | undefined {
  const merged = axios.mergeConfig(axios.defaults as AxiosRequestConfig, FIXED_BYTES) as Record<
    string,
    unknown
  >;
  const { headers: defaultHeaders, ...base } = merged;
  // A body decoded with another encoding is the instance path's (axios decodes it as text there).
  if (!decodesAsUtf8(base.responseEncoding)) return undefined;
  if (defaultHeaders !== undefined && !isPlain(defaultHeaders)) return undefined;
  const buckets = defaultHeaders ?? {};
  for (const name of Object.keys(buckets)) {
    if (name !== 'common' && !BUCKETS.includes(name)) return undefined;
    if (buckets[name] !== undefined && buckets[name] !== null && !isPlain(buckets[name])) {
      return undefined;
    }
  }
  // As `Axios#_request` does for every request.
  if (typeof base.paramsSerializer === 'function') {
    base.paramsSerializer = { serialize: base.paramsSerializer };
  }
  if (base.allowAbsoluteUrls === undefined) base.allowAbsoluteUrls = true;

  /** `common` then the method's bucket, as `utils.merge` joins them (flat header values). */
  const contexts = new Map<string, Record<string, unknown>>();
  const contextOf = (method: string): Record<string, unknown> => {
    let context = contexts.get(method);
    if (context === undefined) {
      context = {};
      for (const bucket of [buckets.common, buckets[method]] as (Record<
        string,
        unknown
      > | null)[]) {
        if (!bucket) continue;
        for (const key of Object.keys(bucket)) {
          if (!POLLUTING.has(key)) context[key] = bucket[key];
        }
      }
      contexts.set(method, context);
    }
    return context;
  };
  const transformRequest = base.transformRequest;
  const transforms = (
    transformRequest === undefined || transformRequest === null
      ? []
      : Array.isArray(transformRequest)
        ? transformRequest
        : [transformRequest]
  ) as ((this: unknown, data: unknown, headers: AxiosHeaders, status?: number) => unknown)[];

  const cancelIfRequested = (config: InternalAxiosRequestConfig) => {
    config.cancelToken?.throwIfRequested();
    if (config.signal?.aborted) throw new axios.CanceledError(undefined, undefined, config);
  };

  return (request) => {
    const method = request.method.toLowerCase();
    const config = Object.create(null) as InternalAxiosRequestConfig;
    Object.defineProperty(config, 'hasOwnProperty', hasOwnPropertyDescriptor);
    Object.assign(config, base);
    config.url = request.url;
    config.method = method;
    config.data = request.data;
    config.timeout = request.timeout;
    config.signal = request.signal;
    config.maxContentLength = request.maxContentLength;
    const headers = AxiosHeaders.concat(contextOf(method) as never, request.headers);
    config.headers = headers;
    try {
      cancelIfRequested(config);
      let data: unknown = config.data;
      for (const transform of transforms)
        data = transform.call(config, data, headers.normalize(false));
      headers.normalize(false);
      config.data = data;
      if (method === 'post' || method === 'put' || method === 'patch') {
        headers.setContentType('application/x-www-form-urlencoded', false);
      }
      const adapter = axios.getAdapter(config.adapter, config);
      return adapter(config).then(
        (response) => {
          cancelIfRequested(config);
          response.headers = AxiosHeaders.from(response.headers as never);
          return response as AxiosResponse<Uint8Array>;
        },
        (reason: unknown) => {
          if (!axios.isCancel(reason)) {
            cancelIfRequested(config);
            const response = (reason as { response?: AxiosResponse } | null)?.response;
            if (response) response.headers = AxiosHeaders.from(response.headers as never);
          }
          throw reason;
        },
      );
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
