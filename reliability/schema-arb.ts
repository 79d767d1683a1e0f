/**
 * fast-check arbitraries from (a useful subset of) OpenAPI 3 / JSON Schema: `$ref`, `allOf`,
 * `oneOf`/`anyOf`, enums, `date-time`, required vs optional properties. Used to generate
 * spec-valid vendor payloads for the mapper fuzz suites.
 */
import fc from 'fast-check';

type Schema = Record<string, unknown>;

export interface SchemaArbOptions {
  /** Resolves `#/components/schemas/x` (or `#/$defs/x`) references. */
  root: Schema;
  /** Optional properties are dropped below this depth; objects become `{}` far below it. */
  maxDepth?: number;
}

/** Timestamps as vendors send them: UTC `Z`, offsets, with and without fractions. */
export const dateTimeArb = fc
  .tuple(
    fc.date({
      min: new Date('1990-01-01T00:00:00Z'),
      max: new Date('2090-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom('Z', '+00:00', '+05:30', '-08:00', '+14:00', '-12:00'),
    fc.boolean(),
  )
  .map(([d, zone, fraction]) => {
    const iso = d.toISOString();
    const base = fraction ? iso.slice(0, 23) : iso.slice(0, 19);
    if (zone === 'Z') return `${base}Z`;
    // Shift the wall clock so the string denotes the same instant in that offset.
    const sign = zone[0] === '-' ? -1 : 1;
    const minutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    const local = new Date(d.getTime() + minutes * 60_000).toISOString();
    return `${fraction ? local.slice(0, 23) : local.slice(0, 19)}${zone}`;
  });

const stringArb = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('', ' ', '0', 'null', 'undefined', '__proto__', 'constructor', '🙂', '\u0000'),
);

function deref(root: Schema, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 20 && typeof s.$ref === 'string'; i++) {
    const path = (s.$ref as string).replace(/^#\//, '').split('/');
    let cur: unknown = root;
    for (const p of path) cur = (cur as Schema)?.[p.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (!cur || typeof cur !== 'object') throw new Error(`unresolved $ref ${s.$ref as string}`);
    s = cur as Schema;
  }
  return s;
}

/** Flattens `allOf` into one object schema (properties and required merged). */
function flatten(root: Schema, schema: Schema): Schema {
  const s = deref(root, schema);
  if (!Array.isArray(s.allOf)) return s;
  const properties: Record<string, Schema> = {
    ...((s.properties as Record<string, Schema>) ?? {}),
  };
  const required = new Set<string>((s.required as string[]) ?? []);
  let type = s.type;
  for (const part of s.allOf as Schema[]) {
    const f = flatten(root, part);
    Object.assign(properties, (f.properties as Record<string, Schema>) ?? {});
    for (const r of (f.required as string[]) ?? []) required.add(r);
    type ??= f.type;
  }
  return { ...s, allOf: undefined, type: type ?? 'object', properties, required: [...required] };
}

export function schemaArb(
  schema: Schema,
  options: SchemaArbOptions,
  depth = 0,
): fc.Arbitrary<unknown> {
  const { root } = options;
  const maxDepth = options.maxDepth ?? 4;
  const s = flatten(root, schema);
  const variants = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (Array.isArray(variants) && variants.length > 0) {
    // Sibling properties apply to every variant; a discriminator pins its property per variant.
    const { oneOf: _o, anyOf: _a, discriminator, ...outer } = s;
    const mapping = (discriminator as { mapping?: Record<string, string>; propertyName: string })
      ?.mapping;
    const property = (discriminator as { propertyName?: string } | undefined)?.propertyName;
    const parts: Schema[] =
      mapping && property
        ? Object.entries(mapping).map(([value, ref]) => ({
            allOf: [
              outer,
              { $ref: ref },
              { type: 'object', properties: { [property]: { const: value } } },
            ],
          }))
        : variants.map((v) => (outer.properties ? { allOf: [outer, v] } : v));
    return fc.oneof(...parts.map((v) => schemaArb(v, options, depth + 1)));
  }
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...(s.enum as unknown[]));
  let type = s.type;
  if (Array.isArray(type)) {
    const types = type as string[];
    return fc.oneof(...types.map((t) => schemaArb({ ...s, type: t }, options, depth)));
  }
  if (type === undefined) type = s.properties ? 'object' : s.items ? 'array' : undefined;
  if (s.nullable === true) {
    return fc.option(schemaArb({ ...s, nullable: false }, options, depth), { nil: null });
  }
  switch (type) {
    case 'string':
      if (s.format === 'date-time') return dateTimeArb;
      if (s.format === 'date') return dateTimeArb.map((d) => d.slice(0, 10));
      if (s.format === 'uri' || s.format === 'url') return fc.webUrl();
      if (s.format === 'email') return fc.emailAddress();
      if (s.format === 'id') return fc.string({ minLength: 1, maxLength: 40 });
      return stringArb;
    case 'integer': {
      const min = typeof s.minimum === 'number' ? s.minimum : -1e9;
      const max = typeof s.maximum === 'number' ? s.maximum : 1e12;
      return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.min(max, 2 ** 31 * 500)) });
    }
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > maxDepth + 2) return fc.constant([]);
      return fc.array(schemaArb((s.items as Schema) ?? {}, options, depth + 1), { maxLength: 3 });
    case 'object': {
      if (depth > maxDepth + 3) return fc.constant({});
      const props = (s.properties as Record<string, Schema>) ?? {};
      const required = new Set((s.required as string[]) ?? []);
      const keys = Object.keys(props).filter((k) => required.has(k) || depth <= maxDepth);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const k of keys) model[k] = schemaArb(props[k] as Schema, options, depth + 1);
      const record = fc.record(model, { requiredKeys: keys.filter((k) => required.has(k)) });
      if (Object.keys(props).length === 0 && s.additionalProperties) {
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
          maxKeys: 3,
        });
      }
      return record;
    }
    default:
      // Unconstrained: any JSON.
      return fc.jsonValue({ maxDepth: 2 });
  }
}
