import { z } from 'zod';

/**
 * A compiled acceptance test for a zod schema: `true` only when zod would accept `value` and
 * return a value equal to it (no transforms, no defaults, no stripped keys).
 */
export type FastValidator = (value: unknown) => boolean;

/** Thrown while compiling when a schema uses something the fast path does not reproduce exactly. */
class Unsupported extends Error {}

/** The parts of zod's internal instance shape the compiler reads (zod 4's `_zod`). */
interface ZodInternals {
  _zod: {
    def: {
      type: string;
      checks?: ZodInternals[];
      coerce?: boolean;
      innerType?: ZodInternals;
      element?: ZodInternals;
      options?: ZodInternals[];
      inclusive?: boolean;
      shape?: Record<string, ZodInternals>;
      catchall?: ZodInternals;
      keyType?: ZodInternals;
      valueType?: ZodInternals;
      check?: string;
      minimum?: number;
      fn?: (value: unknown) => unknown;
      when?: (payload: CheckPayload) => boolean;
    };
    traits: Set<string>;
    optin?: string;
    optout?: string;
    values?: Set<unknown>;
    check?: (payload: CheckPayload) => unknown;
  };
}
interface CheckPayload {
  value: unknown;
  issues: unknown[];
}

/** Runs one zod check the way zod's `runChecks` does, for a value that already has the right type. */
function runCheck(check: ZodInternals, value: unknown): boolean {
  const payload: CheckPayload = { value, issues: [] };
  const when = check._zod.def.when;
  if (when && !when(payload)) return true;
  const result = check._zod.check?.(payload);
  return !(result instanceof Promise) && payload.issues.length === 0;
}

/** A `.refine()` predicate: an async one is not decided here (zod then raises its own error). */
function runRefine(fn: (value: unknown) => unknown, value: unknown): boolean {
  const result = fn(value);
  return !(result instanceof Promise) && Boolean(result);
}

/** zod copies records into a plain `{}`: only objects with that prototype come out equal. */
function isPlainRecord(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

/**
 * Generates one JavaScript function per object, array and record schema (the way ajv compiles
 * JSON Schema), so a page of records is checked in one pass over each object's keys, allocating
 * nothing.
 * zod's own parse copies every object and array it accepts; for a response that is read once,
 * accepting the parsed JSON as it is halves the cost of normalisation (see bench/README.md).
 */
function generate(root: ZodInternals): FastValidator {
  const names = new Map<ZodInternals, string>();
  const bodies: string[] = [];
  const refs: unknown[] = [];
  const ref = (value: unknown) => `r[${refs.push(value) - 1}]`;

  const checksOf = (schema: ZodInternals, v: string): string[] =>
    (schema._zod.def.checks ?? []).map((check) => {
      const def = check._zod.def;
      if (def.check === 'overwrite') throw new Unsupported('overwrite check');
      if (def.check === 'custom' && def.fn && !def.when) return `refine(${ref(def.fn)}, ${v})`;
      // A string of n UTF-16 units has at least n/2 code points: only short ones need zod's count.
      if (def.check === 'min_length' && typeof def.minimum === 'number' && def.minimum <= 1) {
        return `${v}.length >= ${def.minimum}`;
      }
      return `check(${ref(check)}, ${v})`;
    });

  const fn = (schema: ZodInternals, body: (x: string) => string): string => {
    let name = names.get(schema);
    if (name) return name;
    name = `v${names.size}`;
    names.set(schema, name);
    bodies.push(`function ${name}(x) {\n${body('x')}\n}`);
    return name;
  };

  const expr = (schema: ZodInternals, v: string): string => {
    const def = schema._zod.def;
    // String formats (`z.email()`), `z.int()` and `z.custom()` are checks themselves: not reproduced.
    if (schema._zod.traits.has('$ZodCheck')) throw new Unsupported(`${def.type} format`);
    if (def.coerce) throw new Unsupported('coercion');
    let base: string;
    switch (def.type) {
      case 'string':
        base = `typeof ${v} === "string"`;
        break;
      case 'number':
        base = `(typeof ${v} === "number" && Number.isFinite(${v}))`;
        break;
      case 'boolean':
        base = `typeof ${v} === "boolean"`;
        break;
      case 'null':
        base = `${v} === null`;
        break;
      case 'undefined':
        base = `${v} === undefined`;
        break;
      case 'unknown':
      case 'any':
        base = 'true';
        break;
      case 'literal':
      case 'enum':
        if (!schema._zod.values) throw new Unsupported(def.type);
        base = `${ref(schema._zod.values)}.has(${v})`;
        break;
      case 'optional':
        base = `(${v} === undefined || ${expr(inner(def.innerType), v)})`;
        break;
      case 'nullable':
        base = `(${v} === null || ${expr(inner(def.innerType), v)})`;
        break;
      case 'union':
        // `z.xor` (exclusive) accepts only when exactly one option does.
        if (def.inclusive === false || !def.options?.length) throw new Unsupported('union');
        base = `(${def.options.map((o) => expr(o, v)).join(' || ')})`;
        break;
      case 'object':
        base = `${objectFn(schema)}(${v})`;
        break;
      case 'array':
        base = `${fn(schema, (x) => {
          const item = expr(inner(def.element), 'e');
          return [
            // zod copies into a plain array and fills holes with `undefined`: other arrays go to zod.
            `if (!Array.isArray(${x}) || getPrototypeOf(${x}) !== arrayProto) return false;`,
            `for (let i = 0; i < ${x}.length; i++) { const e = ${x}[i]; if (e === undefined && !(i in ${x})) return false; if (!(${item})) return false; }`,
            'return true;',
          ].join('\n');
        })}(${v})`;
        break;
      case 'record':
        base = `${recordFn(schema)}(${v})`;
        break;
      default:
        throw new Unsupported(def.type);
    }
    const checks = checksOf(schema, v);
    return checks.length ? `(${[base, ...checks].join(' && ')})` : base;
  };

  const objectFn = (schema: ZodInternals): string => {
    const { shape, catchall } = schema._zod.def;
    // Only loose objects keep unknown keys as they are; strip and strict ones change or reject them.
    const catchallType = catchall?._zod.def.type;
    if (!shape || (catchallType !== 'unknown' && catchallType !== 'any')) {
      throw new Unsupported('non-loose object');
    }
    const entries = Object.entries(shape);
    const required = entries.filter(([, value]) => value._zod.optin === undefined);
    if (required.length > 30) throw new Unsupported('too many required keys');
    let bit = 0;
    const cases = entries.map(([key, value]) => {
      const { optin, optout } = value._zod;
      if (optin !== undefined && (optin !== 'optional' || optout !== 'optional')) {
        throw new Unsupported('defaulted key');
      }
      const mark = optin === undefined ? ` seen |= ${1 << bit++};` : '';
      return `case ${JSON.stringify(key)}: if (!(${expr(value, 'p')})) return false;${mark} break;`;
    });
    // One pass over the keys the object has (for…in with obj[key] reads through V8's enum cache,
    // cheap whatever the record's shape), instead of one lookup per schema key: vendor records
    // carry a varying subset of optional fields, which makes per-key property reads megamorphic.
    return fn(schema, (x) =>
      [
        `if (typeof ${x} !== "object" || ${x} === null || getPrototypeOf(${x}) !== objectProto) return false;`,
        'let seen = 0;',
        `for (const k in ${x}) {`,
        `  const p = ${x}[k];`,
        '  switch (k) {',
        ...cases.map((c) => `    ${c}`),
        // zod leaves an own `__proto__` key out of its copy: let zod decide those objects.
        '    case "__proto__": return false;',
        '  }',
        '}',
        // zod's rule for absent keys: only optional-in-and-out schemas may be missing.
        `return seen === ${(2 ** required.length - 1) | 0};`,
      ].join('\n'),
    );
  };

  const recordFn = (schema: ZodInternals): string => {
    const { keyType, valueType } = schema._zod.def;
    const key = keyType?._zod.def;
    if (key?.type !== 'string' || key.checks?.length || key.coerce) {
      throw new Unsupported('record key');
    }
    if (keyType?._zod.traits.has('$ZodCheck')) throw new Unsupported('record key format');
    return fn(schema, (x) =>
      [
        `if (!isPlainRecord(${x})) return false;`,
        `const keys = Object.keys(${x});`,
        'for (let i = 0; i < keys.length; i++) {',
        '  const k = keys[i];',
        '  if (k === "__proto__") return false;',
        `  const e = ${x}[k]; if (!(${expr(inner(valueType), 'e')})) return false;`,
        '}',
        'return true;',
      ].join('\n'),
    );
  };

  const rootExpr = expr(root, 'value');
  // A polluted Object.prototype (enumerable keys) would show up in for…in: leave everything to zod then.
  bodies.push(
    `function validate(value) {\nfor (const _ in objectProto) return false;\nreturn ${rootExpr};\n}`,
  );
  // Everything the generated code calls comes in one named bag, destructured at the top.
  const env = {
    r: refs,
    check: runCheck,
    refine: runRefine,
    isPlainRecord,
    getPrototypeOf: Object.getPrototypeOf,
    objectProto: Object.prototype,
    arrayProto: Array.prototype,
  };
  const factory = new Function(
    'env',
    `"use strict";\nconst { ${Object.keys(env).join(', ')} } = env;\n${bodies.join('\n')}\nreturn validate;`,
  ) as (e: typeof env) => FastValidator;
  return factory(env);
}

function inner(schema: ZodInternals | undefined): ZodInternals {
  if (!schema) throw new Unsupported('missing inner schema');
  return schema;
}

let evalAllowed: boolean | undefined;
function canGenerate(): boolean {
  // Same rule as zod's own JIT: `z.config({ jitless: true })` or a CSP without eval turns it off.
  if (z.config().jitless) return false;
  if (evalAllowed === undefined) {
    try {
      evalAllowed = typeof new Function('return 1') === 'function';
    } catch {
      evalAllowed = false;
    }
  }
  return evalAllowed;
}

const compiled = new WeakMap<object, FastValidator | null>();

/**
 * The fast acceptance test of `schema`, or `undefined` when the schema uses a feature it does not
 * reproduce exactly (transforms, defaults, `.catch`, strip/strict objects, string formats, lazy…)
 * or code generation is off. A `false` answer decides nothing: the caller parses with zod, which
 * then reports the issues. Compiled once per schema.
 *
 * `true` means zod accepts the value and its output equals it, for values made of what JSON can
 * express (plain objects and arrays, strings, finite numbers, booleans, null); anything else
 * (null or class prototypes, holes, own `__proto__` keys) is answered `false` and left to zod.
 * Symbol keys and accessor properties, which no JSON payload has, are not looked at.
 */
export function compileValidator(schema: z.ZodType): FastValidator | undefined {
  const cached = compiled.get(schema);
  if (cached !== undefined) return cached ?? undefined;
  let validator: FastValidator | null = null;
  if (canGenerate()) {
    try {
      validator = generate(schema as unknown as ZodInternals);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
    }
  }
  compiled.set(schema, validator);
  return validator ?? undefined;
}
