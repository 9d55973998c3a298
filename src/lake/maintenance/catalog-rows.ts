/** Catalog rows that maintenance commits write (data files, delete files, scheduled deletions, stats). */
import type { CatalogTransaction } from '../catalog/store.js';
import type { ColumnStats } from '../write/stats.js';
import { mergeTableStats, type TableColumnStats } from '../write/stats.js';
import type { LakeColumn } from '../types.js';

export interface DataFileRow {
  id: number;
  tableId: number;
  beginSnapshot: number;
  path: string;
  recordCount: number;
  fileSizeBytes: number;
  footerSize: number;
  rowIdStart: number | null;
  partitionId: number | null;
  partialMax: number | null;
  columnStats: ColumnStats[];
  partitionValues: (string | null)[] | null;
}

export async function insertDataFile(tx: CatalogTransaction, m: string, f: DataFileRow): Promise<void> {
  await tx.query(`INSERT INTO ${m}.ducklake_data_file VALUES ($1, $2, $3, NULL, NULL, $4, true, 'parquet', $5, $6, $7, $8, $9, NULL, NULL, $10)`, [
    f.id,
    f.tableId,
    f.beginSnapshot,
    f.path,
    f.recordCount,
    f.fileSizeBytes,
    f.footerSize,
    f.rowIdStart,
    f.partitionId,
    f.partialMax,
  ]);
  for (const s of f.columnStats) {
    await tx.query(`INSERT INTO ${m}.ducklake_file_column_stats VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)`, [
      f.id,
      f.tableId,
      s.columnId,
      s.columnSizeBytes,
      s.valueCount,
      s.nullCount,
      s.min,
      s.max,
      s.containsNan,
    ]);
  }
  if (f.partitionValues) {
    for (const [i, v] of f.partitionValues.entries()) await tx.query(`INSERT INTO ${m}.ducklake_file_partition_value VALUES ($1, $2, $3, $4)`, [f.id, f.tableId, i, v]);
  }
}

export interface DeleteFileRow {
  id: number;
  tableId: number;
  beginSnapshot: number;
  dataFileId: number;
  path: string;
  deleteCount: number;
  fileSizeBytes: number;
  footerSize: number;
  partialMax: number | null;
}

export async function insertDeleteFile(tx: CatalogTransaction, m: string, d: DeleteFileRow): Promise<void> {
  await tx.query(`INSERT INTO ${m}.ducklake_delete_file VALUES ($1, $2, $3, NULL, $4, $5, true, 'parquet', $6, $7, $8, NULL, $9)`, [
    d.id,
    d.tableId,
    d.beginSnapshot,
    d.dataFileId,
    d.path,
    d.deleteCount,
    d.fileSizeBytes,
    d.footerSize,
    d.partialMax,
  ]);
}

export async function scheduleDeletion(tx: CatalogTransaction, m: string, fileId: number, where: { path: string; relative: boolean }): Promise<void> {
  await tx.query(`INSERT INTO ${m}.ducklake_files_scheduled_for_deletion VALUES ($1, $2, $3, NOW())`, [fileId, where.path, where.relative]);
}

/** Leaf column types by column id (the keys of table column statistics). */
export function leafTypes(cols: LakeColumn[], out = new Map<number, string>()): Map<number, string> {
  for (const c of cols) {
    if (c.children.length) leafTypes(c.children, out);
    else out.set(c.id, c.type);
  }
  return out;
}

/**
 * Table statistics after new files whose rows were already counted (flushed inlined rows):
 * file_size_bytes grows and the column statistics merge; record_count and next_row_id stay.
 */
export async function addFilesToTableStats(tx: CatalogTransaction, m: string, tableId: number, columns: LakeColumn[], files: { fileSizeBytes: number; columnStats: ColumnStats[] }[]): Promise<void> {
  const st = await tx.query(`SELECT record_count, next_row_id, file_size_bytes FROM ${m}.ducklake_table_stats WHERE table_id = $1`, [tableId]);
  const had = st.length > 0;
  const colRows = had ? await tx.query(`SELECT column_id, contains_null, contains_nan, min_value, max_value FROM ${m}.ducklake_table_column_stats WHERE table_id = $1`, [tableId]) : [];
  const existing: Map<number, TableColumnStats> | undefined = had
    ? new Map(
        colRows.map((r) => [
          Number(r.column_id),
          {
            columnId: Number(r.column_id),
            containsNull: r.contains_null as boolean | null,
            containsNan: r.contains_nan as boolean | null,
            min: r.min_value as string | null,
            max: r.max_value as string | null,
          },
        ]),
      )
    : undefined;
  const incoming = files.flatMap((f) =>
    f.columnStats.map((s) => ({ columnId: s.columnId, nullCount: s.nullCount, min: s.min, max: s.max, containsNan: s.containsNan, hasValues: (s.valueCount ?? 1) > 0 })),
  );
  const merged = mergeTableStats(leafTypes(columns), existing, incoming);
  const bytes = files.reduce((n, f) => n + f.fileSizeBytes, 0);
  if (had) {
    await tx.query(`UPDATE ${m}.ducklake_table_stats SET file_size_bytes = $1 WHERE table_id = $2`, [Number(st[0]!.file_size_bytes) + bytes, tableId]);
    for (const s of merged.values()) {
      await tx.query(`UPDATE ${m}.ducklake_table_column_stats SET contains_null = $1, contains_nan = $2, min_value = $3, max_value = $4 WHERE table_id = $5 AND column_id = $6`, [
        s.containsNull,
        s.containsNan,
        s.min,
        s.max,
        tableId,
        s.columnId,
      ]);
    }
  } else {
    await tx.query(`INSERT INTO ${m}.ducklake_table_stats VALUES ($1, 0, 0, $2)`, [tableId, bytes]);
    for (const s of [...merged.values()].sort((x, y) => x.columnId - y.columnId)) {
      await tx.query(`INSERT INTO ${m}.ducklake_table_column_stats VALUES ($1, $2, $3, $4, $5, $6, NULL)`, [tableId, s.columnId, s.containsNull, s.containsNan, s.min, s.max]);
    }
  }
}
