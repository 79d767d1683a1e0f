// The merged listing's loop, from survivors of the 16:45 client mutation run: a listing whose
// records fill its pages exactly ends without an empty page, and reads still in flight when another
// provider fails the listing are not asked about as failures of their own. The fakes cap requests.
import { describe, expect, it } from 'vitest';
import { createEngagementsClient } from '../src/index';
import { DAY, fakeProvider, T0 } from './client-fakes';
import { rejection } from './rejection';

const range = { from: new Date(T0), to: new Date(T0 + 10 * DAY) };
const hourly = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * 3_600_000);

describe('pages of the merged listing', () => {
  it('records that fill their pages exactly give full pages and no empty last one', async () => {
    const a = fakeProvider('a', hourly(3), { ordering: 'asc', serverTime: true, maxRequests: 20 });
    const b = fakeProvider('b', hourly(3), { ordering: 'asc', serverTime: true, maxRequests: 20 });
    const client = createEngagementsClient({ adapters: [a.adapter, b.adapter] });
    const sizes: number[] = [];
    for await (const page of client.engagements.list({ ...range, pageSize: 3 }).pages()) {
      sizes.push(page.items.length);
    }
    expect(sizes).toEqual([3, 3]);
  });
});

describe('a provider failing the listing', () => {
  it('the policy is asked about that provider only, not about reads the failure cut short', async () => {
    const bad = fakeProvider('bad', hourly(2), {
      ordering: 'asc',
      serverTime: true,
      failOnRequest: 1,
      maxRequests: 5,
    });
    // Its first page never answers: it rejects only when the listing aborts it.
    const slow = fakeProvider('slow', hourly(2), {
      ordering: 'asc',
      serverTime: true,
      hangOnRequest: 1,
      maxRequests: 5,
    });
    const asked: string[] = [];
    const client = createEngagementsClient({
      adapters: [bad.adapter, slow.adapter],
      onProviderError: (f) => {
        asked.push(f.provider);
        return f.provider === 'bad' ? 'fail' : 'skip';
      },
    });
    const listing = client.engagements.list(range);
    const error = (await rejection(() => listing.toArray())) as Error;
    expect(error.message).toBe('bad is down');
    // Let the aborted read of `slow` settle before looking at what the policy was asked.
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual(['bad']);
    expect(listing.failures).toEqual([]);
    expect(slow.requests()).toBe(1);
  });
});

describe('what each provider is asked for', () => {
  it("the caller's pageSize is each vendor page's size, within the adapter's maximum", async () => {
    const a = fakeProvider('a', hourly(20), { ordering: 'asc', serverTime: true, maxRequests: 20 });
    const client = createEngagementsClient({ adapters: [a.adapter] });
    const listing = client.engagements.list({ ...range, pageSize: 50 });
    expect((await listing.toArray()).length).toBe(20);
    // The fake's own default is 7 records a page (3 requests for 20); pages of 50 take one.
    expect(a.requests()).toBe(1);
  });
});
