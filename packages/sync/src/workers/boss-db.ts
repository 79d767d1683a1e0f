import type pg from 'pg';

/** What pg-boss 10 calls on the `db` option it is given. */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] } | undefined>;
}

// pg-boss reports a job's end with complete()/fail() without awaiting them
// (src/manager.js, watch → onFetch), and reads their result as `result.rows[0].count`. Those
// statements end in `SELECT COUNT(*) FROM results`. A rejection there is unhandled and ends the
// worker process; an empty result there throws a TypeError, unhandled too. For them `undefined` is
// the answer pg-boss reads as "0 jobs affected": the job stays active and is retried after its
// expiry, from its shard's checkpoint.
const JOB_COMMAND = /SELECT\s+COUNT\(\*\)\s+FROM\s+results\s*$/i;

/**
 * The `db` given to pg-boss: the worker's pool, with nothing sent once `ended()` (a job pg-boss
 * reports after stop(), where the ended pool would throw), and a failed job command reported to
 * `onError` instead of rejecting where nothing awaits it.
 */
export function bossDb(
  pool: pg.Pool,
  ended: () => boolean,
  onError: (error: unknown) => void,
): BossDb {
  return {
    async executeSql(text, values) {
      const command = JOB_COMMAND.test(text);
      if (ended()) return command ? undefined : { rows: [] };
      if (!command) return pool.query(text, values);
      try {
        return await pool.query(text, values);
      } catch (error) {
        onError(error);
        return undefined;
      }
    },
  };
}
