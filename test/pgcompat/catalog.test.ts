/**
 * The emulated PostgreSQL catalog (src/pgcompat/catalog) against the real PostgreSQL 16 of the
 * global setup: the same schemas, tables, views and comments are created in lakegres and in a
 * scratch database, and the catalog rows describing them are compared column by column
 * (OIDs, owners and the documented deliberate differences aside). The emulation is queried
 * fully qualified: "lake".__lakegres_pg.<name> (information_schema views as is_<name>).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.js';
import { scratchDatabase, type ScratchDatabase } from '../helpers/pg-catalog.js';
import { INFORMATION_SCHEMA_RELATIONS, PG_CATALOG_FUNCTIONS, PG_CATALOG_RELATIONS } from '../../src/pgcompat/registry.js';
import { RELATION_COLUMNS } from '../../src/pgcompat/catalog/pg16-data.js';
import { EXTRA_FUNCTIONS } from '../../src/pgcompat/catalog/index.js';
import { refreshActivity } from '../../src/pgcompat/session-vars.js';
import type { Session } from '../../src/session/session.js';

const LAKE = 'lake';
const E = `${LAKE}.__lakegres_pg`;

/** The same DDL for both systems (types whose PostgreSQL name lakegres reports unchanged). */
const DDL = [
  'CREATE SCHEMA sales',
  `CREATE TABLE sales.orders (id integer NOT NULL, customer text, amount numeric(12,2) DEFAULT 0, qty bigint DEFAULT 1, price double precision, flag boolean DEFAULT true,
     created timestamptz, day date, tags text[], small smallint, ratio real, ts timestamp, t time, raw bytea, uid uuid, doc json, span interval, nums integer[])`,
  `COMMENT ON TABLE sales.orders IS 'Customer orders'`,
  `COMMENT ON COLUMN sales.orders.amount IS 'Order total'`,
  `CREATE TABLE public.items (sku text NOT NULL, n integer DEFAULT -1, label text DEFAULT 'none', price numeric(8,3), big numeric(30,10))`,
  `CREATE VIEW sales.big_orders AS SELECT id, amount, customer FROM sales.orders WHERE amount > 100`,
  `COMMENT ON VIEW sales.big_orders IS 'Orders over 100'`,
];
const ROWS = [`INSERT INTO sales.orders (id, customer, amount) VALUES (1, 'a', 10.5), (2, 'b', 200), (3, 'c', 300)`, `INSERT INTO public.items (sku) VALUES ('x')`];

/** Statement text for either system: pg_catalog.X / information_schema.X → the emulation for lakegres. */
function forLakegres(sql: string): string {
  return sql.replace(/pg_catalog\.(\w+)/g, `${E}.$1`).replace(/information_schema\.(\w+)/g, `${E}.is_$1`);
}

type Rows = Record<string, unknown>[];
const norm = (rows: Rows, drop: string[] = []): string[] =>
  rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k)).map(([k, v]) => [k, v === null ? null : Array.isArray(v) ? v.map(String) : String(v)]))));

let server: TestServer;
let lg: pg.Client;
let other: pg.Client;
let scratch: ScratchDatabase;
let ref: pg.Client;

async function both(sql: string, params: unknown[] = []): Promise<{ pg: Rows; lake: Rows }> {
  const [a, b] = await Promise.all([ref.query(sql, params), lg.query(forLakegres(sql), params)]);
  return { pg: a.rows, lake: b.rows };
}

beforeAll(async () => {
  server = await startServer();
  lg = await server.client();
  other = await server.client();
  scratch = await scratchDatabase('lgcat');
  ref = await scratch.client();
  for (const s of [...DDL, ...ROWS]) {
    await ref.query(s);
    await lg.query(s);
  }
});

afterAll(async () => {
  await server?.stop();
  await scratch?.drop();
});

describe('emulated catalog: relations and functions', () => {
  it('has every registry relation with PostgreSQL 16 columns, in order', async () => {
    for (const name of PG_CATALOG_RELATIONS) {
      const r = await lg.query(`SELECT * FROM ${E}.${name} LIMIT 0`);
      expect(r.fields.map((f) => f.name), name).toEqual(RELATION_COLUMNS[name]!.map(([n]) => n));
      const p = await ref.query(`SELECT * FROM pg_catalog.${name} LIMIT 0`);
      expect(r.fields.map((f) => f.name), name).toEqual(p.fields.map((f) => f.name));
    }
    for (const name of INFORMATION_SCHEMA_RELATIONS) {
      const r = await lg.query(`SELECT * FROM ${E}.is_${name} LIMIT 0`);
      const p = await ref.query(`SELECT * FROM information_schema.${name} LIMIT 0`);
      expect(r.fields.map((f) => f.name), name).toEqual(p.fields.map((f) => f.name));
    }
  });

  it('has a macro for every registry function', async () => {
    const r = await lg.query(`SELECT DISTINCT function_name FROM duckdb_functions() WHERE database_name = '${LAKE}' AND schema_name = '__lakegres_pg'`);
    const have = new Set(r.rows.map((x) => x.function_name as string));
    for (const f of [...PG_CATALOG_FUNCTIONS, ...EXTRA_FUNCTIONS]) expect(have.has(f), f).toBe(true);
  });

  it('never shows lakegres internals', async () => {
    const ns = await lg.query(`SELECT nspname FROM ${E}.pg_namespace`);
    expect(ns.rows.map((r) => r.nspname).sort()).toEqual(['information_schema', 'pg_catalog', 'pg_temp_1', 'pg_toast', 'public', 'sales']);
    const rel = await lg.query(`SELECT relname FROM ${E}.pg_class WHERE relnamespace NOT IN (11, 13000) ORDER BY 1`);
    expect(rel.rows.map((r) => r.relname)).toEqual(['big_orders', 'items', 'orders']);
    const sch = await lg.query(`SELECT schema_name FROM ${E}.is_schemata ORDER BY 1`);
    expect(sch.rows.map((r) => r.schema_name)).toEqual(['information_schema', 'pg_catalog', 'pg_temp_1', 'pg_toast', 'public', 'sales']);
  });
});

describe('emulated catalog: lake objects compared with PostgreSQL', () => {
  const mine = `n.nspname IN ('public', 'sales')`;

  it('pg_namespace', async () => {
    const r = await both(`SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE ${mine} ORDER BY 1`);
    expect(norm(r.lake)).toEqual(norm(r.pg));
  });

  it('pg_class', async () => {
    // reltuples: PostgreSQL says -1 until ANALYZE, lakegres knows the row count (checked below);
    // reltype: lakegres has no composite row types (0); relfilenode/xids/relpages differ by nature.
    const sql = `SELECT n.nspname, c.relname, c.relkind, c.relnatts, c.relpersistence, c.relhasindex, c.relhasrules, c.relhastriggers, c.relhassubclass, c.relrowsecurity,
        c.relforcerowsecurity, c.relispopulated, c.relreplident, c.relispartition, c.reloftype, c.relchecks, c.reltablespace, c.relisshared, c.relam, c.reltoastrelid <> 0 AS has_toast,
        c.relacl, c.reloptions
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ${mine} AND c.relkind IN ('r', 'v') ORDER BY 1, 2`;
    const r = await both(sql);
    // PostgreSQL gives these tables a TOAST table; lakegres has none.
    expect(norm(r.lake, ['has_toast'])).toEqual(norm(r.pg, ['has_toast']));
    const tuples = await lg.query(`SELECT c.relname, c.reltuples, c.reltype FROM ${E}.pg_class c WHERE c.relname IN ('orders', 'items') ORDER BY 1`);
    expect(tuples.rows).toEqual([
      { relname: 'items', reltuples: 1, reltype: 0 },
      { relname: 'orders', reltuples: 3, reltype: 0 },
    ]);
  });

  it('pg_attribute with pg_type', async () => {
    const sql = `SELECT c.relname, a.attname, a.attnum, t.typname, a.atttypmod, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.atthasdef, a.attndims,
        a.attlen, a.attbyval, a.attalign, a.attstorage, a.attcompression, a.attisdropped, a.attidentity, a.attgenerated, a.attislocal, a.attinhcount, a.attstattarget, a.attcollation,
        a.atthasmissing, a.attcacheoff
      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      WHERE ${mine} AND a.attnum > 0 ORDER BY 1, 3`;
    const r = await both(sql);
    expect(r.lake.length).toBeGreaterThan(20);
    expect(norm(r.lake)).toEqual(norm(r.pg));
  });

  it('pg_attribute types are what RowDescription reports', async () => {
    for (const rel of ['sales.orders', 'public.items', 'sales.big_orders']) {
      const [schema, name] = rel.split('.');
      const res = await lg.query(`SELECT * FROM ${rel} LIMIT 0`);
      const att = await lg.query(
        `SELECT a.attname, a.atttypid, a.atttypmod FROM ${E}.pg_attribute a JOIN ${E}.pg_class c ON c.oid = a.attrelid JOIN ${E}.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 ORDER BY a.attnum`,
        [schema, name],
      );
      expect(att.rows.map((a) => [a.attname, Number(a.atttypid), a.atttypmod])).toEqual(res.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier]));
    }
  });

  it('pg_description and the comment functions', async () => {
    const r = await both(
      `SELECT c.relname, d.objsubid, d.description, d.classoid = 1259 AS on_class FROM pg_catalog.pg_description d JOIN pg_catalog.pg_class c ON c.oid = d.objoid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ${mine} ORDER BY 1, 2`,
    );
    expect(norm(r.lake)).toEqual(norm(r.pg));
    const f = await both(
      `SELECT c.relname, pg_catalog.obj_description(c.oid, 'pg_class') AS d1, pg_catalog.obj_description(c.oid) AS d2, pg_catalog.col_description(c.oid, 3) AS d3
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ${mine} AND c.relkind IN ('r', 'v') ORDER BY 1`,
    );
    expect(norm(f.lake)).toEqual(norm(f.pg));
  });

  it('pg_attrdef', async () => {
    const r = await both(
      `SELECT c.relname, d.adnum, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS def FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_class c ON c.oid = d.adrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ${mine} ORDER BY 1, 2`,
    );
    expect(norm(r.lake)).toEqual(norm(r.pg));
  });

  it('pg_tables, pg_views (definitions aside)', async () => {
    const t = await both(`SELECT schemaname, tablename, tablespace, hasindexes, hasrules, hastriggers, rowsecurity FROM pg_catalog.pg_tables WHERE schemaname IN ('public', 'sales') ORDER BY 1, 2`);
    expect(norm(t.lake)).toEqual(norm(t.pg));
    const v = await both(`SELECT schemaname, viewname, definition IS NOT NULL AS has_def FROM pg_catalog.pg_views WHERE schemaname IN ('public', 'sales') ORDER BY 1, 2`);
    expect(norm(v.lake)).toEqual(norm(v.pg));
  });

  it('information_schema.schemata', async () => {
    const r = await both(`SELECT schema_name, default_character_set_catalog, default_character_set_schema, default_character_set_name, sql_path FROM information_schema.schemata WHERE schema_name IN ('public', 'sales') ORDER BY 1`);
    expect(norm(r.lake)).toEqual(norm(r.pg));
    const cat = await lg.query(`SELECT DISTINCT catalog_name FROM ${E}.is_schemata`);
    expect(cat.rows).toEqual([{ catalog_name: LAKE }]);
  });

  it('information_schema.tables', async () => {
    // Lake views cannot be written through: is_insertable_into is NO (PostgreSQL: YES for simple views).
    const r = await both(`SELECT * FROM information_schema.tables WHERE table_schema IN ('public', 'sales') ORDER BY table_schema, table_name`);
    const fix = (rows: Rows) => rows.map((x) => ({ ...x, table_catalog: '*', is_insertable_into: x.table_type === 'VIEW' ? '*' : x.is_insertable_into }));
    expect(norm(fix(r.lake))).toEqual(norm(fix(r.pg)));
  });

  it('information_schema.columns', async () => {
    const r = await both(`SELECT * FROM information_schema.columns WHERE table_schema IN ('public', 'sales') ORDER BY table_schema, table_name, ordinal_position`);
    const fix = (rows: Rows) => rows.map((x) => ({ ...x, table_catalog: '*', udt_catalog: '*', collation_catalog: x.collation_catalog ? '*' : null, is_updatable: x.table_name === 'big_orders' ? '*' : x.is_updatable }));
    expect(r.lake.length).toBe(r.pg.length);
    expect(norm(fix(r.lake))).toEqual(norm(fix(r.pg)));
  });

  it('information_schema.views (definition text aside)', async () => {
    const r = await both(`SELECT table_schema, table_name, check_option, is_trigger_updatable, is_trigger_deletable, is_trigger_insertable_into FROM information_schema.views WHERE table_schema IN ('public', 'sales')`);
    expect(norm(r.lake)).toEqual(norm(r.pg));
  });

  it('information_schema constraints: NOT NULL columns as CHECK constraints', async () => {
    const strip = (rows: Rows) => rows.map((x) => ({ ...x, constraint_name: String(x.constraint_name).replace(/^\d+_\d+_/, '') }));
    const r = await both(
      `SELECT constraint_schema, constraint_name, table_schema, table_name, constraint_type, is_deferrable, initially_deferred, enforced, nulls_distinct FROM information_schema.table_constraints
       WHERE table_schema IN ('public', 'sales') ORDER BY table_name, constraint_name`,
    );
    expect(norm(strip(r.lake))).toEqual(norm(strip(r.pg)));
    const c = await both(`SELECT constraint_schema, constraint_name, check_clause FROM information_schema.check_constraints WHERE constraint_schema IN ('public', 'sales') ORDER BY check_clause`);
    expect(norm(strip(c.lake))).toEqual(norm(strip(c.pg)));
  });

  it('information_schema privileges and element types', async () => {
    const fix = (rows: Rows) => rows.map((x) => ({ ...x, grantor: '*', grantee: '*', table_catalog: '*', object_catalog: '*', udt_catalog: '*' }));
    const t = await both(`SELECT * FROM information_schema.table_privileges WHERE table_schema IN ('public', 'sales') ORDER BY table_name, privilege_type`);
    expect(norm(fix(t.lake))).toEqual(norm(fix(t.pg)));
    const c = await both(`SELECT * FROM information_schema.column_privileges WHERE table_schema IN ('public', 'sales') ORDER BY table_name, column_name, privilege_type`);
    expect(norm(fix(c.lake))).toEqual(norm(fix(c.pg)));
    const e = await both(`SELECT * FROM information_schema.element_types WHERE object_schema IN ('public', 'sales') ORDER BY object_name, collection_type_identifier`);
    expect(e.lake.length).toBe(2);
    expect(norm(fix(e.lake))).toEqual(norm(fix(e.pg)));
  });
});

describe('emulated catalog: static PostgreSQL data', () => {
  it('pg_type rows are PostgreSQL 16 rows', async () => {
    const cols = `t.oid::int8 AS oid, t.typname, n.nspname, t.typlen, t.typbyval, t.typtype, t.typcategory, t.typispreferred, t.typisdefined, t.typdelim, t.typrelid::int8 AS typrelid,
      t.typsubscript::oid::int8 AS typsubscript, t.typelem::int8 AS typelem, t.typarray::int8 AS typarray, t.typinput::oid::int8 AS typinput, t.typoutput::oid::int8 AS typoutput,
      t.typreceive::oid::int8 AS typreceive, t.typsend::oid::int8 AS typsend, t.typmodin::oid::int8 AS typmodin, t.typmodout::oid::int8 AS typmodout, t.typanalyze::oid::int8 AS typanalyze,
      t.typalign, t.typstorage, t.typnotnull, t.typbasetype::int8 AS typbasetype, t.typtypmod, t.typndims, t.typcollation::int8 AS typcollation, t.typdefault`;
    const lake = await lg.query(`SELECT ${cols} FROM ${E}.pg_type t JOIN ${E}.pg_namespace n ON n.oid = t.typnamespace ORDER BY 1`);
    const oids = lake.rows.map((r) => Number(r.oid));
    expect(oids.length).toBeGreaterThan(300);
    const p = await ref.query(`SELECT ${cols} FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ANY($1) ORDER BY 1`, [oids]);
    expect(norm(lake.rows)).toEqual(norm(p.rows));
  });

  it('format_type over many type/typmod pairs', async () => {
    const types = (await lg.query(`SELECT oid FROM ${E}.pg_type ORDER BY 1`)).rows.map((r) => Number(r.oid));
    expect(types.length).toBeGreaterThan(300);
    const pairs: [number, number | null][] = [];
    for (const t of types) pairs.push([t, null], [t, -1]);
    const mods: Record<number, number[]> = {
      1042: [0, 4, 5, 14, 65540],
      1043: [0, 3, 5, 14, 260],
      1014: [5, 14],
      1015: [14],
      1700: [0, 4, (10 << 16) + 4, (12 << 16) + 2 + 4, (38 << 16) + 10 + 4, (5 << 16) + 2044 + 4, 655366],
      1231: [655366],
      1083: [0, 3, 6],
      1266: [0, 6],
      1114: [0, 1, 3, 6],
      1115: [3],
      1184: [0, 3, 6],
      1185: [6],
      1186: [(32767 << 16) | 3, (4 << 16) | 65535, (2 << 16) | 65535, (6 << 16) | 65535, (8 << 16) | 65535, (1024 << 16) | 65535, (7176 << 16) | 3, (7168 << 16) | 65535, (6144 << 16) | 2, (32767 << 16) | 65535],
      1560: [1, 8],
      1562: [0, 16],
      23: [5],
      25: [7],
      2950: [3],
      0: [5],
      99999: [5],
    };
    for (const [t, ms] of Object.entries(mods)) for (const m of ms) pairs.push([Number(t), m]);
    pairs.push([0, null], [99999, null], [null as unknown as number, 5]);
    const values = pairs.map(([t, m]) => `(${t === null ? 'NULL' : t}, ${m === null ? 'NULL' : m})`).join(', ');
    const p = await ref.query(`SELECT v.o, v.m, format_type(v.o::oid, v.m::int4) AS f FROM (VALUES ${values}) AS v(o, m)`);
    const l = await lg.query(`SELECT v.o, v.m, ${E}.format_type(v.o, v.m) AS f FROM (VALUES ${values}) AS v(o, m)`);
    const got = new Map(l.rows.map((r, i) => [i, r.f]));
    const mismatches = p.rows.map((r, i) => ({ o: r.o, m: r.m, pg: r.f, lake: got.get(i) })).filter((x) => x.pg !== x.lake);
    expect(mismatches).toEqual([]);
  });

  it('pg_proc, pg_get_function_*, keywords, encodings, sizes', async () => {
    const procs = await both(`SELECT count(*) AS n FROM pg_catalog.pg_proc WHERE pronamespace = 11`);
    expect(procs.lake).toEqual(procs.pg.map((r) => ({ n: String(r.n) })));
    const fn = await both(
      `SELECT p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS a, pg_catalog.pg_get_function_result(p.oid) AS r, pg_catalog.pg_get_function_identity_arguments(p.oid) AS i
       FROM pg_catalog.pg_proc p WHERE p.proname IN ('format_type', 'substring', 'generate_series', 'pg_get_keywords', 'array_to_string', 'now') ORDER BY p.oid`,
    );
    expect(norm(fn.lake)).toEqual(norm(fn.pg));
    const def = await both(`SELECT pg_catalog.pg_get_functiondef(p.oid) AS d FROM pg_catalog.pg_proc p WHERE p.proname IN ('abs', 'now', 'generate_series', 'lower', 'upper') AND p.prokind = 'f' ORDER BY p.oid`);
    expect(norm(def.lake)).toEqual(norm(def.pg));
    const vec = await both(`SELECT p.oid::int8 AS oid, pg_catalog.oidvectortypes(p.proargtypes) AS a FROM pg_catalog.pg_proc p WHERE p.proname IN ('substring', 'format_type', 'array_to_string', 'now') ORDER BY 1`);
    expect(norm(vec.lake)).toEqual(norm(vec.pg));
    const arr = await lg.query(`SELECT ${E}.array_upper([4, 5, 6], 1) AS u, ${E}.array_lower([4, 5, 6], 1) AS l, ${E}.array_upper(CAST([] AS INTEGER[]), 1) AS e, ${E}.array_upper([4], 2) AS d`);
    expect(arr.rows).toEqual([{ u: 3, l: 1, e: null, d: null }]);
    const ex = await lg.query(`SELECT (${E}._pg_expandarray(CAST([7, 9] AS SMALLINT[]))).x AS x, (${E}._pg_expandarray(CAST([7, 9] AS SMALLINT[]))).n AS n`);
    expect(ex.rows).toEqual([
      { x: 7, n: 1 },
      { x: 9, n: 2 },
    ]);
    const kw = await both(`SELECT word, catcode, barelabel, catdesc, baredesc FROM pg_catalog.pg_get_keywords() ORDER BY word`);
    expect(norm(kw.lake)).toEqual(norm(kw.pg));
    const enc = await both(`SELECT pg_catalog.pg_encoding_to_char(6) AS a, pg_catalog.pg_encoding_to_char(0) AS b, pg_catalog.pg_char_to_encoding('UTF8') AS c, pg_catalog.pg_char_to_encoding('nope') AS d`);
    expect(norm(enc.lake)).toEqual(norm(enc.pg));
    const sizes = [0, 1, 10239, 10240, 10241, 20479 * 512, 20480 * 512, 1048576, 10485760, 1073741824, 123456789012, 5e15, 2 ** 62, -1, -10240, -20971520];
    for (const b of sizes) {
      const [p, l] = await Promise.all([ref.query(`SELECT pg_size_pretty($1::int8) AS s`, [b]), lg.query(`SELECT ${E}.pg_size_pretty(CAST($1 AS BIGINT)) AS s`, [String(b)])]);
      expect(l.rows[0].s, String(b)).toBe(p.rows[0].s);
    }
  });

  it('pg_am, pg_collation, pg_language, pg_cast, pg_operator, pg_aggregate', async () => {
    for (const [rel, cols] of [
      ['pg_am', 'oid::int8 AS oid, amname, amtype'],
      ['pg_collation', 'oid::int8 AS oid, collname, collprovider, collisdeterministic, collencoding, collcollate, collctype'],
      ['pg_language', 'oid::int8 AS oid, lanname, lanispl, lanpltrusted'],
      ['pg_cast', 'oid::int8 AS oid, castsource::int8 AS s, casttarget::int8 AS t, castfunc::int8 AS f, castcontext, castmethod'],
      ['pg_operator', 'oid::int8 AS oid, oprname, oprkind, oprleft::int8 AS l, oprright::int8 AS r, oprresult::int8 AS res, oprcode::oid::int8 AS code'],
      ['pg_aggregate', 'aggfnoid::oid::int8 AS oid, aggkind, aggtransfn::oid::int8 AS t, aggtranstype::int8 AS tt, agginitval'],
    ] as const) {
      const l = await lg.query(`SELECT ${cols} FROM ${E}.${rel} ORDER BY 1`);
      const p = await ref.query(`SELECT ${cols} FROM pg_catalog.${rel} WHERE oid::int8 = ANY($1) ORDER BY 1`.replace('WHERE oid::int8', rel === 'pg_aggregate' ? 'WHERE aggfnoid::oid::int8' : 'WHERE oid::int8'), [l.rows.map((r) => Number(r.oid))]);
      expect(norm(l.rows), rel).toEqual(norm(p.rows));
    }
  });
});

describe('emulated catalog: lookups and session values', () => {
  it('to_regclass, to_regtype, to_regnamespace, pg_table_is_visible', async () => {
    const l = await lg.query(
      `SELECT ${E}.to_regclass('orders') IS NULL AS a, ${E}.to_regclass('sales.orders') = (SELECT oid FROM ${E}.pg_class WHERE relname = 'orders') AS b,
         ${E}.to_regclass('items') = (SELECT oid FROM ${E}.pg_class WHERE relname = 'items') AS c, ${E}.to_regclass('pg_class')::oid AS d, ${E}.to_regclass('"SALES".orders') IS NULL AS e,
         ${E}.to_regtype('integer')::oid AS f, ${E}.to_regtype('character varying(10)')::oid AS g, ${E}.to_regtype('int[]')::oid AS h, ${E}.to_regtype('timestamp with time zone')::oid AS i,
         ${E}.to_regtype('nope')::oid AS j, ${E}.to_regnamespace('sales') >= 16384 AS k, ${E}.to_regtype('"char"')::oid AS m, ${E}.to_regtype('pg_catalog.text')::oid AS n`,
    );
    expect(l.rows[0]).toEqual({ a: true, b: true, c: true, d: 1259, e: true, f: 23, g: 1043, h: 1007, i: 1184, j: null, k: true, m: 18, n: 25 });
    // Printed as they are, they are names (as PostgreSQL prints regclass/regtype).
    const printed = await lg.query(`SELECT ${E}.to_regclass('sales.orders') AS a, ${E}.to_regtype('int[]') AS b, ${E}.to_regclass('nope') AS c`);
    expect(printed.rows[0]).toEqual({ a: 'sales.orders', b: 'integer[]', c: null });
    const vis = await lg.query(`SELECT c.relname, ${E}.pg_table_is_visible(c.oid) AS v FROM ${E}.pg_class c WHERE c.relname IN ('orders', 'items', 'pg_class', 'big_orders') ORDER BY 1`);
    expect(vis.rows).toEqual([
      { relname: 'big_orders', v: false },
      { relname: 'items', v: true },
      { relname: 'orders', v: false },
      { relname: 'pg_class', v: true },
    ]);
    await lg.query(`SET search_path = sales, public`);
    const vis2 = await lg.query(`SELECT ${E}.pg_table_is_visible(c.oid) AS v FROM ${E}.pg_class c WHERE c.relname = 'orders'`);
    expect(vis2.rows).toEqual([{ v: true }]);
    await lg.query(`RESET search_path`);
  });

  it('pg_roles, pg_database and pg_settings from the session', async () => {
    const roles = await lg.query(`SELECT rolname, rolsuper, oid FROM ${E}.pg_roles WHERE oid = 10`);
    expect(roles.rows).toEqual([{ rolname: server.config.user, rolsuper: true, oid: 10 }]);
    expect(roles.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['rolname', 19],
      ['rolsuper', 16],
      ['oid', 26],
    ]);
    expect((await lg.query(`SELECT ${E}.pg_get_userbyid(10) AS u`)).rows).toEqual([{ u: server.config.user }]);
    const dbs = await lg.query(`SELECT datname, encoding, datallowconn FROM ${E}.pg_database`);
    expect(dbs.rows).toEqual([{ datname: LAKE, encoding: 6, datallowconn: true }]);
    await lg.query(`SET application_name = 'catalog-test'`);
    const s = await lg.query(`SELECT name, setting, unit, context, vartype, source, reset_val FROM ${E}.pg_settings WHERE name IN ('application_name', 'statement_timeout', 'search_path') ORDER BY 1`);
    expect(s.rows).toEqual([
      { name: 'application_name', setting: 'catalog-test', unit: null, context: 'user', vartype: 'string', source: 'session', reset_val: '' },
      { name: 'search_path', setting: '"$user", public', unit: null, context: 'user', vartype: 'string', source: 'default', reset_val: '"$user", public' },
      { name: 'statement_timeout', setting: '0', unit: 'ms', context: 'user', vartype: 'integer', source: 'default', reset_val: '0' },
    ]);
  });

  it('pg_stat_activity lists the server sessions after refreshActivity', async () => {
    const sessions = [...(server.server as unknown as { sessions(): Iterable<Session> }).sessions()];
    const me = sessions.find((x) => x.id.pid === (lg as unknown as { processID: number }).processID)!;
    expect(me).toBeDefined();
    await refreshActivity(me);
    const r = await lg.query(`SELECT pid, datname, usename, state, backend_type, usesysid FROM ${E}.pg_stat_activity ORDER BY pid`);
    expect(r.rows.length).toBe(sessions.length);
    expect(r.rows.every((x) => x.datname === LAKE && x.usename === server.config.user && x.backend_type === 'client backend')).toBe(true);
    expect(r.rows.map((x) => x.pid).sort()).toEqual(sessions.map((x) => x.id.pid).sort());
    const db = await lg.query(`SELECT datname, numbackends FROM ${E}.pg_stat_database`);
    expect(db.rows).toEqual([{ datname: LAKE, numbackends: sessions.length }]);
  });

  it('temporary tables appear in pg_temp_1 for their session only', async () => {
    await lg.query(`CREATE TEMP TABLE scratch_t (a integer NOT NULL, b text DEFAULT 'q')`);
    const r = await lg.query(
      `SELECT n.nspname, c.relname, c.relpersistence, a.attname, a.atttypid, a.attnotnull FROM ${E}.pg_class c JOIN ${E}.pg_namespace n ON n.oid = c.relnamespace
       JOIN ${E}.pg_attribute a ON a.attrelid = c.oid WHERE c.relname = 'scratch_t' ORDER BY a.attnum`,
    );
    expect(r.rows).toEqual([
      { nspname: 'pg_temp_1', relname: 'scratch_t', relpersistence: 't', attname: 'a', atttypid: 23, attnotnull: true },
      { nspname: 'pg_temp_1', relname: 'scratch_t', relpersistence: 't', attname: 'b', atttypid: 25, attnotnull: false },
    ]);
    const t = await lg.query(`SELECT table_type FROM ${E}.is_tables WHERE table_name = 'scratch_t'`);
    expect(t.rows).toEqual([{ table_type: 'LOCAL TEMPORARY' }]);
    expect((await other.query(`SELECT relname FROM ${E}.pg_class WHERE relname = 'scratch_t'`)).rows).toEqual([]);
  });
});

describe('emulated catalog: snapshots, transactions, statistics', () => {
  it('lake_tables lists tables with row counts, sizes and last changes', async () => {
    await lg.query(`INSERT INTO public.items (sku) SELECT 'k' || i FROM range(5000) t(i)`);
    const r = await lg.query(`SELECT table_schema, table_name, description, row_count, file_count, size_bytes > 0 AS sized, last_snapshot_id IS NOT NULL AS s, last_changed_at IS NOT NULL AS t FROM ${E}.lake_tables ORDER BY 1, 2`);
    expect(r.rows).toEqual([
      { table_schema: 'public', table_name: 'items', description: null, row_count: '5001', file_count: '1', sized: true, s: true, t: true },
      { table_schema: 'sales', table_name: 'orders', description: 'Customer orders', row_count: '3', file_count: '0', sized: false, s: true, t: true },
    ]);
    const size = await lg.query(`SELECT ${E}.pg_total_relation_size(c.oid) = s.size_bytes AS same, ${E}.pg_relation_size(c.oid) > 0 AS r FROM ${E}.pg_class c JOIN ${E}.lake_tables s ON s.table_oid = c.oid WHERE c.relname = 'items'`);
    expect(size.rows).toEqual([{ same: true, r: true }]);
    // Clients reach it as lakegres.tables (pgcompat/rewrite/catalog-names).
    const pub = await lg.query(`SELECT t.table_name, t.row_count, t.size FROM lakegres.tables t WHERE t.table_schema = 'public'`);
    expect(pub.rows).toEqual([{ table_name: 'items', row_count: '5001', size: (await lg.query(`SELECT ${E}.pg_size_pretty(size_bytes) AS s FROM ${E}.lake_tables WHERE table_name = 'items'`)).rows[0].s }]);
    expect(pub.fields.map((f) => f.name)).toEqual(['table_name', 'row_count', 'size']);
    await lg.query(`DELETE FROM public.items WHERE sku LIKE 'k1%'`);
    const after = await lg.query(`SELECT row_count FROM ${E}.lake_tables WHERE table_name = 'items'`);
    const expected = await lg.query(`SELECT count(*) AS n FROM public.items`);
    expect(after.rows[0].row_count).toBe(String(expected.rows[0].n));
  });

  it("a transaction's new table and column appear in its own session only", async () => {
    await lg.query('BEGIN');
    await lg.query('CREATE TABLE sales.tx_only (a integer NOT NULL, b text)');
    await lg.query('ALTER TABLE public.items ADD COLUMN extra integer');
    const q = `SELECT c.relname, a.attname FROM ${E}.pg_attribute a JOIN ${E}.pg_class c ON c.oid = a.attrelid WHERE c.relname IN ('tx_only', 'items') AND a.attnum > 0 ORDER BY 1, a.attnum`;
    const mine = await lg.query(q);
    expect(mine.rows.map((r) => `${r.relname}.${r.attname}`)).toEqual(['items.sku', 'items.n', 'items.label', 'items.price', 'items.big', 'items.extra', 'tx_only.a', 'tx_only.b']);
    const oid = await lg.query(`SELECT oid FROM ${E}.pg_class WHERE relname = 'tx_only'`);
    expect(Number(oid.rows[0].oid)).toBeGreaterThanOrEqual(900_000_000);
    const cols = await lg.query(`SELECT column_name, is_nullable, data_type FROM ${E}.is_columns WHERE table_name = 'tx_only' ORDER BY ordinal_position`);
    expect(cols.rows).toEqual([
      { column_name: 'a', is_nullable: 'NO', data_type: 'integer' },
      { column_name: 'b', is_nullable: 'YES', data_type: 'text' },
    ]);
    const listed = await lg.query(`SELECT table_name FROM lakegres.tables WHERE table_schema = 'sales' ORDER BY 1`);
    expect(listed.rows.map((r) => r.table_name)).toEqual(['orders', 'tx_only']);
    const theirs = await other.query(q);
    expect(theirs.rows.map((r) => `${r.relname}.${r.attname}`)).toEqual(['items.sku', 'items.n', 'items.label', 'items.price', 'items.big']);
    await lg.query('ROLLBACK');
    expect((await lg.query(q)).rows.map((r) => `${r.relname}.${r.attname}`)).toEqual(['items.sku', 'items.n', 'items.label', 'items.price', 'items.big']);
  });

  it('time travel (SET lakegres.snapshot) shows that snapshot\'s tables', async () => {
    const snap = await lg.query(`SELECT max(snapshot_id) AS s FROM ducklake_snapshots('${LAKE}')`);
    await lg.query('CREATE TABLE sales.later (x integer)');
    await lg.query(`COMMENT ON TABLE sales.orders IS 'changed later'`);
    await lg.query(`SET lakegres.snapshot = '${snap.rows[0].s}'`);
    const q = `SELECT c.relname, ${E}.obj_description(c.oid, 'pg_class') AS d FROM ${E}.pg_class c JOIN ${E}.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sales' ORDER BY 1`;
    const then = await lg.query(q);
    expect(then.rows).toEqual([
      { relname: 'big_orders', d: 'Orders over 100' },
      { relname: 'orders', d: 'Customer orders' },
    ]);
    expect((await lg.query(`SELECT table_name, description FROM lakegres.tables WHERE table_schema = 'sales'`)).rows).toEqual([{ table_name: 'orders', description: 'Customer orders' }]);
    await lg.query('RESET lakegres.snapshot');
    const now = await lg.query(q);
    expect(now.rows).toEqual([
      { relname: 'big_orders', d: 'Orders over 100' },
      { relname: 'later', d: null },
      { relname: 'orders', d: 'changed later' },
    ]);
  });
});
