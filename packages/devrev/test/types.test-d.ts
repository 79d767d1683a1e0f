import type { Engagement, EngagementAdapter, PageIterator } from '@engagekit/core';
import { describe, expectTypeOf, it } from 'vitest';
import { createDevRevAdapter } from '../src/index';

describe('DevRev adapter types', () => {
  const devrev = createDevRevAdapter({ token: 'tok_type_test_1234' });

  it('is an EngagementAdapter whose list() yields Engagement', () => {
    expectTypeOf(devrev).toExtend<EngagementAdapter>();
    expectTypeOf(devrev.engagements.list()).toEqualTypeOf<PageIterator<Engagement>>();
  });

  it('types the conversations namespace', () => {
    expectTypeOf(devrev.conversations.list).toBeFunction();
    expectTypeOf(devrev.conversations.list()).toEqualTypeOf<PageIterator<Engagement>>();
    // @ts-expect-error conversations take no unknown params
    devrev.conversations.list({ nope: true });
  });
});
