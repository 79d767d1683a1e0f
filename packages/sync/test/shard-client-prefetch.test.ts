import type { EngagementAdapter, ListEngagementsParams } from '@engagekit/core';
import { expect, it } from 'vitest';
import { shardClient } from '../src/workers/gated-listing';

// A shard's listing asks for the next page while the sync works on the current one.
it('the shard client lists with prefetch on, the shard range and the page size', () => {
  const seen: ListEngagementsParams[] = [];
  const adapter = {
    id: 'fake',
    engagements: {
      list: (params: ListEngagementsParams) => {
        seen.push(params);
        return {};
      },
    },
  } as unknown as EngagementAdapter;
  const from = new Date('2026-01-01T00:00:00.000Z');
  const to = new Date('2026-01-08T00:00:00.000Z');
  shardClient(adapter, undefined, 25).engagements.list({ from, to, cursor: 'c1' });
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ from, to, cursor: 'c1', pageSize: 25, prefetch: true });
  expect(seen[0]?.request).toBeUndefined();
});
