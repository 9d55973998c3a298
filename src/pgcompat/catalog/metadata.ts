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
 *                              description, lake_column_id, duckdb_type, and the type's
 *                              attlen, attbyval, attalign, attstorage, attcollation), in
 *                              (attrelid, attnum) order
 *   __lakegres.pg_table_stats (oid, lake_id, row_count, data_file_count, delete_file_count,
 *                              data_bytes, delete_bytes, inlined_rows, last_snapshot, last_change)
 *
 * Namespaces, relations and columns are rebuilt when the schema state changes (lake views'
 * columns come from duckdb_columns() of the views just created); table statistics are written
 * for every table whose data a refresh rebuilt, so they are exact at every snapshot.
 */
import type { DataFileEntry, SchemaState, TableEntry } from '../../lake/catalog/model.js';
import type { CatalogQueryable } from '../../lake/catalog/store.js';
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

/** lake/read/live-db.ts INTERNAL_SCHEMA (not imported: live-db imports this module). */
const INTERNAL_SCHEMA = '__lakegres';

/** The static catalog's pg_type (static-db.ts STATIC_DB) and what pg_attribute copies from it. */
const STATIC_TYPES = '"__lake__pg_static".main.pg_type';
const TYPE_FACTS = 't.typlen, t.typbyval, t.typalign, t.typstorage, t.typcollation';

const meta = (db: string, table: string) => `${db}.${INTERNAL_SCHEMA}.${quoteIdent(table)}`;

export function metadataTablesSql(db: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${meta(db, META_NAMESPACES)} (oid UINTEGER, nspname VARCHAR, lake_schema VARCHAR, lake_id BIGINT, description VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS ${meta(db, META_RELATIONS)} (oid UINTEGER, relnamespace UINTEGER, relname VARCHAR, relkind VARCHAR, lake_id BIGINT, relnatts SMALLINT, description VARCHAR, view_definition VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS ${meta(db, META_COLUMNS)} (attrelid UINTEGER, attnum SMALLINT, attname VARCHAR, atttypid UINTEGER, atttypmod INTEGER, attndims SMALLINT, attnotnull BOOLEAN, default_kind VARCHAR, default_value VARCHAR, description VARCHAR, lake_column_id BIGINT, duckdb_type VARCHAR, attlen SMALLINT, attbyval BOOLEAN, attalign VARCHAR, attstorage VARCHAR, attcollation UINTEGER)`,
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
  const suffix = `substr(${t}, length(${inner}) + 1)`;
  const ndims = `CAST(length(${suffix}) - length(replace(${suffix}, '[', '')) AS SMALLINT)`;
  return { oid, typmod, ndims };
}

// ---------------------------------------------------------------- rows

const str = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : quoteLiteral(v));

const NUMERIC_LAKE_TYPES = /^(u?int\d+|float\d+|decimal\(.*\))$/;

/** How a column's default is shown: literals as values (PostgreSQL formats them), expressions as text. */
function defaultOf(col: LakeColumn): { kind: string | null; value: string | null } {
  if (col.defaultValue === null) return { kind: null, value: null };
  if (col.defaultType === 'expression') {
    // DuckDB's text of a typed constant (a boolean default is CAST('t' AS BOOLEAN)) is a literal.
    const m = /^CAST\('((?:[^']|'')*)' AS [A-Z][A-Z0-9_ ]*(?:\(\d+(?:,\s*\d+)?\))?\)$/.exec(col.defaultValue);
    if (m) return { kind: 'literal', value: m[1]!.replace(/''/g, "'") };
    return { kind: 'expression', value: col.defaultValue };
  }
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
      `INSERT INTO ${meta(db, META_COLUMNS)} SELECT v.*, ${TYPE_FACTS} FROM (SELECT v.attrelid, v.attnum, v.attname, ${ty.oid} AS atttypid, ${ty.typmod}, ${ty.ndims}, v.not_null, v.default_kind, v.default_value, v.description, v.lake_column_id, v.duck_type
       FROM (VALUES ${colRows.join(', ')}) AS v(attrelid, attnum, attname, duck_type, not_null, default_kind, default_value, description, lake_column_id)) v
       LEFT JOIN ${STATIC_TYPES} t ON t.oid = v.atttypid ORDER BY v.attrelid, v.attnum`,
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
      `INSERT INTO ${meta(db, META_COLUMNS)} SELECT v.*, ${TYPE_FACTS} FROM (SELECT v.oid, CAST(c.column_index AS SMALLINT) AS attnum, c.column_name, ${ty.oid} AS atttypid, ${ty.typmod}, ${ty.ndims}, false, NULL, NULL, NULL, NULL, c.data_type
       FROM ${views} JOIN duckdb_columns() c ON c.database_name = ${dbLit} AND c.schema_name = v.schema_name AND c.table_name = v.relname) v
       LEFT JOIN ${STATIC_TYPES} t ON t.oid = v.atttypid ORDER BY v.oid, v.attnum`,
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

/** What tableStatsOf needs from the database being refreshed (lake/read/live-db.ts SnapshotDatabase). */
export interface StatsSource {
  readonly tableStats: Map<number, TableStats>;
  readonly lake: { store: { schemaSql: string } };
  filesOf(tableId: number): readonly DataFileEntry[];
  inlinedRowCount(table: TableEntry): { rows: number; deleted: number };
}

/**
 * Computes the statistics of tables `ids` from the files and inlined rows their views were just
 * built from (row count = records of visible files minus their deletions, plus inlined rows minus
 * inlined deletions), with the commit time of their last change, read in the refresh's catalog
 * transaction. `incremental`: the refresh covers snapshots (from, to] in which `changed` changed.
 */
export async function tableStatsOf(
  db: StatsSource,
  tx: CatalogQueryable,
  state: SchemaState,
  ids: Iterable<number>,
  target: { id: number; time: string },
  incremental?: { from: number; changed: ReadonlySet<number> },
): Promise<void> {
  const touched: TableStats[] = [];
  for (const id of ids) {
    const table = state.tables.get(id);
    if (!table) continue;
    const s: TableStats = { rowCount: 0, dataFiles: 0, deleteFiles: 0, dataBytes: 0, deleteBytes: 0, inlinedRows: 0, lastSnapshot: null, lastChange: null };
    const changedAt: number[] = [];
    for (const f of db.filesOf(id)) {
      s.dataFiles++;
      s.dataBytes += f.fileSizeBytes;
      s.rowCount += f.recordCount - (f.deleteFile?.deleteCount ?? 0);
      changedAt.push(f.beginSnapshot);
      if (f.deleteFile) {
        s.deleteFiles++;
        s.deleteBytes += f.deleteFile.fileSizeBytes;
        changedAt.push(f.deleteFile.beginSnapshot);
      }
    }
    const inl = db.inlinedRowCount(table);
    s.inlinedRows = inl.rows;
    s.rowCount = Math.max(0, s.rowCount + inl.rows - inl.deleted);
    s.lastSnapshot = lastChangeOf(table, changedAt);
    // A table an incremental refresh saw change was last changed by the refreshed snapshot (exact
    // for the usual one-snapshot refresh; the newest of several otherwise). Inlined inserts and
    // deletions leave no file behind, so the files alone would miss them.
    if (incremental?.changed.has(id)) s.lastSnapshot = Math.max(s.lastSnapshot, target.id);
    db.tableStats.set(id, s);
    touched.push(s);
  }
  for (const id of [...db.tableStats.keys()]) if (!state.tables.has(id)) db.tableStats.delete(id);
  // The refreshed snapshot's time is known; others are read in the refresh's catalog transaction.
  for (const s of touched) if (s.lastSnapshot === target.id) s.lastChange = target.time;
  const wanted = [...new Set(touched.map((s) => s.lastSnapshot).filter((x): x is number => x !== null && x !== target.id))];
  if (wanted.length === 0) return;
  const rows = await tx.query(`SELECT snapshot_id, CAST(snapshot_time AS VARCHAR) AS t FROM ${db.lake.store.schemaSql}.ducklake_snapshot WHERE snapshot_id IN (${wanted.join(', ')})`);
  const times = new Map(rows.map((r) => [Number(r.snapshot_id), String(r.t)]));
  for (const s of touched) if (s.lastSnapshot !== null && s.lastSnapshot !== target.id) s.lastChange = times.get(s.lastSnapshot) ?? null;
}

/** What overlayCatalogStatements reads of a lake transaction (lake/write/tx.ts LakeTx). */
export interface OverlaySource {
  readonly state: SchemaState;
  readonly appends: ReadonlyMap<number, { files: readonly { recordCount: number; fileSizeBytes: number; deletedCount?: number }[]; inlined: readonly { rows: readonly unknown[] }[] }>;
}

/**
 * The metadata of a transaction's overlay database (`db`, attached as `dbName`): the
 * transaction's schemas, tables (new and altered ones included), views and columns, and the
 * live database's statistics plus the rows and files the transaction appended (rows it deleted
 * are not subtracted before commit).
 */
export function overlayCatalogStatements(db: string, dbName: string, liveDbName: string, tx: OverlaySource): string[] {
  const live = quoteIdent(liveDbName);
  const out = [...metadataTablesSql(db), ...metadataStatements(db, dbName, tx.state, live)];
  const ids = [...tx.state.tables.keys()];
  out.push(`DELETE FROM ${meta(db, META_STATS)}`);
  out.push(`INSERT INTO ${meta(db, META_STATS)} SELECT * FROM ${live}.${INTERNAL_SCHEMA}.${quoteIdent(META_STATS)} WHERE lake_id IN (${[...ids, -1].join(', ')})`);
  for (const [id, a] of tx.appends) {
    if (!tx.state.tables.has(id)) continue;
    let rows = 0;
    let bytes = 0;
    let inlined = 0;
    for (const f of a.files) {
      rows += f.recordCount - (f.deletedCount ?? 0);
      bytes += f.fileSizeBytes;
    }
    for (const b of a.inlined) inlined += b.rows.length;
    rows += inlined;
    out.push(
      `UPDATE ${meta(db, META_STATS)} SET row_count = row_count + ${rows}, data_file_count = data_file_count + ${a.files.length}, data_bytes = data_bytes + ${bytes}, inlined_rows = inlined_rows + ${inlined} WHERE lake_id = ${id}`,
    );
    out.push(
      `INSERT INTO ${meta(db, META_STATS)} SELECT ${lakeObjectOid(id)}, ${id}, ${rows}, ${a.files.length}, 0, ${bytes}, 0, ${inlined}, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM ${meta(db, META_STATS)} WHERE lake_id = ${id})`,
    );
  }
  // Tables the transaction created without rows yet.
  out.push(
    `INSERT INTO ${meta(db, META_STATS)} SELECT r.oid, r.lake_id, 0, 0, 0, 0, 0, 0, NULL, NULL FROM ${meta(db, META_RELATIONS)} r WHERE r.relkind = 'r' AND NOT EXISTS (SELECT 1 FROM ${meta(db, META_STATS)} s WHERE s.lake_id = r.lake_id)`,
  );
  return out;
}
