/**
 * The list and get responses take the compiled fast path of `parseResponse` (no zod copy), and that
 * path decides every payload and single-field mutation exactly as the zod wire schema does.
 */
import { compileValidator } from '@engagekit/core/adapter';
import { checkFastPath } from '@engagekit/core/testing';
import { describe, expect, it } from 'vitest';
import {
  ZoomEngagementSchema,
  ZoomListEngagementsResponseSchema,
  ZoomTokenResponseSchema,
} from '../src/wire/engagement';
import { record, specGetResponse, specListResponse } from './helpers';

describe('Zoom wire schemas on the compiled fast path', () => {
  it('compiles every success-response schema the adapter reads', () => {
    for (const schema of [
      ZoomListEngagementsResponseSchema,
      ZoomEngagementSchema,
      ZoomTokenResponseSchema,
    ]) {
      expect(compileValidator(schema)).toBeTypeOf('function');
    }
  });

  it("list: agrees with zod on the spec's example and its mutations", () => {
    const page = specListResponse();
    (page.engagements as unknown[]).push(record('e-2', Date.UTC(2026, 0, 2), { duration: '90' }));
    const report = checkFastPath(ZoomListEngagementsResponseSchema, [page], {
      expectAccepted: true,
    });
    expect(report.fastAccepted).toBeGreaterThan(100);
    expect(report.zodAccepted).toBeLessThan(report.payloads);
  });

  it("get: agrees with zod on the spec's example and its mutations", () => {
    const report = checkFastPath(ZoomEngagementSchema, [specGetResponse()], {
      expectAccepted: true,
    });
    expect(report.fastAccepted).toBeGreaterThan(50);
  });
});
