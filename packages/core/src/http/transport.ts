import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

import {
  AbortError,
  ConnectionError,
  type EngagekitError,
  type ErrorRequestInfo,
  ResponseValidationError,
  TimeoutError,
} from '../errors/errors';
import { createApiError } from '../errors/factory';
import { redact, redactUrl, registerSecret } from '../errors/redact';
import { parseResponse } from '../errors/zod';
import { TokenBucket } from './rate-limiter';
import { parseRetryAfter, retryDelay, shouldRetry } from './retry';
import type {
  QueryValue,
  Transport,
  TransportConfig,
  TransportRequest,
  TransportResponse,
} from './types';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 3;
/** Total time one request may spend waiting between retries: the budget a retry storm cannot exceed. */
const RETRY_WAIT_BUDGET_MS = 180_000;

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError('The request was aborted.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError('The request was aborted.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Query values to a string: arrays repeat the key. */
export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, String(v));
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function lowerHeaders(headers: AxiosResponse['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (v !== undefined && v !== null)
      out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function parseBody(text: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof text !== 'string') return { ok: true, value: text };
  if (text.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * The axios-based transport every adapter uses: auth headers asked per attempt, client-side rate
 * limiting, retries decided by `shouldRetry`/`retryDelay`, vendor errors turned into the error tree
 * by `createApiError`, response bodies validated by zod, and credentials redacted from everything
 * hooks and errors can show.
 */
export function createTransport(
  config: TransportConfig,
  http: AxiosInstance = axios.create(),
): Transport {
  const now = config.now ?? Date.now;
  const sleep = config.sleep ?? abortableSleep;
  const random = config.random ?? Math.random;
  const provider = config.provider;
  for (const s of config.auth?.secrets ?? []) registerSecret(s);
  const limiter =
    config.rateLimit === false || config.rateLimit === undefined
      ? undefined
      : new TokenBucket(config.rateLimit, now, (ms) => sleep(ms));
  const baseUrl = config.baseUrl.replace(/\/+$/, '');

  async function request(req: TransportRequest): Promise<TransportResponse<unknown>> {
    const opts = req.options ?? {};
    const timeoutMs = opts.timeoutMs ?? config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxRetries = opts.maxRetries ?? config.maxRetries ?? DEFAULT_MAX_RETRIES;
    const signal = opts.signal ?? config.signal;
    const url = `${baseUrl}${req.path}${buildQuery(req.query)}`;
    const info: ErrorRequestInfo = {
      method: req.method,
      url: redactUrl(url),
      operation: req.operation,
    };
    let refreshedAuth = false;
    let waited = 0;

    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted)
        throw new AbortError('The request was aborted.', { provider, request: info });
      await limiter?.acquire();
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...config.headers,
        ...(config.auth ? await config.auth.headers() : {}),
        ...req.headers,
        ...opts.headers,
      };
      const hookBase = {
        provider,
        operation: req.operation,
        method: req.method,
        url: info.url,
        headers: redact(headers),
        attempt: attempt + 1,
      };
      config.hooks?.onRequest?.(hookBase);
      const started = now();
      let response: AxiosResponse<string> | undefined;
      let failure: EngagekitError | undefined;
      let errorCode: string | undefined;
      try {
        response = await http.request<string>({
          url,
          method: req.method,
          headers,
          data: req.body === undefined ? undefined : JSON.stringify(req.body),
          timeout: timeoutMs,
          signal,
          responseType: 'text',
          transformResponse: (d: string) => d,
          validateStatus: () => true,
          maxRedirects: 0,
        });
      } catch (error) {
        const code = (error as { code?: string }).code;
        errorCode = code;
        if (signal?.aborted || code === 'ERR_CANCELED') {
          throw new AbortError('The request was aborted.', {
            provider,
            request: info,
            cause: error,
          });
        }
        failure =
          code === 'ECONNABORTED' || code === 'ETIMEDOUT'
            ? new TimeoutError(
                `${provider}: request timed out after ${timeoutMs} ms (${info.method} ${info.url})`,
                {
                  provider,
                  request: info,
                  cause: error,
                },
              )
            : new ConnectionError(
                `${provider}: connection failed${code ? ` (${code})` : ''} (${info.method} ${info.url})`,
                { provider, request: info, cause: error },
              );
      }

      let retryAfterMs: number | undefined;
      let status: number | undefined;
      let body: unknown;
      if (response) {
        status = response.status;
        const resHeaders = lowerHeaders(response.headers);
        config.hooks?.onResponse?.({
          ...hookBase,
          status,
          durationMs: now() - started,
          headers: redact(resHeaders),
        });
        const remaining = resHeaders['x-ratelimit-remaining'];
        if (limiter && remaining === '0') {
          const resetIn = parseRetryAfter(
            { 'x-ratelimit-reset': resHeaders['x-ratelimit-reset'] ?? '' },
            now(),
          );
          if (resetIn !== undefined) limiter.pauseUntil(now() + resetIn);
        }
        const parsed = parseBody(response.data);
        if (status < 400) {
          if (!parsed.ok) {
            throw new ResponseValidationError(
              [{ path: '', rule: 'invalid_json', message: 'response body is not valid JSON' }],
              { provider, request: info, what: `${req.operation ?? 'response'} body` },
            );
          }
          const data = req.schema
            ? parseResponse(req.schema, parsed.value, {
                provider,
                what: req.operation ?? 'response',
              })
            : parsed.value;
          const requestId = config.requestIdHeader ? resHeaders[config.requestIdHeader] : undefined;
          return { status, data, headers: resHeaders, requestId };
        }
        body = parsed.ok ? parsed.value : response.data;
        if (status === 401 && config.auth?.onUnauthorized && !refreshedAuth) {
          refreshedAuth = true;
          if (await config.auth.onUnauthorized()) {
            attempt--;
            continue;
          }
        }
        const vendor = config.parseError?.(body, status, resHeaders) ?? {};
        retryAfterMs = vendor.retryAfterMs ?? parseRetryAfter(resHeaders, now());
        failure = createApiError({
          status,
          provider,
          body,
          headers: resHeaders,
          request: info,
          info: {
            ...vendor,
            retryAfterMs,
            requestId:
              vendor.requestId ??
              (config.requestIdHeader ? resHeaders[config.requestIdHeader] : undefined),
          },
        });
        if (status === 429 && limiter && retryAfterMs !== undefined) {
          limiter.pauseUntil(now() + retryAfterMs);
        }
      }

      const retry =
        failure !== undefined &&
        shouldRetry({
          attempt: attempt + 1,
          maxRetries,
          method: req.method,
          status,
          errorCode,
          idempotent: req.idempotent ?? false,
          retryWriteOn: req.retryWriteOn ?? [429],
          vetoed: status !== undefined && config.isRetryable?.(status, body) === false,
        });
      if (!retry || !failure) throw failure;
      const delayMs = retryDelay({
        attempt: attempt + 1,
        retryAfterMs:
          status === 429 && retryAfterMs === undefined ? 1000 + random() * 250 : retryAfterMs,
        random: random(),
      });
      if (waited + delayMs > RETRY_WAIT_BUDGET_MS) throw failure;
      waited += delayMs;
      config.hooks?.onRetry?.({
        ...hookBase,
        reason: status ? String(status) : (errorCode ?? 'network'),
        delayMs,
      });
      await sleep(delayMs, signal);
    }
  }

  return { provider, request } as Transport;
}
