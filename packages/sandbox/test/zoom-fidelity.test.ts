import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index';
import { zoomCall, zoomToken } from './helpers';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const LIST = '/contact_center/engagements';
const MAY = 'from=2025-05-01&to=2025-05-31&page_size=100';

describe('Zoom emulator: array parameters as Zoom declares them', () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox({ count: 2000, now: NOW, clock: () => NOW, rateLimits: false });
    token = await zoomToken(sb);
  });
  afterAll(() => sb.close());

  // Zoom's spec gives `channel_sources`/`channel_types` no `style`, so the OpenAPI default applies
  // (form, explode: a repeated key), and its Postman collection sends
  // `channel_types=in_app_video&channel_types=video`.
  it('accepts repeated keys and filters by every value', async () => {
    const r = await zoomCall(
      sb,
      LIST,
      token,
      `${MAY}&channel_sources=sms&channel_sources=whatsapp`,
    );
    expect(r.status).toBe(200);
    const sources = new Set(
      (r.body.engagements as { channels?: { channel_source?: string }[] }[]).flatMap((e) =>
        e.channels ? [e.channels[0]?.channel_source] : [],
      ),
    );
    expect([...sources].sort()).toEqual(['sms', 'whatsapp']);
    const legacy = await zoomCall(
      sb,
      LIST,
      token,
      `${MAY}&channel_types=in_app_video&channel_types=video`,
    );
    expect(legacy.status).toBe(200);
  });

  // A spec-validating server (Prism) reads `sms,whatsapp` as one value outside the enum.
  it.each([
    ['channel_sources', 'sms,whatsapp'],
    ['channel_types', 'in_app_video,video'],
  ])('rejects the comma-joined %s=%s with a 400 code 300 naming the field', async (name, value) => {
    const r = await zoomCall(sb, LIST, token, `${MAY}&${name}=${value}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      code: 300,
      message: `Invalid ${name}: ${value}.`,
      errors: [{ field: name, message: `Invalid ${name}: ${value}.` }],
    });
  });

  it('filters by direction (inbound | outbound) and rejects other values', async () => {
    const r = await zoomCall(sb, LIST, token, `${MAY}&direction=inbound`);
    const directions = new Set(
      (r.body.engagements as { direction: string }[]).map((e) => e.direction),
    );
    expect([...directions]).toEqual(['inbound']);
    expect((await zoomCall(sb, LIST, token, `${MAY}&direction=internal`)).status).toBe(400);
  });
});

describe('Zoom emulator: QPS limit and headers', () => {
  afterAll(() => vi.restoreAllMocks());

  // Zoom's rate-limit page publishes per-second limits (Contact Center MEDIUM: 10/s on Pro) and no
  // burst above them; the older docs name the headers X-RateLimit-Category/-Type/-Limit/-Remaining.
  it('allows one second of requests at once (10 for MEDIUM), then answers 429 with the QPS message', async () => {
    const sb = await startSandbox({ count: 50, now: NOW, clock: () => NOW });
    try {
      const token = await zoomToken(sb);
      const frozen = Date.now();
      vi.spyOn(Date, 'now').mockReturnValue(frozen);
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await zoomCall(sb, LIST, token, 'page_size=1');
        expect(r.status).toBe(200);
        expect(r.headers.get('x-ratelimit-category')).toBe('Medium');
        expect(r.headers.get('x-ratelimit-type')).toBe('QPS');
        expect(r.headers.get('x-ratelimit-limit')).toBe('10');
        remaining.push(r.headers.get('x-ratelimit-remaining'));
      }
      expect(remaining).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
      const limited = await zoomCall(sb, LIST, token, 'page_size=1');
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({
        code: 429,
        message:
          'You have reached the maximum per-second rate limit for this API. Try again later.',
      });
      vi.spyOn(Date, 'now').mockReturnValue(frozen + 100);
      expect((await zoomCall(sb, LIST, token, 'page_size=1')).status).toBe(200);
    } finally {
      vi.restoreAllMocks();
      await sb.close();
    }
  });
});
