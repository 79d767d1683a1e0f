/**
 * A valid list page is read on the compiled fast path: the envelope with its records unread, then
 * each record, and zod (which copies what it accepts) is never called.
 */
import { compileValidator } from '@engagekit/core/adapter';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConversationsListEnvelopeSchema, ConversationWireSchema } from '../src/wire/conversation';
import { EngagementsListEnvelopeSchema, EngagementWireSchema } from '../src/wire/engagement';
import { conversation, fullEngagement } from './fixtures';
import { adapter, BASE, useNock } from './helpers';

useNock();
afterEach(() => vi.restoreAllMocks());

describe('DevRev lists on the compiled fast path', () => {
  it('compiles the envelopes and the record schemas', () => {
    for (const schema of [
      EngagementsListEnvelopeSchema,
      EngagementWireSchema,
      ConversationsListEnvelopeSchema,
      ConversationWireSchema,
    ]) {
      expect(compileValidator(schema)).toBeTypeOf('function');
    }
  });

  it('reads valid engagement and conversation pages without calling zod', async () => {
    const engagements = Array.from({ length: 20 }, (_, i) =>
      fullEngagement({ id: `don:core:dvrv-us-1:devo/1:engagement/${i}`, custom_fields: { n: i } }),
    );
    nock(BASE).get('/engagements.list').query(true).reply(200, { engagements });
    nock(BASE)
      .post('/conversations.list')
      .reply(200, { conversations: [conversation({ custom_fields: { score: 1.5 } })] });
    const spies = [
      EngagementsListEnvelopeSchema,
      EngagementWireSchema,
      ConversationsListEnvelopeSchema,
      ConversationWireSchema,
    ].map((schema) => vi.spyOn(schema, 'safeParse'));
    const devrev = adapter();
    expect(await devrev.engagements.list().toArray()).toHaveLength(20);
    expect(await devrev.conversations.list().toArray()).toHaveLength(1);
    for (const spy of spies) expect(spy).toHaveBeenCalledTimes(0);
  });
});
