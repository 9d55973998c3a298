/**
 * Parquet files written by maintenance (merged, rewritten and flushed data; flushed delete
 * files) exactly as the extension writes them (§14, §15): field ids, the internal columns
 * _ducklake_internal_row_id / _ducklake_internal_snapshot_id after the user columns,
 * `ducklake-<uuidv7>.parquet` names, the table's Parquet options, statistics from RETURN_STATS.
 * Files are staged first and published (uploaded for S3) before the catalog commit.
 */
import path from 'node:path';
import { mkdir, rename, rm } from 'node:fs/promises';
import { DuckDBMapValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Lake } from '../lake.js';
import type { TableEntry } from '../catalog/model.js';
import { fieldIdsSpec, leafPaths, quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';
import { fileColumnStats, type ColumnStats } from '../write/stats.js';
import { tableOptions, type TableOptions } from '../write/options.js';
import { uuidv7 } from '../../util/uuid.js';
import { fromDuckDBError } from '../../errors/duckdb-errors.js';
import { DELETE_FILE_PATH_FIELD, DELETE_POS_FIELD, SNAPSHOT_ID_FIELD } from '../write/deletes.js';
import { ROW_ID_FIELD } from '../read/table-view.js';

export const ROW_ID_COLUMN = '_ducklake_internal_row_id';
export const SNAPSHOT_ID_COLUMN = '_ducklake_internal_snapshot_id';

/** A data file written by maintenance, staged locally and published to its URI. */
export interface MaintenanceFile {
  /** Path relative to the table directory. */
  path: string;
  uri: string;
  /** Where DuckDB wrote it (still readable after publishing for local stores only). */
  local: string;
  recordCount: number;
  fileSizeBytes: number;
  footerSize: number;
  columnStats: ColumnStats[];
  /** min/max of the internal columns when written. */
  minSnapshot: number | null;
  maxSnapshot: number | null;
  minRowId: number | null;
}

export interface DataFileWrite {
  /** Table directory URI (ending with '/') and hive sub-directory ('' or 'k=v/'). */
  tableDir: string;
  subdir: string;
  /** SELECT with the user columns (by name) followed by the internal columns written. */
  query: string;
  columns: LakeColumn[];
  rowIds: boolean;
  snapshotIds: boolean;
  options: TableOptions;
  /** Rotate files at this size (several files may result); otherwise exactly one file. */
  rotateAt?: number;
}

export async function optionsFor(lake: Lake, table: TableEntry): Promise<TableOptions> {
  return tableOptions(lake.store, lake.store.schemaSql, table, lake.metadata.encrypted);
}

function copyOptions(w: DataFileWrite): string {
  let ids = fieldIdsSpec(w.columns);
  const internal: string[] = [];
  if (w.rowIds) internal.push(`${ROW_ID_COLUMN}: ${ROW_ID_FIELD}`);
  if (w.snapshotIds) internal.push(`${SNAPSHOT_ID_COLUMN}: ${SNAPSHOT_ID_FIELD}`);
  if (internal.length) ids = ids === '{}' ? `{${internal.join(', ')}}` : ids.slice(0, -1) + `, ${internal.join(', ')}}`;
  const o = w.options;
  const parts = [`FORMAT parquet`, `FIELD_IDS ${ids}`, `RETURN_STATS true`];
  if (o.compression) parts.push(`COMPRESSION ${o.compression}`);
  if (o.compressionLevel !== undefined) parts.push(`COMPRESSION_LEVEL ${o.compressionLevel}`);
  if (o.parquetVersion) parts.push(`PARQUET_VERSION ${o.parquetVersion}`);
  if (o.rowGroupSize !== undefined) parts.push(`ROW_GROUP_SIZE ${o.rowGroupSize}`);
  if (o.rowGroupSizeBytes !== undefined) parts.push(`ROW_GROUP_SIZE_BYTES '${o.rowGroupSizeBytes} bytes'`);
  return parts.join(', ');
}

/** Writes (stages) the data files of one query; returns nothing for zero rows. */
export async function writeDataFiles(conn: DuckDBConnection, lake: Lake, w: DataFileWrite): Promise<MaintenanceFile[]> {
  const target = w.tableDir + w.subdir;
  let result: Record<string, unknown>[];
  if (w.rotateAt !== undefined) {
    // DuckDB names the files: it writes into a private directory (removed whole when the COPY
    // fails half-way), and the files move into the table directory afterwards.
    const local = lake.objects.kind === 'local';
    const dir = local ? `${target}.lakegres-${uuidv7()}` : (await lake.objects.stagingPath(target)).replace(/\/$/, '');
    await mkdir(dir, { recursive: true });
    try {
      result = (
        await conn.runAndReadAll(`COPY (${w.query}) TO ${quoteLiteral(dir)} (${copyOptions(w)}, FILENAME_PATTERN 'ducklake-{uuidv7}', OVERWRITE_OR_IGNORE true, FILE_SIZE_BYTES ${w.rotateAt})`)
      ).getRowObjects();
      if (local) {
        for (const r of result) {
          const to = target + path.basename(String(r.filename));
          await rename(String(r.filename), to);
          r.filename = to;
        }
        await rm(dir, { recursive: true, force: true });
      }
    } catch (e) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw fromDuckDBError(e);
    }
  } else {
    const name = `ducklake-${uuidv7()}.parquet`;
    const staged = await lake.objects.stagingPath(target + name);
    const local = staged.endsWith('/') ? path.join(staged, name) : staged;
    await mkdir(path.dirname(local), { recursive: true });
    try {
      result = (await conn.runAndReadAll(`COPY (${w.query}) TO ${quoteLiteral(local)} (${copyOptions(w)})`)).getRowObjects();
    } catch (e) {
      await rm(local, { force: true }).catch(() => undefined);
      throw fromDuckDBError(e);
    }
  }
  const leaves = leafPaths(w.columns);
  const out: MaintenanceFile[] = [];
  for (const r of result) {
    const count = Number(r.count);
    const local = String(r.filename);
    if (count === 0) continue;
    const stats = statsMap(r.column_statistics);
    const internal = (col: string, key: 'min' | 'max') => {
      const s = stats.get(quoteIdent(col)) ?? stats.get(col);
      const v = s?.get(key);
      return v === undefined ? null : Number(v);
    };
    const name = path.basename(local);
    out.push({
      path: w.subdir + name,
      uri: target + name,
      local,
      recordCount: count,
      fileSizeBytes: Number(r.file_size_bytes),
      footerSize: Number(r.footer_size_bytes),
      columnStats: fileColumnStats(leaves, stats),
      minSnapshot: w.snapshotIds ? internal(SNAPSHOT_ID_COLUMN, 'min') : null,
      maxSnapshot: w.snapshotIds ? internal(SNAPSHOT_ID_COLUMN, 'max') : null,
      minRowId: w.rowIds ? internal(ROW_ID_COLUMN, 'min') : null,
    });
  }
  return out;
}

/** A delete file written by maintenance (always snapshot-tagged: flushes keep per-row history). */
export interface MaintenanceDeleteFile {
  path: string;
  uri: string;
  local: string;
  deleteCount: number;
  fileSizeBytes: number;
  footerSize: number;
  beginSnapshot: number;
  maxSnapshot: number;
}

/**
 * Writes a snapshot-tagged positional delete file (§15.2) into the table directory from a query
 * with columns `pos` and `snap` (one row per position).
 */
export async function writeTaggedDeleteFile(conn: DuckDBConnection, lake: Lake, tableDir: string, dataFileUri: string, positions: string): Promise<MaintenanceDeleteFile> {
  const name = `ducklake-${uuidv7()}-delete.parquet`;
  const uri = tableDir + name;
  const staged = await lake.objects.stagingPath(uri);
  const local = staged.endsWith('/') ? path.join(staged, name) : staged;
  await mkdir(path.dirname(local), { recursive: true });
  const fieldIds = `{file_path: ${DELETE_FILE_PATH_FIELD}, pos: ${DELETE_POS_FIELD}, ${SNAPSHOT_ID_COLUMN}: ${SNAPSHOT_ID_FIELD}}`;
  const query = `SELECT ${quoteLiteral(dataFileUri)} AS file_path, CAST(pos AS BIGINT) AS pos, CAST(snap AS BIGINT) AS ${SNAPSHOT_ID_COLUMN} FROM (${positions}) ORDER BY pos`;
  let row: Record<string, unknown>;
  let lo: unknown;
  let hi: unknown;
  try {
    row = (await conn.runAndReadAll(`COPY (${query}) TO ${quoteLiteral(local)} (FORMAT parquet, FIELD_IDS ${fieldIds}, RETURN_STATS)`)).getRowObjects()[0]!;
    [lo, hi] = (await conn.runAndReadAll(`SELECT min(snap), max(snap) FROM (${positions})`)).getRows()[0]!;
  } catch (e) {
    await rm(local, { force: true }).catch(() => undefined);
    throw fromDuckDBError(e);
  }
  return {
    path: name,
    uri,
    local,
    deleteCount: Number(row.count),
    fileSizeBytes: Number(row.file_size_bytes),
    footerSize: Number(row.footer_size_bytes),
    beginSnapshot: Number(lo),
    maxSnapshot: Number(hi),
  };
}

export async function publish(lake: Lake, files: { local: string; uri: string }[]): Promise<void> {
  for (const f of files) await lake.objects.publish(f.local, f.uri);
}

/** Removes written files (staged or published) after a failure. */
export async function discard(lake: Lake, files: { local: string; uri: string }[]): Promise<void> {
  await lake.objects.delete(files.map((f) => f.uri)).catch(() => undefined);
  for (const f of files) await rm(f.local, { force: true }).catch(() => undefined);
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

/** Deleted positions of a delete file at any snapshot, with the snapshot each was deleted in. */
export async function deleteFilePositions(conn: DuckDBConnection, localPath: string, beginSnapshot: number): Promise<string> {
  const r = await conn.runAndReadAll(`SELECT count(*) FROM parquet_schema(${quoteLiteral(localPath)}) WHERE name = '${SNAPSHOT_ID_COLUMN}'`);
  const tagged = Number(r.getRows()[0]?.[0] ?? 0) > 0;
  return tagged
    ? `SELECT pos, ${SNAPSHOT_ID_COLUMN} AS snap FROM read_parquet(${quoteLiteral(localPath)})`
    : `SELECT pos, ${beginSnapshot}::BIGINT AS snap FROM read_parquet(${quoteLiteral(localPath)})`;
}
