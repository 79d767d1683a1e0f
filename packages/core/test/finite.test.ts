import { describe, expect, it } from 'vitest';
import { hasOnlyFiniteNumbers } from '../src/model/finite';

describe('hasOnlyFiniteNumbers', () => {
  it('finds Infinity from 1e309 at any depth', () => {
    expect(hasOnlyFiniteNumbers(JSON.parse('{"a": {"b": [1, {"c": 1e309}]}}'))).toBe(false);
    expect(hasOnlyFiniteNumbers(JSON.parse('[-1e309]'))).toBe(false);
    expect(hasOnlyFiniteNumbers(Number.NaN)).toBe(false);
  });

  it('accepts finite numbers, other values and nothing at all', () => {
    expect(hasOnlyFiniteNumbers(JSON.parse('{"a": [1, 2.5, -3e300, "1e309", null, true]}'))).toBe(
      true,
    );
    expect(hasOnlyFiniteNumbers(undefined)).toBe(true);
    expect(hasOnlyFiniteNumbers('x')).toBe(true);
  });

  it('walks deep nesting without recursion and cycles once', () => {
    let deep: unknown = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(hasOnlyFiniteNumbers(deep)).toBe(false);
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    expect(hasOnlyFiniteNumbers(cyclic)).toBe(true);
  });
});
