// The change feed's per-call `beforeRequest` contract, the same for every adapter: passed to
// `changes()`, it is awaited before every request the sandbox sees for the feed (each page, a 5xx
// retry, Zoom's OAuth token request), so a rate limit shared by several processes can gate a feed
// as it gates `list()`.
import type { BeforeRequestInfo, EngagementAdapter } from '@engagekit/core';
import type { Sandbox } from '@engagekit/sandbox';
import { expect, it } from 'vitest';
import { useSandbox } from './sandbox';

type Vendor = 'devrev' | 'zoom' | 'truto';

/** Registers the contract's test for `vendor`; `create` builds its adapter over the sandbox. */
export function itAwaitsChangesBeforeRequest(
  vendor: Vendor,
  create: (sb: Sandbox) => EngagementAdapter,
): void {
  const sandbox = useSandbox({ seed: 7, count: 12, days: 20 });

  it('changes({ request: { beforeRequest } }) awaits the hook before every request the sandbox sees, a 5xx retry included', async () => {
    const sb = sandbox();
    const adapter = create(sb);
    // Requests the sandbox had seen when each hook call returned: the hook holds its attempt back,
    // so none is sent while it waits.
    const sentBeforeReturn: number[] = [];
    const beforeRequest = async (_info: BeforeRequestInfo) => {
      if (sentBeforeReturn.length >= 40) throw new Error('too many attempts');
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 5));
      sentBeforeReturn.push(sb.log.entries({ vendor }).length);
    };
    sb.log.clear();
    sb.faults.failNext(vendor, { status: 500 });
    const feed = adapter.engagements.changes({
      since: new Date(Date.now() - 21 * 86_400_000),
      pageSize: 5,
      request: { beforeRequest, maxRetryWaitMs: 5_000 },
    });
    const changes = await feed.toArray();
    expect(changes.length).toBeGreaterThan(5);
    expect(feed.done).toBe(true);
    const seen = sb.log.entries({ vendor });
    expect(seen.filter((e) => e.status === 500).length).toBe(1);
    expect(seen.length).toBeGreaterThan(2);
    // One hook call per request, each returning before its request was sent.
    expect(sentBeforeReturn).toEqual(seen.map((_e, i) => i));
  });
}
