/**
 * Data inlined in the catalog (§17): reading inlined rows and inlined deletions in a form DuckDB
 * casts back exactly (text), whichever backend holds them (§4.4 encodings on PostgreSQL).
 */
import type { CatalogQueryable } from './store.js';
import { duckType, quoteIdent, type LakeColumn } from '../types.js';

export interface InlinedRows {
  columns: LakeColumn[];
  /** row_id, begin_snapshot, end_snapshot, then one text value per column (for fromTextExpr). */
  rows: (string | null)[][];
}

/** Names of the catalog's ducklake_inlined_delete_<T> tables (they are not registered anywhere). */
export async function inlinedDeleteTables(q: CatalogQueryable, schemaName: string): Promise<Set<number>> {
  const rows = await q.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'ducklake_inlined_delete_%'`, [schemaName]);
  const out = new Set<number>();
  for (const r of rows) {
    const m = /^ducklake_inlined_delete_(\d+)$/.exec(String(r.table_name));
    if (m) out.add(Number(m[1]));
  }
  return out;
}

/** Column names of a catalog table, in order. */
export async function catalogTableColumns(q: CatalogQueryable, schemaName: string, table: string): Promise<string[]> {
  const rows = await q.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, [schemaName, table]);
  return rows.map((r) => String(r.column_name));
}

/**
 * Values that may hold NUL bytes (strings, JSON, and on DuckDB catalogs nested values containing
 * strings) travel as hex of their UTF-8 bytes: the mirrored rows become SQL literals, and neither
 * a SQL literal nor PostgreSQL text (convert_from) can carry a NUL byte.
 */
function travelsAsHex(kind: 'duckdb' | 'postgres', col: LakeColumn): boolean {
  return col.type === 'varchar' || col.type === 'json' || (kind === 'duckdb' && col.children.length > 0);
}

/** Text expression of an inlined column on each backend (only fromTextExpr interprets it). */
function textExpr(kind: 'duckdb' | 'postgres', col: LakeColumn, name: string): string {
  const q = quoteIdent(name);
  if (kind === 'duckdb') return travelsAsHex(kind, col) ? `hex(encode(CAST(${q} AS VARCHAR)))` : `CAST(${q} AS VARCHAR)`;
  // PostgreSQL: VARCHAR and JSON are stored as bytea (UTF-8 bytes), BLOB as bytea; see §4.4.
  switch (col.type) {
    case 'varchar':
    case 'json':
    case 'blob':
      return `encode(${q}, 'hex')`;
    case 'interval':
      // PostgreSQL prints mixed signs as '-2 mons +3 days ...', which DuckDB does not parse:
      // spell out the three fields instead.
      return `((EXTRACT(YEAR FROM ${q}) * 12 + EXTRACT(MONTH FROM ${q}))::bigint || ' months ' || EXTRACT(DAY FROM ${q})::bigint || ' days ' || (EXTRACT(HOUR FROM ${q}) * 3600000000 + EXTRACT(MINUTE FROM ${q}) * 60000000 + EXTRACT(MICROSECONDS FROM ${q}))::bigint || ' microseconds')`;
    default:
      // (booleans too: PostgreSQL casts them to 'true'/'false' and keeps NULL NULL)
      return `CAST(${q} AS VARCHAR)`;
  }
}

/** DuckDB expression turning a mirrored text value (from textExpr) back into the column type. */
export function fromTextExpr(kind: 'duckdb' | 'postgres', col: LakeColumn, textColumn: string): string {
  if (kind === 'postgres' && col.type === 'blob') return `unhex(${textColumn})`;
  if (travelsAsHex(kind, col)) return `CAST(decode(unhex(${textColumn})) AS ${duckType(col)})`;
  return `CAST(${textColumn} AS ${duckType(col)})`;
}

/** Rows of an inlined data table visible at snapshot `s`, as text. */
export function readInlinedRows(q: CatalogQueryable, kind: 'duckdb' | 'postgres', schemaSql: string, table: string, columns: LakeColumn[], s: number): Promise<(string | null)[][]> {
  return readInlinedRowsWhere(q, kind, schemaSql, table, columns, 'begin_snapshot <= $1 AND (end_snapshot IS NULL OR end_snapshot > $1)', [s]);
}

/** Rows of an inlined data table matching a filter on row_id/begin_snapshot/end_snapshot, as text. */
export async function readInlinedRowsWhere(
  q: CatalogQueryable,
  kind: 'duckdb' | 'postgres',
  schemaSql: string,
  table: string,
  columns: LakeColumn[],
  where: string,
  params: unknown[],
): Promise<(string | null)[][]> {
  const exprs = columns.map((c) => textExpr(kind, c, c.name));
  const sql = `SELECT CAST(row_id AS VARCHAR) AS r, CAST(begin_snapshot AS VARCHAR) AS b, CAST(end_snapshot AS VARCHAR) AS e${exprs.map((e, i) => `, ${e} AS v${i}`).join('')}
    FROM ${schemaSql}.${quoteIdent(table)} WHERE ${where} ORDER BY row_id`;
  const rows = await q.query(sql, params);
  return rows.map((r) => {
    const out: (string | null)[] = [r.r as string, r.b as string, (r.e as string | null) ?? null];
    for (let i = 0; i < columns.length; i++) {
      const v = r[`v${i}`];
      out.push(v === null || v === undefined ? null : String(v));
    }
    return out;
  });
}

/** Inlined deletions of a table visible at `s`: (file_id, position, begin_snapshot). */
export async function readInlinedDeletes(q: CatalogQueryable, schemaSql: string, tableId: number, s: number): Promise<[number, number, number][]> {
  const rows = await q.query(`SELECT file_id, row_id, begin_snapshot FROM ${schemaSql}.ducklake_inlined_delete_${tableId} WHERE begin_snapshot <= $1`, [s]);
  return rows.map((r) => [Number(r.file_id), Number(r.row_id), Number(r.begin_snapshot)]);
}
