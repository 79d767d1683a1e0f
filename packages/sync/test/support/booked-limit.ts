import type { SyncStore } from '../../src/store';

/**
 * Makes every reservation of the shared limit `key` find its next slot `aheadMs` away, as if other
 * workers kept booking the bucket just ahead of this one: a trigger skips the bucket's insert (so
 * nothing is reserved) after moving the row's arrival time to `aheadMs` past Postgres's clock.
 * With a `maxWaitMs` below `aheadMs` every attempt is refused, and each refusal says the slot is
 * `aheadMs - maxWaitMs` from reach, so a test sees refusal after refusal without long waits.
 * Resolves to a function that removes the trigger.
 */
export async function keepBooked(
  store: SyncStore,
  schema: string,
  key: string,
  aheadMs: number,
): Promise<() => Promise<void>> {
  const table = `"${schema}".rate_limits`;
  const fn = `"${schema}".keep_booked`;
  await store.query(
    `INSERT INTO ${table} (key, tat) VALUES ($1, clock_timestamp())
      ON CONFLICT (key) DO NOTHING`,
    [key],
  );
  // The bound values are inlined: a trigger function takes no parameters ($ms is a number).
  const ms = Math.trunc(aheadMs);
  await store.query(`CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
      IF NEW.key = ${quote(key)} THEN
        UPDATE ${table} SET tat = clock_timestamp() + make_interval(secs => ${ms} / 1000.0)
          WHERE key = NEW.key;
        RETURN NULL;
      END IF;
      RETURN NEW;
    END
  $body$`);
  await store.query(
    `CREATE TRIGGER keep_booked BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
  );
  return async () => {
    await store.query(`DROP TRIGGER IF EXISTS keep_booked ON ${table}`);
  };
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
