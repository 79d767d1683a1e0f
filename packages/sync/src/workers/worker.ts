import { type EngagementAdapter, InputValidationError } from '@engagekit/core';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Queryable } from '../driver';
import { SyncError } from '../errors';
import { postgresStore } from '../postgres';
import { retryAborted } from '../retry';
import { DEFAULT_SCHEMA, validateSchemaName } from '../schema';
import type { SyncStore } from '../store';
import { createSync, type SyncStats, syncShard } from '../sync';
import { bossDb } from './boss-db';
import { changesClient, shardClient } from './gated-listing';
import { onceAmongWorkers } from './locks';
import { checkedPartitions } from './partitions';
import {
  type BackfillPlan,
  changesQueue,
  changesStream,
  PLAN_STREAM,
  planLockKey,
  queuesLockKey,
  SHARD_QUEUE,
  type ShardJob,
  writePlan,
} from './plan';
import { type SharedRateLimit, sharedRateLimit, waitingForSlots } from './rate-limit';
import { plannedShardStream, planShards, type ShardPartition } from './shards';

const DAY = 86_400_000;

/**
 * The vendors' published limits, shared by all workers of one database (the adapters' own
 * defaults, which are per process).
 */
export const DEFAULT_SHARED_RATE_LIMITS: Readonly<Record<string, { requestsPerSecond: number }>> = {
  devrev: { requestsPerSecond: 10 },
  'zoom-contact-center': { requestsPerSecond: 10 },
  truto: { requestsPerSecond: 5 },
};

/** Options of {@link startSyncWorker}. */
export interface SyncWorkerOptions {
  /** The Postgres the store, the queue (pg-boss) and the shared rate limits live in. */
  db: string;
  /** One adapter per provider to sync; every worker of a database should be given the same set. */
  adapters: readonly EngagementAdapter[];
  /** The schema of the tables; pg-boss uses `<schema>_jobs`. @default 'engagekit' */
  schema?: string | undefined;
  /** Shards this process syncs at once. @default 2 */
  concurrency?: number | undefined;
  /**
   * The backfill the first worker plans when the database has no plan yet (later workers join the
   * plan in force). @default { from: 90 days ago, to: now, windowMs: 7 days }
   */
  backfill?:
    | { from?: Date | string | undefined; to?: Date | string | undefined; windowMs?: number }
    | undefined;
  /**
   * Each provider's limit, shared by all workers (a token bucket row in Postgres, one token per
   * request the adapter sends: each attempt at a page, retries and Zoom's OAuth token requests
   * included); `false` leaves a provider to its adapter's per-process limiter. `maxWaitMs`: see
   * `SharedRateLimitOptions`. A shard refused a slot (further than `maxWaitMs` or the attempt's
   * deadline, none taken) waits in the worker until the slot is within reach (a `shard-waiting`
   * event) and resumes from its checkpoint; after 10 refusals in one claim it fails, and pg-boss
   * retries it. The change-feed job (`changes-slot-waiting`) and the partition counts
   * (`partitions-waiting`) wait the same way.
   * @default DEFAULT_SHARED_RATE_LIMITS
   */
  rateLimits?:
    | Record<string, { requestsPerSecond: number; burst?: number; maxWaitMs?: number } | false>
    | undefined;
  /** pg-boss cron of each provider's change-feed job; `false` schedules none. @default '*\/5 * * * *' */
  changesCron?: string | false | undefined;
  /** Records per transaction. @default 2000 */
  batchSize?: number | undefined;
  /** Records per vendor page (one rate-limit token per attempt). @default the adapter's default */
  pageSize?: number | undefined;
  /**
   * A shard running longer than this is expired by pg-boss and retried by any worker, from the
   * shard's checkpoint (this is how a killed worker's shard comes back). @default 900
   */
  shardExpireInSeconds?: number | undefined;
  /** Retries of a failed or expired shard. @default 10 */
  retryLimit?: number | undefined;
  /** Seconds before a failed shard is retried. @default 5 */
  retryDelaySeconds?: number | undefined;
  /** How often pg-boss looks for expired jobs (one worker does it per interval). @default 60 */
  maintenanceIntervalSeconds?: number | undefined;
  /** How often an idle worker polls for jobs. @default 2 */
  pollingIntervalSeconds?: number | undefined;
  /**
   * Per provider without a date filter, disjoint slices of its records to backfill as one shard
   * each instead of a single whole-range shard (e.g. `{ devrev: DEVREV_TYPE_PARTITIONS }`). The
   * first worker checks them when it plans: the provider's `count()` must equal the sum of the
   * partitions' counts, else (or when a count fails) the provider keeps its single shard.
   */
  partitions?: Record<string, readonly ShardPartition[]> | undefined;
  /** Progress: planning, each shard and change-feed run, pg-boss errors. */
  onEvent?: ((event: SyncWorkerEvent) => void) | undefined;
}

/** What a worker reports through `onEvent`. */
export type SyncWorkerEvent =
  | { type: 'plan'; created: boolean; plan: BackfillPlan }
  | { type: 'partitions'; provider: string; used: boolean; reason?: string | undefined }
  /** The shared limit refused a partition count a slot (too far away): it is sent in `waitMs`. */
  | { type: 'partitions-waiting'; provider: string; waitMs: number }
  | { type: 'shard-start'; stream: string }
  | { type: 'shard-done'; stream: string; stats: SyncStats }
  | { type: 'shard-failed'; stream: string; error: unknown }
  /** The shared limit refused the shard a slot (too far away): it resumes in `waitMs`. */
  | { type: 'shard-waiting'; stream: string; waitMs: number }
  | { type: 'changes-done'; provider: string; stats: SyncStats }
  /**
   * The shared limit refused the change feed a slot (too far away): it resumes from its checkpoint
   * in `waitMs`, in the same job (after 10 refusals in one run the job fails; pg-boss retries it).
   */
  | { type: 'changes-slot-waiting'; provider: string; waitMs: number }
  | { type: 'changes-waiting'; provider: string; remaining: number }
  | { type: 'error'; error: unknown };

/** Where the backfill stands. */
export interface BackfillStatus {
  plan: BackfillPlan | undefined;
  /** Shards finished, per provider. */
  done: Record<string, number>;
  total: number;
  finished: number;
}

/** A running worker. */
export interface SyncWorker {
  /** The plan in force. */
  readonly plan: BackfillPlan;
  /** Where the backfill stands (read from the checkpoints table). */
  status(): Promise<BackfillStatus>;
  /** Queues a provider's change-feed job now (pg-boss keeps at most one queued and one running). */
  triggerChanges(provider: string): Promise<void>;
  /** Aborts running shards (they are retried from their checkpoints), stops polling, closes. */
  stop(): Promise<void>;
}

/**
 * Starts a worker: joins (or, first, writes) the backfill plan, then claims shard jobs from pg-boss
 * and syncs each with `syncShard()` — every batch committed with the shard's checkpoint — and runs
 * each provider's change feed as a singleton job once all its shards are done. Start the same
 * worker on any number of machines against one Postgres.
 */
export async function startSyncWorker(options: SyncWorkerOptions): Promise<SyncWorker> {
  const o = checkOptions(options);
  const adapters = new Map(options.adapters.map((a) => [a.id, a] as const));
  const emit = (e: SyncWorkerEvent) => {
    try {
      options.onEvent?.(e);
    } catch {
      // A throwing progress callback must not fail a shard.
    }
  };
  // One pool for the store, the shared limits and pg-boss: a new Postgres connection costs the
  // server a process and tens of ms of CPU, and max_connections is shared by every worker.
  const pool = new pg.Pool({
    connectionString: options.db,
    max: o.concurrency + 2,
    application_name: 'engagekit-sync-worker',
  });
  pool.on('error', (error) => emit({ type: 'error', error }));
  let poolEnded = false;
  const endPool = () => {
    poolEnded = true;
    return pool.end().catch(() => {});
  };
  const store = postgresStore(pool, { schema: o.schema });
  const db: Queryable = {
    query: async <R>(sql: string, params: readonly unknown[] = []) => {
      const r = await pool.query(sql, [...params]);
      return { rows: r.rows as R[] };
    },
  };
  const boss = new PgBoss({
    // pg-boss's `Db` type says every result has rows; its code reads `undefined` as no result.
    db: bossDb(
      pool,
      () => poolEnded,
      (error) => emit({ type: 'error', error }),
    ) as PgBoss.Db,
    schema: `${o.schema}_jobs`,
    maintenanceIntervalSeconds: o.maintenanceIntervalSeconds,
    schedule: o.changesCron !== false,
  });
  boss.on('error', (error) => emit({ type: 'error', error }));
  const aborter = new AbortController();
  let started = false;
  let bossStarting: Promise<void> | undefined;
  try {
    const now = Date.now();
    const to = new Date(options.backfill?.to ?? now).toISOString();
    const from = new Date(options.backfill?.from ?? now - 90 * DAY).toISOString();
    const providers = (parts: (id: string) => readonly ShardPartition[] | undefined) =>
      [...adapters.values()].map((a) => ({
        id: a.id,
        maxWindowMs: a.capabilities.maxWindowMs,
        timeFilter: a.capabilities.filters.from,
        partitions: parts(a.id),
      }));
    const planOptions = { from, to, windowMs: options.backfill?.windowMs };
    // Bad partitions are an InputValidationError before anything is sent.
    planShards({ providers: providers((id) => options.partitions?.[id]), ...planOptions });

    // pg-boss's schema and the store's are independent: both start at once.
    bossStarting = boss.start().then(() => {
      started = true;
    });
    bossStarting.catch(() => {});
    await store.ready();

    const job = {
      expireInSeconds: o.shardExpireInSeconds,
      retryLimit: o.retryLimit,
      retryDelay: o.retryDelaySeconds,
    };
    const queueNames = [SHARD_QUEUE, ...[...adapters.keys()].map(changesQueue)];
    // Workers starting together would create the same queues at once, and pg-boss's create_queue
    // deadlocks against itself (40P01), which Postgres detects only after `deadlock_timeout` (1 s by
    // default) per victim: one worker creates them while the others wait. The retry stays for a
    // process that does not take the lock (an older version of this package).
    const ensureQueues = () =>
      onceAmongWorkers(
        pool,
        queuesLockKey(o.schema),
        async () => {
          const existing = new Set((await boss.getQueues()).map((q) => q.name));
          return queueNames.every((name) => existing.has(name)) ? true : undefined;
        },
        () =>
          retryAborted(async () => {
            await boss.createQueue(SHARD_QUEUE, { name: SHARD_QUEUE, policy: 'stately', ...job });
            for (const id of adapters.keys()) {
              await boss.createQueue(changesQueue(id), {
                name: changesQueue(id),
                policy: 'stately',
                retryLimit: 2,
                retryDelay: 30,
                expireInSeconds: o.shardExpireInSeconds,
              });
            }
            return true;
          }, 50),
      );

    const limits = new Map<string, SharedRateLimit>();
    for (const id of adapters.keys()) {
      const limit = id in o.rateLimits ? o.rateLimits[id] : DEFAULT_SHARED_RATE_LIMITS[id];
      if (limit) limits.set(id, sharedRateLimit(db, { key: id, schema: o.schema, ...limit }));
    }

    /** Counts the partitions of the providers without a date filter (what the planner checks). */
    const countPartitions = async () => {
      const partitions = new Map<string, readonly ShardPartition[]>();
      for (const [id, parts] of Object.entries(options.partitions ?? {})) {
        const adapter = adapters.get(id);
        // Only a provider without a date filter is split by partitions.
        if (adapter === undefined || adapter.capabilities.filters.from !== 'client') continue;
        const limit = limits.get(id);
        const check = await checkedPartitions(adapter, parts, {
          request: limit ? { beforeRequest: limit.beforeRequest } : undefined,
          signal: aborter.signal,
          onSlotWait: (waitMs) => emit({ type: 'partitions-waiting', provider: id, waitMs }),
        });
        emit({
          type: 'partitions',
          provider: id,
          used: check.ok,
          reason: check.ok ? undefined : check.reason,
        });
        if (check.ok) partitions.set(id, check.partitions);
      }
      return partitions;
    };

    // One worker plans; workers starting together wait for its plan and join it, instead of each
    // counting partitions it will not use. The planner counts (requests to the vendor) while
    // pg-boss starts and the queues are created.
    let joined = true;
    const plan = await onceAmongWorkers(
      pool,
      planLockKey(o.schema),
      async () => {
        const planned = await store.getCheckpoint(PLAN_STREAM);
        return planned === undefined ? undefined : (JSON.parse(planned) as BackfillPlan);
      },
      async (conn) => {
        const counting = countPartitions();
        counting.catch(() => {});
        await bossStarting;
        await ensureQueues();
        const partitions = await counting;
        const r = await writePlan({
          client: conn,
          boss,
          schema: o.schema,
          shards: planShards({ providers: providers((id) => partitions.get(id)), ...planOptions }),
          from,
          to,
          lookbackMs: 5 * 60_000,
          job,
        });
        joined = !r.created;
        return r.plan;
      },
    );
    emit({ type: 'plan', created: !joined, plan });
    await bossStarting;
    await ensureQueues();

    const workOptions = { batchSize: 1, pollingIntervalSeconds: o.pollingIntervalSeconds };
    for (let i = 0; i < o.concurrency; i++) {
      let workerId: string | undefined;
      // pg-boss sleeps out the rest of its polling interval after a job shorter than it: a shard
      // of a fast vendor would leave the worker idle for most of each interval while shards wait.
      // Notified, it fetches the next job at once; it sleeps only when the queue is empty.
      const claimNext = () => {
        if (workerId !== undefined) boss.notifyWorker(workerId);
      };
      workerId = await boss.work<ShardJob>(SHARD_QUEUE, workOptions, async ([j]) => {
        if (!j) return;
        try {
          return await runShard(j);
        } finally {
          claimNext();
        }
      });
    }

    async function runShard(j: PgBoss.Job<ShardJob>) {
      const adapter = adapters.get(j.data.provider);
      const stream = plannedShardStream(j.data);
      if (!adapter) {
        throw new SyncError(`Shard ${stream}: this worker has no adapter for ${j.data.provider}.`);
      }
      emit({ type: 'shard-start', stream });
      try {
        // A slot refused by the shared limit (none taken) is waited for here, then the shard
        // resumes from its checkpoint: a busy limit must not spend the shard's pg-boss retries.
        let batches = 0;
        const stats = await waitingForSlots(
          () =>
            syncShard({
              client: shardClient(adapter, limits.get(adapter.id), o.pageSize, j.data.native),
              store,
              shard: j.data,
              stream,
              batchSize: o.batchSize,
              signal: aborter.signal,
              onBatch: () => {
                batches++;
              },
            }),
          {
            signal: aborter.signal,
            onWait: (waitMs) => emit({ type: 'shard-waiting', stream, waitMs }),
            progress: () => batches,
          },
        );
        emit({ type: 'shard-done', stream, stats });
        return { upserted: stats.upserted, skipped: stats.skipped };
      } catch (error) {
        emit({ type: 'shard-failed', stream, error });
        throw error;
      }
    }

    const remainingShards = async (provider: string) => {
      const rows = await store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${o.schema}".checkpoints
          WHERE stream LIKE $1 AND value::jsonb->>'phase' = 'done'`,
        [`shard:${provider}:%`],
      );
      return (plan.shards[provider] ?? 0) - Number(rows[0]?.n ?? 0);
    };

    for (const [id, adapter] of adapters) {
      const queue = changesQueue(id);
      if (o.changesCron !== false) await boss.schedule(queue, o.changesCron, { provider: id });
      await boss.work(queue, workOptions, async () => {
        const remaining = await remainingShards(id);
        if (remaining > 0) {
          // The feed starts where the backfill ended: it waits until every shard is in.
          emit({ type: 'changes-waiting', provider: id, remaining });
          return { waiting: remaining };
        }
        let batches = 0;
        const run = () =>
          createSync({
            // Every request of the feed takes a slot of the provider's shared limit, as shards do.
            client: changesClient(
              adapter,
              limits.get(id),
              () => new SyncError(`Stream ${changesStream(id)} lost its change-feed state.`),
            ),
            store,
            stream: changesStream(id),
            batchSize: o.batchSize,
            onBatch: () => {
              batches++;
            },
          }).run({ signal: aborter.signal });
        // A refused slot is waited for like a shard's: the feed resumes from its checkpoint, and
        // the job fails to pg-boss only after MAX_SLOT_REFUSALS of them in a row.
        const stats = await waitingForSlots(run, {
          signal: aborter.signal,
          onWait: (waitMs) => emit({ type: 'changes-slot-waiting', provider: id, waitMs }),
          progress: () => batches,
        });
        emit({ type: 'changes-done', provider: id, stats });
        return { upserted: stats.upserted, deleted: stats.deleted };
      });
    }

    return {
      plan,
      status: () => backfillStatus(store),
      async triggerChanges(provider) {
        if (!adapters.has(provider)) {
          throw new InputValidationError([
            { path: 'provider', rule: 'invalid', message: `no adapter for ${provider}` },
          ]);
        }
        await boss.send(changesQueue(provider), { provider }, { singletonKey: provider });
      },
      async stop() {
        aborter.abort(new SyncError('The worker is stopping.'));
        await boss.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => {});
        await store.close();
        await endPool();
      },
    };
  } catch (error) {
    aborter.abort();
    await bossStarting?.catch(() => {});
    if (started) await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await store.close().catch(() => {});
    await endPool();
    throw error;
  }
}

/** Where the backfill of a store stands: the plan and the shards finished per provider. */
export async function backfillStatus(store: SyncStore): Promise<BackfillStatus> {
  const schema = store.schema;
  const planRows = await store.query<{ value: string }>(
    `SELECT value FROM "${schema}".checkpoints WHERE stream = $1`,
    [PLAN_STREAM],
  );
  const plan = planRows[0] ? (JSON.parse(planRows[0].value) as BackfillPlan) : undefined;
  const rows = await store.query<{ stream: string }>(
    `SELECT stream FROM "${schema}".checkpoints
      WHERE stream LIKE 'shard:%' AND value::jsonb->>'phase' = 'done'`,
  );
  const done: Record<string, number> = {};
  for (const r of rows) {
    const provider = r.stream.split(':')[1] ?? '';
    done[provider] = (done[provider] ?? 0) + 1;
  }
  const total = Object.values(plan?.shards ?? {}).reduce((a, b) => a + b, 0);
  return { plan, done, total, finished: rows.length };
}

function checkOptions(options: SyncWorkerOptions) {
  const issues: { path: string; rule: string; message: string }[] = [];
  const int = (path: string, value: number | undefined, min: number, dflt: number) => {
    const v = value ?? dflt;
    if (!Number.isInteger(v) || v < min) {
      issues.push({ path, rule: 'invalid', message: `expected an integer of at least ${min}` });
    }
    return v;
  };
  if (typeof options?.db !== 'string' || !/^postgres(ql)?:\/\//.test(options.db)) {
    issues.push({
      path: 'db',
      rule: 'invalid',
      message: 'expected a postgres:// connection string',
    });
  }
  if (!Array.isArray(options?.adapters) || options.adapters.length === 0) {
    issues.push({ path: 'adapters', rule: 'invalid', message: 'expected at least one adapter' });
  }
  const checked = {
    schema: validateSchemaName(options?.schema ?? DEFAULT_SCHEMA),
    concurrency: int('concurrency', options?.concurrency, 1, 2),
    batchSize: options?.batchSize,
    pageSize: options?.pageSize,
    shardExpireInSeconds: int('shardExpireInSeconds', options?.shardExpireInSeconds, 1, 900),
    retryLimit: int('retryLimit', options?.retryLimit, 0, 10),
    retryDelaySeconds: int('retryDelaySeconds', options?.retryDelaySeconds, 0, 5),
    maintenanceIntervalSeconds: int(
      'maintenanceIntervalSeconds',
      options?.maintenanceIntervalSeconds,
      1,
      60,
    ),
    pollingIntervalSeconds: options?.pollingIntervalSeconds ?? 2,
    changesCron: options?.changesCron ?? '*/5 * * * *',
    rateLimits: options?.rateLimits ?? {},
  };
  if (!(checked.pollingIntervalSeconds >= 0.5)) {
    issues.push({ path: 'pollingIntervalSeconds', rule: 'invalid', message: 'expected >= 0.5' });
  }
  if (issues.length > 0) throw new InputValidationError(issues);
  return checked;
}
