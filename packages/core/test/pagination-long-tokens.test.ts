import { describe, expect, it } from 'vitest';
import { PaginationError } from '../src/errors';
import { type FetchPageResult, paginate } from '../src/pagination';

// Tokens over 64 characters are remembered by their SHA-256 digest (Zoom's are ~200).
describe('the repeated-token guard on long tokens', () => {
  type Rec = { id: string };
  const list = (script: Record<string, FetchPageResult<Rec>>) => {
    let calls = 0;
    return paginate<Rec>({
      provider: 'acme',
      fingerprint: 'f',
      fetchPage: async ({ token }) => {
        if (++calls > 10) throw new Error('fake called too often');
        const page = script[token ?? ''];
        if (!page) throw new Error(`no page for ${token}`);
        return page;
      },
    }).toArray();
  };
  const long = (c: string) => `${'L'.repeat(100)}${c}`;

  it('fails on a long token returned again', async () => {
    const error = await list({
      '': { items: [{ id: 'a' }], nextToken: long('1') },
      [long('1')]: { items: [{ id: 'b' }], nextToken: long('2') },
      [long('2')]: { items: [{ id: 'c' }], nextToken: long('1') },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaginationError);
    expect((error as PaginationError).reason).toBe('repeated-token');
  });

  it('tells long tokens apart that differ only after the first 64 characters', async () => {
    const items = await list({
      '': { items: [{ id: 'a' }], nextToken: long('1') },
      [long('1')]: { items: [{ id: 'b' }], nextToken: long('2') },
      [long('2')]: { items: [{ id: 'c' }] },
    });
    expect(items.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});
