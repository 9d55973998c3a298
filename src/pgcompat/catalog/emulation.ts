/**
 * The emulated PostgreSQL catalog inside a lake database: schema `__lakegres_pg` with a view
 * for every relation of registry.ts (PostgreSQL 16's exact columns, in order, with DuckDB types
 * from duck-types.ts) and a macro for every function of PG_CATALOG_FUNCTIONS.
 *
 * The views read
 *  - the static catalog database (static-db.ts): built-in types, functions, operators, ...,
 *  - the lake database's metadata tables (metadata.ts): its schemas, tables, views, columns,
 *    comments and statistics, MVCC-consistent with the lake's views,
 *  - DuckDB's duckdb_tables()/duckdb_views()/duckdb_columns() for the session's temporary
 *    objects (namespace pg_temp_1),
 *  - the session's DuckDB variables (../session-vars.ts): user, pid, databases, settings and
 *    the server's sessions.
 *
 * Every view is `SELECT CAST(col AS type), ... FROM (<all-NULL row of PostgreSQL's columns>
 * UNION ALL BY NAME <body>)`: a body provides the columns it knows, the others are NULL, and
 * relations lakegres has nothing for are empty but well-formed.
 */
import { quoteIdent, quoteLiteral } from '../../lake/types.js';
import { DISCOVERY_RELATIONS, EMULATION_SCHEMA, emulatedRelationName } from '../registry.js';
import { FIRST_TEMP_OBJECT_OID, INFORMATION_SCHEMA_NAMESPACE_OID, PG_CATALOG_NAMESPACE_OID, PUBLIC_NAMESPACE_OID, TEMP_NAMESPACE_OID } from '../oids.js';
import { ACTIVITY_TYPE, ACTIVITY_VARIABLE, SESSION_ROLE_OID, SESSION_TYPE, SESSION_VARIABLE, SETTINGS_TYPE, SETTINGS_VARIABLE } from '../session-vars.js';
import { RELATION_COLUMNS } from './pg16-data.js';
import { duckTypeOfPg } from './duck-types.js';
import { STATIC_DB } from './static-db.js';
import { META_COLUMNS, META_NAMESPACES, META_RELATIONS, META_STATS, pgTypeSql } from './metadata.js';

/** Name of the session's temporary namespace (PostgreSQL's pg_temp_N). */
export const TEMP_NAMESPACE_NAME = 'pg_temp_1';

/** The analysts' discovery relation, `lakegres.tables` for clients (registry.DISCOVERY_RELATIONS). */
export const LAKE_TABLES_VIEW = DISCOVERY_RELATIONS.tables!;

/** Functions provided beyond PG_CATALOG_FUNCTIONS (PostgreSQL names, same semantics). */
export const EXTRA_FUNCTIONS = [
  '_pg_char_max_length',
  '_pg_char_octet_length',
  '_pg_numeric_precision',
  '_pg_numeric_precision_radix',
  '_pg_numeric_scale',
  '_pg_datetime_precision',
  '_pg_interval_type',
  'pg_my_temp_schema',
  'pg_is_other_temp_schema',
  'oidvectortypes',
  'pg_relation_is_updatable',
  'pg_column_is_updatable',
  'pg_get_function_arg_default',
  'pg_encoding_max_length',
];

export interface EmulationTarget {
  /** Name of the attached lake database (live, historical or a transaction's overlay). */
  dbName: string;
  /** The lake's name (what current_database() is for its sessions). */
  lakeName: string;
}

/**
 * PostgreSQL's defaults for its public schema (DuckLake's main): the ACL initdb gives it and the
 * comment "standard public schema", unless the lake's schema has a comment of its own.
 */
const PUBLIC_ACL = `['pg_database_owner=UC/pg_database_owner', '=U/pg_database_owner']`;
const PUBLIC_DESCRIPTION = `coalesce(description, CASE WHEN oid = ${PUBLIC_NAMESPACE_OID} THEN 'standard public schema' END)`;

/** Objects of the session's temp schema that are lakegres' own (staging tables). */
const OWN_TEMP = `starts_with(table_name, '__lakegres')`;

/** The statements that create the emulation schema (macros first, then views in dependency order). */
export function emulationStatements(target: EmulationTarget): string[] {
  const db = quoteIdent(target.dbName);
  const E = `${db}.${quoteIdent(EMULATION_SCHEMA)}`;
  // The session's current database (live, historical snapshot or transaction overlay) holds the metadata.
  const M = (t: string) => `query_table('"' || replace(current_database(), '"', '""') || '".__lakegres.${t}')`;
  const S = (t: string) => `${quoteIdent(STATIC_DB)}.main.${quoteIdent(t)}`;
  const LAKE = quoteLiteral(target.lakeName);
  const e = (name: string) => `${E}.${quoteIdent(name)}`;
  const out: string[] = [`CREATE SCHEMA IF NOT EXISTS ${E}`];
  const macro = (name: string, ...overloads: string[]) => out.push(`CREATE OR REPLACE MACRO ${e(name)} ${overloads.join(', ')}`);
  const tableMacro = (name: string, params: string, body: string) => out.push(`CREATE OR REPLACE MACRO ${e(name)}${params} AS TABLE ${body}`);
  const view = (name: string, key: string | null, body: string | null, order?: string) => out.push(relationView(e(name), key ?? name, body, order));
  /** An information_schema view (named is_<name> in the emulation schema, registry.emulatedRelationName). */
  const isView = (name: string, body: string | null, order?: string) => out.push(relationView(e(emulatedRelationName('information_schema', name)), `information_schema.${name}`, body, order));
  const SN = S('pg_namespace');
  const plainView = (name: string, body: string) => out.push(`CREATE OR REPLACE VIEW ${e(name)} AS ${body}`);
  const tempType = pgTypeSql('data_type');

  // ---------------------------------------------------------------- session values
  macro('_lg_session', `() AS CAST(getvariable('${SESSION_VARIABLE}') AS ${SESSION_TYPE})`);
  macro('_lg_settings', `() AS coalesce(CAST(getvariable('${SETTINGS_VARIABLE}') AS ${SETTINGS_TYPE}), [])`);
  macro('_lg_activity', `() AS coalesce(CAST(getvariable('${ACTIVITY_VARIABLE}') AS ${ACTIVITY_TYPE}), [])`);
  macro('_lg_user', `() AS coalesce(${e('_lg_session')}()."user", 'postgres')`);
  macro('_lg_setting', `(n) AS list_filter(${e('_lg_settings')}(), lambda _lg_s: lower(_lg_s."name") = lower(n))[1].setting`);
  // search_path as schema names ("$user" resolved, quotes removed, unquoted names lower-cased).
  macro(
    '_lg_search_path',
    `() AS list_filter(list_transform(string_split(coalesce(${e('_lg_setting')}('search_path'), '"$user", public'), ','), lambda _lg_x: CASE WHEN trim(_lg_x) IN ('"$user"', '$user') THEN ${e('_lg_user')}() WHEN starts_with(trim(_lg_x), '"') THEN replace(trim(_lg_x)[2:-2], '""', '"') ELSE lower(trim(_lg_x)) END), lambda _lg_x: _lg_x <> '')`,
  );
  // Namespaces in name lookup order: the temp schema, pg_catalog, then search_path.
  macro('_lg_lookup_path', `() AS ['${TEMP_NAMESPACE_NAME}', 'pg_catalog'] || ${e('_lg_search_path')}()`);
  // Identifier from text: "Quoted" kept, unquoted lower-cased.
  macro('_lg_ident', `(x) AS CASE WHEN starts_with(trim(x), '"') AND ends_with(trim(x), '"') THEN replace(trim(x)[2:-2], '""', '"') ELSE lower(trim(x)) END`);
  macro('_lg_qualified', `(x) AS regexp_extract(trim(x), '^(?:("(?:[^"]|"")+"|[^."]+)\\.)?("(?:[^"]|"")+"|[^."]+)$', ['s', 'n'])`);

  // ---------------------------------------------------------------- type helpers
  macro('_lg_pg_type_oid', `(t) AS ${pgTypeSql('t').oid}`);
  macro('_lg_pg_typmod', `(t) AS ${pgTypeSql('t').typmod}`);
  macro('_lg_quote_ident', `(x) AS CASE WHEN regexp_full_match(x, '[a-z_][a-z0-9_]*') AND NOT EXISTS (SELECT 1 FROM ${S('keywords')} _lg_k WHERE _lg_k.word = x AND _lg_k.catcode <> 'U') THEN x ELSE '"' || replace(x, '"', '""') || '"' END`);
  // format_type's modifiers (PostgreSQL's *typmodout functions).
  macro('_lg_charmod', `(m) AS CASE WHEN m > 4 THEN '(' || (m - 4) || ')' ELSE '' END`);
  macro('_lg_numericmod', `(m) AS '(' || (((m - 4) >> 16) & 65535) || ',' || (xor((m - 4) & 2047, 1024) - 1024) || ')'`);
  macro(
    '_lg_intervalmod',
    `(m) AS CASE ((m >> 16) & 32767) WHEN 4 THEN ' year' WHEN 2 THEN ' month' WHEN 8 THEN ' day' WHEN 1024 THEN ' hour' WHEN 2048 THEN ' minute' WHEN 4096 THEN ' second' WHEN 6 THEN ' year to month' WHEN 1032 THEN ' day to hour' WHEN 3080 THEN ' day to minute' WHEN 7176 THEN ' day to second' WHEN 3072 THEN ' hour to minute' WHEN 7168 THEN ' hour to second' WHEN 6144 THEN ' minute to second' ELSE '' END || CASE WHEN (m & 65535) = 65535 THEN '' ELSE '(' || (m & 65535) || ')' END`,
  );
  macro(
    '_lg_format',
    `(b, name, m) AS CASE b
      WHEN 1560 THEN CASE WHEN m >= 0 THEN 'bit(' || m || ')' WHEN m IS NOT NULL THEN name ELSE 'bit' END
      WHEN 16 THEN 'boolean'
      WHEN 1042 THEN CASE WHEN m >= 0 THEN 'character' || ${e('_lg_charmod')}(m) WHEN m IS NOT NULL THEN name ELSE 'character' END
      WHEN 700 THEN 'real' WHEN 701 THEN 'double precision' WHEN 21 THEN 'smallint' WHEN 23 THEN 'integer' WHEN 20 THEN 'bigint'
      WHEN 1700 THEN CASE WHEN m >= 4 THEN 'numeric' || ${e('_lg_numericmod')}(m) ELSE 'numeric' END
      WHEN 1186 THEN CASE WHEN m >= 0 THEN 'interval' || ${e('_lg_intervalmod')}(m) ELSE 'interval' END
      WHEN 1083 THEN CASE WHEN m >= 0 THEN 'time(' || m || ') without time zone' ELSE 'time without time zone' END
      WHEN 1266 THEN CASE WHEN m >= 0 THEN 'time(' || m || ') with time zone' ELSE 'time with time zone' END
      WHEN 1114 THEN CASE WHEN m >= 0 THEN 'timestamp(' || m || ') without time zone' ELSE 'timestamp without time zone' END
      WHEN 1184 THEN CASE WHEN m >= 0 THEN 'timestamp(' || m || ') with time zone' ELSE 'timestamp with time zone' END
      WHEN 1562 THEN CASE WHEN m >= 0 THEN 'bit varying(' || m || ')' ELSE 'bit varying' END
      WHEN 1043 THEN CASE WHEN m >= 0 THEN 'character varying' || ${e('_lg_charmod')}(m) ELSE 'character varying' END
      ELSE CASE WHEN m >= 0 THEN name || '(' || m || ')' ELSE name END END`,
  );
  macro(
    'format_type',
    `(t, m) AS CASE WHEN t IS NULL THEN NULL WHEN t = 0 THEN '-' ELSE coalesce((SELECT ${e('_lg_format')}(_lg_f.base_oid, _lg_f.base_name, m) || CASE WHEN _lg_f.is_array THEN '[]' ELSE '' END FROM ${S('format_names')} _lg_f WHERE _lg_f.oid = t), '???') END`,
  );
  // information_schema's helpers (same names and arguments as PostgreSQL's).
  macro('_pg_char_max_length', `(typid, typmod) AS CAST(CASE WHEN typmod = -1 THEN NULL WHEN typid IN (1042, 1043) THEN typmod - 4 WHEN typid IN (1560, 1562) THEN typmod ELSE NULL END AS INTEGER)`);
  macro('_pg_char_octet_length', `(typid, typmod) AS CAST(CASE WHEN typid IN (25, 1042, 1043) THEN CASE WHEN typmod = -1 THEN 1073741824 ELSE ${e('_pg_char_max_length')}(typid, typmod) * 4 END ELSE NULL END AS INTEGER)`);
  macro(
    '_pg_numeric_precision',
    `(typid, typmod) AS CAST(CASE typid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 1700 THEN CASE WHEN typmod = -1 THEN NULL ELSE ((typmod - 4) >> 16) & 65535 END WHEN 700 THEN 24 WHEN 701 THEN 53 ELSE NULL END AS INTEGER)`,
  );
  macro('_pg_numeric_precision_radix', `(typid, typmod) AS CAST(CASE WHEN typid IN (21, 23, 20, 700, 701) THEN 2 WHEN typid = 1700 THEN 10 ELSE NULL END AS INTEGER)`);
  macro('_pg_numeric_scale', `(typid, typmod) AS CAST(CASE WHEN typid IN (21, 23, 20) THEN 0 WHEN typid = 1700 THEN CASE WHEN typmod = -1 THEN NULL ELSE (typmod - 4) & 65535 END ELSE NULL END AS INTEGER)`);
  macro(
    '_pg_datetime_precision',
    `(typid, typmod) AS CAST(CASE WHEN typid = 1082 THEN 0 WHEN typid IN (1083, 1114, 1184, 1266) THEN CASE WHEN typmod < 0 THEN 6 ELSE typmod END WHEN typid = 1186 THEN CASE WHEN typmod < 0 OR (typmod & 65535) = 65535 THEN 6 ELSE typmod & 65535 END ELSE NULL END AS INTEGER)`,
  );
  macro('_pg_interval_type', `(typid, typmod) AS CASE WHEN typid = 1186 THEN nullif(upper(trim(regexp_replace(${e('format_type')}(typid, typmod), '^interval(\\(\\d+\\))?', ''))), '') ELSE NULL END`);

  // ---------------------------------------------------------------- name lookups
  macro('pg_my_temp_schema', `() AS CAST(${TEMP_NAMESPACE_OID} AS UINTEGER)`);
  macro('pg_is_other_temp_schema', `(n) AS false`);
  // ---------------------------------------------------------------- object text
  // printf's %g for the costs and row estimates of pg_get_functiondef.
  macro('_lg_g', `(x) AS CASE WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR) ELSE CAST(x AS VARCHAR) END`);
  macro('pg_get_expr', `(e, r) AS e`, `(e, r, pretty) AS e`);
  macro('pg_get_constraintdef', `(o) AS (SELECT _lg_c.conbin FROM ${S('pg_constraint')} _lg_c WHERE _lg_c.oid = o)`, `(o, pretty) AS (SELECT _lg_c.conbin FROM ${S('pg_constraint')} _lg_c WHERE _lg_c.oid = o)`);
  macro('pg_get_indexdef', `(o) AS CAST(NULL AS VARCHAR)`, `(o, col, pretty) AS CAST(NULL AS VARCHAR)`);
  macro('pg_get_triggerdef', `(o) AS CAST(NULL AS VARCHAR)`, `(o, pretty) AS CAST(NULL AS VARCHAR)`);
  // Built-in functions have no SQL-standard body (psql's \df+ falls back to prosrc).
  macro('pg_get_function_sqlbody', `(o) AS CAST(NULL AS VARCHAR)`);
  // pg_rewrite is empty (a lake view has no rewrite rule a client could list): no rule has a definition.
  macro('pg_get_ruledef', `(o) AS CAST(NULL AS VARCHAR)`, `(o, pretty) AS CAST(NULL AS VARCHAR)`);
  macro('pg_get_partkeydef', `(o) AS CAST(NULL AS VARCHAR)`);
  macro('pg_get_serial_sequence', `(t, c) AS CAST(NULL AS VARCHAR)`);
  macro('pg_get_statisticsobjdef_columns', `(o) AS CAST(NULL AS VARCHAR)`);
  macro('pg_get_function_arguments', `(o) AS (SELECT _lg_t.arguments FROM ${S('proc_text')} _lg_t WHERE _lg_t.oid = o)`);
  macro('pg_get_function_identity_arguments', `(o) AS (SELECT coalesce(_lg_t.identity_arguments, _lg_t.arguments) FROM ${S('proc_text')} _lg_t WHERE _lg_t.oid = o)`);
  macro('pg_get_function_result', `(o) AS (SELECT _lg_t.result FROM ${S('proc_text')} _lg_t WHERE _lg_t.oid = o)`);
  macro('pg_get_function_arg_default', `(o, n) AS CAST(NULL AS VARCHAR)`);
  macro(
    'pg_get_functiondef',
    `(o) AS (SELECT 'CREATE OR REPLACE ' || CASE WHEN _lg_p.prokind = 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END || _lg_n.nspname || '.' || ${e('_lg_quote_ident')}(_lg_p.proname) || '(' || coalesce(_lg_t.arguments, '') || ')' || chr(10)
      || CASE WHEN _lg_p.prokind = 'p' THEN '' ELSE ' RETURNS ' || _lg_t.result || chr(10) END
      || ' LANGUAGE ' || _lg_l.lanname || chr(10)
      || CASE WHEN _lg_p.prokind = 'w' THEN ' WINDOW' || chr(10) ELSE '' END
      || CASE WHEN _lg_p.prokind = 'w' OR _lg_p.provolatile <> 'v' OR _lg_p.proparallel <> 'u' OR _lg_p.proisstrict OR _lg_p.prosecdef OR _lg_p.proleakproof OR _lg_p.prosupport <> 0
           OR _lg_p.procost <> CASE WHEN _lg_l.lanname IN ('internal', 'c') THEN 1 ELSE 100 END OR (_lg_p.prorows > 0 AND _lg_p.prorows <> 1000) THEN
           CASE WHEN _lg_p.prokind = 'w' THEN ' WINDOW' ELSE '' END
           || CASE _lg_p.provolatile WHEN 'i' THEN ' IMMUTABLE' WHEN 's' THEN ' STABLE' ELSE '' END
           || CASE _lg_p.proparallel WHEN 's' THEN ' PARALLEL SAFE' WHEN 'r' THEN ' PARALLEL RESTRICTED' ELSE '' END
           || CASE WHEN _lg_p.proisstrict THEN ' STRICT' ELSE '' END || CASE WHEN _lg_p.prosecdef THEN ' SECURITY DEFINER' ELSE '' END || CASE WHEN _lg_p.proleakproof THEN ' LEAKPROOF' ELSE '' END
           || CASE WHEN _lg_p.procost <> CASE WHEN _lg_l.lanname IN ('internal', 'c') THEN 1 ELSE 100 END THEN ' COST ' || ${e('_lg_g')}(_lg_p.procost) ELSE '' END
           || CASE WHEN _lg_p.prorows > 0 AND _lg_p.prorows <> 1000 THEN ' ROWS ' || ${e('_lg_g')}(_lg_p.prorows) ELSE '' END
           || CASE WHEN _lg_p.prosupport <> 0 THEN ' SUPPORT ' || (SELECT _lg_s.proname FROM ${S('pg_proc')} _lg_s WHERE _lg_s.oid = _lg_p.prosupport) ELSE '' END || chr(10)
         ELSE '' END
      || 'AS $' || CASE WHEN _lg_p.prokind = 'p' THEN 'procedure' ELSE 'function' END || '$' || coalesce(_lg_p.prosrc, '') || '$' || CASE WHEN _lg_p.prokind = 'p' THEN 'procedure' ELSE 'function' END || '$' || chr(10)
      FROM ${S('pg_proc')} _lg_p JOIN ${S('pg_namespace')} _lg_n ON _lg_n.oid = _lg_p.pronamespace JOIN ${S('pg_language')} _lg_l ON _lg_l.oid = _lg_p.prolang LEFT JOIN ${S('proc_text')} _lg_t ON _lg_t.oid = _lg_p.oid
      WHERE _lg_p.oid = o AND _lg_p.prokind <> 'a')`,
  );
  macro(
    'oidvectortypes',
    `(v) AS coalesce((SELECT string_agg(CASE WHEN _lg_u.t = 0 THEN '-' ELSE coalesce(${e('_lg_format')}(_lg_f.base_oid, _lg_f.base_name, NULL) || CASE WHEN _lg_f.is_array THEN '[]' ELSE '' END, '???') END, ', ' ORDER BY _lg_u.i)
      FROM (SELECT unnest(v) AS t, unnest(range(1, len(v) + 1)) AS i) _lg_u LEFT JOIN ${S('format_names')} _lg_f ON _lg_f.oid = _lg_u.t), '')`,
  );
  tableMacro('pg_get_keywords', '()', `SELECT word, catcode, barelabel, catdesc, baredesc FROM ${S('keywords')}`);
  // information_schema._pg_expandarray: a set of (x, n) records, used in select lists as PostgreSQL
  // clients do: (_pg_expandarray(i.indkey)).n.
  macro('_pg_expandarray', `(a) AS unnest(list_transform(range(1, len(a) + 1), lambda _lg_i: {'x': a[_lg_i], 'n': CAST(_lg_i AS INTEGER)}))`);

  // ---------------------------------------------------------------- comments, users
  // ---------------------------------------------------------------- privileges (lakegres has none to check)
  macro('has_table_privilege', `(a, b) AS true`, `(a, b, c) AS true`);
  macro('has_schema_privilege', `(a, b) AS true`, `(a, b, c) AS true`);
  macro('has_database_privilege', `(a, b) AS true`, `(a, b, c) AS true`);
  macro('has_column_privilege', `(a, b, c) AS true`, `(a, b, c, d) AS true`);
  macro('has_any_column_privilege', `(a, b) AS true`, `(a, b, c) AS true`);
  macro('has_function_privilege', `(a, b) AS true`, `(a, b, c) AS true`);
  macro('has_sequence_privilege', `(a, b) AS true`, `(a, b, c) AS true`);
  macro('pg_has_role', `(a, b) AS true`, `(a, b, c) AS true`);

  // ---------------------------------------------------------------- encodings, sizes, misc
  macro('pg_encoding_to_char', `(i) AS coalesce((SELECT min(_lg_x."name") FROM ${S('encodings')} _lg_x WHERE _lg_x.encoding = i), '')`);
  macro('pg_char_to_encoding', `(s) AS coalesce((SELECT min(_lg_x.encoding) FROM ${S('encodings')} _lg_x WHERE lower(_lg_x."name") = lower(replace(replace(s, '-', ''), '_', '')) OR lower(_lg_x."name") = lower(s)), -1)`);
  macro('pg_encoding_max_length', `(i) AS CASE WHEN i = 6 THEN 4 WHEN i = 0 THEN 1 ELSE NULL END`);
  // PostgreSQL's size_pretty: bytes below 10 kB, then kB/MB/GB/TB/PB below 20 units, half rounded up.
  macro(
    'pg_size_pretty',
    `(b) AS CASE WHEN b IS NULL THEN NULL
      WHEN abs(b) < 10240 THEN CAST(CAST(b AS HUGEINT) AS VARCHAR) || ' bytes'
      ELSE ${e('_lg_size_unit')}(CAST(trunc(CAST(b AS DOUBLE) / 512) AS HUGEINT)) END`,
  );
  macro(
    '_lg_size_unit',
    `(h) AS CASE WHEN abs(h) < 20479 THEN CAST(${e('_lg_half_round')}(h) AS VARCHAR) || ' kB'
      WHEN abs(trunc(h / 1024)) < 20479 THEN CAST(${e('_lg_half_round')}(CAST(trunc(h / 1024) AS HUGEINT)) AS VARCHAR) || ' MB'
      WHEN abs(trunc(h / 1048576)) < 20479 THEN CAST(${e('_lg_half_round')}(CAST(trunc(h / 1048576) AS HUGEINT)) AS VARCHAR) || ' GB'
      WHEN abs(trunc(h / 1073741824)) < 20479 THEN CAST(${e('_lg_half_round')}(CAST(trunc(h / 1073741824) AS HUGEINT)) AS VARCHAR) || ' TB'
      ELSE CAST(${e('_lg_half_round')}(CAST(trunc(h / 1099511627776) AS HUGEINT)) AS VARCHAR) || ' PB' END`,
  );
  macro('_lg_half_round', `(x) AS CAST(trunc((x + CASE WHEN x < 0 THEN -1 ELSE 1 END) / 2) AS HUGEINT)`);
  // Lists are one-dimensional, 1-based arrays: bounds of dimension 1, NULL for empty lists and other dimensions.
  macro('array_lower', `(a, d) AS CAST(CASE WHEN d = 1 AND len(a) > 0 THEN 1 ELSE NULL END AS INTEGER)`);
  macro('array_upper', `(a, d) AS CAST(CASE WHEN d = 1 AND len(a) > 0 THEN len(a) ELSE NULL END AS INTEGER)`);
  macro('pg_tablespace_location', `(o) AS ''`);
  macro('pg_is_in_recovery', `() AS false`);
  // ---------------------------------------------------------------- pg_catalog relations
  view(
    'pg_namespace',
    null,
    `SELECT * FROM ${S('pg_namespace')}
     UNION ALL BY NAME SELECT ${TEMP_NAMESPACE_OID} AS oid, '${TEMP_NAMESPACE_NAME}' AS nspname, ${SESSION_ROLE_OID} AS nspowner
     UNION ALL BY NAME SELECT oid, nspname, CASE WHEN oid = ${PUBLIC_NAMESPACE_OID} THEN 6171 ELSE ${SESSION_ROLE_OID} END AS nspowner,
       CASE WHEN oid = ${PUBLIC_NAMESPACE_OID} THEN ${PUBLIC_ACL} END AS nspacl FROM ${M(META_NAMESPACES)}`,
    'oid',
  );
  const tempRelations = `SELECT ${FIRST_TEMP_OBJECT_OID} + table_oid AS oid, table_name AS relname, 'r' AS relkind, column_count AS relnatts, estimated_size AS reltuples, true AS is_table FROM duckdb_tables() WHERE temporary AND NOT ${OWN_TEMP}
     UNION ALL SELECT ${FIRST_TEMP_OBJECT_OID} + view_oid, view_name, 'v', column_count, -1, false FROM duckdb_views() WHERE temporary AND NOT internal AND NOT starts_with(view_name, '__lakegres')`;
  view(
    'pg_class',
    null,
    `SELECT * FROM ${S('pg_class')}
     UNION ALL BY NAME
     SELECT r.oid, r.relname, r.relnamespace, 0 AS reltype, 0 AS reloftype, ${SESSION_ROLE_OID} AS relowner,
       CASE WHEN r.relkind = 'r' THEN 2 ELSE 0 END AS relam, CASE WHEN r.relkind = 'r' THEN r.oid ELSE 0 END AS relfilenode, 0 AS reltablespace,
       CASE WHEN r.relkind = 'r' THEN CAST(ceil(coalesce(s.data_bytes, 0) / 8192) AS INTEGER) ELSE 0 END AS relpages,
       CASE WHEN r.relkind = 'r' THEN CAST(coalesce(s.row_count, 0) AS FLOAT) ELSE -1 END AS reltuples,
       0 AS relallvisible, 0 AS reltoastrelid, false AS relhasindex, false AS relisshared, 'p' AS relpersistence, r.relkind, r.relnatts, 0 AS relchecks,
       r.relkind = 'v' AS relhasrules, false AS relhastriggers, false AS relhassubclass, false AS relrowsecurity, false AS relforcerowsecurity, true AS relispopulated,
       CASE WHEN r.relkind = 'r' THEN 'd' ELSE 'n' END AS relreplident, false AS relispartition, 0 AS relrewrite, 0 AS relfrozenxid, CASE WHEN r.relkind = 'r' THEN 1 ELSE 0 END AS relminmxid
     FROM ${M(META_RELATIONS)} r LEFT JOIN ${M(META_STATS)} s ON s.oid = r.oid
     UNION ALL BY NAME
     SELECT t.oid, t.relname, ${TEMP_NAMESPACE_OID} AS relnamespace, 0 AS reltype, 0 AS reloftype, ${SESSION_ROLE_OID} AS relowner,
       CASE WHEN t.is_table THEN 2 ELSE 0 END AS relam, CASE WHEN t.is_table THEN t.oid ELSE 0 END AS relfilenode, 0 AS reltablespace, 0 AS relpages,
       CAST(t.reltuples AS FLOAT) AS reltuples, 0 AS relallvisible, 0 AS reltoastrelid, false AS relhasindex, false AS relisshared, 't' AS relpersistence, t.relkind, t.relnatts, 0 AS relchecks,
       NOT t.is_table AS relhasrules, false AS relhastriggers, false AS relhassubclass, false AS relrowsecurity, false AS relforcerowsecurity, true AS relispopulated,
       CASE WHEN t.is_table THEN 'd' ELSE 'n' END AS relreplident, false AS relispartition, 0 AS relrewrite, 0 AS relfrozenxid, CASE WHEN t.is_table THEN 1 ELSE 0 END AS relminmxid
     FROM (${tempRelations}) t`,
    'oid',
  );
  view('pg_type', null, `SELECT * FROM ${S('pg_type')}`);
  const attributeOf = (src: string) => `SELECT a.attrelid, a.attname, a.atttypid, t.typlen AS attlen, a.attnum, -1 AS attcacheoff, a.atttypmod, a.attndims, t.typbyval AS attbyval, t.typalign AS attalign,
       t.typstorage AS attstorage, '' AS attcompression, a.attnotnull, a.atthasdef, false AS atthasmissing, '' AS attidentity, '' AS attgenerated, false AS attisdropped,
       true AS attislocal, 0 AS attinhcount, -1 AS attstattarget, t.typcollation AS attcollation
     FROM (${src}) a LEFT JOIN ${S('pg_type')} t ON t.oid = a.atttypid`;
  view(
    'pg_attribute',
    null,
    `SELECT * FROM ${S('pg_attribute')}
     UNION ALL BY NAME SELECT attrelid, attname, atttypid, attlen, attnum, -1 AS attcacheoff, atttypmod, attndims, attbyval, attalign, attstorage, '' AS attcompression, attnotnull,
       default_value IS NOT NULL AS atthasdef, false AS atthasmissing, '' AS attidentity, '' AS attgenerated, false AS attisdropped, true AS attislocal, 0 AS attinhcount, -1 AS attstattarget, attcollation
     FROM ${M(META_COLUMNS)}
     UNION ALL BY NAME ${attributeOf(
       `SELECT ${FIRST_TEMP_OBJECT_OID} + table_oid AS attrelid, column_name AS attname, ${tempType.oid} AS atttypid, column_index AS attnum, ${tempType.typmod} AS atttypmod, ${tempType.ndims} AS attndims,
          NOT is_nullable AS attnotnull, column_default IS NOT NULL AS atthasdef
        FROM duckdb_columns() WHERE database_name = 'temp' AND NOT ${OWN_TEMP} AND NOT internal`,
     )}`,
    'attrelid, attnum',
  );
  // Literal defaults as PostgreSQL prints its constants: integers that fit int4 plain (negative
  // ones quoted with ::integer), larger ones ::bigint, decimals like numeric constants, booleans
  // as true/false, everything else quoted with the column type's name.
  const literal = (v: string, typ: string) => `CASE
      WHEN ${typ} = 16 THEN CASE WHEN lower(${v}) IN ('true', 't', '1', 'yes', 'on', 'y') THEN 'true' ELSE 'false' END
      WHEN ${typ} IN (20, 21, 23, 700, 701, 1700) AND regexp_full_match(${v}, '-?[0-9]+') AND TRY_CAST(${v} AS INTEGER) IS NOT NULL THEN CASE WHEN starts_with(${v}, '-') THEN '''' || ${v} || '''::integer' ELSE ${v} END
      WHEN ${typ} IN (20, 21, 23, 700, 701, 1700) AND regexp_full_match(${v}, '-?[0-9]+') AND TRY_CAST(${v} AS BIGINT) IS NOT NULL THEN '''' || ${v} || '''::bigint'
      WHEN ${typ} IN (20, 21, 23, 700, 701, 1700) AND regexp_full_match(${v}, '[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?') AND regexp_matches(${v}, '[.eE]') THEN ${v}
      WHEN ${typ} IN (20, 21, 23, 700, 701, 1700) AND TRY_CAST(${v} AS DOUBLE) IS NOT NULL THEN '''' || ${v} || '''::numeric'
      ELSE '''' || replace(${v}, '''', '''''') || '''::' || ${e('format_type')}(${typ}, NULL) END`;
  view(
    'pg_attrdef',
    null,
    `SELECT CAST(3000000000 + ((CAST(attrelid AS UBIGINT) * 1600 + attnum) % 1000000000) AS UINTEGER) AS oid, attrelid AS adrelid, attnum AS adnum,
       CASE WHEN default_kind = 'expression' THEN default_value ELSE ${literal('default_value', 'atttypid')} END AS adbin
     FROM ${M(META_COLUMNS)} WHERE default_value IS NOT NULL
     UNION ALL BY NAME
     SELECT CAST(3000000000 + ((CAST(${FIRST_TEMP_OBJECT_OID} + table_oid AS UBIGINT) * 1600 + column_index) % 1000000000) AS UINTEGER) AS oid, ${FIRST_TEMP_OBJECT_OID} + table_oid AS adrelid, column_index AS adnum, column_default AS adbin
     FROM duckdb_columns() WHERE database_name = 'temp' AND column_default IS NOT NULL AND NOT ${OWN_TEMP} AND NOT internal`,
  );
  view(
    'pg_description',
    null,
    `SELECT * FROM ${S('pg_description')}
     UNION ALL BY NAME SELECT oid AS objoid, 1259 AS classoid, 0 AS objsubid, description FROM ${M(META_RELATIONS)} WHERE description IS NOT NULL
     UNION ALL BY NAME SELECT attrelid AS objoid, 1259 AS classoid, attnum AS objsubid, description FROM ${M(META_COLUMNS)} WHERE description IS NOT NULL
     UNION ALL BY NAME SELECT oid AS objoid, 2615 AS classoid, 0 AS objsubid, ${PUBLIC_DESCRIPTION} AS description FROM ${M(META_NAMESPACES)} WHERE ${PUBLIC_DESCRIPTION} IS NOT NULL
     UNION ALL BY NAME SELECT ${FIRST_TEMP_OBJECT_OID} + table_oid AS objoid, 1259 AS classoid, 0 AS objsubid, comment AS description FROM duckdb_tables() WHERE temporary AND comment IS NOT NULL AND NOT ${OWN_TEMP}
     UNION ALL BY NAME SELECT ${FIRST_TEMP_OBJECT_OID} + table_oid AS objoid, 1259 AS classoid, column_index AS objsubid, comment AS description FROM duckdb_columns() WHERE database_name = 'temp' AND comment IS NOT NULL AND NOT ${OWN_TEMP}`,
  );
  view('pg_shdescription', null, null);
  view(
    'pg_database',
    null,
    `SELECT d.oid, d."name" AS datname, ${SESSION_ROLE_OID} AS datdba, 6 AS encoding, 'c' AS datlocprovider, false AS datistemplate, true AS datallowconn, -1 AS datconnlimit,
       722 AS datfrozenxid, 1 AS datminmxid, 1663 AS dattablespace, 'C.UTF-8' AS datcollate, 'C.UTF-8' AS datctype
     FROM (SELECT unnest(coalesce(${e('_lg_session')}().databases, [{'oid': 5, 'name': ${LAKE}}])) AS d)`,
  );
  const sessionRole = `SELECT ${SESSION_ROLE_OID} AS oid, ${e('_lg_user')}() AS rolname, coalesce(${e('_lg_session')}().superuser, true) AS rolsuper, true AS rolinherit, true AS rolcreaterole, true AS rolcreatedb,
       true AS rolcanlogin, true AS rolreplication, true AS rolbypassrls, -1 AS rolconnlimit`;
  view('pg_authid', null, `SELECT * FROM ${S('pg_authid')} UNION ALL BY NAME ${sessionRole}`);
  macro('pg_get_userbyid', `(o) AS coalesce((SELECT min(_lg_r.rolname) FROM ${e('pg_authid')} _lg_r WHERE _lg_r.oid = o), 'unknown (OID=' || o || ')')`);

  view('pg_roles', null, `SELECT * EXCLUDE (rolpassword), '********' AS rolpassword FROM ${e('pg_authid')}`);
  view(
    'pg_user',
    null,
    `SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb, rolsuper AS usesuper, rolreplication AS userepl, rolbypassrls AS usebypassrls, '********' AS passwd FROM ${e('pg_authid')} WHERE rolcanlogin`,
  );
  view('pg_auth_members', null, null);
  view(
    'pg_settings',
    null,
    `SELECT s."name", s.setting, coalesce(i.unit, s.unit) AS unit, coalesce(i.category, s.category, 'Customized Options') AS category, coalesce(i.short_desc, s.short_desc) AS short_desc, i.extra_desc,
       coalesce(i.context, 'user') AS context, coalesce(i.vartype, 'string') AS vartype, s."source", i.min_val, i.max_val, i.enumvals, coalesce(i.boot_val, s.reset_val) AS boot_val, s.reset_val, false AS pending_restart
     FROM (SELECT unnest(${e('_lg_settings')}()) AS s) LEFT JOIN ${S('settings_info')} i ON lower(i."name") = lower(s."name")`,
  );
  view('pg_proc', null, `SELECT * FROM ${S('pg_proc')}`);
  view('pg_aggregate', null, `SELECT * FROM ${S('pg_aggregate')}`);
  view('pg_index', null, null);
  view('pg_constraint', null, `SELECT * FROM ${S('pg_constraint')}`);
  view('pg_am', null, `SELECT * FROM ${S('pg_am')}`);
  view('pg_collation', null, `SELECT * FROM ${S('pg_collation')}`);
  view('pg_enum', null, null);
  view('pg_range', null, `SELECT * FROM ${S('pg_range')}`);
  view('pg_inherits', null, null);
  view('pg_tablespace', null, `SELECT * FROM ${S('pg_tablespace')}`);
  view(
    'pg_stat_activity',
    null,
    `SELECT coalesce(list_filter(coalesce(${e('_lg_session')}().databases, []), lambda d: d."name" = a.datname)[1].oid, 0) AS datid, a.datname, a.pid,
       CASE WHEN a.usename = ${e('_lg_user')}() THEN ${SESSION_ROLE_OID} END AS usesysid, a.usename, a.application_name, a.client_addr,
       CASE WHEN a.client_addr IS NULL THEN -1 END AS client_port, a.backend_start, a.xact_start, a.query_start, a.state_change,
       CASE WHEN a.state LIKE 'idle%' THEN 'Client' END AS wait_event_type, CASE WHEN a.state LIKE 'idle%' THEN 'ClientRead' END AS wait_event,
       a.state, a.query, 'client backend' AS backend_type
     FROM (SELECT unnest(${e('_lg_activity')}()) AS a)`,
  );
  const userTables = `SELECT r.oid AS relid, n.nspname AS schemaname, r.relname, 0 AS seq_scan, 0 AS seq_tup_read, 0 AS n_tup_ins, 0 AS n_tup_upd, 0 AS n_tup_del, 0 AS n_tup_hot_upd, 0 AS n_tup_newpage_upd,
       coalesce(s.row_count, 0) AS n_live_tup, 0 AS n_dead_tup, 0 AS n_mod_since_analyze, 0 AS n_ins_since_vacuum, 0 AS vacuum_count, 0 AS autovacuum_count, 0 AS analyze_count, 0 AS autoanalyze_count
     FROM ${M(META_RELATIONS)} r JOIN ${M(META_NAMESPACES)} n ON n.oid = r.relnamespace LEFT JOIN ${M(META_STATS)} s ON s.oid = r.oid WHERE r.relkind = 'r'`;
  view('pg_stat_user_tables', null, userTables);
  view('pg_stat_all_tables', null, userTables);
  view(
    'pg_statio_user_tables',
    null,
    `SELECT r.oid AS relid, n.nspname AS schemaname, r.relname, 0 AS heap_blks_read, 0 AS heap_blks_hit
     FROM ${M(META_RELATIONS)} r JOIN ${M(META_NAMESPACES)} n ON n.oid = r.relnamespace WHERE r.relkind = 'r'`,
  );
  view('pg_extension', null, `SELECT * FROM ${S('pg_extension')}`);
  plainView(
    '_lg_view_definitions',
    `SELECT oid, view_definition AS definition FROM ${M(META_RELATIONS)} WHERE relkind = 'v'
     UNION ALL SELECT ${FIRST_TEMP_OBJECT_OID} + view_oid, "sql" FROM duckdb_views() WHERE temporary AND NOT internal`,
  );
  view(
    'pg_views',
    null,
    `SELECT n.nspname AS schemaname, c.relname AS viewname, ${e('pg_get_userbyid')}(c.relowner) AS viewowner, d.definition
     FROM ${e('pg_class')} c LEFT JOIN ${e('pg_namespace')} n ON n.oid = c.relnamespace LEFT JOIN ${e('_lg_view_definitions')} d ON d.oid = c.oid WHERE c.relkind = 'v'`,
  );
  view(
    'pg_tables',
    null,
    `SELECT n.nspname AS schemaname, c.relname AS tablename, ${e('pg_get_userbyid')}(c.relowner) AS tableowner, t.spcname AS tablespace, c.relhasindex AS hasindexes, c.relhasrules AS hasrules,
       c.relhastriggers AS hastriggers, c.relrowsecurity AS rowsecurity
     FROM ${e('pg_class')} c LEFT JOIN ${e('pg_namespace')} n ON n.oid = c.relnamespace LEFT JOIN ${S('pg_tablespace')} t ON t.oid = c.reltablespace WHERE c.relkind IN ('r', 'p')`,
  );
  view('pg_matviews', null, null);
  view('pg_sequence', null, null);
  view('pg_sequences', null, null);
  view('pg_language', null, `SELECT * FROM ${S('pg_language')}`);
  view('pg_operator', null, `SELECT * FROM ${S('pg_operator')}`);
  view('pg_opclass', null, `SELECT * FROM ${S('pg_opclass')}`);
  for (const empty of ['pg_depend', 'pg_rewrite', 'pg_trigger', 'pg_event_trigger', 'pg_policy', 'pg_foreign_table', 'pg_foreign_server', 'pg_foreign_data_wrapper', 'pg_partitioned_table', 'pg_publication', 'pg_publication_namespace', 'pg_publication_rel', 'pg_subscription', 'pg_locks', 'pg_statistic_ext']) {
    view(empty, null, null);
  }
  view('pg_cast', null, `SELECT * FROM ${S('pg_cast')}`);
  view('pg_conversion', null, `SELECT * FROM ${S('pg_conversion')}`);
  view('pg_timezone_names', null, `SELECT "name", abbrev, utc_offset, is_dst FROM pg_timezone_names()`);
  view('pg_timezone_abbrevs', null, `SELECT DISTINCT abbrev, utc_offset, is_dst FROM pg_timezone_names() WHERE NOT regexp_matches(abbrev, '^[+-]')`);
  view(
    'pg_available_extensions',
    null,
    `SELECT x.extname AS "name", x.extversion AS default_version, x.extversion AS installed_version, d.description AS comment
     FROM ${S('pg_extension')} x LEFT JOIN ${S('pg_description')} d ON d.objoid = x.oid AND d.classoid = 3079`,
  );
  view(
    'pg_stat_database',
    null,
    `SELECT d.oid AS datid, d.datname, CAST((SELECT count(*) FROM (SELECT unnest(${e('_lg_activity')}()) AS a) WHERE a.datname = d.datname) AS INTEGER) AS numbackends,
       0 AS xact_commit, 0 AS xact_rollback, 0 AS blks_read, 0 AS blks_hit, 0 AS tup_returned, 0 AS tup_fetched, 0 AS tup_inserted, 0 AS tup_updated, 0 AS tup_deleted,
       0 AS conflicts, 0 AS temp_files, 0 AS temp_bytes, 0 AS deadlocks, 0 AS blk_read_time, 0 AS blk_write_time, 0 AS session_time, 0 AS active_time,
       0 AS idle_in_transaction_time, 0 AS sessions, 0 AS sessions_abandoned, 0 AS sessions_fatal, 0 AS sessions_killed
     FROM ${e('pg_database')} d`,
  );
  // Relations a name without schema finds (first in lookup order), for pg_table_is_visible.
  plainView(
    '_lg_visible_relations',
    `SELECT c.oid FROM ${e('pg_class')} c JOIN ${e('pg_namespace')} n ON n.oid = c.relnamespace
     WHERE list_position(${e('_lg_lookup_path')}(), n.nspname) IS NOT NULL
     QUALIFY row_number() OVER (PARTITION BY c.relname ORDER BY list_position(${e('_lg_lookup_path')}(), n.nspname)) = 1`,
  );

  // ---------------------------------------------------------------- information_schema
  const dataType = (t: string, nt: string, typid: string) => `CASE WHEN ${t}.typelem <> 0 AND ${t}.typlen = -1 THEN 'ARRAY' WHEN ${nt}.nspname = 'pg_catalog' THEN ${e('format_type')}(${typid}, NULL) ELSE 'USER-DEFINED' END`;
  isView(
    'schemata',
    `SELECT ${LAKE} AS catalog_name, n.nspname AS schema_name, u.rolname AS schema_owner FROM ${e('pg_namespace')} n JOIN ${e('pg_authid')} u ON u.oid = n.nspowner`,
  );
  isView(
    'tables',
    `SELECT ${LAKE} AS table_catalog, nc.nspname AS table_schema, c.relname AS table_name,
       CASE WHEN nc.oid = ${TEMP_NAMESPACE_OID} THEN 'LOCAL TEMPORARY' WHEN c.relkind IN ('r', 'p') THEN 'BASE TABLE' WHEN c.relkind = 'v' THEN 'VIEW' WHEN c.relkind = 'f' THEN 'FOREIGN' END AS table_type,
       CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END AS is_insertable_into, 'NO' AS is_typed
     FROM ${e('pg_namespace')} nc JOIN ${e('pg_class')} c ON nc.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'f', 'p')`,
  );
  isView(
    'columns',
    `SELECT ${LAKE} AS table_catalog, nc.nspname AS table_schema, c.relname AS table_name, a.attname AS column_name, a.attnum AS ordinal_position,
       CASE WHEN a.attgenerated = '' THEN ad.adbin END AS column_default,
       CASE WHEN a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) THEN 'NO' ELSE 'YES' END AS is_nullable,
       CASE WHEN t.typtype = 'd' THEN CASE WHEN bt.typelem <> 0 AND bt.typlen = -1 THEN 'ARRAY' WHEN nbt.nspname = 'pg_catalog' THEN ${e('format_type')}(t.typbasetype, NULL) ELSE 'USER-DEFINED' END
            ELSE ${dataType('t', 'nt', 'a.atttypid')} END AS data_type,
       ${e('_pg_char_max_length')}(a.truetypid, a.truetypmod) AS character_maximum_length,
       ${e('_pg_char_octet_length')}(a.truetypid, a.truetypmod) AS character_octet_length,
       ${e('_pg_numeric_precision')}(a.truetypid, a.truetypmod) AS numeric_precision,
       ${e('_pg_numeric_precision_radix')}(a.truetypid, a.truetypmod) AS numeric_precision_radix,
       ${e('_pg_numeric_scale')}(a.truetypid, a.truetypmod) AS numeric_scale,
       ${e('_pg_datetime_precision')}(a.truetypid, a.truetypmod) AS datetime_precision,
       ${e('_pg_interval_type')}(a.truetypid, a.truetypmod) AS interval_type,
       CASE WHEN co.collname IS NOT NULL THEN ${LAKE} END AS collation_catalog, nco.nspname AS collation_schema, co.collname AS collation_name,
       CASE WHEN t.typtype = 'd' THEN ${LAKE} END AS domain_catalog, CASE WHEN t.typtype = 'd' THEN nt.nspname END AS domain_schema, CASE WHEN t.typtype = 'd' THEN t.typname END AS domain_name,
       ${LAKE} AS udt_catalog, coalesce(nbt.nspname, nt.nspname) AS udt_schema, coalesce(bt.typname, t.typname) AS udt_name,
       CAST(a.attnum AS VARCHAR) AS dtd_identifier, 'NO' AS is_self_referencing, 'NO' AS is_identity, 'NO' AS identity_cycle, 'NEVER' AS is_generated,
       CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END AS is_updatable
     FROM (SELECT a.*, CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END AS truetypid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS truetypmod
           FROM ${e('pg_attribute')} a JOIN ${S('pg_type')} t ON t.oid = a.atttypid WHERE a.attnum > 0 AND NOT a.attisdropped) a
       LEFT JOIN ${e('pg_attrdef')} ad ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
       JOIN ${e('pg_class')} c ON a.attrelid = c.oid JOIN ${e('pg_namespace')} nc ON c.relnamespace = nc.oid
       JOIN ${S('pg_type')} t ON a.atttypid = t.oid JOIN ${SN} nt ON t.typnamespace = nt.oid
       LEFT JOIN ${S('pg_type')} bt ON t.typtype = 'd' AND t.typbasetype = bt.oid LEFT JOIN ${SN} nbt ON bt.typnamespace = nbt.oid
       LEFT JOIN ${S('pg_collation')} co ON a.attcollation = co.oid AND co.collname <> 'default' LEFT JOIN ${SN} nco ON co.collnamespace = nco.oid
     WHERE c.relkind IN ('r', 'v', 'f', 'p')`,
    'table_schema, table_name, ordinal_position',
  );
  isView(
    'views',
    `SELECT ${LAKE} AS table_catalog, nc.nspname AS table_schema, c.relname AS table_name, d.definition AS view_definition, 'NONE' AS check_option,
       'NO' AS is_updatable, 'NO' AS is_insertable_into, 'NO' AS is_trigger_updatable, 'NO' AS is_trigger_deletable, 'NO' AS is_trigger_insertable_into
     FROM ${e('pg_class')} c JOIN ${e('pg_namespace')} nc ON c.relnamespace = nc.oid LEFT JOIN ${e('_lg_view_definitions')} d ON d.oid = c.oid WHERE c.relkind = 'v'`,
  );
  // NOT NULL columns are CHECK constraints in PostgreSQL 16's information_schema.
  const notNulls = `SELECT nr.oid AS nspoid, nr.nspname, r.oid AS reloid, r.relname, a.attnum, a.attname
     FROM ${e('pg_namespace')} nr JOIN ${e('pg_class')} r ON nr.oid = r.relnamespace JOIN ${e('pg_attribute')} a ON r.oid = a.attrelid
     WHERE a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p')`;
  isView(
    'table_constraints',
    `SELECT ${LAKE} AS constraint_catalog, x.nspname AS constraint_schema, CAST(x.nspoid AS VARCHAR) || '_' || CAST(x.reloid AS VARCHAR) || '_' || CAST(x.attnum AS VARCHAR) || '_not_null' AS constraint_name,
       ${LAKE} AS table_catalog, x.nspname AS table_schema, x.relname AS table_name, 'CHECK' AS constraint_type, 'NO' AS is_deferrable, 'NO' AS initially_deferred, 'YES' AS enforced
     FROM (${notNulls}) x`,
  );
  isView('key_column_usage', null);
  isView('referential_constraints', null);
  isView('constraint_column_usage', null);
  isView(
    'check_constraints',
    `SELECT ${LAKE} AS constraint_catalog, rs.nspname AS constraint_schema, con.conname AS constraint_name, substr(con.conbin, 7) AS check_clause
     FROM ${S('pg_constraint')} con LEFT JOIN ${SN} rs ON rs.oid = con.connamespace WHERE con.contype = 'c'
     UNION ALL BY NAME
     SELECT ${LAKE} AS constraint_catalog, x.nspname AS constraint_schema, CAST(x.nspoid AS VARCHAR) || '_' || CAST(x.reloid AS VARCHAR) || '_' || CAST(x.attnum AS VARCHAR) || '_not_null' AS constraint_name,
       x.attname || ' IS NOT NULL' AS check_clause
     FROM (${notNulls}) x`,
  );
  isView(
    'routines',
    `SELECT ${LAKE} AS specific_catalog, n.nspname AS specific_schema, p.proname || '_' || CAST(p.oid AS VARCHAR) AS specific_name, ${LAKE} AS routine_catalog, n.nspname AS routine_schema, p.proname AS routine_name,
       CASE p.prokind WHEN 'f' THEN 'FUNCTION' WHEN 'p' THEN 'PROCEDURE' END AS routine_type,
       CASE WHEN p.prokind = 'p' THEN NULL ELSE ${dataType('t', 'nt', 't.oid')} END AS data_type,
       CASE WHEN nt.nspname IS NOT NULL THEN ${LAKE} END AS type_udt_catalog, nt.nspname AS type_udt_schema, t.typname AS type_udt_name,
       CASE WHEN p.prokind <> 'p' THEN '0' END AS dtd_identifier, CASE WHEN l.lanname = 'sql' THEN 'SQL' ELSE 'EXTERNAL' END AS routine_body, p.prosrc AS routine_definition,
       CASE WHEN l.lanname = 'c' THEN p.prosrc END AS external_name, upper(l.lanname) AS external_language, 'GENERAL' AS parameter_style,
       CASE WHEN p.provolatile = 'i' THEN 'YES' ELSE 'NO' END AS is_deterministic, 'MODIFIES' AS sql_data_access,
       CASE WHEN p.prokind <> 'p' THEN CASE WHEN p.proisstrict THEN 'YES' ELSE 'NO' END END AS is_null_call, 'YES' AS schema_level_routine, 0 AS max_dynamic_result_sets,
       CASE WHEN p.prosecdef THEN 'DEFINER' ELSE 'INVOKER' END AS security_type, 'NO' AS as_locator, 'NO' AS is_udt_dependent
     FROM ${S('pg_proc')} p JOIN ${SN} n ON n.oid = p.pronamespace JOIN ${S('pg_language')} l ON p.prolang = l.oid
       JOIN ${S('pg_type')} t ON p.prorettype = t.oid JOIN ${SN} nt ON t.typnamespace = nt.oid`,
  );
  isView(
    'parameters',
    `SELECT ${LAKE} AS specific_catalog, ss.nspname AS specific_schema, ss.proname || '_' || CAST(ss.oid AS VARCHAR) AS specific_name, ss.n AS ordinal_position,
       CASE WHEN ss.proargmodes IS NULL THEN 'IN' WHEN ss.proargmodes[ss.n] IN ('i', 'v') THEN 'IN' WHEN ss.proargmodes[ss.n] IN ('o', 't') THEN 'OUT' WHEN ss.proargmodes[ss.n] = 'b' THEN 'INOUT' END AS parameter_mode,
       'NO' AS is_result, 'NO' AS as_locator, nullif(ss.proargnames[ss.n], '') AS parameter_name, ${dataType('t', 'nt', 't.oid')} AS data_type,
       ${LAKE} AS udt_catalog, nt.nspname AS udt_schema, t.typname AS udt_name, CAST(ss.n AS VARCHAR) AS dtd_identifier
     FROM (SELECT n.nspname, p.proname, p.oid, p.proargmodes, p.proargnames, unnest(coalesce(p.proallargtypes, p.proargtypes)) AS typid, unnest(range(1, len(coalesce(p.proallargtypes, p.proargtypes)) + 1)) AS n
           FROM ${S('pg_proc')} p JOIN ${SN} n ON n.oid = p.pronamespace) ss
       JOIN ${S('pg_type')} t ON t.oid = ss.typid JOIN ${SN} nt ON t.typnamespace = nt.oid`,
  );
  isView('sequences', null);
  isView(
    'character_sets',
    `SELECT 'UTF8' AS character_set_name, 'UCS' AS character_repertoire, 'UTF8' AS form_of_use, ${LAKE} AS default_collate_catalog`,
  );
  // The owner (the session's user) holds every privilege; PUBLIC may read the system catalogs.
  const privileges = (list: string[], publicSelect: string) =>
    `list_concat([${list.map((p) => `{'grantee': ${e('_lg_user')}(), 'privilege_type': '${p}', 'is_grantable': 'YES'}`).join(', ')}], CASE WHEN ${publicSelect} THEN [{'grantee': 'PUBLIC', 'privilege_type': 'SELECT', 'is_grantable': 'NO'}] ELSE [] END)`;
  const systemRelation = `c.relkind IN ('r', 'v') AND c.relnamespace IN (${PG_CATALOG_NAMESPACE_OID}, ${INFORMATION_SCHEMA_NAMESPACE_OID})`;
  isView(
    'table_privileges',
    `SELECT ${e('_lg_user')}() AS grantor, p.grantee, ${LAKE} AS table_catalog, x.table_schema, x.table_name, p.privilege_type, p.is_grantable,
       CASE WHEN p.privilege_type = 'SELECT' THEN 'YES' ELSE 'NO' END AS with_hierarchy
     FROM (SELECT n.nspname AS table_schema, c.relname AS table_name, unnest(${privileges(['INSERT', 'SELECT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], systemRelation)}) AS p
           FROM ${e('pg_class')} c JOIN ${e('pg_namespace')} n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'f', 'p')) x`,
  );
  isView(
    'column_privileges',
    `SELECT ${e('_lg_user')}() AS grantor, p.grantee, ${LAKE} AS table_catalog, x.table_schema, x.table_name, x.column_name, p.privilege_type, p.is_grantable
     FROM (SELECT n.nspname AS table_schema, c.relname AS table_name, a.attname AS column_name, unnest(${privileges(['INSERT', 'SELECT', 'UPDATE', 'REFERENCES'], systemRelation)}) AS p
           FROM ${e('pg_class')} c JOIN ${e('pg_namespace')} n ON n.oid = c.relnamespace JOIN ${e('pg_attribute')} a ON a.attrelid = c.oid
           WHERE c.relkind IN ('r', 'v', 'f', 'p') AND a.attnum > 0 AND NOT a.attisdropped) x`,
  );
  isView('triggers', null);
  isView(
    'domains',
    `SELECT ${LAKE} AS domain_catalog, nt.nspname AS domain_schema, t.typname AS domain_name, ${dataType('bt', 'nbt', 't.typbasetype')} AS data_type,
       ${e('_pg_char_max_length')}(t.typbasetype, t.typtypmod) AS character_maximum_length, ${e('_pg_char_octet_length')}(t.typbasetype, t.typtypmod) AS character_octet_length,
       CASE WHEN co.collname IS NOT NULL THEN ${LAKE} END AS collation_catalog, nco.nspname AS collation_schema, co.collname AS collation_name,
       ${e('_pg_numeric_precision')}(t.typbasetype, t.typtypmod) AS numeric_precision, ${e('_pg_numeric_precision_radix')}(t.typbasetype, t.typtypmod) AS numeric_precision_radix,
       ${e('_pg_numeric_scale')}(t.typbasetype, t.typtypmod) AS numeric_scale, ${e('_pg_datetime_precision')}(t.typbasetype, t.typtypmod) AS datetime_precision,
       ${e('_pg_interval_type')}(t.typbasetype, t.typtypmod) AS interval_type, t.typdefault AS domain_default,
       ${LAKE} AS udt_catalog, nbt.nspname AS udt_schema, bt.typname AS udt_name, '1' AS dtd_identifier
     FROM ${S('pg_type')} t JOIN ${SN} nt ON t.typnamespace = nt.oid JOIN ${S('pg_type')} bt ON t.typbasetype = bt.oid AND t.typtype = 'd'
       JOIN ${SN} nbt ON bt.typnamespace = nbt.oid
       LEFT JOIN ${S('pg_collation')} co ON t.typcollation = co.oid AND co.collname <> 'default' LEFT JOIN ${SN} nco ON co.collnamespace = nco.oid`,
  );
  isView(
    'element_types',
    `SELECT ${LAKE} AS object_catalog, n.nspname AS object_schema, x.objname AS object_name, x.objtype AS object_type, CAST(x.objdtdid AS VARCHAR) AS collection_type_identifier,
       CASE WHEN nbt.nspname = 'pg_catalog' THEN ${e('format_type')}(bt.oid, NULL) ELSE 'USER-DEFINED' END AS data_type,
       CASE WHEN co.collname IS NOT NULL THEN ${LAKE} END AS collation_catalog, nco.nspname AS collation_schema, co.collname AS collation_name,
       ${LAKE} AS udt_catalog, nbt.nspname AS udt_schema, bt.typname AS udt_name, 'a' || CAST(x.objdtdid AS VARCHAR) AS dtd_identifier
     FROM (SELECT c.relnamespace AS objschema, c.relname AS objname, 'TABLE' AS objtype, a.attnum AS objdtdid, a.atttypid AS objtypeid, a.attcollation AS objcollation
           FROM ${e('pg_class')} c JOIN ${e('pg_attribute')} a ON c.oid = a.attrelid WHERE c.relkind IN ('r', 'v', 'f', 'c', 'p') AND a.attnum > 0 AND NOT a.attisdropped
           UNION ALL
           SELECT p.pronamespace, p.proname || '_' || CAST(p.oid AS VARCHAR), 'ROUTINE', 0, p.prorettype, 0 FROM ${S('pg_proc')} p
           UNION ALL
           SELECT p.pronamespace, p.proname || '_' || CAST(p.oid AS VARCHAR), 'ROUTINE', unnest(range(1, len(coalesce(p.proallargtypes, p.proargtypes)) + 1)), unnest(coalesce(p.proallargtypes, p.proargtypes)), 0 FROM ${S('pg_proc')} p) x
       JOIN ${e('pg_namespace')} n ON n.oid = x.objschema JOIN ${S('pg_type')} aty ON aty.oid = x.objtypeid AND aty.typelem <> 0 AND aty.typlen = -1
       JOIN ${S('pg_type')} bt ON aty.typelem = bt.oid JOIN ${SN} nbt ON nbt.oid = bt.typnamespace
       LEFT JOIN ${S('pg_collation')} co ON x.objcollation = co.oid AND co.collname <> 'default' LEFT JOIN ${SN} nco ON co.collnamespace = nco.oid`,
  );
  isView('attributes', null);

  // ---------------------------------------------------------------- discovery (lakegres.tables; sizes are data plus delete files)
  plainView(
    LAKE_TABLES_VIEW,
    `SELECT n.nspname AS table_schema, r.relname AS table_name, r.description, CAST(s.row_count AS BIGINT) AS row_count,
       CAST(coalesce(s.data_bytes, 0) + coalesce(s.delete_bytes, 0) AS BIGINT) AS size_bytes, ${e('pg_size_pretty')}(coalesce(s.data_bytes, 0) + coalesce(s.delete_bytes, 0)) AS size,
       CAST(s.data_file_count AS BIGINT) AS file_count, CAST(s.delete_file_count AS BIGINT) AS delete_file_count, CAST(s.inlined_rows AS BIGINT) AS inlined_rows,
       CAST(s.last_snapshot AS BIGINT) AS last_snapshot_id, s.last_change AS last_changed_at, CAST(r.relnatts AS INTEGER) AS column_count, r.oid AS table_oid
     FROM ${M(META_RELATIONS)} r JOIN ${M(META_NAMESPACES)} n ON n.oid = r.relnamespace LEFT JOIN ${M(META_STATS)} s ON s.oid = r.oid
     WHERE r.relkind = 'r'`,
  );
  // ---------------------------------------------------------------- macros that read the views above
  macro(
    'to_regnamespace',
    `(x) AS (SELECT CAST(_lg_n.oid AS UINTEGER) FROM ${e('pg_namespace')} _lg_n WHERE _lg_n.nspname = ${e('_lg_ident')}(x) LIMIT 1)`,
  );
  macro(
    'to_regclass',
    `(x) AS (SELECT _lg_c.oid FROM ${e('pg_class')} _lg_c JOIN ${e('pg_namespace')} _lg_n ON _lg_n.oid = _lg_c.relnamespace
      WHERE _lg_c.relname = ${e('_lg_ident')}(${e('_lg_qualified')}(x).n)
        AND (CASE WHEN ${e('_lg_qualified')}(x).s = '' THEN list_position(${e('_lg_lookup_path')}(), _lg_n.nspname) IS NOT NULL ELSE _lg_n.nspname = ${e('_lg_ident')}(${e('_lg_qualified')}(x).s) END)
      ORDER BY list_position(${e('_lg_lookup_path')}(), _lg_n.nspname) NULLS LAST LIMIT 1)`,
  );
  macro(
    'to_regproc',
    `(x) AS (SELECT CASE WHEN count(*) = 1 THEN CAST(min(_lg_p.oid) AS UINTEGER) END FROM ${S('pg_proc')} _lg_p JOIN ${SN} _lg_n ON _lg_n.oid = _lg_p.pronamespace
      WHERE _lg_p.proname = ${e('_lg_ident')}(${e('_lg_qualified')}(x).n)
        AND (CASE WHEN ${e('_lg_qualified')}(x).s = '' THEN list_position(${e('_lg_lookup_path')}(), _lg_n.nspname) IS NOT NULL ELSE _lg_n.nspname = ${e('_lg_ident')}(${e('_lg_qualified')}(x).s) END))`,
  );
  // Type names as PostgreSQL's grammar knows them (SQL spellings, typmods and [] allowed).
  macro(
    '_lg_type_base',
    `(x) AS CASE regexp_replace(regexp_replace(lower(trim(x)), '\\s*\\([^)]*\\)', '', 'g'), '\\s+', ' ', 'g')
      WHEN 'integer' THEN 'int4' WHEN 'int' THEN 'int4' WHEN 'smallint' THEN 'int2' WHEN 'bigint' THEN 'int8'
      WHEN 'real' THEN 'float4' WHEN 'double precision' THEN 'float8' WHEN 'float' THEN 'float8' WHEN 'boolean' THEN 'bool'
      WHEN 'character varying' THEN 'varchar' WHEN 'char varying' THEN 'varchar' WHEN 'character' THEN 'bpchar' WHEN 'char' THEN 'bpchar'
      WHEN 'decimal' THEN 'numeric' WHEN 'dec' THEN 'numeric' WHEN 'bit varying' THEN 'varbit'
      WHEN 'timestamp' THEN 'timestamp' WHEN 'timestamp without time zone' THEN 'timestamp' WHEN 'timestamp with time zone' THEN 'timestamptz'
      WHEN 'time' THEN 'time' WHEN 'time without time zone' THEN 'time' WHEN 'time with time zone' THEN 'timetz'
      WHEN '"char"' THEN 'char'
      ELSE ${e('_lg_ident')}(regexp_replace(trim(x), '\\s*\\([^)]*\\)', '', 'g')) END`,
  );
  macro(
    'to_regtype',
    `(x) AS (SELECT CASE WHEN ends_with(trim(x), '[]') THEN nullif(_lg_t.typarray, 0) ELSE _lg_t.oid END FROM ${S('pg_type')} _lg_t JOIN ${SN} _lg_n ON _lg_n.oid = _lg_t.typnamespace
      WHERE _lg_t.typname = ${e('_lg_type_base')}(${e('_lg_qualified')}(regexp_replace(trim(x), '(\\[\\d*\\])+$', '')).n)
        AND (CASE WHEN ${e('_lg_qualified')}(regexp_replace(trim(x), '(\\[\\d*\\])+$', '')).s = '' THEN list_position(${e('_lg_lookup_path')}(), _lg_n.nspname) IS NOT NULL ELSE _lg_n.nspname = ${e('_lg_ident')}(${e('_lg_qualified')}(regexp_replace(trim(x), '(\\[\\d*\\])+$', '')).s) END)
      ORDER BY list_position(${e('_lg_lookup_path')}(), _lg_n.nspname) NULLS LAST LIMIT 1)`,
  );
  macro('pg_table_is_visible', `(o) AS (o IN (SELECT _lg_v.oid FROM ${e('_lg_visible_relations')} _lg_v))`);
  macro('pg_type_is_visible', `(o) AS (SELECT list_position(${e('_lg_lookup_path')}(), _lg_n.nspname) IS NOT NULL FROM ${S('pg_type')} _lg_t JOIN ${SN} _lg_n ON _lg_n.oid = _lg_t.typnamespace WHERE _lg_t.oid = o)`);
  macro('pg_function_is_visible', `(o) AS (SELECT list_position(${e('_lg_lookup_path')}(), _lg_n.nspname) IS NOT NULL FROM ${S('pg_proc')} _lg_p JOIN ${SN} _lg_n ON _lg_n.oid = _lg_p.pronamespace WHERE _lg_p.oid = o)`);

  macro('pg_get_viewdef', `(o) AS (SELECT _lg_v.definition FROM ${e('_lg_view_definitions')} _lg_v WHERE _lg_v.oid = o)`, `(o, pretty) AS (SELECT _lg_v.definition FROM ${e('_lg_view_definitions')} _lg_v WHERE _lg_v.oid = o)`);
  macro(
    'obj_description',
    `(o) AS (SELECT min(_lg_d.description) FROM ${e('pg_description')} _lg_d WHERE _lg_d.objoid = o AND _lg_d.objsubid = 0)`,
    `(o, catalog) AS (SELECT min(_lg_d.description) FROM ${e('pg_description')} _lg_d WHERE _lg_d.objoid = o AND _lg_d.objsubid = 0 AND _lg_d.classoid = (SELECT _lg_c.oid FROM ${S('pg_class')} _lg_c WHERE _lg_c.relname = regexp_replace(lower(catalog), '^pg_catalog\\.', '')))`,
  );
  macro('col_description', `(o, n) AS (SELECT min(_lg_d.description) FROM ${e('pg_description')} _lg_d WHERE _lg_d.objoid = o AND _lg_d.classoid = 1259 AND _lg_d.objsubid = n)`);
  macro(
    'shobj_description',
    `(o, catalog) AS (SELECT min(_lg_d.description) FROM ${e('pg_shdescription')} _lg_d WHERE _lg_d.objoid = o AND _lg_d.classoid = (SELECT _lg_c.oid FROM ${S('pg_class')} _lg_c WHERE _lg_c.relname = regexp_replace(lower(catalog), '^pg_catalog\\.', '')))`,
  );
  macro('_lg_relation_size', `(o) AS (SELECT CAST(coalesce(_lg_s.data_bytes, 0) + coalesce(_lg_s.delete_bytes, 0) AS BIGINT) FROM ${e('pg_class')} _lg_c LEFT JOIN ${M(META_STATS)} _lg_s ON _lg_s.oid = _lg_c.oid WHERE _lg_c.oid = o)`);
  macro('pg_relation_size', `(o) AS ${e('_lg_relation_size')}(o)`, `(o, fork) AS CASE WHEN fork = 'main' THEN ${e('_lg_relation_size')}(o) ELSE (SELECT CAST(0 AS BIGINT) FROM ${e('pg_class')} _lg_c WHERE _lg_c.oid = o) END`);
  macro('pg_table_size', `(o) AS ${e('_lg_relation_size')}(o)`);
  macro('pg_total_relation_size', `(o) AS ${e('_lg_relation_size')}(o)`);
  macro('pg_indexes_size', `(o) AS (SELECT CAST(0 AS BIGINT) FROM ${e('pg_class')} _lg_c WHERE _lg_c.oid = o)`);
  macro('pg_relation_is_publishable', `(o) AS coalesce((SELECT _lg_c.relkind = 'r' AND _lg_c.relpersistence = 'p' AND _lg_c.oid >= 16384 FROM ${e('pg_class')} _lg_c WHERE _lg_c.oid = o), false)`);
  // Lake tables take INSERT/UPDATE/DELETE (28 = 4 + 8 + 16); views and catalogs do not.
  macro('pg_relation_is_updatable', `(o, trig) AS coalesce((SELECT CASE WHEN _lg_c.relkind = 'r' THEN 28 ELSE 0 END FROM ${e('pg_class')} _lg_c WHERE _lg_c.oid = o), 0)`);
  macro('pg_column_is_updatable', `(o, n, trig) AS coalesce((SELECT _lg_c.relkind = 'r' FROM ${e('pg_class')} _lg_c WHERE _lg_c.oid = o), false)`);

  return out;
}

/**
 * `SELECT CAST(col AS type) ... FROM (<NULL row of the relation's columns> UNION ALL BY NAME <body>)`,
 * optionally ordered the way PostgreSQL's heap returns catalog rows (clients that list columns
 * without ORDER BY expect attnum order).
 */
function relationView(qualifiedName: string, key: string, body: string | null, order?: string): string {
  const cols = RELATION_COLUMNS[key];
  if (!cols) throw new Error(`no PostgreSQL columns for ${key}`);
  const typed = cols.map(([n, t]) => [quoteIdent(n), duckTypeOfPg(t)] as const);
  const template = `SELECT ${typed.map(([n, t]) => `CAST(NULL AS ${t}) AS ${n}`).join(', ')} WHERE false`;
  const src = body ? `${template} UNION ALL BY NAME SELECT * FROM (${body})` : template;
  return `CREATE OR REPLACE VIEW ${qualifiedName} AS SELECT ${typed.map(([n, t]) => `CAST(${n} AS ${t}) AS ${n}`).join(', ')} FROM (${src}) AS _lg${order ? ` ORDER BY ${order}` : ''}`;
}
