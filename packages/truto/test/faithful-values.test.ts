import { ResponseValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { parseTrutoEngagement } from '../src/index';
import { trutoRecord } from './fixtures';

/** A record as `JSON.parse` hands it over, with `fields` spliced in as raw JSON text. */
const fromJson = (fields: string) =>
  JSON.parse(`{${fields}, "created_at": "2026-03-02T09:55:00Z"}`) as Record<string, unknown>;

describe('Truto values are read faithfully or not at all', () => {
  it('an id beyond 2^53 (already rounded by JSON.parse) breaks the record, never becomes another id', () => {
    const record = fromJson('"id": 12345678901234567890');
    expect(String(record.id)).toBe('12345678901234567000');
    expect(() => parseTrutoEngagement(record)).toThrowError(
      expect.objectContaining({
        constructor: ResponseValidationError,
        issues: [expect.objectContaining({ path: 'id', rule: 'too_big' })],
      }),
    );
  });

  it('a relation id beyond 2^53 breaks the record too', () => {
    expect(() =>
      parseTrutoEngagement(fromJson('"id": "e1", "owner": { "id": 98765432109876543210 }')),
    ).toThrowError(expect.objectContaining({ constructor: ResponseValidationError }));
  });

  it('keeps the largest exact numeric id', () => {
    const e = parseTrutoEngagement(fromJson('"id": 9007199254740991, "owner": 42'));
    expect(e.remoteId).toBe('9007199254740991');
    expect(e.participants).toEqual([{ id: '42', role: 'owner' }]);
  });

  it('a timestamp of 1e309 (Infinity after JSON.parse) breaks the record', () => {
    expect(() => parseTrutoEngagement(fromJson('"id": "e1", "start_time": 1e309'))).toThrowError(
      expect.objectContaining({
        constructor: ResponseValidationError,
        issues: [expect.objectContaining({ path: 'start_time' })],
      }),
    );
  });

  it('custom fields holding 1e309 break the record instead of becoming null in customFields', () => {
    expect(() =>
      parseTrutoEngagement(fromJson('"id": "e1", "custom_fields": {"score": {"max": 1e309}}')),
    ).toThrowError(
      expect.objectContaining({
        constructor: ResponseValidationError,
        issues: [expect.objectContaining({ path: 'custom_fields', rule: 'not_finite' })],
      }),
    );
    const e = parseTrutoEngagement(fromJson('"id": "e1", "custom_fields": {"score": 1e308}'));
    expect(e.customFields).toEqual({ score: 1e308 });
  });

  it('reads numeric timestamps below 1e11 as epoch seconds, others as epoch milliseconds', () => {
    const seconds = parseTrutoEngagement(trutoRecord({ start_time: 1_767_225_600 }));
    expect(seconds.occurredAt).toBe('2026-01-01T00:00:00.000Z');
    const millis = parseTrutoEngagement(trutoRecord({ start_time: 1_767_225_600_000 }));
    expect(millis.occurredAt).toBe('2026-01-01T00:00:00.000Z');
  });
});
