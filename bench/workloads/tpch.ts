/**
 * 4. The 22 TPC-H queries (validation substitution parameters of the spec) on TPC-H data made by
 * the deterministic generator of data.ts, plus the load times.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Ctx } from '../context.js';
import { ensureControl } from '../context.js';
import { ensureTpch, tpchCounts } from '../data.js';
import { cell, errorText, geomean, latency, now, targetLine, type Cell, type Metric, type System, type WorkloadResult } from '../harness.js';
import { checkResults, duckRows, loadErrorNotes, parquetConnection, sameRows, wireRows, type Rows } from './common.js';

export interface TpchQuery {
  /** "Q1" .. "Q22". */
  id: string;
  title: string;
  sql: string;
}

/** Q11's fraction, 0.0001 / SF, as a decimal literal. */
const fraction = (sf: number) =>
  Number((0.0001 / sf).toPrecision(6))
    .toFixed(10)
    .replace(/0+$/, '');

/** Q16's and Q22's lists. */
const SIZES16 = '49, 14, 23, 45, 19, 3, 36, 9';
const CODES22 = "'13', '31', '23', '29', '30', '18', '17'";

/**
 * The 22 queries with the spec's validation parameters, in SQL that PostgreSQL, DuckDB and
 * lakegres all accept: Q15's view is a CTE; ORDER BY gets a unique tie-breaker where the
 * spec's leaves ties (so that results compare row by row). Q11's fraction is 0.0001 / SF.
 */
export function tpchQueries(sf: number): TpchQuery[] {
  const q11 = fraction(sf);
  return [
    {
      id: 'Q1',
      title: 'pricing summary',
      sql: `SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
              sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
              avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order
            FROM lineitem
            WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
            GROUP BY l_returnflag, l_linestatus
            ORDER BY l_returnflag, l_linestatus`,
    },
    {
      id: 'Q2',
      title: 'minimum cost supplier',
      sql: `SELECT s_acctbal, s_name, n_name, p_partkey, p_mfgr, s_address, s_phone, s_comment
            FROM part, supplier, partsupp, nation, region
            WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey AND p_size = 15 AND p_type LIKE '%BRASS'
              AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey AND r_name = 'EUROPE'
              AND ps_supplycost = (SELECT min(ps_supplycost) FROM partsupp, supplier, nation, region
                                   WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey AND s_nationkey = n_nationkey
                                     AND n_regionkey = r_regionkey AND r_name = 'EUROPE')
            ORDER BY s_acctbal DESC, n_name, s_name, p_partkey
            LIMIT 100`,
    },
    {
      id: 'Q3',
      title: 'shipping priority',
      sql: `SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority
            FROM customer, orders, lineitem
            WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
              AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15'
            GROUP BY l_orderkey, o_orderdate, o_shippriority
            ORDER BY revenue DESC, o_orderdate, l_orderkey
            LIMIT 10`,
    },
    {
      id: 'Q4',
      title: 'order priority checking',
      sql: `SELECT o_orderpriority, count(*) AS order_count
            FROM orders
            WHERE o_orderdate >= DATE '1993-07-01' AND o_orderdate < DATE '1993-07-01' + INTERVAL '3' MONTH
              AND EXISTS (SELECT * FROM lineitem WHERE l_orderkey = o_orderkey AND l_commitdate < l_receiptdate)
            GROUP BY o_orderpriority
            ORDER BY o_orderpriority`,
    },
    {
      id: 'Q5',
      title: 'local supplier volume',
      sql: `SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
            FROM customer, orders, lineitem, supplier, nation, region
            WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey
              AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey
              AND r_name = 'ASIA' AND o_orderdate >= DATE '1994-01-01' AND o_orderdate < DATE '1994-01-01' + INTERVAL '1' YEAR
            GROUP BY n_name
            ORDER BY revenue DESC, n_name`,
    },
    {
      id: 'Q6',
      title: 'forecasting revenue change',
      sql: `SELECT sum(l_extendedprice * l_discount) AS revenue
            FROM lineitem
            WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1994-01-01' + INTERVAL '1' YEAR
              AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24`,
    },
    {
      id: 'Q7',
      title: 'volume shipping',
      sql: `SELECT supp_nation, cust_nation, l_year, sum(volume) AS revenue
            FROM (SELECT n1.n_name AS supp_nation, n2.n_name AS cust_nation, extract(year FROM l_shipdate) AS l_year,
                    l_extendedprice * (1 - l_discount) AS volume
                  FROM supplier, lineitem, orders, customer, nation n1, nation n2
                  WHERE s_suppkey = l_suppkey AND o_orderkey = l_orderkey AND c_custkey = o_custkey
                    AND s_nationkey = n1.n_nationkey AND c_nationkey = n2.n_nationkey
                    AND ((n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY') OR (n1.n_name = 'GERMANY' AND n2.n_name = 'FRANCE'))
                    AND l_shipdate BETWEEN DATE '1995-01-01' AND DATE '1996-12-31') AS shipping
            GROUP BY supp_nation, cust_nation, l_year
            ORDER BY supp_nation, cust_nation, l_year`,
    },
    {
      id: 'Q8',
      title: 'national market share',
      sql: `SELECT o_year, round(sum(CASE WHEN nation = 'BRAZIL' THEN volume ELSE 0 END) / sum(volume), 8) AS mkt_share
            FROM (SELECT extract(year FROM o_orderdate) AS o_year, l_extendedprice * (1 - l_discount) AS volume, n2.n_name AS nation
                  FROM part, supplier, lineitem, orders, customer, nation n1, nation n2, region
                  WHERE p_partkey = l_partkey AND s_suppkey = l_suppkey AND l_orderkey = o_orderkey AND o_custkey = c_custkey
                    AND c_nationkey = n1.n_nationkey AND n1.n_regionkey = r_regionkey AND r_name = 'AMERICA'
                    AND s_nationkey = n2.n_nationkey AND o_orderdate BETWEEN DATE '1995-01-01' AND DATE '1996-12-31'
                    AND p_type = 'ECONOMY ANODIZED STEEL') AS all_nations
            GROUP BY o_year
            ORDER BY o_year`,
    },
    {
      id: 'Q9',
      title: 'product type profit measure',
      sql: `SELECT nation, o_year, sum(amount) AS sum_profit
            FROM (SELECT n_name AS nation, extract(year FROM o_orderdate) AS o_year,
                    l_extendedprice * (1 - l_discount) - ps_supplycost * l_quantity AS amount
                  FROM part, supplier, lineitem, partsupp, orders, nation
                  WHERE s_suppkey = l_suppkey AND ps_suppkey = l_suppkey AND ps_partkey = l_partkey AND p_partkey = l_partkey
                    AND o_orderkey = l_orderkey AND s_nationkey = n_nationkey AND p_name LIKE '%green%') AS profit
            GROUP BY nation, o_year
            ORDER BY nation, o_year DESC`,
    },
    {
      id: 'Q10',
      title: 'returned item reporting',
      sql: `SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue, c_acctbal, n_name, c_address, c_phone, c_comment
            FROM customer, orders, lineitem, nation
            WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey
              AND o_orderdate >= DATE '1993-10-01' AND o_orderdate < DATE '1993-10-01' + INTERVAL '3' MONTH
              AND l_returnflag = 'R' AND c_nationkey = n_nationkey
            GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment
            ORDER BY revenue DESC, c_custkey
            LIMIT 20`,
    },
    {
      id: 'Q11',
      title: 'important stock identification',
      sql: `SELECT ps_partkey, sum(ps_supplycost * ps_availqty) AS value
            FROM partsupp, supplier, nation
            WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'GERMANY'
            GROUP BY ps_partkey
            HAVING sum(ps_supplycost * ps_availqty) > (SELECT sum(ps_supplycost * ps_availqty) * ${q11}
                                                      FROM partsupp, supplier, nation
                                                      WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'GERMANY')
            ORDER BY value DESC, ps_partkey`,
    },
    {
      id: 'Q12',
      title: 'shipping modes and order priority',
      sql: `SELECT l_shipmode,
              sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH' THEN 1 ELSE 0 END) AS high_line_count,
              sum(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH' THEN 1 ELSE 0 END) AS low_line_count
            FROM orders, lineitem
            WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate
              AND l_shipdate < l_commitdate AND l_receiptdate >= DATE '1994-01-01' AND l_receiptdate < DATE '1994-01-01' + INTERVAL '1' YEAR
            GROUP BY l_shipmode
            ORDER BY l_shipmode`,
    },
    {
      id: 'Q13',
      title: 'customer distribution',
      sql: `SELECT c_count, count(*) AS custdist
            FROM (SELECT c_custkey, count(o_orderkey)
                  FROM customer LEFT OUTER JOIN orders ON c_custkey = o_custkey AND o_comment NOT LIKE '%special%requests%'
                  GROUP BY c_custkey) AS c_orders (c_custkey, c_count)
            GROUP BY c_count
            ORDER BY custdist DESC, c_count DESC`,
    },
    {
      id: 'Q14',
      title: 'promotion effect',
      sql: `SELECT round(100.00 * sum(CASE WHEN p_type LIKE 'PROMO%' THEN l_extendedprice * (1 - l_discount) ELSE 0 END)
                    / sum(l_extendedprice * (1 - l_discount)), 8) AS promo_revenue
            FROM lineitem, part
            WHERE l_partkey = p_partkey AND l_shipdate >= DATE '1995-09-01' AND l_shipdate < DATE '1995-09-01' + INTERVAL '1' MONTH`,
    },
    {
      id: 'Q15',
      title: 'top supplier',
      sql: `WITH revenue0 AS (
              SELECT l_suppkey AS supplier_no, sum(l_extendedprice * (1 - l_discount)) AS total_revenue
              FROM lineitem
              WHERE l_shipdate >= DATE '1996-01-01' AND l_shipdate < DATE '1996-01-01' + INTERVAL '3' MONTH
              GROUP BY l_suppkey)
            SELECT s_suppkey, s_name, s_address, s_phone, total_revenue
            FROM supplier, revenue0
            WHERE s_suppkey = supplier_no AND total_revenue = (SELECT max(total_revenue) FROM revenue0)
            ORDER BY s_suppkey`,
    },
    {
      id: 'Q16',
      title: 'parts/supplier relationship',
      sql: `SELECT p_brand, p_type, p_size, count(DISTINCT ps_suppkey) AS supplier_cnt
            FROM partsupp, part
            WHERE p_partkey = ps_partkey AND p_brand <> 'Brand#45' AND p_type NOT LIKE 'MEDIUM POLISHED%' AND p_size IN (${SIZES16})
              AND ps_suppkey NOT IN (SELECT s_suppkey FROM supplier WHERE s_comment LIKE '%Customer%Complaints%')
            GROUP BY p_brand, p_type, p_size
            ORDER BY supplier_cnt DESC, p_brand, p_type, p_size`,
    },
    {
      id: 'Q17',
      title: 'small-quantity-order revenue',
      sql: `SELECT round(sum(l_extendedprice) / 7.0, 6) AS avg_yearly
            FROM lineitem, part
            WHERE p_partkey = l_partkey AND p_brand = 'Brand#23' AND p_container = 'MED BOX'
              AND l_quantity < (SELECT 0.2 * avg(l_quantity) FROM lineitem WHERE l_partkey = p_partkey)`,
    },
    {
      id: 'Q18',
      title: 'large volume customer',
      sql: `SELECT c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice, sum(l_quantity) AS sum_qty
            FROM customer, orders, lineitem
            WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey HAVING sum(l_quantity) > 300)
              AND c_custkey = o_custkey AND o_orderkey = l_orderkey
            GROUP BY c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice
            ORDER BY o_totalprice DESC, o_orderdate, o_orderkey
            LIMIT 100`,
    },
    {
      id: 'Q19',
      title: 'discounted revenue',
      sql: `SELECT sum(l_extendedprice * (1 - l_discount)) AS revenue
            FROM lineitem, part
            WHERE (p_partkey = l_partkey AND p_brand = 'Brand#12' AND p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
                   AND l_quantity >= 1 AND l_quantity <= 1 + 10 AND p_size BETWEEN 1 AND 5
                   AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')
               OR (p_partkey = l_partkey AND p_brand = 'Brand#23' AND p_container IN ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK')
                   AND l_quantity >= 10 AND l_quantity <= 10 + 10 AND p_size BETWEEN 1 AND 10
                   AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')
               OR (p_partkey = l_partkey AND p_brand = 'Brand#34' AND p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
                   AND l_quantity >= 20 AND l_quantity <= 20 + 10 AND p_size BETWEEN 1 AND 15
                   AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')`,
    },
    {
      id: 'Q20',
      title: 'potential part promotion',
      sql: `SELECT s_name, s_address
            FROM supplier, nation
            WHERE s_suppkey IN (SELECT ps_suppkey FROM partsupp
                                WHERE ps_partkey IN (SELECT p_partkey FROM part WHERE p_name LIKE 'forest%')
                                  AND ps_availqty > (SELECT 0.5 * sum(l_quantity) FROM lineitem
                                                     WHERE l_partkey = ps_partkey AND l_suppkey = ps_suppkey
                                                       AND l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1994-01-01' + INTERVAL '1' YEAR))
              AND s_nationkey = n_nationkey AND n_name = 'CANADA'
            ORDER BY s_name`,
    },
    {
      id: 'Q21',
      title: 'suppliers who kept orders waiting',
      sql: `SELECT s_name, count(*) AS numwait
            FROM supplier, lineitem l1, orders, nation
            WHERE s_suppkey = l1.l_suppkey AND o_orderkey = l1.l_orderkey AND o_orderstatus = 'F' AND l1.l_receiptdate > l1.l_commitdate
              AND EXISTS (SELECT * FROM lineitem l2 WHERE l2.l_orderkey = l1.l_orderkey AND l2.l_suppkey <> l1.l_suppkey)
              AND NOT EXISTS (SELECT * FROM lineitem l3 WHERE l3.l_orderkey = l1.l_orderkey AND l3.l_suppkey <> l1.l_suppkey
                                AND l3.l_receiptdate > l3.l_commitdate)
              AND s_nationkey = n_nationkey AND n_name = 'SAUDI ARABIA'
            GROUP BY s_name
            ORDER BY numwait DESC, s_name
            LIMIT 100`,
    },
    {
      id: 'Q22',
      title: 'global sales opportunity',
      sql: `SELECT cntrycode, count(*) AS numcust, sum(c_acctbal) AS totacctbal
            FROM (SELECT substring(c_phone FROM 1 FOR 2) AS cntrycode, c_acctbal
                  FROM customer
                  WHERE substring(c_phone FROM 1 FOR 2) IN (${CODES22})
                    AND c_acctbal > (SELECT avg(c_acctbal) FROM customer WHERE c_acctbal > 0.00 AND substring(c_phone FROM 1 FOR 2) IN (${CODES22}))
                    AND NOT EXISTS (SELECT * FROM orders WHERE o_custkey = c_custkey)) AS custsale
            GROUP BY cntrycode
            ORDER BY cntrycode`,
    },
  ];
}

/** A first execution longer than this is the measurement itself (no further runs). */
const SINGLE_RUN_MS = 5_000;
/** No new timed run after this much timed work. */
const MAX_MS = 8_000;

/**
 * One query on the four: lakegres and PostgreSQL over the wire, DuckDB in-process on its own
 * tables and on the lake's Parquet files. The first execution is the warm-up and gives the rows
 * compared between systems; then the median of up to ctx.runs timed runs (or the first
 * execution alone when it took more than SINGLE_RUN_MS). PostgreSQL runs under statement_timeout.
 */
async function tpchMetric(ctx: Ctx, q: TpchQuery, parquet: DuckDBConnection | undefined, pgTimeoutMs: number, rowCounts: string[], notes: string[]): Promise<Metric> {
  const results: Partial<Record<System | 'parquet', Rows>> = {};
  const measure = (key: System | 'parquet', run: () => Promise<Rows>): Promise<Cell> =>
    cell(async () => {
      const t = now();
      results[key] = await run();
      const first = now() - t;
      if (first > SINGLE_RUN_MS) return { value: first, note: '1 run' };
      return latency(run, { warmup: 0, runs: ctx.runs, maxMs: MAX_MS });
    });
  const cells: Metric['cells'] = {};
  cells.lakegres = await measure('lakegres', async () => wireRows(await ensureControl(ctx, 'lakegres'), q.sql));
  cells.duckdb = await measure('duckdb', () => duckRows(ctx.duck.conn, q.sql));
  const pgc = await ensureControl(ctx, 'postgres');
  await pgc.query(`SET statement_timeout = ${pgTimeoutMs}`);
  cells.postgres = await measure('postgres', async () => wireRows(await ensureControl(ctx, 'postgres'), q.sql));
  if ((cells.postgres.error ?? '').startsWith('[57014]')) cells.postgres = { error: `timed out: statement_timeout ${pgTimeoutMs / 1000} s` };
  const m: Metric = { name: `${q.id} ${q.title}`, unit: 'ms', better: 'lower', cells };
  if (parquet) m.parquet = await measure('parquet', () => duckRows(parquet, q.sql));
  checkResults(m.name, results, notes);
  if (results.lakegres && results.parquet) {
    const diff = sameRows(results.lakegres, results.parquet);
    if (diff) notes.push(`RESULT MISMATCH in "${m.name}": lakegres vs DuckDB on the lake's Parquet files: ${diff}`);
  }
  const rows = results.lakegres ?? results.duckdb ?? results.postgres;
  rowCounts.push(`${q.id} ${rows ? rows.length : '?'}`);
  return m;
}

/** Geometric mean over the queries of other / lakegres, and the queries left out of it. */
function speedup(metrics: Metric[], other: (m: Metric) => Cell | undefined, otherName: string): { g?: number; n: number; left: string[] } {
  const fs: number[] = [];
  const left: string[] = [];
  for (const m of metrics) {
    const l = m.cells.lakegres;
    const o = other(m);
    if (l?.value !== undefined && o?.value !== undefined && l.value > 0 && o.value > 0) fs.push(o.value / l.value);
    else left.push(`${m.name.split(' ')[0]} (${l?.value === undefined ? `lakegres: ${l?.error ?? 'not measured'}` : `${otherName}: ${o?.error ?? 'not measured'}`})`);
  }
  return { g: geomean(fs), n: fs.length, left };
}

export async function tpchWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const errors = await ensureTpch(ctx);
  loadErrorNotes(errors, notes);
  const n = tpchCounts(ctx.sizes.lineitem);
  let parquet: DuckDBConnection | undefined;
  try {
    parquet = await parquetConnection(ctx, ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem']);
  } catch (e) {
    notes.push(`DuckDB on the lake's Parquet files not measured: ${errorText(e)}`);
  }
  const pgTimeoutMs = ctx.full ? 180_000 : 60_000;
  const queries: Metric[] = [];
  const rowCounts: string[] = [];
  for (const q of tpchQueries(n.sf)) {
    ctx.log(`tpch: ${q.id}`);
    queries.push(await tpchMetric(ctx, q, parquet, pgTimeoutMs, rowCounts, notes));
  }
  parquet?.closeSync();
  try {
    await (await ensureControl(ctx, 'postgres')).query('RESET statement_timeout');
  } catch {
    // the next workload reconnects if needed
  }

  const vsParquet = speedup(queries, (m) => m.parquet, 'DuckDB on lake Parquet');
  const vsPg = speedup(queries, (m) => m.cells.postgres, 'PostgreSQL');
  const leftOut = (s: ReturnType<typeof speedup>) => (s.left.length ? ` (${s.n} of 22 queries; left out: ${s.left.join('; ')})` : ' (all 22 queries)');
  const targets = [
    targetLine('issue 3: TPC-H geomean of DuckDB-on-lake-Parquet time / lakegres time', vsParquet.g, 0.9, true) + leftOut(vsParquet),
    targetLine('issue 3: TPC-H geomean of PostgreSQL time / lakegres time', vsPg.g, 10, true) + leftOut(vsPg),
  ];

  const fmtN = (x: number) => x.toLocaleString('en-US');
  notes.push(
    `Scale factor ${Number(n.sf.toFixed(4))}: lineitem about ${fmtN(n.lineitem)} (1 to 7 lines per order), orders ${fmtN(n.orders)}, customer ${fmtN(n.customer)}, part ${fmtN(n.part)}, partsupp ${fmtN(n.partsupp)}, supplier ${fmtN(n.supplier)}, nation 25, region 5: every column of TPC-H (decimal(15,2) money, dates, strings), made by deterministic DuckDB SQL (range() and hash()) with dbgen's value rules (bench/data.ts).`,
    "Loads: lakegres runs the generating DuckDB SQL itself through the wire (lineitem: CREATE TABLE + INSERT ... SELECT; the others: CREATE TABLE AS); DuckDB runs the same statements in-process; PostgreSQL gets the same rows as CSV (exported by DuckDB, export not timed) through COPY FROM STDIN, then primary keys, indexes on the join columns (l_partkey, l_suppkey, ps_suppkey, o_custkey, c_nationkey, s_nationkey, n_regionkey) and ANALYZE (timed separately). So load rows compare different paths: each system's natural bulk path.",
    `Queries: the 22 TPC-H queries with the spec's validation parameters (Q11's fraction 0.0001/SF = ${fraction(n.sf)}; Q15's view as a CTE; unique ORDER BY tie-breakers added; Q8, Q14, Q17 rounded). First execution = warm-up, its rows compared between the systems; then the median of up to ${ctx.runs} timed runs (none started after ${MAX_MS / 1000} s; a first execution over ${SINGLE_RUN_MS / 1000} s is the measurement, "1 run"). PostgreSQL: statement_timeout ${pgTimeoutMs / 1000} s per query, parallel query on (max_parallel_workers_per_gather default 2), work_mem 64MB, shared_buffers 512MB.`,
    `Result rows per query: ${rowCounts.join(', ')}.`,
  );
  return { name: 'tpch', title: '4. TPC-H, 22 queries (latency per query)', metrics: [...(ctx.tpchLoad ?? []), ...queries], notes, errors: [], seconds: 0, targets };
}
