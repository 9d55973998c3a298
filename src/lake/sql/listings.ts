/**
 * DuckDB's catalog listings as a lake session should see them: lake tables are tables (with
 * their comments and tags), not the views that present them, and lakegres internals (the
 * __lakegres schema, historical snapshot databases) are hidden.
 */
import { quoteLiteral } from '../types.js';
import type { RewriteContext } from './rewrite.js';
import { INTERNAL_SCHEMA } from '../read/live-db.js';
import { EMULATION_SCHEMA } from '../../pgcompat/registry.js';
import { duckType } from '../types.js';

export const LISTING_FUNCTIONS = new Set(['duckdb_tables', 'duckdb_views', 'duckdb_schemas', 'duckdb_databases', 'duckdb_columns']);

const hiddenDb = (col: string) => `NOT starts_with(${col}, '__lake_')`;
const hiddenSchema = (col: string) => `${col} NOT IN ('${INTERNAL_SCHEMA}', '${EMULATION_SCHEMA}')`;

function tagsMap(tags: Map<string, string>): string {
  if (tags.size === 0) return 'MAP {}::MAP(VARCHAR, VARCHAR)';
  return `MAP {${[...tags].map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`).join(', ')}}`;
}

/** (schema, table, comment, tags, column count, create sql) of the session's lake tables. */
function lakeTablesValues(ctx: RewriteContext): string {
  const rows: string[] = [];
  for (const t of ctx.state.tables.values()) {
    const schema = ctx.state.schemas.get(t.schemaId)?.name;
    if (!schema) continue;
    const create = `CREATE TABLE ${schema}.${t.name}(${t.columns.map((c) => `${c.name} ${duckType(c)}${c.nullable ? '' : ' NOT NULL'}`).join(', ')});`;
    rows.push(`(${quoteLiteral(schema)}, ${quoteLiteral(t.name)}, ${t.comment === null ? 'NULL::VARCHAR' : quoteLiteral(t.comment)}, ${tagsMap(t.tags)}, ${t.columns.length}, ${quoteLiteral(create)})`);
  }
  if (rows.length === 0) return `SELECT NULL::VARCHAR AS schema_name, NULL::VARCHAR AS table_name, NULL::VARCHAR AS comment, MAP {}::MAP(VARCHAR, VARCHAR) AS tags, 0::BIGINT AS column_count, NULL::VARCHAR AS sql WHERE false`;
  return `SELECT * FROM (VALUES ${rows.join(', ')}) AS v(schema_name, table_name, comment, tags, column_count, sql)`;
}

function lakeColumnComments(ctx: RewriteContext): string {
  const rows: string[] = [];
  for (const t of ctx.state.tables.values()) {
    const schema = ctx.state.schemas.get(t.schemaId)?.name;
    if (!schema) continue;
    for (const c of t.columns) {
      const comment = t.columnComments.get(c.id);
      rows.push(`(${quoteLiteral(schema)}, ${quoteLiteral(t.name)}, ${quoteLiteral(c.name)}, ${comment === undefined ? 'NULL::VARCHAR' : quoteLiteral(comment)}, ${c.nullable})`);
    }
  }
  if (rows.length === 0) return `SELECT NULL::VARCHAR AS schema_name, NULL::VARCHAR AS table_name, NULL::VARCHAR AS column_name, NULL::VARCHAR AS comment, true AS is_nullable WHERE false`;
  return `SELECT * FROM (VALUES ${rows.join(', ')}) AS v(schema_name, table_name, column_name, comment, is_nullable)`;
}

function lakeViewComments(ctx: RewriteContext): string {
  const rows: string[] = [];
  for (const v of ctx.state.views.values()) {
    const schema = ctx.state.schemas.get(v.schemaId)?.name;
    if (schema && v.comment !== null) rows.push(`(${quoteLiteral(schema)}, ${quoteLiteral(v.name)}, ${quoteLiteral(v.comment)})`);
  }
  if (rows.length === 0) return `SELECT NULL::VARCHAR AS schema_name, NULL::VARCHAR AS view_name, NULL::VARCHAR AS comment WHERE false`;
  return `SELECT * FROM (VALUES ${rows.join(', ')}) AS v(schema_name, view_name, comment)`;
}

export function catalogListing(name: string, ctx: RewriteContext): string {
  const db = quoteLiteral(ctx.dbName);
  const lakeName = quoteLiteral(ctx.runtime.name);
  // Historical or private databases are presented under the lake's name.
  const dbNameExpr = (col: string) => `CASE WHEN ${col} = ${db} THEN ${lakeName} ELSE ${col} END`;
  switch (name) {
    case 'duckdb_tables':
      return `SELECT * REPLACE (${dbNameExpr('database_name')} AS database_name) FROM duckdb_tables() WHERE ${hiddenDb('database_name')} AND ${hiddenSchema('schema_name')}
UNION ALL
SELECT ${lakeName} AS database_name, v.database_oid, v.schema_name, v.schema_oid, v.view_name AS table_name, v.view_oid AS table_oid, l.comment, l.tags, false AS internal, false AS temporary, false AS has_primary_key, 0::BIGINT AS estimated_size, l.column_count, 0::BIGINT AS index_count, 0::BIGINT AS check_constraint_count, l.sql
FROM duckdb_views() v JOIN (${lakeTablesValues(ctx)}) l ON v.database_name = ${db} AND v.schema_name = l.schema_name AND v.view_name = l.table_name`;
    case 'duckdb_views':
      return `SELECT * REPLACE (${dbNameExpr('database_name')} AS database_name, COALESCE(c.comment, v.comment) AS comment) FROM duckdb_views() v
LEFT JOIN (${lakeViewComments(ctx)}) c ON v.database_name = ${db} AND c.schema_name = v.schema_name AND c.view_name = v.view_name
WHERE ${hiddenDb('v.database_name')} AND ${hiddenSchema('v.schema_name')}
AND NOT (v.database_name = ${db} AND (v.schema_name, v.view_name) IN (SELECT (schema_name, table_name) FROM (${lakeTablesValues(ctx)})))`.replace('SELECT * REPLACE', 'SELECT v.* REPLACE');
    case 'duckdb_schemas':
      return `SELECT * REPLACE (${dbNameExpr('database_name')} AS database_name) FROM duckdb_schemas() WHERE ${hiddenDb('database_name')} AND ${hiddenSchema('schema_name')}`;
    case 'duckdb_databases':
      return `SELECT * REPLACE (${dbNameExpr('database_name')} AS database_name) FROM duckdb_databases() WHERE ${hiddenDb('database_name')} OR database_name = ${db}`;
    case 'duckdb_columns':
      return `SELECT c.* REPLACE (${dbNameExpr('c.database_name')} AS database_name, COALESCE(l.comment, c.comment) AS comment, COALESCE(l.is_nullable, c.is_nullable) AS is_nullable) FROM duckdb_columns() c
LEFT JOIN (${lakeColumnComments(ctx)}) l ON c.database_name = ${db} AND l.schema_name = c.schema_name AND l.table_name = c.table_name AND l.column_name = c.column_name
WHERE ${hiddenDb('c.database_name')} AND ${hiddenSchema('c.schema_name')}`;
    default:
      return `SELECT * FROM ${name}()`;
  }
}
