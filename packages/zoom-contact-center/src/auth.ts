import { ApiError, AuthenticationError, type HttpOptions } from '@engagekit/core';
import {
  type AuthProvider,
  cachedTokenAuth,
  createTransport,
  registerSecret,
} from '@engagekit/core/adapter';
import { parseZoomError } from './errors';
import { PROVIDER } from './map/engagement';
import { ZoomTokenResponseSchema } from './wire/engagement';

export interface ServerToServerCredentials {
  accountId: string;
  clientId: string;
  clientSecret: string;
  oauthUrl: string;
}

/**
 * Zoom server-to-server OAuth (https://developers.zoom.us/docs/internal-apps/s2s-oauth/):
 * `POST {oauthUrl}?grant_type=account_credentials&account_id=…` with
 * `Authorization: Basic base64(clientId:clientSecret)`. Tokens (1 h, no refresh token) are cached
 * and shared by concurrent requests, refreshed 60 s before `expires_in`, and once on a 401 (code 124).
 */
export function serverToServerAuth(
  credentials: ServerToServerCredentials,
  http: Pick<HttpOptions, 'hooks' | 'timeoutMs' | 'maxRetries' | 'signal'>,
): AuthProvider {
  const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString(
    'base64',
  );
  registerSecret(credentials.clientSecret);
  registerSecret(basic);
  // A transport of its own gives the token request retries (5xx, network, 429) and redaction.
  const transport = createTransport({
    provider: PROVIDER,
    baseUrl: credentials.oauthUrl,
    parseError: parseZoomError,
    requestIdHeader: 'x-zm-trackingid',
    rateLimit: false,
    hooks: http.hooks,
    timeoutMs: http.timeoutMs,
    maxRetries: http.maxRetries,
    signal: http.signal,
  });

  return cachedTokenAuth({
    refreshBeforeMs: 60_000,
    secrets: [credentials.clientSecret, basic],
    async fetchToken(signal, context) {
      try {
        const res = await transport.request({
          method: 'POST',
          path: '',
          // Zoom documents the query form (its own curl example); the core transport sends JSON
          // bodies only, so the form-body alternative is not used.
          query: { grant_type: 'account_credentials', account_id: credentials.accountId },
          headers: { authorization: `Basic ${basic}` },
          schema: ZoomTokenResponseSchema,
          operation: 'oauth.token',
          idempotent: true,
          // Every request waiting for this token gave up: stop the fetch, the next one starts anew.
          // The `beforeRequest` of the API request that needs the token (the call's, else the
          // adapter's): the token request waits for it like that request does, and within that
          // call's `timeoutMs` when it sets one.
          options: {
            signal,
            beforeRequest: context?.beforeRequest,
            timeoutMs: context?.timeoutMs,
          },
        });
        registerSecret(res.data.access_token);
        return { token: res.data.access_token, expiresInMs: res.data.expires_in * 1000 };
      } catch (error) {
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
          if (error.status === 429) throw error;
          throw new AuthenticationError(
            `${PROVIDER}: the server-to-server OAuth token request was refused (${error.status}${error.code !== undefined ? ` ${error.code}` : ''}): ${describe(error)}. Check accountId, clientId and clientSecret.`,
            {
              status: error.status,
              provider: PROVIDER,
              code: error.code,
              requestId: error.requestId,
              body: error.body,
              headers: error.headers,
              request: error.request,
              cause: error,
            },
          );
        }
        throw error;
      }
    },
  });
}

function describe(error: ApiError): string {
  const body = error.body as { reason?: unknown; message?: unknown } | undefined;
  if (typeof body?.reason === 'string') return body.reason;
  if (typeof body?.message === 'string') return body.message;
  return 'no reason given';
}
