/**
 * DuckDB prepared statements of a session's simple-protocol queries, kept by their final text,
 * so that a query sent again (dashboards, polling, ORMs without prepared statements) costs one
 * DuckDB call instead of a parse, a prepare and an execution.
 *
 * Only SELECTs are kept. What a statement binds to can change under the same text: DuckDB
 * rebinds a prepared statement itself when a catalog it reads changed (a lake refresh replacing
 * views), and the session clears the cache whenever what unqualified names and settings mean
 * may have changed (a statement other than a SELECT, SET, a switch of the default database).
 */
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';

const MAX_ENTRIES = 32;

export class StatementCache {
  private readonly entries = new Map<string, DuckDBPreparedStatement>();
  /** Counts the clears: a statement prepared in an earlier epoch may bind differently now. */
  epoch = 0;

  constructor(private readonly conn: DuckDBConnection) {}

  /**
   * The prepared statement for `key` (prepared from `text` when missing). Statements that are
   * not SELECTs are returned without being kept: the caller destroys them after use (see `owns`).
   */
  async get(key: string, text: string): Promise<DuckDBPreparedStatement> {
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const prepared = await this.conn.prepare(text);
    if (prepared.statementType === StatementType.SELECT) {
      this.entries.set(key, prepared);
      if (this.entries.size > MAX_ENTRIES) {
        const [oldestKey, oldest] = this.entries.entries().next().value as [string, DuckDBPreparedStatement];
        this.entries.delete(oldestKey);
        oldest.destroySync();
      }
    }
    return prepared;
  }

  /** Whether the cache keeps (and later destroys) this statement. */
  owns(key: string, prepared: DuckDBPreparedStatement): boolean {
    return this.entries.get(key) === prepared;
  }

  clear(): void {
    this.epoch++;
    for (const p of this.entries.values()) p.destroySync();
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
