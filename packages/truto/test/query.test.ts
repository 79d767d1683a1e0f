import { InputValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { checkNativeListParams, flattenQuery } from '../src/query';

// Issue 17: the query builder's branches, each with the value it must produce (mutation survivors).
const issuesOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).provider).toBe('truto');
    return (error as InputValidationError).issues.map((i) => ({
      path: i.path,
      rule: i.rule,
      message: i.message,
    }));
  }
  throw new Error('expected an InputValidationError');
};

describe('flattenQuery', () => {
  it('writes scalars as strings and dates as ISO strings', () => {
    expect(
      flattenQuery({
        s: 'x',
        n: 0,
        t: true,
        f: false,
        d: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
        empty: '',
      }),
    ).toEqual({ s: 'x', n: '0', t: 'true', f: 'false', d: '2026-01-02T03:04:05.006Z', empty: '' });
  });

  it('leaves out null and undefined, at the top and inside objects and arrays', () => {
    expect(
      flattenQuery({ a: null, b: undefined, o: { x: null, y: 'kept' }, l: [null, 'v', undefined] }),
    ).toEqual({ 'o[y]': 'kept', 'l[]': 'v' });
  });

  it('brackets arrays once, nests objects, and keeps repeated values in order', () => {
    expect(
      flattenQuery({
        list: ['a', 'b', 'c'],
        'given[]': ['d'],
        obj: { inner: { deep: 1 }, arr: [2, 3] },
      }),
    ).toEqual({
      'list[]': ['a', 'b', 'c'],
      'given[]': 'd',
      'obj[inner][deep]': '1',
      'obj[arr][]': ['2', '3'],
    });
  });

  it('appends to values already in the output, whichever form they have', () => {
    const out: Record<string, string | number | boolean | null | undefined | readonly string[]> = {
      single: 'first',
      number: 7,
      many: ['m1', 'm2'],
      nothing: null,
    };
    flattenQuery({ single: 'second', number: 8, many: 'm3', nothing: 'now', fresh: 'f' }, out);
    expect(out).toEqual({
      single: ['first', 'second'],
      number: ['7', '8'],
      many: ['m1', 'm2', 'm3'],
      nothing: 'now',
      fresh: 'f',
    });
    // The same key from two spellings collects both values.
    expect(flattenQuery({ 'k[]': ['a'], k: ['b'] })).toEqual({ 'k[]': ['a', 'b'] });
  });

  it('accepts 8 levels of nesting and refuses a 9th, naming the key', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 'leaf' : { n: nest(levels - 1) });
    expect(flattenQuery({ q: nest(8) })).toEqual({ [`q${'[n]'.repeat(8)}`]: 'leaf' });
    expect(issuesOf(() => flattenQuery({ q: nest(9) }))).toEqual([
      { path: `native.q${'[n]'.repeat(9)}`, rule: 'invalid_type', message: 'nested too deep' },
    ]);
    // Arrays count as a level too.
    const arrays = (levels: number): unknown => (levels === 0 ? 'leaf' : [arrays(levels - 1)]);
    expect(flattenQuery({ a: arrays(8) })).toEqual({ 'a[]': 'leaf' });
    expect(issuesOf(() => flattenQuery({ a: arrays(9) }))[0]?.message).toBe('nested too deep');
  });

  it.each([
    ['function', () => 1],
    ['bigint', 10n],
    ['symbol', Symbol('s')],
  ])('refuses a %s value, naming its key and type', (type, value) => {
    expect(issuesOf(() => flattenQuery({ outer: { bad: value } }))).toEqual([
      {
        path: 'native.outer[bad]',
        rule: 'invalid_type',
        message: `unsupported value type ${type}`,
      },
    ]);
  });
});

describe('checkNativeListParams', () => {
  it('accepts other keys, undefined reserved keys and the unified response format', () => {
    expect(
      checkNativeListParams({
        remote_query: { a: 1 },
        integrated_account_id: undefined,
        truto_response_format: 'unified',
        TRUTO_RESPONSE_FORMAT: 'unified',
      }),
    ).toBeUndefined();
  });

  it('names every reserved key with its own reason, all in one error', () => {
    expect(
      issuesOf(() =>
        checkNativeListParams({
          ok: 1,
          next_cursor: 'c',
          truto_key_by: 'id',
          truto_response_format: 'raw',
          'integrated_account_id[]': 'other',
        }),
      ),
    ).toEqual([
      {
        path: 'native.next_cursor',
        rule: 'reserved',
        message: 'paging is engagekit’s: pass `cursor` instead',
      },
      {
        path: 'native.truto_key_by',
        rule: 'reserved',
        message: 'truto_key_by turns `result` into an object engagekit cannot page',
      },
      {
        path: 'native.truto_response_format',
        rule: 'reserved',
        message: 'only the unified response format can be mapped to engagements',
      },
      {
        path: 'native.integrated_account_id[]',
        rule: 'reserved',
        message: 'set by the adapter (createTrutoAdapter({ integratedAccountId }))',
      },
    ]);
  });

  it('allows the value unified only for the response format', () => {
    expect(
      issuesOf(() => checkNativeListParams({ next_cursor: 'unified', truto_key_by: 'unified' })),
    ).toEqual([
      {
        path: 'native.next_cursor',
        rule: 'reserved',
        message: 'paging is engagekit’s: pass `cursor` instead',
      },
      {
        path: 'native.truto_key_by',
        rule: 'reserved',
        message: 'truto_key_by turns `result` into an object engagekit cannot page',
      },
    ]);
  });

  it('refuses a null response format (only the string unified is allowed)', () => {
    expect(issuesOf(() => checkNativeListParams({ truto_response_format: null }))).toEqual([
      {
        path: 'native.truto_response_format',
        rule: 'reserved',
        message: 'only the unified response format can be mapped to engagements',
      },
    ]);
  });
});
