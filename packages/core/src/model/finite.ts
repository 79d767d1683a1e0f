/**
 * Whether every number in a parsed JSON value is finite. `JSON.parse` reads `1e309` as `Infinity`,
 * which no JSON can carry back (it serialises as `null`): a vendor field holding one cannot be
 * represented faithfully. Walks without recursion (nesting depth is the vendor's to choose) and
 * visits each object once.
 */
export function hasOnlyFiniteNumbers(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  const pending: object[] = [value];
  const seen = new Set<object>(pending);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const child of Object.values(next)) {
      if (typeof child === 'number') {
        if (!Number.isFinite(child)) return false;
      } else if (typeof child === 'object' && child !== null && !seen.has(child)) {
        seen.add(child);
        pending.push(child);
      }
    }
  }
  return true;
}
