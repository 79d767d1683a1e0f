import {
  CapabilityError,
  type CreateEngagementInput,
  type EngagementKind,
  type InputIssue,
  InputValidationError,
  toIsoUtc,
  type UpdateEngagementInput,
} from '@engagekit/core';
import type { TrutoEngagementWrite } from '../wire/engagement';
import { PROVIDER, type TrutoDurationUnit } from './engagement';

/** Options of {@link toTrutoWriteBody}. */
export interface TrutoWriteOptions {
  /** The unit `duration` is written in. @default 'seconds' */
  durationUnit?: TrutoDurationUnit;
}

/** Kinds `create()` / `update()` accept: Truto's write enum for `engagement_type`. */
export const TRUTO_CREATE_KINDS: readonly EngagementKind[] = [
  'call',
  'email',
  'meeting',
  'chat',
  'note',
];

const iso = (value: Date | string | undefined) =>
  value === undefined ? undefined : toIsoUtc(value);

/**
 * A unified create/update input → Truto's unified write body. Fields Truto's model has no place for
 * (`externalRef`, `externalUrl`, `tags`) and values it cannot hold (a kind outside its enum, more
 * than one account) are rejected with `InputValidationError` rather than dropped. `native` is merged
 * last, so any Truto body field (e.g. `remote_data`, `custom_fields`) can be set or overridden.
 */
export function toTrutoWriteBody(
  input: CreateEngagementInput | UpdateEngagementInput,
  options: TrutoWriteOptions = {},
): TrutoEngagementWrite {
  // Truto's direction is inbound | outbound | missed: an internal engagement has no place there.
  if (input.direction === 'internal') {
    throw new CapabilityError(
      'direction:internal',
      "Truto's unified engagement direction is inbound, outbound or missed; it cannot store internal",
      { provider: PROVIDER },
    );
  }
  const issues: InputIssue[] = [];
  const body: TrutoEngagementWrite = {};

  if (input.kind !== undefined) {
    if (TRUTO_CREATE_KINDS.includes(input.kind)) body.engagement_type = input.kind;
    else {
      issues.push({
        path: 'kind',
        rule: 'unsupported_kind',
        message: `Truto accepts engagement_type ${TRUTO_CREATE_KINDS.join(', ')}; pass native.engagement_type for a raw CRM type`,
      });
    }
  }
  if (input.subject !== undefined) body.subject = input.subject;
  if (input.body !== undefined) body.content = input.body;
  if (input.direction !== undefined) body.direction = input.direction;
  if (input.status !== undefined) body.status = input.status;
  const start = iso(input.startTime ?? input.occurredAt);
  if (start) body.start_time = start;
  const end = iso(input.endTime);
  if (end) body.end_time = end;
  // Truto's unified `duration` is a string, in the unit the connected CRM counts.
  if (input.durationSeconds !== undefined) {
    body.duration = String(
      options.durationUnit === 'milliseconds'
        ? Math.round(input.durationSeconds * 1000)
        : input.durationSeconds,
    );
  }
  // Truto's unified field is `contact` (an array of `{ id }`), as in the `contact[id]` list filter.
  if (input.participantIds !== undefined) {
    body.contact = input.participantIds.map((id) => ({ id }));
  }
  if (input.accountIds !== undefined) {
    const [account, ...more] = input.accountIds;
    if (more.length > 0) {
      issues.push({
        path: 'accountIds',
        rule: 'too_big',
        message: 'a Truto engagement has one account',
      });
    } else if (account !== undefined) body.account = { id: account };
  }
  if (input.ownerId !== undefined) body.owner = { id: input.ownerId };
  for (const field of ['externalRef', 'externalUrl', 'tags'] as const) {
    if (input[field] !== undefined) {
      issues.push({
        path: field,
        rule: 'unsupported_by_provider',
        message: `Truto's unified engagement has no ${field}; use native to send CRM fields`,
      });
    }
  }
  if (issues.length > 0) throw new InputValidationError(issues, { provider: PROVIDER });
  return { ...body, ...input.native };
}
