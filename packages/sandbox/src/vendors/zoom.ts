import { randomBytes, randomUUID } from 'node:crypto';
import type { TokenCodec } from '../codec';
import { Collection, type Position } from '../data/collection';
import { keysetPage } from '../data/paging';
import type { Timeline } from '../data/timeline';
import { formatInZone, isValidTimeZone, wallToInstant } from '../data/tz';
import {
  type Json,
  legacyChannel,
  ZOOM_CHANNELS,
  ZOOM_SOURCES,
  type ZoomTraits,
  zoomAgents,
  zoomAsOf,
  zoomEngagementId,
  zoomEngagementSpec,
  zoomQueues,
} from '../data/zoom';
import { ZoomProgress } from '../data/zoom-progress';
import { isRecord, json, type Reply, type VendorRequest } from '../http';
import { TokenBucket } from '../ratelimit';
import type { RetryAfterForm } from '../types';
import { emitChange } from '../webhooks/hub';
import { retryAfterHeader } from './common';

export interface ZoomConfig {
  seed: number;
  timeline: Timeline;
  accountId: string;
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  pageTokenTtlSeconds: number;
  rateLimitPerSecond: number | false;
  codec: TokenCodec;
}

const SCOPES =
  'contact_center_report:read:admin contact_center:read:list_engagements:admin contact_center:read:engagement:admin';
const QPS_MESSAGE =
  'You have reached the maximum per-second rate limit for this API. Try again later.';
const DAILY_MESSAGE =
  'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make the next request.';
export const PAGE_TOKEN_INVALID = 'The next page token is invalid or has expired.';
const DAY = 86_400_000;
const LEGACY_TYPES = ['voice', 'sms', 'chat', 'video', 'kiosk', 'in_app_chat', 'in_app_video'];
const ALL_SOURCES = Object.values(ZOOM_SOURCES).flat();

class ZoomError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message));
  }
}

const validation = (message: string, field?: string) =>
  new ZoomError(
    400,
    field ? { code: 300, message, errors: [{ field, message }] } : { code: 300, message },
  );

interface PageTokenPayload {
  k: number;
  id: string;
  f: string;
  iat: number;
  e: number;
  tot: number;
}

interface ParsedTime {
  ms: number;
  wall: number;
  kind: 'date' | 'z' | 'offset';
}

/** Emulates Zoom's server-to-server OAuth and the Contact Center engagements API. */
export class ZoomVendor {
  readonly engagements: Collection<Json, ZoomTraits>;
  private tokens = new Map<string, number>();
  private epoch = 0;
  private readonly buckets: { medium?: TokenBucket; light?: TokenBucket } = {};
  private readonly queueIds: Set<string>;
  private readonly userIds: Set<string>;
  private created = 0;
  /** Ends of running engagements, reported as they pass (webhooks' engagement_ended). */
  readonly progress: ZoomProgress;

  constructor(private readonly cfg: ZoomConfig) {
    this.engagements = new Collection(zoomEngagementSpec(cfg.seed, cfg.timeline));
    this.progress = new ZoomProgress(this.engagements, (record, end, now) =>
      emitChange(this, {
        vendor: 'zoom',
        object: 'engagement',
        action: 'updated',
        record: this.listView(record, now),
        previous: this.listView(record, end - 1),
      }),
    );
    this.queueIds = new Set(zoomQueues(cfg.seed).map((q) => q.cc_queue_id));
    this.userIds = new Set(zoomAgents(cfg.seed).map((a) => a.user_id));
    if (cfg.rateLimitPerSecond) {
      // Zoom publishes per-second limits (MEDIUM 10/s, LIGHT 20/s on Pro) and no burst above them,
      // so a bucket holds one second's worth.
      const medium = cfg.rateLimitPerSecond;
      this.buckets.medium = new TokenBucket(medium, medium);
      this.buckets.light = new TokenBucket(medium * 2, medium * 2);
    }
  }

  reset(): void {
    this.engagements.reset();
    this.created = 0;
    this.progress.reset();
    this.tokens.clear();
    this.epoch += 1;
    this.buckets.medium?.reset();
    this.buckets.light?.reset();
  }

  /** Id of the next engagement inserted through the test-control API. */
  newEngagementId(): string {
    return zoomEngagementId(this.engagements.baseCount + this.created++, this.cfg.seed);
  }

  /** A stored engagement as `GET /contact_center/engagements` (UTC, no drift) shows it at `now`. */
  listView(rec: Json, now: number): Json {
    return this.present(rec, 'UTC', { now, schemaDrift: false } as VendorRequest, false);
  }

  /** Revokes every access token. */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Invalidates every outstanding page token. */
  expirePageTokens(): void {
    this.epoch += 1;
  }

  handleOAuth(req: VendorRequest): Reply {
    if (req.method !== 'POST')
      return json(405, { reason: 'Method not allowed', error: 'invalid_request' });
    const form = isRecord(req.body) ? req.body : {};
    const param = (name: string) =>
      req.query.get(name) ?? (typeof form[name] === 'string' ? (form[name] as string) : undefined);
    const grant = param('grant_type');
    if (grant !== 'account_credentials') {
      return json(400, { reason: 'Unsupported grant type', error: 'unsupported_grant_type' });
    }
    const auth = req.headers.authorization ?? '';
    const m = /^Basic\s+(.+)$/i.exec(auth);
    const decoded = m ? Buffer.from(m[1] as string, 'base64').toString('utf8') : '';
    if (decoded !== `${this.cfg.clientId}:${this.cfg.clientSecret}`) {
      return json(401, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    }
    if (param('account_id') !== this.cfg.accountId) {
      return json(400, { reason: 'Invalid account_id', error: 'invalid_request' });
    }
    const token = `eyJzYW5kYm94Ijp0cnVlfQ.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, req.now + this.cfg.tokenTtlSeconds * 1000);
    return json(200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.cfg.tokenTtlSeconds,
      scope: SCOPES,
      api_url: 'https://api.zoom.us',
    });
  }

  handle(req: VendorRequest): Reply {
    const light = req.path !== '/contact_center/engagements';
    const headers: Record<string, string> = {
      'x-zm-trackingid': `v=2.0;clid=us06;rid=WEB_${randomUUID().replace(/-/g, '')}`,
    };
    try {
      this.authenticate(req);
      const bucket = light ? this.buckets.light : this.buckets.medium;
      if (bucket) {
        const r = bucket.take(Date.now());
        headers['X-RateLimit-Category'] = light ? 'Light' : 'Medium';
        headers['X-RateLimit-Type'] = 'QPS';
        headers['X-RateLimit-Limit'] = String(bucket.ratePerSecond);
        headers['X-RateLimit-Remaining'] = String(r.remaining);
        if (!r.allowed) throw new ZoomError(429, { code: 429, message: QPS_MESSAGE });
      }
      const reply = this.route(req);
      reply.headers = { ...headers, ...reply.headers };
      return reply;
    } catch (err) {
      if (err instanceof ZoomError) return json(err.status, err.body, headers);
      throw err;
    }
  }

  faultReply(status: number, form: RetryAfterForm | undefined, seconds = 1): Reply {
    if (status === 429) {
      const f = form ?? 'none';
      if (f === 'none' || f === 'body') {
        return json(
          429,
          { code: 429, message: QPS_MESSAGE },
          { 'X-RateLimit-Category': 'Medium', 'X-RateLimit-Type': 'QPS' },
        );
      }
      return json(
        429,
        { code: 429, message: DAILY_MESSAGE },
        {
          'X-RateLimit-Category': 'Medium',
          'X-RateLimit-Type': 'Daily-limit',
          ...retryAfterHeader(f, seconds),
        },
      );
    }
    return json(status, {
      code: status,
      message: status === 503 ? 'Service Unavailable' : 'Internal Server Error',
    });
  }

  private authenticate(req: VendorRequest): void {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const exp = m ? this.tokens.get((m[1] as string).trim()) : undefined;
    if (exp === undefined || exp <= req.now) {
      throw new ZoomError(401, { code: 124, message: 'Invalid access token.' });
    }
  }

  private route(req: VendorRequest): Reply {
    this.progress.advance(req.now);
    if (req.method !== 'GET')
      throw new ZoomError(405, { code: 405, message: 'Method not allowed.' });
    if (req.path === '/contact_center/engagements') return this.list(req);
    const m = /^\/contact_center\/engagements\/([^/]+)$/.exec(req.path);
    if (m) {
      const id = decodeURIComponent(m[1] as string);
      const rec = this.engagements.get(id);
      if (!rec) throw new ZoomError(404, { code: 2901, message: 'Engagement does not exist.' });
      return json(200, this.present(rec, 'UTC', req, true));
    }
    throw new ZoomError(404, { code: 404, message: 'Not found.' });
  }

  private list(req: VendorRequest): Reply {
    const q = req.query;
    const rawSize = q.get('page_size');
    let pageSize = 10;
    if (rawSize !== null && rawSize !== '') {
      const n = Number(rawSize);
      if (!Number.isInteger(n) || n < 1) throw validation('Invalid field.', 'page_size');
      if (n > 100) throw validation('page_size must be less than or equal to 100.', 'page_size');
      pageSize = n;
    }
    const tz = q.get('timezone') || 'UTC';
    if (!isValidTimeZone(tz)) throw validation(`Invalid timezone: ${tz}.`, 'timezone');
    const { fromMs, toMs } = this.window(q.get('from'), q.get('to'), tz, req.now);
    const filter = this.filter(q);

    const fingerprint = [...q.entries()]
      .filter(([k]) => k !== 'next_page_token' && k !== 'page_size')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    let from: Position = { k: fromMs, id: '' };
    let total: number;
    const rawToken = q.get('next_page_token');
    if (rawToken) {
      const t = this.cfg.codec.decode<PageTokenPayload>(rawToken);
      const expired =
        !t || t.e !== this.epoch || req.now - t.iat > this.cfg.pageTokenTtlSeconds * 1000;
      if (expired || t.f !== fingerprint)
        throw new ZoomError(400, { code: 300, message: PAGE_TOKEN_INVALID });
      from = { k: t.k, id: t.id };
      total = t.tot;
    } else {
      total = this.total(fromMs, toMs, filter);
    }
    const page = keysetPage(
      this.engagements,
      'start_time',
      1,
      from,
      pageSize,
      filter,
      (p) => p.k <= toMs,
      false,
    );
    const next = page.far
      ? this.cfg.codec.encode({
          k: page.far.k,
          id: page.far.id,
          f: fingerprint,
          iat: req.now,
          e: this.epoch,
          tot: total,
        } satisfies PageTokenPayload)
      : '';
    return json(200, {
      next_page_token: next,
      page_size: pageSize,
      total_records: total,
      timezone: tz,
      from: formatInZone(fromMs, tz),
      to: formatInZone(toMs, tz),
      engagements: page.entries.map((e) =>
        this.present(this.engagements.materialize(e), tz, req, false),
      ),
    });
  }

  private total(
    fromMs: number,
    toMs: number,
    filter: ((t: ZoomTraits) => boolean) | undefined,
  ): number {
    if (!filter && !this.engagements.dirty) {
      const tl = this.cfg.timeline;
      return Math.max(0, tl.lowerBound(toMs + 1) - tl.lowerBound(fromMs));
    }
    let n = 0;
    for (const e of this.engagements.scan('start_time', 1, { k: fromMs, id: '' })) {
      if (e.pos.k > toMs) break;
      if (!filter || filter(this.engagements.traitsOf(e))) n++;
    }
    return n;
  }

  private window(
    rawFrom: string | null,
    rawTo: string | null,
    tz: string,
    now: number,
  ): { fromMs: number; toMs: number } {
    if (!rawFrom && !rawTo)
      return { fromMs: Math.floor((now - DAY) / 1000) * 1000, toMs: Math.floor(now / 1000) * 1000 };
    if (!rawFrom) throw validation('from is required when to is specified.', 'from');
    if (!rawTo) throw validation('to is required when from is specified.', 'to');
    const from = parseZoomTime(rawFrom, tz, false);
    const to = parseZoomTime(rawTo, tz, true);
    if (!from)
      throw validation(
        `Invalid from: ${rawFrom}. Use yyyy-MM-dd or yyyy-MM-dd'T'HH:mm:ss'Z'.`,
        'from',
      );
    if (!to)
      throw validation(`Invalid to: ${rawTo}. Use yyyy-MM-dd or yyyy-MM-dd'T'HH:mm:ss'Z'.`, 'to');
    if (from.kind !== to.kind && !(from.kind !== 'date' && to.kind !== 'date')) {
      throw validation('from and to must use the same format.', 'to');
    }
    if (to.ms < from.ms) throw validation('to must be later than from.', 'to');
    const limitWall = addMonth(from.wall) + (to.kind === 'date' ? DAY - 1000 : 0);
    const tooLong = from.kind === 'offset' ? to.ms > addMonth(from.ms) : to.wall > limitWall;
    if (tooLong)
      throw validation('The date range between from and to can only be up to one month.', 'to');
    return { fromMs: from.ms, toMs: to.ms };
  }

  private filter(q: URLSearchParams): ((t: ZoomTraits) => boolean) | undefined {
    const channel = q.get('channel') || undefined;
    if (channel && !(ZOOM_CHANNELS as readonly string[]).includes(channel))
      throw validation(`Invalid channel: ${channel}.`, 'channel');
    const sources = repeatedList(q, 'channel_sources');
    for (const s of sources)
      if (!ALL_SOURCES.includes(s))
        throw validation(`Invalid channel_sources: ${s}.`, 'channel_sources');
    const types = channel ? [] : repeatedList(q, 'channel_types').map((t) => t.toLowerCase());
    for (const t of types)
      if (!LEGACY_TYPES.includes(t))
        throw validation(`Invalid channel_types: ${t}.`, 'channel_types');
    const direction = q.get('direction') || undefined;
    if (direction && direction !== 'inbound' && direction !== 'outbound')
      throw validation(`Invalid direction: ${direction}.`, 'direction');
    const queueId = q.get('queue_id') || undefined;
    if (queueId && !this.queueIds.has(queueId))
      throw new ZoomError(404, { code: 1201, message: `Queue does not exist: ${queueId}.` });
    const userId = q.get('user_id') || undefined;
    if (userId && !this.userIds.has(userId))
      throw new ZoomError(404, { code: 1001, message: `User does not exist: ${userId}.` });
    const consumer = q.get('consumer_number') || undefined;
    if (
      !channel &&
      !sources.length &&
      !types.length &&
      !direction &&
      !queueId &&
      !userId &&
      !consumer
    )
      return undefined;
    return (t) =>
      (!channel || t.channel === channel) &&
      (!sources.length || (t.source !== undefined && sources.includes(t.source))) &&
      (!types.length ||
        types.some(
          (x) =>
            t.channelTypes.includes(x) ||
            (t.channelTypes.length === 0 && legacyChannel(x) === t.channel),
        )) &&
      (!direction || t.direction === direction) &&
      (!queueId || t.queueId === queueId) &&
      (!userId || t.userId === userId) &&
      (!consumer || t.consumerNumber === consumer);
  }

  private present(rec: Json, tz: string, req: VendorRequest, full: boolean): Json {
    const out: Json = structuredClone(zoomAsOf(rec, req.now));
    out.start_time = formatInZone(rec.start_time as number, tz);
    if (typeof out.end_time === 'number') out.end_time = formatInZone(out.end_time, tz);
    if (Array.isArray(out.notes)) {
      for (const n of out.notes as Json[])
        n.last_modified_time = formatInZone(n.last_modified_time as number, tz);
    }
    if (full && out.queues) {
      delete out.transfer_count;
      out.queues = (out.queues as Json[]).map((q) => ({ queue_id: q.cc_queue_id, ...q }));
      out.queue_wait_type = (rec.duration as number) % 5 === 0 ? 'callback' : 'live_waiting';
      out.voice_mail = (rec.duration as number) % 7 === 0 ? 1 : 0;
      const agent = (rec.agents as Json[] | undefined)?.[0];
      const channel = (rec.channels as Json[] | undefined)?.[0];
      out.events = [
        {
          start_time: out.start_time,
          duration: rec.waiting_duration,
          channel: channel?.channel ?? 'voice',
          ...(channel?.channel_source &&
          channel.channel_source !== 'facebook_messenger' &&
          channel.channel_source !== 'whatsapp'
            ? { channel_source: channel.channel_source }
            : {}),
          event_type: 'Agent Ringing',
          direction: rec.direction,
          ...(agent ? { user_id: agent.user_id, user_display_name: agent.display_name } : {}),
        },
      ];
    }
    if (req.schemaDrift && String(rec.engagement_id).charCodeAt(9) % 2 === 0) {
      out.x_sandbox_drift = { note: 'field unknown to the spec' };
      out.channels = [
        ...((out.channels as Json[] | undefined) ?? []),
        { channel: 'work_item', channel_source: 'API' },
      ];
    }
    return out;
  }
}

/**
 * An array query parameter as Zoom declares them (OpenAPI default `style: form, explode: true`; the
 * Postman collection repeats the key): one value per occurrence. A comma-joined value is one value
 * that matches no enum entry, so it is rejected, as a spec-validating server does.
 */
function repeatedList(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).filter((v) => v !== '');
}

function addMonth(wall: number): number {
  const d = new Date(wall);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + 1);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

function parseZoomTime(raw: string, tz: string, isTo: boolean): ParsedTime | undefined {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (m) {
    const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + (isTo ? DAY - 1000 : 0);
    if (Number.isNaN(wall)) return undefined;
    return { wall, ms: wallToInstant(wall, tz), kind: 'date' };
  }
  m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})Z$/.exec(raw);
  if (m) {
    const wall = Date.parse(`${m[1]}Z`);
    if (Number.isNaN(wall)) return undefined;
    return { wall, ms: wallToInstant(wall, tz), kind: 'z' };
  }
  m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2})$/.exec(raw);
  if (m) {
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) return undefined;
    return { wall: ms, ms, kind: 'offset' };
  }
  return undefined;
}
