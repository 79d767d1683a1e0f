import {
  type AdapterCapabilities,
  CapabilityError,
  ConnectionError,
  type CreateEngagementInput,
  type Engagement,
  type EngagementAdapter,
  type EngagementKind,
  type EngagementsResource,
  type HttpOptions,
  type InputIssue,
  type ListEngagementsParams,
  PageIterator,
  type RateLimitOptions,
  ServerError,
  type Tag,
  type UpdateEngagementInput,
  type WebhookSource,
} from '@engagekit/core';
import {
  bearerAuth,
  createTransport,
  defineAdapter,
  fingerprintParams,
  HttpOptionsSchema,
  type NormalizedListParams,
  normalizeListParams,
  paginate,
  parseAdapterOptions,
  parseInput,
  type QueryValue,
  type RequestOptions,
  reservedNativeKey,
  toInputIssues,
  toIsoUtcStrict,
} from '@engagekit/core/adapter';
import { z } from 'zod';
import {
  ChangesLookbackSchema,
  DEFAULT_CHANGES_LOOKBACK_MS,
  devrevChangeCapabilities,
  devrevChangeSource,
} from './changes';
import { EarlyStop } from './early-stop';
import { parseDevRevError } from './errors';
import { PROVIDER, relatedOf } from './map/common';
import {
  CREATE_TYPE_BY_KIND,
  KIND_BY_TYPE,
  mapEngagement,
  typesForKinds,
  typesOfKind,
} from './map/engagement';
import { fetchConversationsPage, fetchEngagementsPage } from './pages';
import { joinList, queryValue, throwIssues } from './query';
import { createDevRevWebhookSource, type DevRevWebhooksOptions } from './webhooks';
import {
  DEVREV_ENGAGEMENT_TYPES,
  type DevRevEngagement,
  EngagementResponseSchema,
  EngagementsCountResponseSchema,
  EngagementsDeleteResponseSchema,
  EngagementsListResponseSchema,
} from './wire/engagement';

/** Options of `createDevRevAdapter`. */
export interface DevRevAdapterOptions extends HttpOptions {
  /**
   * A DevRev token (personal access token, AAT, …), at least 8 characters. Sent as
   * `Authorization: Bearer <token>`; a value that already starts with `Bearer ` is sent as is.
   * @default process.env.DEVREV_TOKEN
   */
  token?: string | undefined;
  /**
   * The DevRev API root: `https:`, or plain `http:` only on loopback hosts (or with `allowInsecureHttp`).
   * @default process.env.DEVREV_BASE_URL, else 'https://api.devrev.ai'
   */
  baseUrl?: string | undefined;
  /**
   * Client-side rate limiter (DevRev publishes no quota). `X-Ratelimit-Remaining: 0` pauses it
   * until `X-Ratelimit-Reset`; `false` turns it (and that pause) off.
   * @default { requestsPerSecond: 10, burst: 20 }
   */
  rateLimit?: RateLimitOptions | false | undefined;
  /**
   * How far before the previous run's start `engagements.changes()` reads again, in ms: a margin
   * for the clock difference between DevRev and this machine and for writes in flight while a run
   * starts. Whole ms from 0 to 7 days; each run re-reads (and compares) what changed in it, so a
   * longer lookback costs requests, and 0 is safe only when both clocks agree.
   * @default 300_000 (5 minutes)
   */
  changesLookbackMs?: number | undefined;
}

/** Parameters of `conversations.list()`: the unified list params plus DevRev conversation filters. */
export interface DevRevConversationsListParams extends Omit<ListEngagementsParams, 'kinds'> {
  /** Only `'chat'` matches: conversations are chats. */
  kinds?: readonly EngagementKind[] | undefined;
  /** DevRev `state` filter (e.g. `['open']`). */
  states?: readonly string[] | undefined;
  /** DevRev `source_channel` filter (e.g. `['email', 'slack']`). */
  sourceChannels?: readonly string[] | undefined;
  /** DevRev `tags_v2` filter: tag ids, with an optional value. */
  tags?: readonly { id: string; value?: string | undefined }[] | undefined;
}

/** DevRev conversations (`POST /conversations.list`), mapped to engagements of kind `'chat'`. */
export interface DevRevConversationsResource {
  list(params?: DevRevConversationsListParams): PageIterator<Engagement>;
}

/** The unified engagement operations plus DevRev's lookup by `external_ref`. */
export interface DevRevEngagementsResource extends EngagementsResource {
  /**
   * `POST /engagements.create` (beta). DevRev's create accepts only the engagement types `call`,
   * `default`, `email`, `linked_in` and `offline`, so `kind: 'meeting'` is sent as
   * `engagement_type: 'offline'` (DevRev's in-person meeting; it reads back as kind `'meeting'`),
   * `social` as `linked_in` and `other` as `default`. A 5xx or a lost connection is not retried,
   * since the engagement may have been written, unless the input has an `externalRef`: then
   * engagekit looks the reference up first and returns the engagement the failed attempt wrote,
   * else sends again (at most `maxRetries` times).
   */
  create(input: CreateEngagementInput, options?: RequestOptions): Promise<Engagement>;
  /**
   * The engagement whose `external_ref` is `ref` (`POST /engagements.list` with an
   * `external_ref` filter), or `undefined` when there is none. DevRev does not make the reference
   * unique: with several, the first DevRev lists is returned.
   */
  findByExternalRef(ref: string, options?: RequestOptions): Promise<Engagement | undefined>;
}

/** The DevRev adapter: the unified engagements API (plus `findByExternalRef`) and `conversations`. */
export type DevRevAdapter = Omit<EngagementAdapter, 'engagements'> & {
  readonly engagements: DevRevEngagementsResource;
  conversations: DevRevConversationsResource;
  /** A verified-webhook source for `createWebhookReceiver` (see `createDevRevWebhookSource`). */
  webhooks(options: DevRevWebhooksOptions): WebhookSource;
};

const DEFAULT_BASE_URL = 'https://api.devrev.ai';
/** The transport's default, for the create-by-reference retries the adapter runs itself. */
const DEFAULT_MAX_RETRIES = 3;
const ExternalRefSchema = z.string().trim().min(1, 'must be a non-empty string');
const DEFAULT_RATE_LIMIT: RateLimitOptions = { requestsPerSecond: 10, burst: 20 };
const CREATE_KINDS = Object.keys(CREATE_TYPE_BY_KIND) as EngagementKind[];

/** What the DevRev adapter supports; `from`/`to` are applied by engagekit (DevRev has no date filter). */
export const DEVREV_CAPABILITIES: AdapterCapabilities = {
  operations: { list: true, get: true, create: true, update: true, delete: true, count: true },
  filters: {
    from: 'client',
    to: 'client',
    // Pushed down as `type` where that is exact; always re-checked, since unknown and missing
    // `engagement_type`s (kind 'other') cannot be asked for.
    kinds: 'client',
    participantIds: 'server',
    accountIds: 'server',
    // DevRev engagements carry no direction: a directions filter matches nothing, unasked.
    directions: 'client',
  },
  maxPageSize: 100,
  defaultPageSize: 50,
  backwardsPaging: true,
  // occurredAt is scheduled_date-else-created_date, an order DevRev cannot sort by.
  ordering: 'unordered',
  createKinds: CREATE_KINDS,
  changes: devrevChangeCapabilities(DEFAULT_CHANGES_LOOKBACK_MS),
};

const CONVERSATION_CAPABILITIES: AdapterCapabilities = {
  ...DEVREV_CAPABILITIES,
  filters: {
    from: 'client',
    to: 'client',
    kinds: 'client',
    directions: 'client',
    participantIds: 'server',
    ownerIds: 'server',
    // The beta `account` filter of conversations.list.
    accountIds: 'server',
  },
};

const OptionsSchema = HttpOptionsSchema.extend({
  token: z.string().trim().optional(),
  changesLookbackMs: ChangesLookbackSchema.optional(),
}).strict();

const issue = (path: string, rule: string, message: string): InputIssue => ({
  path,
  rule,
  message,
});

/** `participantIds` → `members`, `accountIds` → `parent` (comma-joined, set only when given). */
function unifiedQuery(params: NormalizedListParams): Record<string, string> {
  return {
    ...(params.participantIds ? { members: joinList(params.participantIds) } : {}),
    ...(params.accountIds ? { parent: joinList(params.accountIds) } : {}),
  };
}

interface NativeSplit {
  query: Record<string, QueryValue>;
  direction: 'after' | 'before';
  sortBy: unknown;
}

/**
 * Checks `native` the same way for every DevRev list: reserved keys, conflicts with unified params
 * (`taken`), and `mode`. Returns the entries to pass through and the direction; throws the issues.
 */
function readNative(
  native: Record<string, unknown>,
  taken: Record<string, unknown>,
): { entries: [string, unknown][]; direction: 'after' | 'before' } {
  const issues: InputIssue[] = [];
  const entries: [string, unknown][] = [];
  let direction: 'after' | 'before' = 'after';
  const takenKeys = Object.keys(taken).filter((k) => taken[k]);
  for (const [key, value] of Object.entries(native)) {
    // `CURSOR` or `limit[]` must not slip past the checks for `cursor` and `limit`.
    const reserved = reservedNativeKey(key, ['cursor', 'limit', 'mode']);
    if (reserved === 'cursor' || reserved === 'limit') {
      issues.push(
        issue(
          `native.${key}`,
          'reserved',
          `use ${reserved === 'cursor' ? 'cursor' : 'pageSize'} instead`,
        ),
      );
    } else if (reservedNativeKey(key, takenKeys)) {
      issues.push(
        issue(`native.${key}`, 'conflict', 'also set through a unified parameter; use one of them'),
      );
    } else if (reserved === 'mode' && key !== 'mode') {
      issues.push(issue(`native.${key}`, 'reserved', 'write it as `mode`'));
    } else if (key === 'mode') {
      if (value === 'after' || value === 'before') direction = value;
      else if (value !== undefined)
        issues.push(issue('native.mode', 'invalid_value', "mode must be 'after' or 'before'"));
    } else entries.push([key, value]);
  }
  throwIssues(issues);
  return { entries, direction };
}

/** Reads `native` for a GET list/count into query values. */
function splitNative(
  native: Record<string, unknown>,
  taken: Record<string, boolean>,
  options: { dropListOnly?: boolean } = {},
): NativeSplit {
  const { entries, direction } = readNative(native, taken);
  const query: Record<string, QueryValue> = {};
  for (const [key, value] of entries) {
    if (options.dropListOnly && key === 'sort_by') continue;
    const text = queryValue(key, value);
    if (text !== undefined) query[key] = text;
  }
  return { query, direction, sortBy: native.sort_by };
}

/**
 * Creates the DevRev adapter (`id: 'devrev'`): engagements (beta API) and conversations.
 *
 * ```ts
 * const devrev = createDevRevAdapter(); // token from DEVREV_TOKEN
 * for await (const e of devrev.engagements.list({ from: '2026-01-01' })) console.log(e.subject);
 * ```
 * Throws `InputValidationError` for invalid options (unknown keys name the option meant).
 */
export function createDevRevAdapter(options: DevRevAdapterOptions = {}): DevRevAdapter {
  const {
    token = '',
    baseUrl,
    changesLookbackMs = DEFAULT_CHANGES_LOOKBACK_MS,
  } = parseAdapterOptions(OptionsSchema, options, {
    provider: PROVIDER,
    env: { token: 'DEVREV_TOKEN', baseUrl: 'DEVREV_BASE_URL' },
    required: () => ['token'],
    secrets: ['token'],
  });
  const {
    rateLimit,
    headers,
    hooks,
    beforeRequest,
    timeoutMs,
    maxRetries,
    signal,
    maxRetryWaitMs,
    maxResponseBytes,
  } = options;
  const userHeaders = Object.fromEntries(
    Object.entries(headers ?? {}).filter(([k]) => k.toLowerCase() !== 'x-devrev-scope'),
  );
  const transport = createTransport({
    provider: PROVIDER,
    baseUrl: baseUrl ?? DEFAULT_BASE_URL,
    auth: bearerAuth(token.trim()),
    parseError: parseDevRevError,
    rateLimit: rateLimit === undefined ? DEFAULT_RATE_LIMIT : rateLimit,
    hooks,
    beforeRequest,
    timeoutMs,
    maxRetries,
    signal,
    maxRetryWaitMs,
    maxResponseBytes,
    // Engagements exist only in DevRev's beta API, which needs this header.
    headers: { ...userHeaders, 'X-Devrev-Scope': 'beta' },
  });

  const callOptions = (p: NormalizedListParams): RequestOptions => ({
    ...p.request,
    signal: p.signal,
  });

  function listEngagements(params: NormalizedListParams): PageIterator<Engagement> {
    const types = typesForKinds(params.kinds);
    const {
      query: nativeQuery,
      direction,
      sortBy,
    } = splitNative(params.native, {
      type: types !== undefined,
      members: params.participantIds !== undefined,
      parent: params.accountIds !== undefined,
    });
    const base: Record<string, QueryValue> = {
      ...nativeQuery,
      ...unifiedQuery(params),
      ...(types?.length ? { type: joinList(types) } : {}),
      limit: params.pageSize,
    };
    const early = new EarlyStop(sortBy, params.from, params.to);
    return paginate<Engagement>({
      provider: PROVIDER,
      fingerprint: params.fingerprint,
      cursor: params.cursor,
      direction,
      filter: params.clientFilter,
      maxPages: params.maxPages,
      prefetch: params.prefetch,
      signal: params.signal,
      cursorSecret: options.cursorSecret,
      onInvalidRecord: params.onInvalidRecord,
      maxEmptyPages: params.maxEmptyPages,
      // The never-twice guard hashes every id: the DON is a flat string, while `id` is a fresh
      // concatenation each lookup must flatten first. Same identity.
      idOf: (e) => e.remoteId,
      async fetchPage({ token: cursor, direction: dir, signal: pageSignal }) {
        // Only kinds DevRev has no type for (e.g. 'sms'): nothing can match, so ask nothing.
        if (types !== undefined && types.length === 0) return { items: [], done: true };
        if (params.directions) return { items: [], done: true };
        const read: DevRevEngagement[] = [];
        const page = await fetchEngagementsPage(
          transport,
          { ...base, cursor, mode: dir === 'before' ? 'before' : undefined },
          { ...callOptions(params), signal: pageSignal },
          params.includeRaw,
          (record) => read.push(record),
        );
        const continuation = dir === 'after' ? page.nextCursor : page.prevCursor;
        return {
          items: page.items,
          invalid: page.invalid,
          nextToken: page.nextCursor,
          prevToken: page.prevCursor,
          done: early.observe(read, dir, cursor, continuation),
        };
      },
    });
  }

  async function countEngagements(params: NormalizedListParams): Promise<number> {
    for (const bound of ['from', 'to'] as const) {
      if (params[bound]) {
        throw new CapabilityError(
          `count:${bound}`,
          'DevRev cannot count by date (engagements.count has no date filter); list with from/to and count the items instead.',
          { provider: PROVIDER },
        );
      }
    }
    if (params.directions) return 0;
    const kinds = params.kinds;
    const { query: nativeQuery } = splitNative(
      params.native,
      {
        type: kinds !== undefined,
        members: params.participantIds !== undefined,
        parent: params.accountIds !== undefined,
      },
      { dropListOnly: true },
    );
    const base: Record<string, QueryValue> = { ...nativeQuery, ...unifiedQuery(params) };
    const count = async (types: readonly string[] | undefined) => {
      const { data } = await transport.request({
        method: 'GET',
        path: '/engagements.count',
        query: { ...base, ...(types ? { type: joinList(types) } : {}) },
        schema: EngagementsCountResponseSchema,
        operation: 'engagements.count',
        options: callOptions(params),
      });
      return data.count;
    };
    if (!kinds) return count(undefined);
    if (!kinds.includes('other')) {
      const types = kinds.flatMap(typesOfKind);
      return types.length ? count(types) : 0;
    }
    // 'other' also covers unknown and missing types, which no filter can name: count everything
    // and subtract the known types of the kinds not asked for.
    const excluded = DEVREV_ENGAGEMENT_TYPES.filter((t) => !kinds.includes(KIND_BY_TYPE[t]));
    const [total, rest] = await Promise.all([
      count(undefined),
      excluded.length ? count(excluded) : Promise.resolve(0),
    ]);
    return Math.max(0, total - rest);
  }

  async function getEngagement(remoteId: string, opts?: RequestOptions): Promise<Engagement> {
    const { data } = await transport.request({
      method: 'GET',
      path: '/engagements.get',
      query: { id: remoteId },
      schema: EngagementResponseSchema,
      operation: 'engagements.get',
      options: opts,
    });
    return mapEngagement(data.engagement, { includeRaw: true, path: 'engagement' });
  }

  /** Maps a write's response; fields the (spec-minimal) response lacks come from what was sent. */
  function mapWritten(record: DevRevEngagement, sent: Record<string, unknown>): Engagement {
    const echo: Record<string, unknown> = {};
    for (const key of ['title', 'description', 'engagement_type', 'external_ref', 'external_url']) {
      if (typeof sent[key] === 'string') echo[key] = sent[key];
    }
    const scheduled = typeof sent.scheduled_date === 'string' ? sent.scheduled_date : undefined;
    const engagement = mapEngagement({ ...echo, ...record } as DevRevEngagement, {
      includeRaw: false,
      path: 'engagement',
      fallbackOccurredAt: scheduled,
    });
    const members = Array.isArray(sent.members)
      ? sent.members
      : (sent.members as { set?: string[] } | undefined)?.set;
    if (!record.members && members) {
      engagement.participants = [
        ...members.map((id) => ({ id: String(id), role: 'member' })),
        ...engagement.participants,
      ];
    }
    const parents = Array.isArray(sent.parents)
      ? sent.parents
      : (sent.parents as { set?: string[] } | undefined)?.set;
    if (!record.parents && !record.parent && parents) {
      engagement.related = parents.map((id) => relatedOf(String(id)));
    }
    const tags = Array.isArray(sent.tags)
      ? sent.tags
      : (sent.tags as { set?: Tag[] } | undefined)?.set;
    if (!record.tags && tags) engagement.tags = tags.map((t) => ({ ...t }));
    engagement.raw = record;
    return engagement;
  }

  /** The first engagement DevRev lists for `external_ref = ref` (a read: safe to repeat). */
  async function findRecordByExternalRef(
    ref: string,
    opts: RequestOptions | undefined,
  ): Promise<DevRevEngagement | undefined> {
    // The POST form: a JSON array holds any reference, commas and quotes included.
    const { data } = await transport.request({
      method: 'POST',
      path: '/engagements.list',
      body: { external_ref: [ref], limit: 10 },
      schema: EngagementsListResponseSchema,
      operation: 'engagements.findByExternalRef',
      idempotent: true,
      options: opts,
    });
    return data.engagements.find(
      (e) => e.external_ref === undefined || e.external_ref === null || e.external_ref === ref,
    );
  }

  async function findByExternalRef(
    ref: string,
    opts?: RequestOptions,
  ): Promise<Engagement | undefined> {
    const externalRef = parseInput(ExternalRefSchema, ref, {
      provider: PROVIDER,
      prefix: 'externalRef',
    });
    const record = await findRecordByExternalRef(externalRef, opts);
    return record && mapEngagement(record, { includeRaw: true, path: 'engagements' });
  }

  /**
   * `POST /engagements.create`. Without `externalRef` a 5xx or a lost connection is not retried
   * (the engagement may have been written); with one, engagekit looks the reference up first and
   * returns the engagement if the failed attempt wrote it, else sends again (up to `maxRetries`).
   * `kind: 'meeting'` is sent as `engagement_type: 'offline'`: DevRev's create accepts only
   * `call`, `default`, `email`, `linked_in` and `offline` (`meeting` engagements come from
   * calendar sync), and an `offline` engagement reads back as kind `'meeting'`.
   */
  async function createEngagement(
    input: CreateEngagementInput,
    opts?: RequestOptions,
  ): Promise<Engagement> {
    const body = buildCreateBody(input);
    const send = async () => {
      const { data } = await transport.request({
        method: 'POST',
        path: '/engagements.create',
        body,
        schema: EngagementResponseSchema,
        operation: 'engagements.create',
        // It may have been written before a 5xx; a 429 proves it was not.
        idempotent: false,
        retryWriteOn: [429],
        options: opts,
      });
      return mapWritten(data.engagement, body);
    };
    const ref = typeof body.external_ref === 'string' ? body.external_ref : undefined;
    if (ref === undefined || ref.trim() === '') return send();
    const attempts = 1 + (opts?.maxRetries ?? maxRetries ?? DEFAULT_MAX_RETRIES);
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const mayBeWritten = error instanceof ServerError || error instanceof ConnectionError;
        if (!mayBeWritten || attempt >= attempts) throw error;
        // A failed lookup leaves the outcome unknown: the create's own error says more.
        const written = await findRecordByExternalRef(ref, opts).catch(() => {
          throw error;
        });
        if (written) return mapWritten(written, body);
      }
    }
  }

  async function updateEngagement(
    remoteId: string,
    patch: UpdateEngagementInput,
    opts?: RequestOptions,
  ): Promise<Engagement> {
    const body = { ...buildUpdateBody(patch), id: remoteId };
    const { data } = await transport.request({
      method: 'POST',
      path: '/engagements.update',
      body,
      schema: EngagementResponseSchema,
      operation: 'engagements.update',
      // Set-style: sending the same update twice leaves the same record.
      idempotent: true,
      options: opts,
    });
    return mapWritten(data.engagement, body);
  }

  async function deleteEngagement(remoteId: string, opts?: RequestOptions): Promise<void> {
    await transport.request({
      method: 'POST',
      path: '/engagements.delete',
      body: { id: remoteId },
      schema: EngagementsDeleteResponseSchema,
      operation: 'engagements.delete',
      // A repeat after a lost success would answer 404; 429 proves nothing was deleted.
      idempotent: false,
      retryWriteOn: [429],
      options: opts,
    });
  }

  function listConversations(params: DevRevConversationsListParams = {}): PageIterator<Engagement> {
    try {
      return conversationsIterator(params);
    } catch (error) {
      return PageIterator.failing<Engagement>(error);
    }
  }

  function conversationsIterator(params: DevRevConversationsListParams): PageIterator<Engagement> {
    const { states, sourceChannels, tags, ...unified } = params;
    const extra = parseInput(
      ConversationFiltersSchema,
      { states, sourceChannels, tags },
      {
        provider: PROVIDER,
      },
    );
    const native: Record<string, unknown> = { ...(unified.native ?? {}) };
    const issues: InputIssue[] = [];
    const fold = (key: string, value: unknown, from: string) => {
      if (value === undefined) return;
      if (native[key] !== undefined) {
        issues.push(
          issue(`native.${key}`, 'conflict', `also set through ${from}; use one of them`),
        );
      }
      native[key] = value;
    };
    fold('state', extra.states, 'states');
    fold('source_channel', extra.sourceChannels, 'sourceChannels');
    fold('tags_v2', extra.tags, 'tags');
    throwIssues(issues);
    const p = normalizeListParams(PROVIDER, CONVERSATION_CAPABILITIES, {
      ...unified,
      native: Object.keys(native).length ? native : unified.native,
    });
    const { entries, direction } = readNative(p.native, {
      members: p.participantIds,
      owned_by: p.ownerIds,
      account: p.accountIds,
      modified_date: p.from,
    });
    const bodyNative: Record<string, unknown> = {};
    for (const [key, value] of entries) if (value !== undefined) bodyNative[key] = value;
    const onlyOtherKinds = p.kinds !== undefined && !p.kinds.includes('chat');
    const body: Record<string, unknown> = {
      ...bodyNative,
      ...(p.participantIds ? { members: p.participantIds } : {}),
      ...(p.ownerIds ? { owned_by: p.ownerIds } : {}),
      ...(p.accountIds ? { account: p.accountIds } : {}),
      // occurredAt is created_date and a conversation is modified no earlier than it is created,
      // so `modified_date.after = from` drops nothing that can match; `to` cannot be pushed down.
      ...(p.from ? { modified_date: { after: p.from.toISOString() } } : {}),
      limit: p.pageSize,
    };
    return paginate<Engagement>({
      provider: PROVIDER,
      // Distinct from engagements.list cursors with the same params.
      fingerprint: fingerprintParams({ resource: 'conversations', params: p.fingerprint }),
      cursor: p.cursor,
      direction,
      filter: p.clientFilter,
      maxPages: p.maxPages,
      prefetch: p.prefetch,
      signal: p.signal,
      cursorSecret: options.cursorSecret,
      onInvalidRecord: p.onInvalidRecord,
      maxEmptyPages: p.maxEmptyPages,
      idOf: (e) => e.remoteId,
      async fetchPage({ token: cursor, direction: dir, signal: pageSignal }) {
        // Conversations carry no direction either.
        if (onlyOtherKinds || p.directions) return { items: [], done: true };
        const page = await fetchConversationsPage(
          transport,
          {
            ...body,
            ...(cursor ? { cursor } : {}),
            ...(dir === 'before' ? { mode: 'before' } : {}),
          },
          { ...callOptions(p), signal: pageSignal },
          p.includeRaw,
        );
        return {
          items: page.items,
          invalid: page.invalid,
          nextToken: page.nextCursor,
          prevToken: page.prevCursor,
        };
      },
    });
  }

  const adapter = defineAdapter(
    {
      id: PROVIDER,
      capabilities: {
        ...DEVREV_CAPABILITIES,
        changes: devrevChangeCapabilities(changesLookbackMs),
      },
      engagements: {
        list: listEngagements,
        count: countEngagements,
        get: getEngagement,
        create: createEngagement,
        update: updateEngagement,
        delete: deleteEngagement,
        changes: devrevChangeSource({
          engagementsPage: (query, opts, includeRaw) =>
            fetchEngagementsPage(transport, query, opts, includeRaw),
          conversationsPage: (body, opts, includeRaw) =>
            fetchConversationsPage(transport, body, opts, includeRaw),
          maxPageSize: DEVREV_CAPABILITIES.maxPageSize,
          defaultPageSize: DEVREV_CAPABILITIES.defaultPageSize,
          cursorSecret: options.cursorSecret,
        }),
      },
    },
    {
      conversations: { list: listConversations } satisfies DevRevConversationsResource,
      webhooks: createDevRevWebhookSource,
    },
  );
  const engagements: DevRevEngagementsResource = Object.assign(adapter.engagements, {
    findByExternalRef,
  });
  return { ...adapter, engagements };
}

const ConversationFiltersSchema = z.object({
  states: z.array(z.string().min(1)).min(1).optional(),
  sourceChannels: z.array(z.string().min(1)).min(1).optional(),
  tags: z
    .array(z.object({ id: z.string().min(1), value: z.string().optional() }).strict())
    .min(1)
    .optional(),
});

const Ids50 = z.array(z.string().min(1)).max(50, 'DevRev accepts at most 50');
const WriteFieldsSchema = z.object({
  subject: z.string().min(1, 'must not be empty').optional(),
  participantIds: Ids50.min(1, 'DevRev needs at least one member').optional(),
  accountIds: Ids50.optional(),
});

/** Unified fields DevRev engagements have no place for. */
const UNSUPPORTED: (keyof CreateEngagementInput)[] = [
  'direction',
  'status',
  'endTime',
  'durationSeconds',
  'ownerId',
];

function unsupportedIssues(input: CreateEngagementInput | UpdateEngagementInput): InputIssue[] {
  return UNSUPPORTED.filter((key) => input[key] !== undefined).map((key) =>
    issue(key, 'unsupported', 'DevRev engagements have no such field'),
  );
}

/** The one rule for dates (`toIsoUtc`): a time without an offset is UTC, never the machine's zone. */
const isoOf = (value: Date | string): string => toIsoUtcStrict(value);

function commonWriteIssues(input: CreateEngagementInput | UpdateEngagementInput): InputIssue[] {
  const result = WriteFieldsSchema.safeParse({
    subject: input.subject,
    participantIds: input.participantIds,
    accountIds: input.accountIds,
  });
  return [...(result.success ? [] : toInputIssues(result.error)), ...unsupportedIssues(input)];
}

/** `engagements-create-request` from the unified input, validated before any request. */
export function buildCreateBody(input: CreateEngagementInput): Record<string, unknown> {
  const issues = commonWriteIssues(input);
  if (input.subject === undefined) {
    issues.push(issue('subject', 'required', 'DevRev requires a title'));
  }
  if (input.participantIds === undefined) {
    issues.push(issue('participantIds', 'required', 'DevRev requires 1 to 50 members'));
  }
  const when = input.occurredAt ?? input.startTime;
  if (when === undefined) {
    issues.push(issue('occurredAt', 'required', 'DevRev requires scheduled_date (occurredAt)'));
  }
  if (input.occurredAt !== undefined && input.startTime !== undefined) {
    if (isoOf(input.occurredAt) !== isoOf(input.startTime)) {
      issues.push(issue('startTime', 'conflict', 'both map to scheduled_date; they must be equal'));
    }
  }
  const type = input.kind === undefined ? undefined : CREATE_TYPE_BY_KIND[input.kind];
  if (input.kind !== undefined && type === undefined) {
    issues.push(
      issue('kind', 'unsupported_kind', `DevRev creates only kinds ${CREATE_KINDS.join(', ')}`),
    );
  }
  throwIssues(issues);
  return {
    ...(input.native ?? {}),
    title: input.subject,
    members: [...(input.participantIds ?? [])],
    scheduled_date: isoOf(when as Date | string),
    ...(type ? { engagement_type: type } : {}),
    ...(input.body !== undefined ? { description: input.body } : {}),
    ...(input.externalRef !== undefined ? { external_ref: input.externalRef } : {}),
    ...(input.externalUrl !== undefined ? { external_url: input.externalUrl } : {}),
    ...(input.accountIds?.length ? { parents: [...input.accountIds] } : {}),
    ...(input.tags?.length ? { tags: input.tags.map(setTag) } : {}),
  };
}

const setTag = (t: Tag) => (t.value !== undefined ? { id: t.id, value: t.value } : { id: t.id });

/** `engagements-update-request` (without `id`): plain fields and DevRev's `{set: [...]}` wrappers. */
export function buildUpdateBody(patch: UpdateEngagementInput): Record<string, unknown> {
  const issues = commonWriteIssues(patch);
  if (patch.kind !== undefined) {
    issues.push(issue('kind', 'not_updatable', 'DevRev cannot change engagement_type'));
  }
  if (patch.occurredAt !== undefined && patch.startTime !== undefined) {
    if (isoOf(patch.occurredAt) !== isoOf(patch.startTime)) {
      issues.push(issue('startTime', 'conflict', 'both map to scheduled_date; they must be equal'));
    }
  }
  throwIssues(issues);
  const when = patch.occurredAt ?? patch.startTime;
  return {
    ...(patch.native ?? {}),
    ...(patch.subject !== undefined ? { title: patch.subject } : {}),
    ...(patch.body !== undefined ? { description: patch.body } : {}),
    ...(when !== undefined ? { scheduled_date: isoOf(when) } : {}),
    ...(patch.externalRef !== undefined ? { external_ref: patch.externalRef } : {}),
    ...(patch.externalUrl !== undefined ? { external_url: patch.externalUrl } : {}),
    ...(patch.participantIds ? { members: { set: [...patch.participantIds] } } : {}),
    ...(patch.accountIds ? { parents: { set: [...patch.accountIds] } } : {}),
    ...(patch.tags ? { tags: { set: patch.tags.map(setTag) } } : {}),
  };
}
