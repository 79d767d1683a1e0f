import type { z } from 'zod';
import { compileValidator } from '../validation/compile';
import {
  type ErrorRequestInfo,
  type InputIssue,
  InputValidationError,
  ResponseValidationError,
} from './errors';
import { knownKeysAt, unknownKeyIssues } from './unknown-keys';

/** A dotted issue path from its parts, skipping absent and empty ones (`issuePath('result', 3, 'id')`). */
export function issuePath(...parts: (string | number | undefined)[]): string {
  return parts.filter((p) => p !== undefined && p !== '').join('.');
}

/**
 * zod issues as engagekit issues: a dotted path, the rule broken, and zod's message. Given the
 * schema, each unknown key becomes its own `unknown_key` issue with a did-you-mean suggestion.
 */
export function toInputIssues(error: z.ZodError, prefix = '', schema?: z.ZodType): InputIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issuePath(prefix, ...issue.path.map(String));
    if (issue.code === 'unrecognized_keys' && schema) {
      const known = knownKeysAt(schema, issue.path);
      if (known) return unknownKeyIssues(issue.keys, known, path);
    }
    return [
      {
        path,
        rule: issue.code === 'custom' ? String(issue.params?.rule ?? 'custom') : issue.code,
        message: issue.message,
      },
    ];
  });
}

/** Parses caller input, or throws an `InputValidationError` naming every broken field and rule. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  options: { provider?: string; prefix?: string } = {},
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InputValidationError(toInputIssues(result.error, options.prefix, schema), options);
}

/**
 * Parses a vendor payload, or throws a `ResponseValidationError` with the path and provider.
 * A payload the schema's compiled validator accepts is returned as it is (zod would return an equal
 * copy); anything else goes through zod, which decides and names the issues.
 */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  payload: unknown,
  options: { provider: string; what?: string; prefix?: string; request?: ErrorRequestInfo },
): z.output<S> {
  if (compileValidator(schema)?.(payload)) return payload as z.output<S>;
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  throw new ResponseValidationError(toInputIssues(result.error, options.prefix), options);
}
