/**
 * The static part of the emulated catalog (PostgreSQL 16's built-in types, functions,
 * operators, ... from pg16-data.ts) lives once per DuckDB instance in an in-memory database
 * of its own; the emulation views of every lake database read it from there.
 *
 * Its name starts with `__lake_`, so DuckDB's listings as sessions see them hide it
 * (lake/sql/listings.ts).
 */
import { BOOLEAN, FLOAT, LIST, SMALLINT, UINTEGER, VARCHAR, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../../lake/types.js';
import { STATIC_TABLES } from './pg16-data.js';
import type { StaticTable } from './static-types.js';
import { duckTypeOfPg } from './duck-types.js';
import { readAll } from '../../engine/rows.js';

/** The attached database holding the static catalog tables (schema main). */
export const STATIC_DB = '__lake__pg_static';

/** `"__lake__pg_static".main.<table>` */
export function staticTable(name: string): string {
  return `${quoteIdent(STATIC_DB)}.main.${quoteIdent(name)}`;
}

export function staticTableDef(name: string): StaticTable {
  const t = STATIC_TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`no static catalog table ${name}`);
  return t;
}

/**
 * What format_type needs per type: whether it is a true array (then the element is named and
 * `[]` appended) and the name it prints by default (quote_ident'ed like PostgreSQL, qualified
 * outside pg_catalog).
 */
const quoted = (x: string) =>
  `CASE WHEN regexp_full_match(${x}, '[a-z_][a-z0-9_]*') AND ${x} NOT IN (SELECT word FROM ${staticTable('keywords')} WHERE catcode <> 'U') THEN ${x} ELSE '"' || replace(${x}, '"', '""') || '"' END`;
const FORMAT_NAMES_SQL = `CREATE TABLE ${staticTable('format_names')} AS
  WITH t AS (SELECT *, (typelem <> 0 AND typstorage <> 'p' AND typsubscript = (SELECT oid FROM ${staticTable('pg_proc')} WHERE proname = 'array_subscript_handler')) AS is_array FROM ${staticTable('pg_type')})
  SELECT t.oid, t.is_array, b.oid AS base_oid, CASE WHEN b.typnamespace = 11 THEN '' ELSE ${quoted('n.nspname')} || '.' END || ${quoted('b.typname')} AS base_name
  FROM t JOIN ${staticTable('pg_type')} b ON b.oid = CASE WHEN t.is_array THEN t.typelem ELSE t.oid END JOIN ${staticTable('pg_namespace')} n ON n.oid = b.typnamespace`;

const loading = new WeakMap<DuckDBConnection, Promise<void>>();

/** Creates the static catalog database unless this DuckDB instance has it already. */
export function ensureStaticCatalog(conn: DuckDBConnection): Promise<void> {
  let p = loading.get(conn);
  if (!p) {
    p = load(conn);
    loading.set(conn, p);
    p.catch(() => loading.delete(conn));
  }
  return p;
}

async function load(conn: DuckDBConnection): Promise<void> {
  const exists = await readAll(conn, `SELECT 1 FROM duckdb_databases() WHERE database_name = ${quoteLiteral(STATIC_DB)}`);
  if (exists.getRows().length > 0) {
    // Another connection of this instance may be loading it: wait for its marker table.
    for (let i = 0; i < 600; i++) {
      const done = await readAll(conn, `SELECT 1 FROM duckdb_tables() WHERE database_name = ${quoteLiteral(STATIC_DB)} AND table_name = '__loaded'`);
      if (done.getRows().length > 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the static PostgreSQL catalog was not loaded in time');
  }
  await conn.run(`ATTACH ':memory:' AS ${quoteIdent(STATIC_DB)}`);
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const t of STATIC_TABLES) await createStaticTable(conn, t);
    await conn.run(FORMAT_NAMES_SQL);
    await conn.run(`CREATE TABLE ${staticTable('__loaded')} (ok BOOLEAN)`);
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

async function createStaticTable(conn: DuckDBConnection, t: StaticTable): Promise<void> {
  const types = t.columns.map(([, pg]) => duckTypeOfPg(pg));
  const cols = t.columns.map(([name], i) => `${quoteIdent(name)} ${types[i]}`);
  await conn.run(`CREATE TABLE ${staticTable(t.name)} (${cols.join(', ')})`);
  if (t.rows.length === 0) return;
  const appender = await conn.createAppender(t.name, 'main', STATIC_DB);
  try {
    const put = types.map((ty) => appendFn(appender, ty));
    for (const r of t.rows) {
      for (let i = 0; i < put.length; i++) {
        const v = r[i];
        if (v === null || v === undefined) appender.appendNull();
        else put[i]!(v);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function appendFn(a: DuckDBAppender, duck: string): (v: unknown) => void {
  switch (duck) {
    case 'UINTEGER':
      return (v) => a.appendUInteger(v as number);
    case 'INTEGER':
      return (v) => a.appendInteger(v as number);
    case 'SMALLINT':
      return (v) => a.appendSmallInt(v as number);
    case 'BIGINT':
      return (v) => a.appendBigInt(BigInt(v as number));
    case 'UBIGINT':
      return (v) => a.appendUBigInt(BigInt(v as number));
    case 'FLOAT':
      return (v) => a.appendFloat(v as number);
    case 'DOUBLE':
      return (v) => a.appendDouble(v as number);
    case 'BOOLEAN':
      return (v) => a.appendBoolean(v as boolean);
    case 'VARCHAR':
      return (v) => a.appendVarchar(String(v));
    case 'UINTEGER[]':
      return (v) => a.appendList(v as number[], LIST(UINTEGER));
    case 'SMALLINT[]':
      return (v) => a.appendList(v as number[], LIST(SMALLINT));
    case 'VARCHAR[]':
      return (v) => a.appendList(v as string[], LIST(VARCHAR));
    case 'FLOAT[]':
      return (v) => a.appendList(v as number[], LIST(FLOAT));
    case 'BOOLEAN[]':
      return (v) => a.appendList(v as boolean[], LIST(BOOLEAN));
    default:
      return () => {
        throw new Error(`static catalog column of type ${duck} cannot be loaded`);
      };
  }
}
