import { expect, it } from 'vitest';
import type { Queryable, StoreDriver } from '../src/driver';
import { createStore } from '../src/store';
import { minimalEngagement, remove, upsert } from './support/fixtures';

/**
 * One data statement the store sent: its kind, the rows of its `jsonb` parameter, the raw records
 * of an upsert's `json` parameter, and the characters of both.
 */
interface Sent {
  kind: string;
  rows: unknown[][];
  raws: unknown[];
  chars: number;
}

/**
 * A driver that answers migrations and checkpoints with nothing and each upsert/delete with the
 * number of rows it carried: the statements the store builds, not a database's answer, are under
 * test here (the store suites run the same writes against PGlite and Postgres).
 */
function recordingDriver(sent: Sent[]): StoreDriver {
  const q: Queryable = {
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const m = /^INSERT INTO "[a-z_]+"\.engagements AS e \(([\w, ]+)\)/.exec(sql);
      if (!m) return { rows: [] as R[], rowCount: 0 };
      const kind = m[1] === 'id, provider, remote_id, changed_at, deleted_at' ? 'delete' : 'upsert';
      expect(params).toHaveLength(kind === 'delete' ? 1 : 2);
      const payloads = params as string[];
      const rows = JSON.parse(payloads[0] as string) as unknown[][];
      const raws = kind === 'delete' ? [] : (JSON.parse(payloads[1] as string) as unknown[]);
      if (kind === 'upsert') expect(raws).toHaveLength(rows.length);
      sent.push({ kind, rows, raws, chars: payloads.reduce((n, p) => n + p.length, 0) });
      return { rows: [] as R[], rowCount: rows.length };
    },
  };
  return {
    ...q,
    queryArrays: () => Promise.reject(new Error('not used here')),
    transaction: (fn) => fn(q),
    close: async () => {},
  };
}

it('sends a batch as statements of at most 1,000 rows, rows and raw records as one array each, in id order', async () => {
  const sent: Sent[] = [];
  const store = createStore(async () => recordingDriver(sent), { schema: 'chunks' });
  const upserts = Array.from({ length: 2_345 }, (_, i) =>
    upsert(minimalEngagement(2_345 - i), '2026-10-02T00:00:00.000Z'),
  );
  const deletes = Array.from({ length: 3 }, (_, i) =>
    remove(minimalEngagement(10_000 + i), '2026-10-03T00:00:00.000Z'),
  );
  expect(await store.writeBatch({ changes: [...upserts, ...deletes] })).toEqual({
    upserted: 2_345,
    deleted: 3,
    skipped: 0,
  });
  expect(sent.map((s) => [s.kind, s.rows.length])).toEqual([
    ['upsert', 1_000],
    ['upsert', 1_000],
    ['upsert', 345],
    ['delete', 3],
  ]);
  const ids = sent.filter((s) => s.kind === 'upsert').flatMap((s) => s.rows.map((r) => r[0]));
  expect(ids).toHaveLength(2_345);
  expect(ids).toEqual([...ids].sort());
  expect(new Set(ids).size).toBe(2_345);
  // Text columns as strings; jsonb columns inline in a one-element array (SQL NULL: null); raw
  // beside the row.
  const first = sent[0]?.rows[0] ?? [];
  expect(first.slice(0, 3)).toEqual(['truto:M-1', 'truto', 'M-1']);
  expect(first[4]).toBe('email');
  expect(first[11]).toBe('2026-10-01T00:00:00.000Z');
  expect(first.slice(15, 20)).toEqual([[[]], [[]], [[]], [[]], [[]]]);
  expect(first[24]).toBeNull();
  expect(first).toHaveLength(27);
  expect(sent[0]?.raws[0]).toBeNull();
  expect(sent[3]?.rows[0]).toEqual([
    'truto:M-10000',
    'truto',
    'M-10000',
    '2026-10-03T00:00:00.000Z',
  ]);
});

it('starts a new statement before one would pass 32 MiB of rows; a larger row goes alone', async () => {
  const sent: Sent[] = [];
  const store = createStore(async () => recordingDriver(sent), { schema: 'chunks' });
  const big = (n: number, mib: number) =>
    upsert(
      minimalEngagement(n, { raw: { blob: 'x'.repeat(mib * 1024 * 1024) } }),
      '2026-10-02T00:00:00.000Z',
    );
  // 12 + 12 fit in one statement; the third 12 would pass 32 MiB; the 40 MiB row is alone.
  const batch = [big(1, 12), big(2, 12), big(3, 12), big(4, 40), big(5, 1)];
  expect(await store.writeBatch({ changes: batch })).toEqual({
    upserted: 5,
    deleted: 0,
    skipped: 0,
  });
  expect(sent.map((s) => s.rows.map((r) => r[0]))).toEqual([
    ['truto:M-1', 'truto:M-2'],
    ['truto:M-3'],
    ['truto:M-4'],
    ['truto:M-5'],
  ]);
  for (const s of sent.slice(0, 2)) expect(s.chars).toBeLessThanOrEqual(32 * 1024 * 1024);
});
