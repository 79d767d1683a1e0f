import type { Engagement, EngagementChange } from '@engagekit/core';

/** An engagement with every field the model has, so a round trip checks every column. */
export function fullEngagement(n: number, overrides: Partial<Engagement> = {}): Engagement {
  const remoteId = `R-${n}`;
  return {
    id: `devrev:${remoteId}`,
    provider: 'devrev',
    remoteId,
    displayId: `ENG-${n}`,
    kind: 'call',
    nativeType: 'phone_call',
    channels: ['voice', 'sms'],
    direction: 'inbound',
    subject: `Call ${n}`,
    body: `Body of ${n}`,
    status: 'completed',
    occurredAt: `2026-11-01T10:00:${String(n % 60).padStart(2, '0')}.123Z`,
    startTime: '2026-11-01T10:00:00.000Z',
    endTime: '2026-11-01T10:30:00.000Z',
    durationSeconds: 1800.5,
    participants: [{ id: 'u1', role: 'agent', displayName: 'Ada', email: 'ada@example.com' }],
    related: [{ type: 'account', id: 'ACC-1', name: 'Acme' }],
    notes: [{ id: 'n1', text: 'note', authorId: 'u1', updatedAt: '2026-11-01T11:00:00.000Z' }],
    dispositions: [{ id: 'd1', name: 'Resolved' }],
    tags: [{ id: 't1', name: 'vip', value: 'yes' }],
    externalRef: `ext-${n}`,
    externalUrl: `https://example.com/e/${n}`,
    createdAt: '2026-11-01T09:00:00.000Z',
    updatedAt: '2026-11-01T12:00:00.000Z',
    customFields: { score: n, nested: { a: [1, 'two', null] } },
    raw: { id: remoteId, anything: { deep: true }, list: [1, 2, 3] },
    ...overrides,
  };
}

/** A minimal engagement: only the required fields. */
export function minimalEngagement(n: number, overrides: Partial<Engagement> = {}): Engagement {
  const remoteId = `M-${n}`;
  return {
    id: `truto:${remoteId}`,
    provider: 'truto',
    remoteId,
    kind: 'email',
    occurredAt: '2026-10-01T00:00:00.000Z',
    participants: [],
    related: [],
    notes: [],
    dispositions: [],
    tags: [],
    ...overrides,
  };
}

export function upsert(
  e: Engagement,
  changedAt: string,
  source: 'feed' | 'webhook' = 'feed',
): EngagementChange {
  return {
    type: 'upsert',
    id: e.id,
    provider: e.provider,
    remoteId: e.remoteId,
    changedAt,
    engagement: e,
    source,
  };
}

export function remove(
  e: Pick<Engagement, 'id' | 'provider' | 'remoteId'>,
  changedAt: string,
): EngagementChange {
  return {
    type: 'delete',
    id: e.id,
    provider: e.provider,
    remoteId: e.remoteId,
    changedAt,
    source: 'webhook',
  };
}
