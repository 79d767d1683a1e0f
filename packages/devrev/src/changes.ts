import {
  BadRequestError,
  type ChangeCapabilities,
  type Engagement,
  type EngagementKind,
  PageIterator,
  PaginationError,
  toIsoUtc,
} from '@engagekit/core';
import {
  type ChangeFeedSource,
  type ChangeListRequest,
  type CursorState,
  decodeCursor,
  encodeCursor,
  type FetchPageResult,
  fingerprintParams,
  type ListingSink,
  paginate,
  type QueryValue,
  type RequestOptions,
  type SourcePage,
} from '@engagekit/core/adapter';
import { z } from 'zod';
import { PROVIDER } from './map/common';
import { typesForKinds } from './map/engagement';
import type { DevRevPage } from './pages';
import { joinList } from './query';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** `changesLookbackMs` when none is given: clock skew and writes in flight during a run. */
export const DEFAULT_CHANGES_LOOKBACK_MS = 5 * MINUTE_MS;
/** The longest lookback accepted: every run re-reads that much of DevRev's listings. */
export const MAX_CHANGES_LOOKBACK_MS = 7 * DAY_MS;

/** The `changesLookbackMs` option. */
export const ChangesLookbackSchema = z
  .number()
  .int('must be a whole number of milliseconds')
  .min(0, 'must not be negative')
  .max(MAX_CHANGES_LOOKBACK_MS, `must be at most ${MAX_CHANGES_LOOKBACK_MS} (7 days)`);

/**
 * DevRev's place in the change-feed table. `'modified'`: engagements are read by `modified_date`
 * (newest first, stopping at the checkpoint), conversations by `modified_date.after`.
 * Deletions: `'none'`, because DevRev shows engagement deletions nowhere (its listings drop them
 * and its webhooks have no `engagement_*` event). Deleted conversations do arrive as
 * `conversation_deleted` webhooks (`devrev.webhooks()`), which the feed cannot report either.
 */
export function devrevChangeCapabilities(lookbackMs: number): ChangeCapabilities {
  return { mode: 'modified', deletes: 'none', lookbackMs };
}

/** What the change source needs from the adapter: the two page reads (with the transport). */
export interface DevRevChangeDeps {
  engagementsPage(
    query: Record<string, QueryValue>,
    options: RequestOptions,
    includeRaw: boolean,
  ): Promise<DevRevPage>;
  conversationsPage(
    body: Record<string, unknown>,
    options: RequestOptions,
    includeRaw: boolean,
  ): Promise<DevRevPage>;
  maxPageSize: number;
  defaultPageSize: number;
  cursorSecret?: string | undefined;
}

/** The most records tied with the last one delivered a cursor names (more come again on resume). */
const MAX_TIED_IDS = 20;
const MAX_ID_LENGTH = 1024;

/** Where the change listing is: the phase, the vendor token of the page in progress, a skip key. */
const PositionSchema = z
  .object({
    /** `e`: engagements (newest first); `c`: conversations. */
    ph: z.enum(['e', 'c']),
    /**
     * Resuming the page at `t`: skip its records whose `modified_date` (ms) is later than this,
     * since in a page sorted newest first those came before the last item delivered.
     */
    a: z.number().int().optional(),
    /** Remote ids of the records modified exactly at `a` delivered from that page (skipped too). */
    i: z.array(z.string().max(MAX_ID_LENGTH)).max(MAX_TIED_IDS).optional(),
  })
  .strict();
type Position = z.infer<typeof PositionSchema>;

/** The engine's key in `'modified'` mode. */
function keyMs(e: Engagement): number {
  return Date.parse(e.updatedAt ?? e.createdAt ?? e.occurredAt);
}

/** A raw record's `modified_date` in epoch ms, when it has a readable one. */
function rawModifiedMs(raw: unknown): number | undefined {
  const value = (raw as { modified_date?: unknown } | null)?.modified_date;
  if (typeof value !== 'string') return undefined;
  const iso = toIsoUtc(value);
  return iso === undefined ? undefined : Date.parse(iso);
}

/**
 * Decides when the newest-first engagement listing may end before DevRev's last page: at the first
 * page holding a record modified before `fromMs`, as long as every record read so far came in
 * `modified_date` order. A record without a `modified_date`, or one later than the record before
 * it (a vendor ignoring `sort_by`, or an offset page shifted by edits), turns the stop off for the
 * rest of the listing: it then reads to the end, which costs requests but loses nothing.
 */
export class ModifiedDescStop {
  #ordered = true;
  #last: number | undefined;
  constructor(private readonly fromMs: number) {}

  /** Reads one page (in vendor order); says whether the listing can end after it. */
  observe(raw: readonly unknown[]): boolean {
    let past = false;
    for (const record of raw) {
      const ms = rawModifiedMs(record);
      if (ms === undefined || (this.#last !== undefined && ms > this.#last)) this.#ordered = false;
      if (ms === undefined) continue;
      this.#last = ms;
      if (ms < this.fromMs) past = true;
    }
    return this.#ordered && past;
  }
}

/**
 * Whether `items` (in page order) are newest first by `updatedAt`, each having one: only then can
 * a resume inside the page skip what came before by time.
 */
function newestFirst(items: readonly Engagement[]): boolean {
  let last = Number.POSITIVE_INFINITY;
  for (const item of items) {
    if (item.updatedAt === undefined) return false;
    const ms = Date.parse(item.updatedAt);
    if (!(ms <= last)) return false;
    last = ms;
  }
  return true;
}

/** What a resume inside a sorted page leaves out: records modified after `a`, and `i` at `a`. */
interface Skip {
  a: number;
  i: string[];
}

/** The skip that resumes after `items[index]` of a page sorted newest first. */
function skipUpTo(items: readonly Engagement[], index: number): Skip | undefined {
  const updatedAt = items[index]?.updatedAt;
  if (updatedAt === undefined) return undefined;
  const tied: string[] = [];
  for (let j = index; j >= 0 && tied.length < MAX_TIED_IDS; j--) {
    const item = items[j] as Engagement;
    if (item.updatedAt !== updatedAt) break;
    if (item.remoteId.length <= MAX_ID_LENGTH) tied.push(item.remoteId);
  }
  return { a: Date.parse(updatedAt), i: tied };
}

/** Whether a record of the page a resume re-reads is still to be delivered. */
function keeps(skip: Skip): (e: Engagement) => boolean {
  const tied = new Set(skip.i);
  return (e) => {
    if (e.updatedAt === undefined) return true;
    const ms = Date.parse(e.updatedAt);
    return ms < skip.a || (ms === skip.a && !tied.has(e.remoteId));
  };
}

interface Phase {
  name: 'e' | 'c';
  fingerprint: string;
  /** Called before the phase's listing starts (each iteration, each resume). */
  begin?(): void;
  /** Reads the page at `token`; `done` ends the phase. */
  fetch(
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<FetchPageResult<Engagement>>;
  /** Whether a resume inside a page may skip by `modified_date` (the page is sorted by it). */
  sorted(items: readonly Engagement[]): boolean;
}

/**
 * The listing behind DevRev's `engagements.changes()`: engagements newest first by
 * `modified_date` down to `fromMs`, then conversations with `modified_date.after = fromMs`.
 *
 * Resuming part-way never loses a record. DevRev's listing is live: a record edited during a run
 * moves to the front, where this run does not look again; its new `modified_date` is after the
 * run's start, so the next run (which reads from the start minus the lookback) finds it. A cursor
 * inside a page names the page's vendor token, not a count of records already read (a count would
 * skip a record when one before it was edited or deleted meanwhile): the page is read again and
 * only records modified after the last one delivered, or at the same time and delivered (up to 20
 * named in the cursor), are left out, since those came before it in the sorted page. The records
 * of a conversation page read before the stop (DevRev states no order for them) come again at
 * that resume boundary, and so does a whole phase whose saved page cursor DevRev refuses (400).
 */
export function devrevChangeSource(deps: DevRevChangeDeps): ChangeFeedSource {
  return {
    list(request: ChangeListRequest): PageIterator<Engagement> {
      try {
        return changeListing(deps, request);
      } catch (error) {
        return PageIterator.failing<Engagement>(error);
      }
    },
  };
}

function changeListing(
  deps: DevRevChangeDeps,
  request: ChangeListRequest,
): PageIterator<Engagement> {
  const { fromMs, includeRaw, signal } = request;
  const kinds = request.kinds ? [...new Set(request.kinds)].sort() : undefined;
  const limit = Math.min(request.pageSize ?? deps.defaultPageSize, deps.maxPageSize);
  const fingerprint = fingerprintParams({ changesFrom: fromMs, kinds });
  const secret = deps.cursorSecret;
  // The feed's per-call options (a shared rate limit's beforeRequest), as list() passes them.
  const options: RequestOptions = { ...request.request, signal };
  const types = typesForKinds(kinds as EngagementKind[] | undefined);
  const phases: Phase[] = [];
  if (types === undefined || types.length > 0) {
    const query: Record<string, QueryValue> = {
      sort_by: 'modified_date:desc',
      limit,
      ...(types ? { type: joinList(types) } : {}),
    };
    let stop: ModifiedDescStop | undefined;
    phases.push({
      name: 'e',
      fingerprint: fingerprintParams({ fingerprint, phase: 'e' }),
      // A new listing (a resume) knows nothing of the order of what came before its first page.
      begin: () => {
        stop = new ModifiedDescStop(fromMs);
      },
      async fetch(token, pageSignal) {
        stop ??= new ModifiedDescStop(fromMs);
        const page = await deps.engagementsPage(
          { ...query, cursor: token },
          { ...options, signal: pageSignal },
          includeRaw,
        );
        return {
          items: page.items,
          invalid: page.invalid,
          nextToken: page.nextCursor,
          done: stop.observe(page.raw),
        };
      },
      sorted: newestFirst,
    });
  }
  if (kinds === undefined || kinds.includes('chat')) {
    const body = { modified_date: { after: new Date(fromMs).toISOString() }, limit };
    phases.push({
      name: 'c',
      fingerprint: fingerprintParams({ fingerprint, phase: 'c' }),
      async fetch(token, pageSignal) {
        const page = await deps.conversationsPage(
          { ...body, ...(token ? { cursor: token } : {}) },
          { ...options, signal: pageSignal },
          includeRaw,
        );
        return { items: page.items, invalid: page.invalid, nextToken: page.nextCursor };
      },
      sorted: () => false,
    });
  }

  const encode = (state: Omit<CursorState, 'p' | 'f'>) =>
    encodeCursor({ p: PROVIDER, f: fingerprint, ...state }, { secret });
  const terminal = encode({ e: 1 });
  const at = (phase: number, token?: string, skip?: Skip): string => {
    const name = phases[phase]?.name;
    if (name === undefined) return terminal;
    const x: Position = {
      ph: name,
      ...(skip ? { a: skip.a } : {}),
      ...(skip?.i.length ? { i: skip.i } : {}),
    };
    return encode({ x, ...(token !== undefined ? { t: token } : {}) });
  };

  let start: { phase: number; token?: string | undefined; skip?: Skip | undefined } = {
    phase: 0,
  };
  if (request.cursor !== undefined) {
    const state = decodeCursor(request.cursor, { provider: PROVIDER, fingerprint, secret });
    if (state.e) start = { phase: phases.length };
    else {
      const parsed = PositionSchema.safeParse(state.x);
      const phase = parsed.success ? phases.findIndex((p) => p.name === parsed.data.ph) : -1;
      if (!parsed.success || phase < 0) {
        throw new PaginationError(
          'malformed-cursor',
          'The change listing cursor names no phase of this listing.',
          { provider: PROVIDER },
        );
      }
      const { a, i = [] } = parsed.data;
      // Only the engagement pages are sorted: a skip elsewhere could leave out an undelivered record.
      const sorted = parsed.data.ph === 'e';
      start = { phase, token: state.t, skip: a !== undefined && sorted ? { a, i } : undefined };
    }
  }

  type Start = typeof start;
  interface Status {
    /** A page of the phase was read. */
    read: boolean;
    /** The phase was read to its end. */
    finished: boolean;
  }

  async function* readPhase(
    index: number,
    resume: Start,
    sink: ListingSink,
    status: Status,
  ): AsyncGenerator<SourcePage<Engagement>> {
    const phase = phases[index] as Phase;
    phase.begin?.();
    let requested: string | undefined;
    let continuation: string | undefined;
    const inner = paginate<Engagement>({
      provider: PROVIDER,
      fingerprint: phase.fingerprint,
      cursor:
        resume.token !== undefined
          ? encodeCursor({ p: PROVIDER, f: phase.fingerprint, t: resume.token }, { secret })
          : undefined,
      cursorSecret: secret,
      signal,
      onInvalidRecord: request.onInvalidRecord,
      // Older records are what the previous run delivered (or never changed since).
      filter: (e) => keyMs(e) >= fromMs && (kinds === undefined || kinds.includes(e.kind)),
      async fetchPage({ token, signal: pageSignal }) {
        requested = token;
        const result = await phase.fetch(token, pageSignal);
        status.read = true;
        continuation = result.done ? undefined : (result.nextToken ?? undefined);
        return result;
      },
    });
    let skip = resume.skip;
    for await (const page of inner.sourcePages({
      skipped: (record) => sink.skipped(record),
      finished: () => {
        status.finished = true;
      },
    })) {
      // No prefetch: the page just read is the one at `requested`.
      const token = requested;
      const next = page.nextCursor !== undefined ? continuation : undefined;
      let items = page.items;
      if (skip) items = items.filter(keeps(skip));
      skip = undefined;
      const sorted = phase.sorted(items);
      const last = items.length - 1;
      const end = next !== undefined ? at(index, next) : at(index + 1);
      yield {
        items,
        nextCursor: page.nextCursor !== undefined ? end : undefined,
        cursorAfter: (i) =>
          i >= last ? end : at(index, token, sorted ? skipUpTo(items, i) : undefined),
      };
    }
  }

  async function* source(sink: ListingSink): AsyncGenerator<SourcePage<Engagement>> {
    for (let index = start.phase; index < phases.length; index++) {
      const resume = index === start.phase ? start : { phase: index };
      const status: Status = { read: false, finished: false };
      try {
        yield* readPhase(index, resume, sink, status);
      } catch (error) {
        // DevRev refusing a saved page cursor (expired, or made by another deployment) would
        // otherwise fail every resume of this checkpoint: the phase is read again from its first
        // page instead, which repeats changes at this resume boundary and loses none.
        if (status.read || resume.token === undefined || !(error instanceof BadRequestError)) {
          throw error;
        }
        yield* readPhase(index, { phase: index }, sink, status);
      }
      if (!status.finished) return;
    }
    sink.finished(terminal);
  }

  return new PageIterator<Engagement>((sink) => source(sink));
}
