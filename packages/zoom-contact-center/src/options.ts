import type { HttpOptions } from '@engagekit/core';
import { HttpOptionsSchema, parseAdapterOptions } from '@engagekit/core/adapter';
import { z } from 'zod';
import { ChangesLookbackSchema } from './changes';
import { PROVIDER } from './map/engagement';

interface ZoomContactCenterCommonOptions extends HttpOptions {
  /**
   * The REST API root: `https:`, or plain `http:` only on loopback hosts (or with `allowInsecureHttp`).
   * @default process.env.ZOOM_BASE_URL, else 'https://api.zoom.us/v2'
   */
  baseUrl?: string | undefined;
  /**
   * The server-to-server OAuth token endpoint (same URL rules as `baseUrl`).
   * @default process.env.ZOOM_OAUTH_URL, else 'https://zoom.us/oauth/token'
   */
  oauthUrl?: string | undefined;
  /**
   * The client-side rate limit. Zoom's `listEngagements` is labelled MEDIUM: 10 requests/s on Pro,
   * 20 on Business+ (`{ requestsPerSecond: 20 }`); `false` turns the limiter off.
   * @default { requestsPerSecond: 10 }
   */
  rateLimit?: HttpOptions['rateLimit'];
  /**
   * What a listing does when Zoom rejects an expired `next_page_token` (they live 15 minutes):
   * `'restart'` re-reads the current date window and skips the records already returned;
   * `'fail'` throws `PaginationError` (reason `'expired-token'`).
   * @default 'restart'
   */
  onExpiredPageToken?: 'restart' | 'fail' | undefined;
  /**
   * How far before the previous run's start `engagements.changes()` reads start times again, in
   * ms: engagements change while they run and afterwards (end time, notes, dispositions), and Zoom
   * lists them by start time only. A change to an engagement that started earlier than this before
   * the previous run is not seen. Whole ms from 1 minute to 90 days.
   * @default 86_400_000 (24 hours)
   */
  changesLookbackMs?: number | undefined;
}

/**
 * Server-to-server OAuth app credentials (Zoom Marketplace → "Server-to-Server OAuth" app). Each
 * one left out is read from the environment, as the `engagekit` CLI does; none may be missing.
 */
export interface ZoomServerToServerOptions extends ZoomContactCenterCommonOptions {
  /** @default process.env.ZOOM_ACCOUNT_ID */
  accountId?: string | undefined;
  /** @default process.env.ZOOM_CLIENT_ID */
  clientId?: string | undefined;
  /** At least 8 characters. @default process.env.ZOOM_CLIENT_SECRET */
  clientSecret?: string | undefined;
  accessToken?: undefined;
}

/** An access token the caller obtains and renews itself (the environment is then not read for credentials). */
export interface ZoomAccessTokenOptions extends ZoomContactCenterCommonOptions {
  /** At least 8 characters. */
  accessToken: string;
  accountId?: undefined;
  clientId?: undefined;
  clientSecret?: undefined;
}

/** Options of `createZoomContactCenterAdapter`: OAuth app credentials, or a ready access token. */
export type ZoomContactCenterAdapterOptions = ZoomServerToServerOptions | ZoomAccessTokenOptions;

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');
const S2S_KEYS = ['accountId', 'clientId', 'clientSecret'] as const;

export const ZoomContactCenterOptionsSchema = HttpOptionsSchema.extend({
  accountId: nonEmpty.optional(),
  clientId: nonEmpty.optional(),
  clientSecret: nonEmpty.optional(),
  accessToken: nonEmpty.optional(),
  oauthUrl: HttpOptionsSchema.shape.baseUrl,
  onExpiredPageToken: z.enum(['restart', 'fail']).optional(),
  changesLookbackMs: ChangesLookbackSchema.optional(),
})
  .strict()
  .superRefine((o, ctx) => {
    if (o.accessToken === undefined) return;
    for (const key of S2S_KEYS) {
      if (o[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'pass either accessToken or accountId/clientId/clientSecret, not both',
          params: { rule: 'exclusive' },
        });
      }
    }
  });

const URL_ENV = { baseUrl: 'ZOOM_BASE_URL', oauthUrl: 'ZOOM_OAUTH_URL' } as const;
const S2S_ENV = {
  accountId: 'ZOOM_ACCOUNT_ID',
  clientId: 'ZOOM_CLIENT_ID',
  clientSecret: 'ZOOM_CLIENT_SECRET',
} as const;

/**
 * Validates the factory's options (throws `InputValidationError`): unknown keys, the environment
 * fallback (the S2S trio only when no `accessToken` is given), credentials and URLs.
 */
export function parseZoomOptions(
  options: unknown,
  environment?: Readonly<Record<string, string | undefined>>,
): z.output<typeof ZoomContactCenterOptionsSchema> {
  const withToken =
    typeof options === 'object' &&
    options !== null &&
    (options as { accessToken?: unknown }).accessToken !== undefined;
  return parseAdapterOptions(ZoomContactCenterOptionsSchema, options, {
    provider: PROVIDER,
    env: withToken ? URL_ENV : { ...URL_ENV, ...S2S_ENV },
    required: (o) => (o.accessToken !== undefined || withToken ? [] : S2S_KEYS),
    secrets: ['clientSecret', 'accessToken'],
    urls: ['baseUrl', 'oauthUrl'],
    environment,
  });
}
