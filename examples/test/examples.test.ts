import { createEngagementsClient, type Engagement } from '@engagekit/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main as createEngagement } from '../create-engagement';
import { main as errorsAndRateLimits } from '../errors-and-rate-limits';
import { main as fourthAdapter } from '../fourth-adapter';
import {
  DAY,
  SANDBOX_NOW,
  type Sandbox,
  sandboxAdapters,
  startExampleSandbox,
} from '../lib/sandbox';
import { main as listEachProvider } from '../list-each-provider';
import { main as mergedListing } from '../merged-listing';
import { main as resumeFromCursor } from '../resume-from-cursor';

let sandbox: Sandbox;
const lines: string[] = [];
const log = (line: string) => void lines.push(line);

beforeAll(async () => {
  sandbox = await startExampleSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset(); // seeded data back, faults cleared: examples that write do not leak
  lines.length = 0;
});

const key = (e: Engagement) => [Date.parse(e.occurredAt), e.id] as const;
function expectOrdered(items: Engagement[], order: 'asc' | 'desc' = 'asc') {
  for (let i = 1; i < items.length; i++) {
    const [ta, ia] = key(items[i - 1] as Engagement);
    const [tb, ib] = key(items[i] as Engagement);
    const cmp = ta - tb || (ia < ib ? -1 : ia > ib ? 1 : 0);
    expect(order === 'asc' ? cmp <= 0 : cmp >= 0).toBe(true);
  }
}
const ids = (items: Engagement[]) => items.map((e) => e.id);
const fullListing = (from: Date, to: Date) => {
  const { devrev, zoom, truto } = sandboxAdapters(sandbox);
  return createEngagementsClient({ adapters: [devrev, zoom, truto] })
    .engagements.list({ from, to })
    .toArray();
};

describe('examples run against the sandbox', () => {
  it('list-each-provider: every provider, pages and items agree', async () => {
    const r = await listEachProvider({ sandbox, log });
    const { devrev, zoom, truto } = sandboxAdapters(sandbox);
    const from = new Date(SANDBOX_NOW.getTime() - 30 * DAY);
    for (const a of [devrev, zoom, truto]) {
      const stats = r.providers[a.id];
      const all = await a.engagements.list({ from, to: SANDBOX_NOW }).toArray();
      expect(stats?.records).toBeGreaterThan(10);
      expect(stats?.records).toBe(all.length);
      expect(stats?.pages).toBeGreaterThanOrEqual(1);
      expect(stats?.first?.provider).toBe(a.id);
    }
    expect(r.conversations).toHaveLength(5);
    expect(r.conversations.every((c) => c.kind === 'chat')).toBe(true);
  });

  it('merged-listing: ordered, no duplicates, = the union of the three listings', async () => {
    const r = await mergedListing({ sandbox, log });
    expectOrdered(r.items);
    expect(new Set(ids(r.items)).size).toBe(r.items.length);
    expect(Object.keys(r.perProvider).sort()).toEqual(['devrev', 'truto', 'zoom-contact-center']);
    expect(r.items.every((e) => ['call', 'email', 'chat'].includes(e.kind))).toBe(true);
    const from = new Date(SANDBOX_NOW.getTime() - 90 * DAY);
    const { devrev, zoom, truto } = sandboxAdapters(sandbox);
    const union: string[] = [];
    for (const a of [devrev, zoom, truto]) {
      const part = await a.engagements
        .list({ from, to: SANDBOX_NOW, kinds: ['call', 'email', 'chat'] })
        .toArray();
      union.push(...ids(part));
    }
    expect([...ids(r.items)].sort()).toEqual(union.sort());
    expectOrdered(r.latest, 'desc');
    expect(r.latest).toHaveLength(3);
  });

  it('resume-from-cursor: resumed union = the full set, nothing twice', async () => {
    const r = await resumeFromCursor({ sandbox, log });
    expect(r.first).toHaveLength(40);
    expect(r.rest.length).toBeGreaterThan(100);
    const firstIds = new Set(ids(r.first));
    expect(r.rest.filter((e) => firstIds.has(e.id))).toEqual([]);
    const full = await fullListing(new Date(SANDBOX_NOW.getTime() - 60 * DAY), SANDBOX_NOW);
    expect([...ids(r.first), ...ids(r.rest)]).toEqual(ids(full));
  });

  it('create-engagement: created, read back, listed; unsupported writes refused', async () => {
    const r = await createEngagement({ sandbox, log });
    expect(r.call.id).toMatch(/^devrev:/);
    expect(r.fetched.id).toBe(r.call.id);
    expect(r.fetched.subject).toBe('Renewal call with Acme Corp');
    expect(r.email.id).toMatch(/^truto:/);
    expect(r.refused).toHaveLength(2);
    expect(r.refused[0]).toMatch(/^CapabilityError/);
    expect(r.refused[1]).toMatch(/^InputValidationError/);
    const listed = ids(await fullListing(new Date(SANDBOX_NOW.getTime() - DAY), SANDBOX_NOW));
    expect(listed).toContain(r.call.id);
    expect(listed).toContain(r.email.id);
  });

  it('errors-and-rate-limits: retries happen, errors are instanceof-able, skip reports', async () => {
    const r = await errorsAndRateLimits({ sandbox, log });
    const providers = new Set(r.retries.map((x) => x.provider));
    expect(providers).toEqual(new Set(['devrev', 'zoom-contact-center', 'truto']));
    expect(r.retries.map((x) => x.reason)).toEqual(expect.arrayContaining(['429', '500', '502']));
    const clean = await fullListing(new Date(SANDBOX_NOW.getTime() - 14 * DAY), SANDBOX_NOW);
    expect(ids(r.items)).toEqual(ids(clean));
    expect(r.caught.map((c) => c.split(/[ :]/)[0])).toEqual([
      'RateLimitError',
      'ServerError',
      'AuthenticationError',
      'InputValidationError',
    ]);
    expect(r.caught.join('\n')).toContain('retry after 2000 ms');
    expect(r.caught.join('\n')).not.toContain('not-a-valid-token');
    expect(r.skipped).toEqual([{ provider: 'truto', error: 'ServerError', status: 500 }]);
    expect(r.partial.length).toBeGreaterThan(0);
    expect(r.partial.some((e) => e.provider === 'truto')).toBe(false);
  });

  it('fourth-adapter: Acme merges with DevRev in time order', async () => {
    const r = await fourthAdapter({ sandbox, log });
    expect(r.acmeItems).toHaveLength(30);
    expect(new Set(r.items.map((e) => e.provider))).toEqual(new Set(['devrev', 'acme-crm']));
    expectOrdered(r.items);
    expect(r.acmeItems.filter((e) => e.kind === 'other')).toHaveLength(6);
  });
});

describe('examples run standalone', () => {
  it('each starts and stops its own sandbox when given none', async () => {
    const r = await mergedListing({ log });
    expect(r.items.length).toBeGreaterThan(100);
  });
});
