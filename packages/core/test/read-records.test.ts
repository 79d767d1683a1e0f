import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issuePath, parseResponse, readRecords } from '../src/adapter-kit';

const Wire = z.object({ id: z.string(), at: z.number() });

describe('readRecords', () => {
  it('reads a page record by record, keeping unreadable ones with their index, path and issues', () => {
    const raw = [{ id: 'a', at: 1 }, { id: 'b', at: 'late' }, { at: 3 }, { id: 'd', at: 4 }];
    const { items, invalid } = readRecords(raw, {
      provider: 'acme',
      path: ['result'],
      read: (r, i) =>
        parseResponse(Wire, r, { provider: 'acme', prefix: issuePath('result', i) }).id,
      remoteIdOf: (r) => (r as { id?: string }).id,
    });
    expect(items).toEqual(['a', 'd']);
    expect(invalid.map((r) => [r.index, r.remoteId, r.path, r.issues[0]?.path])).toEqual([
      [1, 'b', ['result', 1], 'result.1.at'],
      [2, undefined, ['result', 2], 'result.2.id'],
    ]);
    expect(invalid[0]?.raw).toBe(raw[1]);
    expect(invalid[0]?.provider).toBe('acme');
  });

  it('lets errors other than ResponseValidationError fail the page', () => {
    expect(() =>
      readRecords([1], {
        provider: 'acme',
        path: [],
        read: () => {
          throw new TypeError('adapter bug');
        },
      }),
    ).toThrow(TypeError);
  });

  it('survives a remoteIdOf that throws on a broken record', () => {
    const { invalid } = readRecords([null], {
      provider: 'acme',
      path: ['data'],
      read: (r, i) => parseResponse(Wire, r, { provider: 'acme', prefix: issuePath('data', i) }),
      remoteIdOf: (r) => (r as { id: string }).id,
    });
    expect(invalid.map((r) => [r.index, r.remoteId])).toEqual([[0, undefined]]);
  });
});
