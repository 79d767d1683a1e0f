/**
 * A sync worker process for the multi-process tests: its config comes as JSON in
 * ENGAGEKIT_TEST_WORKER, every worker event goes to stdout as one JSON line, SIGTERM stops it.
 */
import { createDevRevAdapter } from '@engagekit/devrev';
import type { SandboxAdapterOptions } from '@engagekit/sandbox';
import { type SyncWorkerOptions, startSyncWorker } from '@engagekit/sync/workers';
import { createTrutoAdapter } from '@engagekit/truto';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';

interface Config {
  adapterOptions: SandboxAdapterOptions;
  worker: Omit<SyncWorkerOptions, 'adapters' | 'onEvent'>;
}

const config = JSON.parse(process.env.ENGAGEKIT_TEST_WORKER ?? '{}') as Config;
const o = config.adapterOptions;
const out = (event: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ pid: process.pid, t: Date.now(), ...event })}\n`);

const worker = await startSyncWorker({
  ...config.worker,
  adapters: [
    createDevRevAdapter({ ...o.devrev }),
    createZoomContactCenterAdapter({ ...o.zoom }),
    createTrutoAdapter({ ...o.truto }),
  ],
  onEvent: (e) => {
    if (e.type === 'shard-failed' || e.type === 'error') {
      out({ type: e.type, stream: 'stream' in e ? e.stream : undefined, error: String(e.error) });
    } else if (e.type === 'plan') out({ type: e.type, created: e.created });
    else out({ ...e });
  },
});
out({ type: 'ready' });
process.on('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
