import fc from 'fast-check';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';
import { BASE, record, setupNock } from './helpers';
import { zoomServer } from './zoom-server';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

const DAY = 86_400_000;
const WINDOW = 27 * DAY;
const T0 = Date.UTC(2025, 0, 1);

/** A range `[from, to)`: from on a whole second or not, up to ~200 days long. */
const rangeArb = fc
  .record({
    startSec: fc.integer({ min: 0, max: 400 * 86_400 }),
    ms: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999 })),
    lengthMs: fc.oneof(
      fc.integer({ min: 1, max: 3 * DAY }),
      fc.integer({ min: 1, max: 200 * DAY }),
      fc.constantFrom(WINDOW, 2 * WINDOW, WINDOW - 1, WINDOW + 1, 5 * WINDOW),
    ),
  })
  .map(({ startSec, ms, lengthMs }) => {
    const from = T0 + startSec * 1000 + ms;
    return { from, to: from + lengthMs };
  });

describe('window slicing (property)', () => {
  it('returns every record in [from, to) exactly once from a server that filters inclusively', async () => {
    await fc.assert(
      fc.asyncProperty(
        rangeArb,
        fc.integer({ min: 1, max: 7 }),
        fc.array(
          fc.record({
            /** Where the record sits: anywhere near the range, on a window edge, or on from/to. */
            kind: fc.constantFrom('free', 'edge', 'from', 'to'),
            k: fc.integer({ min: 0, max: 8 }),
            r: fc.double({ min: -0.05, max: 1.05, noNaN: true }),
            nudge: fc.constantFrom(-1000, 0, 0, 0, 1000),
          }),
          { maxLength: 50 },
        ),
        async (range, pageSize, specs) => {
          nock.cleanAll();
          const second = (ms: number) => Math.floor(ms / 1000) * 1000;
          const times = specs.map((s) => {
            const base =
              s.kind === 'free'
                ? range.from + s.r * (range.to - range.from)
                : s.kind === 'edge'
                  ? Math.min(range.from + s.k * WINDOW, range.to)
                  : s.kind === 'from'
                    ? range.from
                    : range.to;
            return second(base) + s.nudge;
          });
          const served = times.map((t, i) => record(`e${String(i).padStart(3, '0')}`, t));
          zoomServer(served);
          const zoom = createZoomContactCenterAdapter({
            accessToken: 'prop-token',
            baseUrl: BASE,
            rateLimit: false,
            maxRetries: 0,
          });
          const got = await zoom.engagements
            .list({ from: new Date(range.from), to: new Date(range.to), pageSize })
            .toArray();
          const expected = served
            .map((r, i) => ({ id: r.engagement_id, t: times[i]! }))
            .filter((r) => r.t >= range.from && r.t < range.to)
            .sort((a, b) => a.t - b.t || a.id.localeCompare(b.id))
            .map((r) => r.id);
          expect(got.map((e) => e.remoteId)).toEqual(expected);
        },
      ),
      { numRuns: 80 },
    );
  });
});
