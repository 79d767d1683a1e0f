/**
 * Fault injection on the merged client: random faults on all three vendors at once, plus Zoom token
 * and page-token expiry mid-listing. Every record exactly once, in merge order, in bounded time.
 */
import type { FaultConfig, Sandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicates, lister, listIds, RANGE, sandbox, sorted, within } from './helpers';

describe('fault injection: merged client', () => {
  let sb: Sandbox;
  let baseline: string[];

  beforeAll(async () => {
    sb = await sandbox({ count: 2000 });
    baseline = sorted(await listIds(lister(sb, 'merged')));
    expect(baseline.length).toBeGreaterThan(5000);
  });
  afterAll(() => sb?.close());

  it('random faults on every vendor + token and page-token expiry: every record exactly once', {
    timeout: 40_000,
  }, async () => {
    sb.reset();
    const common: FaultConfig = {
      rate429: 0.04,
      retryAfterSeconds: 0,
      rate500: 0.02,
      rate502: 0.02,
      resetRate: 0.02,
      jitterMs: 10,
    };
    sb.faults.set({
      seed: 9,
      devrev: { ...common, rate503: 0.02, retryAfter: 'body' },
      zoom: { ...common, rate503: 0.02, retryAfter: 'iso' },
      truto: { ...common, retryAfter: 'http-date' },
    });
    const list = lister(sb, 'merged');
    const ids: string[] = [];
    let last = '';
    const started = Date.now();
    await within(
      35_000,
      (async () => {
        for await (const e of list({
          ...RANGE,
          pageSize: 50,
          signal: AbortSignal.timeout(35_000),
        })) {
          // Merged order: occurredAt, then id.
          const key = `${e.occurredAt}|${e.id}`;
          expect(key > last).toBe(true);
          last = key;
          ids.push(e.id);
          if (ids.length === 1500) sb.faults.expireTokens();
          if (ids.length === 3000) sb.faults.expirePageTokens();
        }
      })(),
      'merged listing',
    );
    expect(duplicates(ids)).toEqual([]);
    expect(sorted(ids)).toEqual(baseline);
    expect(sb.log.entries().filter((e) => e.status !== 200).length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(35_000);
  });
});
