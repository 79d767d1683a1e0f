import { type Sandbox, type SandboxOptions, startSandbox } from '@engagekit/sandbox';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import type { SyncStore } from '../../src/store';
import { changesQueue } from '../../src/workers/plan';
import {
  type SyncWorker,
  type SyncWorkerEvent,
  type SyncWorkerOptions,
  startSyncWorker,
} from '../../src/workers/worker';
import { startPostgres, type TestPostgres } from './postgres';
import { pollUntil } from './processes';
import { SANDBOX_NOW } from './sandbox';

const DAY = 86_400_000;

/** A Postgres server and a sandbox at `SANDBOX_NOW`: what the worker tests start in `beforeAll`. */
export async function startWorkerEnv(
  sandbox: Omit<SandboxOptions, 'now'>,
): Promise<{ server: TestPostgres; sb: Sandbox }> {
  const server = await startPostgres();
  try {
    return { server, sb: await startSandbox({ ...sandbox, now: SANDBOX_NOW }) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

type Stoppable = { stop(): Promise<unknown> } | { close(): Promise<unknown> } | undefined;

/** Stops or closes each part in order (workers before their store, the server last). */
export async function stopAll(...parts: Stoppable[]): Promise<void> {
  for (const part of parts) {
    if (part === undefined) continue;
    if ('stop' in part) await part.stop();
    else await part.close();
  }
}

/**
 * A worker syncing Zoom's last 6 days of `sb` into `db` as one shard (the range is within a
 * quarter of `windowMs`, 24 days, and the oldest stretch is cut in quarters), concurrency 1, no
 * change-feed schedule; `options` adds to or replaces these. Its events are kept (up to 1,000).
 */
export async function oneZoomShardWorker(
  sb: Sandbox,
  db: string,
  schema: string,
  options: Partial<SyncWorkerOptions>,
): Promise<{ worker: SyncWorker; events: SyncWorkerEvent[] }> {
  const events: SyncWorkerEvent[] = [];
  const worker = await startSyncWorker({
    db,
    schema,
    adapters: [createZoomContactCenterAdapter({ ...sb.adapterOptions.zoom, rateLimit: false })],
    changesCron: false,
    concurrency: 1,
    backfill: {
      from: new Date(SANDBOX_NOW.getTime() - 6 * DAY),
      to: SANDBOX_NOW,
      windowMs: 24 * DAY,
    },
    pollingIntervalSeconds: 0.5,
    onEvent: (e) => {
      if (events.length < 1000) events.push(e);
    },
    ...options,
  });
  return { worker, events };
}

/** A change-feed job as pg-boss holds it: retries spent, state, and the error it failed with. */
export interface ChangesJob {
  retry_count: number;
  state: string;
  message: string | null;
}

/**
 * The change-feed jobs of `provider` in the worker schema `schema`, oldest first, once none is
 * queued or running (completed, or failed back to pg-boss for a retry later).
 */
export function settledChangesJobs(
  store: SyncStore,
  schema: string,
  provider: string,
): Promise<ChangesJob[]> {
  return pollUntil(
    () =>
      store.query<ChangesJob>(
        `SELECT retry_count, state, output->>'message' AS message
          FROM "${schema}_jobs".job WHERE name = $1 ORDER BY created_on`,
        [changesQueue(provider)],
      ),
    (rows) => rows.length > 0 && rows.every((j) => j.state !== 'active' && j.state !== 'created'),
  );
}
