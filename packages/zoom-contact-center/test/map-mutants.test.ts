// Mapping cases that the mutation run (`MUTATE_GROUPS=map pnpm mutation zoom-contact-center`) showed
// no test held: each `it` pins the exact record the mapper builds, including which keys it leaves
// out, so a mapper that sets a key to `undefined`, `""` or `null` fails (`toStrictEqual` tells an
// absent key from one set to `undefined`; `toEqual` does not).
import { type Engagement, ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { mapZoomEngagement, ZoomEngagementSchema } from '../src/index';
import { channelForKinds, kindOfChannel } from '../src/map/kind';

const START = '2026-03-01T10:00:00Z';
const START_ISO = '2026-03-01T10:00:00.000Z';

/** Parses `raw` as the listing does, then maps it without `raw`. */
const map = (raw: Record<string, unknown>, options: Record<string, unknown> = {}): Engagement =>
  mapZoomEngagement(
    ZoomEngagementSchema.parse({ engagement_id: 'E1', start_time: START, ...raw }),
    { includeRaw: false, ...options },
  );

/** The record every case starts from: only what a record with nothing but an id and a start has. */
const bare = {
  id: 'zoom-contact-center:E1',
  provider: 'zoom-contact-center',
  remoteId: 'E1',
  kind: 'other',
  occurredAt: START_ISO,
  participants: [],
  related: [],
  notes: [],
  dispositions: [],
  tags: [],
  startTime: START_ISO,
};

describe('a record with nothing optional maps to the required fields only', () => {
  it('no channels, participants, notes, times or custom fields: no key for any of them', () => {
    const e = map({});
    expect(e).toStrictEqual(bare);
    expect(Object.keys(e)).toEqual([
      'id',
      'provider',
      'remoteId',
      'kind',
      'occurredAt',
      'participants',
      'related',
      'notes',
      'dispositions',
      'tags',
      'startTime',
    ]);
  });

  it('only end_time: occurredAt and endTime from it, no startTime key', () => {
    const e = map({ start_time: undefined, end_time: '2026-03-01T11:00:00Z' });
    const { startTime: _, ...withoutStart } = bare;
    expect(e).toStrictEqual({
      ...withoutStart,
      occurredAt: '2026-03-01T11:00:00.000Z',
      endTime: '2026-03-01T11:00:00.000Z',
    });
    expect('startTime' in e).toBe(false);
    expect('endTime' in map({})).toBe(false);
    expect('durationSeconds' in map({ duration: null })).toBe(false);
    expect(map({ duration: 0 }).durationSeconds).toBe(0);
  });

  it('every field null, as Zoom sends them: nothing is set from a null', () => {
    const e = map({
      end_time: null,
      duration: null,
      direction: null,
      channel_types: null,
      channels: null,
      consumers: null,
      flows: null,
      queues: null,
      agents: null,
      talk_duration: null,
      flow_duration: null,
      waiting_duration: null,
      handling_duration: null,
      wrap_up_duration: null,
      transfer_count: null,
      queue_wait_type: null,
      voice_mail: null,
      dispositions: null,
      notes: null,
      transcript_url: null,
      survey_id: null,
    });
    expect(e).toStrictEqual(bare);
  });
});

describe('participants, related records, notes and dispositions', () => {
  it('blank and null ids and names are left out, and an entry with nothing left is dropped', () => {
    const e = map({
      consumers: [
        { consumer_id: '', consumer_display_name: '', consumer_number: '' },
        { consumer_id: null, consumer_display_name: null, consumer_number: null },
        { consumer_id: '', consumer_display_name: 'Jill', consumer_number: null },
        { consumer_id: null, consumer_display_name: '', consumer_number: '+12058945728' },
        { consumer_id: 'c1', consumer_display_name: null, consumer_number: '' },
      ],
      agents: [
        { user_id: '', display_name: '' },
        { user_id: null, display_name: null },
        { user_id: '', display_name: 'Ann' },
        { user_id: 'u1', display_name: '' },
      ],
    });
    expect(e.participants).toStrictEqual([
      { role: 'consumer', displayName: 'Jill' },
      { role: 'consumer', phone: '+12058945728' },
      { role: 'consumer', id: 'c1' },
      { role: 'agent', displayName: 'Ann' },
      { role: 'agent', id: 'u1' },
    ]);
  });

  it('queues and flows without an id are dropped; blank names are left out', () => {
    const e = map({
      queues: [
        { cc_queue_id: '', queue_id: '', queue_name: 'nameless' },
        { cc_queue_id: null, queue_id: null, queue_name: 'nameless' },
        { queue_name: 'nameless' },
        { cc_queue_id: 'q1', queue_name: '' },
        { cc_queue_id: '', queue_id: 'q2', queue_name: null },
        { cc_queue_id: 'q3', queue_id: 'q-old', queue_name: 'Sales' },
      ],
      flows: [
        { flow_id: '', flow_name: 'nameless' },
        { flow_id: null, flow_name: 'nameless' },
        { flow_name: 'nameless' },
        { flow_id: 'f1', flow_name: '' },
        { flow_id: 'f2', flow_name: null },
        { flow_id: 'f3', flow_name: 'Demo' },
      ],
    });
    expect(e.related).toStrictEqual([
      { type: 'queue', id: 'q1' },
      { type: 'queue', id: 'q2' },
      { type: 'queue', id: 'q3', name: 'Sales' },
      { type: 'flow', id: 'f1' },
      { type: 'flow', id: 'f2' },
      { type: 'flow', id: 'f3', name: 'Demo' },
    ]);
  });

  it('notes keep only the fields that are set; a note with none stays, empty', () => {
    const e = map({
      notes: [
        { note_id: '', note: '', user_id: '', last_modified_time: '' },
        { note_id: null, note: null, user_id: null, last_modified_time: null },
        { note_id: 'n1', note: '', user_id: null },
        { note_id: '', note: 'hello', user_id: '' },
        { user_id: 'u1', last_modified_time: '2026-03-01T12:00:00Z' },
      ],
    });
    expect(e.notes).toStrictEqual([
      {},
      {},
      { id: 'n1' },
      { text: 'hello' },
      { authorId: 'u1', updatedAt: '2026-03-01T12:00:00.000Z' },
    ]);
  });

  it('dispositions are named by name, else id; one with neither is dropped; a blank id is left out', () => {
    const e = map({
      dispositions: [
        { disposition_id: '', disposition_name: '' },
        { disposition_id: null, disposition_name: null },
        {},
        { disposition_id: '', disposition_name: 'Inquiry' },
        { disposition_id: 'd2', disposition_name: '' },
        { disposition_id: 'd3', disposition_name: 'Sale' },
      ],
    });
    expect(e.dispositions).toStrictEqual([
      { name: 'Inquiry' },
      { name: 'd2', id: 'd2' },
      { name: 'Sale', id: 'd3' },
    ]);
  });
});

describe('customFields', () => {
  // Two fields at a time: a mapper that counted one of them as removed instead of added would count
  // zero and drop both.
  it.each([
    [
      { talk_duration: 10, flow_duration: 20 },
      { talk_duration: 10, flow_duration: 20 },
    ],
    [
      { waiting_duration: '30', handling_duration: 0 },
      { waiting_duration: 30, handling_duration: 0 },
    ],
    [
      { wrap_up_duration: 5, transfer_count: '2' },
      { wrap_up_duration: 5, transfer_count: 2 },
    ],
    [
      { voice_mail: 1, queue_wait_type: 'live_waiting' },
      { voice_mail: 1, queue_wait_type: 'live_waiting' },
    ],
    [
      { transcript_url: 'https://zoom.example/t/1', survey_id: 's1' },
      { transcript_url: 'https://zoom.example/t/1', survey_id: 's1' },
    ],
  ])('%j → customFields %j', (raw, customFields) => {
    expect(map(raw)).toStrictEqual({ ...bare, customFields });
  });

  it('null text fields are not custom fields', () => {
    expect(
      map({ queue_wait_type: null, transcript_url: null, survey_id: 's1' }).customFields,
    ).toStrictEqual({ survey_id: 's1' });
  });

  it.each([
    [0, 0],
    [7, 7],
    ['7', 7],
    [' 12 ', 12],
    ['9007199254740991', 9007199254740991],
    [null, undefined],
    ['', undefined],
    ['  ', undefined],
    [-1, undefined],
    [1.5, undefined],
    ['-1', undefined],
    ['+5', undefined],
    ['1e3', undefined],
    ['0x10', undefined],
    ['12abc', undefined],
    ['abc12', undefined],
    ['9007199254740993', undefined],
  ])('a count of %j is %j', (value, expected) => {
    const e = map({ transfer_count: value, voice_mail: value, survey_id: 's1' });
    const counts = expected === undefined ? {} : { transfer_count: expected, voice_mail: expected };
    expect(e.customFields).toStrictEqual({ ...counts, survey_id: 's1' });
  });
});

describe('the error for a record without a readable time', () => {
  const fail = (raw: Record<string, unknown>, options: Record<string, unknown> = {}) => {
    try {
      map(raw, options);
    } catch (error) {
      return error as ResponseValidationError;
    }
    throw new Error('mapped a record without a readable time');
  };

  it('names the engagement, the unreadable value, the provider and the default "engagement"', () => {
    const error = fail({ start_time: 'not a date', end_time: null });
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.provider).toBe('zoom-contact-center');
    expect(error.message).toBe(
      'zoom-contact-center engagement does not match its schema at start_time: engagement E1 has no readable start_time or end_time (got "not a date")',
    );
    expect(error.issues).toStrictEqual([
      {
        path: 'start_time',
        rule: 'invalid_date',
        message: 'engagement E1 has no readable start_time or end_time (got "not a date")',
      },
    ]);
  });

  it('says null when start_time is missing, and names the payload it was given', () => {
    const error = fail({ start_time: undefined }, { what: 'engagements.get response' });
    expect(error.message).toBe(
      'zoom-contact-center engagements.get response does not match its schema at start_time: engagement E1 has no readable start_time or end_time (got null)',
    );
  });
});

describe('channels → kind, native type and channel list', () => {
  it.each([
    ['sms', 'sms'],
    ['web_chat', 'chat'],
    ['in_app_chat', 'chat'],
    ['whatsapp', 'chat'],
    ['facebook_messenger', 'chat'],
    ['in_app_video', 'video'],
    ['kiosk_video', 'video'],
    ['web_video', 'video'],
    ['email_address', 'email'],
    ['carrier_pigeon', 'other'],
  ])('a source %s without a channel → %s', (source, kind) => {
    const e = map({ channels: [{ channel: null, channel_source: source }] });
    expect(e.kind).toBe(kind);
    expect(e.nativeType).toBe(source);
    expect(e.channels).toStrictEqual([source]);
  });

  it.each([
    ['video', 'web_chat', 'other'],
    ['video', 'sms', 'other'],
    ['fax', 'sms', 'other'],
    ['fax', 'web_chat', 'other'],
    ['fax', undefined, 'other'],
  ])('channel %s with source %s → %s (an unknown pair is not guessed)', (channel, source, kind) => {
    expect(kindOfChannel(channel, source)).toBe(kind === 'other' ? undefined : kind);
    const e = map({ channels: [{ channel, channel_source: source }] });
    expect(e.kind).toBe(kind);
    expect(e.channels).toStrictEqual(source === undefined ? [channel] : [channel, source]);
  });

  it('kindOfChannel without channel or source knows nothing', () => {
    expect(kindOfChannel(undefined, undefined)).toBeUndefined();
    expect(kindOfChannel('', '')).toBeUndefined();
    expect(kindOfChannel(undefined, 'sms')).toBe('sms');
    expect(kindOfChannel('', 'web_video')).toBe('video');
  });

  it('entries with neither channel nor source are skipped: the first real entry is primary', () => {
    const e = map({
      channels: [{ channel: null, channel_source: null }, {}, { channel: 'voice' }],
    });
    expect(e.kind).toBe('call');
    expect(e.nativeType).toBe('voice');
    expect(e.channels).toStrictEqual(['voice']);
  });

  it('entries with neither channel nor source fall back to channel_types', () => {
    const e = map({ channels: [{}], channel_types: ['voice'] });
    expect(e.kind).toBe('call');
    expect(e.nativeType).toBe('voice');
    expect(e.channels).toStrictEqual(['voice']);
  });

  it('channel strings are listed once each, in order, and never as null', () => {
    const e = map({
      channels: [
        { channel: 'voice', channel_source: null },
        { channel: 'messaging', channel_source: 'sms' },
        { channel: 'voice', channel_source: 'sms' },
        { channel: null, channel_source: 'web_chat' },
        { channel: 'messaging', channel_source: 'web_chat' },
      ],
    });
    expect(e.kind).toBe('call');
    expect(e.nativeType).toBe('voice');
    expect(e.channels).toStrictEqual(['voice', 'messaging', 'sms', 'web_chat']);
  });

  it('blank channel_types entries are skipped, then the first one is primary', () => {
    const e = map({ channel_types: ['', 'Voice', '', 'chat', 'Voice'] });
    expect(e.kind).toBe('call');
    expect(e.nativeType).toBe('Voice');
    expect(e.channels).toStrictEqual(['Voice', 'chat']);
  });

  it('only blank channel_types → other, with no native type and no channels', () => {
    expect(map({ channel_types: ['', ''] })).toStrictEqual(bare);
  });
});

describe('channelForKinds', () => {
  it.each([
    [['call'], { channel: 'voice' }],
    [['video'], { channel: 'video' }],
    [['email'], { channel: 'email' }],
    [['chat'], { channel: 'messaging' }],
    [['sms'], { channel: 'messaging', channel_sources: ['sms'] }],
    [['sms', 'sms'], { channel: 'messaging', channel_sources: ['sms'] }],
    [['sms', 'chat'], { channel: 'messaging' }],
    [['call', 'call'], { channel: 'voice' }],
    [['call', 'video'], undefined],
    [['task'], undefined],
    [['call', 'other'], undefined],
    [[], undefined],
  ] as const)('%j → %j', (kinds, expected) => {
    expect(channelForKinds(kinds)).toStrictEqual(expected);
  });
});

describe('a record that is not a plain object (handed to the public mapper)', () => {
  it('reads its fields through its getters, as it maps the same record as plain JSON', () => {
    const plain = {
      engagement_id: 'E9',
      start_time: START,
      end_time: '2026-03-01T10:05:00Z',
      direction: 'outbound',
      duration: 300,
      consumers: [{ consumer_id: 'c1', consumer_display_name: 'Ada' }],
      queues: [{ queue_id: 'q1', queue_name: 'Support' }],
      transfer_count: 2,
    };
    class Typed {
      get engagement_id() {
        return plain.engagement_id;
      }
      get start_time() {
        return plain.start_time;
      }
      get end_time() {
        return plain.end_time;
      }
      get direction() {
        return plain.direction;
      }
      get duration() {
        return plain.duration;
      }
      get consumers() {
        return plain.consumers;
      }
      get queues() {
        return plain.queues;
      }
      get transfer_count() {
        return plain.transfer_count;
      }
    }
    const fromClass = mapZoomEngagement(new Typed() as never, { includeRaw: false });
    expect(fromClass).toStrictEqual(map(plain));
    expect(fromClass.durationSeconds).toBe(300);
    expect(fromClass.related).toEqual([{ type: 'queue', id: 'q1', name: 'Support' }]);
  });
});
