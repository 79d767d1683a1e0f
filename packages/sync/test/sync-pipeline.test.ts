import { afterAll, beforeAll, expect, it } from 'vitest';
import { pgliteStore } from '../src/pglite';
import type { SyncStore, WriteBatch } from '../src/store';
import { createSync, type SyncClient } from '../src/sync';
import { fakeClient } from './support/fake-client';
import { fullEngagement } from './support/fixtures';

const BATCH = 10;
let inner: SyncStore;
beforeAll(async () => {
  inner = pgliteStore('memory://');
  await inner.ready();
}, 180_000);
afterAll(async () => {
  await inner?.close();
});

/**
 * Lets the event loop turn until `until()` holds, at least `n` times and, waiting for it, for at
 * least `minMs` of real time: the store's first round trip to its PGlite worker thread can outlast
 * 2,000 turns on a loaded machine (CI once failed so). No assertion depends on the clock.
 */
async function turns(n: number, until: () => boolean, minMs = 0): Promise<boolean> {
  const started = performance.now();
  for (let i = 0; !until() && (i < n || performance.now() - started < minMs); i++) {
    await new Promise((r) => setImmediate(r));
  }
  return until();
}

/** `client` whose listing calls `onPull` for each item the sync pulls from it. */
function countingPulls(client: SyncClient, onPull: () => void): SyncClient {
  return {
    engagements: {
      ...client.engagements,
      list: (p) => {
        const listing = client.engagements.list(p);
        return {
          get cursor() {
            return listing.cursor;
          },
          get done() {
            return listing.done;
          },
          async *[Symbol.asyncIterator]() {
            for await (const e of listing) {
              onPull();
              yield e;
            }
          },
        };
      },
    },
  };
}

it('reads the next batch while the previous one commits, and commits batches in order with their cursors', async () => {
  const items = Array.from({ length: 35 }, (_, i) => fullEngagement(i + 1));
  const { client } = fakeClient(items);
  let pulled = 0;
  const counted = countingPulls(client, () => {
    pulled++;
  });
  const overlapped: boolean[] = [];
  const checkpoints: string[] = [];
  let writing = 0;
  let maxWriting = 0;
  const store: SyncStore = {
    ...inner,
    async writeBatch(batch: WriteBatch) {
      writing++;
      maxWriting = Math.max(maxWriting, writing);
      const at = pulled;
      // A full batch only: the listing should go on into the next batch before this one is in.
      if (batch.changes.length === BATCH && at < items.length) {
        overlapped.push(await turns(500, () => pulled > at, 5_000));
      }
      try {
        const r = await inner.writeBatch(batch);
        const value = JSON.parse(batch.checkpoint?.value ?? '{}');
        checkpoints.push(`${value.phase}${value.cursor ? `@${value.cursor}` : ''}`);
        return r;
      } finally {
        writing--;
      }
    },
  };
  const stats = await createSync({ client: counted, store, batchSize: BATCH }).run({
    from: '2026-01-01T00:00:00.000Z',
  });
  expect(stats.upserted).toBe(35);
  // Batches 1 and 2 commit while the listing reads on; by the time batch 3's commit starts, the
  // listing (two batches may wait) has read everything.
  expect(overlapped).toEqual([true, true]);
  expect(maxWriting).toBe(1);
  // The backfill's last write hands over to the change feed, which commits its own checkpoint.
  expect(checkpoints).toEqual(['backfill@10', 'backfill@20', 'backfill@30', 'changes', 'changes']);
  const rows = await inner.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM engagekit.engagements',
  );
  expect(rows[0]?.n).toBe(35);
}, 120_000);

it('reads on while two batches wait for their commit, pauses at the third, and commits them in order', async () => {
  const items = Array.from({ length: 60 }, (_, i) => fullEngagement(200 + i));
  const { client } = fakeClient(items);
  let pulled = 0;
  const counted = countingPulls(client, () => {
    pulled++;
  });
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const started: number[] = [];
  const checkpoints: string[] = [];
  const store: SyncStore = {
    ...inner,
    async writeBatch(batch: WriteBatch) {
      started.push(batch.changes.length);
      await gate;
      const r = await inner.writeBatch(batch);
      checkpoints.push(JSON.parse(batch.checkpoint?.value ?? '{}').cursor ?? 'end');
      return r;
    },
  };
  const run = createSync({ client: counted, store, stream: 'queued', batchSize: BATCH }).run({
    from: '2026-01-01T00:00:00.000Z',
  });
  // The first commit is held: batch 2 waits behind it, and the listing stops once batch 3 is full.
  expect(await turns(2_000, () => pulled >= 30, 10_000)).toBe(true);
  await turns(200, () => false);
  expect(pulled).toBe(30);
  expect(started).toEqual([BATCH]);
  open();
  const stats = await run;
  expect(stats.upserted).toBe(60);
  // Six full batches, then the backfill's end (no cursor), then the change feed's own commits.
  expect(checkpoints.slice(0, 7)).toEqual(['10', '20', '30', '40', '50', '60', 'end']);
}, 120_000);

it('a failed commit ends the run with its error, and no batch queued behind it is written', async () => {
  const items = Array.from({ length: 40 }, (_, i) => fullEngagement(300 + i));
  const { client } = fakeClient(items);
  let calls = 0;
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  const store: SyncStore = {
    ...inner,
    async writeBatch() {
      calls++;
      // Held until the listing has queued the next batch behind this one, then fails.
      return failed;
    },
  };
  const run = createSync({ client, store, stream: 'failing', batchSize: BATCH }).run({
    from: '2026-01-01T00:00:00.000Z',
  });
  await turns(200, () => false);
  fail(new Error('disk full'));
  await expect(run).rejects.toThrow('disk full');
  expect(calls).toBe(1);
  expect(await inner.getCheckpoint('failing')).toBeUndefined();
}, 120_000);
