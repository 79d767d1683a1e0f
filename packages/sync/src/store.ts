import { type Engagement, type EngagementChange, InputValidationError } from '@engagekit/core';
import { latestPerId, validateChanges, type WritableChange } from './changes';
import {
  type ArrayRows,
  type JsonType,
  type Queryable,
  type RowCodec,
  type StoreDriver,
  TEXT_ROWS,
} from './driver';
import { SyncError } from './errors';
import { retryAborted } from './retry';
import { rowToEngagement, UPSERT_COLUMNS, UPSERT_SOURCE } from './rows';
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
  /**
   * Runs one SQL statement and returns its rows as arrays in column order, with the columns'
   * names: two columns of one name (`count(*), count(raw)`) are both kept, where `query`'s objects
   * keep the last.
   */
  queryArrays(sql: string, params?: readonly unknown[]): Promise<ArrayRows>;
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

/** Rows per statement: one statement's payload stays a few megabytes with raw payloads. */
const MAX_ROWS_PER_STATEMENT = 1_000;
/**
 * Size of one statement's rows (JSON, in the driver's characters or bytes): far below Postgres's
 * 255 MB limit for a `jsonb` value, whatever size the vendor's records have.
 */
const MAX_STATEMENT_SIZE = 32 * 1024 * 1024;

/** The key of a prepared upsert's encoded row (see {@link PREPARE_UPSERT}). */
const ROW: unique symbol = Symbol('engagekit.sync.row');

/**
 * The key of a store's method turning an engagement into an upsert change whose row is encoded
 * already, with no reference to the engagement: the backfill prepares each record as it arrives,
 * so a batch waiting for its commit holds its rows' JSON, not thousands of engagement objects
 * the garbage collector would copy and mark until the commit. Stores other than this package's
 * lack it and get plain changes. @internal
 */
export const PREPARE_UPSERT: unique symbol = Symbol('engagekit.sync.prepareUpsert');

/** A store's {@link PREPARE_UPSERT} method. @internal */
export type PrepareUpsert = (engagement: Engagement, changedAt: string) => EngagementChange;

type Prepared = WritableChange & { [ROW]?: unknown };

/**
 * A store over any {@link StoreDriver}: the one code path PGlite and node-postgres share.
 * @internal
 */
export function createStore<Row = string>(
  openDriver: () => Promise<StoreDriver>,
  options: StoreOptions = {},
  codec: RowCodec<Row> = TEXT_ROWS as unknown as RowCodec<Row>,
): SyncStore & { [PREPARE_UPSERT]: PrepareUpsert } {
  const schema = validateSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const table = `"${schema}".engagements`;
  let opened: Promise<StoreDriver> | undefined;
  let closed = false;

  /** The open driver, once its migrations ran: a lost one is replaced on the next call. */
  let current: StoreDriver | undefined;

  const driver = (): Promise<StoreDriver> => {
    if (closed) return Promise.reject(new SyncError('The store is closed.'));
    if (current?.lost?.()) {
      // What it was running failed with it; the database itself (a directory: PGlite recovers
      // from its WAL as after a crash) is opened again.
      void current.close().catch(() => {});
      current = undefined;
      opened = undefined;
    }
    opened ??= openDriver().then(async (d) => {
      try {
        await migrate(d, schema);
        current = d;
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

  // Rows travel as two parameters, a `jsonb` array of rows and a `json` array of their raw records
  // (see `UPSERT_SOURCE`), not one parameter per column per row: the statement text is the same
  // for any row count, and Postgres parses a small statement instead of planning a VALUES list of
  // up to 28,000 parameters (half the server's CPU per row: docs/sync.md, "How a batch is sent").
  const upsertSql = `INSERT INTO ${table} AS e (${UPSERT_COLUMNS.map((c) => c.name).join(', ')})
      SELECT ${UPSERT_SOURCE.select}
      FROM ${UPSERT_SOURCE.from}
      ON CONFLICT (id) DO UPDATE SET ${UPSERT_COLUMNS.filter((c) => c.name !== 'id')
        .map((c) => `${c.name} = excluded.${c.name}`)
        .join(', ')}, deleted_at = NULL, synced_at = now()
      WHERE e.changed_at < excluded.changed_at
         OR (e.changed_at = excluded.changed_at AND e.deleted_at IS NULL
             AND e.content_hash IS DISTINCT FROM excluded.content_hash)`;

  const deleteSql = `INSERT INTO ${table} AS e (id, provider, remote_id, changed_at, deleted_at)
      SELECT x->>0, x->>1, x->>2, (x->>3)::timestamptz, (x->>3)::timestamptz
      FROM jsonb_array_elements($1::jsonb) AS x
      ON CONFLICT (id) DO UPDATE SET deleted_at = excluded.deleted_at,
        changed_at = excluded.changed_at, synced_at = now()
      WHERE e.changed_at < excluded.changed_at
         OR (e.changed_at = excluded.changed_at AND e.deleted_at IS NULL)`;

  /**
   * Runs `sql` over `rows` in statements of at most {@link MAX_ROWS_PER_STATEMENT} rows and
   * {@link MAX_STATEMENT_SIZE} characters or bytes, in order; the rows written. A row is one JSON
   * value in the codec's form per parameter of `sql`, whose types `params` names: parameter `i` is
   * the array of every row's value `i`.
   */
  async function writeRows(
    tx: Queryable,
    sql: string,
    params: readonly JsonType[],
    rows: readonly (readonly Row[])[],
  ): Promise<number> {
    const sizeOf = (row: readonly Row[]) => {
      let size = 0;
      for (const value of row) size += codec.size(value) + 1;
      return size;
    };
    let count = 0;
    let start = 0;
    while (start < rows.length) {
      let end = start;
      let size = 2 * params.length;
      do {
        size += sizeOf(rows[end] as Row[]);
        end++;
      } while (
        end < rows.length &&
        end - start < MAX_ROWS_PER_STATEMENT &&
        size + sizeOf(rows[end] as Row[]) <= MAX_STATEMENT_SIZE
      );
      const chunk = rows.slice(start, end);
      const values = params.map((type, i) =>
        codec.param(
          chunk.map((row) => row[i] as Row),
          type,
        ),
      );
      count += written(await tx.query(sql, values));
      start = end;
    }
    return count;
  }

  /** An upsert's row and raw record in the codec's form, prepared as it arrived or at `writeBatch`. */
  const encodeUpsert = (engagement: Engagement, changedAtMs: number): Row[] =>
    codec.upsert(engagement, isoOf(changedAtMs));

  async function writeChanges(tx: Queryable, changes: Prepared[]): Promise<BatchResult> {
    // Id order: concurrent transactions lock rows in the same order.
    const winners = latestPerId(changes).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let skipped = changes.length - winners.length;
    const upsertRows: Row[][] = [];
    const deleteRows: Row[][] = [];
    for (const c of winners) {
      if (c.type === 'delete') {
        deleteRows.push([
          codec.row(JSON.stringify([c.id, c.provider, c.remoteId, isoOf(c.changedAtMs)])),
        ]);
      } else if (c[ROW] !== undefined) upsertRows.push(c[ROW] as Row[]);
      else if (c.engagement) {
        upsertRows.push(encodeUpsert(c.engagement, c.changedAtMs));
      } else skipped++;
    }
    const upserted = await writeRows(tx, upsertSql, ['jsonb', 'json'], upsertRows);
    const deleted = await writeRows(tx, deleteSql, ['jsonb'], deleteRows);
    skipped += upsertRows.length - upserted + deleteRows.length - deleted;
    return { upserted, deleted, skipped };
  }

  const prepareUpsert: PrepareUpsert = (engagement, changedAt) => {
    const change: EngagementChange = {
      type: 'upsert',
      id: engagement.id,
      provider: engagement.provider,
      remoteId: engagement.remoteId,
      changedAt,
      source: 'feed',
    };
    const ms = Date.parse(changedAt);
    // A time that does not parse is left to `writeBatch`'s validation, which names it.
    if (Number.isNaN(ms)) return { ...change, engagement };
    return Object.assign(change, { [ROW]: encodeUpsert(engagement, ms) });
  };

  return {
    [PREPARE_UPSERT]: prepareUpsert,
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
    async queryArrays(sql, params = []) {
      const d = await driver();
      return d.queryArrays(sql, params);
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
