/**
 * 13. Time travel (issue 4 §7): the same query on a lake table at an old snapshot and at the
 * latest one, after a history of updates, deletes and inserts: the cost ratio. Time travel exists
 * only in lakegres, so the table has lakegres cells only; the ratio rows are old / latest.
 */
import type pg from 'pg';
import type { Ctx } from '../context.js';
import { ensureControl } from '../context.js';
import { cell, errorText, latency, now, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import { sameRows, wireRows, type Rows } from './common.js';

const TABLE = 'tt';
/** History after the old snapshot: this many rounds of UPDATE 1% + DELETE 0.1% + INSERT 1,000 rows. */
const ROUNDS = 20;
const HISTORY_BUDGET_MS = 120_000;

export async function timeTravelWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const errors: string[] = [];
  const n = ctx.sizes.timeTravelRows;
  const c = await ensureControl(ctx, 'lakegres');
  const scan = (at: string) => `SELECT count(*) AS n, sum(v) AS sv, sum(k) AS sk FROM ${TABLE}${at}`;
  const lookupId = Math.floor(n / 3) + 11;
  const lookup = (at: string) => `SELECT id, k, v, s FROM ${TABLE}${at} WHERE id = ${lookupId}`;

  let old: { id: number; time: string; scan: Rows; lookup: Rows } | undefined;
  let rounds = 0;
  let historyMs = NaN;
  try {
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.query(
      `CREATE TABLE ${TABLE} AS SELECT i::BIGINT AS id, (hash(i) % 1000)::INTEGER AS k, (hash(i + 1) % 1000000)::DOUBLE / 100 AS v, md5(i::VARCHAR) AS s FROM range(${n}) t(i)`,
    );
    const snap = await wireRows(c, `SELECT snapshot_id, CAST(snapshot_time AS VARCHAR) FROM ducklake_snapshots('lake') ORDER BY snapshot_id DESC LIMIT 1`);
    old = { id: Number(snap[0]![0]), time: String(snap[0]![1]), scan: await wireRows(c, scan('')), lookup: await wireRows(c, lookup('')) };
    // Snapshot times have microseconds; the next commit must be later than the old one's time.
    await new Promise((r) => setTimeout(r, 20));
    const t0 = now();
    for (; rounds < ROUNDS && now() - t0 < HISTORY_BUDGET_MS; rounds++) {
      await c.query(`UPDATE ${TABLE} SET v = v + 1, s = 'updated' WHERE id % 100 = ${rounds}`);
      await c.query(`DELETE FROM ${TABLE} WHERE id % 1000 = ${500 + rounds}`);
      await c.query(`INSERT INTO ${TABLE} SELECT i::BIGINT, (i % 1000)::INTEGER, i::DOUBLE, 'new' FROM range(${n + rounds * 1000}, ${n + (rounds + 1) * 1000}) t(i)`);
    }
    historyMs = now() - t0;
  } catch (e) {
    errors.push(`lakegres setup: ${errorText(e)}`);
  }
  const latestSnap = await cell(async () => Number((await wireRows(c, `SELECT max(snapshot_id) FROM ducklake_snapshots('lake')`))[0]![0]));

  const opts = { warmup: 0, runs: Math.max(ctx.runs, 5), maxMs: 10_000 };
  interface Measured {
    first: Cell;
    warm: Cell;
    rows?: Rows;
  }
  /** First execution (its own) and the median of the following ones, on one connection. */
  const measure = async (sql: string, client: pg.Client = c, before?: () => Promise<unknown>): Promise<Measured> => {
    const out: Measured = { first: { error: 'not run' }, warm: { error: 'not run' } };
    out.warm = await cell(async () => {
      if (!old) throw new Error('setup failed');
      if (before) await before();
      const t0 = now();
      out.rows = await wireRows(client, sql);
      out.first = { value: now() - t0 };
      return latency(() => wireRows(client, sql), opts);
    });
    if (out.warm.error && out.first.error === 'not run') out.first = { error: out.warm.error };
    return out;
  };
  const atVersion = old ? ` AT (VERSION => ${old.id})` : '';
  const atTime = old ? ` AT (TIMESTAMP => TIMESTAMPTZ '${old.time}')` : '';
  const results = {
    scanLatest: await measure(scan('')),
    scanVersion: await measure(scan(atVersion)),
    scanTime: await measure(scan(atTime)),
    lookupLatest: await measure(lookup('')),
    lookupVersion: await measure(lookup(atVersion)),
  };
  // Session-level time travel on a connection of its own.
  let session: Measured = { first: { error: 'not run' }, warm: { error: 'not run' } };
  try {
    const s = await ctx.lg.client();
    try {
      session = await measure(scan(''), s, () => s.query(`SET lakegres.snapshot = ${old?.id ?? 0}`));
    } finally {
      await s.end().catch(() => undefined);
    }
  } catch (e) {
    session.warm = { error: errorText(e) };
  }
  // The old snapshot must show the table as it was.
  if (old) {
    const check = (label: string, got: Rows | undefined, want: Rows) => {
      if (!got) return;
      const d = sameRows(got, want);
      if (d) notes.push(`RESULT MISMATCH: ${label} differs from the table right after its creation: ${d}`);
    };
    check(`scan${atVersion}`, results.scanVersion.rows, old.scan);
    check(`scan${atTime}`, results.scanTime.rows, old.scan);
    check('scan with SET lakegres.snapshot', session.rows, old.scan);
    check(`lookup${atVersion}`, results.lookupVersion.rows, old.lookup);
    if (results.scanLatest.rows && !sameRows(results.scanLatest.rows, old.scan) && rounds > 0) notes.push('RESULT MISMATCH: the latest snapshot shows no change after the history.');
  }
  const ratio = (a: Cell, b: Cell): Cell => (a.value !== undefined && b.value !== undefined ? { value: a.value / b.value } : { error: a.error ?? b.error ?? 'n/a' });
  const oldLabel = old ? `snapshot ${old.id}` : 'old snapshot';
  const row = (name: string, cellv: Cell, unit = 'ms', better: 'lower' | 'higher' = 'lower'): Metric => ({ name, unit, better, cells: { lakegres: cellv }, noSummary: true, noRatio: unit === 'x' });
  const metrics: Metric[] = [
    row(`history: ${rounds} rounds of UPDATE 1% + DELETE 0.1% + INSERT 1,000 rows (${rounds * 3} commits)`, Number.isFinite(historyMs) ? { value: historyMs } : { error: errors[0] ?? 'n/a' }),
    row('count/sum scan, latest snapshot, first execution', results.scanLatest.first),
    row('count/sum scan, latest snapshot', results.scanLatest.warm),
    row(`count/sum scan AT (VERSION => ${old?.id ?? '?'}), first execution`, results.scanVersion.first),
    row(`count/sum scan AT (VERSION => ${old?.id ?? '?'})`, results.scanVersion.warm),
    row('count/sum scan AT (TIMESTAMP => the same snapshot\'s time)', results.scanTime.warm),
    row(`count/sum scan with SET lakegres.snapshot = ${old?.id ?? '?'}, first execution`, session.first),
    row(`count/sum scan with SET lakegres.snapshot = ${old?.id ?? '?'}`, session.warm),
    row('lookup by id, latest snapshot', results.lookupLatest.warm),
    row(`lookup by id AT (VERSION => ${old?.id ?? '?'})`, results.lookupVersion.warm),
    row(`cost ratio count/sum scan: ${oldLabel} / latest`, ratio(results.scanVersion.warm, results.scanLatest.warm), 'x'),
    row(`cost ratio count/sum scan, first executions: ${oldLabel} / latest`, ratio(results.scanVersion.first, results.scanLatest.first), 'x'),
    row(`cost ratio lookup by id: ${oldLabel} / latest`, ratio(results.lookupVersion.warm, results.lookupLatest.warm), 'x'),
  ];
  notes.push(
    `Table ${TABLE}: ${n.toLocaleString('en-US')} rows (CREATE TABLE AS; one snapshot, ${old ? `id ${old.id}` : 'not created'}), then the history (each round: UPDATE of 1% of the rows, DELETE of 0.1%, INSERT of 1,000 rows; at most ${HISTORY_BUDGET_MS / 1000} s), so the latest snapshot${latestSnap.value !== undefined ? ` (${latestSnap.value})` : ''} reads delete files and more data files while the old one reads the original file.`,
    `Queries: ${scan('')} and ${lookup('')}, at the latest snapshot and at the old one; the first execution is shown apart (a snapshot's read views are built on first use), then the median of up to ${opts.runs} runs. Results at the old snapshot are compared with the table right after its creation.`,
    'There is no PostgreSQL or DuckDB counterpart: the ratios are between lakegres\' own reads (old / latest; above 1 = time travel costs more).',
  );
  return { name: 'timetravel', title: '13. Time travel: a query at an old snapshot vs the latest', metrics, notes, errors, seconds: 0 };
}
