import type pg from 'pg';
import { SyncError } from '../errors';

/**
 * Runs `work` holding a session advisory lock on one connection of `pool` (given to `work`), and
 * releases it whatever `work` does.
 */
export async function withAdvisoryLock<T>(
  pool: pg.Pool,
  key: string,
  work: (conn: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: unknown;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await work(client);
    } finally {
      await client
        .query('SELECT pg_advisory_unlock(hashtext($1))', [key])
        .catch((error: unknown) => {
          // A connection that cannot release the lock must not go back to the pool holding it.
          broken = error;
        });
    }
  } finally {
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/** Times a worker waits for another one's set-up (each wait ends when that worker lets go). */
const MAX_WAITS = 20;

/**
 * Set-up that one worker of many does and the others wait for (the queues, the backfill plan).
 * `found()` gives its result once it is done. Until then, the first worker to take the advisory
 * lock `key` does `work` (it looks again first, holding the lock); the others wait on a SHARED lock
 * on the same key, which they all get at once when the first lets go, and look again. Workers
 * starting together so wait for the first one side by side: under an exclusive lock they would take
 * turns, each turn a few round trips, the last joining hundreds of ms after the first.
 * A first worker that fails leaves the set-up to the next one to take the lock.
 */
export async function onceAmongWorkers<T>(
  pool: pg.Pool,
  key: string,
  found: () => Promise<T | undefined>,
  work: (conn: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let waits = 0; waits <= MAX_WAITS; waits++) {
    const done = await found();
    if (done !== undefined) return done;
    const conn = await pool.connect();
    let broken: unknown;
    try {
      const { rows } = await conn.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [key],
      );
      if (rows[0]?.locked === true) {
        try {
          return (await found()) ?? (await work(conn));
        } finally {
          await conn.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch((error) => {
            broken = error;
          });
        }
      }
      try {
        await conn.query('SELECT pg_advisory_lock_shared(hashtext($1))', [key]);
        await conn.query('SELECT pg_advisory_unlock_shared(hashtext($1))', [key]);
      } catch (error) {
        // It may still hold the shared lock: it does not go back to the pool.
        broken = error;
        throw error;
      }
    } finally {
      conn.release(broken instanceof Error ? broken : undefined);
    }
  }
  throw new SyncError(
    `Gave up on the set-up under lock ${key}: ${MAX_WAITS} other workers held it and none finished it.`,
  );
}
