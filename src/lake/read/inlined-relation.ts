/** Inlined catalog rows as DuckDB relations (mirror tables and change feeds). */
import type { Lake } from '../lake.js';
import type { TableEntry } from '../catalog/model.js';
import type { CatalogQueryable } from '../catalog/store.js';
import { catalogTableColumns, fromTextExpr } from '../catalog/inlined.js';
import { quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';

const layouts = new WeakMap<Lake, Map<string, LakeColumn[]>>();

/** Columns of an inlined data table as they were at its schema version (§17.2), with their ids. */
export async function inlinedLayout(lake: Lake, q: CatalogQueryable, table: TableEntry, name: string, sv: number): Promise<LakeColumn[]> {
  let cache = layouts.get(lake);
  if (!cache) layouts.set(lake, (cache = new Map()));
  const key = `${table.id}:${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const names = (await catalogTableColumns(q, lake.store.schemaName, name)).filter((n) => n !== 'row_id' && n !== 'begin_snapshot' && n !== 'end_snapshot');
  const at = (await lake.reader.schemaVersionSnapshot(q, table.id, sv)) ?? table.beginSnapshot;
  const cols = await lake.reader.tableColumnsAt(q, table.id, at);
  const byName = new Map(cols.map((c) => [c.name, c]));
  const layout = names.map((n) => byName.get(n) ?? ({ id: -1, name: n, type: 'varchar', nullable: true, initialDefault: null, defaultValue: null, defaultType: 'literal', children: [] } as LakeColumn));
  cache.set(key, layout);
  return layout;
}

/** SELECT row_id, begin_snapshot, end_snapshot, <columns> over literal rows read as text. */
export function inlinedValuesSql(kind: 'duckdb' | 'postgres', layout: LakeColumn[], rows: (string | null)[][]): string {
  const names = layout.map((_, i) => `v${i}`);
  const select = layout.map((c, i) => `${fromTextExpr(kind, c, names[i]!)} AS ${quoteIdent(c.name)}`).join(', ');
  const values = rows.map((r) => `(${r.map((v) => (v === null ? 'NULL' : quoteLiteral(v))).join(', ')})`).join(',\n');
  return `SELECT CAST(r AS BIGINT) AS row_id, CAST(b AS BIGINT) AS begin_snapshot, CAST(e AS BIGINT) AS end_snapshot${select ? ', ' + select : ''} FROM (VALUES ${values}) AS v(r, b, e${names.length ? ', ' + names.join(', ') : ''})`;
}
