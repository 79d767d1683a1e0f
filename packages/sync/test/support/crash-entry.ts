/**
 * A single-machine sync in a child process, for the crash tests: config as JSON in
 * ENGAGEKIT_TEST_CRASH; prints {"type":"batch"} after each committed batch and {"type":"done"} at
 * the end, so the test can SIGKILL it anywhere in between.
 */
import { createEngagementsClient } from '@engagekit/core';
import { createDevRevAdapter } from '@engagekit/devrev';
import type { SandboxAdapterOptions } from '@engagekit/sandbox';
import { createSync, type SyncStore } from '@engagekit/sync';
import { pgliteStore } from '@engagekit/sync/pglite';
import { postgresStore } from '@engagekit/sync/postgres';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';

const config = JSON.parse(process.env.ENGAGEKIT_TEST_CRASH ?? '{}') as {
  db: string;
  adapterOptions: SandboxAdapterOptions;
  from: string;
};
const o = config.adapterOptions;
const inner = config.db.startsWith('postgres') ? postgresStore(config.db) : pgliteStore(config.db);
let batches = 0;
const store: SyncStore = Object.create(inner);
store.writeBatch = async (batch) => {
  const r = await inner.writeBatch(batch);
  process.stdout.write(`${JSON.stringify({ type: 'batch', n: ++batches })}\n`);
  return r;
};
const client = createEngagementsClient({
  adapters: [
    createDevRevAdapter({ ...o.devrev }),
    createZoomContactCenterAdapter({ ...o.zoom }),
    createTrutoAdapter({ ...o.truto }),
  ],
});
const stats = await createSync({ client, store, batchSize: 10 }).run({ from: config.from });
await inner.close();
process.stdout.write(`${JSON.stringify({ type: 'done', upserted: stats.upserted })}\n`);
