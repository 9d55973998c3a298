/**
 * Where the DuckLake catalog tables live: a DuckDB database file (embedded default) or a
 * PostgreSQL database. Both backends take the same SQL (written to be valid on both) with `$n`
 * parameters, and return rows whose integers are JS numbers (ids and counters stay below 2^53),
 * strings, booleans and nulls.
 */

export type Row = Record<string, unknown>;

export interface CatalogQueryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs several statements without results (DDL batches). */
  exec(sql: string): Promise<void>;
}

export interface CatalogTransaction extends CatalogQueryable {
  readonly kind: 'duckdb' | 'postgres';
  /**
   * Queues a statement whose result is not needed. Queued statements run in order before the
   * next query or exec and at COMMIT, sent together as one script where their parameters can be
   * written as literals (see literal-sql.ts); their errors surface there.
   */
  defer(sql: string, params?: readonly unknown[]): void;
  /**
   * Runs the queued statements, then `sql`, then COMMIT (one round trip where possible) and
   * returns the rows of `sql`. Nothing may be run in the transaction afterwards.
   */
  commitWith<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface CatalogStore extends CatalogQueryable {
  readonly kind: 'duckdb' | 'postgres';
  /** Schema that holds the ducklake_* tables, already quoted for SQL ("main", "public", ...). */
  readonly schemaSql: string;
  /** The same schema name, unquoted (for information_schema lookups). */
  readonly schemaName: string;
  /** Human-readable location for messages (never includes a password). */
  readonly description: string;
  /**
   * Runs `fn` in one catalog transaction. For PostgreSQL the isolation is REPEATABLE READ when
   * `readOnly`, READ COMMITTED otherwise (conflicts surface as primary-key violations).
   */
  transaction<T>(fn: (tx: CatalogTransaction) => Promise<T>, opts?: { readOnly?: boolean }): Promise<T>;
  close(): Promise<void>;
}

/** Whether an error from a catalog commit is a lost race that the commit protocol retries. */
export function isRetryableCommitError(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  // 42P07: two commits creating the same inlined-data table at once (the loser retries and then
  // sees the winner's snapshot); 55P03: a lock not available.
  // 42710: the same for the row type PostgreSQL creates with such a table.
  if (code === '23505' || code === '40001' || code === '40P01' || code === '42P07' || code === '42710' || code === '55P03') return true;
  const msg = String((e as Error)?.message ?? e).toLowerCase();
  return /primary key|unique|conflict|concurrent|duplicate key/.test(msg);
}
