import { ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { mapConversation } from '../src/map/conversation';
import { ConversationWireSchema } from '../src/wire/conversation';

// Issue 17: conversation mapping branches the fixtures did not reach (mutation survivors).
const map = (raw: Record<string, unknown>) =>
  mapConversation(ConversationWireSchema.parse({ members: [], ...raw }), { includeRaw: false });

describe('conversation mapping', () => {
  it('relates account, channels, source channel and group once each, by type and id', () => {
    const e = map({
      id: 'CONV-1',
      display_id: 'CONV-1D',
      created_date: '2026-02-01T00:00:00Z',
      account: 'ACC-1',
      channels: [{ id: 'CH-1', display_id: 'one' }, { id: 'CH-1', display_id: 'one' }, { id: 'X' }],
      source_channel_v2: { id: 'CH-2', display_id: 'two' },
      group: { id: 'X', name: 'Group X' },
      custom_fields: { tier: 'gold' },
    });
    expect(e.related).toEqual([
      { type: 'account', id: 'ACC-1' },
      { type: 'channel', id: 'CH-1', name: 'one' },
      { type: 'channel', id: 'X' },
      { type: 'channel', id: 'CH-2', name: 'two' },
      { type: 'group', id: 'X', name: 'Group X' },
    ]);
    expect(e.displayId).toBe('CONV-1D');
    expect(e.customFields).toEqual({ tier: 'gold' });
    expect(e.notes).toEqual([]);
  });

  it('a conversation without any date is a ResponseValidationError', () => {
    let error: unknown;
    try {
      map({ id: 'CONV-2' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).message).toContain('conversation');
  });
});
