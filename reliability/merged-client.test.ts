/**
 * The merged client against the sandbox: finished listings and their terminal cursor, provider
 * aliases in unified ids, and the external sort of DevRev (no time filter, no order) with a small
 * buffer: every record exactly once and in order under faults, and no temporary file left after a
 * complete listing, a failed one or an abandoned one.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngagementsClient } from '@engagekit/core';
import type { Sandbox } from '@engagekit/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  duplicates,
  listIds,
  makeAdapter,
  makeAll,
  RANGE,
  sandbox,
  sorted,
  within,
} from './helpers';

describe('merged client: end state and aliases (50 records per vendor)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandbox({ count: 50 });
  });
  afterAll(() => sb?.close());

  it('is done once exhausted; its cursor resumes to nothing without a request', async () => {
    const { client } = makeAll(sb);
    const it = client.engagements.list(RANGE);
    const all = await it.toArray({ max: 500 });
    expect(all.length).toBeGreaterThan(100);
    expect(all.length).toBeLessThanOrEqual(150);
    expect(it.done).toBe(true);
    sb.log.clear();
    const resumed = client.engagements.list({ ...RANGE, cursor: it.cursor });
    expect(await resumed.toArray({ max: 500 })).toEqual([]);
    expect(resumed.done).toBe(true);
    expect(sb.log.entries().filter((e) => e.vendor !== 'admin')).toEqual([]);
  });

  it("get('zoom:<id>') reaches Zoom Contact Center through its alias", async () => {
    const { client } = makeAll(sb);
    const [first] = await client.engagements.list({ ...RANGE, providers: ['zcc'] }).toArray({
      max: 1,
    });
    if (!first) throw new Error('the sandbox has no Zoom engagement');
    expect(first.provider).toBe('zoom-contact-center');
    const viaAlias = await client.engagements.get(`zoom:${first.remoteId}`);
    expect(viaAlias.id).toBe(first.id);
    expect(viaAlias.remoteId).toBe(first.remoteId);
  });
});

describe('merged client: external sort under faults (2,000 records per vendor)', () => {
  let sb: Sandbox;
  let baseline: string[];
  let spillDir: string;
  beforeAll(async () => {
    sb = await sandbox({ count: 2000 });
    baseline = sorted(await listIds((p) => makeAll(sb).client.engagements.list(p)));
  });
  afterAll(() => sb?.close());
  beforeEach(async () => {
    spillDir = await mkdtemp(join(tmpdir(), 'engagekit-merged-reliability-'));
  });
  afterEach(() => rm(spillDir, { recursive: true, force: true }));

  const spilled = async () => {
    const out: string[] = [];
    for (const d of await readdir(spillDir)) out.push(...(await readdir(join(spillDir, d))));
    return out;
  };
  const smallBuffer = () =>
    createEngagementsClient({
      adapters: makeAll(sb).adapters,
      maxBufferedPerProvider: 150,
      spillDir,
    });

  it('lists every record once, in order, holding 150 per provider, and leaves no file', {
    timeout: 60_000,
  }, async () => {
    sb.reset();
    const common = { rate429: 0.03, retryAfterSeconds: 0, rate500: 0.02, resetRate: 0.02 };
    sb.faults.set({ seed: 5, devrev: common, zoom: common, truto: common });
    const ids: string[] = [];
    let last = '';
    let filesWhileMerging = -1;
    await within(
      55_000,
      (async () => {
        for await (const e of smallBuffer().engagements.list({
          ...RANGE,
          pageSize: 50,
          signal: AbortSignal.timeout(55_000),
        })) {
          if (ids.length === 0) filesWhileMerging = (await spilled()).length;
          const key = `${e.occurredAt}|${e.id}`;
          expect(key > last).toBe(true);
          last = key;
          ids.push(e.id);
        }
      })(),
      'merged listing',
    );
    sb.faults.clear();
    expect(duplicates(ids)).toEqual([]);
    expect(sorted(ids)).toEqual(baseline);
    // DevRev's ~2,000 records in sorted runs of 150.
    expect(filesWhileMerging).toBeGreaterThanOrEqual(13);
    expect(await spilled()).toEqual([]);
  });

  it('removes the spilled runs when a provider fails and when the caller stops', {
    timeout: 60_000,
  }, async () => {
    sb.reset();
    const client = smallBuffer();
    const it = client.engagements.list({ ...RANGE, signal: AbortSignal.timeout(50_000) });
    let n = 0;
    for await (const _ of it) if (++n === 10) break;
    expect(await spilled()).toEqual([]);

    // DevRev fails for good on its 6th page: 5 pages of 50 were read (and spilled) by then.
    let requests = 0;
    const devrev = makeAdapter(sb, 'devrev', {
      maxRetries: 0,
      rateLimit: false,
      hooks: {
        onRequest: () => {
          if (++requests === 6) sb.faults.failNext('devrev', { status: 500, count: 100 });
        },
      },
    });
    const failing = createEngagementsClient({
      adapters: [devrev],
      maxBufferedPerProvider: 60,
      spillDir,
    });
    const failed = within(
      30_000,
      failing.engagements.list({ ...RANGE, pageSize: 50 }).toArray(),
      'failing listing',
    );
    await expect(failed).rejects.toMatchObject({ status: 500 });
    expect(requests).toBe(6);
    sb.faults.clear();
    expect(await spilled()).toEqual([]);
  });
});
