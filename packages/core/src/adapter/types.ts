import type { ChangeCapabilities, ChangeFeed, ChangeFeedParams } from '../changes/types';
import type { RequestOptions } from '../http/types';
import type { Direction, Engagement, EngagementKind, Tag } from '../model/engagement';
import type { OnInvalidRecord } from '../pagination/invalid-record';
import type { PageIterator } from '../pagination/page-iterator';

/** The unified filters, by name. */
export type FilterName =
  | 'from'
  | 'to'
  | 'kinds'
  | 'directions'
  | 'participantIds'
  | 'accountIds'
  | 'ownerIds';
/** How an adapter applies a filter: by the vendor (`'server'`) or by engagekit after fetching (`'client'`). */
export type FilterSupport = 'server' | 'client';

export interface AdapterCapabilities {
  operations: {
    list: boolean;
    get: boolean;
    create: boolean;
    update: boolean;
    delete: boolean;
    count: boolean;
  };
  /** Filters the adapter applies; a filter absent here is a `CapabilityError` before any request. */
  filters: Partial<Record<FilterName, FilterSupport>>;
  /** The vendor's largest page. */
  maxPageSize: number;
  /** The page size used when the caller sets none. */
  defaultPageSize: number;
  /** The longest `from`/`to` window the vendor accepts in one query; longer ranges are sliced. */
  maxWindowMs?: number | undefined;
  /** Whether pages carry a `prevCursor` that pages backwards. */
  backwardsPaging: boolean;
  /** `'asc'` when `list()` yields items in ascending `occurredAt` order; the merged client relies on it. */
  ordering: 'asc' | 'unordered';
  /** Kinds `create()` accepts. */
  createKinds?: readonly EngagementKind[] | undefined;
  /** How `engagements.changes()` finds what changed; absent when the adapter has no change feed. */
  changes?: ChangeCapabilities | undefined;
}

/** Parameters of every `engagements.list()`. */
export interface ListEngagementsParams {
  /**
   * Inclusive lower bound on `occurredAt`: a Date or an ISO-8601 string. A string without an offset
   * (`'2026-01-01'`, `'2026-01-01T10:00:00'`) is UTC, whatever the machine's time zone.
   */
  from?: Date | string | undefined;
  /** Exclusive upper bound on `occurredAt`; a string without an offset is UTC, as for `from`. */
  to?: Date | string | undefined;
  kinds?: readonly EngagementKind[] | undefined;
  /** Keep engagements whose `direction` is one of these; engagements without a direction are left out. */
  directions?: readonly Direction[] | undefined;
  participantIds?: readonly string[] | undefined;
  accountIds?: readonly string[] | undefined;
  ownerIds?: readonly string[] | undefined;
  /** Items per vendor page; capped by `capabilities.maxPageSize`. */
  pageSize?: number | undefined;
  /** An engagekit cursor from `page.nextCursor`, `page.prevCursor` or `iterator.cursor`. */
  cursor?: string | undefined;
  /** Keep the vendor payload on `raw`. @default true */
  includeRaw?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Stop after this many vendor pages (the last page's `nextCursor` still resumes). */
  maxPages?: number | undefined;
  /** Fetch the next page while the caller works on the current one. @default false */
  prefetch?: boolean | undefined;
  /**
   * Fail with `PaginationError('empty-pages')` once this many vendor pages in a row came back empty
   * while pointing to another page: no listing pages on without end. @default 25
   */
  maxEmptyPages?: number | undefined;
  /**
   * What to do with a vendor record that cannot be read: `'throw'` fails the listing with
   * `ResponseValidationError`; `'skip'` goes on and keeps it on `iterator.skipped`; a function is
   * called with it, then it is skipped likewise. @default 'throw'
   */
  onInvalidRecord?: OnInvalidRecord | undefined;
  /** Vendor parameters passed through untouched. */
  native?: Record<string, unknown> | undefined;
  /** Per-call HTTP options. */
  request?: Omit<RequestOptions, 'signal'> | undefined;
}

/** The unified input of `engagements.create()`. */
export interface CreateEngagementInput {
  kind?: EngagementKind | undefined;
  subject?: string | undefined;
  body?: string | undefined;
  direction?: Direction | undefined;
  status?: string | undefined;
  /** When it happened: a Date or an ISO-8601 string; without an offset the string is UTC (never local time). */
  occurredAt?: Date | string | undefined;
  /** A Date or an ISO-8601 string; without an offset it is UTC. */
  startTime?: Date | string | undefined;
  /** A Date or an ISO-8601 string; without an offset it is UTC. */
  endTime?: Date | string | undefined;
  durationSeconds?: number | undefined;
  participantIds?: readonly string[] | undefined;
  accountIds?: readonly string[] | undefined;
  ownerId?: string | undefined;
  externalRef?: string | undefined;
  externalUrl?: string | undefined;
  tags?: readonly Tag[] | undefined;
  /** Vendor fields passed through untouched. */
  native?: Record<string, unknown> | undefined;
}

/** Fields of `engagements.update()`; absent fields stay as they are. */
export type UpdateEngagementInput = Partial<CreateEngagementInput>;

/** The engagement operations every adapter exposes; unsupported ones reject with `CapabilityError`. */
export interface EngagementsResource {
  list(params?: ListEngagementsParams): PageIterator<Engagement>;
  get(id: string, options?: RequestOptions): Promise<Engagement>;
  create(input: CreateEngagementInput, options?: RequestOptions): Promise<Engagement>;
  update(id: string, patch: UpdateEngagementInput, options?: RequestOptions): Promise<Engagement>;
  delete(id: string, options?: RequestOptions): Promise<void>;
  count(params?: ListEngagementsParams): Promise<number>;
  /**
   * What changed since a checkpoint (or, for a first run, a date): upserts, and deletes where the
   * vendor shows them (see `capabilities.changes`). Throws `CapabilityError` when the adapter has no
   * change feed, and `InputValidationError` on bad params, before any request.
   */
  changes(params: ChangeFeedParams): ChangeFeed;
}

/** One vendor behind the unified API. */
export interface EngagementAdapter {
  /** Stable provider id, the prefix of every `Engagement.id`. */
  readonly id: string;
  /**
   * Other names callers may use for this provider, e.g. `'zoom'` for `'zoom-contact-center'`: the
   * multi-provider client accepts them in unified ids (`'zoom:<remoteId>'`), `providers` and `create`.
   */
  readonly aliases?: readonly string[] | undefined;
  readonly capabilities: AdapterCapabilities;
  readonly engagements: EngagementsResource;
}
