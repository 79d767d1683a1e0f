import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../src/adapter-kit';

const BASE = 'https://reset-header.test';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
});
afterEach(() => nock.cleanAll());

function transport(delays: number[]) {
  const now = Date.UTC(2026, 10, 1);
  return createTransport({
    provider: 'acme',
    baseUrl: BASE,
    now: () => now,
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
  });
}

// DevRev sends X-Ratelimit-Reset on every response; only a 429 should wait for it.
describe('rate-limit reset headers', () => {
  const resetIn1Min = String(Math.floor(Date.UTC(2026, 10, 1) / 1000) + 60);

  it('do not time the retry of a 5xx', async () => {
    nock(BASE).get('/x').reply(500, {}, { 'x-ratelimit-reset': resetIn1Min });
    nock(BASE).get('/x').reply(200, { ok: true });
    const delays: number[] = [];
    await transport(delays).request({ method: 'GET', path: '/x' });
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeLessThan(1000);
  });

  it('time the retry of a 429 without Retry-After', async () => {
    nock(BASE).get('/x').reply(429, {}, { 'x-ratelimit-reset': resetIn1Min });
    nock(BASE).get('/x').reply(200, { ok: true });
    const delays: number[] = [];
    await transport(delays).request({ method: 'GET', path: '/x' });
    expect(delays).toEqual([60_000]);
  });
});
