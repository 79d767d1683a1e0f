import type { CollectionSpec, KeyRange } from './collection';
import { Draw, hash32 } from './random';
import { COMPANIES, paragraph, personName, phone, subject } from './text';
import type { Timeline } from './timeline';
import type { TimeBound } from './truto-query';

export type Json = Record<string, unknown>;

const TYPES = [
  'call',
  'email',
  'meeting',
  'chat',
  'note',
  'task',
  'call',
  'email',
  'meeting',
  'LinkedIn Message',
  'SMS',
] as const;
const DIRECTIONS = [
  'inbound',
  'missed',
  'outbound',
  'Inbound',
  'Outbound',
  'OUTGOING',
  'INCOMING',
  'incoming',
  'outgoing',
  'Outgoing',
] as const;
const STATUSES = [
  'completed',
  'COMPLETED',
  'scheduled',
  'no_answer',
  'busy',
  'Held',
  'NOT_STARTED',
] as const;
const CONTACTS = 300;
const ACCOUNTS = 60;
const OWNERS = 20;

export interface TrutoTraits {
  type: string;
  /** `created_at` in ms (0 when absent). */
  created: number;
  /** `updated_at` in ms, else `created_at` (records the CRM never edited carry no updated_at). */
  updated: number;
  contacts: string[];
  account?: string;
  owner?: string;
  opportunity?: string;
}

/** A seeded record's `created_at` is at most this long before its start time. */
const CREATED_LEAD_MS = 3_600_000;
/** A seeded record's `updated_at` is less than this long after its start time. */
const UPDATED_SPREAD_MS = 86_400_000;

/**
 * The start times a seeded record can have when its `created_at`/`updated_at` satisfy these
 * bounds (the generator's spreads below), so a time filter seeks instead of scanning every
 * record before the first match: a modified-since query over a million records.
 */
export function seededStartKeys(times: {
  created_at?: readonly TimeBound[];
  updated_at?: readonly TimeBound[];
}): KeyRange {
  const range: KeyRange = {};
  const atLeast = (k: number) => {
    range.min = range.min === undefined ? k : Math.max(range.min, k);
  };
  const atMost = (k: number) => {
    range.max = range.max === undefined ? k : Math.min(range.max, k);
  };
  // created ∈ [start − lead, start]; updated ∈ [created, start + spread).
  for (const b of times.created_at ?? []) {
    if (b.op === 'gt' || b.op === 'gte') atLeast(b.ms);
    else atMost(b.ms + CREATED_LEAD_MS);
  }
  for (const b of times.updated_at ?? []) {
    if (b.op === 'gt' || b.op === 'gte') atLeast(b.ms - UPDATED_SPREAD_MS);
    else atMost(b.ms + CREATED_LEAD_MS);
  }
  return range;
}

const BASE = 10_000_000_000;
export const trutoId = (i: number) => String(BASE + i);

function timeOf(value: unknown): number {
  return Date.parse(String(value ?? '')) || 0;
}

/** Seeded Truto unified-CRM engagements; start_time is monotonic in the index. */
export function trutoEngagementSpec(seed: number, tl: Timeline): CollectionSpec<Json, TrutoTraits> {
  // created_at is the record's first draw, so it is cheap to recompute for filters.
  const created = (i: number) => tl.at(i) - new Draw(seed, i).int(0, CREATED_LEAD_MS);
  const minimal = (i: number) => hash32(seed, i, 68) % 25 === 0;
  // Never after `now`: a change feed keyed on updated_at must find every later edit newer.
  const updated = (i: number) =>
    minimal(i)
      ? created(i)
      : Math.max(
          created(i),
          Math.min(tl.endMs, tl.at(i) + (hash32(seed, i, 69) % UPDATED_SPREAD_MS)),
        );
  const traits = (i: number): TrutoTraits => {
    const type = TYPES[hash32(seed, i, 60) % TYPES.length] as string;
    const times = { created: created(i), updated: updated(i) };
    if (minimal(i)) return { type, ...times, contacts: [] };
    const nContacts = hash32(seed, i, 61) % 4;
    const contacts = [
      ...new Set(
        Array.from({ length: nContacts }, (_, k) =>
          String(5000 + (hash32(seed, i, 70 + k) % CONTACTS)),
        ),
      ),
    ];
    const t: TrutoTraits = { type, ...times, contacts };
    if (hash32(seed, i, 62) % 5 !== 0) t.account = String(7000 + (hash32(seed, i, 63) % ACCOUNTS));
    if (hash32(seed, i, 64) % 6 !== 0) t.owner = String(100 + (hash32(seed, i, 65) % OWNERS));
    if (hash32(seed, i, 66) % 4 === 0) t.opportunity = String(9000 + (hash32(seed, i, 67) % 80));
    return t;
  };
  const startOf = (r: Json) => Date.parse(String(r.start_time ?? r.created_at ?? 0)) || 0;
  return {
    count: tl.count,
    baseId: trutoId,
    parseId: (id) => {
      if (!/^\d{11}$/.test(id)) return undefined;
      const n = Number(id) - BASE;
      return n >= 0 ? n : undefined;
    },
    idOf: (r) => r.id as string,
    traits,
    traitsOf: (r) => {
      const createdMs = timeOf(r.created_at);
      const t: TrutoTraits = {
        type: String(r.engagement_type ?? ''),
        created: createdMs,
        updated: r.updated_at == null ? createdMs : timeOf(r.updated_at),
        contacts: (Array.isArray(r.contact) ? r.contact : [])
          .filter((c): c is Json => typeof c === 'object' && c !== null)
          .map((c) => String(c.id)),
      };
      const idOf = (value: unknown) => {
        // `opportunity` is an array of `{ id }` in Truto's reference; `account`/`owner` objects.
        const v = Array.isArray(value) ? value[0] : value;
        return typeof v === 'object' && v !== null && 'id' in v
          ? String((v as Json).id)
          : undefined;
      };
      const account = idOf(r.account);
      const owner = idOf(r.owner);
      const opportunity = idOf(r.opportunity);
      if (account) t.account = account;
      if (owner) t.owner = owner;
      if (opportunity) t.opportunity = opportunity;
      return t;
    },
    build: (i) => {
      const t = traits(i);
      const d = new Draw(seed, i);
      const start = tl.at(i);
      const rec: Json = {
        id: trutoId(i),
        engagement_type: t.type,
        start_time: new Date(start).toISOString(),
        created_at: new Date(start - d.int(0, CREATED_LEAD_MS)).toISOString(),
      };
      if (minimal(i)) return rec;
      const duration = t.type === 'note' || t.type === 'task' ? undefined : d.int(0, 5400);
      rec.subject = d.chance(0.9) ? subject(d) : null;
      rec.content = d.chance(0.8) ? paragraph(d) : null;
      if (t.type !== 'note' && t.type !== 'task') rec.direction = d.pick(DIRECTIONS);
      rec.status = d.pick(STATUSES);
      if (duration !== undefined) {
        rec.end_time = new Date(start + duration * 1000).toISOString();
        rec.duration = String(duration);
      }
      rec.contact = t.contacts.map((id) => ({ id }));
      if (t.account) rec.account = { id: t.account };
      if (t.owner) rec.owner = { id: t.owner };
      if (t.opportunity) rec.opportunity = [{ id: t.opportunity }];
      if (d.chance(0.4)) rec.notes = [{ id: String(30000 + d.int(0, 9999)) }];
      if (d.chance(0.3)) rec.internal_notes = paragraph(d);
      if (t.type === 'call' || t.type === 'SMS') {
        rec.phone_numbers = [
          {
            id: String(d.int(1, 99999)),
            number: phone(d),
            extension: d.chance(0.2) ? String(d.int(100, 999)) : null,
            type: d.pick(['work', 'mobile', 'home']),
          },
        ];
      }
      if (d.chance(0.3)) rec.project = { id: String(d.int(1, 50)) };
      rec.custom_fields = d.chance(0.5)
        ? {
            hs_call_disposition: d.pick(['Connected', 'Left voicemail', 'No answer']),
            priority: d.int(1, 5),
          }
        : {};
      // The draw is kept so the draws after it stay what they were; the time comes from updated().
      d.int(0, 86_400_000);
      rec.updated_at = new Date(updated(i)).toISOString();
      rec.remote_data = {
        id: String(d.int(1_000_000, 9_999_999)),
        properties: {
          hs_timestamp: rec.start_time,
          hs_engagement_type: t.type.toUpperCase(),
          hs_body_preview: typeof rec.content === 'string' ? rec.content.slice(0, 80) : null,
          hubspot_owner_id: t.owner ?? null,
          company_name: d.pick(COMPANIES),
          caller: personName(d),
        },
        associations: { contacts: t.contacts },
      };
      return rec;
    },
    orderings: {
      start_time: { monotone: true, baseKey: (i) => tl.at(i), recordKey: startOf },
    },
  };
}
