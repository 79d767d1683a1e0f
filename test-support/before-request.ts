// The factory-level `beforeRequest` contract, the same for every adapter whose requests go
// straight to the vendor (DevRev, Truto): awaited before every request the sandbox sees, a 5xx
// retry included, and replaced by a call's own hook. Zoom's, which also covers its OAuth token
// requests, has its own test.
import type { BeforeRequestInfo, EngagementAdapter } from '@engagekit/core';
import type { Sandbox } from '@engagekit/sandbox';
import { expect, it } from 'vitest';
import { useSandbox } from './sandbox';

function recorder() {
  const seen: string[] = [];
  const hook = (info: BeforeRequestInfo) => {
    if (seen.length >= 20) throw new Error('too many attempts');
    seen.push(`${info.operation} #${info.attempt}`);
  };
  return { seen, hook };
}

/** Registers the contract's test for `vendor`; `create` builds its adapter over the sandbox. */
export function itAwaitsBeforeRequest(
  vendor: 'devrev' | 'truto',
  create: (sb: Sandbox, beforeRequest: (info: BeforeRequestInfo) => void) => EngagementAdapter,
): void {
  const sandbox = useSandbox({ seed: 4, count: 12, days: 30 });

  it("the factory's beforeRequest is awaited before every request the sandbox sees, a 5xx retry included; a call's replaces it", async () => {
    const sb = sandbox();
    const adapterHook = recorder();
    const adapter = create(sb, adapterHook.hook);
    sb.log.clear();
    sb.faults.failNext(vendor, { status: 500 });
    // The seeded span is the last 30 days, but an engagement's time (DevRev's scheduled_date) may be
    // up to 5 days before its record was created: a from 30 days back cut off the first record at
    // some times of day (DevRev's first page then had 4 of 5).
    const from = new Date(Date.now() - 36 * 86_400_000);
    const listed = [];
    for await (const e of adapter.engagements.list({ from, pageSize: 5 })) listed.push(e);
    expect(listed.length).toBeGreaterThan(5);
    const seen = sb.log.entries({ vendor });
    expect(seen.filter((e) => e.status === 500).length).toBe(1);
    expect(adapterHook.seen.length).toBe(seen.length);
    expect(adapterHook.seen).toEqual([
      'engagements.list #1',
      'engagements.list #2',
      ...seen.slice(2).map(() => 'engagements.list #1'),
    ]);

    const callHook = recorder();
    sb.log.clear();
    const page = await adapter.engagements
      .list({ from, pageSize: 5, request: { beforeRequest: callHook.hook } })
      .firstPage();
    expect(page.items.length).toBe(5);
    expect(callHook.seen.length).toBe(sb.log.entries({ vendor }).length);
    expect(callHook.seen.length).toBeGreaterThan(0);
    expect(adapterHook.seen.length).toBe(seen.length);
  });
}
