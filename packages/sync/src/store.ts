import { type Engagement, type EngagementChange, InputValidationError } from '@engagekit/core';
import { latestPerId, validateChanges, type WritableChange } from './changes';
import type { Queryable, StoreDriver } from './driver';
import { SyncError } from './errors';
import { retryAborted } from './retry';
import { placeholder, pushEngagementParams, rowToEngagement, UPSERT_COLUMNS } from './rows';
import { DEFAULT_SCHEMA, MIGRATIONS, validateSchemaName } from './schema';

/** Options every store takes. */
export interface StoreOptions {
  /** The Postgres schema of the tables (a lower-case identifier). @default 'engagekit' */
  schema?: string | undefined;
}

/** One batch: changes, and the checkpoint that follows them, committed in one transaction. */
export interface WriteBatch {
  changes: readonly EngagementChange[];
  /** Written in the same transaction as the changes: both land, or neither. */
  checkpoint?: { stream: string; value: string } | undefined;
}

/** What a batch did. */
export interface BatchResult {
  /** Rows inserted or updated by upserts. */
  upserted: number;
  /** Rows marked deleted (tombstones, including ids never seen before). */
  deleted: number;
  /**
   * Changes with no effect: older than (or the same as) what the table holds, superseded by a newer
   * change to the same id in the batch, or upserts without an engagement (partial webhooks).
   */
  skipped: number;
}

/**
 * Where a sync writes: the `engagements` and `checkpoints` tables in one schema of a Postgres
 * database (PGlite or a server). Created by `pgliteStore()` or `postgresStore()`; migrations are
 * applied on first use.
 */
export interface SyncStore {
  /** The schema holding the tables. */
  readonly schema: string;
  /** Applies pending migrations (done on first use anyway); resolves once the tables are there. */
  ready(): Promise<void>;
  /**
   * Writes a batch of changes and its checkpoint in one transaction. An upsert or delete never
   * replaces a row with a newer `changed_at`; writing the same batch again changes nothing.
   */
  writeBatch(batch: WriteBatch): Promise<BatchResult>;
  /** The stored value of a checkpoint stream, or `undefined`. */
  getCheckpoint(stream: string): Promise<string | undefined>;
  /** The stored engagement with this id (tombstones too: see `deletedAt`), or `undefined`. */
  get(id: string): Promise<StoredEngagement | undefined>;
  /** Runs one SQL statement against the database (e.g. to query the synced table). */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Releases the connections the store opened. */
  close(): Promise<void>;
}

/** An engagement as stored, with the store's own bookkeeping. */
export interface StoredEngagement {
  engagement: Engagement;
  changedAt: string;
  deletedAt?: string | undefined;
  syncedAt: string;
}

/** Parameters per statement stay under Postgres's limit of 65535. */
const MAX_PARAMS = 65_535;
/** Rows per statement, so one statement's text stays a few megabytes with raw payloads. */
const MAX_ROWS_PER_STATEMENT = 1_000;
const DELETE_PARAMS = 4;
/** Statement texts kept (one per row count; a batch has at most two counts per kind). */
const SQL_CACHE_SIZE = 8;

/**
 * A store over any {@link StoreDriver}: the one code path PGlite and node-postgres share.
 * @internal
 */
export function createStore(
  openDriver: () => Promise<StoreDriver>,
  options: StoreOptions = {},
): SyncStore {
  const schema = validateSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const table = `"${schema}".engagements`;
  let opened: Promise<StoreDriver> | undefined;
  let closed = false;

  const driver = (): Promise<StoreDriver> => {
    if (closed) return Promise.reject(new SyncError('The store is closed.'));
    opened ??= openDriver().then(async (d) => {
      try {
        await migrate(d, schema);
        return d;
      } catch (error) {
        await d.close().catch(() => {});
        throw error;
      }
    });
    // A failed open is not cached: the next call tries again.
    opened.catch(() => {
      opened = undefined;
    });
    return opened;
  };

  // The statement text depends only on the row count: built once per count (full chunks share
  // one), not once per statement.
  const sqlCache = new Map<string, string>();
  const cached = (kind: 'upsert' | 'delete', rows: number, build: (rows: number) => string) => {
    const key = `${kind}:${rows}`;
    let sql = sqlCache.get(key);
    if (sql === undefined) {
      sql = build(rows);
      if (sqlCache.size >= SQL_CACHE_SIZE) sqlCache.clear();
      sqlCache.set(key, sql);
    }
    return sql;
  };

  // No RETURNING: the count of rows written is the command's own (an update the WHERE refuses is
  // not counted), so no row per id is produced, sent and parsed.
  const upsertSql = (rows: number) => {
    const cols = UPSERT_COLUMNS;
    const values: string[] = [];
    for (let r = 0; r < rows; r++) {
      const base = r * cols.length;
      values.push(`(${cols.map((c, i) => placeholder(base + i + 1, c.type)).join(', ')})`);
    }
    const updates = cols
      .filter((c) => c.name !== 'id')
      .map((c) => `${c.name} = excluded.${c.name}`)
      .join(', ');
    return `INSERT INTO ${table} AS e (${cols.map((c) => c.name).join(', ')})
      VALUES ${values.join(', ')}
      ON CONFLICT (id) DO UPDATE SET ${updates}, deleted_at = NULL, synced_at = now()
      WHERE e.changed_at < excluded.changed_at
         OR (e.changed_at = excluded.changed_at AND e.deleted_at IS NULL
             AND e.content_hash IS DISTINCT FROM excluded.content_hash)`;
  };

  const deleteSql = (rows: number) => {
    const values: string[] = [];
    for (let r = 0; r < rows; r++) {
      const b = r * DELETE_PARAMS;
      values.push(
        `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}::timestamptz, $${b + 4}::timestamptz)`,
      );
    }
    return `INSERT INTO ${table} AS e (id, provider, remote_id, changed_at, deleted_at)
      VALUES ${values.join(', ')}
      ON CONFLICT (id) DO UPDATE SET deleted_at = excluded.deleted_at,
        changed_at = excluded.changed_at, synced_at = now()
      WHERE e.changed_at < excluded.changed_at
         OR (e.changed_at = excluded.changed_at AND e.deleted_at IS NULL)`;
  };

  async function writeChanges(tx: Queryable, changes: WritableChange[]): Promise<BatchResult> {
    // Id order: concurrent transactions lock rows in the same order.
    const winners = latestPerId(changes).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let skipped = changes.length - winners.length;
    const upserts: WritableChange[] = [];
    const deletes: WritableChange[] = [];
    for (const c of winners) {
      if (c.type === 'delete') deletes.push(c);
      else if (c.engagement) upserts.push(c);
      else skipped++;
    }
    let upserted = 0;
    const perUpsert = Math.min(
      MAX_ROWS_PER_STATEMENT,
      Math.floor(MAX_PARAMS / UPSERT_COLUMNS.length),
    );
    for (let i = 0; i < upserts.length; i += perUpsert) {
      const chunk = upserts.slice(i, i + perUpsert);
      const params: unknown[] = [];
      for (const c of chunk) {
        pushEngagementParams(params, c.engagement as Engagement, isoOf(c.changedAtMs));
      }
      upserted += written(await tx.query(cached('upsert', chunk.length, upsertSql), params));
    }
    let deleted = 0;
    const perDelete = Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS / DELETE_PARAMS));
    for (let i = 0; i < deletes.length; i += perDelete) {
      const chunk = deletes.slice(i, i + perDelete);
      const params: unknown[] = [];
      for (const c of chunk) params.push(c.id, c.provider, c.remoteId, isoOf(c.changedAtMs));
      deleted += written(await tx.query(cached('delete', chunk.length, deleteSql), params));
    }
    skipped += upserts.length - upserted + deletes.length - deleted;
    return { upserted, deleted, skipped };
  }

  return {
    schema,
    async ready() {
      await driver();
    },
    async writeBatch(batch) {
      const changes = validateChanges(batch.changes);
      const checkpoint = batch.checkpoint;
      if (checkpoint !== undefined) validateCheckpoint(checkpoint);
      const d = await driver();
      // Rows are locked in id order, but a batch's upserts and deletes are two statements, so
      // concurrent writers (webhooks beside a run, workers) can still deadlock: Postgres aborts
      // one transaction, which is then safe to run again.
      return retryAborted(() =>
        d.transaction(async (tx) => {
          const result = await writeChanges(tx, changes);
          if (checkpoint) {
            await tx.query(
              `INSERT INTO "${schema}".checkpoints (stream, value, updated_at) VALUES ($1, $2, now())
               ON CONFLICT (stream) DO UPDATE SET value = excluded.value, updated_at = now()`,
              [checkpoint.stream, checkpoint.value],
            );
          }
          return result;
        }),
      );
    },
    async getCheckpoint(stream) {
      const d = await driver();
      const { rows } = await d.query<{ value: string }>(
        `SELECT value FROM "${schema}".checkpoints WHERE stream = $1`,
        [stream],
      );
      return rows[0]?.value;
    },
    async get(id) {
      const d = await driver();
      const { rows } = await d.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);
      const row = rows[0];
      if (!row) return undefined;
      return {
        engagement: rowToEngagement(row),
        changedAt: iso(row.changed_at) as string,
        deletedAt: iso(row.deleted_at),
        syncedAt: iso(row.synced_at) as string,
      };
    },
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const d = await driver();
      const { rows } = await d.query<R>(sql, params);
      return rows;
    },
    async close() {
      if (closed) return;
      closed = true;
      const d = await opened?.catch(() => undefined);
      await d?.close();
    },
  };
}

function written(result: { rowCount?: number | undefined }): number {
  if (typeof result.rowCount !== 'number') {
    throw new SyncError('The database driver did not report how many rows a write affected.');
  }
  return result.rowCount;
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

function iso(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return (value instanceof Date ? value : new Date(value as string | number)).toISOString();
}

function validateCheckpoint(checkpoint: { stream: string; value: string }) {
  const bad = (path: string, message: string) =>
    new InputValidationError([{ path, rule: 'invalid_type', message }]);
  if (typeof checkpoint.stream !== 'string' || checkpoint.stream.length === 0) {
    throw bad('checkpoint.stream', 'expected a non-empty string');
  }
  if (typeof checkpoint.value !== 'string') throw bad('checkpoint.value', 'expected a string');
}

/**
 * Creates the schema and applies the migrations it lacks, under an advisory lock so processes
 * starting together against one server apply each migration once.
 */
async function migrate(driver: StoreDriver, schema: string): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`engagekit-sync:${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await tx.query<{ version: number }>(
      `SELECT version FROM "${schema}".migrations`,
    );
    const applied = new Set(rows.map((r) => Number(r.version)));
    const known = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new SyncError(
        `Schema "${schema}" is at migration ${newest}; this @engagekit/sync knows up to ${known}. Upgrade @engagekit/sync.`,
      );
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const statement of m.statements(schema)) await tx.query(statement);
      await tx.query(`INSERT INTO "${schema}".migrations (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ]);
    }
  });
}
