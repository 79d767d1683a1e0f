import type { Sandbox } from '@engagekit/sandbox';
import { createZoomContactCenterAdapter } from '@engagekit/zoom-contact-center';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Queryable } from '../src/driver';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { changesClient } from '../src/workers/gated-listing';
import { sharedRateLimit } from '../src/workers/rate-limit';
import { type SyncWorker, type SyncWorkerEvent, startSyncWorker } from '../src/workers/worker';
import type { TestPostgres } from './support/postgres';
import { pollUntil } from './support/processes';
import { SANDBOX_NOW } from './support/sandbox';
import { startWorkerEnv, stopAll } from './support/worker-env';

const DAY = 86_400_000;
const PROVIDER = 'zoom-contact-center';
// One slot every 1000 s with a burst of a million: no request ever waits, and the bucket's row
// (its theoretical arrival time) moves by exactly 1000 s per slot taken, so it counts the slots.
const INTERVAL_S = 1000;
const LIMIT = { requestsPerSecond: 1 / INTERVAL_S, burst: 1_000_000 };

let server: TestPostgres;
let sb: Sandbox;
let store: SyncStore | undefined;
let worker: SyncWorker | undefined;
beforeAll(async () => {
  ({ server, sb } = await startWorkerEnv({ seed: 23, count: 30, days: 10 }));
});
afterAll(() => stopAll(worker, store, sb, server));

/** The bucket's arrival time in seconds (Postgres's own clock and precision). */
async function tat(s: SyncStore, schema: string): Promise<number> {
  const rows = await s.query<{ t: string }>(
    `SELECT extract(epoch FROM tat)::text AS t FROM "${schema}".rate_limits WHERE key = $1`,
    [PROVIDER],
  );
  return Number(rows[0]?.t);
}

it("the changes job's requests take slots of the provider's shared bucket: one per request Zoom sees, its 5xx retry and token requests included", async () => {
  const schema = 'changes_limit';
  const db = await server.createDatabase('changes_limit');
  const events: SyncWorkerEvent[] = [];
  worker = await startSyncWorker({
    db,
    schema,
    adapters: [createZoomContactCenterAdapter({ ...sb.adapterOptions.zoom, rateLimit: false })],
    rateLimits: { [PROVIDER]: LIMIT },
    changesCron: false,
    backfill: { from: new Date(SANDBOX_NOW.getTime() - 11 * DAY), to: SANDBOX_NOW },
    pollingIntervalSeconds: 0.5,
    onEvent: (e) => {
      if (events.length < 1000) events.push(e);
    },
  });
  store = postgresStore(db, { schema });
  await store.ready();
  const status = await pollUntil(
    () => worker?.status() ?? Promise.reject(new Error('no worker')),
    (s) => s.total > 0 && s.finished === s.total,
  );
  expect(status.finished).toBeGreaterThan(0);
  const failedEarly = events.filter((e) => e.type === 'shard-failed' || e.type === 'error');
  expect(failedEarly).toEqual([]);

  const before = await tat(store, schema);
  expect(Number.isFinite(before)).toBe(true);
  sb.log.clear();
  // A new token (Zoom revoked the old one), a 500 and its retry: each is a request Zoom sees.
  sb.faults.expireTokens();
  sb.faults.failNext('zoom', { status: 500 });
  await worker.triggerChanges(PROVIDER);
  const done = await pollUntil(
    async () => events.find((e) => e.type === 'changes-done' || e.type === 'error'),
    (e) => e !== undefined,
  );
  expect(done?.type).toBe('changes-done');
  const after = await tat(store, schema);

  const seen = sb.log.entries({ vendor: 'zoom' });
  expect(seen.filter((e) => e.status === 500).length).toBe(1);
  expect(seen.filter((e) => e.method === 'POST' && e.status === 200).length).toBeGreaterThan(0);
  expect(seen.length).toBeGreaterThan(2);
  // Every request Zoom saw for the feed took exactly one slot: none bypassed the bucket.
  expect(Math.round((after - before) / INTERVAL_S)).toBe(seen.length);
});

it("the changes job's get() (webhook hydration) takes one slot per request Zoom sees", async () => {
  const schema = 'changes_get';
  const db = await server.createDatabase('changes_get');
  const s = postgresStore(db, { schema });
  await s.ready();
  try {
    let slots = 0;
    const counted: Queryable = {
      query: async <R>(sql: string, params: readonly unknown[] = []) => {
        if (sql.includes('.rate_limits')) slots++;
        return { rows: await s.query<R>(sql, params) };
      },
    };
    const limit = sharedRateLimit(counted, { key: PROVIDER, ...LIMIT, schema });
    const zoom = createZoomContactCenterAdapter({ ...sb.adapterOptions.zoom, rateLimit: false });
    const client = changesClient(zoom, limit, () => new Error('lost'));
    const [first] = await zoom.engagements
      .list({ from: new Date(SANDBOX_NOW.getTime() - 10 * DAY), to: SANDBOX_NOW, pageSize: 1 })
      .firstPage()
      .then((p) => p.items);
    expect(first).toBeDefined();
    sb.log.clear();
    sb.faults.failNext('zoom', { status: 500 });
    const got = await client.engagements.get?.(first?.id ?? '');
    expect(got?.id).toBe(first?.id);
    const seen = sb.log.entries({ vendor: 'zoom' });
    expect(seen.map((e) => e.status)).toEqual([500, 200]);
    expect(slots).toBe(seen.length);
    expect(() => client.engagements.list({})).toThrow('lost');
  } finally {
    await s.close();
  }
});
