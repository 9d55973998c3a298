/** 3. Point-ish queries on a lake table: filtered count, small ranges, lookups by id. */
import type { Ctx } from '../context.js';
import { ensurePoints } from '../data.js';
import type { Metric, WorkloadResult } from '../harness.js';
import { loadErrorNotes, parquetConnection, queryMetric, type QuerySpec } from './common.js';

export async function pointWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const errors = await ensurePoints(ctx);
  loadErrorNotes(errors, notes);
  const n = ctx.sizes.points;
  const mid = Math.floor(n / 2);
  const pick = Math.floor(n * 0.777);
  let parquet;
  try {
    parquet = await parquetConnection(ctx, ['points']);
  } catch (e) {
    notes.push(`DuckDB on the lake's Parquet files not measured: ${(e as Error).message}`);
  }
  // A fixed pseudo-random sequence of ids so that every system looks up the same ones.
  const idAt = (i: number) => ((i + 10) * 2654435761) % n;
  const queries: QuerySpec[] = [
    { name: 'filtered count (k = 42)', sql: 'SELECT count(*) FROM points WHERE k = 42' },
    { name: 'lookup by id (literal)', sql: `SELECT id, k, g, v, s FROM points WHERE id = ${pick}` },
    { name: 'lookup by id ($1, extended, varying id)', sql: 'SELECT id, k, g, v, s FROM points WHERE id = $1', params: (i) => [idAt(i)] },
    { name: 'id range, 50 rows', sql: `SELECT id, k, v, s FROM points WHERE id BETWEEN ${mid} AND ${mid + 49} ORDER BY id` },
    { name: 'top 10 by v where k = 7', sql: 'SELECT id, v FROM points WHERE k = 7 ORDER BY v DESC, id LIMIT 10' },
    { name: 'group by g where k < 20 (first 10 groups)', sql: 'SELECT g, count(*), sum(v) FROM points WHERE k < 20 GROUP BY g ORDER BY g LIMIT 10' },
  ];
  const metrics: Metric[] = [];
  for (const q of queries) {
    metrics.push(await queryMetric(ctx, { ...q, parquet }, { warmup: 2, runs: 11, maxMs: 700 }, notes));
  }
  parquet?.closeSync();
  notes.push(
    `Table points: ${n.toLocaleString('en-US')} rows (id, k, g, v, s). lakegres: a lake table made by CREATE TABLE AS; DuckDB: a native table; PostgreSQL: heap with a primary key on id (lookups use the B-tree index, the others rely on zone maps / min-max statistics).`,
    'Latency = median of up to 11 runs (runs stop after ~0.7 s) after 2 warm-ups, one connection; results of the first run are compared between systems.',
    'Last column: the same SQL in the embedded DuckDB over the Parquet files lakegres wrote (read_parquet views): what the engine alone costs on the lake data.',
  );
  return { name: 'point', title: '3. Point-ish queries on a lake table (latency per query)', metrics, notes, errors: [], seconds: 0 };
}
