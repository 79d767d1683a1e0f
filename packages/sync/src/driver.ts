/**
 * What the store needs of a database connection: one parameterised statement at a time, with the
 * rows it returned and, for INSERT/UPDATE/DELETE, the rows it affected (the command tag's count).
 */
export interface Queryable {
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount?: number | undefined }>;
}

/**
 * A database as the store sees it: statements, transactions and a way to release it. PGlite and
 * node-postgres each provide one; the SQL and everything above it is shared.
 */
export interface StoreDriver extends Queryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Releases what the driver opened (not what the caller handed it). */
  close(): Promise<void>;
  /**
   * The value of a `$n::jsonb` parameter holding a JSON array of `items` (each already JSON). Absent:
   * the array's text, `[item,item,…]`.
   */
  jsonArrayParam?(items: readonly string[]): unknown;
}

/** The text of a JSON array of `items`, each already JSON. */
export function jsonArrayText(items: readonly string[]): string {
  return `[${items.join(',')}]`;
}
