import { afterAll, beforeAll, expect, it } from 'vitest';
import { pgliteStore } from '../src/pglite';
import type { SyncStore, WriteBatch } from '../src/store';
import { createSync } from '../src/sync';
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

/** Lets the event loop turn `n` times (no timers: the test never depends on the clock). */
async function turns(n: number, until: () => boolean): Promise<boolean> {
  for (let i = 0; i < n && !until(); i++) await new Promise((r) => setImmediate(r));
  return until();
}

it('reads the next batch while the previous one commits, and commits batches in order with their cursors', async () => {
  const items = Array.from({ length: 35 }, (_, i) => fullEngagement(i + 1));
  const { client } = fakeClient(items);
  let pulled = 0;
  const counted = {
    engagements: {
      ...client.engagements,
      list: (p: Parameters<typeof client.engagements.list>[0]) => {
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
              pulled++;
              yield e;
            }
          },
        };
      },
    },
  };
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
        overlapped.push(await turns(500, () => pulled > at));
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
  expect(overlapped).toEqual([true, true, true]);
  expect(maxWriting).toBe(1);
  // The backfill's last write hands over to the change feed, which commits its own checkpoint.
  expect(checkpoints).toEqual(['backfill@10', 'backfill@20', 'backfill@30', 'changes', 'changes']);
  const rows = await inner.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM engagekit.engagements',
  );
  expect(rows[0]?.n).toBe(35);
}, 120_000);
