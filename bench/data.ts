/**
 * The data sets, generated with DuckDB SQL only (range() and hash(), deterministic): lakegres and
 * the embedded DuckDB run the generating SQL themselves (lakegres through the wire: CREATE
 * TABLE AS and INSERT ... SELECT); PostgreSQL gets the very same rows as CSV exported by the
 * embedded DuckDB and sent with COPY FROM STDIN.
 */
import path from 'node:path';
import { rmSync } from 'node:fs';
import type { Ctx } from './context.js';
import { ensureControl } from './context.js';
import { errorText, now, type Cell, type Metric, type System } from './harness.js';
import { copyFromFile } from './pgwire.js';

export interface TableSpec {
  name: string;
  /** DuckDB SELECT producing the rows. */
  gen: string;
  /** Column list with types both PostgreSQL and DuckDB accept. */
  columns: string;
  /** PostgreSQL statements after the load (keys, statistics). */
  pgAfter: string[];
  /** How lakegres and DuckDB create it: CREATE TABLE AS, or CREATE TABLE + INSERT ... SELECT. */
  via: 'ctas' | 'insert';
}

export function pointsSpec(rows: number): TableSpec {
  return {
    name: 'points',
    gen: `SELECT i::BIGINT AS id, (hash(i) % 1000)::INTEGER AS k, (hash(i + 1000000007) % 100)::INTEGER AS g,
            ((hash(i + 2000000011) % 10000000)::DOUBLE / 100) AS v, md5(i::VARCHAR) AS s
          FROM range(${rows}) t(i)`,
    columns: 'id bigint, k integer, g integer, v double precision, s text',
    pgAfter: ['ALTER TABLE points ADD PRIMARY KEY (id)', 'VACUUM ANALYZE points'],
    via: 'ctas',
  };
}

/** The narrow streamed table of issue 2 §7: int4, int8, float8 and a short text. */
export function narrowSpec(rows: number): TableSpec {
  return {
    name: 'narrow',
    gen: `SELECT (hash(i) % 1000000)::INTEGER AS a, i::BIGINT AS id, (hash(i + 1) % 100000000)::DOUBLE / 1000 AS f, substr(md5(i::VARCHAR), 1, 8) AS s
          FROM range(${rows}) t(i)`,
    columns: 'a integer, id bigint, f double precision, s text',
    pgAfter: ['VACUUM ANALYZE narrow'],
    via: 'ctas',
  };
}

/** The wide streamed table of issue 2 §7: 30 columns of mixed types (some with NULLs). */
export function wideSpec(rows: number): TableSpec {
  const cols: [string, string, string][] = [
    ['id', 'bigint', 'i::BIGINT'],
    ['c_int2', 'smallint', '(hash(i) % 30000)::SMALLINT'],
    ['c_int4', 'integer', '(hash(i + 1) % 2000000000)::INTEGER'],
    ['c_int8', 'bigint', '(hash(i + 2) % 9000000000000000000)::BIGINT'],
    ['c_float4', 'real', '((hash(i + 3) % 1000000)::DOUBLE / 1000)::REAL'],
    ['c_float8', 'double precision', '(hash(i + 4) % 1000000000)::DOUBLE / 7'],
    ['c_num', 'numeric(15,2)', '((hash(i + 5) % 100000000)::DOUBLE / 100)::DECIMAL(15,2)'],
    ['c_num6', 'numeric(18,6)', '((hash(i + 6) % 1000000000000)::DOUBLE / 1000000)::DECIMAL(18,6)'],
    ['c_bool', 'boolean', '(hash(i + 7) % 2 = 0)'],
    ['c_date', 'date', "DATE '2000-01-01' + (hash(i + 8) % 10000)::INTEGER"],
    ['c_ts', 'timestamp', "TIMESTAMP '2020-01-01' + to_microseconds((hash(i + 9) % 100000000000000)::BIGINT)"],
    ['c_tstz', 'timestamptz', "TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_seconds((hash(i + 10) % 100000000)::BIGINT)"],
    ['c_time', 'time', "TIME '00:00:00' + to_seconds((hash(i + 11) % 86400)::BIGINT)"],
    ['c_interval', 'interval', 'to_seconds((hash(i + 12) % 1000000)::BIGINT)'],
    ['c_uuid', 'uuid', 'md5(i::VARCHAR)::UUID'],
    ['c_code', 'text', 'substr(md5((i + 1)::VARCHAR), 1, 6)'],
    ['c_name', 'text', "'name ' || (hash(i + 13) % 100000)::VARCHAR"],
    ['c_long', 'text', 'md5(i::VARCHAR) || md5((i + 2)::VARCHAR)'],
    ['c_json', 'json', `('{"k": ' || (hash(i + 14) % 1000)::VARCHAR || ', "tag": "t' || (i % 10)::VARCHAR || '"}')::JSON`],
    ['c_int_null', 'integer', 'CASE WHEN i % 7 = 0 THEN NULL ELSE (hash(i + 15) % 1000)::INTEGER END'],
    ['c_text_null', 'text', "CASE WHEN i % 5 = 0 THEN NULL ELSE 'v' || (i % 1000)::VARCHAR END"],
    ['c_int4_b', 'integer', '(hash(i + 16) % 100000)::INTEGER - 50000'],
    ['c_int8_b', 'bigint', '(hash(i + 17) % 1000000000000)::BIGINT'],
    ['c_float8_b', 'double precision', '(hash(i + 18) % 1000)::DOUBLE / 8'],
    ['c_num_b', 'numeric(12,3)', '((hash(i + 19) % 1000000000)::DOUBLE / 1000)::DECIMAL(12,3)'],
    ['c_bool_b', 'boolean', 'i % 3 = 0'],
    ['c_date_b', 'date', "DATE '1990-01-01' + (i % 20000)::INTEGER"],
    ['c_ts_b', 'timestamp', "TIMESTAMP '2024-01-01' + to_seconds(i::BIGINT)"],
    ['c_tstz_null', 'timestamptz', "CASE WHEN i % 4 = 0 THEN NULL ELSE TIMESTAMPTZ '2024-06-01 12:00:00+00' + to_seconds((hash(i + 20) % 10000000)::BIGINT) END"],
    ['c_status', 'text', "(['new', 'open', 'closed', 'archived'])[(i % 4)::INTEGER + 1]"],
  ];
  return {
    name: 'wide',
    gen: `SELECT ${cols.map(([n, , e]) => `${e} AS ${n}`).join(',\n            ')}\n          FROM range(${rows}) t(i)`,
    columns: cols.map(([n, t]) => `${n} ${t}`).join(', '),
    pgAfter: ['VACUUM ANALYZE wide'],
    via: 'ctas',
  };
}

/** Loads a table once into the three systems (shared by the workloads that use it). */
export async function ensureTable(ctx: Ctx, spec: TableSpec): Promise<Partial<Record<System, string>>> {
  const have = ctx.loaded.get(spec.name);
  if (have) return have;
  const r = await loadTables(ctx, [spec], spec.name);
  ctx.loaded.set(spec.name, r.errors);
  return r.errors;
}

export function tpchCounts(lineitem: number) {
  const orders = Math.ceil(lineitem / 4);
  const customer = Math.max(1000, Math.ceil(orders / 10));
  const supplier = Math.max(100, Math.ceil(customer / 15));
  return { lineitem, orders, customer, supplier };
}

const list = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
const pick = (xs: string[], h: string) => `(${list(xs)})[(${h} % ${xs.length})::INTEGER + 1]`;

export function tpchSpecs(lineitemRows: number): TableSpec[] {
  const n = tpchCounts(lineitemRows);
  const orderDate = (ok: string) => `DATE '1992-01-01' + (hash(${ok} * 7 + 2) % 2406)::INTEGER`;
  return [
    {
      name: 'region',
      gen: `SELECT r::INTEGER AS r_regionkey, ${list(['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'])}[r + 1] AS r_name FROM range(5) t(r)`,
      columns: 'r_regionkey integer, r_name text',
      pgAfter: ['ALTER TABLE region ADD PRIMARY KEY (r_regionkey)'],
      via: 'ctas',
    },
    {
      name: 'nation',
      gen: `SELECT n::INTEGER AS n_nationkey, 'NATION_' || lpad(n::VARCHAR, 2, '0') AS n_name, (n % 5)::INTEGER AS n_regionkey FROM range(25) t(n)`,
      columns: 'n_nationkey integer, n_name text, n_regionkey integer',
      pgAfter: ['ALTER TABLE nation ADD PRIMARY KEY (n_nationkey)'],
      via: 'ctas',
    },
    {
      name: 'customer',
      gen: `SELECT c::BIGINT AS c_custkey, 'Customer#' || lpad(c::VARCHAR, 9, '0') AS c_name, (hash(c * 3 + 1) % 25)::INTEGER AS c_nationkey,
              (((hash(c * 3 + 2) % 1100000)::BIGINT - 100000)::DOUBLE / 100)::DECIMAL(15,2) AS c_acctbal,
              ${pick(['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY'], 'hash(c * 3)')} AS c_mktsegment
            FROM range(1, ${n.customer + 1}) t(c)`,
      columns: 'c_custkey bigint, c_name text, c_nationkey integer, c_acctbal numeric(15,2), c_mktsegment text',
      pgAfter: ['ALTER TABLE customer ADD PRIMARY KEY (c_custkey)'],
      via: 'ctas',
    },
    {
      name: 'supplier',
      gen: `SELECT s::BIGINT AS s_suppkey, 'Supplier#' || lpad(s::VARCHAR, 9, '0') AS s_name, (hash(s * 5 + 1) % 25)::INTEGER AS s_nationkey,
              (((hash(s * 5 + 2) % 1100000)::BIGINT - 100000)::DOUBLE / 100)::DECIMAL(15,2) AS s_acctbal
            FROM range(1, ${n.supplier + 1}) t(s)`,
      columns: 's_suppkey bigint, s_name text, s_nationkey integer, s_acctbal numeric(15,2)',
      pgAfter: ['ALTER TABLE supplier ADD PRIMARY KEY (s_suppkey)'],
      via: 'ctas',
    },
    {
      name: 'orders',
      gen: `SELECT o::BIGINT AS o_orderkey, (1 + hash(o * 7 + 1) % ${n.customer})::BIGINT AS o_custkey,
              ${pick(['F', 'O', 'P'], 'hash(o * 7 + 3)')} AS o_orderstatus,
              ((hash(o * 7 + 4) % 50000000)::DOUBLE / 100)::DECIMAL(15,2) AS o_totalprice,
              ${orderDate('o')} AS o_orderdate,
              ${pick(['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'], 'hash(o * 7 + 5)')} AS o_orderpriority,
              0::INTEGER AS o_shippriority
            FROM range(1, ${n.orders + 1}) t(o)`,
      columns: 'o_orderkey bigint, o_custkey bigint, o_orderstatus text, o_totalprice numeric(15,2), o_orderdate date, o_orderpriority text, o_shippriority integer',
      pgAfter: ['ALTER TABLE orders ADD PRIMARY KEY (o_orderkey)'],
      via: 'ctas',
    },
    {
      name: 'lineitem',
      gen: `SELECT ok AS l_orderkey, (1 + hash(i * 11 + 1) % 200000)::BIGINT AS l_partkey, (1 + hash(i * 11 + 2) % ${n.supplier})::BIGINT AS l_suppkey,
              ((i % 4) + 1)::INTEGER AS l_linenumber, q AS l_quantity,
              (q * (900 + (hash(i * 11 + 4) % 100000)::DOUBLE / 100))::DECIMAL(15,2) AS l_extendedprice,
              ((hash(i * 11 + 5) % 11)::DOUBLE / 100)::DECIMAL(15,2) AS l_discount,
              ((hash(i * 11 + 6) % 9)::DOUBLE / 100)::DECIMAL(15,2) AS l_tax,
              CASE WHEN rd <= DATE '1995-06-17' THEN ${pick(['R', 'A'], 'hash(i * 11 + 10)')} ELSE 'N' END AS l_returnflag,
              CASE WHEN sd > DATE '1995-06-17' THEN 'O' ELSE 'F' END AS l_linestatus,
              sd AS l_shipdate, od + (30 + hash(i * 11 + 8) % 61)::INTEGER AS l_commitdate, rd AS l_receiptdate,
              ${pick(['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'], 'hash(i * 11 + 11)')} AS l_shipinstruct,
              ${pick(['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'], 'hash(i * 11 + 12)')} AS l_shipmode,
              substr(md5(i::VARCHAR), 1, 10 + (hash(i * 11 + 13) % 20)::INTEGER) AS l_comment
            FROM (SELECT i, ok, od, sd, sd + (1 + hash(i * 11 + 9) % 30)::INTEGER AS rd, (1 + hash(i * 11 + 3) % 50)::DECIMAL(15,2) AS q
                  FROM (SELECT i, ok, od, od + (1 + hash(i * 11 + 7) % 121)::INTEGER AS sd
                        FROM (SELECT i, (i // 4 + 1)::BIGINT AS ok, ${orderDate('(i // 4 + 1)')} AS od FROM range(${n.lineitem}) t(i)) a) b) c`,
      columns:
        'l_orderkey bigint, l_partkey bigint, l_suppkey bigint, l_linenumber integer, l_quantity numeric(15,2), l_extendedprice numeric(15,2), ' +
        'l_discount numeric(15,2), l_tax numeric(15,2), l_returnflag text, l_linestatus text, l_shipdate date, l_commitdate date, l_receiptdate date, ' +
        'l_shipinstruct text, l_shipmode text, l_comment text',
      pgAfter: ['ALTER TABLE lineitem ADD PRIMARY KEY (l_orderkey, l_linenumber)'],
      via: 'insert',
    },
  ];
}

const createSql = (t: TableSpec) => (t.via === 'ctas' ? [`CREATE TABLE ${t.name} AS ${t.gen}`] : [`CREATE TABLE ${t.name} (${t.columns})`, `INSERT INTO ${t.name} ${t.gen}`]);

export interface LoadTimes {
  /** ms per table and system (undefined when it failed). */
  perTable: Map<string, Partial<Record<System, Cell>>>;
  /** PostgreSQL's keys and ANALYZE after the COPY. */
  pgAfterMs?: number;
  errors: Partial<Record<System, string>>;
}

/**
 * Loads tables into all three systems (each system independently: a failure in one is
 * recorded and the others go on). Times each table's load per system.
 */
export async function loadTables(ctx: Ctx, tables: TableSpec[], label: string): Promise<LoadTimes> {
  const perTable = new Map<string, Partial<Record<System, Cell>>>();
  const errors: Partial<Record<System, string>> = {};
  for (const t of tables) perTable.set(t.name, {});

  // lakegres, through the wire: the generating SQL runs in the server.
  const lgc = await ensureControl(ctx, 'lakegres');
  for (const t of tables) {
    if (errors.lakegres) break;
    try {
      await lgc.query(`DROP TABLE IF EXISTS ${t.name}`);
      const start = now();
      for (const sql of createSql(t)) await lgc.query(sql);
      perTable.get(t.name)!.lakegres = { value: now() - start, note: t.via === 'ctas' ? 'CTAS' : 'INSERT…SELECT' };
    } catch (e) {
      errors.lakegres = `${t.name}: ${errorText(e)}`;
      perTable.get(t.name)!.lakegres = { error: errors.lakegres };
    }
  }
  ctx.log(`${label}: lakegres loaded`);

  // DuckDB, in-process, same statements.
  for (const t of tables) {
    try {
      await ctx.duck.conn.run(`DROP TABLE IF EXISTS ${t.name}`);
      const start = now();
      for (const sql of createSql(t)) await ctx.duck.conn.run(sql);
      perTable.get(t.name)!.duckdb = { value: now() - start, note: t.via === 'ctas' ? 'CTAS' : 'INSERT…SELECT' };
    } catch (e) {
      errors.duckdb = `${t.name}: ${errorText(e)}`;
      perTable.get(t.name)!.duckdb = { error: errors.duckdb };
    }
  }
  ctx.log(`${label}: DuckDB loaded`);

  // PostgreSQL: CSV exported by DuckDB (not timed), COPY FROM STDIN through the wire (timed).
  const pgc = await ensureControl(ctx, 'postgres');
  let pgAfterMs: number | undefined;
  try {
    for (const t of tables) {
      const file = path.join(ctx.tmp, `${t.name}.csv`);
      await ctx.duck.conn.run(`COPY (${t.gen}) TO '${file}' (FORMAT csv, HEADER false)`);
      await pgc.query(`DROP TABLE IF EXISTS ${t.name}`);
      await pgc.query(`CREATE TABLE ${t.name} (${t.columns})`);
      const start = now();
      await copyFromFile(pgc, `COPY ${t.name} FROM STDIN WITH (FORMAT csv)`, file);
      perTable.get(t.name)!.postgres = { value: now() - start, note: 'COPY csv' };
      rmSync(file, { force: true });
    }
    const start = now();
    for (const t of tables) for (const sql of t.pgAfter) await pgc.query(sql);
    await pgc.query(`ANALYZE ${tables.map((t) => t.name).join(', ')}`);
    pgAfterMs = now() - start;
  } catch (e) {
    errors.postgres = errorText(e);
  }
  ctx.log(`${label}: PostgreSQL loaded`);
  return { perTable, pgAfterMs, errors };
}

/** Loads `points` once (shared by the point-query and row-change workloads). */
export async function ensurePoints(ctx: Ctx): Promise<Partial<Record<System, string>>> {
  const have = ctx.loaded.get('points');
  if (have) return have;
  const r = await loadTables(ctx, [pointsSpec(ctx.sizes.points)], 'points');
  ctx.loaded.set('points', r.errors);
  return r.errors;
}

/** Loads the TPC-H-like tables once; their load timings go into the analytical workload's table. */
export async function ensureTpch(ctx: Ctx): Promise<Partial<Record<System, string>>> {
  const have = ctx.loaded.get('tpch');
  if (have) return have;
  const specs = tpchSpecs(ctx.sizes.lineitem);
  const r = await loadTables(ctx, specs, 'TPC-H-like');
  const sum = (s: System, names: string[]): Cell => {
    let total = 0;
    for (const n of names) {
      const c = r.perTable.get(n)?.[s];
      if (!c || c.value === undefined) return { error: c?.error ?? r.errors[s] ?? 'not loaded' };
      total += c.value;
    }
    return { value: total };
  };
  const counts = tpchCounts(ctx.sizes.lineitem);
  const others = specs.filter((t) => t.name !== 'lineitem').map((t) => t.name);
  const lineitemRate = (s: System): Cell => {
    const c = r.perTable.get('lineitem')?.[s];
    return c?.value !== undefined ? { value: counts.lineitem / (c.value / 1000), note: c.note } : { error: c?.error ?? 'not loaded' };
  };
  ctx.tpchLoad = [
    {
      name: `load lineitem (${counts.lineitem.toLocaleString('en-US')} rows), single run`,
      unit: 'ms',
      better: 'lower',
      cells: { lakegres: r.perTable.get('lineitem')?.lakegres, duckdb: r.perTable.get('lineitem')?.duckdb, postgres: r.perTable.get('lineitem')?.postgres },
    },
    { name: 'load lineitem rate', unit: 'rows/s', better: 'higher', cells: { lakegres: lineitemRate('lakegres'), duckdb: lineitemRate('duckdb'), postgres: lineitemRate('postgres') } },
    {
      name: `load ${others.join('+')} (${(counts.orders + counts.customer + counts.supplier + 30).toLocaleString('en-US')} rows), single run`,
      unit: 'ms',
      better: 'lower',
      cells: {
        lakegres: { ...sum('lakegres', others), note: 'CTAS' },
        duckdb: { ...sum('duckdb', others), note: 'CTAS' },
        postgres: { ...sum('postgres', others), note: 'COPY csv' },
      },
    },
    {
      name: 'PostgreSQL primary keys + ANALYZE after the load, single run',
      unit: 'ms',
      better: 'lower',
      cells: { postgres: r.pgAfterMs !== undefined ? { value: r.pgAfterMs } : { error: r.errors.postgres ?? 'failed' } },
      noSummary: true,
    },
  ];
  ctx.loaded.set('tpch', r.errors);
  return r.errors;
}
