import { describe, expect, it } from 'vitest';
import { type AdapterCapabilities, matchesFilters, normalizeListParams } from '../src/adapter';
import { CapabilityError, InputValidationError } from '../src/errors';
import type { Engagement } from '../src/model';

const caps = (directions?: 'server' | 'client'): AdapterCapabilities => ({
  operations: { list: true, get: false, create: false, update: false, delete: false, count: false },
  filters: directions ? { directions } : {},
  maxPageSize: 100,
  defaultPageSize: 50,
  backwardsPaging: false,
  ordering: 'asc',
});

const eng = (direction?: Engagement['direction']): Engagement => ({
  id: 'acme:1',
  provider: 'acme',
  remoteId: '1',
  kind: 'call',
  occurredAt: '2026-11-01T10:00:00.000Z',
  ...(direction ? { direction } : {}),
  participants: [],
  related: [],
  notes: [],
  dispositions: [],
  tags: [],
});

describe('the directions filter', () => {
  it('keeps engagements whose direction is listed and drops those without one', () => {
    const p = { directions: ['inbound' as const, 'internal' as const] };
    expect(matchesFilters(eng('inbound'), p, ['directions'])).toBe(true);
    expect(matchesFilters(eng('internal'), p, ['directions'])).toBe(true);
    expect(matchesFilters(eng('outbound'), p, ['directions'])).toBe(false);
    expect(matchesFilters(eng(), p, ['directions'])).toBe(false);
  });

  it('applied client-side, it is part of the predicate', () => {
    const p = normalizeListParams('acme', caps('client'), { directions: ['outbound'] });
    expect(p.directions).toEqual(['outbound']);
    expect(p.clientFilters).toEqual(['directions']);
    expect(p.clientFilter?.(eng('outbound'))).toBe(true);
    expect(p.clientFilter?.(eng('inbound'))).toBe(false);
  });

  it('applied server-side, it is not in the predicate', () => {
    const p = normalizeListParams('acme', caps('server'), { directions: ['outbound'] });
    expect(p.clientFilters).toEqual([]);
    expect(p.clientFilter).toBeUndefined();
  });

  it('an adapter that does not declare it rejects it before any request', () => {
    expect(() => normalizeListParams('acme', caps(), { directions: ['inbound'] })).toThrow(
      CapabilityError,
    );
  });

  it('rejects unknown and empty direction lists with the field named', () => {
    for (const directions of [['sideways'], []]) {
      try {
        normalizeListParams('acme', caps('server'), { directions } as never);
        expect.unreachable('expected an InputValidationError');
      } catch (e) {
        expect(e).toBeInstanceOf(InputValidationError);
        expect((e as InputValidationError).issues[0]?.path).toMatch(/^directions/);
      }
    }
  });

  it('is in the fingerprint, order-insensitively', () => {
    const fp = (directions?: ('inbound' | 'outbound')[]) =>
      normalizeListParams('acme', caps('server'), directions ? { directions } : {}).fingerprint;
    expect(fp(['inbound', 'outbound'])).toBe(fp(['outbound', 'inbound']));
    expect(fp(['inbound'])).not.toBe(fp(['outbound']));
    expect(fp(['inbound'])).not.toBe(fp());
  });
});
