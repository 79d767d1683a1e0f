import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createTrutoAdapter, type TrutoAdapterOptions } from '../src/index';

let sb: Sandbox;

beforeAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  sb = await startSandbox({ seed: 3, count: 5, days: 30 });
});
afterAll(async () => {
  await sb?.close();
});

describe('sandbox.adapterOptions.truto', () => {
  it('is exactly what createTrutoAdapter takes: it lists the sandbox as is', async () => {
    expectTypeOf(sb.adapterOptions.truto).toExtend<TrutoAdapterOptions>();
    const page = await createTrutoAdapter(sb.adapterOptions.truto)
      .engagements.list({ from: new Date(Date.now() - 30 * 86_400_000), pageSize: 5 })
      .firstPage();
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((e) => e.provider === 'truto')).toBe(true);
  });
});
