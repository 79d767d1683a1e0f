import { EngagementSchema, ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { mapTrutoEngagement, normalizeDirection, toKind } from '../src/map/engagement';
import { TrutoEngagementSchema } from '../src/wire/engagement';
import { trutoRecord } from './fixtures';

const map = (overrides: Record<string, unknown> = {}, includeRaw = true) => {
  const record = TrutoEngagementSchema.parse(trutoRecord(overrides));
  const e = mapTrutoEngagement(record, { includeRaw });
  expect(EngagementSchema.parse(e)).toEqual(e);
  return e;
};

describe('mapTrutoEngagement', () => {
  it('maps every documented field', () => {
    const e = map();
    expect(e).toMatchObject({
      id: 'truto:1001',
      provider: 'truto',
      remoteId: '1001',
      kind: 'call',
      nativeType: 'call',
      direction: 'inbound',
      subject: 'Discovery call',
      body: 'Talked about pricing.',
      status: 'COMPLETED',
      occurredAt: '2026-03-02T10:00:00.000Z',
      startTime: '2026-03-02T10:00:00.000Z',
      endTime: '2026-03-02T10:30:00.000Z',
      durationSeconds: 1800,
      createdAt: '2026-03-02T09:55:00.000Z',
      updatedAt: '2026-03-02T11:00:00.000Z',
      dispositions: [],
      tags: [],
    });
    expect(e.participants).toEqual([
      { id: 'u-1', role: 'owner' },
      { id: 'c-1', role: 'contact' },
      { id: 'c-2', role: 'contact' },
    ]);
    expect(e.related).toEqual([
      { type: 'account', id: 'acc-1' },
      { type: 'contact', id: 'c-1' },
      { type: 'contact', id: 'c-2' },
      { type: 'opportunity', id: 'opp-1' },
      { type: 'lead', id: 'lead-1' },
      { type: 'project', id: 'prj-1' },
    ]);
    expect(e.notes).toEqual([{ id: 'n-1' }, { text: 'Follow up next week' }]);
    expect(e.customFields).toEqual({
      hs_call_disposition: 'Connected',
      phoneNumbers: [{ id: 'p-1', number: '+14155550100', extension: null, type: 'work' }],
    });
    expect(e.raw).toEqual(trutoRecord());
    expect((e.raw as { remote_data: { id: string } }).remote_data.id).toBe('987');
  });

  it('omits raw when includeRaw is false', () => {
    expect(map({}, false).raw).toBeUndefined();
  });

  it.each([
    ['call', 'call'],
    ['EMAIL', 'email'],
    [' Meeting ', 'meeting'],
    ['chat', 'chat'],
    ['note', 'note'],
    ['TASK', 'task'],
    ['LinkedIn Message', 'other'],
    ['SMS', 'other'],
  ])('engagement_type %j → kind %s, nativeType kept as sent', (type, kind) => {
    const e = map({ engagement_type: type });
    expect(e.kind).toBe(kind);
    expect(e.nativeType).toBe(type);
    expect(toKind(type)).toBe(kind);
  });

  it('maps a missing engagement_type to other without nativeType', () => {
    const e = map({ engagement_type: null });
    expect(e.kind).toBe('other');
    expect(e.nativeType).toBeUndefined();
  });

  it.each([
    ['inbound', 'inbound'],
    ['INCOMING', 'inbound'],
    ['In', 'inbound'],
    ['received', 'inbound'],
    ['Outbound', 'outbound'],
    ['OUTGOING', 'outbound'],
    ['out', 'outbound'],
    ['Sent', 'outbound'],
    ['internal', 'internal'],
  ])('direction %j → %s', (raw, direction) => {
    expect(normalizeDirection(raw)).toBe(direction);
    const e = map({ direction: raw });
    expect(e.direction).toBe(direction);
    expect(e.customFields?.nativeDirection).toBeUndefined();
  });

  it('keeps an unknown direction in customFields.nativeDirection', () => {
    const e = map({ direction: 'forwarded' });
    expect(e.direction).toBeUndefined();
    expect(e.customFields?.nativeDirection).toBe('forwarded');
  });

  it('reads duration strings in any form toDurationSeconds knows', () => {
    expect(map({ duration: '90' }).durationSeconds).toBe(90);
    expect(map({ duration: '00:01:30' }).durationSeconds).toBe(90);
    expect(map({ duration: 'PT2M' }).durationSeconds).toBe(120);
    expect(map({ duration: 45 }).durationSeconds).toBe(45);
    expect(map({ duration: 'soon' }).durationSeconds).toBeUndefined();
  });

  it('accepts `contact` and `contacts`, arrays or objects, without duplicates', () => {
    const e = map({ contacts: { id: 'c-1' }, contact: [{ id: 'c-1' }, { id: 7 }, null, 'c-9'] });
    expect(e.participants.filter((p) => p.role === 'contact').map((p) => p.id)).toEqual([
      'c-1',
      '7',
      'c-9',
    ]);
    expect(e.related.filter((r) => r.type === 'contact').map((r) => r.id)).toEqual([
      'c-1',
      '7',
      'c-9',
    ]);
  });

  it('accepts opportunity as an object and relations with names', () => {
    const e = map({
      opportunity: { id: 'opp-2', name: 'Big deal' },
      owner: { id: 'u-2', name: 'Ada' },
    });
    expect(e.related).toContainEqual({ type: 'opportunity', id: 'opp-2', name: 'Big deal' });
    expect(e.participants[0]).toEqual({ id: 'u-2', role: 'owner', displayName: 'Ada' });
  });

  it('lets the CRM custom fields win a name clash with engagekit extras', () => {
    const e = map({ custom_fields: { phoneNumbers: 'crm value' } });
    expect(e.customFields?.phoneNumbers).toBe('crm value');
  });

  it('chooses occurredAt: start_time, else created_at, else updated_at', () => {
    expect(map({ start_time: null }).occurredAt).toBe('2026-03-02T09:55:00.000Z');
    expect(map({ start_time: null, created_at: null }).occurredAt).toBe('2026-03-02T11:00:00.000Z');
    expect(map({ start_time: '2026-03-02T12:00:00+02:00' }).occurredAt).toBe(
      '2026-03-02T10:00:00.000Z',
    );
    expect(map({ start_time: '2026-03-02 10:00:00' }).occurredAt).toBe('2026-03-02T10:00:00.000Z');
  });

  it('throws a ResponseValidationError for a record with no timestamp', () => {
    const record = TrutoEngagementSchema.parse(
      trutoRecord({ start_time: null, created_at: undefined, updated_at: 'garbage' }),
    );
    let error: unknown;
    try {
      mapTrutoEngagement(record, { path: 'result' }, 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).path).toBe('result.2.start_time');
    expect((error as ResponseValidationError).provider).toBe('truto');
  });

  it('maps a minimal record', () => {
    const e = mapTrutoEngagement(
      TrutoEngagementSchema.parse({ id: 5, created_at: '2026-01-01T00:00:00Z' }),
    );
    expect(EngagementSchema.parse(e)).toEqual(e);
    expect(e).toMatchObject({ id: 'truto:5', kind: 'other', participants: [], related: [] });
    expect(e.customFields).toBeUndefined();
  });

  it('keeps unknown fields and enum values parseable', () => {
    const parsed = TrutoEngagementSchema.safeParse(
      trutoRecord({ x_new_field: { a: 1 }, engagement_type: 'Custom Activity', status: 'WEIRD' }),
    );
    expect(parsed.success).toBe(true);
  });
});
