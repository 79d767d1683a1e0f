import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type BeforeRequestInfo, createTransport } from '../src/http';
import { fakeClock } from './fake-clock';

const BASE = 'https://deadline.http.test';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

it("tells beforeRequest each attempt's deadline: its start (before the credentials' wait) plus the call's timeoutMs, anew for a retry", async () => {
  const clock = fakeClock(1_000_000);
  const seen: { attempt: number; deadline: number | undefined; now: number }[] = [];
  nock(BASE).get('/items').reply(503, { message: 'later' }).get('/items').reply(200, { ok: true });
  const t = createTransport({
    provider: 'acme',
    baseUrl: BASE,
    rateLimit: false,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    timeoutMs: 30_000,
    // Getting credentials takes 700 ms of the attempt's time.
    auth: {
      headers: () => {
        clock.advance(700);
        return { authorization: 'Bearer t' };
      },
    },
    beforeRequest: (info: BeforeRequestInfo) => {
      if (seen.length >= 3) throw new Error('too many attempts');
      seen.push({ attempt: info.attempt, deadline: info.deadline, now: clock.now() });
    },
  });
  const res = await t.request({
    method: 'GET',
    path: '/items',
    operation: 'items.list',
    options: { timeoutMs: 5_000 },
  });
  expect(res.data).toEqual({ ok: true });
  // The call's timeoutMs (5 s) wins over the adapter's (30 s); the backoff before the retry is
  // the fake clock's only other move.
  expect(clock.sleeps).toHaveLength(1);
  const backoff = clock.sleeps[0] as number;
  expect(seen).toEqual([
    { attempt: 1, deadline: 1_005_000, now: 1_000_700 },
    {
      attempt: 2,
      deadline: 1_000_700 + backoff + 5_000,
      now: 1_000_700 + backoff + 700,
    },
  ]);
});

it('a deadline from the adapter-wide timeoutMs when the call sets none', async () => {
  const clock = fakeClock(2_000_000);
  const deadlines: (number | undefined)[] = [];
  nock(BASE).get('/one').reply(200, {});
  const t = createTransport({
    provider: 'acme',
    baseUrl: BASE,
    rateLimit: false,
    now: clock.now,
    sleep: clock.sleep,
    timeoutMs: 12_345,
    beforeRequest: (info) => {
      deadlines.push(info.deadline);
    },
  });
  await t.request({ method: 'GET', path: '/one' });
  expect(deadlines).toEqual([2_012_345]);
});
