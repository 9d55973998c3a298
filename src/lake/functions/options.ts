/** ducklake_options(): the persisted settings of a lake with their scope. */
import { valuesRelation, type SqlValue } from './sql-values.js';
import type { RewriteContext } from '../sql/rewrite.js';

export const OPTION_DESCRIPTIONS: Record<string, string> = {
  data_inlining_row_limit: 'Maximum amount of rows to inline in a single insert',
  target_file_size: 'The target data file size for insertion and compaction operations',
  parquet_compression: 'Compression algorithm for Parquet files (uncompressed, snappy, gzip, zstd, brotli, lz4, lz4_raw)',
  parquet_compression_level: 'Compression level for Parquet files',
  parquet_version: 'Parquet format version (1 or 2)',
  parquet_row_group_size: 'Number of rows per row group in Parquet files',
  parquet_row_group_size_bytes: 'Number of bytes per row group in Parquet files',
  hive_file_pattern: 'If partitioned data should be written in a hive-like folder structure',
  per_thread_output: 'Whether to create separate output files per thread during parallel insertion',
  require_commit_message: 'If an explicit commit message is required for a snapshot commit',
  rewrite_delete_threshold: 'A threshold that determines the minimum amount of data that must be removed from a file before a rewrite is warranted',
  delete_older_than: 'How old unused files must be to be removed by cleanup functions',
  expire_older_than: 'How old snapshots must be, by default, to be expired by expire_snapshots',
  auto_compact: 'Whether the table is included in compaction and flush operations',
  write_deletion_vectors: 'Whether deletes are written as deletion vectors',
  sort_on_insert: 'Whether inserts into tables with a sort order are sorted',
  version: 'DuckLake format version',
  created_by: 'Tool used to write the DuckLake',
  data_path: 'Path to data files',
  encrypted: 'Whether or not to encrypt Parquet files written to the data path',
};

export async function optionsRelation(ctx: RewriteContext): Promise<string> {
  const lake = ctx.runtime.lake;
  const rows = await lake.store.query(`SELECT key, value, scope, scope_id FROM ${lake.store.schemaSql}.ducklake_metadata ORDER BY scope NULLS FIRST, scope_id, key`);
  const out: SqlValue[][] = rows.map((r) => {
    const scope = r.scope === 'schema' ? 'SCHEMA' : r.scope === 'table' ? 'TABLE' : 'GLOBAL';
    let entry: string | null = null;
    if (scope === 'SCHEMA') entry = ctx.state.schemas.get(Number(r.scope_id))?.name ?? String(r.scope_id);
    if (scope === 'TABLE') {
      const t = ctx.state.tables.get(Number(r.scope_id));
      entry = t ? `${ctx.state.schemas.get(t.schemaId)?.name ?? ''}.${t.name}` : String(r.scope_id);
    }
    const key = String(r.key);
    return [key, OPTION_DESCRIPTIONS[key] ?? null, String(r.value), scope, entry];
  });
  return valuesRelation(
    [
      ['option_name', 'VARCHAR'],
      ['description', 'VARCHAR'],
      ['value', 'VARCHAR'],
      ['scope', 'VARCHAR'],
      ['scope_entry', 'VARCHAR'],
    ],
    out,
  );
}
