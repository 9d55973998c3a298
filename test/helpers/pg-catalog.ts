/**
 * Helpers for lakes whose DuckLake catalog lives in the reference PostgreSQL of the global
 * setup: throw-away databases, catalog rows read as text from either backend, and a copy of a
 * fixture's DuckDB-file catalog into a PostgreSQL catalog stored the way the DuckLake extension
 * stores it there.
 */
import { randomBytes } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { referenceClient, referencePort } from './server.js';

/** A database of its own in the reference PostgreSQL, dropped by `drop()`. */
export interface ScratchDatabase {
  name: string;
  /** postgres:// URL of the database (user postgres). */
  url: string;
  /** A client connected to the database. */
  client(): Promise<pg.Client>;
  drop(): Promise<void>;
}

export async function scratchDatabase(prefix = 'lgpc'): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = await referenceClient();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const clients: pg.Client[] = [];
  return {
    name,
    url: `postgres://postgres:postgres@127.0.0.1:${referencePort()}/${name}`,
    async client() {
      const c = await referenceClient({ database: name });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    async drop() {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      const a = await referenceClient();
      try {
        await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Columns whose values legitimately differ between two writers of the same lake (as catalogRows in fixtures.ts). */
export const VOLATILE_COLUMNS = new Set(['snapshot_time', 'schema_uuid', 'table_uuid', 'view_uuid', 'path', 'file_size_bytes', 'footer_size', 'column_size_bytes', 'schedule_start']);

const INLINED_DATA = /^ducklake_inlined_data_\d+_\d+$/;
const INLINED_DELETE = /^ducklake_inlined_delete_\d+$/;
export const isInlinedDataTable = (t: string) => INLINED_DATA.test(t);
export const isInlinedDeleteTable = (t: string) => INLINED_DELETE.test(t);
const SYSTEM_COLUMNS = new Set(['row_id', 'begin_snapshot', 'end_snapshot']);

/** A table of a catalog: its columns (name + the backend's type text) and rows as text. */
export interface CatalogTable {
  columns: { name: string; type: string }[];
  /** One array per row, every value as the backend's text (NULL = null). */
  rows: (string | null)[][];
}

/** Every ducklake_* table of a DuckDB-file catalog, values as DuckDB text (CAST AS VARCHAR). */
export async function duckCatalogTables(catalogFile: string): Promise<Map<string, CatalogTable>> {
  const db = await DuckDBInstance.create(catalogFile, { access_mode: 'READ_ONLY' });
  const c = await db.connect();
  try {
    const cols = (
      await c.runAndReadAll(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name LIKE 'ducklake_%' ORDER BY table_name, column_index",
      )
    ).getRowsJson() as string[][];
    const out = new Map<string, CatalogTable>();
    for (const [t, name, type] of cols) {
      if (!out.has(t!)) out.set(t!, { columns: [], rows: [] });
      out.get(t!)!.columns.push({ name: name!, type: type! });
    }
    for (const [t, table] of out) {
      const select = table.columns.map((col) => (col.type === 'BLOB' ? `hex("${col.name}")` : `CAST("${col.name}" AS VARCHAR)`)).join(', ');
      const r = await c.runAndReadAll(`SELECT ${select} FROM "${t}"`);
      table.rows = r.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
    }
    return out;
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** Every ducklake_* table of a PostgreSQL catalog schema, values as PostgreSQL text (bytea as hex). */
export async function pgCatalogTables(client: pg.Client, schema: string): Promise<Map<string, CatalogTable>> {
  const cols = await client.query<{ table_name: string; column_name: string; data_type: string; udt_name: string }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = $1 AND c.table_name LIKE 'ducklake\\_%' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name COLLATE "C", c.ordinal_position`,
    [schema],
  );
  const out = new Map<string, CatalogTable>();
  for (const r of cols.rows) {
    if (!out.has(r.table_name)) out.set(r.table_name, { columns: [], rows: [] });
    out.get(r.table_name)!.columns.push({ name: r.column_name, type: r.udt_name });
  }
  const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';
  for (const [t, table] of out) {
    const select = table.columns.map((col, i) => `${col.type === 'bytea' ? `encode(${q(col.name)}, 'hex')` : `${q(col.name)}::text`} AS c${i}`).join(', ');
    const r = await client.query({ text: `SELECT ${select} FROM ${q(schema)}.${q(t)}`, rowMode: 'array' });
    table.rows = r.rows.map((row: unknown[]) => row.map((v) => (v === null ? null : String(v))));
  }
  return out;
}

/**
 * Masked, sorted rows of a catalog, one JSON line per row, per table: volatile columns are '*'
 * and so are the created_by/data_path values of ducklake_metadata. `cell` may rewrite a value
 * (normalisations) before masking.
 */
export function maskedRows(tables: Map<string, CatalogTable>, cell: (table: string, column: string, value: string | null) => string | null = (_t, _c, v) => v): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of [...tables.keys()].sort()) {
    const table = tables.get(t)!;
    const rows = table.rows.map((row) =>
      JSON.stringify(
        row.map((v, i) => {
          const col = table.columns[i]!.name;
          if (t === 'ducklake_metadata') return col === 'value' && ['created_by', 'data_path'].includes(String(row[0])) ? '*' : v;
          if (VOLATILE_COLUMNS.has(col) && !isInlinedDataTable(t)) return '*';
          return cell(t, col, v);
        }),
      ),
    );
    out.set(t, rows.sort());
  }
  return out;
}

/**
 * The PostgreSQL type the DuckLake extension gives a user column of an inlined data table,
 * from the DuckDB type of the same column in a DuckDB-file catalog, as information_schema
 * udt_name (numeric keeps its precision and scale). Written from the extension's rules for its
 * PostgreSQL metadata manager: types PostgreSQL holds exactly stay native (TINYINT widened to
 * SMALLINT, unsigned types widened to the next signed type, FLOAT → REAL, DOUBLE → DOUBLE
 * PRECISION, DECIMAL → NUMERIC); strings, JSON and blobs become BYTEA (PostgreSQL text cannot
 * hold NUL bytes); 64-bit-unsigned and 128-bit integers, dates and every timestamp kind (ranges
 * wider than PostgreSQL's) and every nested type become VARCHAR holding DuckDB's text.
 */
export function pgInlinedType(duckType: string): string {
  const t = duckType.toUpperCase();
  if (/^DECIMAL\(\d+,\d+\)$/.test(t)) return t.replace('DECIMAL', 'numeric');
  if (t.endsWith('[]') || t.startsWith('STRUCT(') || t.startsWith('MAP(')) return 'varchar';
  const map: Record<string, string> = {
    BOOLEAN: 'bool',
    TINYINT: 'int2',
    SMALLINT: 'int2',
    INTEGER: 'int4',
    BIGINT: 'int8',
    UTINYINT: 'int4',
    USMALLINT: 'int4',
    UINTEGER: 'int8',
    UBIGINT: 'varchar',
    HUGEINT: 'varchar',
    UHUGEINT: 'varchar',
    FLOAT: 'float4',
    DOUBLE: 'float8',
    VARCHAR: 'bytea',
    JSON: 'bytea',
    BLOB: 'bytea',
    DATE: 'varchar',
    TIME: 'time',
    'TIME WITH TIME ZONE': 'timetz',
    TIMESTAMP: 'varchar',
    TIMESTAMP_S: 'varchar',
    TIMESTAMP_MS: 'varchar',
    TIMESTAMP_NS: 'varchar',
    'TIMESTAMP WITH TIME ZONE': 'varchar',
    INTERVAL: 'interval',
    UUID: 'uuid',
  };
  const r = map[t];
  if (!r) throw new Error(`no PostgreSQL inlining type known for ${duckType}`);
  return r;
}

/** SQL type to declare for a udt_name from pgInlinedType. */
function pgDeclared(udt: string): string {
  if (udt.startsWith('numeric(')) return udt;
  return ({ bool: 'BOOLEAN', int2: 'SMALLINT', int4: 'INTEGER', int8: 'BIGINT', float4: 'REAL', float8: 'DOUBLE PRECISION', bytea: 'BYTEA', varchar: 'VARCHAR', time: 'TIME', timetz: 'TIME WITH TIME ZONE', interval: 'INTERVAL', uuid: 'UUID' } as Record<string, string>)[udt]!;
}

/** information_schema type text of a PostgreSQL column: udt_name, numeric with (p,s). */
export async function pgColumnTypes(client: pg.Client, schema: string, table: string): Promise<string[]> {
  const r = await client.query<{ column_name: string; udt_name: string; numeric_precision: number | null; numeric_scale: number | null }>(
    `SELECT column_name, udt_name, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return r.rows.map((c) => `${c.column_name} ${c.udt_name === 'numeric' ? `numeric(${c.numeric_precision},${c.numeric_scale})` : c.udt_name}`);
}

/**
 * Normalises the text of one inlined value read from a PostgreSQL catalog to DuckDB's text of
 * the value, the way the extension reads it back: it casts what PostgreSQL returns to the
 * column's DuckDB type (bytea reinterpreted as VARCHAR for strings and JSON). The result is
 * comparable with CAST(value AS VARCHAR) on a DuckDB catalog.
 */
export class InlinedValueNormaliser {
  private constructor(
    private readonly db: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async create(): Promise<InlinedValueNormaliser> {
    const db = await DuckDBInstance.create(':memory:');
    return new InlinedValueNormaliser(db, await db.connect());
  }

  /** `pgText` is PostgreSQL's text of the value (hex for bytea); `duckType` the DuckDB column type. */
  async normalise(pgText: string | null, pgUdt: string, duckType: string): Promise<string | null> {
    if (pgText === null) return null;
    const t = duckType.toUpperCase();
    let expr: string;
    if (pgUdt === 'bytea') expr = t === 'BLOB' ? 'hex(unhex($1))' : `CAST(CAST(decode(unhex($1)) AS ${duckType}) AS VARCHAR)`;
    else expr = `CAST(CAST($1::VARCHAR AS ${duckType}) AS VARCHAR)`;
    const r = await this.conn.runAndReadAll(`SELECT ${expr}`, [pgText]);
    const v = r.getRows()[0]![0];
    return v === null ? null : String(v);
  }

  close(): void {
    this.conn.closeSync();
    this.db.closeSync();
  }
}

/**
 * Copies every catalog row of a DuckDB-file catalog into an (already bootstrapped) PostgreSQL
 * catalog in `schema`, replacing its rows; inlined data and inlined delete tables are created with
 * the types the extension uses on PostgreSQL and their values stored as it stores them there:
 * strings and JSON as UTF-8 bytea, blobs as bytea, VARCHAR-typed columns as DuckDB text, native
 * types through PostgreSQL's input of DuckDB's text.
 */
export async function copyCatalogToPostgres(catalogFile: string, client: pg.Client, schema: string): Promise<void> {
  const src = await duckCatalogTables(catalogFile);
  const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';
  const m = q(schema);
  await client.query('BEGIN');
  try {
    for (const [t, table] of src) {
      if (isInlinedDataTable(t)) {
        const defs = table.columns.map((c) => `${q(c.name)} ${SYSTEM_COLUMNS.has(c.name) ? 'BIGINT' : pgDeclared(pgInlinedType(c.type))}`);
        await client.query(`CREATE TABLE ${m}.${q(t)}(${defs.join(', ')})`);
      } else if (isInlinedDeleteTable(t)) {
        await client.query(`CREATE TABLE ${m}.${q(t)}(file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`);
      } else {
        await client.query(`DELETE FROM ${m}.${q(t)}`);
      }
      for (const row of table.rows) {
        const values = row.map((v, i) => {
          const col = table.columns[i]!;
          if (v === null || !isInlinedDataTable(t) || SYSTEM_COLUMNS.has(col.name)) return v;
          const udt = pgInlinedType(col.type);
          if (udt !== 'bytea') return v;
          return col.type === 'BLOB' ? Buffer.from(v, 'hex') : Buffer.from(v, 'utf8');
        });
        await client.query(`INSERT INTO ${m}.${q(t)} VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values);
      }
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
