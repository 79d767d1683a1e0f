/**
 * Fuzz (fast-check): the cursor codec, list-params validation, and every adapter's wire schema +
 * mapper fed with arbitrary spec-valid payloads through the public API (nock answers the requests).
 */
import { createHash } from 'node:crypto';
import {
  CapabilityError,
  type EngagementAdapter,
  EngagementSchema,
  InputValidationError,
  PaginationError,
  ResponseValidationError,
} from '@engagekit/core';
import { decodeCursor, encodeCursor, normalizeListParams } from '@engagekit/core/adapter';
import { checkFastPath } from '@engagekit/core/testing';
import { createDevRevAdapter, type DevRevAdapter } from '@engagekit/devrev';
import { createTrutoAdapter } from '@engagekit/truto';
import {
  createZoomContactCenterAdapter,
  mapZoomEngagement,
  ZoomEngagementSchema,
} from '@engagekit/zoom-contact-center';
import fc from 'fast-check';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConversationWireSchema } from '../packages/devrev/src/wire/conversation';
import { EngagementWireSchema } from '../packages/devrev/src/wire/engagement';
import { TrutoEngagementSchema } from '../packages/truto/src/wire/engagement';
import { loadSpec } from '../specs/load';
import { dateTimeArb, schemaArb } from './schema-arb';

type Obj = Record<string, unknown>;
const devrevSpec = loadSpec('devrev') as Obj;
const zoomSpec = loadSpec('zoom') as Obj;
/** Walks into a parsed spec. */
const at = (value: unknown, ...keys: string[]): Obj =>
  keys.reduce<unknown>((o, k) => (o as Obj)[k], value) as Obj;

const BASE = {
  devrev: 'https://devrev.fuzz.test',
  zoom: 'https://zoom.fuzz.test/v2',
  truto: 'https://truto.fuzz.test',
};
const http = { maxRetries: 0, timeoutMs: 2_000, rateLimit: false as const };
const adapters: Record<'devrev' | 'zoom' | 'truto', EngagementAdapter> = {
  devrev: createDevRevAdapter({ ...http, baseUrl: BASE.devrev, token: 'fuzz-devrev-token' }),
  zoom: createZoomContactCenterAdapter({
    ...http,
    baseUrl: BASE.zoom,
    accessToken: 'fuzz-zoom-at',
  }),
  truto: createTrutoAdapter({
    ...http,
    baseUrl: BASE.truto,
    token: 'fuzz-truto-token',
    integratedAccountId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
  }),
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** Answers every request to `base` with `body`, counting requests. */
function answer(base: string, body: unknown) {
  const counter = { n: 0 };
  nock(new URL(base).origin)
    .persist()
    .get(/.*/)
    .query(true)
    .reply(() => {
      counter.n++;
      return [200, body as nock.Body];
    });
  return counter;
}

const isAllowed = (e: unknown, ...classes: (abstract new (...a: never[]) => unknown)[]) =>
  classes.some((c) => e instanceof c);

describe('cursor codec', () => {
  const expected = { provider: 'devrev', fingerprint: 'fp-1' };
  const checksum = (payload: string) =>
    createHash('sha256').update(payload).digest('base64url').slice(0, 12);
  const stateArb = fc.record(
    {
      p: fc.constantFrom('devrev', 'truto', 'merge'),
      f: fc.constantFrom('fp-1', 'fp-2'),
      r: fc.tuple(fc.integer(), fc.integer()),
      w: fc.integer(),
      d: fc.constantFrom<'a' | 'b'>('a', 'b'),
      t: fc.string(),
      k: fc.nat(),
      c: fc.nat(),
      x: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['p', 'f'] },
  );
  const decodes = (cursor: unknown) => {
    try {
      return decodeCursor(cursor as string, expected);
    } catch (e) {
      if (!(e instanceof PaginationError)) throw e;
      return undefined;
    }
  };

  it('arbitrary strings and values only ever throw PaginationError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string().map((s) => `ek1.${s}`),
          fc.tuple(fc.string(), fc.string()).map(([a, b]) => `ek1.${a}.${b}`),
          fc.base64String().map((s) => `ek1.${s}.${checksum(s)}`),
          fc.anything(),
        ),
        (cursor) => {
          decodes(cursor);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('mutations of valid cursors never crash; untouched ones round-trip', () => {
    fc.assert(
      fc.property(
        stateArb,
        fc.nat(),
        fc.string({ maxLength: 4 }),
        fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'swapPart', 'none'),
        (state, pos, text, op) => {
          const cursor = encodeCursor(state);
          const at = pos % (cursor.length + 1);
          const mutated =
            op === 'replace'
              ? cursor.slice(0, at) + text + cursor.slice(at + text.length)
              : op === 'insert'
                ? cursor.slice(0, at) + text + cursor.slice(at)
                : op === 'delete'
                  ? cursor.slice(0, at) + cursor.slice(at + 1 + (pos % 5))
                  : op === 'truncate'
                    ? cursor.slice(0, at)
                    : op === 'swapPart'
                      ? cursor.split('.').reverse().join('.')
                      : cursor;
          const decoded = decodes(mutated);
          if (op === 'none' && state.p === 'devrev' && state.f === 'fp-1') {
            expect(decoded).toEqual(JSON.parse(JSON.stringify(state)));
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('a correctly checksummed payload of arbitrary JSON is validated, never trusted', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (json) => {
        const payload = Buffer.from(JSON.stringify(json) ?? 'null').toString('base64url');
        decodes(`ek1.${payload}.${checksum(payload)}`);
      }),
      { numRuns: 1_000 },
    );
  });

  it('adapters reject arbitrary cursors with PaginationError before any request', async () => {
    const counters = Object.values(BASE).map((b) => answer(b, {}));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(adapters) as (keyof typeof adapters)[])),
        fc.oneof(
          fc.string({ minLength: 1 }),
          fc.string().map((s) => `ek1.${s}.x`),
        ),
        async (name, cursor) => {
          const error = await adapters[name].engagements
            .list({ cursor })
            .firstPage()
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(isAllowed(error, PaginationError, InputValidationError)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
    expect(counters.map((c) => c.n)).toEqual([0, 0, 0]);
  });
});

describe('list params validation', () => {
  const keys = [
    'from',
    'to',
    'kinds',
    'participantIds',
    'accountIds',
    'ownerIds',
    'pageSize',
    'cursor',
    'includeRaw',
    'signal',
    'maxPages',
    'prefetch',
    'request',
    'bogus',
  ] as const;
  const valueArb = fc.oneof(
    fc.anything(),
    dateTimeArb,
    fc.date(),
    fc.constantFrom('2026-01-01', 'yesterday', '', 'call', -1, 0, 1e9, Number.NaN, null),
    fc.array(fc.oneof(fc.constantFrom('call', 'email', 'nope', ''), fc.string()), { maxLength: 3 }),
    fc.record({ timeoutMs: fc.anything(), maxRetries: fc.anything() }, { requiredKeys: [] }),
  );
  const paramsArb = fc.oneof(
    fc.dictionary(fc.constantFrom(...keys), valueArb, { maxKeys: 5 }),
    fc.anything(),
  );

  it('normalizeListParams throws only InputValidationError / CapabilityError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(adapters)), paramsArb, (adapter, params) => {
        try {
          normalizeListParams(adapter.id, adapter.capabilities, params as never);
        } catch (e) {
          if (!isAllowed(e, InputValidationError, CapabilityError)) throw e;
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('adapter.list with invalid params rejects (InputValidationError / CapabilityError) and sends nothing', async () => {
    const counters = Object.values(BASE).map((b) => answer(b, {}));
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(adapters) as (keyof typeof adapters)[])),
        paramsArb,
        async (name, params) => {
          const adapter = adapters[name];
          let invalid: unknown;
          try {
            normalizeListParams(adapter.id, adapter.capabilities, params as never);
          } catch (e) {
            invalid = e;
          }
          fc.pre(invalid !== undefined);
          rejected++;
          const before = counters.map((c) => c.n);
          const error = await adapter.engagements
            .list(params as never)
            .firstPage()
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(isAllowed(error, InputValidationError, CapabilityError)).toBe(true);
          expect(counters.map((c) => c.n)).toEqual(before);
        },
      ),
      { numRuns: 300 },
    );
    expect(rejected).toBeGreaterThan(100);
    expect(counters.map((c) => c.n)).toEqual([0, 0, 0]);
  });
});

/** Runs one page through an adapter; returns what came out or the error. */
async function throughAdapter(
  name: keyof typeof adapters,
  base: string,
  body: unknown,
  params = {},
) {
  nock.cleanAll();
  const counter = answer(base, body);
  const result = await adapters[name].engagements
    .list({ ...params, signal: AbortSignal.timeout(5_000) })
    .firstPage()
    .then(
      (page) => ({ items: page.items, error: undefined }),
      (error: unknown) => ({ items: [], error }),
    );
  return { ...result, requests: counter.n };
}

function checkOutcome(
  outcome: { items: unknown[]; error: unknown },
  stats: { ok: number; items: number },
) {
  if (outcome.error !== undefined) {
    if (!(outcome.error instanceof ResponseValidationError)) throw outcome.error;
    if (process.env.FUZZ_DEBUG) console.log(outcome.error.message);
    return;
  }
  stats.ok++;
  for (const item of outcome.items) {
    stats.items++;
    const parsed = EngagementSchema.safeParse(item);
    if (!parsed.success) {
      throw new Error(
        `not an Engagement: ${JSON.stringify(parsed.error.issues)}\n${JSON.stringify(item)}`,
      );
    }
  }
}

/** Spec-shaped payload arbitraries, shared by the mapper fuzz and the fast-path agreement below. */
// The spec's `engagement` is atom-base + description; responses also carry what create accepts.
/** `conversations-list-response`, with `members` (which DevRev always sends) required on each. */
const devrevConversationSpec = {
  allOf: [{ $ref: '#/components/schemas/conversation' }, { type: 'object', required: ['members'] }],
};
const devrevConversationsPageSpec = {
  type: 'object',
  properties: { conversations: { type: 'array', items: devrevConversationSpec } },
  required: ['conversations'],
};
const devrevEngagementSpec = {
  allOf: [
    { $ref: '#/components/schemas/engagement' },
    {
      type: 'object',
      properties: {
        title: { type: 'string' },
        engagement_type: { $ref: '#/components/schemas/engagement-type' },
        members: { type: 'array', items: { $ref: '#/components/schemas/user-summary' } },
        scheduled_date: { type: 'string', format: 'date-time' },
        external_ref: { type: 'string' },
        external_url: { type: 'string' },
        tags: { type: 'array', items: { $ref: '#/components/schemas/tag-with-value' } },
        custom_fields: { type: 'object', additionalProperties: true },
      },
    },
  ],
};

const zoomList = at(
  zoomSpec,
  'paths',
  '/contact_center/engagements',
  'get',
  'responses',
  '200',
  'content',
  'application/json',
  'schema',
);
// Zoom always sends an id and a start time; the spec marks nothing required.
const zoomRecord = {
  ...at(zoomList, 'properties', 'engagements', 'items'),
  required: ['engagement_id', 'start_time'],
};

const id = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.integer());
const nullish = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(null), fc.constant(undefined));
const ref = fc.oneof(
  id,
  fc.record({ id: nullish(id), name: nullish(fc.string()) }, { requiredKeys: [] }),
);
const relation = fc.oneof(ref, fc.array(fc.option(ref, { nil: null }), { maxLength: 3 }));
const timestamp = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.oneof(dateTimeArb, fc.integer({ min: 0, max: 4_000_000_000_000 })),
  },
  nullish(fc.string({ maxLength: 10 })),
);
const text = nullish(fc.string({ maxLength: 30 }));
const trutoRecordArb = fc.record(
  {
    id,
    engagement_type: nullish(
      fc.constantFrom('call', 'email', 'meeting', 'note', 'task', 'sms', 'chat', 'weird', ''),
    ),
    subject: text,
    content: text,
    direction: nullish(
      fc.constantFrom('inbound', 'outbound', 'INBOUND', 'incoming', 'internal', 'x', ''),
    ),
    status: text,
    start_time: timestamp,
    end_time: timestamp,
    duration: nullish(
      fc.oneof(fc.integer({ min: -10, max: 1e6 }), fc.string({ maxLength: 8 }), fc.double()),
    ),
    owner: nullish(ref),
    account: nullish(relation),
    contact: nullish(relation),
    contacts: nullish(relation),
    opportunity: nullish(relation),
    lead: nullish(relation),
    project: nullish(relation),
    notes: nullish(relation),
    internal_notes: text,
    phone_numbers: nullish(
      fc.array(
        fc.option(
          fc.record(
            { id: nullish(id), number: text, extension: text, type: text },
            { requiredKeys: [] },
          ),
          { nil: null },
        ),
        { maxLength: 2 },
      ),
    ),
    custom_fields: fc.jsonValue({ maxDepth: 2 }),
    created_at: timestamp,
    updated_at: timestamp,
    remote_data: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['id'] },
);

describe('wire schema + mapper fuzz', () => {
  it('DevRev: arbitrary spec-valid engagements.list responses', { timeout: 30_000 }, async () => {
    const bodyArb = fc
      .array(schemaArb(devrevEngagementSpec, { root: devrevSpec, maxDepth: 3 }), { maxLength: 4 })
      .map((engagements) => ({ engagements }));
    const stats = { ok: 0, items: 0 };
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        checkOutcome(await throughAdapter('devrev', BASE.devrev, body), stats);
      }),
      { numRuns: 150 },
    );
    expect(stats.items).toBeGreaterThan(50);
  });

  it("DevRev: arbitrary spec-valid conversations.list responses (the adapter's extra namespace)", {
    timeout: 30_000,
  }, async () => {
    const devrev = adapters.devrev as DevRevAdapter;
    const stats = { ok: 0, items: 0 };
    await fc.assert(
      fc.asyncProperty(
        schemaArb(devrevConversationsPageSpec, { root: devrevSpec, maxDepth: 3 }),
        async (body) => {
          nock.cleanAll();
          nock(new URL(BASE.devrev).origin)
            .post('/conversations.list')
            .reply(200, body as nock.Body);
          const outcome = await devrev.conversations
            .list({ signal: AbortSignal.timeout(5_000) })
            .firstPage()
            .then(
              (page) => ({ items: page.items, error: undefined }),
              (error: unknown) => ({ items: [], error }),
            );
          checkOutcome(outcome, stats);
        },
      ),
      { numRuns: 150 },
    );
    expect(stats.items).toBeGreaterThan(50);
  });

  it('Zoom: arbitrary spec-valid engagements through the wire schema and mapper', () => {
    const stats = { ok: 0, items: 0 };
    fc.assert(
      fc.property(schemaArb(zoomRecord, { root: zoomSpec, maxDepth: 3 }), (record) => {
        let out: unknown;
        try {
          // A wire-schema rejection surfaces as ResponseValidationError through the adapter.
          const wire = ZoomEngagementSchema.safeParse(record);
          if (!wire.success) return;
          out = mapZoomEngagement(wire.data);
        } catch (e) {
          if (e instanceof ResponseValidationError) return;
          throw e;
        }
        checkOutcome({ items: [out], error: undefined }, stats);
      }),
      { numRuns: 500 },
    );
    expect(stats.items).toBeGreaterThan(100);
  });

  it('Zoom: arbitrary spec-valid list responses through the adapter', {
    timeout: 30_000,
  }, async () => {
    const stats = { ok: 0, items: 0 };
    const from = '2026-01-01T00:00:00Z';
    const to = '2026-01-20T00:00:00Z';
    const inRange = fc.date({
      min: new Date(from),
      max: new Date('2026-01-19T23:59:59Z'),
      noInvalidDate: true,
    });
    const recordArb = fc
      .tuple(schemaArb(zoomRecord, { root: zoomSpec, maxDepth: 3 }), inRange)
      .map(([r, d]) => ({
        ...(r as object),
        start_time: d.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      }));
    const bodyArb = fc
      .tuple(
        schemaArb(zoomList, { root: zoomSpec, maxDepth: 2 }),
        fc.array(recordArb, { maxLength: 4 }),
      )
      .map(([list, engagements]) => ({
        ...(list as object),
        engagements,
        next_page_token: '',
        timezone: 'UTC',
      }));
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        checkOutcome(await throughAdapter('zoom', BASE.zoom, body, { from, to }), stats);
      }),
      { numRuns: 150 },
    );
    expect(stats.items).toBeGreaterThan(50);
  });

  it('Truto: arbitrary payloads following the adapter wire schema', {
    timeout: 30_000,
  }, async () => {
    const bodyArb = fc.array(trutoRecordArb, { maxLength: 4 }).map((result) => ({
      result,
      next_cursor: null,
      result_count: result.length,
    }));
    const stats = { ok: 0, items: 0 };
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        checkOutcome(
          await throughAdapter('truto', BASE.truto, JSON.parse(JSON.stringify(body))),
          stats,
        );
      }),
      { numRuns: 150 },
    );
    expect(stats.items).toBeGreaterThan(50);
  });
});

describe('compiled wire validators agree with zod on spec-generated payloads', () => {
  // The adapters check pages with core's compiled validators; zod only sees what they reject.
  // Each sample and its single-field mutations must get the same verdict (and zod an equal output).
  const cases = [
    [
      'DevRev engagement',
      EngagementWireSchema,
      schemaArb(devrevEngagementSpec, { root: devrevSpec, maxDepth: 3 }),
    ],
    [
      'DevRev conversation',
      ConversationWireSchema,
      schemaArb(devrevConversationSpec, { root: devrevSpec, maxDepth: 3 }),
    ],
    [
      'Zoom engagement',
      ZoomEngagementSchema,
      schemaArb(zoomRecord, { root: zoomSpec, maxDepth: 3 }),
    ],
    [
      'Truto engagement',
      TrutoEngagementSchema,
      trutoRecordArb.map((r) => JSON.parse(JSON.stringify(r))),
    ],
  ] as const;
  it.each(cases)('%s', { timeout: 30_000 }, (_name, schema, arb) => {
    const samples = fc.sample(arb as fc.Arbitrary<unknown>, { numRuns: 60, seed: 7 });
    const report = checkFastPath(schema, samples, {
      expectAccepted: true,
      mutationsPerPayload: 60,
    });
    expect(report.fastAccepted).toBeGreaterThan(60);
    expect(report.zodAccepted).toBeLessThan(report.payloads);
  });
});
