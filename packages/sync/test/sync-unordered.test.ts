import { PGlite } from '@electric-sql/pglite';
import type { Sandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSync } from '../src/index';
import { pgliteStore } from '../src/pglite';
import type { SyncStore } from '../src/store';
import { upsert } from './support/fixtures';
import { SYNC_FROM, sandboxClient, sandboxData, startSyncSandbox } from './support/sandbox';

// A sync's backfill lists with order 'none': each provider as its adapter returns it, nothing
// sorted or spilled (the external sort of the providers that do not list in order cost the sync as
// much CPU as writing its rows). A checkpoint written by a time-ordered backfill still resumes.

let sb: Sandbox;
let pglite: PGlite;
let n = 0;
const stores: SyncStore[] = [];
beforeAll(async () => {
  sb = await startSyncSandbox();
  pglite = new PGlite();
});
afterAll(async () => {
  for (const s of stores) await s.close().catch(() => {});
  await pglite?.close();
  await sb?.close();
});

const newStore = () => {
  const store = pgliteStore(pglite, { schema: `unordered_${++n}` });
  stores.push(store);
  return store;
};

/** The store's rows as `id → subject` (what the sandbox's data must equal). */
async function table(store: SyncStore): Promise<Map<string, string | null>> {
  const rows = await store.query<{ id: string; subject: string | null }>(
    `SELECT id, subject FROM "${store.schema}".engagements WHERE deleted_at IS NULL`,
  );
  return new Map(rows.map((r) => [r.id, r.subject]));
}

async function expected(): Promise<Map<string, string | null>> {
  const data = await sandboxData(sandboxClient(sb).adapters, SYNC_FROM);
  return new Map([...data].map(([id, e]) => [id, e.subject ?? null]));
}

it("a first run checkpoints an order-'none' listing; stopped after its first batch, the next run resumes it and the table is exact", async () => {
  const store = newStore();
  const { client } = sandboxClient(sb);
  const orders: (string | undefined)[] = [];
  const listing = client.engagements.list.bind(client.engagements);
  const recording = {
    ...client,
    engagements: {
      ...client.engagements,
      list: (params: Parameters<typeof listing>[0]) => {
        if (orders.length > 10) throw new Error('listed too often');
        orders.push(params?.order);
        return listing(params);
      },
    },
  };
  const stop = new Error('stop after the first batch');
  const first = await createSync({
    client: recording,
    store,
    batchSize: 25,
    onBatch: () => {
      throw stop;
    },
  })
    .run({ from: SYNC_FROM })
    .catch((e: unknown) => e);
  expect(first).toBe(stop);
  const checkpoint = JSON.parse((await store.getCheckpoint('engagements')) as string);
  expect(checkpoint.phase).toBe('backfill');
  expect(checkpoint.order).toBe('none');
  expect(typeof checkpoint.cursor).toBe('string');
  expect((await table(store)).size).toBe(25);

  await createSync({ client: recording, store, batchSize: 25 }).run({ from: SYNC_FROM });
  expect(orders).toEqual(['none', 'none']);
  expect(await table(store)).toEqual(await expected());
});

it('a checkpoint of a time-ordered backfill (no order stored, as earlier versions wrote) resumes as one', async () => {
  const store = newStore();
  await store.ready();
  const { client } = sandboxClient(sb);
  const to = new Date();
  // What an earlier version committed: a time-ordered cursor after the first 40 records.
  const ordered = client.engagements.list({ from: SYNC_FROM, to });
  const firstForty = await ordered.toArray({ max: 40 });
  expect(firstForty).toHaveLength(40);
  await store.writeBatch({
    changes: firstForty.map((e) => upsert(e, e.updatedAt ?? e.occurredAt)),
    checkpoint: {
      stream: 'engagements',
      value: JSON.stringify({
        v: 1,
        phase: 'backfill',
        from: SYNC_FROM.toISOString(),
        to: to.toISOString(),
        cursor: ordered.cursor,
      }),
    },
  });
  const stats = await createSync({ client, store, batchSize: 50 }).run();
  expect(stats.upserted).toBeGreaterThan(0);
  expect(await table(store)).toEqual(await expected());
});
