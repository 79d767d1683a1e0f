import { type InputIssue, InputValidationError } from '@engagekit/core';

/**
 * An array query value the way DevRev reads it (`explode: false`): comma-joined. Values that
 * themselves hold a comma or quote are sent in the official SDK's form (`"a,b","c"`) instead.
 */
export function joinList(values: readonly unknown[]): string {
  const texts = values.map(String);
  if (!texts.some((t) => t.includes(',') || t.includes('"'))) return texts.join(',');
  return texts.map((t) => `"${t.replace(/(["\\])/g, '\\$1')}"`).join(',');
}

/** A `native` value as a GET query value: scalars as text, arrays comma-joined. */
export function queryValue(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    if (value.some((v) => v === null || typeof v === 'object')) throw unsupported(key);
    return value.length ? joinList(value) : undefined;
  }
  if (typeof value === 'object') throw unsupported(key);
  return String(value);
}

function unsupported(key: string): InputValidationError {
  return new InputValidationError(
    [
      {
        path: `native.${key}`,
        rule: 'unsupported_type',
        message: 'GET query values must be strings, numbers, booleans or arrays of them',
      },
    ],
    { provider: 'devrev' },
  );
}

/** Throws one `InputValidationError` for every issue collected. */
export function throwIssues(issues: InputIssue[]): void {
  if (issues.length) throw new InputValidationError(issues, { provider: 'devrev' });
}
