/**
 * The PostgreSQL catalog objects lakegres emulates. Each lake database that sessions read
 * (the live database, historical snapshot databases and transaction overlays) carries them in
 * the schema EMULATION_SCHEMA; the SQL rewriter (pgcompat/rewrite) points PostgreSQL names at
 * them: `pg_catalog.pg_class`, unqualified `pg_class`, `information_schema.columns`,
 * `pg_catalog.format_type(...)`, ...
 */

/** Schema of the emulation objects inside every lake database. */
export const EMULATION_SCHEMA = '__lakegres_pg';

/**
 * lakegres's own discovery relations, reachable as `lakegres.<name>` (a schema no lake shows:
 * the rewriter points it at the emulation schema unless the lake has a table of that name):
 * `lakegres.tables` lists the lake's tables with descriptions, row counts and sizes.
 */
export const DISCOVERY_SCHEMA = 'lakegres';
export const DISCOVERY_RELATIONS: Readonly<Record<string, string>> = { tables: 'lake_tables' };

/** Relations of pg_catalog that are emulated (PostgreSQL's columns and OIDs). */
export const PG_CATALOG_RELATIONS = new Set([
  'pg_namespace',
  'pg_class',
  'pg_attribute',
  'pg_type',
  'pg_attrdef',
  'pg_description',
  'pg_shdescription',
  'pg_database',
  'pg_roles',
  'pg_user',
  'pg_authid',
  'pg_auth_members',
  'pg_settings',
  'pg_proc',
  'pg_aggregate',
  'pg_index',
  'pg_constraint',
  'pg_am',
  'pg_collation',
  'pg_enum',
  'pg_range',
  'pg_inherits',
  'pg_tablespace',
  'pg_stat_activity',
  'pg_stat_user_tables',
  'pg_stat_all_tables',
  'pg_statio_user_tables',
  'pg_extension',
  'pg_views',
  'pg_tables',
  'pg_matviews',
  'pg_sequence',
  'pg_sequences',
  'pg_language',
  'pg_operator',
  'pg_opclass',
  'pg_depend',
  'pg_rewrite',
  'pg_trigger',
  'pg_event_trigger',
  'pg_policy',
  'pg_foreign_table',
  'pg_foreign_server',
  'pg_foreign_data_wrapper',
  'pg_partitioned_table',
  'pg_publication',
  'pg_publication_namespace',
  'pg_publication_rel',
  'pg_subscription',
  'pg_cast',
  'pg_conversion',
  'pg_locks',
  'pg_timezone_names',
  'pg_timezone_abbrevs',
  'pg_available_extensions',
  'pg_stat_database',
  'pg_statistic_ext',
]);

/** Views of information_schema that are emulated (PostgreSQL's names and type names). */
export const INFORMATION_SCHEMA_RELATIONS = new Set([
  'schemata',
  'tables',
  'columns',
  'views',
  'table_constraints',
  'key_column_usage',
  'referential_constraints',
  'constraint_column_usage',
  'check_constraints',
  'routines',
  'parameters',
  'sequences',
  'character_sets',
  'table_privileges',
  'column_privileges',
  'triggers',
  'domains',
  'element_types',
  'attributes',
]);

/**
 * pg_catalog functions provided as macros in EMULATION_SCHEMA (they read the emulated catalog).
 * Functions whose value depends only on the session (current_user, pg_backend_pid(), version(),
 * current_database(), ...) are substituted by the rewriter instead (see rewrite/session-values).
 */
export const PG_CATALOG_FUNCTIONS = new Set([
  'format_type',
  'pg_get_expr',
  'pg_get_viewdef',
  'pg_get_constraintdef',
  'pg_get_indexdef',
  'pg_get_triggerdef',
  'pg_get_ruledef',
  'pg_get_functiondef',
  'pg_get_function_sqlbody',
  'pg_get_function_arguments',
  'pg_get_function_result',
  'pg_get_function_identity_arguments',
  'pg_get_partkeydef',
  'pg_get_serial_sequence',
  'pg_get_keywords',
  'pg_get_userbyid',
  'obj_description',
  'col_description',
  'shobj_description',
  'pg_table_is_visible',
  'pg_type_is_visible',
  'pg_function_is_visible',
  'has_table_privilege',
  'has_schema_privilege',
  'has_database_privilege',
  'has_column_privilege',
  'has_any_column_privilege',
  'has_function_privilege',
  'has_sequence_privilege',
  'pg_has_role',
  'pg_encoding_to_char',
  'pg_char_to_encoding',
  'pg_total_relation_size',
  'pg_relation_size',
  'pg_table_size',
  'pg_indexes_size',
  'pg_size_pretty',
  'to_regclass',
  'to_regtype',
  'to_regproc',
  'to_regnamespace',
  'array_upper',
  'array_lower',
  '_pg_expandarray',
  'pg_tablespace_location',
  'pg_is_in_recovery',
  'pg_relation_is_publishable',
  'pg_get_statisticsobjdef_columns',
]);

/**
 * Name of an emulated relation inside EMULATION_SCHEMA: pg_catalog relations keep their names
 * (pg_class → pg_class); information_schema views get the prefix `is_` (information_schema.tables →
 * is_tables), so that they can never clash with a pg_catalog name, a macro or a DuckDB keyword.
 * The rewriter (pgcompat/rewrite/catalog-names) and the catalog builder both use this mapping.
 */
export function emulatedRelationName(schema: 'pg_catalog' | 'information_schema', name: string): string {
  return schema === 'information_schema' ? `is_${name}` : name;
}

