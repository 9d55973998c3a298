/**
 * Effective lake options for a table (§5): table-scoped row, then schema-scoped, then global,
 * then the built-in default.
 */
import type { CatalogQueryable, Row } from '../catalog/store.js';
import type { Lake } from '../lake.js';
import type { TableEntry } from '../catalog/model.js';

export interface TableOptions {
  inliningRowLimit: number;
  targetFileSize: number;
  compression?: string;
  compressionLevel?: number;
  parquetVersion?: string;
  rowGroupSize?: number;
  rowGroupSizeBytes?: number;
  hiveFilePattern: boolean;
  sortOnInsert: boolean;
}

export interface PendingOption {
  key: string;
  value: string;
  scope: 'table' | 'schema' | null;
  scopeId: number | null;
}

export async function tableOptions(q: CatalogQueryable, schemaSql: string, table: TableEntry, encrypted: boolean, pending: readonly PendingOption[] = []): Promise<TableOptions> {
  return resolveTableOptions(await q.query(`SELECT key, value, scope, scope_id FROM ${schemaSql}.ducklake_metadata`), table, encrypted, pending);
}

/** The same, from the lake's (cached) metadata rows. */
export async function lakeTableOptions(lake: Lake, table: TableEntry, pending: readonly PendingOption[] = []): Promise<TableOptions> {
  return resolveTableOptions(await lake.metadataRows(), table, lake.metadata.encrypted, pending);
}

function resolveTableOptions(committed: readonly Row[], table: TableEntry, encrypted: boolean, pending: readonly PendingOption[]): TableOptions {
  // Options set by the running transaction win over committed ones of the same scope.
  const rows = [...pending.map((o) => ({ key: o.key, value: o.value, scope: o.scope, scope_id: o.scopeId })).reverse(), ...committed];
  const get = (key: string): string | undefined => {
    const scoped = (scope: string | null, id: number | null) => rows.find((r) => r.key === key && (r.scope ?? null) === scope && (scope === null || Number(r.scope_id) === id));
    return ((scoped('table', table.id) ?? scoped('schema', table.schemaId) ?? scoped(null, null))?.value as string | undefined) ?? undefined;
  };
  const num = (k: string) => {
    const v = get(k);
    return v === undefined ? undefined : Number(v);
  };
  return {
    inliningRowLimit: num('data_inlining_row_limit') ?? 10,
    targetFileSize: num('target_file_size') ?? 536870912,
    compression: get('parquet_compression'),
    compressionLevel: num('parquet_compression_level'),
    parquetVersion: get('parquet_version'),
    rowGroupSize: num('parquet_row_group_size'),
    rowGroupSizeBytes: num('parquet_row_group_size_bytes'),
    hiveFilePattern: (get('hive_file_pattern') ?? (encrypted ? 'false' : 'true')) === 'true',
    sortOnInsert: (get('sort_on_insert') ?? 'true') === 'true',
  };
}
