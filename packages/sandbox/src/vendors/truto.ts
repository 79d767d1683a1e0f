import type { TokenCodec } from '../codec';
import { Collection, type Position } from '../data/collection';
import { keysetPage } from '../data/paging';
import { ChangeStamps } from '../data/stamp';
import type { Timeline } from '../data/timeline';
import {
  type Json,
  seededStartKeys,
  type TrutoTraits,
  trutoEngagementSpec,
  trutoId,
} from '../data/truto';
import {
  TIME_FILTERS,
  type TimeBound,
  timeBounds,
  trutoMethodMeta,
  withinBounds,
} from '../data/truto-query';
import { INVALID_JSON, isRecord, json, queryList, type Reply, type VendorRequest } from '../http';
import { WindowLimiter } from '../ratelimit';
import type { RetryAfterForm } from '../types';
import { emitChange } from '../webhooks/hub';
import { retryAfterHeader } from './common';

/** An integrated-account id that always answers 503 (account blocked). */
export const TRUTO_BLOCKED_ACCOUNT_ID = '00000000-0000-4000-8000-00000000b10c';

export interface TrutoConfig {
  seed: number;
  timeline: Timeline;
  token: string;
  integratedAccountId: string;
  codec: TokenCodec;
  perAccountPer10s?: number;
  unsupportedFilters: string[];
  remoteAuthDead: boolean;
}

const CREATE_TYPES = ['meeting', 'call', 'chat', 'note', 'email'];
/** Truto's unified `direction` values a write may carry. */
const WRITE_DIRECTIONS = ['inbound', 'outbound', 'missed'];
const YEAR = 366 * 86_400_000;
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

class TrutoError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

function trutoError(
  status: number,
  message: string,
  extra: Json = {},
  headers?: Record<string, string>,
): TrutoError {
  return new TrutoError(
    status,
    { statusCode: status, error: STATUS_TEXT[status] ?? 'Error', message, ...extra },
    headers,
  );
}

interface CursorPayload {
  k: number;
  id: string;
  d: 1 | -1;
  f: string;
}

/** Emulates Truto's unified CRM engagements API. */
export class TrutoVendor {
  readonly engagements: Collection<Json, TrutoTraits>;
  private readonly limiter?: WindowLimiter;
  private idempotent = new Map<string, Reply>();
  private created = 0;
  /** `updated_at` of writes (API and test-control): strictly increasing. */
  readonly stamps: ChangeStamps;

  constructor(private readonly cfg: TrutoConfig) {
    this.engagements = new Collection(trutoEngagementSpec(cfg.seed, cfg.timeline));
    this.stamps = new ChangeStamps(cfg.timeline.endMs);
    if (cfg.perAccountPer10s) this.limiter = new WindowLimiter(cfg.perAccountPer10s, 10_000);
  }

  reset(): void {
    this.engagements.reset();
    this.idempotent.clear();
    this.limiter?.reset();
    this.created = 0;
    this.stamps.reset();
  }

  /** Id of the next new engagement. */
  newEngagementId(): string {
    return trutoId(this.engagements.baseCount + this.created++);
  }

  faultReply(status: number, form: RetryAfterForm | undefined, seconds = 10): Reply {
    if (status === 429) {
      const err = trutoError(429, 'Rate limit exceeded', {
        truto_error_insight: { rate_limit_error: { description: 'Too many requests' } },
      });
      return json(429, err.body, {
        ...retryAfterHeader(form ?? 'seconds', seconds),
        ...rateLimitHeaders(this.cfg.perAccountPer10s ?? 50, 0, seconds),
      });
    }
    const message = status === 503 ? 'The integrated account is blocked.' : `Injected ${status}`;
    return json(status, trutoError(status, message).body);
  }

  handle(req: VendorRequest): Reply {
    const rate: Record<string, string> = {};
    try {
      const reply = this.dispatch(req, rate);
      return Object.keys(rate).length
        ? { ...reply, headers: { ...reply.headers, ...rate } }
        : reply;
    } catch (err) {
      if (err instanceof TrutoError) return json(err.status, err.body, { ...err.headers, ...rate });
      throw err;
    }
  }

  private dispatch(req: VendorRequest, rate: Record<string, string>): Reply {
    const auth = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!auth || auth[1]?.trim() !== this.cfg.token) throw trutoError(401, 'Invalid API token');
    const account = req.query.get('integrated_account_id');
    if (!account) {
      throw trutoError(400, 'integrated_account_id is required', {
        truto_error_insight: {
          missing_required_query_parameters: {
            description: 'These query parameters are required',
            value: ['integrated_account_id'],
          },
        },
      });
    }
    if (account === TRUTO_BLOCKED_ACCOUNT_ID)
      throw trutoError(503, 'The integrated account is blocked.');
    if (account !== this.cfg.integratedAccountId)
      throw trutoError(404, `Integrated account ${account} not found`);
    if (this.cfg.remoteAuthDead) {
      throw trutoError(
        401,
        'The credentials of the integrated account are invalid. Reconnect the account.',
        {
          truto_is_remote_error: true,
          raw_response: {
            status: 'error',
            message: 'Authentication credentials not found.',
            category: 'INVALID_AUTHENTICATION',
          },
          truto_error_insight: {
            remote_error: { description: 'The remote API rejected the credentials' },
          },
        },
      );
    }
    if (this.limiter) {
      const now = Date.now();
      const w = this.limiter.take(account, now);
      const resetSeconds = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
      Object.assign(rate, rateLimitHeaders(this.limiter.limit, w.remaining, resetSeconds));
      if (!w.allowed) {
        throw trutoError(
          429,
          'Rate limit exceeded',
          { truto_error_insight: { rate_limit_error: { description: 'Too many requests' } } },
          // Truto's own limits answer `Retry-After: 10` (the window), whatever is left of it.
          { 'Retry-After': '10' },
        );
      }
    }
    const key = req.headers['idempotency-key'];
    const idemKey =
      typeof key === 'string' && (req.method === 'POST' || req.method === 'PATCH')
        ? `${req.method} ${req.path} ${key}`
        : undefined;
    if (idemKey) {
      const cached = this.idempotent.get(idemKey);
      if (cached)
        return { ...cached, headers: { ...cached.headers, 'Idempotent-Replayed': 'true' } };
    }
    const reply = this.route(req);
    if (idemKey && reply.status < 500) {
      this.idempotent.set(idemKey, reply);
      if (this.idempotent.size > 10_000)
        this.idempotent.delete(this.idempotent.keys().next().value as string);
    }
    return reply;
  }

  private route(req: VendorRequest): Reply {
    if (req.path === '/unified/crm/engagements') {
      if (req.method === 'GET') return this.list(req);
      if (req.method === 'POST') return this.create(req);
    }
    const meta = /^\/unified\/crm\/engagements\/meta\/([^/]+)$/.exec(req.path);
    if (meta && req.method === 'GET') {
      const body = trutoMethodMeta(
        decodeURIComponent(meta[1] as string),
        this.cfg.unsupportedFilters,
      );
      if (body) return json(200, body);
    }
    const m = /^\/unified\/crm\/engagements\/([^/]+)$/.exec(req.path);
    if (m) {
      const id = decodeURIComponent(m[1] as string);
      const current = this.engagements.get(id);
      if (!current) throw trutoError(404, `Engagement ${id} not found`);
      if (req.method === 'GET') return json(200, this.present(current, req));
      if (req.method === 'PATCH') return this.update(req, current);
      if (req.method === 'DELETE') {
        this.engagements.delete(id);
        emitChange(this, {
          vendor: 'truto',
          object: 'engagement',
          action: 'deleted',
          record: current,
        });
        return json(200, { id });
      }
    }
    throw trutoError(404, `Cannot ${req.method} ${req.path}`);
  }

  private list(req: VendorRequest): Reply {
    const q = req.query;
    for (const f of this.cfg.unsupportedFilters) {
      if ([...q.keys()].some((k) => k === f || k.startsWith(`${f}[`))) {
        throw trutoError(400, `The filter '${f}' is not supported by the connected integration.`, {
          truto_error_insight: {
            unsupported_query_parameters: {
              description: 'Not supported by this integration',
              value: [f],
            },
          },
        });
      }
    }
    const rawLimit = q.get('limit');
    let limit = 100;
    if (rawLimit) {
      const n = Number(rawLimit);
      if (!Number.isInteger(n) || n < 1)
        throw trutoError(400, 'limit must be a positive integer', {
          details: { failures: [{ path: ['limit'], message: 'Invalid limit' }] },
        });
      limit = Math.min(n, 250);
    }
    const start = parseTime(q.get('start_time'), 'start_time');
    const end = parseTime(q.get('end_time'), 'end_time');
    if (start !== undefined && end !== undefined) {
      if (start > end) throw trutoError(400, 'start_time must be before end_time');
      if (end - start > YEAR)
        throw trutoError(
          400,
          'The date range between start_time and end_time should not exceed one year',
        );
    }
    const times: Partial<Record<(typeof TIME_FILTERS)[number], TimeBound[]>> = {};
    for (const field of TIME_FILTERS) {
      const bounds = timeBounds(q, field);
      if (typeof bounds === 'string')
        throw trutoError(400, bounds, {
          details: { failures: [{ path: [field], message: bounds }] },
        });
      if (bounds.length > 0) times[field] = bounds;
    }
    const types = queryList(q, 'engagement_type').map((t) => t.toLowerCase());
    const contact = q.get('contact[id]') ?? q.get('contact');
    const account = q.get('account[id]') ?? q.get('account');
    const owner = q.get('owner[id]') ?? q.get('owner');
    const opportunity = q.get('opportunity[id]') ?? q.get('opportunity');
    const match = (t: TrutoTraits) =>
      (types.length === 0 || types.includes(t.type.toLowerCase())) &&
      (!contact || t.contacts.includes(contact)) &&
      (!account || t.account === account) &&
      (!owner || t.owner === owner) &&
      (!opportunity || t.opportunity === opportunity) &&
      (!times.created_at || withinBounds(t.created, times.created_at)) &&
      (!times.updated_at || withinBounds(t.updated, times.updated_at));
    const filtered =
      types.length > 0 ||
      contact ||
      account ||
      owner ||
      opportunity ||
      times.created_at ||
      times.updated_at;
    const fingerprint = [
      'engagement_type',
      'start_time',
      'end_time',
      'contact',
      'account',
      'owner',
      'opportunity',
    ]
      .map((k) => `${q.getAll(k).join(',')}|${q.get(`${k}[id]`) ?? ''}`)
      .concat(
        [...q]
          .filter(([k]) => TIME_FILTERS.some((f) => k === f || k.startsWith(`${f}[`)))
          .map(([k, v]) => `${k}=${v}`)
          .sort(),
      )
      .join(';');

    const raw = q.get('next_cursor');
    let from: Position | undefined;
    let dir: 1 | -1 = 1;
    if (raw) {
      const c = this.cfg.codec.decode<CursorPayload>(raw);
      if (!c || c.f !== fingerprint) throw trutoError(400, 'Invalid next_cursor');
      from = { k: c.k, id: c.id };
      dir = c.d;
    } else if (start !== undefined) {
      from = { k: start, id: '' };
    }
    const within = (p: Position) =>
      (start === undefined || p.k >= start) && (end === undefined || p.k <= end);
    const page = keysetPage(
      this.engagements,
      'start_time',
      dir,
      from,
      limit,
      filtered ? match : undefined,
      within,
      true,
      // The CRM behind Truto filters before it paginates: no empty page while matches remain.
      { baseKeys: seededStartKeys(times), neverEmpty: true },
    );
    const entries = dir === -1 ? [...page.entries].reverse() : page.entries;
    const later = dir === 1 ? page.far : page.near;
    const earlier = dir === 1 ? page.near : page.far;
    const enc = (p: Position | undefined, d: 1 | -1) =>
      p
        ? this.cfg.codec.encode({ k: p.k, id: p.id, d, f: fingerprint } satisfies CursorPayload)
        : null;
    const result = entries.map((e) => this.present(this.engagements.materialize(e), req));
    return json(200, {
      result,
      next_cursor: enc(later, 1),
      prev_cursor: enc(earlier, -1),
      result_count: result.length,
    });
  }

  private create(req: VendorRequest): Reply {
    const body = this.body(req);
    const missing = ['engagement_type'].filter((f) => body[f] === undefined);
    if (missing.length) {
      throw trutoError(400, `Missing required fields: ${missing.join(', ')}`, {
        truto_error_insight: {
          missing_required_body_fields: {
            description: 'These body fields are required',
            value: missing,
          },
        },
      });
    }
    this.validate(body);
    const now = new Date(this.stamps.next(req.now)).toISOString();
    const rec: Json = {
      ...body,
      id: this.newEngagementId(),
      created_at: now,
      updated_at: now,
    };
    if (rec.start_time === undefined) rec.start_time = now;
    if (typeof rec.duration === 'number') rec.duration = String(rec.duration);
    rec.remote_data = { id: rec.id, created_via: 'engagekit-sandbox' };
    this.engagements.put(rec);
    emitChange(this, { vendor: 'truto', object: 'engagement', action: 'created', record: rec });
    return json(201, this.present(rec, req));
  }

  private update(req: VendorRequest, current: Json): Reply {
    const body = this.body(req);
    this.validate(body);
    const rec: Json = {
      ...current,
      ...body,
      id: current.id,
      updated_at: new Date(this.stamps.next(req.now)).toISOString(),
    };
    if (typeof rec.duration === 'number') rec.duration = String(rec.duration);
    this.engagements.put(rec);
    emitChange(this, {
      vendor: 'truto',
      object: 'engagement',
      action: 'updated',
      record: rec,
      previous: current,
    });
    return json(200, this.present(rec, req));
  }

  private body(req: VendorRequest): Json {
    if (req.body === INVALID_JSON || !isRecord(req.body)) {
      throw trutoError(400, 'Request body must be a JSON object', {
        details: { failures: [{ path: [], message: 'Expected object' }] },
      });
    }
    return req.body;
  }

  private validate(body: Json): void {
    const failures: { path: string[]; message: string }[] = [];
    if (
      body.engagement_type !== undefined &&
      !CREATE_TYPES.includes(String(body.engagement_type))
    ) {
      failures.push({
        path: ['engagement_type'],
        message: `Must be one of ${CREATE_TYPES.join(', ')}`,
      });
    }
    for (const f of ['start_time', 'end_time']) {
      if (
        body[f] !== undefined &&
        (typeof body[f] !== 'string' || Number.isNaN(Date.parse(body[f] as string)))
      ) {
        failures.push({ path: [f], message: 'Invalid datetime' });
      }
    }
    for (const f of ['subject', 'content', 'direction', 'status', 'internal_notes']) {
      if (body[f] !== undefined && body[f] !== null && typeof body[f] !== 'string')
        failures.push({ path: [f], message: 'Expected string' });
    }
    if (typeof body.direction === 'string' && !WRITE_DIRECTIONS.includes(body.direction)) {
      failures.push({
        path: ['direction'],
        message: `Must be one of ${WRITE_DIRECTIONS.join(', ')}`,
      });
    }
    // The unified field is `contact`; `contacts` is not part of the model.
    if (body.contacts !== undefined) {
      failures.push({ path: ['contacts'], message: 'Unrecognized key; the field is contact' });
    }
    if (body.contact !== undefined && !isRefArray(body.contact)) {
      failures.push({ path: ['contact'], message: 'Expected an array of { id }' });
    }
    if (failures.length) throw trutoError(400, 'Validation failed', { details: { failures } });
  }

  private present(rec: Json, req: VendorRequest): Json {
    let out: Json = rec;
    if (req.query.get('truto_ignore_remote_data') === 'true') {
      const { remote_data: _omit, ...rest } = rec;
      out = rest;
    }
    const exclude = [
      ...queryList(req.query, 'truto_exclude_fields[]'),
      ...queryList(req.query, 'truto_exclude_fields'),
    ];
    if (exclude.length)
      out = Object.fromEntries(
        Object.entries(out).filter(([k]) => !exclude.includes(k) || k === 'id'),
      );
    if (req.schemaDrift && Number(String(rec.id).slice(-1)) % 2 === 0) {
      out = { ...out, x_sandbox_drift: true, engagement_type: 'Custom Activity' };
    }
    return out;
  }
}

/**
 * Truto's normalised rate-limit headers (https://truto.one/docs/api-reference/overview/rate-limits):
 * lower-case, no `x-` prefix, `ratelimit-reset` in seconds from now (not an epoch).
 */
function rateLimitHeaders(
  limit: number,
  remaining: number,
  resetSeconds: number,
): Record<string, string> {
  return {
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(remaining),
    'ratelimit-reset': String(resetSeconds),
  };
}

function isRefArray(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((v) => isRecord(v) && (typeof v.id === 'string' || typeof v.id === 'number'))
  );
}

function parseTime(raw: string | null, field: string): number | undefined {
  if (!raw) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw trutoError(400, `${field} must be a valid ISO 8601 datetime`);
  return t;
}
