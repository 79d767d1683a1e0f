import {
  AuthenticationError,
  type Engagement,
  EngagementSchema,
  NotFoundError,
  PaginationError,
} from '@engagekit/core';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import nock from 'nock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';

const DAY = 86_400_000;
let sb: Sandbox;
let now: number;

beforeAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  sb = await startSandbox({ seed: 7, count: { zoom: 600, devrev: 10, truto: 10 }, days: 365 });
  now = Date.now() + 1000;
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(() => sb.reset());

const zoom = (extra: Record<string, unknown> = {}) =>
  createZoomContactCenterAdapter({
    ...sb.credentials.zoom,
    baseUrl: sb.urls.zoom,
    oauthUrl: sb.urls.zoomOAuth,
    ...extra,
  });
const ids = (items: Engagement[]) => items.map((e) => e.remoteId);

describe('against the sandbox', () => {
  // Filled by the first test; later tests compare server-side filters with it.
  let year: Engagement[] = [];

  it('lists a whole year through OAuth, in windows, under the rate limit', async () => {
    const retries: string[] = [];
    const a = zoom({ hooks: { onRetry: (i: { reason: string }) => retries.push(i.reason) } });
    year = await a.engagements
      .list({ from: new Date(now - 400 * DAY), to: new Date(now) })
      .toArray();
    expect(year).toHaveLength(600);
    expect(new Set(ids(year)).size).toBe(600);
    for (const e of year) expect(EngagementSchema.safeParse(e).success).toBe(true);
    expect(retries).toEqual([]);
    // The same year in another zone (wall-clock windows) yields the same records.
    const ny = await zoom({ rateLimit: { requestsPerSecond: 10 } })
      .engagements.list({
        from: new Date(now - 400 * DAY),
        to: new Date(now),
        native: { timezone: 'America/New_York' },
      })
      .toArray();
    expect(new Set(ids(ny))).toEqual(new Set(ids(year)));
    expect(ny.map((e) => e.occurredAt).sort()).toEqual(year.map((e) => e.occurredAt).sort());
  });

  it('narrows kinds server-side exactly like the client-side mapping', async () => {
    const from = now - 60 * DAY;
    const recent = year.filter((e) => Date.parse(e.occurredAt) >= from);
    const a = zoom();
    for (const kind of ['call', 'video', 'sms', 'chat', 'email'] as const) {
      const got = await a.engagements
        .list({ from: new Date(from), to: new Date(now), kinds: [kind] })
        .toArray();
      expect(ids(got).sort(), kind).toEqual(ids(recent.filter((e) => e.kind === kind)).sort());
    }
  });

  it('filters by an agent (user_id) and by a consumer (client-side after 404 1001)', async () => {
    const from = now - 90 * DAY;
    const recent = year.filter((e) => Date.parse(e.occurredAt) >= from);
    const agent = recent.flatMap((e) => e.participants).find((p) => p.role === 'agent')!.id!;
    const consumer = recent.flatMap((e) => e.participants).find((p) => p.role === 'consumer')!.id!;
    const a = zoom();
    for (const id of [agent, consumer]) {
      const got = await a.engagements
        .list({ from: new Date(from), to: new Date(now), participantIds: [id] })
        .toArray();
      const expected = recent.filter((e) => e.participants.some((p) => p.id === id));
      expect(ids(got).sort()).toEqual(ids(expected).sort());
      expect(got.length).toBeGreaterThan(0);
    }
  });

  it('survives page tokens expiring mid-listing and in a saved cursor', async () => {
    const params = { from: new Date(now - 20 * DAY), to: new Date(now), pageSize: 10 };
    const a = zoom();
    const seen: string[] = [];
    for await (const e of a.engagements.list(params)) {
      seen.push(e.remoteId);
      if (seen.length % 15 === 0) sb.faults.expirePageTokens();
    }
    const expected = year.filter((e) => Date.parse(e.occurredAt) >= params.from.getTime());
    expect(seen.sort()).toEqual(ids(expected).sort());

    const first = await a.engagements.list(params).firstPage();
    sb.faults.expirePageTokens();
    const rest = await a.engagements.list({ ...params, cursor: first.nextCursor }).toArray();
    expect([...ids(first.items), ...ids(rest)].sort()).toEqual(ids(expected).sort());

    const strict = zoom({ onExpiredPageToken: 'fail' });
    const page = await strict.engagements.list(params).firstPage();
    sb.faults.expirePageTokens();
    const error = await strict.engagements
      .list({ ...params, cursor: page.nextCursor })
      .toArray()
      .catch((e) => e);
    expect(error).toBeInstanceOf(PaginationError);
    expect(error.reason).toBe('expired-token');
  });

  it('refreshes a revoked access token, retries a 429, gets one engagement', async () => {
    const a = zoom();
    const target = year[17]!;
    expect((await a.engagements.get(target.id)).remoteId).toBe(target.remoteId);
    sb.faults.expireTokens();
    sb.faults.failNext('zoom', { status: 429 });
    const again = await a.engagements.get(target.remoteId);
    expect(again.occurredAt).toBe(target.occurredAt);
    expect(again.raw).toHaveProperty('events');
    await expect(a.engagements.get('no-such-engagement')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses wrong credentials with AuthenticationError and never shows the secret', async () => {
    const secret = 'wrong-secret-value-123';
    const error = await zoom({ clientSecret: secret })
      .engagements.get('x')
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain('Invalid client_id or client_secret');
    expect(`${error.message}${JSON.stringify(error)}${error.stack}`).not.toContain(secret);
  });
});
