import { setMaxListeners } from 'node:events';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

import {
  AbortError,
  ConnectionError,
  EngagekitError,
  type ErrorRequestInfo,
  RateLimitError,
  ResponseTooLargeError,
  ResponseValidationError,
  TimeoutError,
} from '../errors/errors';
import { createApiError, type VendorErrorInfo } from '../errors/factory';
import {
  redactHeaders,
  redactUrl,
  registerCredential,
  registerSecret,
  SENSITIVE_HEADER,
} from '../errors/redact';
import { parseResponse } from '../errors/zod';
import { compileValidator } from '../validation/compile';
import { raceAbort } from './abort';
import { directSender, instanceSender } from './axios-dispatch';
import { awaitBeforeRequest } from './before-request';
import { bodyText, parseJsonBytes, tooLongForText } from './json-body';
import { LimiterPausedError, TokenBucket } from './rate-limiter';
import { parseRateLimitHeaders, parseRetryAfter, retryDelay, shouldRetry } from './retry';
import { MAX_TIMER_MS, setSafeTimeout, sleepFor } from './timers';
import type {
  QueryValue,
  Transport,
  TransportConfig,
  TransportRequest,
  TransportResponse,
} from './types';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_MAX_RETRY_WAIT_MS = 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Total time one request may spend waiting between retries: the budget a retry storm cannot exceed. */
const RETRY_WAIT_BUDGET_MS = 180_000;

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepFor(ms, signal, () => new AbortError('The request was aborted.'));
}

/**
 * Per-call signals joined to the adapter-wide one through a single listener on it, so any number
 * of calls (concurrent or not) leave no listener behind and never trip MaxListenersExceededWarning.
 */
function signalLinker(shared: AbortSignal | undefined): {
  link(own: AbortSignal | undefined): { signal: AbortSignal; release(): void };
  /** The signal a call without any signal gets: it never fires, so nothing need listen to it. */
  never: AbortSignal;
} {
  const live = new Set<AbortController>();
  shared?.addEventListener(
    'abort',
    () => {
      for (const controller of live) controller.abort(shared.reason);
    },
    { once: true },
  );
  // Without an adapter-wide signal there is nothing to join: the call's own signal serves as it is,
  // and a call without one gets a signal that never fires (no controller per request).
  const never = new AbortController().signal;
  // What waits on it (a retry's sleep, an auth refresh) listens until it ends: any number of
  // listeners, none left behind.
  setMaxListeners(0, never);
  const unlinked = { signal: never, release() {} };
  const link = (own: AbortSignal | undefined): { signal: AbortSignal; release(): void } => {
    if (!shared) return own ? { signal: own, release: unlinked.release } : unlinked;
    const controller = new AbortController();
    const onAbort = () => controller.abort(own?.reason);
    if (shared?.aborted) controller.abort(shared.reason);
    else if (own?.aborted) controller.abort(own.reason);
    else {
      if (shared) live.add(controller);
      own?.addEventListener('abort', onAbort, { once: true });
    }
    return {
      signal: controller.signal,
      release() {
        live.delete(controller);
        own?.removeEventListener('abort', onAbort);
      },
    };
  };
  return { link, never };
}

/** True when an `https:` request was answered in the clear: a proxy refused the CONNECT tunnel. */
function answeredByProxy(url: string, response: AxiosResponse): boolean {
  if (!/^https:/i.test(url)) return false;
  const socket = (response.request as { socket?: { encrypted?: unknown } | null } | undefined)
    ?.socket;
  return socket !== undefined && socket !== null && socket.encrypted !== true;
}

function isTooLarge(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  // A limit raised past what a string can hold (~512 MiB) fails in Node itself; same answer.
  if (code === 'ERR_STRING_TOO_LONG') return true;
  return (
    code === 'ERR_BAD_RESPONSE' &&
    typeof message === 'string' &&
    message.startsWith('maxContentLength size of')
  );
}

/**
 * An error thrown by an auth provider (e.g. a failed OAuth token request made with axios, whose
 * config carries the client secret) as an engagekit error with a sanitised cause.
 */
function authFailure(error: unknown, provider: string, info: ErrorRequestInfo): EngagekitError {
  if (error instanceof EngagekitError) return error;
  const response = (error as { response?: { status?: unknown; data?: unknown; headers?: unknown } })
    ?.response;
  if (response && typeof response.status === 'number') {
    return createApiError({
      status: response.status,
      provider,
      body: response.data,
      headers: lowerHeaders(response.headers as AxiosResponse['headers']),
      request: info,
      info: { message: 'could not obtain credentials' },
      cause: error,
    });
  }
  const code = (error as { code?: unknown })?.code;
  return new ConnectionError(
    `${provider}: could not obtain credentials${typeof code === 'string' ? ` (${code})` : ''}`,
    { provider, request: info, cause: error },
  );
}

/** Without an adapter parser: the message most JSON APIs put in `message`, `error` or `detail`. */
function genericErrorInfo(body: unknown): VendorErrorInfo {
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  const text = [b.message, b.error_description, b.detail, b.error].find(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  return text ? { message: text.slice(0, 500) } : {};
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

function parseBody(data: unknown): { ok: true; value: unknown } | { ok: false } {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  if (bytes instanceof Uint8Array) {
    if (bytes.length === 0) return { ok: true, value: undefined };
    try {
      return { ok: true, value: parseJsonBytes(bytes) };
    } catch {
      return { ok: false };
    }
  }
  if (typeof data !== 'string') return { ok: true, value: data };
  if (data.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(data) };
  } catch {
    return { ok: false };
  }
}

/**
 * A private axios instance without the empty per-method header buckets (`get: {}`, `post: {}`, …)
 * it is created with. axios deep-copies every bucket into each request's config and then drops
 * them; empty ones add no header, so requests carry the same headers with less copying. Buckets
 * that hold a header (e.g. set on the global `axios.defaults` before) are kept.
 */
export function leanAxios(): AxiosInstance {
  const http = axios.create();
  const buckets = http.defaults.headers as unknown as Record<string, unknown>;
  for (const name of Object.keys(buckets)) {
    const bucket = buckets[name];
    if (
      name !== 'common' &&
      typeof bucket === 'object' &&
      bucket !== null &&
      Object.getPrototypeOf(bucket) === Object.prototype &&
      Object.keys(bucket).length === 0
    ) {
      delete buckets[name];
    }
  }
  return http;
}

/**
 * The axios-based transport every adapter uses: auth headers asked per attempt, client-side rate
 * limiting, retries decided by `shouldRetry`/`retryDelay`, vendor errors turned into the error tree
 * by `createApiError`, response bodies validated by zod, and credentials redacted from everything
 * hooks and errors can show.
 *
 * With `http`, every request goes through `http.request` (its interceptors and defaults apply).
 * Without it, requests are handed straight to the adapter of the global axios defaults, with the
 * config `axios.request` would build for them (see `directSender`).
 */
export function createTransport(config: TransportConfig, http?: AxiosInstance): Transport {
  const now = config.now ?? Date.now;
  const sleep = config.sleep ?? abortableSleep;
  const random = config.random ?? Math.random;
  const provider = config.provider;
  for (const s of config.auth?.secrets ?? []) registerSecret(s);
  const limiter =
    config.rateLimit === false || config.rateLimit === undefined
      ? undefined
      : new TokenBucket(config.rateLimit, now, (ms, signal) => sleep(ms, signal));
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const { link, never } = signalLinker(config.signal);
  /** The last credential registered per header name (secrets are never unregistered). */
  const registeredCredentials = new Map<string, string>();
  const send = http ? instanceSender(http) : (directSender() ?? instanceSender(leanAxios(), true));

  async function request(req: TransportRequest): Promise<TransportResponse<unknown>> {
    // Either signal stops the call: the caller's per-call one and the adapter-wide one.
    const linked = link(req.options?.signal);
    try {
      return await attempts(req, linked.signal);
    } finally {
      linked.release();
    }
  }

  async function attempts(
    req: TransportRequest,
    signal: AbortSignal,
  ): Promise<TransportResponse<unknown>> {
    const opts = req.options ?? {};
    const timeoutMs = opts.timeoutMs ?? config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxRetries = opts.maxRetries ?? config.maxRetries ?? DEFAULT_MAX_RETRIES;
    const maxRetryWaitMs =
      opts.maxRetryWaitMs ?? config.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
    const maxResponseBytes =
      opts.maxResponseBytes ?? config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const path = /^https?:\/\//i.test(req.path)
      ? req.path
      : `${baseUrl}${req.path.startsWith('/') || req.path === '' ? '' : '/'}${req.path}`;
    const url = `${path}${buildQuery(req.query)}`;
    // Redacting the URL is not free on the hot path: done once, when an error or a hook shows it.
    let info: ErrorRequestInfo | undefined;
    const requestInfo = (): ErrorRequestInfo => {
      info ??= { method: req.method, url: redactUrl(url), operation: req.operation };
      return info;
    };
    const requestLine = () => `${req.method} ${requestInfo().url}`;
    let refreshedAuth = false;
    let waited = 0;
    const beforeRequest = opts.beforeRequest ?? config.beforeRequest;
    // Token requests the auth provider makes wait for the same hook, within the call's timeout.
    const authContext =
      beforeRequest || opts.timeoutMs !== undefined
        ? { beforeRequest, timeoutMs: opts.timeoutMs }
        : undefined;

    const aborted = () =>
      new AbortError('The request was aborted.', { provider, request: requestInfo() });
    const pausedError = (pausedForMs: number) =>
      new RateLimitError(
        `${provider} 429: rate limited for another ${pausedForMs} ms, longer than maxRetryWaitMs (${maxRetryWaitMs} ms) (${requestLine()})`,
        { status: 429, provider, request: requestInfo(), retryAfterMs: pausedForMs },
      );
    const timeoutError = (where: string, cause?: unknown) =>
      new TimeoutError(
        `${provider}: request timed out after ${timeoutMs} ms ${where}(${requestLine()})`,
        { provider, request: requestInfo(), cause },
      );

    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw aborted();
      // axios' own `timeout` only watches socket inactivity; this deadline covers the whole attempt,
      // from the limiter queue and the token fetch to the last byte of the body.
      const attemptController = new AbortController();
      let timedOut = false;
      /** Rejects the credentials the attempt waits for, when it is aborted meanwhile. */
      let stopWaiting: (() => void) | undefined;
      // Only these two abort the attempt, so they end that wait themselves: no listener on the
      // attempt's signal per request (an EventTarget registration costs more than the rest).
      const abortAttempt = (reason?: unknown) => {
        attemptController.abort(reason);
        stopWaiting?.();
      };
      // The deadline beforeRequest is told: the timer below starts here, before the limiter and the
      // credentials, so their waits count too.
      const deadlineAt = beforeRequest ? now() + timeoutMs : 0;
      const deadline = setSafeTimeout(() => {
        timedOut = true;
        abortAttempt();
      }, timeoutMs);
      const forwardAbort = () => abortAttempt(signal.reason);
      // A call with no signal at all gets one that never fires: listening to it costs an
      // EventTarget registration per attempt and can never forward anything.
      const forwarding = signal !== never;
      if (forwarding) signal.addEventListener('abort', forwardAbort, { once: true });
      const releaseAttempt = () => {
        clearTimeout(deadline);
        if (forwarding) signal.removeEventListener('abort', forwardAbort);
      };
      let authHeaders: Record<string, string> = {};
      try {
        if (limiter) {
          await limiter.acquire(attemptController.signal, maxRetryWaitMs).catch((error) => {
            if (error instanceof LimiterPausedError) throw pausedError(error.pausedForMs);
            throw timedOut ? timeoutError('waiting for the rate limiter ') : aborted();
          });
        }
        if (config.auth) {
          const auth = config.auth;
          try {
            const headers = Promise.resolve(auth.headers(attemptController.signal, authContext));
            const stopped = () => (timedOut ? timeoutError('waiting for credentials ') : aborted());
            authHeaders = attemptController.signal.aborted
              ? await Promise.reject(stopped())
              : await new Promise<Record<string, string>>((resolve, reject) => {
                  stopWaiting = () => reject(stopped());
                  headers.then(
                    (value) => {
                      stopWaiting = undefined;
                      resolve(value);
                    },
                    (error) => {
                      stopWaiting = undefined;
                      reject(error);
                    },
                  );
                });
          } catch (error) {
            throw authFailure(error, provider, requestInfo());
          }
        }
        if (beforeRequest) {
          await awaitBeforeRequest(
            beforeRequest,
            {
              provider,
              operation: req.operation,
              method: req.method,
              url: requestInfo().url,
              attempt: attempt + 1,
              signal: attemptController.signal,
              deadline: deadlineAt,
            },
            () => (timedOut ? timeoutError('waiting for beforeRequest ') : aborted()),
            requestInfo(),
          );
        }
      } catch (error) {
        releaseAttempt();
        throw error;
      }
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...config.headers,
        ...authHeaders,
        ...req.headers,
        ...opts.headers,
      };
      // Credentials the caller put in headers are cut from every error too. Idempotency keys are
      // fresh per write: registering each would grow the secret list without bound.
      // A value already registered (the same token on every request) is not registered again.
      for (const name of Object.keys(headers)) {
        const value = headers[name] as string;
        if (registeredCredentials.get(name) === value) continue;
        if (SENSITIVE_HEADER.test(name) && !/idempotency/i.test(name)) {
          registerCredential(value);
          registeredCredentials.set(name, value);
        }
      }
      // Built only when a hook is there to see it: redaction is not free on the hot path.
      const hookBase = () => ({
        provider,
        operation: req.operation,
        method: req.method,
        url: requestInfo().url,
        headers: redactHeaders(headers),
        attempt: attempt + 1,
      });
      config.hooks?.onRequest?.(hookBase());
      const started = now();
      let response: AxiosResponse<string | Uint8Array> | undefined;
      let failure: EngagekitError | undefined;
      let errorCode: string | undefined;
      try {
        response = await send({
          url,
          method: req.method,
          headers,
          data: req.body === undefined ? undefined : JSON.stringify(req.body),
          timeout: Math.min(timeoutMs, MAX_TIMER_MS),
          signal: attemptController.signal,
          maxContentLength: maxResponseBytes,
        });
      } catch (error) {
        const code = (error as { code?: string }).code;
        errorCode = timedOut ? 'ETIMEDOUT' : code;
        if (isTooLarge(error)) {
          throw new ResponseTooLargeError(maxResponseBytes, {
            provider,
            request: requestInfo(),
            cause: error,
          });
        }
        if (signal.aborted || (code === 'ERR_CANCELED' && !timedOut)) {
          throw new AbortError('The request was aborted.', {
            provider,
            request: requestInfo(),
            cause: error,
          });
        }
        failure =
          timedOut || code === 'ECONNABORTED' || code === 'ETIMEDOUT'
            ? timeoutError('', error)
            : new ConnectionError(
                `${provider}: connection failed${code ? ` (${code})` : ''} (${requestLine()})`,
                { provider, request: requestInfo(), cause: error },
              );
      } finally {
        releaseAttempt();
      }

      let retryAfterMs: number | undefined;
      let status: number | undefined;
      let body: unknown;
      if (response && answeredByProxy(url, response)) {
        // The CONNECT tunnel was refused: the status is the proxy's, not the vendor's.
        throw new ConnectionError(
          `${provider}: the HTTPS proxy refused the tunnel (CONNECT answered ${response.status}); check HTTPS_PROXY / the proxy's rules (${requestLine()})`,
          { provider, request: requestInfo() },
        );
      }
      if (response) {
        status = response.status;
        const resHeaders = lowerHeaders(response.headers);
        config.hooks?.onResponse?.({
          ...hookBase(),
          status,
          durationMs: now() - started,
          headers: redactHeaders(resHeaders),
        });
        const window = parseRateLimitHeaders(resHeaders, now());
        if (limiter && window.remaining === 0 && window.resetInMs !== undefined) {
          limiter.pauseUntil(now() + window.resetInMs);
        }
        // As axios' own text decoding failed (ERR_STRING_TOO_LONG, see isTooLarge) before bodies
        // came as bytes.
        if (tooLongForText(response.data)) {
          throw new ResponseTooLargeError(maxResponseBytes, { provider, request: requestInfo() });
        }
        const parsed = parseBody(response.data);
        if (status >= 200 && status < 300) {
          if (!parsed.ok) {
            throw new ResponseValidationError(
              [{ path: '', rule: 'invalid_json', message: 'response body is not valid JSON' }],
              {
                provider,
                request: requestInfo(),
                what: `${req.operation ?? 'response'} body`,
              },
            );
          }
          // What the compiled check accepts is returned as it is: no request info to build.
          const data =
            !req.schema || compileValidator(req.schema)?.(parsed.value)
              ? parsed.value
              : parseResponse(req.schema, parsed.value, {
                  provider,
                  what: req.operation ?? 'response',
                  request: requestInfo(),
                });
          const requestId = config.requestIdHeader ? resHeaders[config.requestIdHeader] : undefined;
          return { status, data, headers: resHeaders, requestId };
        }
        body = parsed.ok ? parsed.value : bodyText(response.data);
        if (status === 401 && config.auth?.onUnauthorized && !refreshedAuth) {
          refreshedAuth = true;
          let refreshed: boolean;
          try {
            refreshed = await raceAbort(
              Promise.resolve(config.auth.onUnauthorized(authContext)),
              signal,
              aborted,
            );
          } catch (error) {
            throw authFailure(error, provider, requestInfo());
          }
          if (refreshed) {
            attempt--;
            continue;
          }
        }
        const vendor = config.parseError
          ? config.parseError(body, status, resHeaders)
          : genericErrorInfo(body);
        // Reset headers say when the rate-limit window ends: they time a 429, not a 5xx (DevRev sends
        // them on every response, and a 500 must not wait for the window).
        retryAfterMs =
          vendor.retryAfterMs ??
          parseRetryAfter(resHeaders, now(), []) ??
          (status === 429 ? window.resetInMs : undefined);
        failure = createApiError({
          status,
          provider,
          body,
          headers: resHeaders,
          request: requestInfo(),
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
      // A vendor asking for a longer wait than the caller allows gets a fast error, not a stall.
      if (retryAfterMs !== undefined && retryAfterMs > maxRetryWaitMs) throw failure;
      const delayMs =
        retryAfterMs ??
        retryDelay({
          attempt: attempt + 1,
          retryAfterMs: status === 429 ? Math.round(1000 + random() * 250) : undefined,
          maxMs: Math.min(30_000, maxRetryWaitMs),
          random: random(),
        });
      if (waited + delayMs > Math.max(RETRY_WAIT_BUDGET_MS, maxRetryWaitMs)) throw failure;
      waited += delayMs;
      config.hooks?.onRetry?.({
        ...hookBase(),
        reason: status ? String(status) : (errorCode ?? 'network'),
        delayMs,
      });
      await sleep(delayMs, signal);
    }
  }

  return { provider, request } as Transport;
}
