/**
 * How inlined rows are stored in the catalog (§4.4): DuckDB catalogs keep the exact DuckDB
 * types; PostgreSQL catalogs use the encodings the extension's postgres path uses (text for
 * types PostgreSQL cannot hold exactly, bytea for strings, JSON and blobs).
 */
import { duckType, type LakeColumn } from '../types.js';

const PG_NATIVE: Record<string, string> = {
  boolean: 'BOOLEAN',
  int8: 'SMALLINT',
  int16: 'SMALLINT',
  int32: 'INTEGER',
  int64: 'BIGINT',
  uint8: 'INTEGER',
  uint16: 'INTEGER',
  uint32: 'BIGINT',
  float32: 'REAL',
  float64: 'DOUBLE PRECISION',
  time: 'TIME',
  timetz: 'TIME WITH TIME ZONE',
  interval: 'INTERVAL',
  uuid: 'UUID',
  varchar: 'BYTEA',
  json: 'BYTEA',
  blob: 'BYTEA',
};

export function inlinedColumnType(kind: 'duckdb' | 'postgres', col: LakeColumn): string {
  if (kind === 'duckdb') return duckType(col);
  if (col.type.startsWith('decimal(')) return col.type.replace('decimal', 'NUMERIC');
  return PG_NATIVE[col.type] ?? 'VARCHAR';
}

/** Whether rows of a table with this column may be inlined (§17.1). */
export function isInlinable(col: LakeColumn, kind: 'duckdb' | 'postgres'): boolean {
  const reserved = ['row_id', 'begin_snapshot', 'end_snapshot', '_ducklake_internal_snapshot_id', '_ducklake_internal_row_id'];
  if (reserved.includes(col.name.toLowerCase())) return false;
  if (kind === 'postgres' && Buffer.byteLength(col.name) > 63) return false;
  const walk = (c: LakeColumn): boolean => c.type !== 'geometry' && !(kind !== 'duckdb' && c.type === 'variant') && c.children.every(walk);
  return walk(col);
}

/** Decodes DuckDB's BLOB text form (\xNN escapes) into bytes. */
export function blobTextToBytes(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      out.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else for (const b of Buffer.from(text[i]!)) out.push(b);
  }
  return Buffer.from(out);
}

/** Parameter value for one inlined column value given as DuckDB text. */
export function encodeInlinedValue(kind: 'duckdb' | 'postgres', col: LakeColumn, text: string | null): unknown {
  if (text === null) return null;
  if (kind === 'duckdb') return text;
  switch (col.type) {
    case 'varchar':
    case 'json':
      return Buffer.from(text, 'utf8');
    case 'blob':
      return blobTextToBytes(text);
    case 'boolean':
      return text === 'true';
    default:
      return text;
  }
}
