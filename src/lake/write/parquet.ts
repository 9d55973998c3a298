/**
 * Writing table data to Parquet exactly like the extension (§14.1): field ids on every node,
 * `ducklake-<uuidv7>.parquet` names in the table directory (hive directories for partitioned
 * tables), rotation at target_file_size, per-file statistics from RETURN_STATS.
 */
import { DuckDBMapValue, type DuckDBConnection } from '@duckdb/node-api';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fromDuckDBError } from '../../errors/duckdb-errors.js';
import type { Lake } from '../lake.js';
import type { SchemaState, TableEntry } from '../catalog/model.js';
import { fieldIdsSpec, leafPaths, quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';
import { fileColumnStats } from './stats.js';
import type { NewDataFile } from './tx.js';
import type { TableOptions } from './options.js';
import { readAll } from '../../engine/rows.js';

export interface WriteOptions {
  /** Extra internal columns in the file (UPDATE writes _ducklake_internal_row_id). */
  explicitRowIds?: boolean;
}

function copyOptions(table: TableEntry, opts: TableOptions, explicitRowIds: boolean): string {
  let ids = fieldIdsSpec(table.columns);
  if (explicitRowIds) ids = ids.slice(0, -1) + `, _ducklake_internal_row_id: 2147483540}`;
  const parts = [`FORMAT parquet`, `FIELD_IDS ${ids}`, `RETURN_STATS true`, `FILENAME_PATTERN 'ducklake-{uuidv7}'`, `OVERWRITE_OR_IGNORE true`];
  if (opts.compression) parts.push(`COMPRESSION ${opts.compression}`);
  if (opts.compressionLevel !== undefined) parts.push(`COMPRESSION_LEVEL ${opts.compressionLevel}`);
  if (opts.parquetVersion) parts.push(`PARQUET_VERSION ${opts.parquetVersion}`);
  if (opts.rowGroupSize !== undefined) parts.push(`ROW_GROUP_SIZE ${opts.rowGroupSize}`);
  if (opts.rowGroupSizeBytes !== undefined) parts.push(`ROW_GROUP_SIZE_BYTES '${opts.rowGroupSizeBytes} bytes'`);
  return parts.join(', ');
}

/** Hive directory key names of a partition spec (§18.3). */
export function partitionKeyNames(table: TableEntry): string[] {
  const used = new Set<string>();
  return (table.partition?.keys ?? []).map((k) => {
    const col = table.columns.find((c) => c.id === k.columnId)!;
    const base = k.transform === 'identity' ? col.name : k.transform.replace(/\(.*$/, '');
    const name = used.has(base) ? `${base}_${col.name}` : base;
    used.add(name);
    return name;
  });
}

/** SQL of a partition transform applied to a column. */
export function transformSql(transform: string, colSql: string): string {
  if (transform === 'identity') return colSql;
  const bucket = /^bucket\((\d+)\)$/.exec(transform);
  if (bucket) return `CAST((hash_murmur3_32(${colSql}) & 2147483647) % ${bucket[1]} AS INTEGER)`;
  return `${transform}(${colSql})`;
}

/** DuckDB's hive escaping of a partition value in a directory name. */
export function hiveValue(v: string | null): string {
  if (v === null) return '__HIVE_DEFAULT_PARTITION__';
  return v.replace(/[^A-Za-z0-9._\- ]/g, (c) => '%' + Buffer.from(c).toString('hex').toUpperCase().replace(/(..)/g, '$1%').slice(0, -1));
}

export async function writeParquet(
  conn: DuckDBConnection,
  lake: Lake,
  state: SchemaState,
  table: TableEntry,
  /** A relation with the table's columns (by name) and, with explicitRowIds, _ducklake_internal_row_id. */
  source: string,
  opts: TableOptions,
  write: WriteOptions = {},
): Promise<NewDataFile[]> {
  const tableDir = lake.tableDir(state, table);
  const cols = table.columns.map((c) => quoteIdent(c.name));
  if (write.explicitRowIds) cols.push('_ducklake_internal_row_id');
  const order = opts.sortOnInsert && table.sort ? ` ORDER BY ${table.sort.keys.map((k) => `${k.expression} ${k.direction} ${k.nullOrder.replace('_', ' ')}`).join(', ')}` : '';
  const options = copyOptions(table, opts, !!write.explicitRowIds);
  const out: NewDataFile[] = [];
  if (!table.partition || table.partition.keys.length === 0) {
    out.push(...(await copyTo(conn, lake, table, tableDir, '', `SELECT ${cols.join(', ')} FROM ${source}${order}`, `${options}, FILE_SIZE_BYTES ${opts.targetFileSize}`, null, write)));
    return out;
  }
  // Partitioned: one COPY per partition value combination, into its hive directory.
  const keys = table.partition.keys;
  const keyNames = partitionKeyNames(table);
  const keyExprs = keys.map((k) => transformSql(k.transform, quoteIdent(table.columns.find((c) => c.id === k.columnId)!.name)));
  let combos: (string | null)[][];
  try {
    // Partitions in the order of their values (a stable file order, as the extension's).
    const r = await readAll(conn,
      `SELECT ${keyExprs.map((_, i) => `CAST(k${i} AS VARCHAR)`).join(', ')} FROM (SELECT DISTINCT ${keyExprs.map((e, i) => `${e} AS k${i}`).join(', ')} FROM ${source}) ORDER BY ${keyExprs.map((_, i) => `k${i} NULLS LAST`).join(', ')}`,
    );
    combos = r.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
  } catch (e) {
    throw fromDuckDBError(e);
  }
  for (const combo of combos) {
    const where = combo.map((v, i) => (v === null ? `(${keyExprs[i]}) IS NULL` : `CAST(${keyExprs[i]} AS VARCHAR) = ${quoteLiteral(v)}`)).join(' AND ');
    const sub = opts.hiveFilePattern ? combo.map((v, i) => `${keyNames[i]}=${hiveValue(v)}/`).join('') : '';
    out.push(...(await copyTo(conn, lake, table, tableDir, sub, `SELECT ${cols.join(', ')} FROM ${source} WHERE ${where}${order}`, `${options}, FILE_SIZE_BYTES ${opts.targetFileSize}`, combo, write)));
  }
  return out;
}

async function copyTo(
  conn: DuckDBConnection,
  lake: Lake,
  table: TableEntry,
  tableDir: string,
  subdir: string,
  query: string,
  options: string,
  partitionValues: (string | null)[] | null,
  write: WriteOptions,
): Promise<NewDataFile[]> {
  const targetUri = tableDir + subdir;
  const localDir = await lake.objects.stagingPath(targetUri);
  await mkdir(localDir, { recursive: true });
  let rows;
  try {
    rows = (await readAll(conn, `COPY (${query}) TO ${quoteLiteral(localDir.endsWith('/') ? localDir.slice(0, -1) : localDir)} (${options})`)).getRowObjects();
  } catch (e) {
    throw fromDuckDBError(e);
  }
  const leaves = leafPaths(table.columns);
  const files: NewDataFile[] = [];
  for (const r of rows) {
    const local = String(r.filename);
    const name = path.basename(local);
    const uri = targetUri + name;
    await lake.objects.publish(local, uri);
    files.push({
      path: subdir + name,
      uri,
      recordCount: Number(r.count),
      fileSizeBytes: Number(r.file_size_bytes),
      footerSize: Number(r.footer_size_bytes),
      columnStats: fileColumnStats(leaves, statsMap(r.column_statistics)),
      partitionValues,
      explicitRowIds: !!write.explicitRowIds,
    });
  }
  return files;
}

function statsMap(v: unknown): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  if (!(v instanceof DuckDBMapValue)) return out;
  for (const { key, value } of v.entries) {
    const inner = new Map<string, string>();
    if (value instanceof DuckDBMapValue) for (const e of value.entries) if (e.value !== null) inner.set(String(e.key), String(e.value));
    out.set(String(key), inner);
  }
  return out;
}

export type { LakeColumn };
