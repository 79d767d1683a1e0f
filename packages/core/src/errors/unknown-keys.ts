import type { z } from 'zod';
import type { InputIssue } from './errors';

/** Edit distance (insertions, deletions, substitutions), given up once it exceeds `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length] ?? max + 1;
}

/**
 * The known key a mistyped one most likely meant: the same letters in another case or with `_`/`-`
 * (`baseURL`, `base_url` → `baseUrl`), else the closest within a small edit distance (`kind` → `kinds`); `undefined` when
 * nothing is close.
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  // `baseURL`, `base_url` and `BASE-URL` all mean `baseUrl`.
  const letters = (k: string) => k.toLowerCase().replace(/[-_]/g, '');
  const lower = key.toLowerCase();
  const sameLetters = known.find((k) => letters(k) === letters(key));
  if (sameLetters !== undefined) return sameLetters;
  // Short keys tolerate one edit, longer ones two: `id` must not suggest `to`.
  const max = lower.length <= 4 ? 1 : 2;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase(), max);
    if (distance <= max && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Issues for the keys of `input` that are not in `known`, each with a did-you-mean suggestion. */
export function unknownKeyIssues(
  keys: readonly string[],
  known: readonly string[],
  path = '',
): InputIssue[] {
  return keys.map((key) => {
    const suggestion = suggestKey(key, known);
    return {
      path: path ? `${path}.${key}` : key,
      rule: 'unknown_key',
      message:
        suggestion === undefined
          ? `unknown key "${key}" (known: ${known.join(', ')})`
          : `unknown key "${key}"; did you mean "${suggestion}"?`,
    };
  });
}

interface Def {
  type?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas `schema` may be after unwrapping optional, default, pipe, union… */
function objectsOf(schema: z.ZodType | undefined, depth = 0): Def[] {
  if (!schema || depth > 8) return [];
  const def = defOf(schema);
  if (def.type === 'object') return [def];
  if (def.type === 'union') return (def.options ?? []).flatMap((o) => objectsOf(o, depth + 1));
  const inner = def.innerType ?? def.in;
  return inner ? objectsOf(inner, depth + 1) : [];
}

/** `schema` without its optional/default/nullable/pipe wrappers. */
function unwrap(schema: z.ZodType): Def {
  let def = defOf(schema);
  for (let i = 0; i < 8 && def.type !== 'object' && (def.innerType ?? def.in); i++) {
    def = defOf((def.innerType ?? def.in) as z.ZodType);
  }
  return def;
}

/** The keys the object schema at `path` inside `schema` knows, or `undefined` if it cannot tell. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let candidates: z.ZodType[] = [schema];
  for (const part of path) {
    candidates = candidates
      .flatMap((c): (z.ZodType | undefined)[] => {
        const def = unwrap(c);
        if (typeof part === 'number') return def.type === 'array' ? [def.element] : [];
        if (def.type === 'record') return [def.valueType];
        return objectsOf(c).map((o) => o.shape?.[String(part)]);
      })
      .filter((c): c is z.ZodType => c !== undefined);
  }
  const keys = new Set<string>();
  for (const c of candidates) {
    for (const o of objectsOf(c)) for (const k of Object.keys(o.shape ?? {})) keys.add(k);
  }
  return keys.size > 0 ? [...keys] : undefined;
}
