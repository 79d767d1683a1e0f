import { InputValidationError } from '@engagekit/core';
import { type QueryValue, reservedNativeKey } from '@engagekit/core/adapter';
import { PROVIDER } from './map/engagement';

/**
 * `native` list params → Truto query parameters in Truto's bracket notation
 * (https://truto.one/docs/api-reference/overview/querying): objects become `foo[bar]=baz`, arrays
 * `foo[]=a&foo[]=b`. Keys are kept as given, so `{ 'remote_query[foo]': 'bar' }` and
 * `{ remote_query: { foo: 'bar' } }` send the same thing, and a key already ending in `[]` is not
 * bracketed twice.
 */
export function flattenQuery(
  native: Record<string, unknown>,
  out: Record<string, QueryValue> = {},
): Record<string, QueryValue> {
  const add = (key: string, value: string) => {
    const current = out[key];
    if (current === undefined || current === null) out[key] = value;
    else out[key] = [...(Array.isArray(current) ? current : [String(current)]), value];
  };
  const walk = (key: string, value: unknown, depth: number): void => {
    if (value === undefined || value === null) return;
    if (depth > 8) throw invalid(key, 'nested too deep');
    if (value instanceof Date) {
      add(key, value.toISOString());
      return;
    }
    if (Array.isArray(value)) {
      const itemKey = key.endsWith('[]') ? key : `${key}[]`;
      for (const item of value) walk(itemKey, item, depth + 1);
      return;
    }
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        walk(`${key}[${k}]`, v, depth + 1);
      }
      return;
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      add(key, String(value));
      return;
    }
    throw invalid(key, `unsupported value type ${typeof value}`);
  };
  for (const [key, value] of Object.entries(native)) walk(key, value, 0);
  return out;
}

function invalid(key: string, message: string): InputValidationError {
  return new InputValidationError([{ path: `native.${key}`, rule: 'invalid_type', message }], {
    provider: PROVIDER,
  });
}

/**
 * Native parameters engagekit owns or whose response it cannot map: the account, the page token,
 * and response shapes other than the unified list.
 */
export function checkNativeListParams(native: Record<string, unknown>): void {
  const issues = [];
  for (const [nativeKey, value] of Object.entries(native)) {
    if (value === undefined) continue;
    // Matched like Truto reads them: `INTEGRATED_ACCOUNT_ID` and `integrated_account_id[]` count.
    const key = reservedNativeKey(nativeKey, [
      'integrated_account_id',
      'next_cursor',
      'truto_key_by',
      'truto_response_format',
    ]);
    if (key === undefined || (key === 'truto_response_format' && value === 'unified')) continue;
    issues.push({
      path: `native.${nativeKey}`,
      rule: 'reserved',
      message:
        key === 'next_cursor'
          ? 'paging is engagekit’s: pass `cursor` instead'
          : key === 'truto_key_by'
            ? 'truto_key_by turns `result` into an object engagekit cannot page'
            : key === 'truto_response_format'
              ? 'only the unified response format can be mapped to engagements'
              : 'set by the adapter (createTrutoAdapter({ integratedAccountId }))',
    });
  }
  if (issues.length > 0) throw new InputValidationError(issues, { provider: PROVIDER });
}
