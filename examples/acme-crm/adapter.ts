/**
 * A fourth adapter, written only with the public API of `@engagekit/core`, for an imaginary CRM
 * ("Acme CRM") that pages by page number: `GET /activities?page=2&per_page=50` →
 * `{ data: Activity[], meta: { page, total_pages } }`. It is the worked example of
 * docs/adapter-authoring.md and passes the conformance kit (examples/test/acme-crm.test.ts).
 */
import {
  type AdapterCapabilities,
  type Engagement,
  type EngagementKind,
  type HttpOptions,
  ResponseValidationError,
  toIsoUtc,
} from '@engagekit/core';
import {
  bearerAuth,
  createTransport,
  defineAdapter,
  issuePath,
  type NormalizedListParams,
  paginate,
  parseInput,
  type VendorErrorParser,
} from '@engagekit/core/adapter';
import { z } from 'zod';

// 1. Wire schemas: what Acme sends. Lenient objects, so new vendor fields never break parsing; no
// transforms, so core compiles them into its fast validator (conversions happen in the mapper).
const ActivitySchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]),
  type: z.string(),
  title: z.string().nullish(),
  notes: z.string().nullish(),
  happened_at: z.string(),
  contact_ids: z.array(z.string()).nullish(),
});
type Activity = z.infer<typeof ActivitySchema>;
export const ActivityPageSchema = z.looseObject({
  data: z.array(ActivitySchema),
  meta: z.looseObject({ page: z.number().int(), total_pages: z.number().int() }),
});

// 2. Mapping: wire → unified Engagement.
const KINDS: Record<string, EngagementKind> = {
  phone_call: 'call',
  email: 'email',
  meeting: 'meeting',
  text: 'sms',
};
const PROVIDER = 'acme-crm';

export function mapActivity(a: Activity, includeRaw: boolean, index?: number): Engagement {
  const occurredAt = toIsoUtc(a.happened_at);
  const remoteId = String(a.id);
  if (occurredAt === undefined) {
    // Never invent a date: a record that cannot be placed in time is a broken payload.
    throw new ResponseValidationError(
      [
        {
          path: issuePath('data', index, 'happened_at'),
          rule: 'invalid_date',
          message: `activity ${remoteId} has an unreadable happened_at`,
        },
      ],
      { provider: PROVIDER, what: 'activities page' },
    );
  }
  return {
    id: `${PROVIDER}:${remoteId}`,
    provider: PROVIDER,
    remoteId,
    kind: KINDS[a.type] ?? 'other',
    nativeType: a.type,
    ...(a.title ? { subject: a.title } : {}),
    ...(a.notes ? { body: a.notes } : {}),
    occurredAt,
    participants: (a.contact_ids ?? []).map((id) => ({ id, role: 'contact' })),
    related: [],
    notes: [],
    dispositions: [],
    tags: [],
    ...(includeRaw ? { raw: a } : {}),
  };
}

// 3. Capabilities: what the vendor can do, and what engagekit does for it client-side.
const capabilities: AdapterCapabilities = {
  operations: { list: true, get: false, create: false, update: false, delete: false, count: false },
  filters: { from: 'client', to: 'client', kinds: 'client' },
  maxPageSize: 100,
  defaultPageSize: 50,
  backwardsPaging: false,
  ordering: 'unordered',
};

/** Options of `createAcmeCrmAdapter`. */
export interface AcmeCrmAdapterOptions extends HttpOptions {
  /** Acme API key. */
  apiKey: string;
  /** @default 'https://api.acme-crm.example' */
  baseUrl?: string;
}

const OptionsSchema = z.looseObject({ apiKey: z.string().min(1), baseUrl: z.url().optional() });

// 4. Errors: Acme answers `{ error: { code, message } }`.
const parseError: VendorErrorParser = (body) => {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return { code: error?.code, message: error?.message };
};

/** The Acme CRM adapter. */
export function createAcmeCrmAdapter(options: AcmeCrmAdapterOptions) {
  parseInput(OptionsSchema, options, { provider: PROVIDER });
  const transport = createTransport({
    ...options,
    provider: PROVIDER,
    baseUrl: options.baseUrl ?? 'https://api.acme-crm.example',
    auth: bearerAuth(options.apiKey),
    parseError,
  });

  function list(params: NormalizedListParams) {
    return paginate<Engagement>({
      provider: PROVIDER,
      fingerprint: params.fingerprint,
      cursor: params.cursor,
      filter: params.clientFilter,
      maxPages: params.maxPages,
      prefetch: params.prefetch,
      signal: params.signal,
      // 5. Pagination: the page number is the vendor token.
      async fetchPage({ token, signal }) {
        const page = Number(token ?? 1);
        const { data } = await transport.request({
          method: 'GET',
          path: '/activities',
          query: { page, per_page: params.pageSize, ...(params.native as Record<string, string>) },
          schema: ActivityPageSchema,
          operation: 'activities.list',
          options: { ...params.request, signal },
        });
        return {
          items: data.data.map((a, i) => mapActivity(a, params.includeRaw, i)),
          nextToken:
            data.meta.page < data.meta.total_pages ? String(data.meta.page + 1) : undefined,
        };
      },
    });
  }

  return defineAdapter({ id: PROVIDER, capabilities, engagements: { list } });
}
