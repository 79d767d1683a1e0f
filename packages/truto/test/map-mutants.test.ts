// Mapping cases that the mutation run (`MUTATE_GROUPS=map pnpm mutation truto`) showed no test held:
// each `it` pins the exact record the mapper builds, including which keys it leaves out, so a
// mapper that sets a key to `undefined`, `""` or `null` fails (`toStrictEqual` tells an absent key
// from one set to `undefined`; `toEqual` does not). Reads go through `parseTrutoEngagement`, the
// public entry that checks the wire schema and maps as the listing does; writes through
// `toTrutoWriteBody`, the body `create()` / `update()` send.
import {
  CapabilityError,
  type Engagement,
  InputValidationError,
  ResponseValidationError,
} from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { normalizeDirection, parseTrutoEngagement, type TrutoDurationUnit } from '../src/index';
import { toTrutoWriteBody } from '../src/map/input';

const START = '2026-03-02T10:00:00Z';
const START_ISO = '2026-03-02T10:00:00.000Z';

/** Parses and maps `raw` (on top of an id and a start) as the listing does, without `raw`. */
const map = (
  raw: Record<string, unknown>,
  durationUnit: TrutoDurationUnit = 'seconds',
): Engagement =>
  parseTrutoEngagement(
    { id: 'E1', start_time: START, ...raw },
    { includeRaw: false, durationUnit },
  );

/** The record every case starts from: only what a record with nothing but an id and a start has. */
const bare = {
  id: 'truto:E1',
  provider: 'truto',
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

/** Catches what `fn` throws, so a test can assert on the error's fields. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('a record with nothing optional maps to the required fields only', () => {
  it('only an id and a start: no key for any optional field', () => {
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

  it('every optional field null, as CRMs send them: nothing is set from a null', () => {
    const e = map({
      engagement_type: null,
      subject: null,
      content: null,
      direction: null,
      status: null,
      end_time: null,
      duration: null,
      owner: null,
      account: null,
      contact: null,
      contacts: null,
      opportunity: null,
      lead: null,
      project: null,
      notes: null,
      internal_notes: null,
      phone_numbers: null,
      custom_fields: null,
      created_at: null,
      updated_at: null,
    });
    expect(e).toStrictEqual(bare);
  });

  it('empty strings: subject and body are kept as sent, the rest is left out', () => {
    const e = map({
      engagement_type: '',
      subject: '',
      content: '',
      direction: '',
      internal_notes: '',
      end_time: '',
      duration: '',
      created_at: '',
      updated_at: '',
    });
    expect(e).toStrictEqual({ ...bare, subject: '', body: '' });
  });

  it('only created_at: occurredAt and createdAt from it, no startTime or updatedAt key', () => {
    const e = map({ start_time: undefined, created_at: '2026-03-01T09:00:00Z' });
    const { startTime: _, ...withoutStart } = bare;
    expect(e).toStrictEqual({
      ...withoutStart,
      occurredAt: '2026-03-01T09:00:00.000Z',
      createdAt: '2026-03-01T09:00:00.000Z',
    });
  });

  it('only updated_at and end_time: occurredAt from updated_at, endTime kept', () => {
    const e = map({
      start_time: undefined,
      updated_at: '2026-03-03T09:00:00Z',
      end_time: '2026-03-02T10:30:00Z',
    });
    const { startTime: _, ...withoutStart } = bare;
    expect(e).toStrictEqual({
      ...withoutStart,
      occurredAt: '2026-03-03T09:00:00.000Z',
      endTime: '2026-03-02T10:30:00.000Z',
      updatedAt: '2026-03-03T09:00:00.000Z',
    });
  });

  it('no readable date: the error names the record, the field and the vendor', () => {
    const error = thrown(() => map({ id: 'E9', start_time: 'never', created_at: null }));
    expect(error).toBeInstanceOf(ResponseValidationError);
    const e = error as ResponseValidationError;
    expect(e.message).toBe(
      'truto engagement does not match its schema at start_time: engagement E9 has no readable start_time, created_at or updated_at',
    );
    expect(e.provider).toBe('truto');
    expect(e.issues).toStrictEqual([
      {
        path: 'start_time',
        rule: 'missing_timestamp',
        message: 'engagement E9 has no readable start_time, created_at or updated_at',
      },
    ]);
  });
});

describe('owner, contacts and relations', () => {
  it('an owner and a contact with names: displayName on both, name on the related contact', () => {
    const e = map({
      owner: { id: 'u-1', name: 'Ann Owner' },
      contact: [{ id: 'c-1', name: 'Cy Contact' }, { id: 'c-2' }],
    });
    expect(e.participants).toStrictEqual([
      { id: 'u-1', role: 'owner', displayName: 'Ann Owner' },
      { id: 'c-1', role: 'contact', displayName: 'Cy Contact' },
      { id: 'c-2', role: 'contact' },
    ]);
    expect(e.related).toStrictEqual([
      { type: 'contact', id: 'c-1', name: 'Cy Contact' },
      { type: 'contact', id: 'c-2' },
    ]);
  });

  it('an owner without a name (absent, null or empty) has no displayName key', () => {
    for (const owner of [
      { id: 'u-1' },
      { id: 'u-1', name: null },
      { id: 'u-1', name: '' },
      'u-1',
    ]) {
      expect(map({ owner }).participants).toStrictEqual([{ id: 'u-1', role: 'owner' }]);
    }
    expect(map({ owner: 42 }).participants).toStrictEqual([{ id: '42', role: 'owner' }]);
  });

  it('a ref whose id is null, absent or empty is no participant and no relation', () => {
    for (const ref of [{ id: null }, { name: 'Nobody' }, { id: '' }, '']) {
      const e = map({ owner: ref, contact: [ref], account: ref, lead: [ref, null] });
      expect(e.participants).toStrictEqual([]);
      expect(e.related).toStrictEqual([]);
    }
  });

  it('null entries in a relation list are skipped, ids de-duplicated across contact and contacts', () => {
    const e = map({
      contacts: [null, { id: 'c-1' }, 'c-2'],
      contact: { id: 'c-1', name: 'Again' },
      opportunity: [{ id: 'o-1' }, { id: 'o-1' }, null],
    });
    expect(e.participants).toStrictEqual([
      { id: 'c-1', role: 'contact' },
      { id: 'c-2', role: 'contact' },
    ]);
    expect(e.related).toStrictEqual([
      { type: 'contact', id: 'c-1' },
      { type: 'contact', id: 'c-2' },
      { type: 'opportunity', id: 'o-1' },
    ]);
  });
});

describe('notes', () => {
  it('note refs and internal_notes: ids first, then the text', () => {
    const e = map({ notes: ['n-1', { id: 'n-2' }, null], internal_notes: 'call back' });
    expect(e.notes).toStrictEqual([{ id: 'n-1' }, { id: 'n-2' }, { text: 'call back' }]);
  });

  it('no internal_notes: no text note, not even an empty one', () => {
    expect(map({ notes: { id: 'n-1' } }).notes).toStrictEqual([{ id: 'n-1' }]);
    expect(map({ notes: { id: 'n-1' }, internal_notes: '' }).notes).toStrictEqual([{ id: 'n-1' }]);
  });
});

describe('direction', () => {
  it('separators and spaces inside the value are ignored', () => {
    expect(map({ direction: 'In-Bound' }).direction).toBe('inbound');
    expect(map({ direction: 'OUT_GOING' }).direction).toBe('outbound');
    expect(map({ direction: ' out going ' }).direction).toBe('outbound');
    expect(normalizeDirection('in_bound')).toBe('inbound');
    expect(normalizeDirection('Out-Going')).toBe('outbound');
  });

  it('normalizeDirection: missed is inbound, empty and absent values are undefined', () => {
    expect(normalizeDirection('missed')).toBe('inbound');
    expect(normalizeDirection(' MISSED ')).toBe('inbound');
    expect(normalizeDirection(null)).toBeUndefined();
    expect(normalizeDirection(undefined)).toBeUndefined();
    expect(normalizeDirection('')).toBeUndefined();
    expect(normalizeDirection('sideways')).toBeUndefined();
  });

  it('a known direction sets direction only: no status, no nativeDirection', () => {
    expect(map({ direction: 'outbound' })).toStrictEqual({ ...bare, direction: 'outbound' });
  });

  it('missed: inbound with status missed, the original kept as nativeDirection', () => {
    expect(map({ direction: 'Missed' })).toStrictEqual({
      ...bare,
      direction: 'inbound',
      status: 'missed',
      customFields: { nativeDirection: 'Missed' },
    });
    expect(map({ direction: 'missed', status: 'NO_ANSWER' }).status).toBe('NO_ANSWER');
  });

  it("the CRM's own nativeDirection custom field wins over the unread direction", () => {
    const e = map({ direction: 'sideways', custom_fields: { nativeDirection: 'crm value' } });
    expect(e).toStrictEqual({ ...bare, customFields: { nativeDirection: 'crm value' } });
    const missed = map({ direction: 'missed', custom_fields: { nativeDirection: 'crm value' } });
    expect(missed.customFields).toStrictEqual({ nativeDirection: 'crm value' });
  });
});

describe('custom fields and phone numbers', () => {
  it('an empty custom_fields object gives no customFields key', () => {
    expect(map({ custom_fields: {} })).toStrictEqual(bare);
  });

  it('custom_fields that are not an object (array, string, number) are not custom fields', () => {
    for (const custom_fields of [['a', 'b'], 'abc', 7, true]) {
      expect(map({ custom_fields })).toStrictEqual(bare);
    }
  });

  it('phone numbers: null entries dropped, none at all gives no key', () => {
    const phone = { id: 'p-1', number: '+14155550100', extension: null, type: 'work' };
    expect(map({ phone_numbers: [null, phone, null] }).customFields).toStrictEqual({
      phoneNumbers: [phone],
    });
    expect(map({ phone_numbers: [] })).toStrictEqual(bare);
    expect(map({ phone_numbers: [null, null] })).toStrictEqual(bare);
  });

  it("the CRM's own phoneNumbers custom field wins", () => {
    const e = map({ phone_numbers: [{ number: '+1' }], custom_fields: { phoneNumbers: 'crm' } });
    expect(e.customFields).toStrictEqual({ phoneNumbers: 'crm' });
  });
});

describe('duration units', () => {
  it('milliseconds: a bare number (even padded) is divided, clock and ISO forms are not', () => {
    expect(map({ duration: ' 1800 ' }, 'milliseconds').durationSeconds).toBe(1.8);
    expect(map({ duration: 1800 }, 'milliseconds').durationSeconds).toBe(1.8);
    expect(map({ duration: '00:30:00' }, 'milliseconds').durationSeconds).toBe(1800);
    expect(map({ duration: 'PT30M' }, 'milliseconds').durationSeconds).toBe(1800);
  });

  it('milliseconds: a number JavaScript prints with an exponent is still a bare number', () => {
    expect(map({ duration: 5e-7 }, 'milliseconds').durationSeconds).toBe(5e-7 / 1000);
  });

  it('an unreadable duration gives no durationSeconds key in either unit', () => {
    for (const unit of ['seconds', 'milliseconds'] as const) {
      for (const duration of [-5, '99999999999999999999', 'soon']) {
        expect(map({ duration }, unit)).toStrictEqual(bare);
      }
    }
  });
});

describe('toTrutoWriteBody', () => {
  it('an empty input gives an empty body: no key set to undefined', () => {
    expect(toTrutoWriteBody({})).toStrictEqual({});
  });

  it('every field set: each under its Truto name', () => {
    expect(
      toTrutoWriteBody(
        {
          kind: 'call',
          subject: 'S',
          body: 'B',
          direction: 'outbound',
          status: 'done',
          occurredAt: '2026-03-02T10:00:00Z',
          endTime: '2026-03-02T10:30:00Z',
          durationSeconds: 1.5,
          participantIds: ['c-1'],
          accountIds: ['a-1'],
          ownerId: 'u-1',
        },
        { durationUnit: 'milliseconds' },
      ),
    ).toStrictEqual({
      engagement_type: 'call',
      subject: 'S',
      content: 'B',
      direction: 'outbound',
      status: 'done',
      start_time: START_ISO,
      end_time: '2026-03-02T10:30:00.000Z',
      duration: '1500',
      contact: [{ id: 'c-1' }],
      account: { id: 'a-1' },
      owner: { id: 'u-1' },
    });
  });

  it('empty strings are written as given', () => {
    expect(toTrutoWriteBody({ subject: '', body: '', status: '' })).toStrictEqual({
      subject: '',
      content: '',
      status: '',
    });
  });

  it('no account ids: no account key (not `{ id: undefined }`)', () => {
    expect(toTrutoWriteBody({ accountIds: [] })).toStrictEqual({});
  });

  it('internal direction: a CapabilityError that says why', () => {
    const error = thrown(() => toTrutoWriteBody({ direction: 'internal' }));
    expect(error).toBeInstanceOf(CapabilityError);
    expect((error as CapabilityError).capability).toBe('direction:internal');
    expect((error as CapabilityError).message).toBe(
      "Truto's unified engagement direction is inbound, outbound or missed; it cannot store internal",
    );
    expect((error as CapabilityError).provider).toBe('truto');
  });

  it('every unsupported input is one issue with its rule and message, for the truto provider', () => {
    const error = thrown(() =>
      toTrutoWriteBody({
        kind: 'sms',
        accountIds: ['a', 'b'],
        externalRef: 'x',
        externalUrl: 'https://crm.test/x',
        tags: [{ id: 't' }],
      }),
    );
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).provider).toBe('truto');
    expect((error as InputValidationError).issues).toStrictEqual([
      {
        path: 'kind',
        rule: 'unsupported_kind',
        message:
          'Truto accepts engagement_type call, email, meeting, chat, note; pass native.engagement_type for a raw CRM type',
      },
      { path: 'accountIds', rule: 'too_big', message: 'a Truto engagement has one account' },
      {
        path: 'externalRef',
        rule: 'unsupported_by_provider',
        message: "Truto's unified engagement has no externalRef; use native to send CRM fields",
      },
      {
        path: 'externalUrl',
        rule: 'unsupported_by_provider',
        message: "Truto's unified engagement has no externalUrl; use native to send CRM fields",
      },
      {
        path: 'tags',
        rule: 'unsupported_by_provider',
        message: "Truto's unified engagement has no tags; use native to send CRM fields",
      },
    ]);
  });
});
