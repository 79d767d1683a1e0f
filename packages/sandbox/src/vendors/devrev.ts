import { randomUUID } from 'node:crypto';
import type { TokenCodec } from '../codec';
import { Collection, type Position } from '../data/collection';
import {
  type ConversationTraits,
  DEVREV_CREATE_TYPES,
  DEVREV_ENGAGEMENT_TYPES,
  type DevRevTraits,
  devrevConversationId,
  devrevConversationSpec,
  devrevEngagementId,
  devrevEngagementSpec,
  devrevUser,
  devrevUserIds,
  type Json,
} from '../data/devrev';
import { keysetPage } from '../data/paging';
import { ChangeStamps } from '../data/stamp';
import type { Timeline } from '../data/timeline';
import { INVALID_JSON, isRecord, json, type Reply, type VendorRequest } from '../http';
import { WindowLimiter } from '../ratelimit';
import type { RetryAfterForm } from '../types';
import { emitChange } from '../webhooks/hub';
import { retryAfterHeader } from './common';

export interface DevRevConfig {
  seed: number;
  timeline: Timeline;
  conversationTimeline: Timeline;
  nowMs: number;
  token: string;
  codec: TokenCodec;
  rateLimit?: { limit: number; windowSeconds: number };
}

const SORT_FIELDS = ['created_date', 'modified_date', 'scheduled_date'] as const;

class DevRevError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message));
  }
}

function badRequest(type: string, message: string, extra: Json = {}): DevRevError {
  return new DevRevError(400, { type, message, detail: message, ...extra });
}

interface CursorPayload {
  k: number;
  id: string;
  s: string;
}

/** Emulates the DevRev beta engagements API and `conversations.list`. */
export class DevRevVendor {
  readonly engagements: Collection<Json, DevRevTraits>;
  readonly conversations: Collection<Json, ConversationTraits>;
  private readonly limiter?: WindowLimiter;
  private created = 0;
  private conversationsCreated = 0;
  private readonly userIds: Set<string>;
  /** Modification times of writes (API and test-control): strictly increasing. */
  readonly stamps: ChangeStamps;

  constructor(private readonly cfg: DevRevConfig) {
    this.stamps = new ChangeStamps(cfg.nowMs);
    this.engagements = new Collection(devrevEngagementSpec(cfg.seed, cfg.timeline, cfg.nowMs));
    this.conversations = new Collection(
      devrevConversationSpec(cfg.seed, cfg.conversationTimeline, cfg.nowMs),
    );
    if (cfg.rateLimit)
      this.limiter = new WindowLimiter(cfg.rateLimit.limit, cfg.rateLimit.windowSeconds * 1000);
    this.userIds = new Set(devrevUserIds(cfg.seed));
  }

  reset(): void {
    this.engagements.reset();
    this.conversations.reset();
    this.limiter?.reset();
    this.created = 0;
    this.conversationsCreated = 0;
    this.stamps.reset();
  }

  /** Index of the next new engagement (its id is `devrevEngagementId(index)`). */
  newEngagementIndex(): number {
    return this.engagements.baseCount + this.created++;
  }

  /** Id of the next new conversation. */
  newConversationId(): string {
    return devrevConversationId(this.conversations.baseCount + this.conversationsCreated++);
  }

  handle(req: VendorRequest): Reply {
    const headers: Record<string, string> = {};
    try {
      this.authenticate(req);
      if (this.limiter) {
        const now = Date.now();
        const w = this.limiter.take(this.cfg.token, now);
        headers['X-Ratelimit-Limit'] = String(this.limiter.limit);
        headers['X-Ratelimit-Remaining'] = String(w.remaining);
        headers['X-Ratelimit-Reset'] = String(Math.ceil(w.resetAt / 1000));
        if (!w.allowed) {
          const wait = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
          headers['Retry-After'] = String(wait);
          throw new DevRevError(429, {
            type: 'too_many_requests',
            message: 'Rate limit exceeded',
            detail: 'Too many requests in the current window',
            retry_after: wait,
          });
        }
      }
      const reply = this.route(req);
      reply.headers = { ...headers, ...reply.headers };
      return reply;
    } catch (err) {
      if (err instanceof DevRevError) return json(err.status, err.body, headers);
      throw err;
    }
  }

  /** Body and headers of an injected failure. */
  faultReply(status: number, form: RetryAfterForm | undefined, seconds = 1): Reply {
    switch (status) {
      case 429: {
        const f = form ?? 'seconds';
        const body: Json = {
          type: 'too_many_requests',
          message: 'Rate limit exceeded',
          detail: 'Too many requests',
        };
        if (f === 'seconds' || f === 'body') body.retry_after = seconds;
        return json(429, body, retryAfterHeader(f === 'body' ? 'none' : f, seconds));
      }
      case 500:
        return json(500, {
          type: 'internal_error',
          message: 'Internal server error',
          detail: 'Injected fault',
          reference_id: randomUUID(),
        });
      case 503:
        return json(503, {
          type: 'service_unavailable',
          message: 'Service unavailable',
          detail: 'Injected fault',
        });
      default:
        return json(status, {
          type: 'internal_error',
          message: `HTTP ${status}`,
          detail: 'Injected fault',
        });
    }
  }

  private authenticate(req: VendorRequest): void {
    const raw = req.headers.authorization;
    const token = raw?.replace(/^Bearer\s+/i, '').trim();
    if (!token || token !== this.cfg.token) {
      throw new DevRevError(401, {
        type: 'unauthenticated',
        message: raw ? 'Invalid token' : 'Missing authorization header',
        detail: 'Provide Authorization: Bearer <token>',
      });
    }
  }

  private route(req: VendorRequest): Reply {
    const read = req.method === 'GET' || req.method === 'POST';
    if (req.method === 'POST' && req.body === INVALID_JSON)
      throw badRequest('parse_error', 'Request body is not valid JSON');
    const params = req.method === 'POST' ? (isRecord(req.body) ? req.body : {}) : undefined;
    switch (`${req.method} ${req.path}`) {
      case 'GET /engagements.list':
      case 'POST /engagements.list':
        return this.list(req, params);
      case 'GET /engagements.count':
      case 'POST /engagements.count':
        return this.count(req, params);
      case 'GET /engagements.get':
      case 'POST /engagements.get': {
        const id = params ? params.id : req.query.get('id');
        if (typeof id !== 'string' || id === '')
          throw badRequest('missing_required_field', 'id is required', { field_name: 'id' });
        const rec = this.engagements.get(id) ?? this.byDisplayId(id);
        if (!rec) throw notFound(id);
        return json(200, { engagement: this.present(rec, req) });
      }
      case 'POST /engagements.create':
        return this.create(req, params ?? {});
      case 'POST /engagements.update':
        return this.update(req, params ?? {});
      case 'POST /engagements.delete': {
        const id = params?.id;
        if (typeof id !== 'string' || id === '')
          throw badRequest('missing_required_field', 'id is required', { field_name: 'id' });
        if (!this.engagements.delete(id)) throw notFound(id);
        emitChange(this, {
          vendor: 'devrev',
          object: 'engagement',
          action: 'deleted',
          record: { id },
        });
        return json(200, {});
      }
      case 'GET /conversations.list':
      case 'POST /conversations.list':
        return this.listConversations(req, params);
      default:
        if (!read)
          throw new DevRevError(404, {
            type: 'not_found',
            message: `No route ${req.method} ${req.path}`,
          });
        throw new DevRevError(404, { type: 'not_found', message: `Unknown endpoint ${req.path}` });
    }
  }

  private byDisplayId(id: string): Json | undefined {
    const m = /^ENG-(\d+)$/.exec(id);
    return m ? this.engagements.get(devrevEngagementId(Number(m[1]) - 1)) : undefined;
  }

  private list(req: VendorRequest, body: Json | undefined): Reply {
    const p = readListParams(req, body, 'engagements');
    const sort = parseSort(arr(req, body, 'sort_by'));
    const filter = engagementFilter(req, body);
    const from = this.decodeCursor(p.cursor, sort.spec);
    const scanDir = (sort.dir * (p.mode === 'before' ? -1 : 1)) as 1 | -1;
    const page = keysetPage(this.engagements, sort.field, scanDir, from, p.limit, filter);
    const entries = p.mode === 'before' ? [...page.entries].reverse() : page.entries;
    const res: Json = {
      engagements: entries.map((e) => this.present(this.engagements.materialize(e), req)),
    };
    const after = p.mode === 'before' ? page.near : page.far;
    const before = p.mode === 'before' ? page.far : page.near;
    if (after) res.next_cursor = this.encodeCursor(after, sort.spec);
    if (before) res.prev_cursor = this.encodeCursor(before, sort.spec);
    return json(200, res);
  }

  private count(req: VendorRequest, body: Json | undefined): Reply {
    const filter = engagementFilter(req, body);
    let count = 0;
    for (const e of this.engagements.scan('created_date', 1)) {
      if (!filter || filter(this.engagements.traitsOf(e))) count++;
    }
    return json(200, { count });
  }

  private listConversations(req: VendorRequest, body: Json | undefined): Reply {
    const p = readListParams(req, body, 'conversations');
    const members = arr(req, body, 'members');
    const owned = arr(req, body, 'owned_by');
    // Beta: conversations of any of these accounts (DON or display id).
    const accounts = arr(req, body, 'account');
    const state = arr(req, body, 'state');
    const source = arr(req, body, 'source_channel');
    const tagIds = body
      ? Array.isArray(body.tags_v2)
        ? body.tags_v2.filter(isRecord).map((t) => String(t.id))
        : []
      : commaList(req.query, 'tags_v2.id');
    const md = body
      ? isRecord(body.modified_date)
        ? body.modified_date
        : {}
      : {
          after: req.query.get('modified_date.after') ?? undefined,
          before: req.query.get('modified_date.before') ?? undefined,
        };
    const after = parseDateParam(md.after, 'modified_date.after');
    const before = parseDateParam(md.before, 'modified_date.before');
    const filter = (t: ConversationTraits) =>
      (members.length === 0 || members.some((m) => t.members.includes(m))) &&
      (owned.length === 0 || owned.some((m) => t.ownedBy.includes(m))) &&
      (accounts.length === 0 || accounts.some((a) => t.account.includes(a))) &&
      (state.length === 0 || state.includes(t.state)) &&
      (source.length === 0 || source.includes(t.sourceChannel)) &&
      (tagIds.length === 0 || tagIds.some((id) => t.tags.includes(id))) &&
      (after === undefined || t.modified >= after) &&
      (before === undefined || t.modified <= before);
    const from = this.decodeCursor(p.cursor, 'conversations');
    const dir = p.mode === 'before' ? -1 : 1;
    const page = keysetPage(this.conversations, 'created_date', dir, from, p.limit, filter);
    const entries = p.mode === 'before' ? [...page.entries].reverse() : page.entries;
    const res: Json = { conversations: entries.map((e) => this.conversations.materialize(e)) };
    const next = p.mode === 'before' ? page.near : page.far;
    const prev = p.mode === 'before' ? page.far : page.near;
    if (next) res.next_cursor = this.encodeCursor(next, 'conversations');
    if (prev) res.prev_cursor = this.encodeCursor(prev, 'conversations');
    return json(200, res);
  }

  private create(req: VendorRequest, body: Json): Reply {
    const title = requireString(body, 'title');
    const members = requireMembers(body.members, 'members');
    const scheduled = requireString(body, 'scheduled_date');
    if (Number.isNaN(Date.parse(scheduled)))
      throw badRequest('bad_request', `scheduled_date: invalid date-time '${scheduled}'`);
    const type = body.engagement_type ?? 'default';
    if (typeof type !== 'string' || !(DEVREV_CREATE_TYPES as readonly string[]).includes(type)) {
      throw badRequest('invalid_enum_value', `Invalid engagement_type '${String(type)}'`, {
        field_name: 'engagement_type',
        value: String(type),
        allowed_values: [...DEVREV_CREATE_TYPES],
      });
    }
    const parents = [
      ...(body.parent !== undefined ? [body.parent] : []),
      ...(Array.isArray(body.parents) ? body.parents : []),
    ].map((p) => parentSummary(p));
    const index = this.newEngagementIndex();
    const now = new Date(this.stamps.next(req.now)).toISOString();
    const rec: Json = {
      id: devrevEngagementId(index),
      display_id: `ENG-${index + 1}`,
      created_by: devrevUser(this.cfg.seed, 0),
      created_date: now,
      modified_by: devrevUser(this.cfg.seed, 0),
      modified_date: now,
      title,
      engagement_type: type,
      members: members.map((m) => this.memberSummary(m)),
      scheduled_date: new Date(Date.parse(scheduled)).toISOString(),
    };
    if (typeof body.description === 'string') rec.description = body.description;
    if (parents.length > 0) rec.parents = parents;
    if (typeof body.external_ref === 'string') rec.external_ref = body.external_ref;
    if (typeof body.external_url === 'string') rec.external_url = body.external_url;
    if (Array.isArray(body.tags)) rec.tags = tagsOf(body.tags);
    this.engagements.put(rec);
    emitChange(this, { vendor: 'devrev', object: 'engagement', action: 'created', record: rec });
    return json(201, { engagement: this.present(rec, req) });
  }

  private update(req: VendorRequest, body: Json): Reply {
    const id = requireString(body, 'id');
    const current = this.engagements.get(id) ?? this.byDisplayId(id);
    if (!current) throw notFound(id);
    const rec: Json = structuredClone(current);
    for (const field of ['title', 'description', 'external_ref', 'external_url'] as const) {
      if (body[field] === undefined) continue;
      if (typeof body[field] !== 'string') throw typeError(field, 'string', body[field]);
      rec[field] = body[field];
    }
    if (body.scheduled_date === null) delete rec.scheduled_date;
    else if (body.scheduled_date !== undefined) {
      const t =
        typeof body.scheduled_date === 'string' ? Date.parse(body.scheduled_date) : Number.NaN;
      if (Number.isNaN(t)) throw badRequest('bad_request', 'scheduled_date: invalid date-time');
      rec.scheduled_date = new Date(t).toISOString();
    }
    const setOf = (field: string): unknown[] | undefined => {
      const v = body[field];
      if (v === undefined) return undefined;
      if (!isRecord(v) || !Array.isArray(v.set)) throw typeError(field, 'object', v);
      if (v.set.length > 50) throw badRequest('bad_request', `${field}.set: at most 50 items`);
      return v.set;
    };
    const members = setOf('members');
    if (members)
      rec.members = requireMembers(members, 'members.set').map((m) => this.memberSummary(m));
    const parents = setOf('parents');
    if (parents) {
      if (parents.length === 0) delete rec.parents;
      else rec.parents = parents.map((p) => parentSummary(p));
    }
    const tags = setOf('tags');
    if (tags) rec.tags = tagsOf(tags);
    setOf('artifacts');
    rec.modified_date = new Date(this.stamps.next(req.now)).toISOString();
    rec.modified_by = devrevUser(this.cfg.seed, 0);
    this.engagements.put(rec);
    emitChange(this, {
      vendor: 'devrev',
      object: 'engagement',
      action: 'updated',
      record: rec,
      previous: current,
    });
    return json(200, { engagement: this.present(rec, req) });
  }

  private memberSummary(id: string): Json {
    if (this.userIds.has(id) || /^(DEVU|REVU|SVCACC|SYSU)-\d+$/.test(id)) {
      for (let u = 0; u < 48; u++) {
        const user = devrevUser(this.cfg.seed, u);
        if (user.id === id || user.display_id === id) return user;
      }
    }
    const type = /revu|REVU/.test(id)
      ? 'rev_user'
      : /svcacc|SVCACC/.test(id)
        ? 'service_account'
        : /sysu|SYSU/.test(id)
          ? 'sys_user'
          : 'dev_user';
    return { type, id, display_id: id.split('/').pop() ?? id };
  }

  private present(rec: Json, req: VendorRequest): Json {
    if (!req.schemaDrift) return rec;
    const out: Json = { ...rec, x_sandbox_drift: { note: 'field unknown to the spec', level: 3 } };
    if (String(rec.id).charCodeAt(String(rec.id).length - 1) % 3 === 0)
      out.engagement_type = 'webinar';
    return out;
  }

  private encodeCursor(pos: Position, spec: string): string {
    return this.cfg.codec.encode({ k: pos.k, id: pos.id, s: spec } satisfies CursorPayload);
  }

  private decodeCursor(cursor: string | undefined, spec: string): Position | undefined {
    if (cursor === undefined || cursor === '') return undefined;
    const p = this.cfg.codec.decode<CursorPayload>(cursor);
    if (!p || typeof p.k !== 'number' || typeof p.id !== 'string')
      throw badRequest('bad_request', 'Invalid cursor');
    if (p.s !== spec)
      throw badRequest('bad_request', 'Cursor does not match the sort order of this request');
    return { k: p.k, id: p.id };
  }
}

function notFound(id: string): DevRevError {
  return new DevRevError(404, {
    type: 'not_found',
    message: `Engagement ${id} not found`,
    detail: 'The requested object does not exist',
  });
}

function typeError(field: string, expected: string, value: unknown): DevRevError {
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return badRequest('unexpected_json_type', `${field}: expected ${expected}, got ${actual}`, {
    field_name: field,
    expected,
    actual,
  });
}

function requireString(body: Json, field: string): string {
  const v = body[field];
  if (v === undefined || v === null || v === '') {
    throw badRequest('missing_required_field', `${field} is required`, { field_name: field });
  }
  if (typeof v !== 'string') throw typeError(field, 'string', v);
  return v;
}

function requireMembers(value: unknown, field: string): string[] {
  if (value === undefined || value === null)
    throw badRequest('missing_required_field', `${field} is required`, { field_name: field });
  if (!Array.isArray(value)) throw typeError(field, 'array', value);
  if (value.length < 1) throw badRequest('bad_request', `${field}: at least 1 item is required`);
  if (value.length > 50) throw badRequest('bad_request', `${field}: at most 50 items are allowed`);
  return value.map((m) => {
    if (typeof m !== 'string' || m === '')
      throw badRequest('invalid_id', `${field}: invalid id`, { field_name: field });
    return m;
  });
}

function parentSummary(value: unknown): Json {
  const id = typeof value === 'string' ? value : '';
  const m = /^(ACC|OPP)-(\d+)$/.exec(id) ?? /:(account|opportunity)\/(\d+)$/.exec(id);
  if (!m) {
    throw badRequest(
      'value_not_permitted',
      'Only accounts and opportunities are supported as parents',
      {
        field_name: 'parents',
        reason: `unsupported parent '${id}'`,
      },
    );
  }
  const account = m[1] === 'ACC' || m[1] === 'account';
  const n = m[2];
  return {
    id: `don:core:dvrv-us-1:devo/7Sx0sb:${account ? 'account' : 'opportunity'}/${n}`,
    display_id: `${account ? 'ACC' : 'OPP'}-${n}`,
  };
}

function tagsOf(tags: unknown[]): Json[] {
  return tags.filter(isRecord).map((t) => ({
    tag: { id: String(t.id), name: String(t.id).split('/').pop() ?? String(t.id) },
    ...(typeof t.value === 'string' ? { value: t.value } : {}),
  }));
}

/**
 * A GET array parameter as DevRev's spec declares it (`explode: false`): comma-separated, and
 * repeated keys add up. Quotes are not syntax: the SDK's `"call","email"` form yields the values
 * `"call"` and `"email"`, which the enum check then refuses, as Prism serving the spec does.
 */
function commaList(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((raw) => raw.split(','))
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function arr(req: VendorRequest, body: Json | undefined, name: string): string[] {
  if (!body) return commaList(req.query, name);
  const v = body[name];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return [v];
  throw typeError(name, 'array', v);
}

function readListParams(req: VendorRequest, body: Json | undefined, _what: string) {
  const rawLimit = body ? body.limit : (req.query.get('limit') ?? undefined);
  let limit = 50;
  if (rawLimit !== undefined && rawLimit !== null && rawLimit !== '') {
    const n = Number(rawLimit);
    if (!Number.isInteger(n)) throw typeError('limit', 'int32', rawLimit);
    if (n < 1) throw badRequest('bad_request', 'limit must be at least 1');
    limit = Math.min(n, 100);
  }
  const mode = (body ? body.mode : req.query.get('mode')) ?? 'after';
  if (mode !== 'after' && mode !== 'before') {
    throw badRequest('invalid_enum_value', `Invalid mode '${String(mode)}'`, {
      field_name: 'mode',
      value: String(mode),
      allowed_values: ['after', 'before'],
    });
  }
  const cursor = body ? body.cursor : (req.query.get('cursor') ?? undefined);
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string')
    throw typeError('cursor', 'string', cursor);
  return { limit, mode, cursor: cursor ?? undefined } as {
    limit: number;
    mode: 'after' | 'before';
    cursor: string | undefined;
  };
}

function parseSort(sortBy: string[]): { field: string; dir: 1 | -1; spec: string } {
  const first = sortBy[0];
  if (!first) return { field: 'created_date', dir: 1, spec: 'created_date:asc' };
  const [field = '', direction = 'asc'] = first.split(':');
  if (!(SORT_FIELDS as readonly string[]).includes(field)) {
    throw badRequest(
      'bad_request',
      `Unsupported sort_by field '${field}'; supported: ${SORT_FIELDS.join(', ')}`,
    );
  }
  if (direction !== 'asc' && direction !== 'desc')
    throw badRequest('bad_request', `Invalid sort direction '${direction}'`);
  return { field, dir: direction === 'asc' ? 1 : -1, spec: `${field}:${direction}` };
}

function engagementFilter(
  req: VendorRequest,
  body: Json | undefined,
): ((t: DevRevTraits) => boolean) | undefined {
  const types = arr(req, body, 'type');
  for (const t of types) {
    if (!(DEVREV_ENGAGEMENT_TYPES as readonly string[]).includes(t)) {
      throw badRequest('invalid_enum_value', `Invalid engagement type '${t}'`, {
        field_name: 'type',
        value: t,
        allowed_values: [...DEVREV_ENGAGEMENT_TYPES],
      });
    }
  }
  const members = arr(req, body, 'members');
  const parents = arr(req, body, 'parent');
  const refs = arr(req, body, 'external_ref');
  if (!types.length && !members.length && !parents.length && !refs.length) return undefined;
  return (t) =>
    (types.length === 0 || types.includes(t.type)) &&
    (members.length === 0 || members.some((m) => t.members.includes(m))) &&
    (parents.length === 0 || parents.some((p) => t.parents.includes(p))) &&
    (refs.length === 0 || (t.externalRef !== undefined && refs.includes(t.externalRef)));
}

function parseDateParam(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t)) throw badRequest('bad_request', `${field}: invalid date-time`);
  return t;
}
