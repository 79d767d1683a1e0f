/**
 * The list and get responses take the compiled fast path of `parseResponse` (no zod copy), and that
 * path decides every payload and single-field mutation exactly as the zod wire schema does.
 */
import { compileValidator } from '@engagekit/core/adapter';
import { checkFastPath } from '@engagekit/core/testing';
import { describe, expect, it } from 'vitest';
import { ConversationsListResponseSchema } from '../src/wire/conversation';
import {
  EngagementResponseSchema,
  EngagementsCountResponseSchema,
  EngagementsListResponseSchema,
} from '../src/wire/engagement';
import { conversation, engagement, fullEngagement } from './fixtures';

describe('DevRev wire schemas on the compiled fast path', () => {
  it('compiles every response schema the adapter reads', () => {
    for (const schema of [
      EngagementsListResponseSchema,
      EngagementResponseSchema,
      EngagementsCountResponseSchema,
      ConversationsListResponseSchema,
    ]) {
      expect(compileValidator(schema)).toBeTypeOf('function');
    }
  });

  it('engagements.list: agrees with zod on fixtures and their mutations', () => {
    const page = {
      engagements: [
        fullEngagement(),
        engagement(2, { scheduled: '2026-03-05T15:30:00+02:00' }),
        fullEngagement({ id: 'don:core:dvrv-us-1:devo/1:engagement/3', parent: 'ACC-1' }),
      ],
      next_cursor: 'n',
    };
    const report = checkFastPath(EngagementsListResponseSchema, [page], { expectAccepted: true });
    expect(report.fastAccepted).toBeGreaterThan(100);
    expect(report.zodAccepted).toBeLessThan(report.payloads);
  });

  it('conversations.list and engagements.get: agree with zod', () => {
    const conversations = { conversations: [conversation()], next_cursor: 'n' };
    expect(
      checkFastPath(ConversationsListResponseSchema, [conversations], { expectAccepted: true })
        .fastAccepted,
    ).toBeGreaterThan(50);
    expect(
      checkFastPath(EngagementResponseSchema, [{ engagement: fullEngagement() }], {
        expectAccepted: true,
      }).fastAccepted,
    ).toBeGreaterThan(50);
  });
});
