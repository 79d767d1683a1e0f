import type { EngagementChange } from '@engagekit/core';
import { recordFingerprint, type Sandbox, startSandbox } from '@engagekit/sandbox';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevRevAdapter, type DevRevAdapter } from '../src/index';

let sb: Sandbox;

beforeAll(async () => {
  // 20 days of data, so most seeded records were modified after `since` (5 days back) or tie at
  // the data's end: the first run reads several pages, and later runs stop early.
  sb = await startSandbox({ seed: 23, count: { devrev: 40, zoom: 1, truto: 1 }, days: 20 });
});
afterAll(async () => {
  await sb?.close();
});

type Resource = 'engagements' | 'conversations';
type Mutation =
  | { op: 'edit'; resource: Resource; pick: number; viaAdapter: boolean }
  | { op: 'insert'; resource: Resource; daysAgo: number }
  | { op: 'delete'; resource: Resource; pick: number };

const resource = fc.constantFrom<Resource>('engagements', 'conversations');
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant('edit' as const),
    resource,
    pick: fc.nat(1000),
    viaAdapter: fc.boolean(),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    resource,
    daysAgo: fc.integer({ min: 0, max: 120 }),
  }),
  fc.record({ op: fc.constant('delete' as const), resource, pick: fc.nat(1000) }),
);

/** One stretch of reading: edits before it, edits between its changes, and where it stops. */
interface Segment {
  before: Mutation[];
  during: { at: number; mutation: Mutation }[];
  /** Stop after this many changes (a break: the run is resumed from the checkpoint next). */
  stopAt: number | null;
  pageSize: number;
}

const segment: fc.Arbitrary<Segment> = fc.record({
  before: fc.array(mutation, { maxLength: 4 }),
  during: fc.array(fc.record({ at: fc.integer({ min: 1, max: 8 }), mutation }), { maxLength: 3 }),
  stopAt: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
  pageSize: fc.integer({ min: 1, max: 5 }),
});

let edits = 0;

async function apply(devrev: DevRevAdapter, m: Mutation): Promise<void> {
  const records = sb.data.devrev[m.resource];
  const ids = records.ids();
  if (m.op === 'insert') {
    const when = new Date(Date.now() - m.daysAgo * 86_400_000).toISOString();
    records.insert(
      m.resource === 'engagements' ? { scheduled_date: when } : { title: `late ${edits++}` },
    );
    return;
  }
  const id = ids[m.pick % Math.max(1, ids.length)];
  if (id === undefined) return;
  if (m.op === 'delete') records.delete(id);
  else if (m.resource === 'engagements' && m.viaAdapter)
    await devrev.engagements.update(id, { subject: `edit ${edits++}` });
  else records.update(id, { title: `edit ${edits++}` });
}

interface Delivery {
  run: number;
  segment: number;
}

/**
 * Runs `segments` against the sandbox (resuming each from the previous checkpoint), then drains:
 * finishes the run in progress and runs once more (edits made during a run belong to the next).
 * Returns the consumer's store and checks every delivery against the no-duplicate rule.
 */
async function play(segments: Segment[], lookbackMs: number) {
  sb.reset();
  const devrev = createDevRevAdapter({
    ...sb.adapterOptions.devrev,
    changesLookbackMs: lookbackMs,
  });
  const since = new Date(Date.now() - 5 * 86_400_000);
  const store = new Map<string, EngagementChange>();
  const delivered = new Map<string, Delivery>();
  const duplicates: string[] = [];
  let checkpoint: string | Date = since;
  let run = 0;
  let seg = 0;
  let runDone = true;

  const read = async (spec: Segment | undefined) => {
    if (runDone) {
      run++;
      seg = 0;
    } else seg++;
    for (const m of spec?.before ?? []) await apply(devrev, m);
    const feed = devrev.engagements.changes({
      since: checkpoint,
      ...(spec ? { pageSize: spec.pageSize } : {}),
    });
    let count = 0;
    for await (const change of feed) {
      count++;
      expect(change.type).toBe('upsert');
      const key = `${change.remoteId}|${recordFingerprint(change.engagement?.raw)}`;
      const earlier = delivered.get(key);
      // Again only at a resume boundary: in a later segment of the same run.
      if (earlier && !(earlier.run === run && earlier.segment < seg)) {
        duplicates.push(`${key} run ${earlier.run}.${earlier.segment} and ${run}.${seg}`);
      }
      delivered.set(key, { run, segment: seg });
      store.set(change.remoteId, change);
      for (const d of spec?.during ?? []) if (d.at === count) await apply(devrev, d.mutation);
      if (spec?.stopAt != null && count >= spec.stopAt) break;
    }
    checkpoint = feed.checkpoint;
    runDone = feed.done;
  };

  for (const spec of segments) await read(spec);
  // Finish the run in progress (at most one more segment without a stop), then one full run.
  if (!runDone) await read(undefined);
  expect(runDone).toBe(true);
  await read(undefined);
  expect(runDone).toBe(true);
  return { store, duplicates, since };
}

describe('engagements.changes() against the sandbox (property)', () => {
  it('loses no change and repeats one only at a resume boundary, across edits, late inserts, deletes and stops', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(0, 300_000),
        async (segments, lookbackMs) => {
          const { store, duplicates, since } = await play(segments, lookbackMs);
          expect(duplicates).toEqual([]);
          const missing: string[] = [];
          const stale: string[] = [];
          let expected = 0;
          for (const res of ['engagements', 'conversations'] as const) {
            const records = sb.data.devrev[res];
            for (const [id, fingerprint] of records.snapshot()) {
              const modified = Date.parse(String(records.get(id)?.modified_date));
              if (!(modified >= since.getTime())) continue;
              expected++;
              const change = store.get(id);
              if (!change) missing.push(id);
              else if (recordFingerprint(change.engagement?.raw) !== fingerprint) stale.push(id);
            }
          }
          expect(missing).toEqual([]);
          expect(stale).toEqual([]);
          // The property is about something: seeded data alone puts records after `since`.
          expect(expected).toBeGreaterThan(5);
        },
      ),
      { numRuns: 15, seed: 20261130 },
    );
  }, 240_000);

  it('a run after an edit to a 90-day-old engagement reads one page, not the listing', async () => {
    sb.reset();
    const devrev = createDevRevAdapter({ ...sb.adapterOptions.devrev, changesLookbackMs: 0 });
    const first = devrev.engagements.changes({ since: new Date(), pageSize: 5 });
    expect(await first.toArray()).toEqual([]);
    const records = sb.data.devrev.engagements;
    const old = records.insert({ scheduled_date: new Date(Date.now() - 90 * 86_400_000) });
    const edited = records.update(String(old.id), { title: 'moved' });
    sb.log.clear();
    const changes = await devrev.engagements
      .changes({ since: first.checkpoint, pageSize: 5 })
      .toArray();
    expect(changes.map((c) => [c.remoteId, c.engagement?.subject])).toEqual([[edited.id, 'moved']]);
    const requests = sb.log.entries({ vendor: 'devrev' }).map((e) => e.path);
    // 40 seeded engagements make 8 pages of 5; the run stops after the first.
    expect(requests).toEqual(['/engagements.list', '/conversations.list']);
  });
});
