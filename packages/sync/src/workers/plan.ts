import type { PoolClient } from 'pg';
import type PgBoss from 'pg-boss';
import { type PlannedShard, plannedShardStream } from './shards';

/** The checkpoint stream holding the backfill plan (written once, by the first worker). */
export const PLAN_STREAM = 'workers:plan';

/** The queue of backfill shards, and each provider's change-feed queue (in the pg-boss schema). */
export const SHARD_QUEUE = 'shards';
export const changesQueue = (provider: string) => `changes-${provider}`;
/** The checkpoint stream of a provider's change feed once its backfill is done. */
export const changesStream = (provider: string) => `changes:${provider}`;

/** What `workers:plan` holds. */
export interface BackfillPlan {
  v: 1;
  from: string;
  to: string;
  /** Shards per provider. */
  shards: Record<string, number>;
}

/** The job data of a shard. */
export interface ShardJob {
  provider: string;
  from: string;
  to: string;
  /** The partition's name and `native` list parameters, for a partitioned shard. */
  partition?: string | undefined;
  native?: Record<string, unknown> | undefined;
}

/** The advisory lock's key under which workers of one schema create pg-boss's queues. */
export function queuesLockKey(schema: string): string {
  return `engagekit-queues:${schema}`;
}

/** The advisory lock's key under which a schema's backfill plan is made (one planner at a time). */
export function planLockKey(schema: string): string {
  return `engagekit-plan:${schema}`;
}

/**
 * Writes the plan, its shard jobs (claimed in the order of `shards`) and each provider's
 * change-feed start in ONE transaction, under an advisory lock: when many workers start at once
 * exactly one plans, and a crash mid-plan leaves no half-queued backfill. Returns the plan in
 * force (this one, or the one found).
 */
export async function writePlan(options: {
  client: PoolClient;
  boss: PgBoss;
  schema: string;
  shards: readonly PlannedShard[];
  from: string;
  to: string;
  /** How far before `to` each provider's change feed starts. */
  lookbackMs: number;
  job: { expireInSeconds: number; retryLimit: number; retryDelay: number };
}): Promise<{ plan: BackfillPlan; created: boolean }> {
  const { client, schema } = options;
  const table = `"${schema}".checkpoints`;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [planLockKey(schema)]);
    const found = await client.query<{ value: string }>(
      `SELECT value FROM ${table} WHERE stream = $1`,
      [PLAN_STREAM],
    );
    const existing = found.rows[0];
    if (existing) {
      await client.query('COMMIT');
      return { plan: JSON.parse(existing.value) as BackfillPlan, created: false };
    }
    const counts: Record<string, number> = {};
    for (const s of options.shards) counts[s.provider] = (counts[s.provider] ?? 0) + 1;
    const plan: BackfillPlan = { v: 1, from: options.from, to: options.to, shards: counts };
    const db = {
      executeSql: async (text: string, values: unknown[]) => client.query(text, values),
    };
    // Claimed in plan order: pg-boss takes the highest priority first, and jobs inserted together
    // share `created_on`, so without priorities their order would be their random ids'.
    const n = options.shards.length;
    await options.boss.insert(
      options.shards.map((s, i) => ({
        name: SHARD_QUEUE,
        data: {
          provider: s.provider,
          from: String(s.from),
          to: String(s.to),
          ...(s.partition === undefined ? {} : { partition: s.partition, native: { ...s.native } }),
        } satisfies ShardJob,
        singletonKey: plannedShardStream(s),
        priority: n - i,
        ...options.job,
      })),
      { db },
    );
    const sinceTime = new Date(Date.parse(options.to) - options.lookbackMs).toISOString();
    for (const provider of Object.keys(counts)) {
      await client.query(
        `INSERT INTO ${table} (stream, value) VALUES ($1, $2) ON CONFLICT (stream) DO NOTHING`,
        [changesStream(provider), JSON.stringify({ v: 1, phase: 'changes', sinceTime })],
      );
    }
    await client.query(`INSERT INTO ${table} (stream, value) VALUES ($1, $2)`, [
      PLAN_STREAM,
      JSON.stringify(plan),
    ]);
    await client.query('COMMIT');
    return { plan, created: true };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
