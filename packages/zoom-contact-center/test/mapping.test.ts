import { EngagementSchema, ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { mapZoomEngagement, ZoomEngagementSchema } from '../src/index';
import { specGetResponse, specListResponse } from './helpers';

const map = (raw: Record<string, unknown>, options = {}, index?: number) => {
  const e = mapZoomEngagement(
    ZoomEngagementSchema.parse({ engagement_id: 'E1', start_time: '2026-03-01T10:00:00Z', ...raw }),
    options,
    index,
  );
  expect(EngagementSchema.safeParse(e).success).toBe(true);
  return e;
};

describe('channel → kind', () => {
  it.each([
    [{ channel: 'voice' }, 'call', 'voice'],
    [{ channel: 'video' }, 'video', 'video'],
    [{ channel: 'video', channel_source: 'in_app_video' }, 'video', 'video/in_app_video'],
    [{ channel: 'video', channel_source: 'kiosk_video' }, 'video', 'video/kiosk_video'],
    [{ channel: 'video', channel_source: 'web_video' }, 'video', 'video/web_video'],
    [{ channel: 'messaging', channel_source: 'sms' }, 'sms', 'messaging/sms'],
    [{ channel: 'messaging', channel_source: 'web_chat' }, 'chat', 'messaging/web_chat'],
    [{ channel: 'messaging', channel_source: 'in_app_chat' }, 'chat', 'messaging/in_app_chat'],
    [{ channel: 'messaging', channel_source: 'whatsapp' }, 'chat', 'messaging/whatsapp'],
    [
      { channel: 'messaging', channel_source: 'facebook_messenger' },
      'chat',
      'messaging/facebook_messenger',
    ],
    [{ channel: 'messaging' }, 'chat', 'messaging'],
    [
      { channel: 'messaging', channel_source: 'carrier_pigeon' },
      'other',
      'messaging/carrier_pigeon',
    ],
    [{ channel: 'email', channel_source: 'email_address' }, 'email', 'email/email_address'],
    [{ channel: 'email' }, 'email', 'email'],
    // Work items are "back-office tasks such as tickets, cases, or follow-ups" (Zoom library, "Unifying
    // Live and Asynchronous Work with Work Items"); the Start body sends this exact channel pair.
    [{ channel: 'work_item', channel_source: 'API' }, 'task', 'work_item/API'],
    [{ channel: 'work_item' }, 'task', 'work_item'],
  ])('channels %j → %s', (channel, kind, nativeType) => {
    const e = map({ channels: [channel] });
    expect(e.kind).toBe(kind);
    expect(e.nativeType).toBe(nativeType);
    expect(e.channels).toEqual(Object.values(channel));
  });

  it.each([
    ['voice', 'call'],
    ['sms', 'sms'],
    ['chat', 'chat'],
    ['in_app_chat', 'chat'],
    ['video', 'video'],
    ['kiosk', 'video'],
    ['in_app_video', 'video'],
    ['fax', 'other'],
  ])('deprecated channel_types [%s] → %s when channels is absent', (type, kind) => {
    const e = map({ channel_types: [type] });
    expect(e.kind).toBe(kind);
    expect(e.nativeType).toBe(type);
    expect(e.channels).toEqual([type]);
  });

  it('prefers channels over channel_types and keeps every channel string', () => {
    const e = map({
      channel_types: ['chat'],
      channels: [{ channel: 'voice' }, { channel: 'video', channel_source: 'web_video' }],
    });
    expect(e.kind).toBe('call');
    expect(e.channels).toEqual(['voice', 'video', 'web_video']);
  });

  it('no channel at all → other without nativeType', () => {
    const e = map({});
    expect(e.kind).toBe('other');
    expect(e.nativeType).toBeUndefined();
    expect(e.channels).toBeUndefined();
  });
});

describe('fields', () => {
  it('maps the spec list example completely', () => {
    const raw = (specListResponse().engagements as Record<string, unknown>[])[0]!;
    const e = mapZoomEngagement(ZoomEngagementSchema.parse(raw));
    expect(EngagementSchema.parse(e)).toEqual(e);
    expect(e).toMatchObject({
      id: 'zoom-contact-center:W_VATTk_Q5aW6z5rZtBxAQ',
      provider: 'zoom-contact-center',
      remoteId: 'W_VATTk_Q5aW6z5rZtBxAQ',
      kind: 'chat',
      nativeType: 'messaging/in_app_chat',
      channels: ['messaging', 'in_app_chat'],
      direction: 'inbound',
      occurredAt: '2021-12-03T13:07:46.000Z',
      startTime: '2021-12-03T13:07:46.000Z',
      endTime: '2021-12-03T13:07:46.000Z',
      durationSeconds: 3600,
      participants: [
        {
          id: 'zeYjXoDOS_eV1QmTpj63PQ',
          role: 'consumer',
          displayName: 'Jill',
          phone: '+12058945728',
        },
        { id: 'ukAAkZKfROKMSw1bj_RDFQ', role: 'agent', displayName: 'Jilly' },
      ],
      related: [
        { type: 'queue', id: 'd95avl1eRJ-H162PZUJ-qg', name: 'agentQueue' },
        { type: 'flow', id: 'zeYjXoDOS_eV1QmTpj63PQ', name: 'Demo' },
      ],
      notes: [
        {
          id: 'W_VATTk_Q5aW6z5rZtBxAQ',
          text: 'This is the content of the note.',
          authorId: 'ukAAkZKfROKMSw1bj_RDFQ',
          updatedAt: '2022-03-26T14:44:14.000Z',
        },
      ],
      dispositions: [{ id: 'W_VATTk_Q5aW6z5rZtBxAQ', name: 'Inquiry' }],
      tags: [],
      customFields: {
        talk_duration: 10,
        flow_duration: 10,
        waiting_duration: 10,
        handling_duration: 0,
        wrap_up_duration: 10,
        transfer_count: 10,
        transcript_url:
          'https://api.zoom.us/v2/contact_center/engagements/transcripts/download/W_VATTk_Q5aW6z5rZtBxAQ',
        survey_id: '2yWjT4awTumcFKIrvcf4OA',
      },
    });
    expect(e.raw).toEqual(raw);
  });

  it('maps the spec get example (deprecated queue_id, queue_wait_type, voice_mail, events)', () => {
    const raw = specGetResponse();
    const e = mapZoomEngagement(ZoomEngagementSchema.parse(raw));
    expect(EngagementSchema.parse(e)).toEqual(e);
    expect(e.related[0]).toEqual({
      type: 'queue',
      id: 'd95avl1eRJ-H162PZUJ-qg',
      name: 'agentQueue',
    });
    expect(e.customFields).toMatchObject({ queue_wait_type: 'live_waiting', voice_mail: 10 });
    expect((e.raw as { events: unknown[] }).events).toHaveLength(1);
    const legacy = map({ queues: [{ queue_id: 'legacy-q', queue_name: 'Old' }] });
    expect(legacy.related).toEqual([{ type: 'queue', id: 'legacy-q', name: 'Old' }]);
  });

  it('converts any offset to UTC with milliseconds', () => {
    const e = map({
      start_time: '2026-03-01T02:00:00-08:00',
      end_time: '2026-03-01T11:30:05+01:00',
      notes: [{ note_id: 'n', note: 'x', last_modified_time: '2026-03-01T19:00:00+09:00' }],
    });
    expect(e.occurredAt).toBe('2026-03-01T10:00:00.000Z');
    expect(e.endTime).toBe('2026-03-01T10:30:05.000Z');
    expect(e.notes[0]!.updatedAt).toBe('2026-03-01T10:00:00.000Z');
  });

  it('reads offset-less times in the response time zone', () => {
    const e = map({ start_time: '2026-07-01T03:00:00' }, { timeZone: 'America/Los_Angeles' });
    expect(e.occurredAt).toBe('2026-07-01T10:00:00.000Z');
  });

  it('uses end_time when start_time is missing, and fails loudly when both are', () => {
    expect(map({ start_time: undefined, end_time: '2026-03-01T10:00:00Z' }).occurredAt).toBe(
      '2026-03-01T10:00:00.000Z',
    );
    const error = (() => {
      try {
        map({ start_time: 'not a date' }, { path: 'engagements' }, 4);
      } catch (e) {
        return e;
      }
    })() as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.path).toBe('engagements.4.start_time');
  });

  it('durations given as strings are numbers; nulls and blanks disappear', () => {
    const e = map({
      duration: '95',
      talk_duration: null,
      direction: null,
      transcript_url: '',
      consumers: [{ consumer_id: 'c1', consumer_display_name: null, consumer_number: '' }],
      dispositions: [{ disposition_id: 'd1' }],
      agents: [{}],
    });
    expect(e.durationSeconds).toBe(95);
    expect(e.direction).toBeUndefined();
    expect(e.customFields).toBeUndefined();
    expect(e.participants).toEqual([{ id: 'c1', role: 'consumer' }]);
    expect(e.dispositions).toEqual([{ id: 'd1', name: 'd1' }]);
    expect(JSON.stringify(e)).not.toMatch(/undefined|Invalid Date|NaN/);
  });

  it('omits raw when includeRaw is false', () => {
    expect(map({}, { includeRaw: false }).raw).toBeUndefined();
    expect(map({}).raw).toEqual({ engagement_id: 'E1', start_time: '2026-03-01T10:00:00Z' });
  });
});
