import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';
import { checkZoomOAuth, zoomCall, zoomToken } from './helpers';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const LIST = '/contact_center/engagements';

describe('Zoom Contact Center emulator (validated against the Zoom spec)', () => {
  let sb: Sandbox;
  let now = NOW;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox({ count: 3000, now: NOW, clock: () => now, rateLimits: false });
    token = await zoomToken(sb);
  });
  afterAll(() => sb.close());

  async function listAll(query: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let next = '';
    for (let guard = 0; guard < 1000; guard++) {
      const r = await zoomCall(
        sb,
        LIST,
        token,
        `${query}${next ? `&next_page_token=${encodeURIComponent(next)}` : ''}`,
      );
      expect(r.status).toBe(200);
      out.push(...(r.body.engagements as Record<string, unknown>[]));
      next = r.body.next_page_token as string;
      if (next === '') return out;
    }
    throw new Error('no end');
  }

  it('issues tokens via account_credentials (query or form) and rejects bad credentials', async () => {
    const c = sb.credentials.zoom;
    const basic = `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
    const form = await fetch(sb.urls.zoomOAuth, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=account_credentials&account_id=${c.accountId}`,
    });
    const body = (await form.json()) as Record<string, unknown>;
    checkZoomOAuth(form.status, body);
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    const bad = await fetch(
      `${sb.urls.zoomOAuth}?grant_type=account_credentials&account_id=${c.accountId}`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.clientId}:wrong`).toString('base64')}`,
        },
      },
    );
    expect(bad.status).toBe(401);
    checkZoomOAuth(bad.status, await bad.json());
    const grant = await fetch(`${sb.urls.zoomOAuth}?grant_type=client_credentials`, {
      method: 'POST',
      headers: { authorization: basic },
    });
    expect(grant.status).toBe(400);
    checkZoomOAuth(grant.status, await grant.json());
  });

  it('pages a month with next_page_token "" at the end, ordered by start_time then id, inclusive bounds', async () => {
    const first = await zoomCall(sb, LIST, token, 'from=2025-05-01&to=2025-05-31');
    expect(first.body.page_size).toBe(10);
    expect((first.body.engagements as unknown[]).length).toBe(10);
    expect(first.headers.get('x-zm-trackingid')).toBeTruthy();
    const all = await listAll('from=2025-05-01&to=2025-05-31&page_size=100');
    expect(all.length).toBe(first.body.total_records);
    expect(new Set(all.map((e) => e.engagement_id)).size).toBe(all.length);
    const starts = all.map((e) => Date.parse(e.start_time as string));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(starts[0]).toBe(Date.parse('2025-05-01T00:00:00Z'));
    for (const s of starts) expect(s <= Date.parse('2025-05-31T23:59:59Z')).toBe(true);
    // Inclusive at both ends with exact datetimes.
    const exact = await zoomCall(
      sb,
      LIST,
      token,
      'from=2025-05-01T00:00:00Z&to=2025-05-01T00:00:00Z',
    );
    expect((exact.body.engagements as { start_time: string }[]).map((e) => e.start_time)).toEqual([
      '2025-05-01T00:00:00Z',
    ]);
    // Every channel shows up, plus legacy-only records.
    const channels = new Set(
      all.flatMap((e) =>
        ((e.channels as { channel: string }[] | undefined) ?? []).map((c) => c.channel),
      ),
    );
    expect([...channels].sort()).toEqual(['email', 'messaging', 'video', 'voice']);
    expect(all.some((e) => !e.channels && Array.isArray(e.channel_types))).toBe(true);
  });

  it('applies timezone to date-only filtering and returned times; honours explicit offsets', async () => {
    const la = await listAll(
      'from=2025-05-01&to=2025-05-02&timezone=America/Los_Angeles&page_size=100',
    );
    expect(String(la[0]?.start_time).endsWith('-07:00')).toBe(true);
    for (const e of la) {
      const t = Date.parse(e.start_time as string);
      expect(
        t >= Date.parse('2025-05-01T07:00:00Z') && t <= Date.parse('2025-05-03T06:59:59Z'),
      ).toBe(true);
    }
    const offset = await listAll(
      `from=${encodeURIComponent('2025-05-01T00:00:00-07:00')}&to=${encodeURIComponent('2025-05-02T23:59:59-07:00')}&page_size=100`,
    );
    expect(offset.map((e) => e.engagement_id)).toEqual(la.map((e) => e.engagement_id));
  });

  it('validates from/to, page_size and filters', async () => {
    const noTo = await zoomCall(sb, LIST, token, 'from=2025-05-01');
    expect(noTo.status).toBe(400);
    expect(noTo.body.code).toBe(300);
    const tooLong = await zoomCall(sb, LIST, token, 'from=2025-01-01&to=2025-03-01');
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe(300);
    expect(tooLong.body.message).toMatch(/one month/);
    expect((await zoomCall(sb, LIST, token, 'from=2025-01-01&to=2025-02-01')).status).toBe(200);
    const big = await zoomCall(sb, LIST, token, 'page_size=101');
    expect(big.status).toBe(400);
    expect(big.body.code).toBe(300);
    expect((await zoomCall(sb, LIST, token, 'page_size=100')).status).toBe(200);
    const queue = await zoomCall(sb, LIST, token, 'queue_id=nope');
    expect(queue.body).toEqual({ code: 1201, message: 'Queue does not exist: nope.' });
    const dflt = await zoomCall(sb, LIST, token, 'page_size=100');
    expect(Date.parse(dflt.body.to as string) - Date.parse(dflt.body.from as string)).toBe(
      86_400_000,
    );
    const voice = await listAll(
      'from=2025-05-01&to=2025-05-31&channel=voice&direction=outbound&page_size=100',
    );
    expect(voice.length).toBeGreaterThan(0);
    for (const e of voice) expect(e.direction).toBe('outbound');
    const sms = await listAll(
      'from=2025-05-01&to=2025-05-31&channel_sources=sms&channel_sources=whatsapp&page_size=100',
    );
    expect(sms.length).toBeGreaterThan(0);
    for (const e of sms) {
      const source = (e.channels as { channel_source: string }[] | undefined)?.[0]?.channel_source;
      const legacy = (e.channel_types as string[] | undefined)?.[0];
      expect(
        source ? ['sms', 'whatsapp'].includes(source) : legacy === 'sms' || legacy === 'chat',
      ).toBe(true);
    }
    const month = await listAll('from=2025-05-01&to=2025-05-31&page_size=100');
    const withUser = month.find((e) => (e.agents as unknown[] | undefined)?.length);
    const userId = String((withUser?.agents as { user_id: string }[] | undefined)?.[0]?.user_id);
    const byUser = await listAll(`from=2025-05-01&to=2025-05-31&user_id=${userId}&page_size=100`);
    for (const e of byUser) expect((e.agents as { user_id: string }[])[0]?.user_id).toBe(userId);
  });

  it('gets one engagement and answers 2901 for unknown ids', async () => {
    const page = await zoomCall(sb, LIST, token, 'from=2025-05-01&to=2025-05-31&page_size=100');
    for (const e of (page.body.engagements as { engagement_id: string }[]).slice(0, 20)) {
      const r = await zoomCall(sb, `${LIST}/${e.engagement_id}`, token);
      expect(r.status).toBe(200);
      expect(r.body.engagement_id).toBe(e.engagement_id);
    }
    const missing = await zoomCall(sb, `${LIST}/00000000-0000-4000-8000-000000000000`, token);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 2901, message: 'Engagement does not exist.' });
  });

  it('expires page tokens after the TTL and on demand; keeps params bound to the token', async () => {
    const first = await zoomCall(sb, LIST, token, 'from=2025-05-01&to=2025-05-31');
    const next = encodeURIComponent(first.body.next_page_token as string);
    expect(
      (await zoomCall(sb, LIST, token, `from=2025-05-01&to=2025-05-31&next_page_token=${next}`))
        .status,
    ).toBe(200);
    const changed = await zoomCall(
      sb,
      LIST,
      token,
      `from=2025-05-01&to=2025-05-30&next_page_token=${next}`,
    );
    expect(changed.status).toBe(400);
    now += 901_000;
    const token2 = await zoomToken(sb);
    const expired = await zoomCall(
      sb,
      LIST,
      token2,
      `from=2025-05-01&to=2025-05-31&next_page_token=${next}`,
    );
    expect(expired.status).toBe(400);
    expect(expired.body).toEqual({
      code: 300,
      message: 'The next page token is invalid or has expired.',
    });
    const fresh = await zoomCall(sb, LIST, token2, 'from=2025-05-01&to=2025-05-31');
    sb.faults.expirePageTokens();
    const revoked = await zoomCall(
      sb,
      LIST,
      token2,
      `from=2025-05-01&to=2025-05-31&next_page_token=${encodeURIComponent(fresh.body.next_page_token as string)}`,
    );
    expect(revoked.body).toEqual({
      code: 300,
      message: 'The next page token is invalid or has expired.',
    });
    token = token2;
  });

  it('expires access tokens after the TTL and on demand (401 code 124)', async () => {
    const t = await zoomToken(sb);
    expect((await zoomCall(sb, LIST, t)).status).toBe(200);
    now += 3_600_000;
    const expired = await zoomCall(sb, LIST, t);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ code: 124, message: 'Invalid access token.' });
    const t2 = await zoomToken(sb);
    sb.faults.expireTokens();
    expect((await zoomCall(sb, LIST, t2)).status).toBe(401);
    expect((await zoomCall(sb, LIST, null)).status).toBe(401);
    token = await zoomToken(sb);
  });
});

describe('Zoom QPS limit', () => {
  it('lets a client pacing at 10 req/s through and 429s a burst, without Retry-After', async () => {
    const sb = await startSandbox({ count: 50 });
    try {
      const token = await zoomToken(sb);
      for (let i = 0; i < 15; i++) {
        expect((await zoomCall(sb, LIST, token)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 100));
      }
      const burst = await Promise.all(Array.from({ length: 40 }, () => zoomCall(sb, LIST, token)));
      const limited = burst.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0]?.body).toEqual({
        code: 429,
        message:
          'You have reached the maximum per-second rate limit for this API. Try again later.',
      });
      expect(limited[0]?.headers.get('retry-after')).toBeNull();
      expect(limited[0]?.headers.get('x-ratelimit-type')).toBe('QPS');
    } finally {
      await sb.close();
    }
  });
});
