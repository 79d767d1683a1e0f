import {
  type AdapterCapabilities,
  type Engagement,
  type EngagementAdapter,
  NotFoundError,
  type WebhookSource,
} from '@engagekit/core';
import {
  bearerAuth,
  createTransport,
  defineAdapter,
  type FetchPageRequest,
  type FetchPageResult,
  isoUtcMs,
  type NormalizedListParams,
  paginate,
  type QueryValue,
  type RequestOptions,
  readRecords,
  recordReader,
} from '@engagekit/core/adapter';
import { serverToServerAuth } from './auth';
import { DEFAULT_CHANGES_LOOKBACK_MS, zoomChangeCapabilities, zoomChangeSource } from './changes';
import { isExpiredPageTokenError, parseZoomError } from './errors';
import { mapZoomEngagement, PROVIDER, ZOOM_CONTACT_CENTER_ALIASES } from './map/engagement';
import { parseZoomOptions, type ZoomContactCenterAdapterOptions } from './options';
import { listRange, planListQuery, validZone, WINDOW_MS, windowQuery } from './query';
import { createZoomWebhookSource, type ZoomWebhooksOptions } from './webhooks';
import { ZoomEngagementSchema, ZoomListEngagementsEnvelopeSchema } from './wire/engagement';

const DEFAULT_BASE_URL = 'https://api.zoom.us/v2';
const DEFAULT_OAUTH_URL = 'https://zoom.us/oauth/token';
/**
 * `listEngagements` is MEDIUM: 10 req/s on Pro (https://developers.zoom.us/docs/api/rate-limits/),
 * a per-second budget with no burst above it. The burst keeps one request of that second in
 * reserve: a slot is taken before the OAuth round trip of the first request, and the network
 * delays between this clock and Zoom's counter vary, so pacing at exactly the budget draws 429s.
 */
const DEFAULT_RATE_LIMIT = { requestsPerSecond: 10, burst: 9 };

const capabilities: AdapterCapabilities = {
  operations: { list: true, get: true, create: false, update: false, delete: false, count: false },
  filters: {
    from: 'server',
    to: 'server',
    // Zoom takes one `channel` per call: narrowed server-side when one channel covers every kind,
    // always checked client-side against the mapped kind.
    kinds: 'client',
    // A single id is also sent as `user_id` (agents); consumers and several ids are matched client-side.
    participantIds: 'client',
    // One of inbound/outbound is sent as `direction`; every record's direction is checked too.
    directions: 'server',
  },
  maxPageSize: 100,
  defaultPageSize: 100,
  maxWindowMs: WINDOW_MS,
  backwardsPaging: false,
  ordering: 'unordered',
};

const remoteIdOf = (e: Engagement) => e.remoteId;

function bothFilters(
  a: ((e: Engagement) => boolean) | undefined,
  b: ((e: Engagement) => boolean) | undefined,
): ((e: Engagement) => boolean) | undefined {
  return a && b ? (e) => a(e) && b(e) : (a ?? b);
}

/** The `engagement_id` of a raw Zoom record, when it has one. */
function zoomIdOf(raw: unknown): string | undefined {
  const id = (raw as { engagement_id?: unknown } | null)?.engagement_id;
  return typeof id === 'string' ? id : undefined;
}

/** The Zoom Contact Center adapter: the unified engagements API plus `webhooks()`. */
export type ZoomContactCenterAdapter = EngagementAdapter & {
  /** A verified-webhook source for `createWebhookReceiver` (see `createZoomWebhookSource`). */
  webhooks(options: ZoomWebhooksOptions): WebhookSource;
};

/**
 * The Zoom Contact Center adapter (`'zoom-contact-center'`): lists engagements over ranges of any
 * length (sliced into windows Zoom accepts), resumes from cursors even after Zoom's 15-minute page
 * tokens expire, and gets one engagement. Engagements are read-only in Zoom's API.
 * `engagements.changes()` re-reads start times from the previous run's start minus
 * `changesLookbackMs` (default 24 h) and delivers what is new or changed.
 *
 * ```ts
 * const zoom = createZoomContactCenterAdapter({ accountId, clientId, clientSecret });
 * for await (const e of zoom.engagements.list({ from: '2025-01-01', to: '2026-01-01' })) {}
 * ```
 * Options left out are read from `ZOOM_ACCOUNT_ID`, `ZOOM_CLIENT_ID`, `ZOOM_CLIENT_SECRET`,
 * `ZOOM_BASE_URL` and `ZOOM_OAUTH_URL`. Throws `InputValidationError` (naming the field) for
 * invalid options; never touches the network.
 */
export function createZoomContactCenterAdapter(
  options: ZoomContactCenterAdapterOptions = {},
): ZoomContactCenterAdapter {
  const o = parseZoomOptions(options);
  const http = {
    hooks: options.hooks,
    beforeRequest: o.beforeRequest,
    timeoutMs: o.timeoutMs,
    maxRetries: o.maxRetries,
    signal: o.signal,
    maxRetryWaitMs: o.maxRetryWaitMs,
    maxResponseBytes: o.maxResponseBytes,
  };
  const auth =
    o.accessToken !== undefined
      ? bearerAuth(o.accessToken)
      : serverToServerAuth(
          {
            accountId: o.accountId!,
            clientId: o.clientId!,
            clientSecret: o.clientSecret!,
            oauthUrl: o.oauthUrl ?? DEFAULT_OAUTH_URL,
          },
          http,
        );
  const transport = createTransport({
    ...http,
    provider: PROVIDER,
    baseUrl: o.baseUrl ?? DEFAULT_BASE_URL,
    auth,
    parseError: (body) => parseZoomError(body),
    requestIdHeader: 'x-zm-trackingid',
    rateLimit: o.rateLimit ?? DEFAULT_RATE_LIMIT,
    headers: o.headers,
  });
  const onExpiredToken = o.onExpiredPageToken ?? 'restart';
  const instanceCapabilities: AdapterCapabilities = {
    ...capabilities,
    changes: zoomChangeCapabilities(o.changesLookbackMs ?? DEFAULT_CHANGES_LOOKBACK_MS),
  };

  function list(params: NormalizedListParams) {
    const plan = planListQuery(params);
    const range = listRange(params, Date.now());
    const request: RequestOptions = { ...params.request, signal: params.signal };
    const listPage = (query: Record<string, QueryValue>, opts: RequestOptions) =>
      transport.request({
        method: 'GET',
        path: '/contact_center/engagements',
        query,
        schema: ZoomListEngagementsEnvelopeSchema,
        operation: 'engagements.list',
        options: opts,
      });

    // Cleared for good if Zoom says the single participant id is no agent (404, code 1001).
    let sendUserId = plan.userIdFromParticipants;

    const fetchPage = async (req: FetchPageRequest): Promise<FetchPageResult<Engagement>> => {
      if (plan.matchesNothing) return { items: [], nextToken: undefined };
      const window = req.window ?? range;
      const query: Record<string, QueryValue> = {
        ...plan.base,
        ...windowQuery(window, plan.timeZone),
        next_page_token: req.token,
      };
      if (plan.userIdFromParticipants && !sendUserId) delete query.user_id;
      let res: Awaited<ReturnType<typeof listPage>>;
      try {
        res = await listPage(query, { ...request, signal: req.signal ?? request.signal });
      } catch (error) {
        if (sendUserId && error instanceof NotFoundError && String(error.code) === '1001') {
          sendUserId = false;
          return fetchPage(req);
        }
        throw error;
      }
      const zone =
        res.data.timezone && validZone(res.data.timezone) ? res.data.timezone : plan.timeZone;
      const mapOptions = {
        includeRaw: params.includeRaw,
        timeZone: zone,
        path: 'engagements',
        what: 'engagements.list response',
      };
      // Record by record: one unreadable record is reported to the engine, not the whole page.
      const readRecord = recordReader(ZoomEngagementSchema, {
        provider: PROVIDER,
        what: 'engagements.list record',
        path: 'engagements',
      });
      const { items, invalid } = readRecords(res.data.engagements ?? [], {
        provider: PROVIDER,
        path: ['engagements'],
        read: (raw, i) => mapZoomEngagement(readRecord(raw, i), mapOptions, i),
        remoteIdOf: zoomIdOf,
      });
      return { items, invalid, nextToken: res.data.next_page_token };
    };
    return paginate<Engagement>({
      provider: PROVIDER,
      fingerprint: params.fingerprint,
      cursor: params.cursor,
      fetchPage,
      range: {
        ...range,
        maxWindowMs: WINDOW_MS,
        timeOf: (e) => isoUtcMs(e.occurredAt),
        // Zoom's default range ends now: a cursor keeps the range it started with.
        slidingDefault: !params.from && !params.to,
      },
      filter: bothFilters(params.clientFilter, plan.keepDirection),
      // The engine's never-twice guard hashes every id: the vendor id is a flat string, while
      // `id` is a fresh concatenation that each lookup must flatten first. Same identity.
      idOf: remoteIdOf,
      maxPages: params.maxPages,
      prefetch: params.prefetch,
      signal: params.signal,
      cursorSecret: options.cursorSecret,
      onInvalidRecord: params.onInvalidRecord,
      maxEmptyPages: params.maxEmptyPages,
      isExpiredToken: isExpiredPageTokenError,
      onExpiredToken,
    });
  }

  const adapter = defineAdapter({
    id: PROVIDER,
    aliases: ZOOM_CONTACT_CENTER_ALIASES,
    capabilities: instanceCapabilities,
    remoteIdInPath: true,
    engagements: {
      list,
      changes: zoomChangeSource(instanceCapabilities, list, () => Date.now()),

      async get(remoteId, requestOptions) {
        const res = await transport.request({
          method: 'GET',
          path: `/contact_center/engagements/${encodeURIComponent(remoteId)}`,
          schema: ZoomEngagementSchema,
          operation: 'engagements.get',
          options: requestOptions,
        });
        return mapZoomEngagement(res.data, { what: 'engagements.get response' });
      },
    },
  });
  const webhooks = (webhookOptions: ZoomWebhooksOptions) =>
    createZoomWebhookSource(webhookOptions, (remoteId, opts) =>
      adapter.engagements.get(remoteId, opts),
    );
  return { ...adapter, webhooks };
}
