import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type EngagementChange, InputValidationError } from '@engagekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSync,
  type SyncBatchEvent,
  type SyncClient,
  SyncError,
  shardStream,
  syncShard,
} from '../src/index';
import { pgliteStore } from '../src/pglite';
import { fakeClient } from './support/fake-client';
import { minimalEngagement, upsert } from './support/fixtures';
import { describeSync } from './support/sync-suite';

const dir = mkdtempSync(join(tmpdir(), 'engagekit-pglite-sync-'));
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create(join(dir, 'db'));
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describeSync('PGlite', () => (options) => pgliteStore(db, options));

describe('createSync with a fake client', () => {
  let n = 0;
  const store = () => pgliteStore(db, { schema: `fake_${++n}` });
  const items = Array.from({ length: 7 }, (_, i) => minimalEngagement(i));

  it('backfills [from, start), then reads the feed from 5 minutes before the backfill began', async () => {
    const s = store();
    const { client, calls } = fakeClient(items, [
      upsert(minimalEngagement(0, { subject: 'edited' }), '2030-01-01T00:00:00.000Z'),
    ]);
    const before = Date.now();
    const events: SyncBatchEvent[] = [];
    const stats = await createSync({
      client,
      store: s,
      batchSize: 3,
      onBatch: (e) => events.push(e),
    }).run({ from: '2026-01-01T00:00:00Z' });
    expect(events.map((e) => [e.phase, e.byProvider, e.upserted, e.skipped])).toEqual([
      ['backfill', { truto: 3 }, 3, 0],
      ['backfill', { truto: 3 }, 3, 0],
      ['backfill', { truto: 1 }, 1, 0],
      ['changes', { truto: 1 }, 1, 0],
    ]);
    expect(new Set(events.map((e) => e.stream))).toEqual(new Set(['engagements']));
    const after = Date.now();
    expect({ upserted: stats.upserted, deleted: stats.deleted, skipped: stats.skipped }).toEqual({
      upserted: 8,
      deleted: 0,
      skipped: 0,
    });
    expect(calls.list).toHaveLength(1);
    expect(calls.list[0]?.from).toEqual(new Date('2026-01-01T00:00:00.000Z'));
    const to = new Date(calls.list[0]?.to ?? Number.NaN).getTime();
    expect(to).toBeGreaterThanOrEqual(before);
    expect(to).toBeLessThanOrEqual(after);
    expect(calls.changes).toHaveLength(1);
    expect(calls.changes[0]?.since).toEqual(new Date(to - 300_000));
    expect(JSON.parse(stats.checkpoint ?? '')).toEqual({
      v: 1,
      phase: 'changes',
      sinceTime: new Date(to - 300_000).toISOString(),
      since: 'fake-1',
    });
    expect((await s.get('truto:M-0'))?.engagement.subject).toBe('edited');
    await s.close();
  });

  it('defaults from to 90 days before the run, and a later run only reads the feed from its checkpoint', async () => {
    const s = store();
    const { client, calls } = fakeClient(items);
    const before = Date.now();
    const sync = createSync({ client, store: s });
    await sync.run();
    const from = new Date(calls.list[0]?.from ?? Number.NaN).getTime();
    const to = new Date(calls.list[0]?.to ?? Number.NaN).getTime();
    expect(to - from).toBe(90 * 86_400_000);
    expect(to).toBeGreaterThanOrEqual(before);
    const second = await sync.run({ from: '2020-01-01T00:00:00Z' });
    expect(calls.list).toHaveLength(1);
    expect(calls.changes.map((c) => c.since)).toEqual([new Date(to - 300_000), 'fake-0']);
    expect({ upserted: second.upserted, deleted: second.deleted, skipped: second.skipped }).toEqual(
      {
        upserted: 0,
        deleted: 0,
        skipped: 0,
      },
    );
    await s.close();
  });

  it('refuses bad options and params, naming the field, before touching the store', async () => {
    const { client } = fakeClient(items);
    const s = store();
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return (error as InputValidationError).issues[0]?.path;
      }
      return 'no error';
    };
    expect(field(() => createSync({ client, store: s, batchSize: 0 }))).toBe('batchSize');
    expect(field(() => createSync({ client, store: s, batchSize: 10_001 }))).toBe('batchSize');
    expect(field(() => createSync({ client, store: s, stream: '' }))).toBe('stream');
    expect(field(() => createSync({ client, store: s, lookbackMs: -1 }))).toBe('lookbackMs');
    expect(field(() => createSync({ client: {} as SyncClient, store: s }))).toBe('client');
    const sync = createSync({ client, store: s });
    await expect(sync.run({ from: new Date(Date.now() + 86_400_000) })).rejects.toThrow(
      'from: expected a valid date in the past',
    );
    await expect(sync.run({ from: 'not a date' })).rejects.toBeInstanceOf(InputValidationError);
    await expect(sync.apply([{ type: 'upsert' } as EngagementChange])).rejects.toThrow(
      'changes.0.id',
    );
    await expect(
      syncShard({
        client,
        store: s,
        shard: { provider: 'truto', from: '2026-02-01', to: '2026-01-01' },
      }),
    ).rejects.toThrow('shard.to: expected a date after shard.from');
    expect(await s.query(`SELECT stream FROM "${s.schema}".checkpoints`)).toEqual([]);
    await s.close();
  });

  it('does not mark a backfill done when the listing ended early: it keeps what it read and throws', async () => {
    const s = store();
    const { client, calls } = fakeClient(items, [], { listingEndsEarly: true });
    await expect(createSync({ client, store: s, batchSize: 5 }).run()).rejects.toThrow(
      'The listing of stream "engagements" ended before its end',
    );
    const state = JSON.parse((await s.getCheckpoint('engagements')) ?? '');
    expect({ phase: state.phase, cursor: state.cursor }).toEqual({
      phase: 'backfill',
      cursor: '7',
    });
    expect(await s.query(`SELECT count(*)::int AS n FROM "${s.schema}".engagements`)).toEqual([
      { n: 7 },
    ]);
    expect(calls.changes).toHaveLength(0);
    await s.close();
  });

  it('refuses a second run of the same sync while one is in progress', async () => {
    const s = store();
    const { client } = fakeClient(items);
    const sync = createSync({ client, store: s });
    const first = sync.run();
    await expect(sync.run()).rejects.toBeInstanceOf(SyncError);
    await first;
    await s.close();
  });

  it('refuses a checkpoint it did not write, and a shard stream of another window', async () => {
    const s = store();
    const { client } = fakeClient(items);
    await s.writeBatch({ changes: [], checkpoint: { stream: 'engagements', value: '{"v":9}' } });
    await expect(createSync({ client, store: s }).run()).rejects.toThrow(
      'Checkpoint stream "engagements" holds a value this version of @engagekit/sync cannot read',
    );
    const shard = {
      provider: 'truto',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
    };
    await syncShard({ client, store: s, shard });
    await expect(
      syncShard({
        client,
        store: s,
        shard: { ...shard, to: '2026-03-01T00:00:00.000Z' },
        stream: shardStream(shard),
      }),
    ).rejects.toBeInstanceOf(SyncError);
    await s.close();
  });
});
