import type { FetchPageRequest, FetchPageResult } from '../src/pagination';

/** A record of the scripted vendor: an id, and a time for the windowed cases. */
export interface Rec {
  id: string;
  t?: number;
}

/** The `paginate` options every case shares. */
export const base = { provider: 'acme', fingerprint: 'fp1' };
export const recs = (...ids: string[]): Rec[] => ids.map((id) => ({ id }));
export const ids = (items: Rec[]) => items.map((r) => r.id);

/**
 * Scripted vendors for the pagination engine's tests. Every one throws past `maxCalls` requests,
 * so a paging loop fails fast instead of growing.
 */
export function scriptedVendor(maxCalls: number) {
  /** Answers request n with `answer(req, n)`, recording every request. */
  function fake<T = Rec>(answer: (req: FetchPageRequest, call: number) => FetchPageResult<T>) {
    const calls: FetchPageRequest[] = [];
    const fetchPage = async (req: FetchPageRequest) => {
      calls.push(req);
      if (calls.length > maxCalls) throw new Error('fake vendor called too often: a loop');
      return answer(req, calls.length);
    };
    return { calls, fetchPage };
  }
  /** Pages by token: '' is the first page. */
  function pages<T = Rec>(script: Record<string, FetchPageResult<T>>) {
    return fake<T>((req) => {
      const page = script[req.token ?? ''];
      if (!page) throw new Error(`unexpected token ${req.token}`);
      return page;
    });
  }
  return { fake, pages };
}
