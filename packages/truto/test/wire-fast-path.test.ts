/**
 * The list and get responses take the compiled fast path of `parseResponse` (no zod copy), and that
 * path decides every payload and single-field mutation exactly as the zod wire schema does.
 */
import { compileValidator } from '@engagekit/core/adapter';
import { checkFastPath } from '@engagekit/core/testing';
import { describe, expect, it } from 'vitest';
import {
  TrutoDeleteResponseSchema,
  TrutoEngagementListSchema,
  TrutoEngagementSchema,
} from '../src/wire/engagement';
import { listBody, trutoRecord } from './fixtures';

describe('Truto wire schemas on the compiled fast path', () => {
  it('compiles every success-response schema the adapter reads', () => {
    for (const schema of [
      TrutoEngagementListSchema,
      TrutoEngagementSchema,
      TrutoDeleteResponseSchema,
    ]) {
      expect(compileValidator(schema)).toBeTypeOf('function');
    }
  });

  it('list: agrees with zod on fixtures (both relation shapes, numeric ids) and their mutations', () => {
    const page = listBody(
      [
        trutoRecord(),
        trutoRecord({ id: 7, contact: 'c-9', opportunity: { id: 5 }, start_time: 1767225600 }),
        { id: 'bare' },
      ],
      'next',
    );
    const report = checkFastPath(TrutoEngagementListSchema, [page], { expectAccepted: true });
    expect(report.fastAccepted).toBeGreaterThan(100);
    expect(report.zodAccepted).toBeLessThan(report.payloads);
  });
});
