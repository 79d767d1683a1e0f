import { type EngagementChange, InputValidationError } from '@engagekit/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pgliteStore } from '../src/pglite';
import { PREPARE_UPSERT, type PrepareUpsert, type SyncStore, type WriteBatch } from '../src/store';
import { createSync } from '../src/sync';
import { fakeClient } from './support/fake-client';
import { fullEngagement, upsert } from './support/fixtures';

// The backfill encodes each record's row as it arrives (the store's PREPARE_UPSERT), so a batch
// waiting for its commit holds rows, not engagement objects; any other store gets plain changes.

let inner: SyncStore;
beforeAll(async () => {
  inner = pgliteStore('memory://');
  await inner.ready();
}, 180_000);
afterAll(async () => {
  await inner?.close();
});

const prepareOf = (store: SyncStore) =>
  (store as unknown as Record<typeof PREPARE_UPSERT, PrepareUpsert>)[PREPARE_UPSERT];

it("this package's store gets upserts already encoded, without the engagements, and stores them exactly", async () => {
  const items = Array.from({ length: 25 }, (_, i) => fullEngagement(i + 1));
  const { client } = fakeClient(items);
  const seen: EngagementChange[] = [];
  const store: SyncStore = {
    ...inner,
    writeBatch(batch: WriteBatch) {
      seen.push(...batch.changes);
      return inner.writeBatch(batch);
    },
  };
  const stats = await createSync({ client, store, stream: 'prepared', batchSize: 10 }).run({
    from: '2026-01-01T00:00:00.000Z',
  });
  expect(stats.upserted).toBe(25);
  expect(seen).toHaveLength(25);
  expect(seen.filter((c) => c.engagement !== undefined)).toEqual([]);
  expect(seen.map((c) => c.id)).toEqual(items.map((e) => e.id));
  for (const e of [items[0], items[12], items[24]]) {
    const stored = await inner.get(e?.id as string);
    expect(stored?.engagement).toEqual(e);
    expect(stored?.changedAt).toBe(e?.updatedAt);
  }
});

it('a store of its own (no PREPARE_UPSERT) gets each upsert with its engagement', async () => {
  const items = Array.from({ length: 5 }, (_, i) => fullEngagement(100 + i));
  const { client } = fakeClient(items);
  const seen: EngagementChange[] = [];
  const own: SyncStore = {
    schema: inner.schema,
    ready: () => inner.ready(),
    writeBatch(batch) {
      seen.push(...batch.changes);
      return inner.writeBatch(batch);
    },
    getCheckpoint: (s) => inner.getCheckpoint(s),
    get: (id) => inner.get(id),
    query: (sql, params) => inner.query(sql, params),
    queryArrays: (sql, params) => inner.queryArrays(sql, params),
    close: async () => {},
  };
  const stats = await createSync({ client, store: own, stream: 'own' }).run({
    from: '2026-01-01T00:00:00.000Z',
  });
  expect(stats.upserted).toBe(5);
  expect(seen.map((c) => c.engagement)).toEqual(items);
});

it('a prepared upsert writes the same row as a plain one: replaying either way changes nothing', async () => {
  const e = fullEngagement(200, { subject: 'Søren \u0000 \ud800 王芳' });
  const at = '2026-10-05T00:00:00.000Z';
  const prepared = prepareOf(inner)(e, at);
  expect(prepared.engagement).toBeUndefined();
  expect(await inner.writeBatch({ changes: [prepared] })).toEqual({
    upserted: 1,
    deleted: 0,
    skipped: 0,
  });
  // Same time, same content, sent the plain way: the hashes agree, so nothing is written.
  expect(await inner.writeBatch({ changes: [upsert(e, at)] })).toEqual({
    upserted: 0,
    deleted: 0,
    skipped: 1,
  });
  expect(await inner.writeBatch({ changes: [prepareOf(inner)(e, at)] })).toEqual({
    upserted: 0,
    deleted: 0,
    skipped: 1,
  });
  // Same time, other content: written.
  const edited = { ...e, subject: 'edited' };
  expect(await inner.writeBatch({ changes: [prepareOf(inner)(edited, at)] })).toEqual({
    upserted: 1,
    deleted: 0,
    skipped: 0,
  });
  expect((await inner.get(e.id))?.engagement.subject).toBe('edited');
});

it('a prepared upsert whose time does not parse is refused by writeBatch, naming the field', async () => {
  const e = fullEngagement(300);
  const prepared = prepareOf(inner)(e, 'last tuesday');
  const write = inner.writeBatch({ changes: [prepared] });
  await expect(write).rejects.toBeInstanceOf(InputValidationError);
  await expect(write).rejects.toMatchObject({
    issues: [expect.objectContaining({ path: 'changes.0.changedAt' })],
  });
  expect(await inner.get(e.id)).toBeUndefined();
});
