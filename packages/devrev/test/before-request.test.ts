import type { BeforeRequestInfo } from '@engagekit/core';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import nock from 'nock';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDevRevAdapter } from '../src/index';

let sb: Sandbox;
beforeAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  sb = await startSandbox({ seed: 4, count: 12, days: 30 });
});
afterAll(async () => {
  await sb?.close();
});

function recorder() {
  const seen: string[] = [];
  const hook = (info: BeforeRequestInfo) => {
    if (seen.length >= 20) throw new Error('too many attempts');
    seen.push(`${info.operation} #${info.attempt}`);
  };
  return { seen, hook };
}

it("the factory's beforeRequest is awaited before every request the sandbox sees, a 5xx retry included; a call's replaces it", async () => {
  const adapterHook = recorder();
  const devrev = createDevRevAdapter({
    ...sb.adapterOptions.devrev,
    rateLimit: false,
    beforeRequest: adapterHook.hook,
  });
  sb.log.clear();
  sb.faults.failNext('devrev', { status: 500 });
  const from = new Date(Date.now() - 30 * 86_400_000);
  const listed = [];
  for await (const e of devrev.engagements.list({ from, pageSize: 5 })) listed.push(e);
  expect(listed.length).toBeGreaterThan(5);
  const seen = sb.log.entries({ vendor: 'devrev' });
  expect(seen.filter((e) => e.status === 500).length).toBe(1);
  expect(adapterHook.seen.length).toBe(seen.length);
  expect(adapterHook.seen).toEqual([
    'engagements.list #1',
    'engagements.list #2',
    ...seen.slice(2).map(() => 'engagements.list #1'),
  ]);

  const callHook = recorder();
  sb.log.clear();
  const page = await devrev.engagements
    .list({ from, pageSize: 5, request: { beforeRequest: callHook.hook } })
    .firstPage();
  expect(page.items.length).toBe(5);
  expect(callHook.seen.length).toBe(sb.log.entries({ vendor: 'devrev' }).length);
  expect(callHook.seen.length).toBeGreaterThan(0);
  expect(adapterHook.seen.length).toBe(seen.length);
});
