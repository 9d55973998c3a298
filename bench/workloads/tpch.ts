/** 4. Analytical queries on a TPC-H-like schema (generated with DuckDB SQL), plus the load times. */
import type { Ctx } from '../context.js';
import { ensureTpch, tpchCounts } from '../data.js';
import type { Metric, WorkloadResult } from '../harness.js';
import { loadErrorNotes, parquetConnection, queryMetric, type QuerySpec } from './common.js';

export const TPCH_QUERIES: QuerySpec[] = [
  {
    name: 'Q1 pricing summary (scan + group by)',
    sql: `SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
            sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
            avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order
          FROM lineitem WHERE l_shipdate <= DATE '1998-09-02'
          GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus`,
  },
  {
    name: 'Q3 shipping priority (3-way join, top 10)',
    sql: `SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority
          FROM customer, orders, lineitem
          WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
            AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15'
          GROUP BY l_orderkey, o_orderdate, o_shippriority
          ORDER BY revenue DESC, o_orderdate, l_orderkey LIMIT 10`,
  },
  {
    name: 'Q5 local supplier volume (6-way join)',
    sql: `SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
          FROM customer, orders, lineitem, supplier, nation, region
          WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey
            AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey
            AND r_name = 'ASIA' AND o_orderdate >= DATE '1994-01-01' AND o_orderdate < DATE '1995-01-01'
          GROUP BY n_name ORDER BY revenue DESC, n_name`,
  },
  {
    name: 'Q6 forecast revenue (filtered scan)',
    sql: `SELECT sum(l_extendedprice * l_discount) AS revenue FROM lineitem
          WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01'
            AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24`,
  },
  {
    name: 'Q12 shipping modes (join + CASE)',
    sql: `SELECT l_shipmode,
            sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH' THEN 1 ELSE 0 END) AS high_line_count,
            sum(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH' THEN 1 ELSE 0 END) AS low_line_count
          FROM orders, lineitem
          WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate
            AND l_shipdate < l_commitdate AND l_receiptdate >= DATE '1994-01-01' AND l_receiptdate < DATE '1995-01-01'
          GROUP BY l_shipmode ORDER BY l_shipmode`,
  },
];

export async function tpchWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const errors = await ensureTpch(ctx);
  loadErrorNotes(errors, notes);
  let parquet;
  try {
    parquet = await parquetConnection(ctx, ['region', 'nation', 'customer', 'supplier', 'orders', 'lineitem']);
  } catch (e) {
    notes.push(`DuckDB on the lake's Parquet files not measured: ${(e as Error).message}`);
  }
  const metrics: Metric[] = [...(ctx.tpchLoad ?? [])];
  for (const q of TPCH_QUERIES) {
    metrics.push(await queryMetric(ctx, { ...q, parquet }, { warmup: 1, runs: ctx.runs, maxMs: 8_000 }, notes));
  }
  parquet?.closeSync();
  const n = tpchCounts(ctx.sizes.lineitem);
  notes.push(
    `Sizes: lineitem ${n.lineitem.toLocaleString('en-US')}, orders ${n.orders.toLocaleString('en-US')}, customer ${n.customer.toLocaleString('en-US')}, supplier ${n.supplier.toLocaleString('en-US')}, nation 25, region 5 (decimal(15,2) money columns, dates, short strings).`,
    "Loads: lakegres runs the generating DuckDB SQL itself through the wire (lineitem: CREATE TABLE + INSERT ... SELECT; the others: CREATE TABLE AS); DuckDB runs the same statements in-process; PostgreSQL gets the same rows as CSV (exported by DuckDB, export not timed) through COPY FROM STDIN, then primary keys and ANALYZE (timed separately). So load rows compare different paths: each system's natural bulk path.",
    `Queries: median of ${ctx.runs} runs after 1 warm-up; results of the warm-up are compared between systems. PostgreSQL: parallel query on (max_parallel_workers_per_gather default 2), work_mem 64MB, shared_buffers 512MB.`,
  );
  return { name: 'tpch', title: '4. Analytical queries, TPC-H-like (latency per query)', metrics, notes, errors: [], seconds: 0 };
}
