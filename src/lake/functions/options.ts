/** ducklake_options(): the persisted settings of a lake with their scope. */
import { valuesRelation, type SqlValue } from './sql-values.js';
import type { RewriteContext } from '../sql/rewrite.js';

/**
 * Descriptions ducklake_options() shows for the options the extension knows (its output, word for
 * word, so that both list a lake's options alike); other keys have none.
 */
export const OPTION_DESCRIPTIONS: Record<string, string> = {
  data_inlining_row_limit: 'Maximum amount of rows to inline in a single insert',
  parquet_compression: 'Compression algorithm for Parquet files (uncompressed, snappy, gzip, zstd, brotli, lz4, lz4_raw)',
  parquet_version: 'Parquet format version (1 or 2)',
  parquet_compression_level: 'Compression level for Parquet files',
  parquet_row_group_size: 'Number of rows per row group in Parquet files',
  parquet_row_group_size_bytes: 'Number of bytes per row group in Parquet files',
  hive_file_pattern: 'If partitioned data should be written in a hive-like folder structure',
  target_file_size: 'The target data file size for insertion and compaction operations',
  version: 'DuckLake format version',
  created_by: 'Tool used to write the DuckLake',
  data_path: 'Path to data files',
  require_commit_message: 'If an explicit commit message is required for a snapshot commit.',
  rewrite_delete_threshold: 'A threshold that determines the minimum amount of data that must be removed from a file before a rewrite is warranted. From 0 - 1.',
  delete_older_than: "How old unused files must be to be removed by the 'ducklake_delete_orphaned_files' and 'ducklake_cleanup_old_files' cleanup functions.",
  expire_older_than: "How old snapshots must be, by default, to be expired by: 'ducklake_expire_snapshots'",
  auto_compact:
    "Pre-defined schema used as a default value for the following compaction functions 'ducklake_flush_inlined_data','ducklake_merge_adjacent_files', 'ducklake_rewrite_data_files', 'ducklake_delete_orphaned_files'",
  encrypted: 'Whether or not to encrypt Parquet files written to the data path',
  per_thread_output: 'Whether to create separate output files per thread during parallel insertion',
  write_deletion_vectors: '[EXPERIMENTAL - do not use outside testing] Whether to write Iceberg V3 deletion vectors (puffin) instead of positional delete files (parquet)',
  sort_on_insert: 'Whether to sort data on INSERT according to SET SORTED BY (default: true)',
};

const SCOPE_RANK: Record<string, number> = { GLOBAL: 0, SCHEMA: 1, TABLE: 2 };

/**
 * Rows of ducklake_options() as the extension lists them: global options, then schema-scoped,
 * then table-scoped ones (each in catalog order), sorted by option name; the scope entry is the
 * schema name or `schema.table` of an object that exists at the session's snapshot, else NULL.
 */
export async function optionsRelation(ctx: RewriteContext): Promise<string> {
  const lake = ctx.runtime.lake;
  const rows = await lake.store.query(`SELECT key, value, scope, scope_id FROM ${lake.store.schemaSql}.ducklake_metadata`);
  const out = rows.map((r, i) => {
    const scope = r.scope === 'schema' ? 'SCHEMA' : r.scope === 'table' ? 'TABLE' : 'GLOBAL';
    let entry: string | null = null;
    if (scope === 'SCHEMA') entry = ctx.state.schemas.get(Number(r.scope_id))?.name ?? null;
    if (scope === 'TABLE') {
      const t = ctx.state.tables.get(Number(r.scope_id));
      const schema = t ? ctx.state.schemas.get(t.schemaId) : undefined;
      entry = t && schema ? `${schema.name}.${t.name}` : null;
    }
    const key = String(r.key);
    return { i, scope, row: [key, OPTION_DESCRIPTIONS[key] ?? null, String(r.value), scope, entry] as SqlValue[] };
  });
  out.sort((a, b) => {
    const ka = String(a.row[0]);
    const kb = String(b.row[0]);
    return ka < kb ? -1 : ka > kb ? 1 : SCOPE_RANK[a.scope]! - SCOPE_RANK[b.scope]! || a.i - b.i;
  });
  return valuesRelation(
    [
      ['option_name', 'VARCHAR'],
      ['description', 'VARCHAR'],
      ['value', 'VARCHAR'],
      ['scope', 'VARCHAR'],
      ['scope_entry', 'VARCHAR'],
    ],
    out.map((o) => o.row),
  );
}
