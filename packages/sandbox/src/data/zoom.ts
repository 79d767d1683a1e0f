import type { CollectionSpec } from './collection';
import { Draw, hash32 } from './random';
import { DISPOSITIONS, paragraph, personName, phone } from './text';
import type { Timeline, TimelineTail } from './timeline';

export type Json = Record<string, unknown>;

export const ZOOM_CHANNELS = ['voice', 'video', 'messaging', 'email'] as const;
export const ZOOM_SOURCES: Record<string, readonly string[]> = {
  voice: [],
  video: ['in_app_video', 'kiosk_video', 'web_video'],
  messaging: ['web_chat', 'in_app_chat', 'sms', 'facebook_messenger', 'whatsapp'],
  email: ['email_address'],
};
/** Deprecated `channel_types` values and the channel each maps to. */
const LEGACY: Record<string, string> = {
  voice: 'voice',
  sms: 'messaging',
  chat: 'messaging',
  video: 'video',
  kiosk: 'video',
  in_app_chat: 'messaging',
  in_app_video: 'video',
};
const LEGACY_OF_SOURCE: Record<string, string> = {
  in_app_video: 'in_app_video',
  kiosk_video: 'kiosk',
  web_video: 'video',
  web_chat: 'chat',
  in_app_chat: 'in_app_chat',
  sms: 'sms',
  facebook_messenger: 'chat',
  whatsapp: 'chat',
};

const QUEUE_NAMES = [
  'Sales',
  'Support — Tier 1',
  'Support — Tier 2',
  'Billing',
  'VIP',
  'Soporte Español',
  '日本語サポート',
  'Callbacks',
];
const FLOW_NAMES = ['Main IVR', 'After hours', 'Chat bot', 'Email triage', 'Video kiosk'];
const AGENTS = 24;
const CONSUMERS = 400;
const HOUR = 3_600_000;

/**
 * Zoom's tail: up to 8 engagements (one per 25 records) start in the last two hours before `now`
 * and are still running at `now`, so moving the sandbox clock shows them end.
 */
export function zoomTail(count: number): TimelineTail {
  return { count: Math.min(8, Math.floor(count / 25)), spanMs: 2 * HOUR };
}

/** Fields Zoom fills in only once an engagement has ended (totals, wrap-up, outcome). */
const AFTER_END = [
  'end_time',
  'duration',
  'talk_duration',
  'handling_duration',
  'wrap_up_duration',
  'dispositions',
  'transcript_url',
  'survey_id',
] as const;

/**
 * A stored engagement as Zoom shows it when the clock reads `nowMs`: one whose `end_time` is
 * still ahead is running, so it has no end, duration, totals, dispositions, transcript or survey
 * yet (Zoom's schema has no status field: a running engagement is one without an end); a note
 * appears once its `last_modified_time` has come. A pure function of the record and the time.
 */
export function zoomAsOf(rec: Json, nowMs: number): Json {
  let out = rec;
  if (typeof rec.end_time === 'number' && rec.end_time > nowMs) {
    out = { ...rec };
    for (const field of AFTER_END) delete out[field];
  }
  if (Array.isArray(rec.notes)) {
    const due = (rec.notes as Json[]).filter(
      (n) => typeof n.last_modified_time !== 'number' || n.last_modified_time <= nowMs,
    );
    if (due.length !== rec.notes.length) {
      if (out === rec) out = { ...rec };
      if (due.length > 0) out.notes = due;
      else delete out.notes;
    }
  }
  return out;
}

function zid(seed: number, salt: number, n: number): string {
  const d = new Draw(seed, 800_000_000 + salt * 10_000 + n);
  return d.token(22);
}

export function zoomQueues(seed: number): { cc_queue_id: string; queue_name: string }[] {
  return QUEUE_NAMES.map((queue_name, q) => ({ cc_queue_id: zid(seed, 1, q), queue_name }));
}

export function zoomAgents(seed: number): { user_id: string; display_name: string }[] {
  return Array.from({ length: AGENTS }, (_, a) => ({
    user_id: zid(seed, 2, a),
    display_name: personName(new Draw(seed, 700_000_000 + a)),
  }));
}

function consumer(seed: number, c: number): Json {
  const d = new Draw(seed, 600_000_000 + c);
  return {
    consumer_id: zid(seed, 3, c),
    consumer_display_name: personName(d),
    consumer_number: phone(d),
  };
}

export interface ZoomTraits {
  channel: string;
  source?: string;
  legacyOnly: boolean;
  channelTypes: string[];
  direction: string;
  queueId?: string;
  userId?: string;
  consumerNumber?: string;
}

export function zoomEngagementId(i: number, seed: number): string {
  const d = new Draw(seed, i);
  const h = `${d.hex(4)}${d.hex(3)}${d.hex(3)}${d.hex(12)}`;
  const variant = '89ab'[hash32(seed, i, 99) % 4];
  return `${i.toString(16).padStart(8, '0')}-${h.slice(0, 4)}-4${h.slice(4, 7)}-${variant}${h.slice(7, 10)}-${h.slice(10, 22)}`;
}

/** Seeded Zoom Contact Center engagements; start_time (whole seconds) is monotonic in the index. */
export function zoomEngagementSpec(seed: number, tl: Timeline): CollectionSpec<Json, ZoomTraits> {
  const queues = zoomQueues(seed);
  const agents = zoomAgents(seed);
  const traits = (i: number): ZoomTraits => {
    const h = hash32(seed, i, 50);
    const channel = ZOOM_CHANNELS[h % 10 < 5 ? 0 : h % 10 < 6 ? 1 : h % 10 < 9 ? 2 : 3] as string;
    const sources = ZOOM_SOURCES[channel] ?? [];
    const source = sources.length ? sources[(h >>> 8) % sources.length] : undefined;
    const legacyOnly = hash32(seed, i, 51) % 20 === 0 && channel !== 'email';
    const legacy = channel === 'voice' ? 'voice' : source ? LEGACY_OF_SOURCE[source] : undefined;
    const minimal = hash32(seed, i, 52) % 30 === 0;
    const t: ZoomTraits = {
      channel,
      legacyOnly,
      channelTypes: legacy ? [legacy] : [],
      direction: hash32(seed, i, 53) % 10 < 7 ? 'inbound' : 'outbound',
    };
    if (source) t.source = source;
    if (!minimal) {
      t.queueId = queues[hash32(seed, i, 54) % queues.length]?.cc_queue_id;
      if (hash32(seed, i, 55) % 8 !== 0)
        t.userId = agents[hash32(seed, i, 56) % agents.length]?.user_id;
      if (channel !== 'email')
        t.consumerNumber = consumer(seed, hash32(seed, i, 57) % CONSUMERS)
          .consumer_number as string;
    }
    return t;
  };
  return {
    count: tl.count,
    baseId: (i) => zoomEngagementId(i, seed),
    parseId: (id) => {
      const m = /^([0-9a-f]{8})-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.exec(id);
      if (!m) return undefined;
      const i = Number.parseInt(m[1] as string, 16);
      return zoomEngagementId(i, seed) === id ? i : undefined;
    },
    idOf: (r) => r.engagement_id as string,
    traits,
    traitsOf: zoomTraitsOf,
    build: (i) => {
      const t = traits(i);
      const d = new Draw(seed, i);
      const start = tl.at(i);
      const rec: Json = { engagement_id: zoomEngagementId(i, seed), start_time: start };
      if (!t.legacyOnly)
        rec.channels = [
          t.source ? { channel: t.channel, channel_source: t.source } : { channel: t.channel },
        ];
      if (t.legacyOnly || d.chance(0.5)) rec.channel_types = t.channelTypes;
      rec.direction = t.direction;
      if (!t.queueId) return rec;
      let duration = t.channel === 'email' ? d.int(60, 86_400) : d.int(5, 3600);
      // Tail engagements end 1 to 60 minutes after `now` (the draw above is kept so the draws
      // after it, and with them every other field, stay what they were).
      if (i >= tl.tailStart)
        duration = Math.ceil(
          (tl.endMs + 60_000 + (hash32(seed, i, 58) % 3540) * 1000 - start) / 1000,
        );
      const talk = Math.floor(duration * d.next());
      const waiting = d.int(0, 300);
      rec.end_time = start + duration * 1000;
      rec.duration = duration;
      const c = hash32(seed, i, 57) % CONSUMERS;
      if (t.consumerNumber) rec.consumers = [consumer(seed, c)];
      else rec.consumers = [{ consumer_id: zid(seed, 3, c), consumer_display_name: personName(d) }];
      rec.flows = [
        {
          flow_id: zid(seed, 4, i % 5),
          flow_name: FLOW_NAMES[i % 5],
          flow_version: String(d.int(1, 12)),
        },
      ];
      rec.queues = [queues.find((q) => q.cc_queue_id === t.queueId)];
      rec.agents = t.userId ? [agents.find((a) => a.user_id === t.userId)] : [];
      rec.talk_duration = talk;
      rec.flow_duration = d.int(0, 60);
      rec.waiting_duration = waiting;
      rec.handling_duration = talk + d.int(0, 120);
      rec.wrap_up_duration = d.int(0, 90);
      rec.transfer_count = d.chance(0.15) ? d.int(1, 3) : 0;
      if (d.chance(0.6)) {
        rec.dispositions = [
          {
            disposition_id: zid(seed, 5, i % DISPOSITIONS.length),
            disposition_name: d.pick(DISPOSITIONS),
          },
        ];
      }
      if (t.userId && d.chance(0.4)) {
        rec.notes = [
          {
            user_id: t.userId,
            note_id: d.token(22),
            note: paragraph(d),
            last_modified_time: start + duration * 1000 + 60_000,
          },
        ];
      }
      if (t.channel === 'messaging')
        rec.transcript_url = `https://zoom.us/cci/transcripts/${d.token(16)}`;
      if (d.chance(0.1)) rec.survey_id = d.token(22);
      return rec;
    },
    orderings: {
      start_time: {
        monotone: true,
        baseKey: (i) => tl.at(i),
        recordKey: (r) => r.start_time as number,
      },
    },
  };
}

/** The filter traits of a stored record (written or inserted), derived as for seeded ones. */
function zoomTraitsOf(r: Json): ZoomTraits {
  const first = Array.isArray(r.channels) ? (r.channels[0] as Json | undefined) : undefined;
  const declared = Array.isArray(r.channel_types) ? r.channel_types.map(String) : undefined;
  const source = typeof first?.channel_source === 'string' ? first.channel_source : undefined;
  const channel =
    typeof first?.channel === 'string' ? first.channel : (LEGACY[declared?.[0] ?? ''] ?? '');
  const legacy = channel === 'voice' ? 'voice' : source ? LEGACY_OF_SOURCE[source] : undefined;
  const t: ZoomTraits = {
    channel,
    legacyOnly: first === undefined,
    channelTypes: declared ?? (legacy ? [legacy] : []),
    direction: String(r.direction ?? ''),
  };
  if (source) t.source = source;
  const firstOf = (list: unknown, key: string) => {
    const item = Array.isArray(list) ? (list[0] as Json | undefined) : undefined;
    return typeof item?.[key] === 'string' ? (item[key] as string) : undefined;
  };
  const queueId = firstOf(r.queues, 'cc_queue_id');
  const userId = firstOf(r.agents, 'user_id');
  const consumerNumber = firstOf(r.consumers, 'consumer_number');
  if (queueId) t.queueId = queueId;
  if (userId) t.userId = userId;
  if (consumerNumber) t.consumerNumber = consumerNumber;
  return t;
}

/** Channel a record belongs to, also for records carrying only deprecated channel_types. */
export function legacyChannel(type: string): string | undefined {
  return LEGACY[type];
}
