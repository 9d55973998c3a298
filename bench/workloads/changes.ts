/** 7. Row changes: UPDATE and DELETE of 1% of a table, single-row changes, and reads afterwards. */
import type { Ctx } from '../context.js';
import { ensureControl } from '../context.js';
import { ensurePoints } from '../data.js';
import { cell, latency, type Cell, type Metric, type RunOpts, type System, type WorkloadResult } from '../harness.js';
import { checkResults, duckRows, loadErrorNotes, wireRows, type Rows } from './common.js';

export async function changesWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  loadErrorNotes(await ensurePoints(ctx), notes);
  const n = ctx.sizes.points;
  // A fresh copy of points per system (untimed).
  const setup: Partial<Record<System, string>> = {};
  try {
    const c = await ensureControl(ctx, 'lakegres');
    await c.query('DROP TABLE IF EXISTS chg');
    await c.query('CREATE TABLE chg AS SELECT * FROM points');
  } catch (e) {
    setup.lakegres = (e as Error).message;
  }
  try {
    await ctx.duck.conn.run('DROP TABLE IF EXISTS chg');
    await ctx.duck.conn.run('CREATE TABLE chg AS SELECT * FROM points');
  } catch (e) {
    setup.duckdb = (e as Error).message;
  }
  try {
    const c = await ensureControl(ctx, 'postgres');
    await c.query('DROP TABLE IF EXISTS chg');
    await c.query('CREATE TABLE chg AS SELECT * FROM points');
    await c.query('ALTER TABLE chg ADD PRIMARY KEY (id)');
    await c.query('VACUUM ANALYZE chg');
  } catch (e) {
    setup.postgres = (e as Error).message;
  }
  loadErrorNotes(setup, notes);

  const run = async (s: System, sql: string): Promise<Rows> => {
    if (setup[s]) throw new Error(`setup failed: ${setup[s]}`);
    if (s === 'duckdb') return duckRows(ctx.duck.conn, sql);
    return wireRows(await ensureControl(ctx, s), sql);
  };
  const heavy: RunOpts = { warmup: 1, runs: ctx.runs, maxMs: 15_000 };
  const light: RunOpts = { warmup: 1, runs: 5, maxMs: 1_500 };
  const scanSql = 'SELECT count(*), sum(v), max(s) FROM chg';
  const metric = async (name: string, sqlFor: (i: number) => string, opts: RunOpts): Promise<Metric> => {
    const cells: Metric['cells'] = {};
    for (const s of ['lakegres', 'duckdb', 'postgres'] as const) {
      cells[s] = await cell(() => latency((i) => run(s, sqlFor(i)), opts), s === 'duckdb' ? 'in-process' : undefined);
    }
    return { name, unit: 'ms', better: 'lower', cells, noSummary: ['duckdb'] };
  };
  // Run indexes: warm-ups are -1, timed runs 0.. — each run changes a different 1% slice.
  const slice = (base: number, i: number) => base + i + 1;
  const metrics: Metric[] = [];
  metrics.push(await metric('count/sum scan before any change', () => scanSql, light));
  metrics.push(
    await metric(`UPDATE 1% (${(n / 100).toLocaleString('en-US')} rows): SET v = v + 1, s = 'updated'`, (i) => `UPDATE chg SET v = v + 1, s = 'updated' WHERE id % 100 = ${slice(50, i)}`, heavy),
  );
  metrics.push(await metric(`DELETE 1% (${(n / 100).toLocaleString('en-US')} rows)`, (i) => `DELETE FROM chg WHERE id % 100 = ${slice(10, i)}`, heavy));
  metrics.push(await metric('UPDATE 1 row by id', (i) => `UPDATE chg SET v = v + 1 WHERE id = ${1000 * (i + 5) + 3}`, light));
  metrics.push(await metric('DELETE 1 row by id', (i) => `DELETE FROM chg WHERE id = ${1000 * (i + 5) + 7}`, light));
  metrics.push(await metric('count/sum scan after the changes', () => scanSql, light));
  metrics.push(await metric('lookup by id after the changes', () => `SELECT id, v, s FROM chg WHERE id = ${Math.floor(n / 3)}`, light));

  // Same changes everywhere, so the same contents (unless a run was cut short by its time limit).
  const finals: Partial<Record<System, Rows>> = {};
  for (const s of ['lakegres', 'duckdb', 'postgres'] as const) {
    try {
      finals[s] = await run(s, "SELECT count(*), sum(v), count(*) FILTER (WHERE s = 'updated') FROM chg");
    } catch {
      // reported by the metrics
    }
  }
  checkResults('table contents after the changes', finals, notes);
  notes.push(
    `Table chg: a copy of points (${n.toLocaleString('en-US')} rows) per system; PostgreSQL with a primary key on id. Each timed UPDATE/DELETE hits a different 1% slice (id % 100 = const), median of ${ctx.runs} after 1 warm-up; single-row changes and reads: median of up to 5 (runs stop after ~1.5 s).`,
    'lakegres writes DuckLake delete files (and new data files for updated rows); reads then merge them. PostgreSQL updates in place (new tuple versions, index maintenance), no VACUUM in between.',
  );
  return { name: 'changes', title: '9. Row changes (UPDATE / DELETE)', metrics, notes, errors: [], seconds: 0 };
}

export type { Cell };
