/**
 * Per lake database, the facts the emulated catalog shows about the lake's schemas, tables and
 * views, kept in tables of the internal schema next to the views that present the lake, and
 * written in the same DuckDB transaction as those views (so a session's transaction sees
 * metadata and views of the same snapshot):
 *
 *   __lakegres.pg_namespaces  (oid, nspname, lake_schema, lake_id, description)
 *   __lakegres.pg_relations   (oid, relnamespace, relname, relkind 'r'|'v', lake_id, relnatts,
 *                              description, view_definition)
 *   __lakegres.pg_columns     (attrelid, attnum, attname, atttypid, atttypmod, attndims,
 *                              attnotnull, default_kind 'literal'|'expression', default_value,
 *                              description, lake_column_id, duckdb_type)
 *   __lakegres.pg_table_stats (oid, lake_id, row_count, data_file_count, delete_file_count,
 *                              data_bytes, delete_bytes, inlined_rows, last_snapshot, last_change)
 *
 * Namespaces, relations and columns are rebuilt when the schema state changes (lake views'
 * columns come from duckdb_columns() of the views just created); table statistics are written
 * for every table whose data a refresh rebuilt, so they are exact at every snapshot.
 */
import type { SchemaState, TableEntry } from '../../lake/catalog/model.js';
import { INTERNAL_SCHEMA } from '../../lake/read/live-db.js';
import { duckType, quoteIdent, quoteLiteral, type LakeColumn } from '../../lake/types.js';
import { arrayOidOf } from '../../types/pg-types.js';
import { lakeObjectOid, namespaceOid } from '../oids.js';

export const META_NAMESPACES = 'pg_namespaces';
export const META_RELATIONS = 'pg_relations';
export const META_COLUMNS = 'pg_columns';
export const META_STATS = 'pg_table_stats';

/** PostgreSQL's name of a lake schema (DuckLake's `main` is `public`). */
export function pgSchemaName(lakeSchema: string): string {
  return lakeSchema === 'main' ? 'public' : lakeSchema;
}

/** Statistics of one table at the snapshot a database shows. */
export interface TableStats {
  rowCount: number;
  dataFiles: number;
  deleteFiles: number;
  dataBytes: number;
  deleteBytes: number;
  inlinedRows: number;
  lastSnapshot: number | null;
  /** snapshot_time of lastSnapshot (text the catalog returned), when known. */
  lastChange: string | null;
}

const meta = (db: string, table: string) => `${db}.${INTERNAL_SCHEMA}.${quoteIdent(table)}`;

export function metadataTablesSql(db: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${meta(db, META_NAMESPACES)} (oid UINTEGER, nspname VARCHAR, lake_schema VARCHAR, lake_id BIGINT, description VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS ${meta(db, META_RELATIONS)} (oid UINTEGER, relnamespace UINTEGER, relname VARCHAR, relkind VARCHAR, lake_id BIGINT, relnatts SMALLINT, description VARCHAR, view_definition VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS ${meta(db, META_COLUMNS)} (attrelid UINTEGER, attnum SMALLINT, attname VARCHAR, atttypid UINTEGER, atttypmod INTEGER, attndims SMALLINT, attnotnull BOOLEAN, default_kind VARCHAR, default_value VARCHAR, description VARCHAR, lake_column_id BIGINT, duckdb_type VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS ${meta(db, META_STATS)} (oid UINTEGER, lake_id BIGINT, row_count BIGINT, data_file_count BIGINT, delete_file_count BIGINT, data_bytes BIGINT, delete_bytes BIGINT, inlined_rows BIGINT, last_snapshot BIGINT, last_change TIMESTAMPTZ)`,
  ];
}

// ---------------------------------------------------------------- DuckDB type → PostgreSQL type

const SCALAR_OIDS: [string[], number][] = [
  [['BOOLEAN'], 16],
  [['TINYINT', 'SMALLINT', 'UTINYINT'], 21],
  [['INTEGER', 'USMALLINT'], 23],
  [['BIGINT', 'UINTEGER'], 20],
  [['UBIGINT', 'HUGEINT', 'UHUGEINT', 'BIGNUM', 'VARINT'], 1700],
  [['FLOAT'], 700],
  [['DOUBLE'], 701],
  [['VARCHAR'], 25],
  [['JSON'], 114],
  [['BLOB'], 17],
  [['DATE'], 1082],
  [['TIME', 'TIME_NS'], 1083],
  [['TIME WITH TIME ZONE'], 1266],
  [['TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS'], 1114],
  [['TIMESTAMP WITH TIME ZONE'], 1184],
  [['INTERVAL'], 1186],
  [['UUID'], 2950],
  [['BIT'], 1562],
  [['VARIANT'], 114],
];

/**
 * SQL expressions giving the PostgreSQL type OID, typmod and number of array dimensions of a
 * DuckDB type string (duckdb_columns().data_type), exactly as types/mapping.ts pgTypeOf reports
 * the type in RowDescription: lists of any depth are the array type of their innermost element
 * (with its typmod), STRUCT/MAP/UNION/VARIANT are json, anything unknown is text.
 */
export function pgTypeSql(t: string): { oid: string; typmod: string; ndims: string } {
  const inner = `regexp_replace(${t}, '(\\[\\d*\\])+$', '')`;
  const base: string[] = [];
  for (const [names, oid] of SCALAR_OIDS) base.push(`WHEN ${inner} IN (${names.map(quoteLiteral).join(', ')}) THEN ${oid}`);
  base.push(`WHEN starts_with(${inner}, 'DECIMAL') THEN 1700`);
  base.push(`WHEN starts_with(${inner}, 'STRUCT') OR starts_with(${inner}, 'MAP') OR starts_with(${inner}, 'UNION') THEN 114`);
  const scalar = `(CASE ${base.join(' ')} ELSE 25 END)`;
  const arrays = [...new Set(SCALAR_OIDS.map(([, o]) => o).concat([1700, 114, 25]))].map((o) => `WHEN ${o} THEN ${arrayOidOf(o) || 1009}`);
  const oid = `CAST(CASE WHEN ${inner} <> ${t} THEN (CASE ${scalar} ${arrays.join(' ')} ELSE 1009 END) ELSE ${scalar} END AS UINTEGER)`;
  const dec = `regexp_extract(${inner}, '^DECIMAL\\((\\d+),\\s*(\\d+)\\)$', ['p', 's'])`;
  const typmod = `CAST(CASE WHEN starts_with(${inner}, 'DECIMAL(') THEN ((CAST(${dec}.p AS INTEGER) << 16) | CAST(${dec}.s AS INTEGER)) + 4 WHEN ${inner} = 'TIMESTAMP_S' THEN 0 WHEN ${inner} = 'TIMESTAMP_MS' THEN 3 ELSE -1 END AS INTEGER)`;
  const ndims = `CAST(len(regexp_extract_all(${t}, '\\[\\d*\\]$|\\[\\d*\\](?=\\[)')) AS SMALLINT)`;
  return { oid, typmod, ndims };
}

// ---------------------------------------------------------------- rows

const str = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : quoteLiteral(v));

const NUMERIC_LAKE_TYPES = /^(u?int\d+|float\d+|decimal\(.*\))$/;

/** How a column's default is shown: literals as values (PostgreSQL formats them), expressions as text. */
function defaultOf(col: LakeColumn): { kind: string | null; value: string | null } {
  if (col.defaultValue === null) return { kind: null, value: null };
  if (col.defaultType === 'expression') return { kind: 'expression', value: col.defaultValue };
  // A literal default: numbers as written; other types as the value the column stores.
  if (NUMERIC_LAKE_TYPES.test(col.type)) return { kind: 'literal', value: col.defaultValue };
  return { kind: 'literal', value: col.initialDefault ?? col.defaultValue };
}

function tableColumnRows(t: TableEntry): string[] {
  const oid = lakeObjectOid(t.id);
  return t.columns.map((c, i) => {
    const d = defaultOf(c);
    return `(${oid}, ${i + 1}, ${str(c.name)}, ${str(duckType(c))}, ${!c.nullable}, ${str(d.kind)}, ${str(d.value)}, ${str(t.columnComments.get(c.id))}, ${c.id})`;
  });
}

/**
 * Statements that replace a database's namespaces, relations and columns by those of `state`.
 * Run after the database's views were (re)created: lake views' columns are read from DuckDB.
 * `dbName` is the attached database's name, `viewSqlCatalog` what `{DUCKLAKE_CATALOG}` in a
 * lake view's SQL stands for in its shown definition.
 */
export function metadataStatements(db: string, dbName: string, state: SchemaState, viewSqlCatalog: string): string[] {
  const out: string[] = [];
  for (const t of [META_NAMESPACES, META_RELATIONS, META_COLUMNS]) out.push(`DELETE FROM ${meta(db, t)}`);
  const schemaName = new Map<number, string>();
  const nsRows: string[] = [];
  for (const s of state.schemas.values()) {
    schemaName.set(s.id, s.name);
    nsRows.push(`(${namespaceOid(s.name, s.id)}, ${str(pgSchemaName(s.name))}, ${str(s.name)}, ${s.id}, NULL)`);
  }
  if (nsRows.length) out.push(`INSERT INTO ${meta(db, META_NAMESPACES)} VALUES ${nsRows.join(', ')}`);

  const relRows: string[] = [];
  const colRows: string[] = [];
  for (const t of state.tables.values()) {
    const schema = state.schemas.get(t.schemaId);
    if (!schema) continue;
    relRows.push(`(${lakeObjectOid(t.id)}, ${namespaceOid(schema.name, schema.id)}, ${str(t.name)}, 'r', ${t.id}, ${t.columns.length}, ${str(t.comment)}, NULL)`);
    colRows.push(...tableColumnRows(t));
  }
  if (relRows.length) out.push(`INSERT INTO ${meta(db, META_RELATIONS)} VALUES ${relRows.join(', ')}`);
  if (colRows.length) {
    const ty = pgTypeSql('v.duck_type');
    out.push(
      `INSERT INTO ${meta(db, META_COLUMNS)} SELECT v.attrelid, v.attnum, v.attname, ${ty.oid}, ${ty.typmod}, ${ty.ndims}, v.notnull, v.default_kind, v.default_value, v.description, v.lake_column_id, v.duck_type
       FROM (VALUES ${colRows.join(', ')}) AS v(attrelid, attnum, attname, duck_type, notnull, default_kind, default_value, description, lake_column_id)`,
    );
  }

  // Lake views that exist in DuckDB (DuckLake allows views that do not bind), with their columns.
  const viewRows: string[] = [];
  for (const v of state.views.values()) {
    const schema = state.schemas.get(v.schemaId);
    if (!schema) continue;
    const definition = v.sql.replace(/\{DUCKLAKE_CATALOG\}/g, viewSqlCatalog);
    viewRows.push(`(${lakeObjectOid(v.id)}, ${namespaceOid(schema.name, schema.id)}, ${str(schema.name)}, ${str(v.name)}, ${v.id}, ${str(v.comment)}, ${str(definition)})`);
  }
  if (viewRows.length) {
    const views = `(VALUES ${viewRows.join(', ')}) AS v(oid, relnamespace, schema_name, relname, lake_id, description, view_definition)`;
    const dbLit = quoteLiteral(dbName);
    out.push(
      `INSERT INTO ${meta(db, META_RELATIONS)} SELECT v.oid, v.relnamespace, v.relname, 'v', v.lake_id, CAST(d.column_count AS SMALLINT), v.description, v.view_definition
       FROM ${views} JOIN duckdb_views() d ON d.database_name = ${dbLit} AND d.schema_name = v.schema_name AND d.view_name = v.relname`,
    );
    const ty = pgTypeSql('c.data_type');
    out.push(
      `INSERT INTO ${meta(db, META_COLUMNS)} SELECT v.oid, CAST(c.column_index AS SMALLINT), c.column_name, ${ty.oid}, ${ty.typmod}, ${ty.ndims}, false, NULL, NULL, NULL, NULL, c.data_type
       FROM ${views} JOIN duckdb_columns() c ON c.database_name = ${dbLit} AND c.schema_name = v.schema_name AND c.table_name = v.relname`,
    );
  }
  return out;
}

/** Statements that write the statistics of `ids` (all tables of `state` when ids is undefined). */
export function statsStatements(db: string, state: SchemaState, stats: ReadonlyMap<number, TableStats>, ids?: Iterable<number>): string[] {
  const out: string[] = [];
  const which = ids ? [...ids] : [...state.tables.keys()];
  if (ids) out.push(`DELETE FROM ${meta(db, META_STATS)} WHERE lake_id IN (${[...which, -1].join(', ')}) OR lake_id NOT IN (${[...state.tables.keys(), -1].join(', ')})`);
  else out.push(`DELETE FROM ${meta(db, META_STATS)}`);
  const rows: string[] = [];
  for (const id of which) {
    const s = stats.get(id);
    if (!s || !state.tables.has(id)) continue;
    rows.push(
      `(${lakeObjectOid(id)}, ${id}, ${s.rowCount}, ${s.dataFiles}, ${s.deleteFiles}, ${s.dataBytes}, ${s.deleteBytes}, ${s.inlinedRows}, ${s.lastSnapshot ?? 'NULL'}, ${s.lastChange === null ? 'NULL' : `CAST(${quoteLiteral(s.lastChange)} AS TIMESTAMPTZ)`})`,
    );
  }
  if (rows.length) out.push(`INSERT INTO ${meta(db, META_STATS)} VALUES ${rows.join(', ')}`);
  return out;
}

/** The latest snapshot that visibly changed a table, from what its view was built of. */
export function lastChangeOf(t: TableEntry, fileSnapshots: Iterable<number>): number {
  let m = t.beginSnapshot;
  const walk = (cs: LakeColumn[]) => {
    for (const c of cs) {
      if (c.beginSnapshot !== undefined && c.beginSnapshot > m) m = c.beginSnapshot;
      walk(c.children);
    }
  };
  walk(t.columns);
  for (const s of fileSnapshots) if (s > m) m = s;
  return m;
}
