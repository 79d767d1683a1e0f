import { type EngagementChange, type InputIssue, InputValidationError } from '@engagekit/core';

/** A change the store can write: an upsert with its engagement, or a delete. */
export type WritableChange = EngagementChange & { changedAtMs: number };

/**
 * Checks the changes a caller hands to `apply()`/`writeBatch()` before anything is written; a
 * broken one is an `InputValidationError` naming it (`changes.3.changedAt`).
 */
export function validateChanges(changes: readonly EngagementChange[]): WritableChange[] {
  if (!Array.isArray(changes)) {
    throw new InputValidationError([
      { path: 'changes', rule: 'invalid_type', message: 'expected an array of EngagementChange' },
    ]);
  }
  const issues: InputIssue[] = [];
  const out: WritableChange[] = [];
  changes.forEach((c, i) => {
    const at = (field: string, message: string) => {
      issues.push({ path: `changes.${i}${field ? `.${field}` : ''}`, rule: 'invalid', message });
    };
    if (typeof c !== 'object' || c === null) {
      at('', 'expected an EngagementChange');
      return;
    }
    if (c.type !== 'upsert' && c.type !== 'delete') at('type', "expected 'upsert' or 'delete'");
    if (typeof c.id !== 'string' || c.id.length === 0) at('id', 'expected a non-empty string');
    if (typeof c.provider !== 'string' || c.provider.length === 0) {
      at('provider', 'expected a non-empty string');
    }
    if (typeof c.remoteId !== 'string' || c.remoteId.length === 0) {
      at('remoteId', 'expected a non-empty string');
    }
    const ms = typeof c.changedAt === 'string' ? Date.parse(c.changedAt) : Number.NaN;
    if (Number.isNaN(ms)) at('changedAt', 'expected an ISO-8601 time');
    if (c.type === 'upsert' && c.engagement !== undefined && c.engagement?.id !== c.id) {
      at('engagement.id', `expected the change's id "${String(c.id)}"`);
    }
    out.push({ ...c, changedAtMs: ms });
  });
  if (issues.length > 0) throw new InputValidationError(issues.slice(0, 20));
  return out;
}

/**
 * One change per id, the one that wins: the later `changedAt`; at the same time a delete beats an
 * upsert and a later upsert in the list beats an earlier one. (Postgres refuses to update one row
 * twice in one `INSERT … ON CONFLICT`, and the outcome must not depend on the order within a batch.)
 */
export function latestPerId<C extends WritableChange>(changes: readonly C[]): C[] {
  const byId = new Map<string, C>();
  for (const c of changes) {
    const kept = byId.get(c.id);
    if (!kept || wins(c, kept)) byId.set(c.id, c);
  }
  return [...byId.values()];
}

function wins(c: WritableChange, kept: WritableChange): boolean {
  if (c.changedAtMs !== kept.changedAtMs) return c.changedAtMs > kept.changedAtMs;
  if (c.type !== kept.type) return c.type === 'delete';
  return true;
}
