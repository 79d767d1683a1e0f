import {
  createDevRevAdapter,
  DEVREV_ENGAGEMENT_TYPES,
  DEVREV_TYPE_PARTITIONS,
} from '@engagekit/devrev';
import { type Sandbox, startSandbox } from '@engagekit/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../src/postgres';
import type { SyncStore } from '../src/store';
import { COUNT_CONCURRENCY, checkedPartitions } from '../src/workers/partitions';
import { MAX_SLOT_REFUSALS, sharedRateLimit } from '../src/workers/rate-limit';
import { type SyncWorker, type SyncWorkerEvent, startSyncWorker } from '../src/workers/worker';
import { keepBooked } from './support/booked-limit';
import { startPostgres, type TestPostgres } from './support/postgres';
import { pollUntil } from './support/processes';
import { SANDBOX_NOW } from './support/sandbox';
import { storeQueryable } from './support/store-queryable';

const DAY = 86_400_000;
const SCHEMA = 'partitions_refusal';
const KEY = 'devrev';

let server: TestPostgres;
let sb: Sandbox;
let url: string;
let store: SyncStore;
let worker: SyncWorker | undefined;
const db = storeQueryable(() => store);
beforeAll(async () => {
  server = await startPostgres();
  sb = await startSandbox({ seed: 43, count: 30, days: 5, now: SANDBOX_NOW });
  url = await server.createDatabase(SCHEMA);
  store = postgresStore(url, { schema: SCHEMA });
  await store.ready();
});
afterAll(async () => {
  await worker?.stop();
  await store?.close();
  await sb?.close();
  await server?.stop();
});

/** Other workers booked the bucket: its next slot is `ms` from now (Postgres's clock). */
async function bookAhead(key: string, ms: number, schema = SCHEMA): Promise<void> {
  await store.query(
    `INSERT INTO "${schema}".rate_limits (key, tat)
      VALUES ($1, clock_timestamp() + make_interval(secs => $2::float8))
      ON CONFLICT (key) DO UPDATE SET tat = excluded.tat`,
    [key, ms / 1000],
  );
}

it('a partition count refused a slot of the shared limit waits until the slot is within reach and is sent again: the partitions are used', async () => {
  const devrev = createDevRevAdapter({ ...sb.adapterOptions.devrev, rateLimit: false });
  const total = await devrev.engagements.count({});
  expect(total).toBeGreaterThan(0);
  const limit = sharedRateLimit(db, {
    key: KEY,
    requestsPerSecond: 1000,
    maxWaitMs: 1000,
    schema: SCHEMA,
  });
  // Other workers have booked the bucket 2.5 s ahead; a count waits at most 1 s for a slot.
  await bookAhead(KEY, 2_500);
  sb.log.clear();
  const waits: number[] = [];
  const check = await checkedPartitions(devrev, DEVREV_TYPE_PARTITIONS, {
    request: { beforeRequest: limit.beforeRequest },
    onSlotWait: (ms) => {
      if (waits.length < 100) waits.push(ms);
    },
  });
  expect(check).toEqual({ ok: true, partitions: DEVREV_TYPE_PARTITIONS, total });
  // The first COUNT_CONCURRENCY counts go out together and are each refused once; they wait until
  // the slot is within 1 s (about 1.5 s). A count sent back at that edge can find its slot a few ms
  // past 1 s (the slots are 1 ms apart) and wait those ms, 0 when it rounds away (CI runs saw a
  // ninth refusal of 0 and of a few ms).
  const long = waits.filter((ms) => ms > 1_000);
  expect(long).toHaveLength(COUNT_CONCURRENCY);
  for (const ms of long) expect(ms).toBeLessThanOrEqual(1_500);
  for (const ms of waits.filter((w) => w <= 1_000)) {
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThanOrEqual(50);
  }
  // One request per count reached DevRev: the total and one per type, none lost to a refusal.
  expect(sb.log.entries({ vendor: 'devrev' })).toHaveLength(DEVREV_ENGAGEMENT_TYPES.length + 1);
});

it('a count refused MAX_SLOT_REFUSALS + 1 times in a row fails the check with the refusal (no partitions), and no more counts start', async () => {
  const devrev = createDevRevAdapter({ ...sb.adapterOptions.devrev, rateLimit: false });
  const key = 'devrev-booked';
  const limit = sharedRateLimit(db, {
    key,
    requestsPerSecond: 1000,
    maxWaitMs: 1000,
    schema: SCHEMA,
  });
  const unbook = await keepBooked(store, SCHEMA, key, 1_300);
  try {
    sb.log.clear();
    let waits = 0;
    const check = await checkedPartitions(devrev, DEVREV_TYPE_PARTITIONS, {
      request: { beforeRequest: limit.beforeRequest },
      onSlotWait: () => {
        waits++;
      },
    });
    expect(check.ok).toBe(false);
    expect((check as { reason: string }).reason).toMatch(
      /^count failed: devrev-booked: the shared rate limit's next slot is \d+ ms away, longer than maxWaitMs \(1000 ms\); no slot was taken$/,
    );
    // The first COUNT_CONCURRENCY counts each waited out ten refusals; the eleventh failed them.
    expect(waits).toBe(COUNT_CONCURRENCY * MAX_SLOT_REFUSALS);
    expect(sb.log.entries({ vendor: 'devrev' })).toEqual([]);
  } finally {
    await unbook();
  }
});

it('a worker planning while the shared limit is booked ahead waits for its counts (partitions-waiting) and uses the partitions', async () => {
  // The worker's own schema (no plan yet), its bucket booked before it starts.
  const schema = `${SCHEMA}_worker`;
  const own = postgresStore(url, { schema });
  await own.ready();
  await own.close();
  await bookAhead(KEY, 2_500, schema);
  const events: SyncWorkerEvent[] = [];
  worker = await startSyncWorker({
    db: url,
    schema,
    adapters: [createDevRevAdapter({ ...sb.adapterOptions.devrev, rateLimit: false })],
    partitions: { devrev: DEVREV_TYPE_PARTITIONS },
    rateLimits: { devrev: { requestsPerSecond: 1000, maxWaitMs: 1000 } },
    changesCron: false,
    concurrency: 1,
    backfill: { from: new Date(SANDBOX_NOW.getTime() - 6 * DAY), to: SANDBOX_NOW },
    pollingIntervalSeconds: 0.5,
    onEvent: (e) => {
      if (events.length < 1000) events.push(e);
    },
  });
  expect(worker.plan.shards).toEqual({ devrev: DEVREV_ENGAGEMENT_TYPES.length });
  expect(events.find((e) => e.type === 'partitions')).toEqual({
    type: 'partitions',
    provider: 'devrev',
    used: true,
    reason: undefined,
  });
  const waiting = events.filter((e) => e.type === 'partitions-waiting');
  expect(waiting.length).toBeGreaterThan(0);
  expect(waiting[0]).toMatchObject({ type: 'partitions-waiting', provider: 'devrev' });
  // The partitioned backfill runs to its end (a worker stopped mid-shard is another test's topic).
  const status = await pollUntil(
    () => worker?.status() ?? Promise.reject(new Error('no worker')),
    (st) => st.finished === st.total || events.some((e) => e.type === 'shard-failed'),
  );
  expect(events.filter((e) => e.type === 'shard-failed' || e.type === 'error')).toEqual([]);
  expect(status.finished).toBe(DEVREV_ENGAGEMENT_TYPES.length);
});
