import type { Json } from './truto';

/**
 * Truto's date-time filters on `created_at` and `updated_at` (vendor-apis.md §3.3: "some
 * integrations"). Truto's querying guide (truto.one/docs/api-reference/overview/querying, "Date
 * and Time") says every unified API has `created_at` and `updated_at` query parameters in ISO 8601
 * that also take the operators `gt`, `gte`, `lt`, `lte`, written as object attributes:
 * `updated_at[gte]=2026-11-01T00:00:00.000Z`. The sandbox reads the bare form
 * `updated_at=2026-11-01T00:00:00.000Z` as a lower bound (`gte`), which is how the CRMs behind
 * Truto treat a single "modified since" value. Bounds are inclusive for gte/lte, strict for gt/lt.
 */
export const TIME_FILTERS = ['created_at', 'updated_at'] as const;
export type TimeFilter = (typeof TIME_FILTERS)[number];
const OPERATORS = ['gt', 'gte', 'lt', 'lte'] as const;
type Operator = (typeof OPERATORS)[number];

/** One bound of a time filter. */
export interface TimeBound {
  op: Operator;
  ms: number;
}

/** The bounds a query sets on `field`, or the message of the 400 it deserves. */
export function timeBounds(query: URLSearchParams, field: TimeFilter): TimeBound[] | string {
  const bounds: TimeBound[] = [];
  for (const [key, value] of query) {
    let op: string;
    if (key === field) op = 'gte';
    else if (key.startsWith(`${field}[`) && key.endsWith(']')) op = key.slice(field.length + 1, -1);
    else continue;
    if (!(OPERATORS as readonly string[]).includes(op))
      return `${key}: unknown operator '${op}'; use ${OPERATORS.join(', ')}`;
    const ms = Date.parse(value);
    if (value === '' || Number.isNaN(ms)) return `${key} must be a valid ISO 8601 datetime`;
    bounds.push({ op: op as Operator, ms });
  }
  return bounds;
}

/** True when `ms` satisfies every bound. */
export function withinBounds(ms: number, bounds: readonly TimeBound[]): boolean {
  for (const b of bounds) {
    if (
      b.op === 'gt'
        ? !(ms > b.ms)
        : b.op === 'gte'
          ? !(ms >= b.ms)
          : b.op === 'lt'
            ? !(ms < b.ms)
            : !(ms <= b.ms)
    )
      return false;
  }
  return true;
}

const dateTime = (description: string): Json => ({
  type: 'string',
  format: 'date-time',
  description,
});
const ref = (description: string): Json => ({
  type: 'object',
  description,
  properties: { id: { type: 'string' } },
});
const operators = (field: string): Json =>
  dateTime(
    `${field} as ISO 8601; also takes the operators gt, gte, lt, lte (${field}[gte]=…). A bare value is a lower bound.`,
  );

/** Every list filter the emulated integration supports, as `query_schema` properties. */
const LIST_FILTERS: Record<string, Json> = {
  engagement_type: {
    type: 'string',
    enum: ['call', 'chat', 'email', 'meeting', 'task'],
    description: 'The type of the engagement',
  },
  start_time: dateTime('Engagements starting at or after this time (range at most one year)'),
  end_time: dateTime('Engagements starting at or before this time'),
  contact: ref('The contact of the engagement'),
  account: ref('The account of the engagement'),
  owner: ref('The owner of the engagement'),
  opportunity: ref('The opportunity of the engagement'),
  created_at: operators('created_at'),
  updated_at: operators('updated_at'),
};

const WRITE_BODY: Record<string, Json> = {
  engagement_type: { type: 'string', enum: ['meeting', 'call', 'chat', 'note', 'email'] },
  subject: { type: 'string' },
  content: { type: 'string' },
  direction: { type: 'string', enum: ['inbound', 'outbound', 'missed'] },
  status: { type: 'string' },
  start_time: dateTime('When the engagement starts'),
  end_time: dateTime('When the engagement ends'),
  duration: { type: 'string' },
  contact: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } },
  account: ref('The account of the engagement'),
  owner: ref('The owner of the engagement'),
  internal_notes: { type: 'string' },
};

const RECORD_SCHEMA: Json = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    ...WRITE_BODY,
    opportunity: { type: 'array', items: { type: 'object' } },
    notes: { type: 'array', items: { type: 'object' } },
    phone_numbers: { type: 'array', items: { type: 'object' } },
    project: { type: 'object' },
    custom_fields: { type: 'object' },
    created_at: dateTime('When the engagement was created'),
    updated_at: dateTime('When the engagement was last updated'),
    remote_data: { type: 'object' },
  },
};

/** Methods with metadata at `GET /unified/crm/engagements/meta/{method}`. */
export const META_METHODS = ['list', 'get', 'create', 'update', 'delete'] as const;

/**
 * `GET /unified/crm/engagements/meta/{method}?integrated_account_id=` (vendor-apis.md §3.2), shaped
 * like Truto's unified-model metadata (truto.one/docs/api-reference/unified-api/unified-model-docs/
 * get): JSON-schema-style `query_schema`, `request_body_schema`, `response_schema`, `schema`, plus
 * `default_query`, `default_body` and `method`. A filter in `unsupported` is absent from the list
 * method's `query_schema`, as for a CRM that cannot apply it.
 */
export function trutoMethodMeta(method: string, unsupported: readonly string[]): Json | undefined {
  if (!(META_METHODS as readonly string[]).includes(method)) return undefined;
  const query =
    method === 'list'
      ? Object.fromEntries(Object.entries(LIST_FILTERS).filter(([k]) => !unsupported.includes(k)))
      : {};
  const write = method === 'create' || method === 'update';
  return {
    method,
    query_schema: { type: 'object', properties: query },
    request_body_schema: {
      type: 'object',
      properties: write ? WRITE_BODY : {},
    },
    response_schema:
      method === 'delete'
        ? { type: 'object', properties: { id: { type: 'string' } } }
        : RECORD_SCHEMA,
    schema: RECORD_SCHEMA,
    default_query: {},
    default_body: {},
  };
}
