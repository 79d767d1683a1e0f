import { AbortError, type ChangeFeed } from '@engagekit/core';
import { recordFingerprint, type Sandbox, startSandbox } from '@engagekit/sandbox';
import fc from 'fast-check';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createZoomContactCenterAdapter } from '../src/index';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The sandbox data's end and the simulated clock's start. */
const T0 = Date.UTC(2026, 5, 15, 12);
/** The first run's `since`. */
const SINCE = T0 - 12 * HOUR;

let sb: Sandbox;

beforeAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  // One clock for the sandbox and the adapter: `Date` alone is faked (timers stay real), and the
  // test moves it. Rate limits are off: a frozen clock would never refill a bucket.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  sb = await startSandbox({
    seed: 11,
    count: { zoom: 300, devrev: 1, truto: 1 },
    days: 2,
    now: T0,
    clock: () => Date.now(),
    rateLimits: false,
  });
});
afterAll(async () => {
  await sb?.close();
  vi.useRealTimers();
});
afterEach(() => vi.setSystemTime(T0));

/** A write to the vendor: a late insert (start within the lookback) or an edit. */
type Op =
  | { t: 'insert'; back: number }
  | { t: 'edit'; pick: number; old: boolean; what: 'note' | 'direction' | 'disposition' };

type Step =
  | { t: 'advance'; ms: number }
  | { t: 'ops'; ops: Op[] }
  | {
      t: 'run';
      /** Stop after this many changes: leave the loop, or abort the feed's signal. */
      stop: { after: number; how: 'break' | 'abort' } | undefined;
      /** Mid-run: the clock moves on (Zoom's page tokens may expire) and the vendor is written. */
      during: { at: number; advanceMs: number; ops: Op[] } | undefined;
    };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    t: fc.constant('insert' as const),
    back: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    t: fc.constant('edit' as const),
    pick: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    old: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    what: fc.constantFrom('note' as const, 'direction' as const, 'disposition' as const),
  }),
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      ms: fc.integer({ min: MINUTE, max: 4 * HOUR }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('ops' as const),
      ops: fc.array(opArb, { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('run' as const),
      stop: fc.option(
        fc.record({
          after: fc.integer({ min: 1, max: 40 }),
          how: fc.constantFrom('break' as const, 'abort' as const),
        }),
        { nil: undefined },
      ),
      during: fc.option(
        fc.record({
          at: fc.integer({ min: 1, max: 30 }),
          advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 * MINUTE })),
          ops: fc.array(opArb, { minLength: 1, maxLength: 3 }),
        }),
        { nil: undefined },
      ),
    }),
  },
);

const startOf = (record: Record<string, unknown>) => Date.parse(String(record.start_time));

describe('engagements.changes() against the sandbox (property)', () => {
  it('loses no change within the lookback and repeats one only at a resume boundary', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 3, maxLength: 12 }),
        fc.constantFrom(3 * HOUR, 24 * HOUR),
        fc.integer({ min: 5, max: 60 }),
        async (steps, lookbackMs, pageSize) => {
          sb.reset();
          vi.setSystemTime(T0);
          const store = sb.data.zoom.engagements;
          const zoom = createZoomContactCenterAdapter({
            ...sb.adapterOptions.zoom,
            rateLimit: false,
            changesLookbackMs: lookbackMs,
          });
          /** The consumer's store: id → fingerprint of the delivered vendor record. */
          const consumer = new Map<string, string>();
          /** When each engagement was written by the test (edits, inserts), after T0. */
          const writes = new Map<string, number[]>();
          const repeats: string[] = [];
          const wrote = (id: string) => writes.set(id, [...(writes.get(id) ?? []), Date.now()]);

          const apply = (op: Op) => {
            const now = Date.now();
            if (op.t === 'insert') {
              // Started between 1 minute and the lookback ago: "late" for any run since.
              const start = now - MINUTE - Math.floor(op.back * (lookbackMs - 2 * MINUTE));
              const inserted = store.insert({ start_time: Math.floor(start / 1000) * 1000 });
              wrote(String(inserted.engagement_id));
              return;
            }
            const ids = store.ids().filter((id) => {
              const start = startOf(store.get(id)!);
              return op.old
                ? start >= SINCE - HOUR && start < now - lookbackMs
                : start >= now - lookbackMs;
            });
            const id = ids[Math.floor(op.pick * ids.length)];
            if (id === undefined) return;
            const current = store.get(id)!;
            if (op.what === 'direction') {
              store.update(id, {
                direction: current.direction === 'inbound' ? 'outbound' : 'inbound',
              });
            } else if (op.what === 'note') {
              const notes = Array.isArray(current.notes) ? current.notes : [];
              store.update(id, {
                notes: [
                  ...notes,
                  {
                    note_id: `n${now}-${notes.length}`,
                    note: `note at ${now}`,
                    last_modified_time: now,
                  },
                ],
              });
            } else {
              store.update(id, {
                dispositions: [{ disposition_id: `d${now}`, disposition_name: 'Callback' }],
              });
            }
            wrote(id);
          };

          let checkpoint: string | Date = new Date(SINCE);
          let midRun = false;
          const read = async (run: Omit<Extract<Step, { t: 'run' }>, 't'>) => {
            const abort = new AbortController();
            const feed: ChangeFeed = zoom.engagements.changes({
              since: checkpoint,
              pageSize,
              signal: abort.signal,
            });
            let n = 0;
            try {
              for await (const change of feed) {
                expect(change.type).toBe('upsert');
                const fingerprint = recordFingerprint(change.engagement!.raw);
                if (consumer.get(change.remoteId) === fingerprint && !midRun) {
                  repeats.push(change.remoteId);
                }
                consumer.set(change.remoteId, fingerprint);
                n++;
                if (run.during?.at === n) {
                  vi.setSystemTime(Date.now() + run.during.advanceMs);
                  for (const op of run.during.ops) apply(op);
                }
                if (run.stop?.after === n) {
                  if (run.stop.how === 'break') break;
                  abort.abort();
                }
              }
            } catch (error) {
              expect(error).toBeInstanceOf(AbortError);
              expect(run.stop?.how).toBe('abort');
            }
            checkpoint = feed.checkpoint;
            midRun = !feed.done;
          };

          for (const step of steps) {
            if (step.t === 'advance') vi.setSystemTime(Date.now() + step.ms);
            else if (step.t === 'ops') for (const op of step.ops) apply(op);
            else await read(step);
          }
          // Finish the run in progress, then one run that starts after every write.
          await read({ stop: undefined, during: undefined });
          vi.setSystemTime(Date.now() + MINUTE);
          await read({ stop: undefined, during: undefined });
          expect(midRun).toBe(false);

          const now = Date.now();
          const vendor = store.snapshot();
          for (const [id, fingerprint] of vendor) {
            const record = store.get(id)!;
            const start = startOf(record);
            if (start < SINCE) {
              expect(consumer.has(id), `${id} started before since`).toBe(false);
              continue;
            }
            // Every time the engagement changed after the first run: the test's writes, its end,
            // its notes (the sandbox shows them once their time has come).
            const changed = [...(writes.get(id) ?? [])];
            if (typeof record.end_time === 'string') changed.push(Date.parse(record.end_time));
            for (const note of (record.notes as { last_modified_time?: string }[] | undefined) ??
              []) {
              changed.push(Date.parse(String(note.last_modified_time)));
            }
            const withinLookback = changed.every(
              (t) => t <= T0 || (t <= now && start >= t - lookbackMs),
            );
            expect(consumer.has(id), `${id} was never delivered`).toBe(true);
            if (withinLookback) {
              expect(consumer.get(id), `${id} has stale content`).toBe(fingerprint);
            }
          }
          // No deletions here: whatever the consumer holds, the vendor still has.
          for (const id of consumer.keys()) expect(vendor.has(id), `${id} is unknown`).toBe(true);
          expect(repeats, 'delivered twice with the same content outside a resume').toEqual([]);
        },
      ),
      // A failure is reported as found: shrinking would replay sandbox scenarios for minutes.
      { numRuns: 12, endOnFailure: true },
    );
  }, 180_000);
});
