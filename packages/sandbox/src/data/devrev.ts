import type { CollectionSpec } from './collection';
import { Draw, hash32 } from './random';
import { COMPANIES, emailOf, FIRST_NAMES, LAST_NAMES, paragraph, subject } from './text';
import type { Timeline } from './timeline';

export const DEVREV_ENGAGEMENT_TYPES = [
  'call',
  'conversation',
  'custom',
  'default',
  'email',
  'linked_in',
  'meeting',
  'offline',
  'survey',
] as const;
export const DEVREV_CREATE_TYPES = ['call', 'default', 'email', 'linked_in', 'offline'] as const;

const ORG = 'don:core:dvrv-us-1:devo/7Sx0sb';
const IDENTITY = 'don:identity:dvrv-us-1:devo/7Sx0sb';
const USER_KINDS = [
  { type: 'dev_user', path: 'devu', display: 'DEVU' },
  { type: 'rev_user', path: 'revu', display: 'REVU' },
  { type: 'service_account', path: 'svcacc', display: 'SVCACC' },
  { type: 'sys_user', path: 'sysu', display: 'SYSU' },
] as const;
const USER_POOL = 48;
const PARENT_POOL = 30;
const DAY = 86_400_000;

export type Json = Record<string, unknown>;

/** A user-summary of one of the four kinds; user u of the fixed pool. */
const userCache = new Map<string, Json>();

export function devrevUser(seed: number, u: number): Json {
  const key = `${seed}:${u}`;
  const cached = userCache.get(key);
  if (cached) return structuredClone(cached);
  const user = makeUser(seed, u);
  userCache.set(key, user);
  return structuredClone(user);
}

function makeUser(seed: number, u: number): Json {
  const kind = USER_KINDS[u % 10 < 6 ? 0 : u % 10 < 8 ? 1 : u % 10 === 8 ? 2 : 3] ?? USER_KINDS[0];
  const d = new Draw(seed, 900_000 + u);
  const name = `${d.pick(FIRST_NAMES)} ${d.pick(LAST_NAMES)}`;
  const user: Json = {
    type: kind.type,
    id: `${IDENTITY}:${kind.path}/${u + 1}`,
    display_id: `${kind.display}-${u + 1}`,
    display_name: kind.type === 'sys_user' ? 'DevRev Bot' : name,
    state: d.chance(0.9) ? 'active' : 'deactivated',
  };
  if (kind.type !== 'sys_user') {
    user.full_name = name;
    user.email = emailOf(name, u + 1);
  }
  if (d.chance(0.3)) {
    user.display_picture = {
      id: `${ORG}:artifact/${9000 + u}`,
      display_id: `ARTIFACT-${9000 + u}`,
      file: { type: 'image/png', name: 'avatar.png', size: d.int(1000, 90_000) },
    };
  }
  if (kind.type === 'rev_user') {
    user.external_ref = `crm-contact-${u + 1}`;
    user.rev_org = {
      type: 'rev_org',
      id: `${ORG}:revo/${(u % 7) + 1}`,
      display_id: `REV-${(u % 7) + 1}`,
      display_name: COMPANIES[u % COMPANIES.length],
    };
  }
  return user;
}

function userRef(seed: number, u: number): { id: string; display: string } {
  const key = `${seed}:${u}`;
  let user = userCache.get(key);
  if (!user) {
    user = makeUser(seed, u);
    userCache.set(key, user);
  }
  return { id: user.id as string, display: user.display_id as string };
}

export function devrevUserIds(seed: number): string[] {
  return Array.from({ length: USER_POOL }, (_, u) => devrevUser(seed, u).id as string);
}

function parentOf(p: number): Json {
  const kind = p % 3 === 2 ? 'opportunity' : 'account';
  const display = kind === 'account' ? `ACC-${p + 1}` : `OPP-${p + 1}`;
  return {
    id: `${ORG}:${kind}/${p + 1}`,
    display_id: display,
    display_name: COMPANIES[p % COMPANIES.length],
  };
}

export interface DevRevTraits {
  type: string;
  members: string[];
  parents: string[];
  externalRef?: string;
}

const idPart = (i: number) => i.toString(36).padStart(8, '0');

export function devrevEngagementId(i: number): string {
  return `${ORG}:engagement/${idPart(i)}`;
}

export function parseDevrevEngagementId(id: string): number | undefined {
  const m = /:engagement\/([0-9a-z]{8})$/.exec(id);
  if (m) return Number.parseInt(m[1] as string, 36);
  const display = /^ENG-(\d+)$/.exec(id);
  return display ? Number(display[1]) - 1 : undefined;
}

/** Seeded DevRev engagements: created_date is monotonic in the index. */
export function devrevEngagementSpec(
  seed: number,
  tl: Timeline,
  nowMs: number,
): CollectionSpec<Json, DevRevTraits> {
  const typeOf = (i: number) => DEVREV_ENGAGEMENT_TYPES[hash32(seed, i, 11) % 9] as string;
  const memberIdxs = (i: number) => {
    const n = 1 + (hash32(seed, i, 12) % 4);
    const out = new Set<number>();
    for (let k = 0; k < n; k++) out.add(hash32(seed, i, 20 + k) % USER_POOL);
    return [...out];
  };
  const parentIdxs = (i: number) => {
    const h = hash32(seed, i, 13);
    if (h % 5 === 0) return [];
    const out = [(h >>> 4) % PARENT_POOL];
    if ((h >>> 12) % 7 === 0) out.push((h >>> 16) % PARENT_POOL);
    return [...new Set(out)];
  };
  const externalRef = (i: number) =>
    hash32(seed, i, 14) % 3 === 0
      ? `ext-${(hash32(seed, i, 15) % 1_000_000).toString().padStart(6, '0')}`
      : undefined;
  const modified = (i: number) => Math.min(nowMs, tl.at(i) + (hash32(seed, i, 16) % (30 * DAY)));
  // Minimal records carry no scheduled_date, so the sort index must not give them one either.
  const isMinimal = (i: number) => hash32(seed, i, 10) % 25 === 0;
  const scheduled = (i: number) =>
    isMinimal(i) || hash32(seed, i, 17) % 8 === 0
      ? undefined
      : tl.at(i) + ((hash32(seed, i, 18) % (20 * DAY)) - 5 * DAY);
  const userId = (u: number) => userRef(seed, u).id;
  const userDisplay = (u: number) => userRef(seed, u).display;

  return {
    count: tl.count,
    baseId: devrevEngagementId,
    parseId: parseDevrevEngagementId,
    idOf: (r) => r.id as string,
    // A filtered listing tests every record it passes (a page of one engagement type reads about
    // nine records per match): members and parents, which cost string building, are made only
    // when a filter reads them.
    traits: (i) => {
      const minimal = isMinimal(i);
      let members: string[] | undefined;
      let parents: string[] | undefined;
      const t: DevRevTraits = {
        type: typeOf(i),
        get members() {
          members ??= memberIdxs(i).flatMap((u) => [userId(u), userDisplay(u)]);
          return members;
        },
        get parents() {
          parents ??= minimal
            ? []
            : parentIdxs(i).flatMap((p) => {
                const parent = parentOf(p);
                return [parent.id as string, parent.display_id as string];
              });
          return parents;
        },
      };
      const ref = minimal ? undefined : externalRef(i);
      if (ref) t.externalRef = ref;
      return t;
    },
    traitsOf: (r) => {
      const t: DevRevTraits = {
        type: String(r.engagement_type ?? 'default'),
        members: ((r.members as Json[] | undefined) ?? []).flatMap((m) => [
          m.id as string,
          m.display_id as string,
        ]),
        parents: ((r.parents as Json[] | undefined) ?? []).flatMap((p) => [
          p.id as string,
          p.display_id as string,
        ]),
      };
      if (typeof r.external_ref === 'string') t.externalRef = r.external_ref;
      return t;
    },
    build: (i) => {
      const d = new Draw(seed, i);
      const type = typeOf(i);
      const creator = hash32(seed, i, 19) % USER_POOL;
      const minimal = isMinimal(i);
      const rec: Json = {
        id: devrevEngagementId(i),
        display_id: `ENG-${i + 1}`,
        created_date: new Date(tl.at(i)).toISOString(),
        modified_date: new Date(modified(i)).toISOString(),
      };
      if (minimal) {
        rec.engagement_type = type;
        rec.members = memberIdxs(i).map((u) => devrevUser(seed, u));
        return rec;
      }
      rec.created_by = devrevUser(seed, creator);
      rec.modified_by = devrevUser(seed, d.chance(0.7) ? creator : d.int(0, USER_POOL - 1));
      rec.title = `${subject(d)}${d.chance(0.2) ? ` — ${d.pick(COMPANIES)}` : ''}`;
      rec.engagement_type = type;
      if (d.chance(0.8)) rec.description = paragraph(d);
      rec.members = memberIdxs(i).map((u) => devrevUser(seed, u));
      const parents = parentIdxs(i).map(parentOf);
      if (parents.length > 0) rec.parents = parents;
      const sched = scheduled(i);
      if (sched !== undefined) rec.scheduled_date = new Date(sched).toISOString();
      const ref = externalRef(i);
      if (ref) {
        rec.external_ref = ref;
        rec.external_url = `https://calendar.example.com/event/${ref}`;
      }
      if (d.chance(0.3)) {
        rec.tags = [
          {
            tag: {
              id: `${ORG}:tag/${d.int(1, 9)}`,
              display_id: `TAG-${d.int(1, 9)}`,
              name: d.pick(['vip', 'renewal', 'churn-risk', 'beta', '優先']),
            },
            ...(d.chance(0.5) ? { value: d.pick(['high', 'low', 'q3']) } : {}),
          },
        ];
      }
      return rec;
    },
    orderings: {
      created_date: {
        monotone: true,
        baseKey: (i) => tl.at(i),
        recordKey: (r) => Date.parse(r.created_date as string),
      },
      modified_date: {
        monotone: false,
        baseKey: modified,
        recordKey: (r) => Date.parse(r.modified_date as string),
      },
      scheduled_date: {
        monotone: false,
        baseKey: (i) => scheduled(i) ?? 0,
        recordKey: (r) => (typeof r.scheduled_date === 'string' ? Date.parse(r.scheduled_date) : 0),
      },
    },
  };
}

export function devrevConversationId(i: number): string {
  return `${ORG}:conversation/${idPart(i)}`;
}

/** Filter traits of a stored (written or inserted) conversation, as seeded ones derive them. */
function conversationTraitsOf(r: Json): ConversationTraits {
  const users = (list: unknown) =>
    (Array.isArray(list) ? list : []).flatMap((u: Json) =>
      [u?.id, u?.display_id].filter((x): x is string => typeof x === 'string'),
    );
  const stage = (r.stage as Json | undefined)?.name;
  const account = r.account as Json | undefined;
  return {
    members: users(r.members),
    ownedBy: users(r.owned_by),
    // Seeded conversations are closed exactly when their stage is resolved.
    state: stage === 'resolved' ? 'closed' : 'open',
    sourceChannel: String(r.source_channel ?? ''),
    tags: (Array.isArray(r.tags) ? r.tags : []).flatMap((t: Json) => {
      const tagId = (t?.tag as Json | undefined)?.id;
      return typeof tagId === 'string' ? [tagId] : [];
    }),
    modified: Date.parse(String(r.modified_date ?? '')) || 0,
    account: [account?.id, account?.display_id].filter((x): x is string => typeof x === 'string'),
  };
}

export interface ConversationTraits {
  members: string[];
  ownedBy: string[];
  state: string;
  sourceChannel: string;
  tags: string[];
  modified: number;
  /** The beta `account` (its DON and display id), absent for a third of the conversations. */
  account: string[];
}

const CONV_STATES = ['open', 'closed', 'open', 'open'] as const;
const SOURCE_CHANNELS = ['plug', 'email', 'slack', 'api', 'whatsapp'] as const;

export function devrevConversationSpec(
  seed: number,
  tl: Timeline,
  nowMs: number,
): CollectionSpec<Json, ConversationTraits> {
  const members = (i: number) => {
    const n = 1 + (hash32(seed, i, 31) % 3);
    return [...new Set(Array.from({ length: n }, (_, k) => hash32(seed, i, 40 + k) % USER_POOL))];
  };
  const owner = (i: number) => hash32(seed, i, 32) % USER_POOL;
  const state = (i: number) => CONV_STATES[hash32(seed, i, 33) % CONV_STATES.length] as string;
  const source = (i: number) =>
    SOURCE_CHANNELS[hash32(seed, i, 34) % SOURCE_CHANNELS.length] as string;
  const tag = (i: number) =>
    hash32(seed, i, 35) % 4 === 0 ? `${ORG}:tag/${(hash32(seed, i, 36) % 9) + 1}` : undefined;
  const modified = (i: number) => Math.min(nowMs, tl.at(i) + (hash32(seed, i, 37) % (10 * DAY)));
  // Multiples of 3 are accounts in parentOf (the others include opportunities).
  const account = (i: number) =>
    hash32(seed, i, 38) % 3 === 0 ? undefined : parentOf(3 * (hash32(seed, i, 39) % 20));
  const ids = (us: number[]) => us.flatMap((u) => [userRef(seed, u).id, userRef(seed, u).display]);
  const id = devrevConversationId;
  return {
    count: tl.count,
    baseId: id,
    parseId: (s) => {
      const m = /:conversation\/([0-9a-z]{8})$/.exec(s);
      return m ? Number.parseInt(m[1] as string, 36) : undefined;
    },
    idOf: (r) => r.id as string,
    traits: (i) => {
      const t = tag(i);
      return {
        members: ids(members(i)),
        ownedBy: ids([owner(i)]),
        state: state(i),
        sourceChannel: source(i),
        tags: t ? [t] : [],
        modified: modified(i),
        account: ((a) => (a ? [a.id as string, a.display_id as string] : []))(account(i)),
      };
    },
    traitsOf: conversationTraitsOf,
    build: (i) => {
      const d = new Draw(seed, 500_000_000 + i);
      const t = tag(i);
      const rec: Json = {
        id: id(i),
        display_id: `CONV-${i + 1}`,
        created_date: new Date(tl.at(i)).toISOString(),
        modified_date: new Date(modified(i)).toISOString(),
        created_by: devrevUser(seed, members(i)[0] ?? 0),
        members: members(i).map((u) => devrevUser(seed, u)),
        owned_by: [devrevUser(seed, owner(i))],
        title: subject(d),
        description: paragraph(d),
        source_channel: source(i),
        stage: { name: state(i) === 'open' ? 'waiting_on_user' : 'resolved' },
        metadata: { url_context: 'https://app.example.com/pricing' },
      };
      if (t) rec.tags = [{ tag: { id: t, name: 'vip' }, value: 'high' }];
      const a = account(i);
      if (a) rec.account = a;
      if (state(i) === 'closed') rec.actual_close_date = new Date(modified(i)).toISOString();
      return rec;
    },
    orderings: {
      created_date: {
        monotone: true,
        baseKey: (i) => tl.at(i),
        recordKey: (r) => Date.parse(r.created_date as string),
      },
    },
  };
}
