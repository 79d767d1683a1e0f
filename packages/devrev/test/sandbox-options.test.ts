import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createDevRevAdapter, type DevRevAdapterOptions } from '../src/index';

let sb: Sandbox;

beforeAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  sb = await startSandbox({ seed: 3, count: 5, days: 30 });
});
afterAll(async () => {
  await sb?.close();
});

describe('sandbox.adapterOptions.devrev', () => {
  it('is exactly what createDevRevAdapter takes: it lists the sandbox as is', async () => {
    expectTypeOf(sb.adapterOptions.devrev).toExtend<DevRevAdapterOptions>();
    const page = await createDevRevAdapter(sb.adapterOptions.devrev)
      .engagements.list({ from: new Date(Date.now() - 30 * 86_400_000), pageSize: 5 })
      .firstPage();
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((e) => e.provider === 'devrev')).toBe(true);
  });
});
