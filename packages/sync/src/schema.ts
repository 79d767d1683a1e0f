import { InputValidationError } from '@engagekit/core';

/** The schema the tables live in unless a store is told otherwise. */
export const DEFAULT_SCHEMA = 'engagekit';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A schema name as the store uses it: a plain lower-case Postgres identifier (so it is quoted
 * without escaping), else an `InputValidationError` naming `schema`.
 */
export function validateSchemaName(schema: unknown): string {
  if (typeof schema === 'string' && IDENTIFIER.test(schema) && !schema.startsWith('pg_')) {
    return schema;
  }
  throw new InputValidationError([
    {
      path: 'schema',
      rule: 'identifier',
      message: `expected a lower-case identifier (a-z, 0-9, _; at most 63 characters; not pg_*), got ${JSON.stringify(schema)}`,
    },
  ]);
}

/** One schema change: single statements (PGlite's extended protocol runs one at a time). */
export interface Migration {
  version: number;
  name: string;
  statements: (schema: string) => string[];
}

/** Every migration, in order. Append only: an applied migration never changes. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'engagements and checkpoints',
    statements: (s) => [
      `CREATE TABLE "${s}".engagements (
        id text PRIMARY KEY,
        provider text NOT NULL,
        remote_id text NOT NULL,
        display_id text,
        kind text,
        native_type text,
        channels jsonb,
        direction text,
        subject text,
        body text,
        status text,
        occurred_at timestamptz,
        start_time timestamptz,
        end_time timestamptz,
        duration_seconds double precision,
        participants jsonb,
        related jsonb,
        notes jsonb,
        dispositions jsonb,
        tags jsonb,
        external_ref text,
        external_url text,
        created_at timestamptz,
        updated_at timestamptz,
        custom_fields jsonb,
        raw jsonb,
        content_hash text,
        changed_at timestamptz NOT NULL,
        deleted_at timestamptz,
        synced_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT engagements_content_unless_tombstone
          CHECK (deleted_at IS NOT NULL OR (occurred_at IS NOT NULL AND kind IS NOT NULL))
      )`,
      `CREATE INDEX engagements_provider_occurred_at ON "${s}".engagements (provider, occurred_at)`,
      `CREATE INDEX engagements_occurred_at ON "${s}".engagements (occurred_at)`,
      `CREATE TABLE "${s}".checkpoints (
        stream text PRIMARY KEY,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
  {
    version: 2,
    name: 'rate limits',
    statements: (s) => [
      // One token bucket row per vendor, shared by the workers (see workers/rate-limit.ts).
      // IF NOT EXISTS: workers before this migration created the table themselves.
      `CREATE TABLE IF NOT EXISTS "${s}".rate_limits (
        key text PRIMARY KEY,
        tat timestamptz NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    name: 'raw as json',
    statements: (s) => [
      // The vendor's record is kept as the text it was sent as (key order and all), and a batch's
      // server CPU drops by a third: jsonb input built every key and value of it, json input only
      // checks it (docs/sync.md, "Why raw is json"). Queries read it with the same operators.
      `ALTER TABLE "${s}".engagements ALTER COLUMN raw TYPE json USING raw::json`,
    ],
  },
];
