/**
 * 12. Small files (issue 4 §7): a lake table made of many small data files (10,000 with --full),
 * queried before and after `CALL ducklake_merge_adjacent_files('lake', 'sf')`: the speed-up ratio.
 *
 * The files are written the way they appear in practice, one small autocommit INSERT each, with
 * the table's inlining limit set to 0 (otherwise inserts this small would be inlined into the
 * catalog instead of written as files), from several connections at once, bounded in time.
 * PostgreSQL and DuckDB hold the same rows (loaded in one statement) as references; "DuckDB on
 * lake Parquet" reads the table's live files (before: all the small ones, after: the merged ones).
 */
import pg from 'pg';
import type { Ctx } from '../context.js';
import { ensureControl } from '../context.js';
import { cell, errorText, latency, now, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import { checkResults, duckRows, wireRows, type Rows } from './common.js';

const TABLE = 'sf';
const ROWS_PER_FILE = 100;
const CONNECTIONS = 4;
/** How long creating the files may take at most (the run goes on with the files made by then). */
const CREATE_BUDGET_MS = { default: 300_000, full: 1_800_000 };
const MERGE_TIMEOUT_MS = 1_800_000;

const genSql = (from: number, to: number) =>
  `SELECT i::BIGINT AS id, (i % 100)::INTEGER AS k, i::DOUBLE / 4 AS v, 'r' || i::VARCHAR AS s FROM range(${from}, ${to}) t(i)`;

export async function smallFilesWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const errors: string[] = [];
  const target = ctx.sizes.smallFiles;
  const budget = ctx.full ? CREATE_BUDGET_MS.full : CREATE_BUDGET_MS.default;
  const lgc = await ensureControl(ctx, 'lakegres');

  // 1. The table with `target` small files (lakegres), the same rows elsewhere.
  let made = 0;
  let failed = 0;
  /** INSERT statements started (made + failed). */
  let attempted = 0;
  let createMs = NaN;
  let setupError: string | undefined;
  try {
    await lgc.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await lgc.query(`CREATE TABLE ${TABLE} (id bigint, k integer, v double precision, s text)`);
    await lgc.query(`CALL ducklake_set_option('lake', 'data_inlining_row_limit', 0, table_name => '${TABLE}')`);
    const cs: pg.Client[] = [];
    try {
      for (let i = 0; i < CONNECTIONS; i++) cs.push(await ctx.lg.client());
      let next = 0;
      let reported = 0;
      const t0 = now();
      await Promise.all(
        cs.map(async (c) => {
          while (next < target && now() - t0 < budget) {
            const i = next++;
            try {
              await c.query(`INSERT INTO ${TABLE} ${genSql(i * ROWS_PER_FILE, (i + 1) * ROWS_PER_FILE)}`);
              made++;
            } catch (e) {
              failed++;
              if (failed === 1) errors.push(`lakegres: INSERT of file ${i} failed: ${errorText(e)}`);
            }
            if (made - reported >= Math.max(100, target / 10)) {
              reported = made;
              ctx.log(`smallfiles: ${made.toLocaleString('en-US')} of ${target.toLocaleString('en-US')} files, ${((made / (now() - t0)) * 1000).toFixed(1)} files/s`);
            }
          }
        }),
      );
      createMs = now() - t0;
      if (next < target) notes.push(`Creating the files stopped at the time budget of ${budget / 1000} s: ${next.toLocaleString('en-US')} of ${target.toLocaleString('en-US')} statements made.`);
      attempted = next;
    } finally {
      await Promise.all(cs.map((c) => c.end().catch(() => undefined)));
    }
  } catch (e) {
    setupError = errorText(e);
    errors.push(`lakegres setup: ${setupError}`);
  }
  // Rows the other systems get: those of every statement attempted (a failed one shows as a mismatch).
  const rows = attempted * ROWS_PER_FILE;
  const liveFiles = async (): Promise<string[]> => {
    const r = await wireRows(await ensureControl(ctx, 'lakegres'), `SELECT data_file FROM ducklake_list_files('lake', '${TABLE}')`);
    return r.map((x) => String(x[0]));
  };
  let filesBefore: string[] = [];
  try {
    filesBefore = await liveFiles();
  } catch (e) {
    errors.push(`ducklake_list_files: ${errorText(e)}`);
  }
  const pgc = await ensureControl(ctx, 'postgres');
  await pgc.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgc.query(`CREATE TABLE ${TABLE} AS SELECT i::bigint AS id, (i % 100)::int AS k, i::float8 / 4 AS v, 'r' || i AS s FROM generate_series(0, ${rows - 1}) AS g(i)`);
  await pgc.query(`ALTER TABLE ${TABLE} ADD PRIMARY KEY (id)`);
  await pgc.query(`VACUUM ANALYZE ${TABLE}`);
  await ctx.duck.conn.run(`DROP TABLE IF EXISTS ${TABLE}`);
  await ctx.duck.conn.run(`CREATE TABLE ${TABLE} AS ${genSql(0, rows)}`);

  // 2. The queries, before and after the merge.
  const queries = [
    { name: 'count/sum/min/max scan', sql: `SELECT count(*), sum(v), min(s), max(s) FROM ${TABLE}` },
    { name: 'lookup by id', sql: `SELECT id, k, v, s FROM ${TABLE} WHERE id = ${Math.floor(rows / 2) + 7}` },
  ];
  const opts = { warmup: 1, runs: ctx.runs, maxMs: 20_000 };
  type Phase = { first: Cell; warm: Cell; parquet: Cell; rows?: Rows };
  const measure = async (sql: string, files: string[]): Promise<Phase> => {
    let first: Cell = { error: 'not run' };
    let rowsOut: Rows | undefined;
    const warm = await cell(async () => {
      if (setupError) throw new Error(setupError);
      const c = await ensureControl(ctx, 'lakegres');
      const t0 = now();
      rowsOut = await wireRows(c, sql);
      first = { value: now() - t0 };
      return latency(() => wireRows(c, sql), { ...opts, warmup: 0 });
    });
    const parquet = await cell(async () => {
      if (!files.length) throw new Error('no live files listed');
      const conn = await ctx.duck.instance.connect();
      try {
        await conn.run(`CREATE OR REPLACE TEMP VIEW ${TABLE} AS SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`);
        return await latency(() => duckRows(conn, sql), opts);
      } finally {
        conn.closeSync();
      }
    }, 'in-process');
    return { first, warm, parquet, rows: rowsOut };
  };
  const reference = async (sql: string) => {
    const got: Partial<Record<'duckdb' | 'postgres', Rows>> = {};
    const duck = await cell(async () => {
      got.duckdb = await duckRows(ctx.duck.conn, sql);
      return latency(() => duckRows(ctx.duck.conn, sql), opts);
    }, 'in-process');
    const pgCell = await cell(async () => {
      const c = await ensureControl(ctx, 'postgres');
      got.postgres = await wireRows(c, sql);
      return latency(() => wireRows(c, sql), opts);
    });
    return { duck, pg: pgCell, got };
  };
  const before: Phase[] = [];
  const refs: Awaited<ReturnType<typeof reference>>[] = [];
  for (const q of queries) {
    before.push(await measure(q.sql, filesBefore));
    refs.push(await reference(q.sql));
    checkResults(`${q.name} before the merge`, { lakegres: before.at(-1)!.rows, ...refs.at(-1)!.got }, notes);
  }
  ctx.log(`smallfiles: queries before the merge done (${filesBefore.length.toLocaleString('en-US')} files)`);

  const merge = await cell(async () => {
    if (setupError) throw new Error(setupError);
    const c = await ctx.lg.client({ query_timeout: MERGE_TIMEOUT_MS });
    try {
      const t0 = now();
      await c.query(`CALL ducklake_merge_adjacent_files('lake', '${TABLE}')`);
      return now() - t0;
    } finally {
      await c.end().catch(() => undefined);
    }
  });
  let filesAfter: string[] = [];
  try {
    filesAfter = await liveFiles();
  } catch (e) {
    errors.push(`ducklake_list_files after the merge: ${errorText(e)}`);
  }
  const after: Phase[] = [];
  for (const q of queries) {
    after.push(await measure(q.sql, filesAfter));
    checkResults(`${q.name} after the merge`, { lakegres: after.at(-1)!.rows, ...refs[queries.indexOf(q)]!.got }, notes);
  }

  const nb = filesBefore.length.toLocaleString('en-US');
  const na = filesAfter.length.toLocaleString('en-US');
  const speedup = (b: Cell, a: Cell, note?: string): Cell => (b.value !== undefined && a.value !== undefined ? { value: b.value / a.value, note } : { error: b.error ?? a.error ?? 'n/a' });
  const metrics: Metric[] = [
    {
      name: `create ${made.toLocaleString('en-US')} files: INSERTs of ${ROWS_PER_FILE} rows over ${CONNECTIONS} connections, inlining off`,
      unit: 'ms',
      better: 'lower',
      cells: { lakegres: Number.isFinite(createMs) ? { value: createMs, note: `${((made / createMs) * 1000).toFixed(1)} files/s` } : { error: setupError ?? 'n/a' } },
      noSummary: true,
    },
  ];
  const fileCount = (n: number, text: string) => `${text} file${n === 1 ? '' : 's'}`;
  queries.forEach((q, i) => {
    const b = before[i]!;
    const ref = refs[i]!;
    metrics.push(
      { name: `${q.name}, before the merge (${nb} files), first execution`, unit: 'ms', better: 'lower', cells: { lakegres: b.first }, noSummary: true },
      { name: `${q.name}, before the merge (${nb} files)`, unit: 'ms', better: 'lower', cells: { lakegres: b.warm, duckdb: ref.duck, postgres: ref.pg }, parquet: b.parquet, noSummary: ['duckdb'] },
    );
  });
  metrics.push({ name: `CALL ducklake_merge_adjacent_files('lake', '${TABLE}')`, unit: 'ms', better: 'lower', cells: { lakegres: merge }, noSummary: true });
  queries.forEach((q, i) => {
    const a = after[i]!;
    const ref = refs[i]!;
    metrics.push(
      { name: `${q.name}, after the merge (${fileCount(filesAfter.length, na)}), first execution`, unit: 'ms', better: 'lower', cells: { lakegres: a.first }, noSummary: true },
      { name: `${q.name}, after the merge (${fileCount(filesAfter.length, na)})`, unit: 'ms', better: 'lower', cells: { lakegres: a.warm, duckdb: ref.duck, postgres: ref.pg }, parquet: a.parquet, noSummary: ['duckdb'] },
    );
  });
  queries.forEach((q, i) => {
    metrics.push({
      name: `${q.name}: speed-up from merging (before / after)`,
      unit: 'x',
      better: 'higher',
      cells: { lakegres: speedup(before[i]!.warm, after[i]!.warm) },
      parquet: speedup(before[i]!.parquet, after[i]!.parquet, 'in-process'),
      noSummary: true,
      noRatio: true,
    });
  });
  notes.push(
    `Table ${TABLE} (id bigint, k integer, v double precision, s text) with data_inlining_row_limit 0 for this table; each file = one autocommit INSERT ... SELECT of ${ROWS_PER_FILE} rows (${CONNECTIONS} connections at once, at most ${budget / 1000} s); ${rows.toLocaleString('en-US')} rows in all${failed ? `, ${failed} INSERTs failed` : ''}. PostgreSQL (primary key on id) and DuckDB hold the same rows in one table each: references, unaffected by the merge.`,
    `Queries: median of ${ctx.runs} runs after the first execution (shown separately: it includes building the table's view over the files); "DuckDB on lake Parquet" = read_parquet over the live files ducklake_list_files names (before: ${nb}, after: ${na}), in-process.`,
    'The merge writes one file per run of adjacent small files up to target_file_size (512 MB by default); the old files are only scheduled for deletion.',
  );
  if (failed) notes.push(`${failed} of ${attempted} INSERT statements failed (first error listed below).`);
  return { name: 'smallfiles', title: `12. A table of ${target.toLocaleString('en-US')} small files before and after ducklake_merge_adjacent_files`, metrics, notes, errors, seconds: 0 };
}
