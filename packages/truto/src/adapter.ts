import { randomUUID } from 'node:crypto';
import {
  type AdapterCapabilities,
  CapabilityError,
  type ChangeCapabilities,
  type ChangeFeedParams,
  type Engagement,
  type EngagementAdapter,
  type EngagementKind,
  type EngagementsResource,
  type HttpOptions,
  type WebhookSource,
} from '@engagekit/core';
import {
  bearerAuth,
  createTransport,
  DEFAULT_MODIFIED_LOOKBACK_MS,
  defineAdapter,
  HttpOptionsSchema,
  isoUtcMs,
  type NormalizedListParams,
  normalizeListParams,
  paginate,
  parseAdapterOptions,
  type QueryValue,
  type RequestOptions,
  readRecords,
  recordReader,
} from '@engagekit/core/adapter';
import { z } from 'zod';
import {
  TrutoChangeFeed,
  type TrutoChangesMode,
  type TrutoFeedContext,
  type TrutoFeedMode,
} from './changes/feed';
import {
  LIST_META_PATH,
  supportsUpdatedAt,
  TrutoListMetaSchema,
  UpdatedAtSupport,
} from './changes/meta';
import { createChangeSource } from './changes/source';
import { createErrorParser, isRetryable, translated } from './errors';
import {
  mapTrutoEngagement,
  PROVIDER,
  TRUTO_KINDS,
  type TrutoDurationUnit,
} from './map/engagement';
import { TRUTO_CREATE_KINDS, toTrutoWriteBody } from './map/input';
import { checkNativeListParams, flattenQuery } from './query';
import { createTrutoWebhookSource, type TrutoWebhooksOptions } from './webhooks';
import {
  TrutoDeleteResponseSchema,
  type TrutoEngagement,
  TrutoEngagementListEnvelopeSchema,
  TrutoEngagementSchema,
} from './wire/engagement';

const DAY_MS = 86_400_000;
/**
 * Window mode re-reads a week of start times: CRM activities are often logged or completed days
 * after they happen (a call written up the next day, meeting notes after the weekly sync).
 */
const DEFAULT_WINDOW_LOOKBACK_MS = 7 * DAY_MS;
/** How long an account's metadata answer is trusted before it is asked again. */
const DEFAULT_META_TTL_MS = 60 * 60_000;
/** Truto: "date range should not exceed one year" (some integrations); 365 days never exceeds it. */
const MAX_WINDOW_MS = 365 * DAY_MS;
const PATH = '/unified/crm/engagements';
/** `engagement_type` values Truto documents as list filters. */
const SERVER_KINDS: ReadonlySet<EngagementKind> = new Set([
  'call',
  'chat',
  'email',
  'meeting',
  'task',
]);

/**
 * Truto documents no maximum or default `limit` for unified lists and passes it on to the CRM;
 * 100 is the largest page most of the 21 CRMs behind engagements serve (HubSpot, Close, …).
 */
const MAX_PAGE_SIZE = 100;

/**
 * 50 requests / 10 s per integrated account (https://truto.one/docs/api-reference/overview/rate-limits):
 * a steady 5 requests/s. The burst stays at 5, because a token bucket lets `burst` extra requests
 * through in any 10 s window (a burst of 50 would allow 100).
 */
const DEFAULT_RATE_LIMIT = { requestsPerSecond: 5, burst: 5 } as const;

/** What the adapter can do; filters marked `'server'` fall back to client-side for several values. */
export const TRUTO_CAPABILITIES: AdapterCapabilities = {
  operations: { list: true, get: true, create: true, update: true, delete: true, count: false },
  filters: {
    from: 'server',
    to: 'server',
    kinds: 'server',
    // Truto has no direction filter; `missed` reads as inbound (docs/unified-model.md).
    directions: 'client',
    participantIds: 'server',
    accountIds: 'server',
    ownerIds: 'server',
  },
  maxPageSize: MAX_PAGE_SIZE,
  defaultPageSize: MAX_PAGE_SIZE,
  maxWindowMs: MAX_WINDOW_MS,
  backwardsPaging: false,
  ordering: 'unordered',
  createKinds: TRUTO_CREATE_KINDS,
  // What an 'auto' adapter can promise before it has asked the account (see `changesMode()`).
  changes: { mode: 'window', deletes: 'webhook', lookbackMs: DEFAULT_WINDOW_LOOKBACK_MS },
};

/** Options of {@link createTrutoAdapter}. */
export interface TrutoAdapterOptions extends HttpOptions {
  /**
   * A Truto API token (environment-scoped, backend only), at least 8 characters; sent as
   * `Authorization: Bearer …`.
   * @default process.env.TRUTO_TOKEN
   */
  token?: string | undefined;
  /**
   * The integrated account (the end user's connected CRM) every call goes to.
   * @default process.env.TRUTO_INTEGRATED_ACCOUNT_ID
   */
  integratedAccountId?: string | undefined;
  /**
   * The API root: `https:`, or plain `http:` only on loopback hosts (or with `allowInsecureHttp`).
   * @default process.env.TRUTO_BASE_URL, else 'https://api.truto.one'
   */
  baseUrl?: string | undefined;
  /**
   * Client-side limiter, per adapter (so per integrated account); `false` turns it off.
   * @default { requestsPerSecond: 5, burst: 5 } (Truto: 50 requests / 10 s per integrated account)
   */
  rateLimit?: HttpOptions['rateLimit'];
  /**
   * The unit of Truto's `duration`, read and written. Truto's schema calls it a string and names no
   * unit; the connected CRM decides (HubSpot counts milliseconds). Clock (`00:01:30`) and ISO 8601
   * (`PT1M30S`) values are read as they say whatever this is.
   * @default 'seconds'
   */
  durationUnit?: TrutoDurationUnit | undefined;
  /**
   * How `engagements.changes()` finds changes:
   * - `'modified'`: Truto's `updated_at` filter, so edits to engagements of any age are found (the
   *   account's integration must support it, or listings fail with `CapabilityError`);
   * - `'window'`: start times from the previous run's start minus `changesWindowLookbackMs`, so an
   *   edit to an engagement that started earlier is not seen;
   * - `'auto'`: asks the account's metadata (`GET /unified/crm/engagements/meta/list`, cached for
   *   `changesMetaTtlMs`) at the first `changes()` iteration, with that feed's per-call `request`
   *   options (its `beforeRequest` holds the request back like a listing's), and uses `'modified'`
   *   when it lists `updated_at`, else `'window'`. `capabilities.changes.mode` then says
   *   `'window'` (what is promised before asking); `await adapter.changesMode()` and `feed.mode`
   *   say what is used.
   * @default 'auto'
   */
  changes?: TrutoChangesMode | undefined;
  /**
   * Window mode: how far before the previous run's start each run reads start times again, in ms
   * (at most 365 days).
   * @default 604800000 (7 days)
   */
  changesWindowLookbackMs?: number | undefined;
  /**
   * `'auto'`: how long the account's metadata answer is kept, in ms (at most 1 day); `0` asks at
   * every feed iteration.
   * @default 3600000 (1 hour)
   */
  changesMetaTtlMs?: number | undefined;
}

const OptionsSchema = HttpOptionsSchema.extend({
  token: z.string().trim().optional(),
  integratedAccountId: z.string().trim().optional(),
  durationUnit: z.enum(['seconds', 'milliseconds']).optional(),
  changes: z.enum(['auto', 'modified', 'window']).optional(),
  changesWindowLookbackMs: z
    .number()
    .int()
    .positive()
    .max(365 * DAY_MS)
    .optional(),
  changesMetaTtlMs: z.number().int().nonnegative().max(DAY_MS).optional(),
}).strict();

/** The id of a raw Truto record, when it is one a listing could report (exact). */
function trutoIdOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  if (typeof id === 'string') return id;
  return Number.isSafeInteger(id) ? String(id) : undefined;
}

/** The caller's `Idempotency-Key` header (any casing) or a fresh one, reused by every retry. */
function idempotency(options: RequestOptions | undefined): {
  key: string;
  options: RequestOptions | undefined;
} {
  if (!options?.headers) return { key: randomUUID(), options };
  const headers: Record<string, string> = {};
  let key: string | undefined;
  for (const [name, value] of Object.entries(options.headers)) {
    if (name.toLowerCase() === 'idempotency-key') key = value;
    else headers[name] = value;
  }
  return { key: key || randomUUID(), options: { ...options, headers } };
}

type Predicate = (e: Engagement) => boolean;
const iso = (ms: number) => new Date(ms).toISOString();

/** The Truto adapter: the unified engagements API plus `webhooks()` and `changesMode()`. */
export type TrutoAdapter = Omit<EngagementAdapter, 'engagements'> & {
  engagements: Omit<EngagementsResource, 'changes'> & {
    /** The change feed; its `mode` says how it reads (see `TrutoAdapterOptions.changes`). */
    changes(params: ChangeFeedParams): TrutoChangeFeed;
  };
  /** A verified-webhook source for `createWebhookReceiver` (see `createTrutoWebhookSource`). */
  webhooks(options: TrutoWebhooksOptions): WebhookSource;
  /**
   * The mode `changes()` uses for this integrated account: the `changes` option, or with `'auto'`
   * the account's metadata (one request, then cached for `changesMetaTtlMs`). A failed metadata
   * request rejects with its typed error (`ApiError`, `ResponseValidationError`…) and is not cached.
   */
  changesMode(options?: { signal?: AbortSignal | undefined }): Promise<'modified' | 'window'>;
};

/**
 * The Truto unified CRM engagements adapter (`GET/POST /unified/crm/engagements`,
 * `GET/PATCH/DELETE /unified/crm/engagements/{id}`) for one integrated account.
 *
 * @example
 * const truto = createTrutoAdapter({ token: process.env.TRUTO_TOKEN!, integratedAccountId });
 * for await (const e of truto.engagements.list({ kinds: ['call'], from: '2026-01-01' })) {}
 */
export function createTrutoAdapter(options: TrutoAdapterOptions = {}): TrutoAdapter {
  const {
    token = '',
    integratedAccountId = '',
    baseUrl,
  } = parseAdapterOptions(OptionsSchema, options, {
    provider: PROVIDER,
    env: {
      token: 'TRUTO_TOKEN',
      integratedAccountId: 'TRUTO_INTEGRATED_ACCOUNT_ID',
      baseUrl: 'TRUTO_BASE_URL',
    },
    required: () => ['token', 'integratedAccountId'],
    secrets: ['token'],
  });
  const {
    token: _token,
    integratedAccountId: _integratedAccountId,
    baseUrl: _baseUrl,
    rateLimit,
    durationUnit,
    changes: changesOption = 'auto',
    changesWindowLookbackMs = DEFAULT_WINDOW_LOOKBACK_MS,
    changesMetaTtlMs = DEFAULT_META_TTL_MS,
    ...http
  } = options;
  const units = { durationUnit: durationUnit ?? 'seconds' } as const;
  const transport = createTransport({
    ...http,
    provider: PROVIDER,
    baseUrl: baseUrl ?? 'https://api.truto.one',
    auth: bearerAuth(token),
    parseError: createErrorParser(integratedAccountId),
    isRetryable,
    rateLimit: rateLimit === undefined ? DEFAULT_RATE_LIMIT : rateLimit,
  });
  const account = { integrated_account_id: integratedAccountId };
  const fixedMode: TrutoFeedMode | undefined = changesOption === 'auto' ? undefined : changesOption;
  const changeCapabilities = (mode: TrutoFeedMode): ChangeCapabilities =>
    mode === 'modified'
      ? { mode, deletes: 'webhook', lookbackMs: DEFAULT_MODIFIED_LOOKBACK_MS }
      : { mode, deletes: 'webhook', lookbackMs: changesWindowLookbackMs };
  const capabilities: AdapterCapabilities = {
    ...TRUTO_CAPABILITIES,
    changes: changeCapabilities(fixedMode ?? 'window'),
  };
  const recordPath = (remoteId: string) => `${PATH}/${encodeURIComponent(remoteId)}`;

  /** Unified filters → Truto query parameters, plus what has to be checked client-side. */
  function plan(p: NormalizedListParams) {
    checkNativeListParams(p.native);
    const query: Record<string, QueryValue> = { ...account, limit: p.pageSize };
    const local: Predicate[] = [];
    let impossible = false;

    if (p.kinds) {
      // sms/video/social/survey never come out of the mapper: asking for only those yields nothing.
      const possible = p.kinds.filter((k) => TRUTO_KINDS.includes(k));
      const [only] = possible;
      if (only === undefined) impossible = true;
      else if (possible.length === 1 && SERVER_KINDS.has(only)) query.engagement_type = only;
      else local.push((e) => possible.includes(e.kind));
    }
    // Truto's relation filters take one id (`contact[id]=…`); several ids are matched here.
    const relation = (
      ids: string[] | undefined,
      param: string,
      matches: (e: Engagement, ids: string[]) => boolean,
    ) => {
      if (!ids) return;
      if (ids.length === 1) query[param] = ids[0];
      else local.push((e) => matches(e, ids));
    };
    relation(p.participantIds, 'contact[id]', (e, ids) =>
      e.participants.some((x) => x.role === 'contact' && x.id !== undefined && ids.includes(x.id)),
    );
    relation(p.accountIds, 'account[id]', (e, ids) =>
      e.related.some((r) => r.type === 'account' && ids.includes(r.id)),
    );
    relation(p.ownerIds, 'owner[id]', (e, ids) =>
      e.participants.some((x) => x.role === 'owner' && x.id !== undefined && ids.includes(x.id)),
    );
    // Both bounds: the engine slices [from, to) into windows of at most a year. One bound: it is
    // sent alone and enforced here, half-open like everywhere else.
    const range =
      p.from && p.to
        ? {
            from: p.from.getTime(),
            to: p.to.getTime(),
            maxWindowMs: MAX_WINDOW_MS,
            timeOf: (e: Engagement) => isoUtcMs(e.occurredAt),
          }
        : undefined;
    if (!range && p.from) {
      const from = p.from.getTime();
      query.start_time = iso(from);
      local.push((e) => Date.parse(e.occurredAt) >= from);
    }
    if (!range && p.to) {
      const to = p.to.getTime();
      query.end_time = iso(to);
      local.push((e) => Date.parse(e.occurredAt) < to);
    }
    if (!p.includeRaw) query.truto_ignore_remote_data = true;
    Object.assign(query, flattenQuery(p.native));

    const filters = p.clientFilter ? [p.clientFilter, ...local] : local;
    const filter: Predicate | undefined =
      filters.length > 0 ? (e) => filters.every((f) => f(e)) : undefined;
    return { query, range, filter, impossible };
  }

  function list(p: NormalizedListParams) {
    const { query, range, filter, impossible } = plan(p);
    return paginate<Engagement>({
      provider: PROVIDER,
      fingerprint: p.fingerprint,
      cursor: p.cursor,
      range,
      filter,
      maxPages: p.maxPages,
      prefetch: p.prefetch,
      signal: p.signal,
      cursorSecret: options.cursorSecret,
      onInvalidRecord: p.onInvalidRecord,
      maxEmptyPages: p.maxEmptyPages,
      // The never-twice guard hashes every id: the vendor id is a flat string, while `id` is a
      // fresh concatenation each lookup must flatten first. Same identity.
      idOf: (e) => e.remoteId,
      async fetchPage({ token: nextCursor, window, direction, signal }) {
        const mapOptions = { includeRaw: p.includeRaw, path: 'result', ...units };
        if (impossible) return { items: [], done: true };
        if (direction === 'before') {
          throw new CapabilityError('backwardsPaging', 'Truto lists page forwards only.', {
            provider: PROVIDER,
          });
        }
        const q: Record<string, QueryValue> = { ...query };
        if (window) {
          q.start_time = iso(window.from);
          q.end_time = iso(window.to);
        }
        if (nextCursor !== undefined) q.next_cursor = nextCursor;
        const { data } = await translated('list', () =>
          transport.request({
            method: 'GET',
            path: PATH,
            query: q,
            schema: TrutoEngagementListEnvelopeSchema,
            operation: 'engagements.list',
            options: { ...p.request, signal },
          }),
        );
        // Record by record: one unreadable record is reported to the engine, not the whole page.
        const readRecord = recordReader(TrutoEngagementSchema, {
          provider: PROVIDER,
          what: 'engagements.list record',
          path: 'result',
        });
        const { items, invalid } = readRecords(data.result, {
          provider: PROVIDER,
          path: ['result'],
          read: (raw, i) => mapTrutoEngagement(readRecord(raw, i), mapOptions, i),
          remoteIdOf: trutoIdOf,
        });
        return { items, invalid, nextToken: data.next_cursor };
      },
    });
  }

  async function get(remoteId: string, opts?: RequestOptions) {
    const { data } = await translated('get', () =>
      transport.request({
        method: 'GET',
        path: recordPath(remoteId),
        query: account,
        schema: TrutoEngagementSchema,
        operation: 'engagements.get',
        options: opts,
      }),
    );
    return mapTrutoEngagement(data as TrutoEngagement, units);
  }

  /** A write with an `Idempotency-Key`: Truto replays the first answer, so retries are safe. */
  async function write(
    operation: 'create' | 'update',
    method: 'POST' | 'PATCH',
    path: string,
    body: unknown,
    opts: RequestOptions | undefined,
  ) {
    const { key, options: rest } = idempotency(opts);
    const { data } = await translated(operation, () =>
      transport.request({
        method,
        path,
        query: account,
        body,
        headers: { 'Idempotency-Key': key },
        schema: TrutoEngagementSchema,
        operation: `engagements.${operation}`,
        idempotent: true,
        options: rest,
      }),
    );
    return mapTrutoEngagement(data as TrutoEngagement, units);
  }

  const adapter = defineAdapter({
    id: PROVIDER,
    capabilities,
    remoteIdInPath: true,
    engagements: {
      list,
      get,
      create: (input, opts) => write('create', 'POST', PATH, toTrutoWriteBody(input, units), opts),
      update: (remoteId, patch, opts) =>
        write('update', 'PATCH', recordPath(remoteId), toTrutoWriteBody(patch, units), opts),
      async delete(remoteId, opts) {
        const { key, options: rest } = idempotency(opts);
        await translated('delete', () =>
          transport.request({
            method: 'DELETE',
            path: recordPath(remoteId),
            query: account,
            headers: { 'Idempotency-Key': key },
            schema: TrutoDeleteResponseSchema,
            operation: 'engagements.delete',
            idempotent: true,
            options: rest,
          }),
        );
      },
    },
  });
  const webhooks = (webhookOptions: TrutoWebhooksOptions) =>
    createTrutoWebhookSource(webhookOptions, {
      get: (remoteId, opts) => adapter.engagements.get(remoteId, opts),
      integratedAccountId,
      durationUnit: units.durationUnit,
    });

  const updatedAt = new UpdatedAtSupport(async (request) => {
    const { data } = await translated('meta', () =>
      transport.request({
        method: 'GET',
        path: LIST_META_PATH,
        query: account,
        schema: TrutoListMetaSchema,
        operation: 'engagements.meta',
        // The feed's per-call options (its beforeRequest: a shared rate limit counts this request).
        options: request,
      }),
    );
    return supportsUpdatedAt(data);
  }, changesMetaTtlMs);
  const modeOf = (supported: boolean): TrutoFeedMode => (supported ? 'modified' : 'window');
  const sources = {
    modified: createChangeSource('modified', capabilities, list),
    window: createChangeSource('window', capabilities, list),
  };
  const feedContext: TrutoFeedContext = {
    fixed: fixedMode,
    cached: () => {
      const known = updatedAt.peek();
      return known === undefined ? undefined : modeOf(known);
    },
    resolve: async (signal, request) => fixedMode ?? modeOf(await updatedAt.get(signal, request)),
    invalidate: () => updatedAt.invalidate(),
    capabilities: changeCapabilities,
    source: (mode) => sources[mode],
    checkListParams: (params) => {
      normalizeListParams(PROVIDER, capabilities, {
        pageSize: params.pageSize,
        kinds: params.kinds,
      });
    },
    integratedAccountId,
  };
  const engagements = {
    ...adapter.engagements,
    changes: (params: ChangeFeedParams) => new TrutoChangeFeed(feedContext, params),
  };
  const changesMode = async (opts: { signal?: AbortSignal | undefined } = {}) =>
    feedContext.resolve(opts.signal);
  return { ...adapter, engagements, webhooks, changesMode };
}
