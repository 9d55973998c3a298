/**
 * Whether a delete file is snapshot-tagged (has the `_ducklake_internal_snapshot_id` column).
 * The catalog's partial_max is not reliable for that (§15.2), so the file's schema decides;
 * files are immutable, so the answer is cached per path.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../types.js';
import { readAll } from '../../engine/rows.js';

export class TaggedDeleteCache {
  private readonly known = new Map<string, boolean>();

  async isTagged(conn: DuckDBConnection, localPath: string): Promise<boolean> {
    const hit = this.known.get(localPath);
    if (hit !== undefined) return hit;
    const r = await readAll(conn, `SELECT count(*) FROM parquet_schema(${quoteLiteral(localPath)}) WHERE name = '_ducklake_internal_snapshot_id'`);
    const tagged = Number(r.getRows()[0]?.[0] ?? 0) > 0;
    if (this.known.size > 100_000) this.known.clear();
    this.known.set(localPath, tagged);
    return tagged;
  }
}
