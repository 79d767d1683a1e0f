import { describe, expect, it } from 'vitest';
import { readRecords } from '../src/adapter-kit';
import { ResponseValidationError } from '../src/errors/errors';

// Issue 17: `InvalidRecord.remoteId` is a non-empty string or absent, whatever remoteIdOf returns.
const broken = () => {
  throw new ResponseValidationError([{ path: 'x', rule: 'r', message: 'm' }], { provider: 'acme' });
};

describe('readRecords remote ids', () => {
  it.each([
    ['a non-empty string', () => 'r-1', 'r-1'],
    ['an empty string', () => '', undefined],
    ['a number', () => 7 as unknown as string, undefined],
    ['undefined', () => undefined, undefined],
  ])('remoteIdOf returning %s', (_, remoteIdOf, expected) => {
    const { items, invalid } = readRecords([{}], {
      provider: 'acme',
      path: [],
      read: broken,
      remoteIdOf,
    });
    expect(items).toEqual([]);
    expect(invalid.map((r) => r.remoteId)).toEqual([expected]);
  });

  it('without remoteIdOf the id is absent; the issues are the error’s own', () => {
    const { invalid } = readRecords(['raw'], { provider: 'acme', path: ['p'], read: broken });
    expect(invalid).toEqual([
      {
        provider: 'acme',
        remoteId: undefined,
        path: ['p', 0],
        issues: [{ path: 'x', rule: 'r', message: 'm' }],
        raw: 'raw',
        index: 0,
      },
    ]);
  });
});
