import { InputValidationError } from '@engagekit/core';
import { describe, expect, it } from 'vitest';
import { joinList, queryValue, throwIssues } from '../src/query';

// Issue 17: DevRev's GET query values (`explode: false`), each branch with the text it must send.
const caught = (run: () => unknown): InputValidationError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    return error as InputValidationError;
  }
  throw new Error('expected an InputValidationError');
};

describe('joinList', () => {
  it('comma-joins plain values, numbers and booleans as text', () => {
    expect(joinList(['a', 'b'])).toBe('a,b');
    expect(joinList([1, true, 'x'])).toBe('1,true,x');
    expect(joinList(['only'])).toBe('only');
    expect(joinList([])).toBe('');
  });

  it('quotes every value once any holds a comma or a quote, escaping quotes and backslashes', () => {
    expect(joinList(['a,b', 'c'])).toBe('"a,b","c"');
    expect(joinList(['say "hi"', 'c'])).toBe('"say \\"hi\\"","c"');
    expect(joinList(['a\\b', 'c,d'])).toBe('"a\\\\b","c,d"');
    // A backslash alone does not switch to the quoted form.
    expect(joinList(['a\\b', 'c'])).toBe('a\\b,c');
  });
});

describe('queryValue', () => {
  it('sends scalars as text and leaves out null, undefined and empty arrays', () => {
    expect(queryValue('k', 'text')).toBe('text');
    expect(queryValue('k', 0)).toBe('0');
    expect(queryValue('k', false)).toBe('false');
    expect(queryValue('k', '')).toBe('');
    expect(queryValue('k', null)).toBeUndefined();
    expect(queryValue('k', undefined)).toBeUndefined();
    expect(queryValue('k', [])).toBeUndefined();
    expect(queryValue('k', ['a', 2])).toBe('a,2');
    expect(queryValue('k', ['a,b'])).toBe('"a,b"');
  });

  it.each([
    ['an object', { a: 1 }],
    ['an array holding an object', ['a', { b: 1 }]],
    ['an array holding an array', ['a', ['b']]],
    ['an array holding null', ['a', null]],
  ])('refuses %s, naming the key', (_, value) => {
    const error = caught(() => queryValue('owned_by', value));
    expect(error.provider).toBe('devrev');
    expect(error.issues).toEqual([
      {
        path: 'native.owned_by',
        rule: 'unsupported_type',
        message: 'GET query values must be strings, numbers, booleans or arrays of them',
      },
    ]);
  });
});

describe('throwIssues', () => {
  it('does nothing without issues and throws them all at once otherwise', () => {
    expect(throwIssues([])).toBeUndefined();
    const issues = [
      { path: 'a', rule: 'r1', message: 'm1' },
      { path: 'b', rule: 'r2', message: 'm2' },
    ];
    const error = caught(() => throwIssues(issues));
    expect(error.issues).toEqual(issues);
    expect(error.provider).toBe('devrev');
  });
});
