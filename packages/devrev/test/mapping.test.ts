import { EngagementSchema, ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { mapConversation } from '../src/map/conversation';
import { KIND_BY_TYPE, kindOf, mapEngagement, typesOfKind } from '../src/map/engagement';
import { ConversationWireSchema } from '../src/wire/conversation';
import { DEVREV_ENGAGEMENT_TYPES, EngagementWireSchema } from '../src/wire/engagement';
import {
  ACCOUNT,
  assertSpecValid,
  conversation,
  devUser,
  engagementId,
  fullEngagement,
  OPPORTUNITY,
  revUser,
  serviceAccount,
  sysUser,
} from './fixtures';

const wire = (raw: unknown) => EngagementWireSchema.parse(raw);

describe('engagement mapping', () => {
  it('maps every field of a full engagement', () => {
    const raw = fullEngagement();
    assertSpecValid('engagement', raw);
    const e = mapEngagement(wire(raw), { includeRaw: true });
    expect(EngagementSchema.parse(e)).toEqual(e);
    expect(e).toMatchObject({
      id: `devrev:${engagementId(1)}`,
      provider: 'devrev',
      remoteId: engagementId(1),
      displayId: 'ENG-1',
      kind: 'meeting',
      nativeType: 'offline',
      subject: 'QBR with Acme',
      body: 'Quarterly business review',
      occurredAt: '2026-03-05T13:30:00.000Z',
      startTime: '2026-03-05T13:30:00.000Z',
      createdAt: '2026-03-01T09:00:00.000Z',
      updatedAt: '2026-03-02T10:00:00.500Z',
      externalRef: 'cal-1',
      externalUrl: 'https://calendar.example/1',
      tags: [{ id: expect.stringContaining('tag/1'), name: 'vip', value: 'high' }],
      related: [
        { type: 'account', id: ACCOUNT.id, name: 'Acme' },
        { type: 'opportunity', id: OPPORTUNITY.id },
      ],
      notes: [],
      dispositions: [],
    });
    expect(e.raw).toEqual(raw);
  });

  it('maps all four user-summary types to participants with role, name and email', () => {
    const e = mapEngagement(wire(fullEngagement()), { includeRaw: false });
    expect(e.participants).toEqual([
      { id: devUser.id, role: 'member', displayName: 'ada', email: 'ada@example.com' },
      { id: revUser.id, role: 'member', displayName: 'Grace Hopper', email: revUser.email },
      { id: serviceAccount.id, role: 'member', displayName: 'Calendar sync' },
      { id: sysUser.id, role: 'member', displayName: 'DevRev Bot' },
      { id: devUser.id, role: 'creator', displayName: 'ada', email: 'ada@example.com' },
    ]);
    expect(e.raw).toBeUndefined();
  });

  it('maps a spec-minimal engagement (only id + a date) without undefined strings', () => {
    const raw = { id: 'ENG-MIN', created_date: '2026-01-02T03:04:05Z' };
    assertSpecValid('engagement', raw);
    const e = mapEngagement(wire(raw), { includeRaw: true });
    expect(EngagementSchema.parse(e)).toEqual(e);
    expect(e).toEqual({
      id: 'devrev:ENG-MIN',
      provider: 'devrev',
      remoteId: 'ENG-MIN',
      kind: 'other',
      occurredAt: '2026-01-02T03:04:05.000Z',
      createdAt: '2026-01-02T03:04:05.000Z',
      participants: [],
      related: [],
      notes: [],
      dispositions: [],
      tags: [],
      raw,
    });
    expect(JSON.stringify(e)).not.toContain('undefined');
  });

  it('a record with only an id has no occurredAt: ResponseValidationError naming the path', () => {
    const raw = { id: 'ENG-ONLY' };
    assertSpecValid('engagement', raw);
    let error: unknown;
    try {
      mapEngagement(wire(raw), { includeRaw: true, path: 'engagements' }, 4);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).path).toBe('engagements.4');
    expect((error as ResponseValidationError).provider).toBe('devrev');
    expect((error as ResponseValidationError).issues[0]?.message).toBe(
      'engagement has none of scheduled_date, created_date, modified_date: occurredAt cannot be derived',
    );
  });

  it('picks occurredAt = scheduled_date, else created_date, else modified_date', () => {
    const at = (raw: Record<string, unknown>) =>
      mapEngagement(wire({ id: 'x', ...raw }), { includeRaw: false }).occurredAt;
    expect(
      at({ scheduled_date: '2026-01-03T00:00:00Z', created_date: '2026-01-01T00:00:00Z' }),
    ).toBe('2026-01-03T00:00:00.000Z');
    expect(
      at({ created_date: '2026-01-01T00:00:00Z', modified_date: '2026-01-05T00:00:00Z' }),
    ).toBe('2026-01-01T00:00:00.000Z');
    expect(at({ modified_date: '2026-01-05T00:00:00Z' })).toBe('2026-01-05T00:00:00.000Z');
    expect(at({ scheduled_date: null, created_date: '2026-01-01T00:00:00Z' })).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('maps every engagement_type, and unknown or missing ones to other', () => {
    const expected = {
      call: 'call',
      email: 'email',
      linked_in: 'social',
      meeting: 'meeting',
      offline: 'meeting',
      conversation: 'chat',
      survey: 'survey',
      default: 'other',
      custom: 'other',
    } as const;
    expect(KIND_BY_TYPE).toEqual(expected);
    for (const type of DEVREV_ENGAGEMENT_TYPES) {
      const e = mapEngagement(
        wire({ id: 'x', engagement_type: type, created_date: '2026-01-01T00:00:00Z' }),
        { includeRaw: false },
      );
      expect(e.kind).toBe(expected[type]);
      expect(e.nativeType).toBe(type);
    }
    const unknown = mapEngagement(
      wire({ id: 'x', engagement_type: 'webinar', created_date: '2026-01-01T00:00:00Z' }),
      { includeRaw: false },
    );
    expect(unknown).toMatchObject({ kind: 'other', nativeType: 'webinar' });
    expect(kindOf(undefined)).toBe('other');
  });

  it('reverses the kind mapping for filters', () => {
    expect(typesOfKind('meeting')).toEqual(['meeting', 'offline']);
    expect(typesOfKind('other')).toEqual(['custom', 'default']);
    expect(typesOfKind('social')).toEqual(['linked_in']);
    expect(typesOfKind('sms')).toEqual([]);
  });

  it('reads parents given as bare ids and the singular parent, without duplicates', () => {
    const e = mapEngagement(
      wire({
        id: 'x',
        created_date: '2026-01-01T00:00:00Z',
        parents: ['ACC-1', ACCOUNT],
        parent: ACCOUNT,
      }),
      { includeRaw: false },
    );
    expect(e.related).toEqual([
      { type: 'account', id: 'ACC-1' },
      { type: 'account', id: ACCOUNT.id, name: 'Acme' },
    ]);
  });

  it('checks fixtures against the spec for real (the validator rejects spec violations)', () => {
    expect(() => assertSpecValid('engagement', { title: 'no id' })).toThrow(/breaks the spec/);
    expect(() => assertSpecValid('engagement', { id: 'x', created_by: { id: 'u' } })).toThrow(
      /breaks the spec/,
    );
  });

  it('never lets unknown fields break parsing, but rejects an unreadable date', () => {
    expect(EngagementWireSchema.safeParse({ id: 'x', anything: [1, { a: 2 }] }).success).toBe(true);
    const bad = EngagementWireSchema.safeParse({ id: 'x', created_date: 'yesterday' });
    expect(bad.success).toBe(false);
    expect(EngagementWireSchema.safeParse({ title: 'no id' }).success).toBe(false);
  });
});

describe('conversation mapping', () => {
  it('maps a conversation to a chat: members + owners + creator, comments as notes', () => {
    const raw = conversation();
    assertSpecValid('conversation', raw);
    const e = mapConversation(ConversationWireSchema.parse(raw), { includeRaw: true });
    expect(EngagementSchema.parse(e)).toEqual(e);
    expect(e).toMatchObject({
      kind: 'chat',
      nativeType: 'conversation',
      channels: ['plug'],
      subject: 'Cannot log in',
      body: 'Customer reports a login loop',
      status: 'waiting_on_user',
      occurredAt: '2026-02-01T08:00:00.000Z',
      updatedAt: '2026-02-03T08:00:00.000Z',
      tags: [{ id: expect.stringContaining('tag/4'), name: 'login' }],
    });
    expect(e.participants.map((p) => [p.role, p.id])).toEqual([
      ['member', revUser.id],
      ['member', devUser.id],
      ['owner', devUser.id],
      ['creator', revUser.id],
    ]);
    expect(e.notes).toEqual([
      {
        id: expect.stringContaining('comment/1'),
        text: 'I keep getting logged out',
        authorId: revUser.id,
        updatedAt: '2026-02-01T08:00:00.000Z',
      },
      {
        id: expect.stringContaining('comment/2'),
        text: 'Looking into it',
        authorId: devUser.id,
        updatedAt: '2026-02-02T09:00:00.000Z',
      },
    ]);
    expect(e.related).toEqual([
      { type: 'channel', id: expect.stringContaining('channel/5'), name: 'CHAN-5' },
      { type: 'group', id: expect.stringContaining('group/2'), name: 'Support' },
    ]);
  });

  it('maps a minimal conversation (id, members, a date)', () => {
    const raw = { id: 'CONV-9', members: [], created_date: '2026-02-01T00:00:00Z' };
    assertSpecValid('conversation', raw);
    const e = mapConversation(ConversationWireSchema.parse(raw), { includeRaw: false });
    expect(EngagementSchema.parse(e)).toEqual(e);
    expect(e).toEqual({
      id: 'devrev:CONV-9',
      provider: 'devrev',
      remoteId: 'CONV-9',
      kind: 'chat',
      nativeType: 'conversation',
      occurredAt: '2026-02-01T00:00:00.000Z',
      startTime: '2026-02-01T00:00:00.000Z',
      createdAt: '2026-02-01T00:00:00.000Z',
      participants: [],
      related: [],
      notes: [],
      dispositions: [],
      tags: [],
    });
  });
});
