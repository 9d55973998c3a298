/**
 * Creating a DuckLake 1.0 catalog exactly as the official extension does (same tables, same
 * column order and types, same primary keys, same bootstrap rows), and checking the version of
 * an existing one.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { CatalogStore } from './store.js';
import { uuidv7 } from '../../util/uuid.js';

/** The 28 catalog tables in the order the extension creates them. */
export const CATALOG_DDL: [string, string][] = [
  ['ducklake_metadata', 'key VARCHAR NOT NULL, value VARCHAR NOT NULL, scope VARCHAR, scope_id BIGINT'],
  ['ducklake_snapshot', 'snapshot_id BIGINT PRIMARY KEY, snapshot_time TIMESTAMPTZ, schema_version BIGINT, next_catalog_id BIGINT, next_file_id BIGINT'],
  ['ducklake_snapshot_changes', 'snapshot_id BIGINT PRIMARY KEY, changes_made VARCHAR, author VARCHAR, commit_message VARCHAR, commit_extra_info VARCHAR'],
  ['ducklake_schema', 'schema_id BIGINT PRIMARY KEY, schema_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN'],
  ['ducklake_table', 'table_id BIGINT, table_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, table_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN'],
  ['ducklake_view', 'view_id BIGINT, view_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, view_name VARCHAR, dialect VARCHAR, sql VARCHAR, column_aliases VARCHAR'],
  ['ducklake_tag', 'object_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR'],
  ['ducklake_column_tag', 'table_id BIGINT, column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR'],
  [
    'ducklake_data_file',
    'data_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, file_order BIGINT, path VARCHAR, path_is_relative BOOLEAN, file_format VARCHAR, record_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, row_id_start BIGINT, partition_id BIGINT, encryption_key VARCHAR, mapping_id BIGINT, partial_max BIGINT',
  ],
  [
    'ducklake_file_column_stats',
    'data_file_id BIGINT, table_id BIGINT, column_id BIGINT, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BOOLEAN, extra_stats VARCHAR',
  ],
  [
    'ducklake_file_variant_stats',
    'data_file_id BIGINT, table_id BIGINT, column_id BIGINT, variant_path VARCHAR, shredded_type VARCHAR, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BOOLEAN, extra_stats VARCHAR',
  ],
  [
    'ducklake_delete_file',
    'delete_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, format VARCHAR, delete_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, encryption_key VARCHAR, partial_max BIGINT',
  ],
  [
    'ducklake_column',
    'column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, table_id BIGINT, column_order BIGINT, column_name VARCHAR, column_type VARCHAR, initial_default VARCHAR, default_value VARCHAR, nulls_allowed BOOLEAN, parent_column BIGINT, default_value_type VARCHAR, default_value_dialect VARCHAR',
  ],
  ['ducklake_table_stats', 'table_id BIGINT, record_count BIGINT, next_row_id BIGINT, file_size_bytes BIGINT'],
  ['ducklake_table_column_stats', 'table_id BIGINT, column_id BIGINT, contains_null BOOLEAN, contains_nan BOOLEAN, min_value VARCHAR, max_value VARCHAR, extra_stats VARCHAR'],
  ['ducklake_partition_info', 'partition_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT'],
  ['ducklake_partition_column', 'partition_id BIGINT, table_id BIGINT, partition_key_index BIGINT, column_id BIGINT, transform VARCHAR'],
  ['ducklake_file_partition_value', 'data_file_id BIGINT, table_id BIGINT, partition_key_index BIGINT, partition_value VARCHAR'],
  ['ducklake_files_scheduled_for_deletion', 'data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, schedule_start TIMESTAMPTZ'],
  ['ducklake_inlined_data_tables', 'table_id BIGINT, table_name VARCHAR, schema_version BIGINT'],
  ['ducklake_column_mapping', 'mapping_id BIGINT, table_id BIGINT, type VARCHAR'],
  ['ducklake_name_mapping', 'mapping_id BIGINT, column_id BIGINT, source_name VARCHAR, target_field_id BIGINT, parent_column BIGINT, is_partition BOOLEAN'],
  ['ducklake_schema_versions', 'begin_snapshot BIGINT, schema_version BIGINT, table_id BIGINT'],
  ['ducklake_macro', 'schema_id BIGINT, macro_id BIGINT, macro_name VARCHAR, begin_snapshot BIGINT, end_snapshot BIGINT'],
  ['ducklake_macro_impl', 'macro_id BIGINT, impl_id BIGINT, dialect VARCHAR, sql VARCHAR, type VARCHAR'],
  ['ducklake_macro_parameters', 'macro_id BIGINT, impl_id BIGINT, column_id BIGINT, parameter_name VARCHAR, parameter_type VARCHAR, default_value VARCHAR, default_value_type VARCHAR'],
  ['ducklake_sort_info', 'sort_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT'],
  ['ducklake_sort_expression', 'sort_id BIGINT, table_id BIGINT, sort_key_index BIGINT, expression VARCHAR, dialect VARCHAR, sort_direction VARCHAR, null_order VARCHAR'],
];

export const SUPPORTED_VERSION = '1.0';

/** Whether the catalog tables exist (the extension probes ducklake_metadata the same way). */
export async function catalogExists(store: CatalogStore): Promise<boolean> {
  try {
    await store.query(`SELECT NULL FROM ${store.schemaSql}.ducklake_metadata LIMIT 1`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the catalog. Several processes may find the same PostgreSQL catalog empty at once: on
 * PostgreSQL they take turns (an advisory lock per metadata schema) and whoever comes second
 * finds the tables and leaves them alone; a bootstrap that still loses a race (e.g. against the
 * extension) is fine as long as the catalog exists afterwards.
 */
export async function bootstrapCatalog(store: CatalogStore, dataPath: string, createdBy: string, explicitSchema: boolean): Promise<void> {
  try {
    await createCatalog(store, dataPath, createdBy, explicitSchema);
  } catch (e) {
    if (await catalogExists(store)) return;
    throw e;
  }
}

async function createCatalog(store: CatalogStore, dataPath: string, createdBy: string, explicitSchema: boolean): Promise<void> {
  const m = store.schemaSql;
  await store.transaction(async (tx) => {
    if (tx.kind === 'postgres') {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`lakegres bootstrap ${store.schemaName}`]);
      const found = await tx.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'ducklake_metadata'`, [store.schemaName]);
      if (found.length > 0) return;
    }
    if (explicitSchema) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${m}`);
    for (const [name, columns] of CATALOG_DDL) await tx.exec(`CREATE TABLE ${m}.${name}(${columns})`);
    await tx.query(`INSERT INTO ${m}.ducklake_snapshot VALUES ($1, NOW(), $2, $3, $4)`, [0, 0, 1, 0]);
    await tx.query(`INSERT INTO ${m}.ducklake_snapshot_changes VALUES ($1, $2, NULL, NULL, NULL)`, [0, 'created_schema:"main"']);
    for (const [k, v] of [
      ['version', SUPPORTED_VERSION],
      ['created_by', createdBy],
      ['data_path', dataPath],
      ['encrypted', 'false'],
    ]) {
      await tx.query(`INSERT INTO ${m}.ducklake_metadata VALUES ($1, $2, NULL, NULL)`, [k, v]);
    }
    await tx.query(`INSERT INTO ${m}.ducklake_schema VALUES ($1, $2, $3, NULL, $4, $5, $6)`, [0, uuidv7(), 0, 'main', 'main/', true]);
  });
}

export interface CatalogMetadata {
  version: string;
  dataPath: string;
  encrypted: boolean;
  /** All global keys (options included). */
  global: Map<string, string>;
}

export async function readMetadata(store: CatalogStore): Promise<CatalogMetadata> {
  const rows = await store.query<{ key: string; value: string; scope: string | null; scope_id: number | null }>(
    `SELECT key, value, scope, scope_id FROM ${store.schemaSql}.ducklake_metadata`,
  );
  const global = new Map<string, string>();
  for (const r of rows) {
    if (r.scope !== null && r.scope !== 'schema' && r.scope !== 'table')
      throw new PgError(SqlState.featureNotSupported, `the lake catalog holds a setting with an unsupported scope "${r.scope}"`);
    if (r.scope === null) global.set(r.key, r.value);
  }
  const version = global.get('version');
  if (version !== SUPPORTED_VERSION) {
    throw new PgError(SqlState.featureNotSupported, `the lake catalog ${store.description} has DuckLake format version ${version ?? '(none)'}; lakegres reads and writes version ${SUPPORTED_VERSION} only`, {
      hint: 'Migrate the catalog with DuckDB and the ducklake extension (ATTACH ... (AUTOMATIC_MIGRATION true)) first. lakegres never migrates silently.',
    });
  }
  return { version, dataPath: global.get('data_path') ?? '', encrypted: global.get('encrypted') === 'true', global };
}
