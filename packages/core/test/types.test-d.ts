import { describe, expectTypeOf, it } from 'vitest';
import { defineAdapter } from '../src/adapter-kit';
import {
  type ApiError,
  createEngagementsClient,
  type Engagement,
  type EngagementAdapter,
  type EngagementKind,
  type KnownProviderId,
  type MergedPageIterator,
  type Page,
  PageIterator,
  RateLimitError,
} from '../src/index';

declare const adapter: EngagementAdapter;

describe('public types', () => {
  it('list() returns a PageIterator of Engagement, at once', () => {
    const listing = adapter.engagements.list({ from: new Date(), kinds: ['call', 'sms'] });
    expectTypeOf(listing).toEqualTypeOf<PageIterator<Engagement>>();
    expectTypeOf(listing.firstPage()).resolves.toEqualTypeOf<Page<Engagement>>();
    expectTypeOf(listing.toArray({ max: 5 })).resolves.toEqualTypeOf<Engagement[]>();
    expectTypeOf(listing.cursor).toEqualTypeOf<string | undefined>();
  });

  it('rejects unknown kinds and params at compile time', () => {
    // @ts-expect-error 'fax' is not an EngagementKind
    adapter.engagements.list({ kinds: ['fax'] });
    // @ts-expect-error no such param
    adapter.engagements.list({ limit: 10 });
    expectTypeOf<'call'>().toExtend<EngagementKind>();
  });

  it('types Engagement.provider as the known ids, open to third-party ones', () => {
    expectTypeOf<Engagement['provider']>().toEqualTypeOf<KnownProviderId | (string & {})>();
    expectTypeOf<KnownProviderId>().toEqualTypeOf<'devrev' | 'zoom-contact-center' | 'truto'>();
    expectTypeOf<'my-crm'>().toExtend<Engagement['provider']>();
    // A plain `string` would swallow the literals and lose their completion.
    expectTypeOf<Engagement['provider']>().not.toEqualTypeOf<string>();
  });

  it('keeps extension namespaces typed', () => {
    const withExtra = defineAdapter(
      {
        id: 'x',
        capabilities: adapter.capabilities,
        engagements: { list: () => new PageIterator<Engagement>(async function* () {}) },
      },
      { conversations: { list: () => 42 as const } },
    );
    expectTypeOf(withExtra.conversations.list()).toEqualTypeOf<42>();
    expectTypeOf(withExtra.engagements.get).returns.resolves.toEqualTypeOf<Engagement>();
  });

  it('merged listings expose failures, and errors narrow with instanceof', () => {
    const client = createEngagementsClient({ adapters: [adapter] });
    const merged = client.engagements.list({ order: 'desc' });
    expectTypeOf(merged).toEqualTypeOf<MergedPageIterator>();
    expectTypeOf(merged.failures[0]?.provider).toEqualTypeOf<string | undefined>();
    const error: unknown = new RateLimitError('x', { status: 429, provider: 'p' });
    if (error instanceof RateLimitError) {
      expectTypeOf(error).toExtend<ApiError>();
      expectTypeOf(error.retryAfterMs).toEqualTypeOf<number | undefined>();
    }
  });
});
