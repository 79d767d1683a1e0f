import { AbortError, type Engagement } from '@engagekit/core';
import type { Sandbox } from '@engagekit/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSync,
  rowToEngagement,
  type StoreOptions,
  type SyncStore,
  shardStream,
  syncShard,
} from '../../src/index';
import { SANDBOX_NOW, SYNC_FROM, sandboxClient, sandboxData, startSyncSandbox } from './sandbox';

let counter = 0;

/** Live rows of the store, as engagements by id. */
export async function storedEngagements(store: SyncStore): Promise<Map<string, Engagement>> {
  const rows = await store.query(
    `SELECT * FROM "${store.schema}".engagements WHERE deleted_at IS NULL ORDER BY id`,
  );
  return new Map(rows.map((r) => [String(r.id), rowToEngagement(r)]));
}

/** A store whose `writeBatch` fails before writing on call number `failOn` (a crash mid-sync). */
function crashingOn(store: SyncStore, failOn: number): SyncStore & { writes: number } {
  const wrapped = Object.create(store) as SyncStore & { writes: number };
  wrapped.writes = 0;
  wrapped.writeBatch = async (batch) => {
    wrapped.writes++;
    if (wrapped.writes === failOn) throw new Error('crash before commit');
    return store.writeBatch(batch);
  };
  return wrapped;
}

/** `createSync()` against the sandbox, on the given kind of store. */
export function describeSync(name: string, open: () => (options: StoreOptions) => SyncStore) {
  describe(`sync into ${name}`, () => {
    let sb: Sandbox;
    let env: ReturnType<typeof sandboxClient>;
    let expected: Map<string, Engagement>;
    const opened: SyncStore[] = [];
    const fresh = () => {
      const store = open()({ schema: `s_${process.pid}_${++counter}` });
      opened.push(store);
      return store;
    };
    beforeAll(async () => {
      sb = await startSyncSandbox();
      env = sandboxClient(sb);
      expected = await sandboxData(env.adapters, SYNC_FROM);
    });
    afterAll(async () => {
      await sb?.close();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      sb.reset();
    });

    it('backfills exactly the sandbox data (ids and content), then follows the change feed', async () => {
      // Seed 7, 60 records per vendor over 30 days: some DevRev ones fall outside the range.
      expect(expected.size).toBeGreaterThan(150);
      expect(expected.size).toBeLessThanOrEqual(180);
      const store = fresh();
      const sync = createSync({ client: env.client, store, batchSize: 50 });
      const first = await sync.run({ from: SYNC_FROM });
      expect(first.upserted).toBe(expected.size);
      expect(first.deleted).toBe(0);
      const stored = await storedEngagements(store);
      expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [id, e] of expected) expect(stored.get(id), id).toEqual(e);
      const state = JSON.parse(first.checkpoint ?? '');
      expect(state.phase).toBe('changes');
      expect(typeof state.since).toBe('string');

      // Nothing changed in the sandbox: the feed's changes (re-reads) write nothing.
      const second = await sync.run();
      expect({ upserted: second.upserted, deleted: second.deleted }).toEqual({
        upserted: 0,
        deleted: 0,
      });
      const again = await storedEngagements(store);
      for (const [id, e] of expected) expect(again.get(id), id).toEqual(e);
    });

    it('picks up an engagement created after the backfill on the next run', async () => {
      const store = fresh();
      const sync = createSync({ client: env.client, store });
      await sync.run({ from: SYNC_FROM });
      // DevRev requires members: take one from an existing engagement.
      const member = [...expected.values()]
        .find((e) => e.provider === 'devrev' && e.participants.some((p) => p.id))
        ?.participants.find((p) => p.id)?.id;
      const created = await env.client.engagements.create('devrev', {
        kind: 'call',
        participantIds: [member ?? 'no-member'],
        subject: 'made after the backfill',
        occurredAt: new Date(SANDBOX_NOW.getTime() - 3_600_000),
      });
      const next = await sync.run();
      expect(next.upserted).toBeGreaterThanOrEqual(1);
      expect((await store.get(created.id))?.engagement).toEqual(
        await env.adapters.devrev.engagements.get(created.id),
      );
    });

    it('a crash between batches loses nothing: the next run resumes from the last commit', async () => {
      const store = fresh();
      const crashing = crashingOn(store, 4);
      await expect(
        createSync({ client: env.client, store: crashing, batchSize: 25 }).run({ from: SYNC_FROM }),
      ).rejects.toThrow('crash before commit');
      // Three batches committed, each with the cursor after it; the fourth never was.
      expect((await storedEngagements(store)).size).toBe(75);
      const state = JSON.parse((await store.getCheckpoint('engagements')) ?? '');
      expect(state.phase).toBe('backfill');
      expect(typeof state.cursor).toBe('string');

      const resumed = await createSync({ client: env.client, store, batchSize: 25 }).run();
      expect(resumed.upserted).toBe(expected.size - 75);
      const stored = await storedEngagements(store);
      expect(stored.size).toBe(expected.size);
      for (const [id, e] of expected) expect(stored.get(id), id).toEqual(e);
    });

    it('an abort mid-backfill keeps what was read, and the next run finishes it', async () => {
      const store = fresh();
      const controller = new AbortController();
      const watched = Object.create(store) as SyncStore;
      let writes = 0;
      watched.writeBatch = async (batch) => {
        const r = await store.writeBatch(batch);
        if (++writes === 2) controller.abort();
        return r;
      };
      const sync = createSync({ client: env.client, store: watched, batchSize: 20 });
      await expect(sync.run({ from: SYNC_FROM, signal: controller.signal })).rejects.toBeInstanceOf(
        AbortError,
      );
      // The abort takes effect right after the commit during which it came, whatever was buffered.
      const kept = (await storedEngagements(store)).size;
      expect(kept).toBe(40);
      expect(JSON.parse((await store.getCheckpoint('engagements')) ?? '').phase).toBe('backfill');
      const rest = await createSync({ client: env.client, store }).run();
      expect(rest.upserted).toBe(expected.size - kept);
      expect((await storedEngagements(store)).size).toBe(expected.size);
    });

    it('apply() writes webhook changes: a partial upsert is read with get(), a delete leaves a tombstone', async () => {
      const store = fresh();
      const sync = createSync({ client: env.client, store });
      const [first, second] = [...expected.values()].filter((e) => e.provider === 'devrev');
      if (!first || !second) throw new Error('the sandbox has no devrev engagements');
      const stats = await sync.apply([
        {
          type: 'upsert',
          id: first.id,
          provider: first.provider,
          remoteId: first.remoteId,
          changedAt: '2030-01-01T00:00:00.000Z',
          source: 'webhook',
          partial: true,
        },
        {
          type: 'delete',
          id: second.id,
          provider: second.provider,
          remoteId: second.remoteId,
          changedAt: '2030-01-01T00:00:00.000Z',
          source: 'webhook',
        },
      ]);
      expect({ upserted: stats.upserted, deleted: stats.deleted, skipped: stats.skipped }).toEqual({
        upserted: 1,
        deleted: 1,
        skipped: 0,
      });
      expect((await store.get(first.id))?.engagement).toEqual(first);
      expect((await store.get(second.id))?.deletedAt).toBe('2030-01-01T00:00:00.000Z');
      // A later backfill of the same records is older than the webhook's changes: both stay.
      await sync.run({ from: SYNC_FROM });
      expect((await store.get(second.id))?.deletedAt).toBe('2030-01-01T00:00:00.000Z');
      expect((await store.get(first.id))?.changedAt).toBe('2030-01-01T00:00:00.000Z');
    });

    it('syncShard() lists one provider over one window under its own stream, once', async () => {
      const store = fresh();
      const shard = { provider: 'truto', from: SYNC_FROM, to: new Date() };
      const stats = await syncShard({ client: env.client, store, shard, batchSize: 10 });
      const truto = await sandboxData(env.adapters, SYNC_FROM, ['truto']);
      expect(stats.upserted).toBe(truto.size);
      const stored = await storedEngagements(store);
      expect([...stored.keys()].sort()).toEqual([...truto.keys()].sort());
      for (const [id, e] of truto) expect(stored.get(id)).toEqual(e);
      const stream = shardStream(shard);
      expect(stream).toBe(`shard:truto:${SYNC_FROM.toISOString()}:${shard.to.toISOString()}`);
      expect(JSON.parse((await store.getCheckpoint(stream)) ?? '').phase).toBe('done');
      const before = sb.log.entries().length;
      const again = await syncShard({ client: env.client, store, shard });
      expect({ upserted: again.upserted, skipped: again.skipped }).toEqual({
        upserted: 0,
        skipped: 0,
      });
      expect(sb.log.entries().length).toBe(before);
    });
  });
}
