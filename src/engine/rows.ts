/**
 * Small results read in one DuckDB call. Every `@duckdb/node-api` call is a round trip through
 * libuv's thread pool; `runAndReadAll` makes one for the query and one per chunk (plus one to
 * learn that there are no more). A materialized result holds its chunks already, and they can
 * be read synchronously. Only for results known to be small (catalog rows, counts, statistics).
 */
import type { DuckDBConnection, DuckDBMaterializedResult, DuckDBPreparedStatement, DuckDBType, DuckDBValue } from '@duckdb/node-api';

export class RowsResult {
  private readonly rows: DuckDBValue[][] = [];
  private readonly names: string[] = [];

  constructor(result: DuckDBMaterializedResult) {
    for (let i = 0; i < result.columnCount; i++) this.names.push(result.columnName(i));
    for (let i = 0; i < result.chunkCount; i++) {
      const chunk = result.getChunk(i);
      if (chunk.rowCount > 0) for (const r of chunk.getRows()) this.rows.push(r);
    }
  }

  columnNames(): string[] {
    return this.names;
  }

  getRows(): DuckDBValue[][] {
    return this.rows;
  }

  getRowObjects(): Record<string, DuckDBValue>[] {
    return this.rows.map((r) => {
      const o: Record<string, DuckDBValue> = {};
      for (let i = 0; i < this.names.length; i++) o[this.names[i]!] = r[i]!;
      return o;
    });
  }
}

/** Runs `sql` (with optional parameter values) and returns all its rows. */
export async function readAll(
  conn: DuckDBConnection,
  sql: string,
  values?: DuckDBValue[] | Record<string, DuckDBValue>,
  types?: DuckDBType[] | Record<string, DuckDBType | undefined>,
): Promise<RowsResult> {
  return new RowsResult(await conn.run(sql, values, types));
}

/** Executes a prepared statement (parameters already bound) and returns all its rows. */
export async function readAllPrepared(prepared: DuckDBPreparedStatement): Promise<RowsResult> {
  return new RowsResult(await prepared.run());
}
