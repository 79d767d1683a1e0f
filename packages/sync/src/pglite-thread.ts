import { Worker } from 'node:worker_threads';
import { messages } from '@electric-sql/pglite';
import {
  byteRows,
  jsonArrayBytes,
  type Queryable,
  type RowCodec,
  type StoreDriver,
  writeJsonArray,
} from './driver';
import { SyncError } from './errors';
import { dropTemplate, pgliteModulePath, saveTemplate, templatePlan } from './pglite-template';

/**
 * PGlite in a worker thread. PGlite runs each statement synchronously in the thread that calls it,
 * about 200 µs of CPU a row for an upsert (mostly parsing `jsonb`): in the caller's thread, a batch
 * of 2,000 rows stalls its event loop for most of a second (timers, sockets, a webhook receiver in
 * the same process) and the sync's listing and PGlite share one core. Here the event loop only
 * posts statements and reads results.
 */

/**
 * The parameter value of a statement's rows (see {@link BYTE_ROWS}): the JSON array's UTF-8 bytes,
 * in an `ArrayBuffer` of their own, moved to the worker (not copied) and decoded there.
 */
class JsonBytes {
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * Rows as UTF-8 bytes, each encoded once as it is made. Measured on 1,000 rows of ~1.2 KB: joining
 * them into one string and posting it (a structured clone) cost the event loop 17–30 ms a
 * statement, copying the bytes into one buffer and transferring it 0.3–0.5 ms (plus ~1 µs a row
 * to encode); the worker reads them back as text in 0.2 ms when they are ASCII (6–13 ms to decode
 * UTF-8 otherwise), against ~200 ms for PGlite to run the statement.
 */
export const BYTE_ROWS: RowCodec<Buffer> = byteRows((rows) => {
  // Not Buffer.allocUnsafe: a small one is a slice of a shared pool, which a transfer would take.
  const out = new Uint8Array(jsonArrayBytes(rows));
  writeJsonArray(out, 0, rows);
  return new JsonBytes(out);
});

/** Fields of PGlite's `DatabaseError` carried back from the worker (all strings or undefined). */
const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

/**
 * The worker, as source text run with `eval`: the same in the built package (ESM and CJS) and
 * under a TypeScript loader, where a worker file of its own would need a loader. It loads PGlite
 * from the path the main thread resolved and answers one message at a time.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite, messages } = require(workerData.pglite);
const FIELDS = ${JSON.stringify(ERROR_FIELDS)};
const { isAscii } = require('node:buffer');
const decoder = new TextDecoder();
let db;

// ASCII (most rows: JSON escapes nothing else in vendor ids and dates) read as Latin-1 is the same
// text: a copy, where decoding UTF-8 costs ~6 ms a megabyte.
function text(bytes) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isAscii(buffer) ? buffer.toString('latin1') : decoder.decode(buffer);
}

function wireError(error) {
  const e = error !== null && typeof error === 'object' ? error : {};
  const fields = {};
  for (const k of FIELDS) if (typeof e[k] === 'string') fields[k] = e[k];
  return {
    message: typeof e.message === 'string' ? e.message : String(error),
    name: typeof e.name === 'string' ? e.name : 'Error',
    database: error instanceof messages.DatabaseError,
    length: typeof e.length === 'number' ? e.length : 0,
    fields,
  };
}

async function handle(m) {
  if (m.op === 'open') {
    const options = m.template
      ? { loadDataDir: new Blob([m.template], { type: 'application/x-tar' }) }
      : {};
    db = await PGlite.create(m.dir, options);
    if (!m.dump) return [undefined, []];
    try {
      const gz = new Uint8Array(await (await db.dumpDataDir('gzip')).arrayBuffer());
      return [gz, [gz.buffer]];
    } catch {
      // The template is best effort: the database is open all the same.
      return [undefined, []];
    }
  }
  if (m.op === 'query') {
    const params = m.params;
    for (const i of m.text) params[i] = text(params[i]);
    if (!m.arrays) {
      const r = await db.query(m.sql, params);
      return [{ rows: r.rows, rowCount: r.affectedRows }, []];
    }
    const r = await db.query(m.sql, params, { rowMode: 'array' });
    return [{ rows: r.rows, rowCount: r.affectedRows, columns: r.fields.map((f) => f.name) }, []];
  }
  if (m.op === 'close') {
    const open = db;
    db = undefined;
    if (open) await open.close();
    return [undefined, []];
  }
  throw new Error('unknown operation ' + m.op);
}

parentPort.on('message', (m) => {
  handle(m).then(
    ([value, transfer]) => {
      try {
        parentPort.postMessage({ id: m.id, value }, transfer);
      } catch (error) {
        parentPort.postMessage({ id: m.id, error: wireError(error) });
      }
    },
    (error) => parentPort.postMessage({ id: m.id, error: wireError(error) }),
  );
});
`;

interface WireError {
  message: string;
  name: string;
  database: boolean;
  length: number;
  fields: Partial<Record<(typeof ERROR_FIELDS)[number], string>>;
}

type Request =
  | { op: 'open'; dir: string; template?: Uint8Array | undefined; dump: boolean }
  | { op: 'query'; sql: string; params: unknown[]; text: number[]; arrays: boolean }
  | { op: 'close' };

/** The key of a thread driver's worker, for tests that end it under a running statement. @internal */
export const PGLITE_WORKER: unique symbol = Symbol('engagekit.sync.pgliteWorker');

/** A {@link StoreDriver} whose PGlite runs in a worker thread. */
export type PgliteThreadDriver = StoreDriver & { readonly [PGLITE_WORKER]: Worker };

/**
 * Opens PGlite at `dir` in a worker thread, from the cached template when `dir` is new (see
 * `openPglite`, which does the same in the caller's thread). Statements run one at a time, in the
 * order they were issued; a transaction holds the database from `BEGIN` to `COMMIT`/`ROLLBACK`,
 * and statements issued outside it wait for its end. A Postgres error rejects its statement with
 * PGlite's `DatabaseError` (the same fields: `code`, `detail`, `constraint`, …); a worker that
 * died rejects every statement with a {@link SyncError} and reports itself `lost()`, so the store
 * opens a new one.
 */
export async function openPgliteThread(
  dir: string,
  cache: string | undefined,
): Promise<PgliteThreadDriver> {
  const { file, template } = await templatePlan(dir, cache);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    name: 'engagekit-pglite',
    workerData: { pglite: pgliteModulePath() },
  });
  // Kept alive only while a statement is out (see `send`): an open store that is never closed does
  // not hold its process open, as PGlite in the caller's thread would not.
  worker.unref();

  const pending = new Map<number, { resolve(value: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  let gone: SyncError | undefined;
  let closing = false;

  const fail = (error: SyncError) => {
    gone ??= error;
    for (const p of pending.values()) p.reject(gone);
    pending.clear();
  };
  worker.on('error', (error) => {
    fail(new SyncError(`The PGlite worker thread failed: ${error.message}`, { cause: error }));
    void worker.terminate();
  });
  worker.on('messageerror', (error) => {
    fail(
      new SyncError('The PGlite worker thread sent a message that could not be read.', {
        cause: error,
      }),
    );
    void worker.terminate();
  });
  worker.on('exit', (code) => {
    fail(
      new SyncError(
        closing ? 'The store is closed.' : `The PGlite worker thread exited (code ${code}).`,
      ),
    );
  });
  worker.on('message', (reply: { id: number; value?: unknown; error?: WireError }) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.error) p.reject(rebuild(reply.error));
    else p.resolve(reply.value);
  });

  const send = <T>(request: Request, transfer: ArrayBuffer[] = []): Promise<T> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      try {
        worker.postMessage({ ...request, id }, transfer);
      } catch (error) {
        // A parameter that cannot be cloned (a function, a symbol): that statement's error.
        reject(
          new SyncError(`A statement's parameters cannot be sent to PGlite: ${String(error)}`, {
            cause: error,
          }),
        );
        return;
      }
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  };

  const run = async <R>(sql: string, params: readonly unknown[] = [], arrays = false) => {
    const values = [...params];
    const text: number[] = [];
    const transfer: ArrayBuffer[] = [];
    values.forEach((v, i) => {
      if (v instanceof JsonBytes) {
        values[i] = v.bytes;
        text.push(i);
        transfer.push(v.bytes.buffer as ArrayBuffer);
      }
    });
    try {
      return await send<{ rows: R[]; rowCount?: number; columns?: string[] }>(
        { op: 'query', sql, params: values, text, arrays },
        transfer,
      );
    } catch (error) {
      // As PGlite's own error has them; not rows that were moved to the worker.
      if (error instanceof messages.DatabaseError) {
        Object.assign(error, { query: sql, params: text.length === 0 ? params : undefined });
      }
      throw error;
    }
  };

  // One statement or transaction at a time: the chain holds one link per waiting caller, and the
  // store's pipelining bounds the callers (a sync queues at most two batches).
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work);
    tail = result.catch(() => {});
    return result;
  };

  try {
    const owned =
      template && template.byteOffset === 0 && template.byteLength === template.buffer.byteLength;
    const dumped = await send<Uint8Array | undefined>(
      { op: 'open', dir, template, dump: file !== undefined && !template },
      owned ? [template.buffer as ArrayBuffer] : [],
    );
    if (file && dumped) await saveTemplate(file, dumped).catch(() => {});
  } catch (error) {
    if (file && template) await dropTemplate(file);
    closing = true;
    await worker.terminate();
    throw error;
  }

  return {
    [PGLITE_WORKER]: worker,
    lost: () => gone !== undefined && !closing,
    query: (sql, params) => exclusive(() => run(sql, params)),
    queryArrays: (sql, params) =>
      exclusive(async () => {
        const { rows, columns = [] } = await run<unknown[]>(sql, params, true);
        return { columns, rows };
      }),
    transaction: (fn) =>
      exclusive(async () => {
        let open = true;
        const tx: Queryable = {
          query: (sql, params) =>
            open ? run(sql, params) : Promise.reject(new SyncError('The transaction is over.')),
        };
        await run('BEGIN');
        try {
          const result = await fn(tx);
          await run('COMMIT');
          return result;
        } catch (error) {
          // A dead worker took the transaction with it: its error is the statement's.
          await run('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          open = false;
        }
      }),
    close: () =>
      exclusive(async () => {
        if (closing) return;
        closing = true;
        try {
          if (!gone) await send({ op: 'close' });
        } finally {
          await worker.terminate();
        }
      }),
  };
}

/** The worker's error as an `Error` here: PGlite's `DatabaseError` for a Postgres error. */
function rebuild(wire: WireError): Error {
  if (!wire.database) {
    return new SyncError(`PGlite failed: ${wire.message}`);
  }
  const error = new messages.DatabaseError(wire.message, wire.length, 'error');
  return Object.assign(error, wire.fields);
}
