import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileValidator, parseResponse } from '../src/adapter-kit';
import { ResponseValidationError, toIsoUtc } from '../src/index';
import { checkFastPath, isJsonShaped, payloadMutations } from '../src/testing/index';

const DateTime = z.string().refine((v) => toIsoUtc(v) !== undefined, { message: 'not a date' });
const User = z.looseObject({ id: z.string().min(1), name: z.string().nullish() });
const Record_ = z.looseObject({
  id: z.union([z.string().min(1), z.number()]),
  kind: z.enum(['call', 'email']).optional(),
  literal: z.literal('v1').nullish(),
  count: z.number().int().positive().nullish(),
  flag: z.boolean().nullable().optional(),
  at: DateTime.nullish(),
  owner: User.nullish(),
  members: z.array(User).min(1).nullish(),
  tags: z.array(z.union([z.string(), User.nullable()])).nullish(),
  custom: z.record(z.string(), z.unknown()).nullish(),
  labels: z.record(z.string(), z.string().max(3)).optional(),
  anything: z.unknown(),
  title: z.string().min(3).optional(),
  nothing: z.undefined().optional(),
  empty: z.null().optional(),
});
const Page = z.looseObject({ items: z.array(Record_), next: z.string().nullish() });

const sample = {
  items: [
    {
      id: 'r-1',
      kind: 'call',
      literal: 'v1',
      count: 3,
      flag: null,
      at: '2026-03-01T10:00:00+05:30',
      owner: { id: 'u1', name: null, extra: [1, 2] },
      members: [{ id: 'u2' }],
      tags: ['a', { id: 'u3', name: 'n' }, null],
      custom: { a: 1, b: { c: [] } },
      labels: { x: 'abc' },
      anything: { deep: true },
      title: 'héllo',
      vendorExtra: 'kept',
    },
    { id: 7, anything: null },
  ],
  next: 'tok',
};

describe('compileValidator', () => {
  it('accepts what zod accepts, and zod returns a value equal to the payload', () => {
    const fast = compileValidator(Page);
    expect(fast).toBeTypeOf('function');
    expect(fast?.(sample)).toBe(true);
    const zod = Page.parse(sample);
    expect(isDeepStrictEqual(zod, sample)).toBe(true);
  });

  it('never accepts a mutation zod rejects, and accepts every sample (checkFastPath)', () => {
    const report = checkFastPath(Page, [sample], { expectAccepted: true });
    expect(report.payloads).toBeGreaterThan(500);
    // The mutations break the schema in many ways and keep it in many others: both sides are exercised.
    expect(report.zodAccepted).toBeGreaterThan(50);
    expect(report.zodAccepted).toBeLessThan(report.payloads);
    // Only the own-`__proto__` mutations (zod drops the key from its copy) are left to zod.
    const protoCases = payloadMutations(sample).filter((m) => !isJsonShaped(m));
    expect(protoCases.length).toBeGreaterThan(0);
    expect(report.fastAccepted).toBeGreaterThan(report.zodAccepted - protoCases.length - 1);
  });

  it('agrees with zod on arbitrary values (fast accepts ⇒ zod accepts with an equal output)', () => {
    const fast = compileValidator(Page) as (v: unknown) => boolean;
    const recordArb = fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer(), fc.double()),
        kind: fc.oneof(fc.constantFrom('call', 'email', 'sms'), fc.anything()),
        count: fc.oneof(fc.integer(), fc.double(), fc.constant(null)),
        at: fc.oneof(fc.constantFrom('2026-01-01T00:00:00Z', '2026-02-30T00:00:00Z'), fc.string()),
        owner: fc.oneof(
          fc.record({ id: fc.string(), name: fc.option(fc.string()) }),
          fc.anything(),
        ),
        members: fc.array(fc.record({ id: fc.string() }), { maxLength: 2 }),
        custom: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.anything()),
        labels: fc.dictionary(fc.string(), fc.string({ maxLength: 5 })),
        title: fc.string({ maxLength: 5 }),
      },
      { requiredKeys: [] },
    );
    let agreedAccept = 0;
    fc.assert(
      fc.property(
        fc.oneof(fc.record({ items: fc.array(recordArb, { maxLength: 3 }) }), fc.anything()),
        (value) => {
          const zod = Page.safeParse(value);
          const accepted = fast(value);
          if (accepted) {
            expect(zod.success).toBe(true);
            expect(isDeepStrictEqual(zod.data, value)).toBe(true);
            agreedAccept++;
          } else if (zod.success) {
            // Only payloads zod would copy differently (not as JSON.parse builds them) are left to zod.
            expect(isJsonShaped(value)).toBe(false);
          }
        },
      ),
      { numRuns: 3_000 },
    );
    expect(agreedAccept).toBeGreaterThan(100);
  });

  it('leaves schemas it cannot reproduce exactly to zod', () => {
    const unsupported = [
      z.string().transform((s) => s.length),
      z.string().default('x'),
      z.string().catch('x'),
      z.object({ a: z.string() }),
      z.strictObject({ a: z.string() }),
      z.email(),
      z.int(),
      z.string().trim(),
      z.coerce.number(),
      z.lazy(() => z.string()),
      z.string().pipe(z.string()),
      z.array(z.string()).readonly(),
      z.date(),
      z.xor([z.string(), z.string().min(2)]),
      z.looseObject({ nested: z.object({ a: z.string() }) }),
    ];
    for (const schema of unsupported) expect(compileValidator(schema)).toBeUndefined();
  });

  it('compiles once per schema and honours z.config({ jitless: true })', () => {
    const schema = z.looseObject({ a: z.string() });
    expect(compileValidator(schema)).toBe(compileValidator(schema));
    z.config({ jitless: true });
    try {
      expect(compileValidator(z.looseObject({ a: z.string() }))).toBeUndefined();
    } finally {
      z.config({ jitless: false });
    }
  });

  it('leaves async refinements and own __proto__ keys to zod', () => {
    const asyncRefine = z.looseObject({ a: z.string().refine(async () => true) });
    expect(compileValidator(asyncRefine)?.({ a: 'x' })).toBe(false);
    const fast = compileValidator(User) as (v: unknown) => boolean;
    expect(fast(JSON.parse('{"id":"u","__proto__":{"x":1}}'))).toBe(false);
    expect(fast(JSON.parse('{"id":"u"}'))).toBe(true);
    const rec = compileValidator(z.record(z.string(), z.number())) as (v: unknown) => boolean;
    expect(rec(JSON.parse('{"__proto__":1}'))).toBe(false);
    expect(rec(Object.create({ inherited: 1 }))).toBe(false);
    expect(rec(Object.assign(Object.create(null), { a: 1 }))).toBe(false);
    expect(rec({ a: 1 })).toBe(true);
  });

  it('leaves everything to zod while Object.prototype has enumerable keys', () => {
    const fast = compileValidator(User) as (v: unknown) => boolean;
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'yes';
    try {
      expect(fast({ id: 'u' })).toBe(false);
    } finally {
      delete proto.polluted;
    }
    expect(fast({ id: 'u' })).toBe(true);
  });

  it('leaves sparse and subclassed arrays to zod (its copy would differ)', () => {
    const fast = compileValidator(z.array(z.unknown())) as (v: unknown) => boolean;
    expect(fast([1, undefined])).toBe(true);
    // biome-ignore lint/suspicious/noSparseArray: a hole is the case under test
    expect(fast([1, , 3])).toBe(false);
    expect(fast(new (class extends Array {})())).toBe(false);
  });

  it('counts code points for longer minimum lengths as zod does', () => {
    const schema = z.looseObject({ s: z.string().min(3) });
    const fast = compileValidator(schema) as (v: unknown) => boolean;
    for (const s of ['ab', 'abc', '😀😀', '😀😀😀', '😀a', 'a😀b']) {
      expect(fast({ s })).toBe(schema.safeParse({ s }).success);
    }
  });
});

describe('parseResponse with the compiled fast path', () => {
  it('returns the payload itself when the fast path accepts it', () => {
    const payload = structuredClone(sample);
    expect(parseResponse(Page, payload, { provider: 'test' })).toBe(payload);
  });

  it('still reports zod issues with the path when the payload breaks the schema', () => {
    const broken = structuredClone(sample) as { items: { id: unknown }[] };
    (broken.items[1] as { id: unknown }).id = '';
    const error = (() => {
      try {
        parseResponse(Page, broken, { provider: 'test', prefix: 'body' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues[0]?.path).toBe('body.items.1.id');
  });

  it('falls back to zod (and its copy) for schemas without a compiled validator', () => {
    const stripping = z.object({ a: z.string() });
    const payload = { a: 'x', b: 1 };
    expect(parseResponse(stripping, payload, { provider: 'test' })).toEqual({ a: 'x' });
  });
});
