import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { compileValidator } from '../validation/compile';

/** What `checkFastPath` saw: how many payloads zod accepted, and how many of those the fast path did. */
export interface FastPathReport {
  payloads: number;
  zodAccepted: number;
  fastAccepted: number;
}

/** Values a mutation puts in place of a field: wrong types, edge values, empty shapes. */
const PROBES: readonly unknown[] = [
  null,
  '',
  'x',
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  {},
  [null],
  { id: '' },
  'not-a-date',
  '2026-02-30T10:00:00Z',
];
const REMOVE = Symbol('remove');

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...prefix, i], out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  }
  if (prefix.length) out.push(prefix);
  return out;
}

function withValueAt(value: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(value);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (replacement === REMOVE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

/**
 * Every single-field mutation of `value`: each path replaced by each probe value, or removed, plus
 * an own `__proto__` key on each object. Deterministic; `limit` caps the count (spread over paths).
 */
export function payloadMutations(value: unknown, limit = 2_000): unknown[] {
  const all = paths(value);
  const out: unknown[] = [];
  const step = Math.max(1, Math.ceil((all.length * (PROBES.length + 1)) / limit));
  let n = 0;
  for (const path of all) {
    for (const probe of [...PROBES, REMOVE]) {
      if (n++ % step === 0) out.push(withValueAt(value, path, probe));
    }
  }
  const protoKey = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
  const objects = all.filter((p) => {
    let v = value as Record<string | number, unknown>;
    for (const k of p) v = v[k] as Record<string | number, unknown>;
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  });
  for (const path of objects.slice(0, 20)) {
    out.push(withValueAt(value, path, Object.assign(protoKey as object, { id: 'p' })));
  }
  return out;
}

/** The path of the first difference between two values (for failure messages). */
function firstDifference(a: unknown, b: unknown, path = '$'): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path} (prototype)`;
  const keys = new Set([...Reflect.ownKeys(a), ...Reflect.ownKeys(b)]);
  for (const key of keys) {
    const inner = firstDifference(
      (a as Record<PropertyKey, unknown>)[key],
      (b as Record<PropertyKey, unknown>)[key],
      `${path}.${String(key)}`,
    );
    if (inner) return inner;
    if (Object.hasOwn(a, key) !== Object.hasOwn(b, key)) return `${path}.${String(key)} (presence)`;
  }
  return `${path} (descriptors)`;
}

/** Objects and arrays as `JSON.parse` builds them: plain prototypes, no own `__proto__` key. */
export function isJsonShaped(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isJsonShaped);
  if (typeof value !== 'object' || value === null) return true;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  if (Object.hasOwn(value, '__proto__')) return false;
  return Object.values(value).every(isJsonShaped);
}

/**
 * Checks that the compiled validator behind `parseResponse` agrees with zod on `payloads` and on
 * their single-field mutations: whatever it accepts, zod accepts with an equal output (the fast path
 * returns the payload itself, zod a copy). With `expectAccepted`, every payload zod accepts that is
 * shaped as `JSON.parse` builds it must also be accepted (the hot path is taken). Throws an `Error`
 * naming the first disagreement; returns counts otherwise.
 */
export function checkFastPath(
  schema: z.ZodType,
  payloads: readonly unknown[],
  options: { mutationsPerPayload?: number; expectAccepted?: boolean } = {},
): FastPathReport {
  const fast = compileValidator(schema);
  if (!fast)
    throw new Error('the schema has no compiled validator (it uses an unsupported feature)');
  const report: FastPathReport = { payloads: 0, zodAccepted: 0, fastAccepted: 0 };
  const judge = (payload: unknown) => {
    report.payloads++;
    const zod = schema.safeParse(payload);
    const accepted = fast(payload);
    if (zod.success) report.zodAccepted++;
    if (accepted) report.fastAccepted++;
    if (accepted && !zod.success) {
      throw new Error(
        `fast path accepted what zod rejects (${zod.error.issues[0]?.message}): ${JSON.stringify(payload)}`,
      );
    }
    if (accepted && zod.success && !isDeepStrictEqual(zod.data, payload)) {
      throw new Error(
        `zod's output differs from the payload at ${firstDifference(zod.data, payload)}: ${JSON.stringify(payload)}`,
      );
    }
    if (options.expectAccepted && zod.success && !accepted && isJsonShaped(payload)) {
      throw new Error(`fast path rejected a payload zod accepts: ${JSON.stringify(payload)}`);
    }
  };
  for (const payload of payloads) {
    judge(payload);
    for (const mutation of payloadMutations(payload, options.mutationsPerPayload)) {
      judge(mutation);
    }
  }
  return report;
}
