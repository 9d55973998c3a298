/** Building typed VALUES relations for results computed from the catalog. */
import { quoteIdent, quoteLiteral } from '../types.js';

export type SqlValue = string | number | boolean | null | { sql: string };

export function sqlValue(v: SqlValue, type: string): string {
  if (v === null) return `NULL::${type}`;
  if (typeof v === 'object') return `CAST(${v.sql} AS ${type})`;
  if (typeof v === 'number') return `CAST(${v} AS ${type})`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return `CAST(${quoteLiteral(v)} AS ${type})`;
}

/** A SELECT over literal rows with named, typed columns (zero rows allowed). */
export function valuesRelation(columns: [string, string][], rows: SqlValue[][]): string {
  const names = columns.map(([n]) => quoteIdent(n)).join(', ');
  if (rows.length === 0) {
    return `SELECT ${columns.map(([n, t]) => `NULL::${t} AS ${quoteIdent(n)}`).join(', ')} WHERE false`;
  }
  const body = rows.map((r) => `(${r.map((v, i) => sqlValue(v, columns[i]![1])).join(', ')})`).join(',\n');
  return `SELECT * FROM (VALUES ${body}) AS v(${names})`;
}

export function listLiteral(items: string[]): string {
  return `[${items.map(quoteLiteral).join(', ')}]`;
}
