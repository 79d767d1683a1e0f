import {
  ApiError,
  CapabilityError,
  type EngagekitError,
  type InputIssue,
  InputValidationError,
} from '@engagekit/core';
import type { VendorErrorParser } from '@engagekit/core/adapter';
import { PROVIDER } from './map/engagement';
import { type TrutoErrorBody, TrutoErrorBodySchema } from './wire/engagement';

/** Truto query parameters / body fields → the unified name a caller sets instead. */
const UNIFIED_NAMES: Record<string, string> = {
  engagement_type: 'kinds',
  start_time: 'from',
  end_time: 'to',
  contact: 'participantIds',
  contacts: 'participantIds',
  account: 'accountIds',
  owner: 'ownerIds',
};
const UNIFIED_WRITE_NAMES: Record<string, string> = {
  engagement_type: 'kind',
  content: 'body',
  start_time: 'startTime',
  end_time: 'endTime',
  duration: 'durationSeconds',
  contact: 'participantIds',
  contacts: 'participantIds',
  account: 'accountIds',
  owner: 'ownerId',
};

/** `contact[id]` → `contact`. */
const baseName = (param: string) => param.replace(/\[.*$/, '');

export function readErrorBody(body: unknown): TrutoErrorBody | undefined {
  const parsed = TrutoErrorBodySchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

function insightNames(body: TrutoErrorBody | undefined, key: string): string[] {
  const value = body?.truto_error_insight?.[key]?.value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (value && typeof value === 'object') return Object.keys(value);
  return [];
}

/** A short, human summary of `raw_response` for remote errors whose `message` is empty. */
function remoteMessage(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.slice(0, 300) || undefined;
  if (raw && typeof raw === 'object') {
    for (const key of ['message', 'error_description', 'error', 'detail', 'msg']) {
      const v = (raw as Record<string, unknown>)[key];
      if (typeof v === 'string' && v) return v;
    }
  }
  return undefined;
}

/**
 * Reads Truto's `{ statusCode, error, message, details }` envelope. `code` is Truto's `error`
 * (e.g. `Bad Request`), `type` tells where the error came from: `'remote_error'` (the CRM, with
 * `truto_is_remote_error`) or `'truto_error'`; the full body (insight, `raw_response`) stays on
 * `ApiError.body`.
 */
export function createErrorParser(integratedAccountId: string): VendorErrorParser {
  return (raw, status) => {
    const body = readErrorBody(raw);
    const remote = body?.truto_is_remote_error === true;
    let message = body?.message || (remote ? remoteMessage(body?.raw_response) : undefined);
    if (status === 401 && remote) {
      message = `the CRM rejected the credentials of integrated account ${integratedAccountId}: the connection needs re-authentication (Truto marks the account needs_reauth until the end user reconnects it)${message ? `. CRM said: ${message}` : ''}`;
    } else if (status === 401) {
      message = `Truto rejected the API token${message ? `: ${message}` : ''}`;
    } else if (status === 503) {
      message = `integrated account ${integratedAccountId} is blocked by Truto; not retried, contact Truto support${message ? ` (${message})` : ''}`;
    }
    const details: string[] = [];
    const scopes = body?.truto_error_insight?.forbidden_error?.value;
    const missingScopes =
      scopes && typeof scopes === 'object' && 'missing_scopes' in scopes
        ? (scopes as { missing_scopes?: unknown }).missing_scopes
        : undefined;
    if (Array.isArray(missingScopes) && missingScopes.length > 0) {
      details.push(`missing OAuth scopes: ${missingScopes.join(', ')}`);
    }
    for (const key of ['missing_required_query_parameters', 'missing_required_body_fields']) {
      const names = insightNames(body, key);
      if (names.length > 0) details.push(`${key}: ${names.join(', ')}`);
    }
    return {
      message: message || undefined,
      code: body?.error ?? undefined,
      type: body ? (remote ? 'remote_error' : 'truto_error') : undefined,
      detail: details.length > 0 ? details.join('; ') : undefined,
    };
  };
}

/** Truto answers 503 when the integrated account is blocked: retrying cannot help. */
export const isRetryable = (status: number): boolean => status !== 503;

/**
 * Truto's "provider-dependent" errors as engagekit's own classes, the original `ApiError` (status,
 * Truto `error`, full body) kept as `cause`:
 * - `truto_error_insight.missing_required_query_parameters` / `missing_required_body_fields` →
 *   `InputValidationError`, one issue per parameter, at the unified name the caller can set;
 * - any `truto_error_insight.unsupported_*` key → `CapabilityError` naming the parameters;
 * - 405 (e.g. a read-only sandbox account, a method the integration lacks) → `CapabilityError`.
 * Every other error is returned as is.
 */
export function translateError(error: unknown, operation: string): unknown {
  if (!(error instanceof ApiError) || error.status >= 500) return error;
  const body = readErrorBody(error.body);
  const names = operation === 'list' ? UNIFIED_NAMES : UNIFIED_WRITE_NAMES;
  const options = { provider: PROVIDER, cause: error, request: error.request };

  const issues: InputIssue[] = [];
  for (const [key, where] of [
    ['missing_required_query_parameters', 'query parameter'],
    ['missing_required_body_fields', 'body field'],
  ] as const) {
    for (const param of insightNames(body, key)) {
      const unified = names[baseName(param)];
      issues.push({
        path: unified ?? `native.${param}`,
        rule: 'required_by_integration',
        message: `the connected CRM requires the Truto ${where} \`${param}\`${unified ? ` (set \`${unified}\` or native.${param})` : ''}`,
      });
    }
  }
  if (issues.length > 0) return new InputValidationError(issues, options);

  const unsupported = Object.keys(body?.truto_error_insight ?? {})
    .filter((key) => key.startsWith('unsupported'))
    .flatMap((key) => insightNames(body, key));
  if (unsupported.length > 0) {
    const unified = unsupported.map((p) => names[baseName(p)] ?? p);
    const capability =
      operation === 'list' ? `filter:${unified.join(',')}` : `${operation}:${unified.join(',')}`;
    return new CapabilityError(
      capability,
      `${PROVIDER}: the connected CRM does not support ${unsupported.map((p) => `\`${p}\``).join(', ')}${unified.some((u, i) => u !== unsupported[i]) ? ` (unified: ${unified.join(', ')})` : ''}: ${error.message}`,
      options,
    );
  }
  if (error.status === 405) {
    return new CapabilityError(
      operation,
      `${PROVIDER}: the integrated account does not allow this operation (405; Truto sandbox accounts are read-only): ${error.message}`,
      options,
    );
  }
  return error;
}

/** Runs `fn` and rethrows its error through `translateError`. */
export async function translated<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translateError(error, operation) as EngagekitError;
  }
}
