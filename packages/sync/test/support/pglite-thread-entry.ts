/**
 * A process that opens the worker-thread PGlite store, runs one query and ends its script, for the
 * test that such a process exits: with ENGAGEKIT_TEST_CLOSE=1 after `close()`, else with the store
 * left open and idle.
 */
import { pgliteStore } from '@engagekit/sync/pglite';

const store = pgliteStore('memory://');
const rows = await store.query<{ n: number }>('SELECT 41 + 1 AS n');
if (process.env.ENGAGEKIT_TEST_CLOSE === '1') await store.close();
process.stdout.write(`${JSON.stringify({ type: 'done', n: rows[0]?.n })}\n`);
