import { z } from 'zod';
import { CapabilityError } from '../errors/errors';
import { parseInput } from '../errors/zod';
import { HttpOptionsSchema } from '../http/options';
import {
  type Direction,
  DirectionSchema,
  type Engagement,
  type EngagementKind,
  EngagementKindSchema,
} from '../model/engagement';
import { toIsoUtc } from '../model/time';
import { fingerprintParams } from '../pagination/cursor';
import type { InvalidRecord, OnInvalidRecord } from '../pagination/invalid-record';
import { isoUtcMs } from '../pagination/windows';
import type { AdapterCapabilities, FilterName, ListEngagementsParams } from './types';

// `z.instanceof(Date)`, not `z.date()`: an Invalid Date must reach the check below and be reported as
// `invalid_date`, not as an opaque `invalid_union`.
const DateInput = z.union([z.instanceof(Date), z.string()]).transform((value, ctx) => {
  // Strings must be ISO-8601 (zone-less = UTC), never whatever `new Date()` guesses in local time.
  const iso = value instanceof Date ? undefined : toIsoUtc(value);
  const date = value instanceof Date ? value : new Date(iso ?? Number.NaN);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({
      code: 'custom',
      message: 'not a valid date or ISO-8601 string',
      params: { rule: 'invalid_date' },
    });
    return z.NEVER;
  }
  return date;
});
const Ids = z.array(z.string().min(1, 'ids must be non-empty strings')).min(1).max(100);

/** The fields of `ListEngagementsParams`, before the cross-field rules. */
export const ListEngagementsParamsObject = z
  .object({
    from: DateInput.optional(),
    to: DateInput.optional(),
    kinds: z.array(EngagementKindSchema).min(1).optional(),
    directions: z.array(DirectionSchema).min(1).optional(),
    participantIds: Ids.optional(),
    accountIds: Ids.optional(),
    ownerIds: Ids.optional(),
    pageSize: z.number().int().positive().optional(),
    cursor: z.string().min(1).optional(),
    includeRaw: z.boolean().optional(),
    signal: z
      .custom<AbortSignal>((v) => v instanceof AbortSignal, 'expected an AbortSignal')
      .optional(),
    maxPages: z.number().int().positive().optional(),
    prefetch: z.boolean().optional(),
    maxEmptyPages: z.number().int().positive().optional(),
    onInvalidRecord: z
      .union([
        z.literal('throw'),
        z.literal('skip'),
        z.custom<(record: InvalidRecord) => void>(
          (v) => typeof v === 'function',
          "expected 'throw', 'skip' or a function",
        ),
      ])
      .optional(),
    native: z.record(z.string(), z.unknown()).optional(),
    // Every per-call option (the factories' rules), so the strict check never refuses a typed one.
    request: HttpOptionsSchema.pick({
      timeoutMs: true,
      maxRetries: true,
      maxRetryWaitMs: true,
      maxResponseBytes: true,
      headers: true,
      beforeRequest: true,
    })
      .strict()
      .optional(),
  })
  .strict();

/** The cross-field rule every listing shares: `to` after `from`. */
export function refineRange(
  p: { from?: Date | undefined; to?: Date | undefined },
  ctx: z.RefinementCtx,
): void {
  if (p.from && p.to && p.from.getTime() >= p.to.getTime()) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: '`to` must be after `from`',
      params: { rule: 'range_order' },
    });
  }
}

/** Validates `ListEngagementsParams` (fields and cross-field rules such as from < to). */
export const ListEngagementsParamsSchema = ListEngagementsParamsObject.superRefine(refineRange);

/** List params after validation: dates are `Date`s, defaults are applied, filters are sorted out. */
export interface NormalizedListParams {
  from: Date | undefined;
  to: Date | undefined;
  kinds: EngagementKind[] | undefined;
  directions: Direction[] | undefined;
  participantIds: string[] | undefined;
  accountIds: string[] | undefined;
  ownerIds: string[] | undefined;
  pageSize: number;
  cursor: string | undefined;
  includeRaw: boolean;
  signal: AbortSignal | undefined;
  maxPages: number | undefined;
  prefetch: boolean;
  /** `undefined` → the engine's default (25). */
  maxEmptyPages?: number | undefined;
  /** `undefined` → `'throw'`. */
  onInvalidRecord?: OnInvalidRecord | undefined;
  native: Record<string, unknown>;
  request: ListEngagementsParams['request'];
  /** Hash of the params that define the listing; cursors carry it. */
  fingerprint: string;
  /** Filters engagekit applies after fetching (those the adapter declares `'client'`). */
  clientFilters: FilterName[];
  /** `undefined` when no filter is client-side. */
  clientFilter: ((engagement: Engagement) => boolean) | undefined;
}

/** Order and repeats do not change a filter's meaning, so they must not change the fingerprint. */
function sortedSet<T extends string>(values: readonly T[] | undefined): T[] | undefined {
  return values ? [...new Set(values)].sort() : undefined;
}

const FILTERS: FilterName[] = [
  'from',
  'to',
  'kinds',
  'directions',
  'participantIds',
  'accountIds',
  'ownerIds',
];

/**
 * Validates list params against the schema and the adapter's capabilities. Throws
 * `InputValidationError` (bad values) or `CapabilityError` (a filter the adapter cannot apply).
 */
export function normalizeListParams(
  provider: string,
  capabilities: AdapterCapabilities,
  params: ListEngagementsParams = {},
): NormalizedListParams {
  const p = parseInput(ListEngagementsParamsSchema, params, { provider });
  if (p.pageSize !== undefined && p.pageSize > capabilities.maxPageSize) {
    parseInput(z.number().max(capabilities.maxPageSize), p.pageSize, {
      provider,
      prefix: 'pageSize',
    });
  }
  const used = FILTERS.filter((f) => p[f] !== undefined);
  const clientFilters: FilterName[] = [];
  for (const filter of used) {
    const support = capabilities.filters[filter];
    if (!support) {
      throw new CapabilityError(
        `filter:${filter}`,
        `${provider} cannot filter by "${filter}" (neither the vendor nor engagekit can apply it).`,
        { provider },
      );
    }
    if (support === 'client') clientFilters.push(filter);
  }
  const normalized: Omit<NormalizedListParams, 'clientFilter'> = {
    from: p.from,
    to: p.to,
    kinds: p.kinds,
    directions: p.directions,
    participantIds: p.participantIds,
    accountIds: p.accountIds,
    ownerIds: p.ownerIds,
    pageSize: p.pageSize ?? capabilities.defaultPageSize,
    cursor: p.cursor,
    includeRaw: p.includeRaw ?? true,
    signal: p.signal,
    maxPages: p.maxPages,
    prefetch: p.prefetch ?? false,
    maxEmptyPages: p.maxEmptyPages,
    onInvalidRecord: p.onInvalidRecord,
    native: p.native ?? {},
    request: p.request,
    fingerprint: fingerprintParams({
      from: p.from,
      to: p.to,
      kinds: sortedSet(p.kinds),
      directions: sortedSet(p.directions),
      participantIds: sortedSet(p.participantIds),
      accountIds: sortedSet(p.accountIds),
      ownerIds: sortedSet(p.ownerIds),
      native: p.native,
    }),
    clientFilters,
  };
  return {
    ...normalized,
    clientFilter: clientFilters.length
      ? (e) => matchesFilters(e, normalized, clientFilters)
      : undefined,
  };
}

/** Whether an engagement passes the named filters (how client-side filtering is done). */
export function matchesFilters(
  e: Engagement,
  p: Partial<Pick<NormalizedListParams, FilterName>>,
  filters: readonly FilterName[] = FILTERS,
): boolean {
  for (const filter of filters) {
    switch (filter) {
      case 'from':
        if (p.from && isoUtcMs(e.occurredAt) < p.from.getTime()) return false;
        break;
      case 'to':
        if (p.to && isoUtcMs(e.occurredAt) >= p.to.getTime()) return false;
        break;
      case 'kinds':
        if (p.kinds && !p.kinds.includes(e.kind)) return false;
        break;
      case 'directions':
        if (p.directions && !(e.direction && p.directions.includes(e.direction))) return false;
        break;
      case 'participantIds':
        if (
          p.participantIds &&
          !e.participants.some((x) => x.id && p.participantIds?.includes(x.id))
        )
          return false;
        break;
      case 'accountIds':
        if (p.accountIds && !e.related.some((r) => p.accountIds?.includes(r.id))) return false;
        break;
      case 'ownerIds':
        if (
          p.ownerIds &&
          !e.participants.some((x) => x.role === 'owner' && x.id && p.ownerIds?.includes(x.id))
        )
          return false;
        break;
    }
  }
  return true;
}
