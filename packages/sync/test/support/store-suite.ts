import { type EngagementChange, InputValidationError } from '@engagekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreOptions, SyncStore } from '../../src/index';
import { fullEngagement, minimalEngagement, remove, upsert } from './fixtures';

/** Opens a store on the suite's database with the given options (a fresh schema per test). */
export type OpenStore = (options: StoreOptions) => SyncStore;

let schemaCounter = 0;

/** The store contract, run against PGlite and against a Postgres server. */
export function describeStore(name: string, open: () => OpenStore) {
  describe(`${name} store`, () => {
    const opened: SyncStore[] = [];
    const fresh = (options: StoreOptions = {}) => {
      const store = open()({ schema: `t_${process.pid}_${++schemaCounter}`, ...options });
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    const count = async (store: SyncStore, where = 'true') => {
      const rows = await store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${store.schema}".engagements WHERE ${where}`,
      );
      return rows[0]?.n;
    };

    it('applies its migrations once, however often it is opened', async () => {
      const schema = `t_${process.pid}_${++schemaCounter}`;
      const first = fresh({ schema });
      await first.ready();
      await first.writeBatch({ changes: [upsert(fullEngagement(1), '2026-11-01T12:00:00.000Z')] });
      await first.close();
      const second = fresh({ schema });
      await second.ready();
      const migrations = await second.query<{ version: number; name: string }>(
        `SELECT version, name FROM "${schema}".migrations ORDER BY version`,
      );
      expect(migrations).toEqual([
        { version: 1, name: 'engagements and checkpoints' },
        { version: 2, name: 'rate limits' },
        { version: 3, name: 'raw as json' },
      ]);
      expect(await count(second)).toBe(1);
      const indexes = await second.query<{ indexname: string }>(
        'SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
        [schema],
      );
      expect(indexes.map((i) => i.indexname)).toEqual([
        'checkpoints_pkey',
        'engagements_occurred_at',
        'engagements_pkey',
        'engagements_provider_occurred_at',
        'migrations_pkey',
        'rate_limits_pkey',
      ]);
    });

    it('upgrades a version-2 table: raw goes from jsonb to json with every row read back as it was', async () => {
      const schema = `t_${process.pid}_${++schemaCounter}`;
      const old = fresh({ schema });
      const e = fullEngagement(1);
      await old.writeBatch({ changes: [upsert(e, '2026-11-01T12:00:00.000Z')] });
      // The table as migration 2 left it.
      await old.query(`DELETE FROM "${schema}".migrations WHERE version = 3`);
      await old.query(
        `ALTER TABLE "${schema}".engagements ALTER COLUMN raw TYPE jsonb USING raw::jsonb`,
      );
      await old.close();
      const upgraded = fresh({ schema });
      expect((await upgraded.get(e.id))?.engagement).toEqual(e);
      const type = await upgraded.query<{ t: string }>(
        `SELECT data_type AS t FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'engagements' AND column_name = 'raw'`,
        [schema],
      );
      expect(type).toEqual([{ t: 'json' }]);
      // The same content again is a replay: nothing written.
      expect(
        await upgraded.writeBatch({ changes: [upsert(e, '2026-11-01T12:00:00.000Z')] }),
      ).toEqual({ upserted: 0, deleted: 0, skipped: 1 });
    });

    it('refuses a newer schema version than it knows, with a typed error', async () => {
      const schema = `t_${process.pid}_${++schemaCounter}`;
      const first = fresh({ schema });
      await first.ready();
      await first.query(`INSERT INTO "${schema}".migrations (version, name) VALUES (99, 'future')`);
      await first.close();
      await expect(fresh({ schema }).ready()).rejects.toThrow(
        `Schema "${schema}" is at migration 99; this @engagekit/sync knows up to 3`,
      );
    });

    it('refuses a schema name that is not an identifier, naming the field, before connecting', () => {
      for (const bad of [
        '',
        'Engage',
        'a-b',
        'x"; drop table y; --',
        'pg_catalog',
        'a'.repeat(64),
        7,
      ]) {
        let caught: unknown;
        try {
          open()({ schema: bad as string });
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(InputValidationError);
        expect((caught as InputValidationError).issues[0]?.path).toBe('schema');
      }
    });

    it('puts its tables in the configured schema', async () => {
      const store = fresh({ schema: `custom_${process.pid}_${++schemaCounter}` });
      await store.writeBatch({
        changes: [upsert(minimalEngagement(1), '2026-10-01T00:00:00.000Z')],
      });
      const tables = await store.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [store.schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual([
        'checkpoints',
        'engagements',
        'migrations',
        'rate_limits',
      ]);
    });

    it('reads back exactly the engagement it wrote, full or minimal', async () => {
      const store = fresh();
      const full = fullEngagement(7);
      const minimal = minimalEngagement(8);
      const result = await store.writeBatch({
        changes: [
          upsert(full, '2026-11-01T12:00:00.000Z'),
          upsert(minimal, '2026-10-01T00:00:00.000Z'),
        ],
      });
      expect(result).toEqual({ upserted: 2, deleted: 0, skipped: 0 });
      const got = await store.get(full.id);
      expect(got?.engagement).toEqual(full);
      expect(Object.keys(got?.engagement ?? {}).sort()).toEqual(Object.keys(full).sort());
      expect(got?.changedAt).toBe('2026-11-01T12:00:00.000Z');
      expect(got?.deletedAt).toBeUndefined();
      const gotMinimal = await store.get(minimal.id);
      expect(gotMinimal?.engagement).toEqual(minimal);
      expect(Object.keys(gotMinimal?.engagement ?? {}).sort()).toEqual(Object.keys(minimal).sort());
      const typed = await store.query<Record<string, unknown>>(
        `SELECT kind, direction, provider, occurred_at, duration_seconds, json_typeof(raw) AS raw_type
         FROM "${store.schema}".engagements WHERE id = $1`,
        [full.id],
      );
      expect(typed[0]).toEqual({
        kind: 'call',
        direction: 'inbound',
        provider: 'devrev',
        occurred_at: new Date(full.occurredAt),
        duration_seconds: 1800.5,
        raw_type: 'object',
      });
    });

    it('stores raw: null as SQL NULL and reads it back as absent', async () => {
      const store = fresh();
      const e = minimalEngagement(1, { raw: null });
      await store.writeBatch({ changes: [upsert(e, '2026-10-01T00:00:00.000Z')] });
      const got = await store.get(e.id);
      expect('raw' in (got?.engagement ?? {})).toBe(false);
      const typed = await store.query(
        `SELECT raw IS NULL AS missing FROM "${store.schema}".engagements`,
      );
      expect(typed).toEqual([{ missing: true }]);
    });

    it('queryArrays gives rows as arrays in column order with every column, a repeated name too', async () => {
      const store = fresh();
      await store.writeBatch({
        changes: [1, 2, 3].map((n) => upsert(minimalEngagement(n), '2026-10-01T00:00:00.000Z')),
      });
      const result = await store.queryArrays(
        `SELECT id AS x, count(*) OVER ()::int AS x, $1::text AS p
         FROM "${store.schema}".engagements WHERE id <> $2 ORDER BY id`,
        ['param', minimalEngagement(2).id],
      );
      expect(result).toEqual({
        columns: ['x', 'x', 'p'],
        rows: [
          [minimalEngagement(1).id, 2, 'param'],
          [minimalEngagement(3).id, 2, 'param'],
        ],
      });
      // query() keeps the last of two columns of one name; queryArrays keeps both.
      expect(await store.query(`SELECT 1 AS a, 2 AS a`)).toEqual([{ a: 2 }]);
      expect(await store.queryArrays(`SELECT 1 AS a, 2 AS a`)).toEqual({
        columns: ['a', 'a'],
        rows: [[1, 2]],
      });
    });

    it("keeps raw as the vendor's JSON text: key order, and the operators read it", async () => {
      const store = fresh();
      const e = minimalEngagement(1, { raw: { zeta: 1, alpha: { b: 'x', a: [1, 2] } } });
      await store.writeBatch({ changes: [upsert(e, '2026-10-01T00:00:00.000Z')] });
      const rows = await store.query<{ text: string; a: string; first: number }>(
        `SELECT raw::text AS text, raw->'alpha'->>'b' AS a, (raw#>>'{alpha,a,0}')::int AS first
         FROM "${store.schema}".engagements`,
      );
      // jsonb would have sorted the keys (alpha before zeta).
      expect(rows).toEqual([{ text: '{"zeta":1,"alpha":{"b":"x","a":[1,2]}}', a: 'x', first: 1 }]);
    });

    it('stores a vendor string with a NUL character (Postgres refuses NUL) with U+FFFD instead', async () => {
      const store = fresh();
      const e = minimalEngagement(1, {
        subject: 'a\u0000b',
        raw: { text: 'c\u0000d', kept: 'e\\u0000f' },
      });
      await store.writeBatch({ changes: [upsert(e, '2026-10-01T00:00:00.000Z')] });
      const got = await store.get(e.id);
      expect(got?.engagement.subject).toBe('a\uFFFDb');
      expect(got?.engagement.raw).toEqual({ text: 'c\uFFFDd', kept: 'e\\u0000f' });
    });

    it('stores a lone UTF-16 surrogate (valid JSON, refused by jsonb) with U+FFFD; the rest of the batch is written', async () => {
      const store = fresh();
      // JSON.parse accepts "\ud800"; Postgres's jsonb input refuses it, so unsanitised it failed
      // the whole batch, and every retry of it.
      const vendor = JSON.parse(
        '{"a":"x\\ud800y","b":"\\udc00","pair":"\\ud83d\\ude00","escaped":"\\\\ud800"}',
      );
      const e = minimalEngagement(1, { subject: 'lone \ud800 and \udfff', raw: vendor });
      const next = minimalEngagement(2, { subject: '😀 stays' });
      expect(
        await store.writeBatch({
          changes: [
            upsert(e, '2026-10-01T00:00:00.000Z'),
            upsert(next, '2026-10-01T00:00:00.000Z'),
          ],
        }),
      ).toEqual({ upserted: 2, deleted: 0, skipped: 0 });
      const got = await store.get(e.id);
      expect(got?.engagement.subject).toBe('lone \uFFFD and \uFFFD');
      expect(got?.engagement.raw).toEqual({
        a: 'x\uFFFDy',
        b: '\uFFFD',
        pair: '😀',
        escaped: '\\ud800',
      });
      expect((await store.get(next.id))?.engagement.subject).toBe('😀 stays');
    });

    it('commits a batch and its checkpoint together; a failure in the middle leaves both as they were', async () => {
      const store = fresh();
      const s = store.schema;
      await store.writeBatch({
        changes: [upsert(minimalEngagement(0), '2026-10-01T00:00:00.000Z')],
        checkpoint: { stream: 'main', value: 'before' },
      });
      // A real failure inside the transaction, after the engagement rows were written.
      await store.query(
        `CREATE FUNCTION "${s}".boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
      );
      await store.query(
        `CREATE TRIGGER boom BEFORE UPDATE ON "${s}".checkpoints FOR EACH ROW EXECUTE FUNCTION "${s}".boom()`,
      );
      const batch = Array.from({ length: 2_500 }, (_, i) =>
        upsert(minimalEngagement(i + 1), '2026-10-02T00:00:00.000Z'),
      );
      await expect(
        store.writeBatch({ changes: batch, checkpoint: { stream: 'main', value: 'after' } }),
      ).rejects.toThrow('injected failure');
      expect(await count(store)).toBe(1);
      expect(await store.getCheckpoint('main')).toBe('before');

      // A failure in the second statement of a batch (rows 1001+): the first statement's rows go too.
      await store.query(`DROP TRIGGER boom ON "${s}".checkpoints`);
      await store.query(
        `CREATE TRIGGER boom BEFORE INSERT ON "${s}".engagements FOR EACH ROW WHEN (NEW.remote_id = 'M-1500') EXECUTE FUNCTION "${s}".boom()`,
      );
      await expect(
        store.writeBatch({ changes: batch, checkpoint: { stream: 'main', value: 'after' } }),
      ).rejects.toThrow('injected failure');
      expect(await count(store)).toBe(1);
      expect(await store.getCheckpoint('main')).toBe('before');

      await store.query(`DROP TRIGGER boom ON "${s}".engagements`);
      const result = await store.writeBatch({
        changes: batch,
        checkpoint: { stream: 'main', value: 'after' },
      });
      expect(result).toEqual({ upserted: 2_500, deleted: 0, skipped: 0 });
      expect(await count(store)).toBe(2_501);
      expect(await store.getCheckpoint('main')).toBe('after');
    });

    it('writes a batch larger than one statement (1,000 rows) in chunks, every row once', async () => {
      const store = fresh();
      const batch = Array.from({ length: 5_000 }, (_, i) =>
        upsert(minimalEngagement(i), '2026-10-02T00:00:00.000Z'),
      );
      expect(await store.writeBatch({ changes: batch })).toEqual({
        upserted: 5_000,
        deleted: 0,
        skipped: 0,
      });
      expect(await count(store)).toBe(5_000);
    });

    it('replaying a batch changes nothing, not even synced_at', async () => {
      const store = fresh();
      const e1 = fullEngagement(1);
      const gone = minimalEngagement(2);
      const batch: EngagementChange[] = [
        upsert(e1, '2026-11-01T12:00:00.000Z'),
        upsert(gone, '2026-10-01T00:00:00.000Z'),
        remove(gone, '2026-10-05T00:00:00.000Z'),
        remove(
          { id: 'devrev:never-seen', provider: 'devrev', remoteId: 'never-seen' },
          '2026-10-06T00:00:00.000Z',
        ),
      ];
      const first = await store.writeBatch({
        changes: batch,
        checkpoint: { stream: 'x', value: 'c1' },
      });
      expect(first).toEqual({ upserted: 1, deleted: 2, skipped: 1 });
      const snapshot = await store.query(`SELECT * FROM "${store.schema}".engagements ORDER BY id`);
      expect(snapshot).toHaveLength(3);
      const again = await store.writeBatch({
        changes: batch,
        checkpoint: { stream: 'x', value: 'c1' },
      });
      expect(again).toEqual({ upserted: 0, deleted: 0, skipped: 4 });
      expect(await store.query(`SELECT * FROM "${store.schema}".engagements ORDER BY id`)).toEqual(
        snapshot,
      );
    });

    it('never lets an older change overwrite a newer one (webhook and poll race), in either order', async () => {
      const store = fresh();
      const old = fullEngagement(1, { subject: 'polled, older' });
      const fresher = fullEngagement(1, { subject: 'from the webhook, newer' });
      // The webhook's newer change lands first; the poll's older read of the same record comes after.
      expect(
        await store.writeBatch({
          changes: [upsert(fresher, '2026-11-02T00:00:00.000Z', 'webhook')],
        }),
      ).toEqual({
        upserted: 1,
        deleted: 0,
        skipped: 0,
      });
      expect(
        await store.writeBatch({ changes: [upsert(old, '2026-11-01T00:00:00.000Z')] }),
      ).toEqual({
        upserted: 0,
        deleted: 0,
        skipped: 1,
      });
      expect((await store.get(old.id))?.engagement.subject).toBe('from the webhook, newer');
      // An older delete does not remove a newer upsert…
      await store.writeBatch({ changes: [remove(old, '2026-11-01T12:00:00.000Z')] });
      expect((await store.get(old.id))?.deletedAt).toBeUndefined();
      // …a newer one does, keeping the last content; an older upsert does not bring it back…
      await store.writeBatch({ changes: [remove(old, '2026-11-03T00:00:00.000Z')] });
      await store.writeBatch({ changes: [upsert(fresher, '2026-11-02T00:00:00.000Z')] });
      const deleted = await store.get(old.id);
      expect(deleted?.deletedAt).toBe('2026-11-03T00:00:00.000Z');
      expect(deleted?.engagement.subject).toBe('from the webhook, newer');
      // …and a newer upsert does.
      const back = fullEngagement(1, { subject: 'recreated' });
      await store.writeBatch({ changes: [upsert(back, '2026-11-04T00:00:00.000Z')] });
      const live = await store.get(old.id);
      expect(live?.deletedAt).toBeUndefined();
      expect(live?.engagement.subject).toBe('recreated');
      expect(live?.changedAt).toBe('2026-11-04T00:00:00.000Z');
    });

    it('takes an upsert at the same changed_at when the content differs (a vendor change without a new date)', async () => {
      const store = fresh();
      const at = '2026-11-01T00:00:00.000Z';
      await store.writeBatch({
        changes: [upsert(minimalEngagement(1, { status: 'ringing' }), at)],
      });
      const r = await store.writeBatch({
        changes: [upsert(minimalEngagement(1, { status: 'ended' }), at)],
      });
      expect(r).toEqual({ upserted: 1, deleted: 0, skipped: 0 });
      expect((await store.get('truto:M-1'))?.engagement.status).toBe('ended');
      // A delete at the same time wins over an upsert at that time, whichever comes first.
      await store.writeBatch({ changes: [remove(minimalEngagement(1), at)] });
      await store.writeBatch({ changes: [upsert(minimalEngagement(1, { status: 'again' }), at)] });
      expect((await store.get('truto:M-1'))?.deletedAt).toBe(at);
    });

    it('keeps one change per id within a batch, the newest, whatever the order', async () => {
      const store = fresh();
      const a = minimalEngagement(1, { subject: 'newest' });
      const b = minimalEngagement(1, { subject: 'older' });
      const r = await store.writeBatch({
        changes: [
          upsert(a, '2026-11-03T00:00:00.000Z'),
          upsert(b, '2026-11-01T00:00:00.000Z'),
          upsert(b, '2026-11-02T00:00:00.000Z'),
        ],
      });
      expect(r).toEqual({ upserted: 1, deleted: 0, skipped: 2 });
      expect((await store.get(a.id))?.engagement.subject).toBe('newest');
    });

    it('refuses a broken change, naming it, and writes nothing', async () => {
      const store = fresh();
      const good = upsert(minimalEngagement(1), '2026-11-01T00:00:00.000Z');
      const bad = { ...upsert(minimalEngagement(2), 'yesterday') };
      const error = await store.writeBatch({ changes: [good, bad] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputValidationError);
      expect((error as InputValidationError).issues.map((i) => i.path)).toEqual([
        'changes.1.changedAt',
      ]);
      expect(await count(store)).toBe(0);
    });

    it('counts an upsert without an engagement (a partial webhook) as skipped', async () => {
      const store = fresh();
      const { engagement: _, ...partial } = upsert(
        minimalEngagement(1),
        '2026-11-01T00:00:00.000Z',
      );
      expect(await store.writeBatch({ changes: [{ ...partial, partial: true }] })).toEqual({
        upserted: 0,
        deleted: 0,
        skipped: 1,
      });
      expect(await count(store)).toBe(0);
    });
  });
}
