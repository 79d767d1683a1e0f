// The caller's abort of a merged listing: it ends the listing with an `AbortError`, under every
// failure policy. With `onProviderError: 'skip'` it used to be taken for each provider's failure, so
// the listing ended quietly with every provider on `failures` instead of rejecting.
import { describe, expect, it } from 'vitest';
import { AbortError, createEngagementsClient } from '../src/index';
import { fakeProvider, T0 } from './client-fakes';
import { rejection } from './rejection';

describe("the caller's abort", () => {
  it('ends the listing with an AbortError from the provider being read', async () => {
    const a = fakeProvider('a', [T0, T0 + 1, T0 + 2], {
      ordering: 'asc',
      pageSize: 1,
      maxRequests: 20,
    });
    const b = fakeProvider('b', [T0, T0 + 1, T0 + 2], {
      ordering: 'unordered',
      pageSize: 1,
      maxRequests: 20,
    });
    const client = createEngagementsClient({ adapters: [a.adapter, b.adapter] });
    const controller = new AbortController();
    const reason = new Error('caller stopped');
    const seen: string[] = [];
    const error = await rejection(async () => {
      for await (const e of client.engagements.list({ signal: controller.signal, pageSize: 1 })) {
        seen.push(e.id);
        controller.abort(reason);
      }
    });
    expect(seen).toEqual(['a:a-0']);
    expect(error).toBeInstanceOf(AbortError);
    expect([(error as AbortError).message, (error as AbortError).provider]).toEqual([
      'The listing was aborted.',
      'a',
    ]);
  });

  it("under onProviderError 'skip' too: the caller's abort is no provider's failure", async () => {
    const make = (id: string, ordering: 'asc' | 'unordered') =>
      fakeProvider(id, [T0, T0 + 1, T0 + 2], { ordering, pageSize: 1, maxRequests: 20 }).adapter;
    const client = createEngagementsClient({
      adapters: [make('a', 'asc'), make('b', 'unordered')],
      onProviderError: 'skip',
    });
    const controller = new AbortController();
    const seen: string[] = [];
    const listing = client.engagements.list({ signal: controller.signal, pageSize: 1 });
    const error = await rejection(async () => {
      for await (const e of listing) {
        seen.push(e.id);
        controller.abort(new Error('caller stopped'));
      }
    });
    expect(seen).toEqual(['a:a-0']);
    expect(error).toBeInstanceOf(AbortError);
    expect(listing.failures).toEqual([]);
  });

  it('a signal aborted before the listing starts: AbortError, and no provider is asked', async () => {
    const a = fakeProvider('a', [T0, T0 + 1], { ordering: 'asc', maxRequests: 20 });
    const b = fakeProvider('b', [T0, T0 + 1], { ordering: 'unordered', maxRequests: 20 });
    const client = createEngagementsClient({ adapters: [a.adapter, b.adapter] });
    const listing = client.engagements.list({ signal: AbortSignal.abort(new Error('too late')) });
    const error = await rejection(() => listing.toArray());
    expect(error).toBeInstanceOf(AbortError);
    expect([a.requests(), b.requests()]).toEqual([0, 0]);
    expect(listing.failures).toEqual([]);
  });
});
