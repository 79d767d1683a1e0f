import type { HttpOptions } from '@engagekit/core';
import { HttpOptionsSchema } from '@engagekit/core/adapter';
import { z } from 'zod';

interface ZoomContactCenterCommonOptions extends HttpOptions {
  /** The REST API root. @default 'https://api.zoom.us/v2' */
  baseUrl?: string | undefined;
  /** The server-to-server OAuth token endpoint. @default 'https://zoom.us/oauth/token' */
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
}

/** Server-to-server OAuth app credentials (Zoom Marketplace → "Server-to-Server OAuth" app). */
export interface ZoomServerToServerOptions extends ZoomContactCenterCommonOptions {
  accountId: string;
  clientId: string;
  clientSecret: string;
  accessToken?: undefined;
}

/** An access token the caller obtains and renews itself. */
export interface ZoomAccessTokenOptions extends ZoomContactCenterCommonOptions {
  accessToken: string;
  accountId?: undefined;
  clientId?: undefined;
  clientSecret?: undefined;
}

/** Options of `createZoomContactCenterAdapter`: OAuth app credentials, or a ready access token. */
export type ZoomContactCenterAdapterOptions = ZoomServerToServerOptions | ZoomAccessTokenOptions;

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');

export const ZoomContactCenterOptionsSchema = HttpOptionsSchema.extend({
  accountId: nonEmpty.optional(),
  clientId: nonEmpty.optional(),
  clientSecret: nonEmpty.optional(),
  accessToken: nonEmpty.optional(),
  oauthUrl: HttpOptionsSchema.shape.baseUrl,
  onExpiredPageToken: z.enum(['restart', 'fail']).optional(),
}).superRefine((o, ctx) => {
  if (o.accessToken !== undefined) {
    for (const key of ['accountId', 'clientId', 'clientSecret'] as const) {
      if (o[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'pass either accessToken or accountId/clientId/clientSecret, not both',
          params: { rule: 'exclusive' },
        });
      }
    }
    return;
  }
  for (const key of ['accountId', 'clientId', 'clientSecret'] as const) {
    if (o[key] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `${key} is required (server-to-server OAuth), unless accessToken is given`,
        params: { rule: 'required' },
      });
    }
  }
});
