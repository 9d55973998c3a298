/**
 * SQL that PostgreSQL clients send on their own (catalog introspection, version and settings
 * checks), written after what each tool sends. client-sql.test.ts runs every statement against
 * lakegres and the reference PostgreSQL after CLIENT_SQL_SETUP and compares the answers.
 */
export const CLIENT_SQL_SETUP = [
  "SET TimeZone TO 'UTC'",
  "CREATE TABLE items (id int NOT NULL, name text DEFAULT 'x', price float8, tags text[], added timestamptz)",
  "COMMENT ON TABLE items IS 'Things we sell'",
  "COMMENT ON COLUMN items.price IS 'Unit price'",
  'CREATE SCHEMA sales',
  'CREATE TABLE sales.orders (id bigint, item_id int, qty int DEFAULT 1, placed date)',
  'CREATE VIEW sales.big_orders AS SELECT id, qty FROM sales.orders WHERE qty > 10',
];

export interface ClientSql {
  client: string;
  sql: string;
  params?: unknown[];
  /** Why the rows cannot be the reference's (only column names are compared then). */
  differs?: string;
  /** Columns holding OIDs (user objects' OIDs are masked); default: names containing oid or relid, id and names ending in _id. */
  oidColumns?: RegExp;
  /** Columns whose values differ by nature (each a documented difference), not compared. */
  mask?: string[];
}

export const CLIENT_SQL: ClientSql[] = [
  { client: 'SQLAlchemy', sql: 'select pg_catalog.version()', differs: "version() names lakegres after PostgreSQL's version number" },
  { client: 'SQLAlchemy', sql: 'select current_schema()' },
  { client: 'SQLAlchemy', sql: 'show standard_conforming_strings' },
  {
    client: 'SQLAlchemy has_table',
    sql: "SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace WHERE pg_catalog.pg_class.relname = $1 AND pg_catalog.pg_class.relkind = ANY (ARRAY[$2, $3, $4, $5, $6]) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != $7",
    params: ['items', 'r', 'p', 'f', 'v', 'm', 'pg_catalog'],
  },
  {
    client: 'SQLAlchemy get_columns',
    sql: "SELECT pg_catalog.pg_attribute.attname AS name, pg_catalog.format_type(pg_catalog.pg_attribute.atttypid, pg_catalog.pg_attribute.atttypmod) AS format_type, (SELECT pg_catalog.pg_get_expr(pg_catalog.pg_attrdef.adbin, pg_catalog.pg_attrdef.adrelid) AS pg_get_expr_1 FROM pg_catalog.pg_attrdef WHERE pg_catalog.pg_attrdef.adrelid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attrdef.adnum = pg_catalog.pg_attribute.attnum AND pg_catalog.pg_attribute.atthasdef) AS \"default\", pg_catalog.pg_attribute.attnotnull AS not_null, pg_catalog.pg_class.relname AS table_name, pg_catalog.pg_description.description AS comment, pg_catalog.pg_attribute.attgenerated AS generated, (SELECT json_build_object('always', pg_catalog.pg_attribute.attidentity = 'a', 'start', pg_catalog.pg_sequence.seqstart, 'increment', pg_catalog.pg_sequence.seqincrement, 'minvalue', pg_catalog.pg_sequence.seqmin, 'maxvalue', pg_catalog.pg_sequence.seqmax, 'cache', pg_catalog.pg_sequence.seqcache, 'cycle', pg_catalog.pg_sequence.seqcycle) AS json_build_object_1 FROM pg_catalog.pg_sequence WHERE pg_catalog.pg_attribute.attidentity != '' AND pg_catalog.pg_sequence.seqrelid = CAST(CAST(pg_catalog.pg_get_serial_sequence(CAST(CAST(pg_catalog.pg_attribute.attrelid AS REGCLASS) AS TEXT), pg_catalog.pg_attribute.attname) AS REGCLASS) AS OID)) AS identity_options FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_class.oid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attribute.attnum > 0 AND NOT pg_catalog.pg_attribute.attisdropped LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_description.objsubid = pg_catalog.pg_attribute.attnum JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p', 'f', 'v', 'm']) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog' AND pg_catalog.pg_class.relname IN ('items') ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_attribute.attnum",
  },
  {
    client: 'pgjdbc TypeInfoCache',
    sql: "SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid FROM pg_catalog.pg_type LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r from pg_namespace as ns join ( select s.r, (current_schemas(false))[s.r] as nspname from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r using ( nspname ) ) as sp ON sp.nspoid = typnamespace WHERE pg_type.oid = $1 ORDER BY sp.r, pg_type.oid DESC",
    params: [1186],
  },
  { client: 'pgjdbc', sql: 'SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = $1', params: [114] },
  {
    client: 'Grafana tables',
    sql: "SELECT quote_ident(table_name) AS table_name FROM information_schema.tables WHERE table_schema IN (SELECT CASE WHEN trim(s[i]) = '\"$user\"' THEN user ELSE trim(s[i]) END FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), array_upper(string_to_array(current_setting('search_path'),','),1)) as i, string_to_array(current_setting('search_path'),',') s) ORDER BY table_name",
  },
  { client: 'Grafana', sql: "SELECT current_setting('server_version_num')::int/100 as version" },
  { client: 'dbt', sql: "select distinct schema_name from information_schema.schemata where catalog_name = current_database() and schema_name = 'public'" },
  {
    client: 'dbt list relations',
    sql: "select current_database() as database, tablename as name, schemaname as schema, 'table' as type from pg_tables where schemaname ilike 'public' union all select current_database() as database, viewname as name, schemaname as schema, 'view' as type from pg_views where schemaname ilike 'public' order by name",
  },
  { client: 'dbt columns', sql: "select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale from INFORMATION_SCHEMA.columns where table_name = 'items' and table_schema = 'public' order by ordinal_position" },
  { client: 'DBeaver', sql: "SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n left outer join pg_catalog.pg_description d on d.objoid=n.oid and d.objsubid=0 and d.classoid='pg_namespace'::regclass WHERE n.nspname = 'public' ORDER BY nspname" },
  { client: 'DBeaver', sql: 'SELECT current_schema(),session_user' },
  { client: 'DBeaver', sql: "select * from pg_catalog.pg_settings where name='standard_conforming_strings'" },
  {
    client: 'DataGrip',
    sql: 'select N.oid::bigint as id, datname as name, D.description, datistemplate as is_template, datallowconn as allow_connections, pg_catalog.pg_get_userbyid(N.datdba) as "owner" from pg_catalog.pg_database N left join pg_catalog.pg_shdescription D on N.oid = D.objoid where datname = current_database() order by case when datname = pg_catalog.current_database() then -1::bigint else N.oid::bigint end',
    // The lake is database OID 5 (PostgreSQL's first database); the reference's test database is new.
    mask: ['id'],
  },
  { client: 'DataGrip', sql: 'select case when pg_catalog.pg_is_in_recovery() then null else pg_catalog.txid_current()::varchar::bigint end > 0 as current_txid' },
  { client: 'psql \\dt', sql: "SELECT n.nspname as \"Schema\", c.relname as \"Name\", CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as \"Type\" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam WHERE c.relkind IN ('r','p','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relname = 'items' ORDER BY 1,2" },
  { client: 'psql \\d', sql: "SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(items)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3" },
  { client: 'psql \\d', sql: "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef), a.attnotnull, (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation, a.attidentity, a.attgenerated FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'items'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum" },
  { client: 'psql \\d', sql: "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', '), c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid) WHERE c.oid = 'items'::regclass" },
  { client: 'psql \\l', sql: "SELECT d.datname as \"Name\", pg_catalog.pg_get_userbyid(d.datdba) as \"Owner\", pg_catalog.pg_encoding_to_char(d.encoding) as \"Encoding\" FROM pg_catalog.pg_database d WHERE d.datname = current_database() ORDER BY 1" },
  { client: 'node-postgres/psql', sql: "SELECT t.oid, t.typname, t.typarray FROM pg_catalog.pg_type t WHERE t.typname IN ('int4', 'text', 'json') ORDER BY 1" },
  { client: 'Metabase', sql: "SELECT nspname AS schema FROM pg_namespace WHERE nspname NOT IN ('information_schema', 'pg_catalog') AND nspname NOT LIKE 'pg\\_%' AND has_schema_privilege(current_user, nspname, 'USAGE') ORDER BY 1" },
  { client: 'pgAdmin', sql: "SELECT has_table_privilege('items', 'SELECT') AS can_select, pg_catalog.obj_description('items'::regclass, 'pg_class') AS comment" },
  // ---------------------------------------------------------------- DBeaver (navigator and editors)
  {
    client: 'DBeaver tables',
    sql: "select c.oid, c.*, t.relname as tabrelname, rn.nspname as tabrelnamespace, d.description from pg_catalog.pg_class c left outer join pg_catalog.pg_class t on t.oid = c.reltoastrelid left outer join pg_catalog.pg_namespace rn on rn.oid = t.relnamespace left outer join pg_catalog.pg_description d on d.objoid = c.oid and d.objsubid = 0 and d.classoid = 'pg_class'::regclass where c.relnamespace = (select oid from pg_catalog.pg_namespace where nspname = 'public') and c.relkind not in ('i', 'I', 'c') order by c.relname",
    // Storage bookkeeping PostgreSQL keeps per heap (and its TOAST table and row type) that a lake table has not.
    mask: ['relfilenode', 'relpages', 'reltuples', 'relallvisible', 'reltoastrelid', 'reltype', 'relfrozenxid', 'relminmxid', 'tabrelname', 'tabrelnamespace'],
  },
  {
    client: 'DBeaver columns',
    sql: "select c.relname, a.*, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value, dsc.description, dep.objid from pg_catalog.pg_attribute a inner join pg_catalog.pg_class c on (a.attrelid = c.oid) left outer join pg_catalog.pg_attrdef ad on (a.attrelid = ad.adrelid and a.attnum = ad.adnum) left outer join pg_catalog.pg_description dsc on (c.oid = dsc.objoid and a.attnum = dsc.objsubid) left outer join pg_depend dep on dep.refobjid = a.attrelid and dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid where not a.attisdropped and c.relkind not in ('i', 'I', 'c') and c.oid = 'items'::regclass order by a.attnum",
    // System columns (attnum < 0: ctid, xmin, ...) belong to PostgreSQL's heap; a lake table has none.
    differs: 'PostgreSQL lists the heap system columns (attnum < 0) too; the user columns are compared by the next fixture',
  },
  {
    client: 'DBeaver columns (user columns)',
    sql: "select c.relname, a.*, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value, dsc.description from pg_catalog.pg_attribute a inner join pg_catalog.pg_class c on (a.attrelid = c.oid) left outer join pg_catalog.pg_attrdef ad on (a.attrelid = ad.adrelid and a.attnum = ad.adnum) left outer join pg_catalog.pg_description dsc on (c.oid = dsc.objoid and a.attnum = dsc.objsubid) where not a.attisdropped and a.attnum > 0 and c.oid = 'items'::regclass order by a.attnum",
  },
  {
    client: 'DBeaver constraints',
    sql: "select c.oid, c.*, t.relname as tabrelname, case when c.contype = 'c' then substr(pg_catalog.pg_get_constraintdef(c.oid), 7) else null end as consrc_copy from pg_catalog.pg_constraint c inner join pg_catalog.pg_class t on t.oid = c.conrelid where t.relnamespace = 2200 and c.contype <> 'f' and t.relkind not in ('i', 'I') order by c.oid",
  },
  {
    client: 'DBeaver indexes',
    sql: "select i.*, c.relnatts, c.relname as index_name, pg_catalog.pg_get_indexdef(i.indexrelid) as def from pg_catalog.pg_index i inner join pg_catalog.pg_class c on c.oid = i.indexrelid where i.indrelid = 'items'::regclass order by c.relname",
  },
  {
    client: 'DBeaver database',
    sql: 'select db.oid, db.* from pg_catalog.pg_database db where datname = current_database()',
    // The lake is database 5; frozen/minimum xids are PostgreSQL's transaction bookkeeping.
    mask: ['oid', 'datfrozenxid', 'datminmxid', 'datlastsysoid', 'datacl'],
  },
  { client: 'DBeaver role', sql: 'select a.oid, a.rolname, a.rolsuper, a.rolinherit, a.rolcreaterole, a.rolcreatedb, a.rolcanlogin, a.rolreplication, a.rolconnlimit, a.rolvaliduntil, a.rolbypassrls from pg_catalog.pg_roles a where a.rolname = current_user' },
  { client: 'DBeaver', sql: 'select string_agg(word, \',\') from pg_catalog.pg_get_keywords() where word <> all(\'{a,abs,absolute,action,ada,add,admin,after,all,allocate,alter,always,and,any,are,array,as,asc,asensitive,assertion,assignment,asymmetric,at,atomic,attribute,attributes,authorization,avg,before,begin,bernoulli,between,bigint,binary,blob,boolean,both,breadth,by,c,call,called,cardinality,cascade,cascaded,case,cast,catalog,ceil,ceiling,chain,char,char_length,character,character_length}\'::text[]) and catcode = \'R\'' },
  // ---------------------------------------------------------------- DataGrip (introspector)
  {
    client: 'DataGrip schemas',
    sql: 'select N.oid::bigint as id, N.xmin as state_number, nspname as name, D.description, pg_catalog.pg_get_userbyid(N.nspowner) as "owner" from pg_catalog.pg_namespace N left join pg_catalog.pg_description D on N.oid = D.objoid where nspname in (\'public\', \'sales\') order by case when nspname = pg_catalog.current_schema() then -1::bigint else N.oid::bigint end',
    // xmin is PostgreSQL's row version (lakegres: the constant 1).
    mask: ['state_number'],
  },
  {
    client: 'DataGrip tables',
    sql: "select T.relkind as table_kind, T.relname as table_name, T.oid as table_id, T.relpersistence as persistence, pg_catalog.pg_get_userbyid(T.relowner) as \"owner\", T.relispartition as is_partition, D.description from pg_catalog.pg_class T left join pg_catalog.pg_description D on T.oid = D.objoid and D.objsubid = 0 where T.relnamespace = 2200::oid and T.relkind in ('r', 'm', 'v', 'f', 'p') order by table_kind, table_id",
  },
  {
    client: 'DataGrip columns',
    sql: "with T as (select distinct T.oid as table_id, T.relname as table_name from pg_catalog.pg_class T where T.relnamespace = 2200::oid and T.relkind in ('r', 'm', 'v', 'f', 'p')) select T.table_id, C.attnum as column_position, C.attname as column_name, C.attnotnull as mandatory, C.atthasdef as has_default, pg_catalog.format_type(C.atttypid, C.atttypmod) as type_spec, C.attidentity as identity_kind, C.attgenerated as generated, pg_catalog.pg_get_expr(AD.adbin, AD.adrelid) as default_expression from T join pg_catalog.pg_attribute C on T.table_id = C.attrelid left join pg_catalog.pg_attrdef AD on (C.attrelid, C.attnum) = (AD.adrelid, AD.adnum) where attnum > 0 order by table_id, attnum",
  },
  { client: 'DataGrip', sql: 'select pg_catalog.current_database() as current_database, pg_catalog.current_schema() as current_schema, current_user' },
  { client: 'DataGrip locks', sql: 'select L.transactionid::varchar::bigint as transaction_id from pg_catalog.pg_locks L where L.transactionid is not null order by pg_catalog.age(L.transactionid) desc limit 1' },
  // ---------------------------------------------------------------- Metabase (sync)
  {
    client: 'Metabase describe-database',
    sql: "SELECT n.nspname AS schema, c.relname AS name, CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS type, d.description AS description, stat.n_live_tup AS estimated_row_count FROM pg_catalog.pg_class c INNER JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid LEFT JOIN pg_catalog.pg_description d ON c.oid = d.objoid AND d.objsubid = 0 AND d.classoid = 'pg_class'::regclass LEFT JOIN pg_stat_user_tables stat ON n.nspname = stat.schemaname AND c.relname = stat.relname WHERE c.relnamespace = n.oid AND n.nspname !~ '^information_schema|catalog_history|pg_' AND c.relkind IN ('r', 'p', 'v', 'f', 'm') AND (has_table_privilege(c.oid, 'SELECT') OR has_any_column_privilege(c.oid, 'SELECT')) ORDER BY type, schema, name",
  },
  { client: 'Metabase', sql: "SELECT current_setting('TIMEZONE') AS tz, current_setting('DateStyle') AS ds" },
  { client: 'Metabase', sql: "SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public' AND pg_catalog.has_table_privilege(current_user, c.oid, 'SELECT') ORDER BY 2" },
  // ---------------------------------------------------------------- Grafana (query editor)
  {
    client: 'Grafana schemas',
    sql: "SELECT DISTINCT quote_ident(table_schema) AS table_schema FROM information_schema.tables WHERE quote_ident(table_schema) NOT IN ('information_schema', 'monitoring', 'pg_catalog', 'pg_toast', '_timescaledb_internal') AND table_type = 'BASE TABLE' ORDER BY 1",
  },
  { client: 'Grafana columns', sql: "SELECT quote_ident(column_name) AS column, data_type AS type FROM information_schema.columns WHERE quote_ident(table_name) = 'items' AND table_schema = 'public' ORDER BY ordinal_position" },
  { client: 'Grafana', sql: "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'timescaledb'" },
  // ---------------------------------------------------------------- Superset (beyond SQLAlchemy's reflection, which sqlalchemy_cases.py runs for real)
  { client: 'Superset schemas', sql: "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' ORDER BY nspname" },
  { client: 'Superset view names', sql: "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sales' AND c.relkind IN ('v', 'm')" },
  { client: 'Superset', sql: 'SELECT * FROM items LIMIT 100' },
  // ---------------------------------------------------------------- asyncpg (type introspection)
  {
    client: 'asyncpg type by name',
    sql: 'SELECT t.oid, t.typelem AS elemtype, t.typtype AS kind FROM pg_catalog.pg_type AS t INNER JOIN pg_catalog.pg_namespace AS ns ON (ns.oid = t.typnamespace) WHERE t.typname = $1 AND ns.nspname = $2',
    params: ['json', 'pg_catalog'],
  },
  {
    client: 'asyncpg introspection',
    sql: "WITH RECURSIVE tree(oid, ns, name, kind, elemtype, elemdelim, range_subtype, depth) AS (SELECT t.oid, ns.nspname, t.typname, t.typtype, t.typelem, e.typdelim, r.rngsubtype, 0 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace ns ON ns.oid = t.typnamespace LEFT JOIN pg_catalog.pg_type e ON t.typlen = -1 AND t.typelem <> 0 AND t.typelem = e.oid LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid WHERE t.oid = any($1::oid[]) UNION ALL SELECT t.oid, ns.nspname, t.typname, t.typtype, t.typelem, e.typdelim, r.rngsubtype, tree.depth + 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace ns ON ns.oid = t.typnamespace LEFT JOIN pg_catalog.pg_type e ON t.typlen = -1 AND t.typelem <> 0 AND t.typelem = e.oid LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid JOIN tree ON t.oid = tree.elemtype OR t.oid = tree.range_subtype) SELECT DISTINCT *, (SELECT format_type(tree.elemtype, NULL)) AS elemtype_name FROM tree ORDER BY depth DESC, oid",
    params: ['{1007,3904,114}'],
  },
  // ---------------------------------------------------------------- dbt-postgres
  { client: 'dbt schema exists', sql: "select count(*) from pg_namespace where nspname = 'sales'" },
  {
    client: 'dbt catalog',
    sql: "select tbl.relname as table_name, sch.nspname as table_schema, case when tbl.relkind = 'v' then 'VIEW' else 'BASE TABLE' end as table_type, tbl_desc.description as table_comment, col.attname as column_name, col.attnum as column_index, pg_catalog.format_type(col.atttypid, col.atttypmod) as column_type, col_desc.description as column_comment, pg_get_userbyid(tbl.relowner) as table_owner from pg_catalog.pg_namespace sch join pg_catalog.pg_class tbl on tbl.relnamespace = sch.oid join pg_catalog.pg_attribute col on col.attrelid = tbl.oid left outer join pg_catalog.pg_description tbl_desc on (tbl_desc.objoid = tbl.oid and tbl_desc.objsubid = 0) left outer join pg_catalog.pg_description col_desc on (col_desc.objoid = tbl.oid and col_desc.objsubid = col.attnum) where (upper(sch.nspname) = upper('public') or upper(sch.nspname) = upper('sales')) and not pg_is_other_temp_schema(sch.oid) and tbl.relpersistence in ('p', 'u') and tbl.relkind in ('r', 'v', 'f', 'p') and col.attnum > 0 and not col.attisdropped order by sch.nspname, tbl.relname, col.attnum",
  },
  {
    client: 'dbt view dependencies',
    sql: "with relation as (select pg_rewrite.ev_class as class, pg_rewrite.oid as id from pg_rewrite), class as (select oid as id, relname as name, relnamespace as schema, relkind as kind from pg_class), dependency as (select distinct pg_depend.objid as id, pg_depend.refobjid as ref from pg_depend), schema as (select pg_namespace.oid as id, pg_namespace.nspname as name from pg_namespace where nspname != 'information_schema' and nspname not like 'pg\\_%'), referenced as (select relation.id as id, referenced_class.name, referenced_class.schema, referenced_class.kind from relation join class as referenced_class on relation.class = referenced_class.id where referenced_class.kind in ('r', 'v', 'm')) select distinct referenced_schema.name as referenced_schema, referenced.name as referenced_name, dependent_schema.name as dependent_schema, dependent.name as dependent_name from referenced join dependency on referenced.id = dependency.id join class as dependent on dependency.ref = dependent.id join schema as dependent_schema on dependent.schema = dependent_schema.id join schema as referenced_schema on referenced.schema = referenced_schema.id where referenced.name != dependent.name order by 1, 2, 3, 4",
    differs: 'lake views record no dependencies (pg_depend and pg_rewrite are empty): dbt sees none',
  },
  // ---------------------------------------------------------------- psql
  { client: 'psql \\dn+', sql: "SELECT n.nspname AS \"Name\", pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\", pg_catalog.array_to_string(n.nspacl, E'\\n') AS \"Access privileges\", pg_catalog.obj_description(n.oid, 'pg_namespace') AS \"Description\" FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1" },
  { client: 'psql \\d options', sql: "SELECT pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', ') AS opts FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) WHERE c.oid = 'items'::regclass" },
  // ---------------------------------------------------------------- Npgsql (.NET: Power BI, Tableau): type loading at connect
  {
    client: 'Npgsql types',
    sql: "SELECT ns.nspname, t.oid, t.typname, t.kind, t.typnotnull, t.elem_oid FROM (SELECT ty.oid, ty.typnamespace, ty.typname, ty.typnotnull, CASE WHEN rp.proname = 'array_recv' THEN 'a' ELSE ty.typtype END AS kind, CASE WHEN rp.proname = 'array_recv' THEN ty.typelem WHEN ty.typtype = 'r' THEN rg.rngsubtype WHEN ty.typtype = 'd' THEN ty.typbasetype END AS elem_oid, cl.relkind FROM pg_catalog.pg_type ty LEFT JOIN pg_catalog.pg_proc rp ON rp.oid = ty.typreceive LEFT JOIN pg_catalog.pg_range rg ON rg.rngtypid = ty.oid LEFT JOIN pg_catalog.pg_class cl ON cl.oid = ty.typrelid) AS t JOIN pg_catalog.pg_namespace ns ON ns.oid = t.typnamespace LEFT JOIN pg_catalog.pg_type el ON el.oid = t.elem_oid LEFT JOIN pg_catalog.pg_class elc ON elc.oid = el.typrelid WHERE t.kind IN ('b', 'r', 'm', 'e', 'd') OR (t.kind = 'c' AND t.relkind = 'c') OR (t.kind = 'p' AND t.typname IN ('record', 'void', 'unknown')) OR (t.kind = 'a' AND (el.typtype IN ('b', 'r', 'm', 'e', 'd') OR (el.typtype = 'c' AND elc.relkind = 'c'))) ORDER BY CASE WHEN t.kind IN ('b', 'e', 'p') THEN 0 WHEN t.kind = 'r' THEN 1 WHEN t.kind = 'm' THEN 2 WHEN t.kind = 'c' THEN 3 WHEN t.kind = 'd' THEN 4 ELSE 5 END, t.oid",
  },
  { client: 'Npgsql composite fields', sql: "SELECT ty.oid, a.attname, a.atttypid FROM pg_catalog.pg_type ty JOIN pg_catalog.pg_class cl ON cl.oid = ty.typrelid JOIN pg_catalog.pg_attribute a ON a.attrelid = ty.typrelid WHERE ty.typtype = 'c' AND cl.relkind = 'c' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY ty.oid, a.attnum" },
  { client: 'Npgsql enum labels', sql: 'SELECT ty.oid, e.enumlabel FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type ty ON ty.oid = e.enumtypid ORDER BY ty.oid, e.enumsortorder' },
  // ---------------------------------------------------------------- SQLMesh (postgres gateway: psycopg2, information_schema)
  {
    client: 'SQLMesh data objects',
    sql: "SELECT table_name AS name, table_schema AS schema_name, CASE WHEN table_type = 'BASE TABLE' THEN 'table' WHEN table_type = 'VIEW' THEN 'view' END AS type FROM information_schema.tables WHERE table_schema = 'sales' UNION ALL SELECT matviewname AS name, schemaname AS schema_name, 'materialized_view' AS type FROM pg_matviews WHERE schemaname = 'sales' ORDER BY name",
  },
  { client: 'SQLMesh columns', sql: "SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'sales' AND table_name = 'orders' ORDER BY ordinal_position" },
  { client: 'SQLMesh schema exists', sql: "SELECT 1 FROM information_schema.schemata WHERE schema_name = 'sales'" },
  { client: 'SQLMesh table exists', sql: "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'items'" },
  { client: 'SQLMesh comments', sql: "SELECT obj_description('public.items'::regclass, 'pg_class') AS table_comment, col_description('public.items'::regclass, 3) AS column_comment" },
];
