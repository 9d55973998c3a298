/**
 * 15. Micro-batch ingestion (issue 3 §8): a fixed number of single-row autocommit INSERTs (10,000
 * with --full) from 8 concurrent clients into one lake table: commits/s, latency, and how many data
 * files and snapshots the lake gained (data inlining keeps it far below one file per row), on
 * lakegres with its embedded catalog and with a PostgreSQL catalog, against PostgreSQL and DuckDB
 * in-process doing the same inserts.
 */
import pg from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Ctx } from '../context.js';
import { cell, errorText, now, percentile, targetLine, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import type { LakegresProcess } from '../systems.js';
import { checkResults, type Rows } from './common.js';

const CLIENTS = 8;
const TABLE = 'ingest_events';
const CREATE = `CREATE TABLE ${TABLE} (id bigint, device text, reading double precision, taken_at timestamptz)`;
const INSERT = `INSERT INTO ${TABLE} (id, device, reading, taken_at) VALUES ($1, $2, $3, now())`;
const CHECK = `SELECT count(*), sum(id), count(DISTINCT device) FROM ${TABLE}`;
const values = (i: number): [number, string, number] => [i, `device-${i % 97}`, i * 0.25];

interface Run {
  ok: number;
  errors: number;
  firstError?: string;
  ms: number;
  latencies: number[];
}

/** `inserts` statements from CLIENTS workers pulling ids from one counter; stops at `maxMs`. */
async function ingest(runners: ((i: number) => Promise<unknown>)[], inserts: number, maxMs: number): Promise<Run> {
  const r: Run = { ok: 0, errors: 0, ms: 0, latencies: [] };
  let next = 0;
  const t0 = now();
  const deadline = t0 + maxMs;
  await Promise.all(
    runners.map(async (run) => {
      while (next < inserts && now() < deadline) {
        const i = next++;
        const s = now();
        try {
          await run(i);
          r.ok++;
          r.latencies.push(now() - s);
        } catch (e) {
          r.errors++;
          r.firstError ??= errorText(e);
        }
      }
    }),
  );
  r.ms = now() - t0;
  return r;
}

interface LakeCounts {
  files: number;
  snapshots: number;
}

async function lakeCounts(c: pg.Client): Promise<LakeCounts> {
  const files = await c.query(`SELECT coalesce(sum(file_count), 0)::bigint AS n FROM ducklake_table_info('lake') WHERE table_name = '${TABLE}'`);
  const snaps = await c.query(`SELECT count(*)::bigint AS n FROM ducklake_snapshots('lake')`);
  return { files: Number(files.rows[0].n), snapshots: Number(snaps.rows[0].n) };
}

interface WireResult {
  run: Run;
  /** Lake files and snapshots gained by the inserts, then files after ducklake_flush_inlined_data (lakegres only). */
  lake?: { files: number; snapshots: number; filesAfterFlush: number };
}

async function onWire(config: pg.ClientConfig, lake: boolean, inserts: number, maxMs: number, result: (r: Rows) => void): Promise<WireResult> {
  const admin = new pg.Client(config);
  admin.on('error', () => undefined);
  await admin.connect();
  const clients: pg.Client[] = [];
  try {
    await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await admin.query(CREATE);
    for (let i = 0; i < CLIENTS; i++) {
      const c = new pg.Client(config);
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
    }
    const before = lake ? await lakeCounts(admin) : undefined;
    const run = await ingest(
      clients.map((c) => (i) => c.query(INSERT, values(i))),
      inserts,
      maxMs,
    );
    result((await admin.query({ text: CHECK, rowMode: 'array' })).rows as Rows);
    if (!lake || !before) return { run };
    const after = await lakeCounts(admin);
    await admin.query(`CALL ducklake_flush_inlined_data('lake', table_name => '${TABLE}')`);
    const flushed = await lakeCounts(admin);
    return { run, lake: { files: after.files - before.files, snapshots: after.snapshots - before.snapshots, filesAfterFlush: flushed.files } };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await admin.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

async function onDuck(ctx: Ctx, inserts: number, maxMs: number, result: (r: Rows) => void): Promise<Run> {
  await ctx.duck.conn.run(`DROP TABLE IF EXISTS ${TABLE}`);
  await ctx.duck.conn.run(CREATE);
  const conns: DuckDBConnection[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) conns.push(await ctx.duck.instance.connect());
    const run = await ingest(
      conns.map((conn) => (i) => {
        const [id, device, reading] = values(i);
        return conn.run(INSERT, [BigInt(id), device, reading] as never);
      }),
      inserts,
      maxMs,
    );
    result((await ctx.duck.conn.runAndReadAll(CHECK)).getRowsJson() as Rows);
    return run;
  } finally {
    for (const c of conns) c.closeSync();
    await ctx.duck.conn.run(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
  }
}

export async function ingestWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const inserts = ctx.sizes.ingestInserts;
  const maxMs = ctx.full ? 20 * 60_000 : 5 * 60_000;
  const notes: string[] = [];
  const errors: string[] = [];
  const got: Partial<Record<'lakegres' | 'duckdb' | 'postgres', Rows>> = {};
  let gotPg: Rows | undefined;
  const runs: { label: string; r?: WireResult; error?: string }[] = [];
  const wire = async (label: string, f: () => Promise<WireResult>) => {
    try {
      runs.push({ label, r: await f() });
    } catch (e) {
      runs.push({ label, error: errorText(e) });
    }
    ctx.log(`ingest: ${label} done`);
    return runs[runs.length - 1]!;
  };
  const lg = await wire('lakegres (embedded catalog)', () => onWire(ctx.lg.config(), true, inserts, maxMs, (r) => (got.lakegres = r)));
  const lgPg = await wire('lakegres (PostgreSQL catalog)', async () => {
    const p: LakegresProcess = await ctx.pgCatalog();
    return onWire(p.config(), true, inserts, maxMs, (r) => (gotPg = r));
  });
  const pgRun = await wire('PostgreSQL', () => onWire(ctx.pgs.config(), false, inserts, maxMs, (r) => (got.postgres = r)));
  let duck: Run | undefined;
  let duckError: string | undefined;
  try {
    duck = await onDuck(ctx, inserts, maxMs, (r) => (got.duckdb = r));
  } catch (e) {
    duckError = errorText(e);
  }
  checkResults('table after the inserts (embedded catalog)', got, notes);
  if (gotPg) checkResults('table after the inserts (PostgreSQL catalog)', { lakegres: gotPg, postgres: got.postgres }, notes);

  const runCell = (r: Run | undefined, error: string | undefined, f: (r: Run) => number, note?: string): Cell => {
    if (!r) return { error: error ?? 'not run' };
    if (r.ok === 0) return { error: r.firstError ?? 'every statement failed' };
    return { value: f(r), note: r.ok < inserts ? `${r.ok} of ${inserts}` : note };
  };
  const wireCell = (w: { r?: WireResult; error?: string }, f: (r: Run) => number) => runCell(w.r?.run, w.error, f);
  const duckCell = (f: (r: Run) => number) => runCell(duck, duckError, f, 'in-process');
  const rate = (r: Run) => r.ok / (r.ms / 1000);
  const p50 = (r: Run) => percentile(r.latencies, 50);
  const p99 = (r: Run) => percentile(r.latencies, 99);
  const lakeCell = (w: { r?: WireResult; error?: string }, f: (l: NonNullable<WireResult['lake']>) => number): Cell =>
    w.r?.lake ? { value: f(w.r.lake) } : { error: w.error ?? 'not measured' };

  const what = `${inserts.toLocaleString('en-US')} single-row INSERTs, ${CLIENTS} clients`;
  const metrics: Metric[] = [];
  for (const [name, unit, better, f] of [
    ['commits/s', 'commits/s', 'higher', rate],
    ['p50 latency', 'ms', 'lower', p50],
    ['p99 latency', 'ms', 'lower', p99],
  ] as const) {
    metrics.push({
      name: `${what}: ${name}, embedded catalog`,
      unit,
      better,
      cells: { lakegres: wireCell(lg, f), duckdb: duckCell(f), postgres: wireCell(pgRun, f) },
      noSummary: ['duckdb'],
    });
    metrics.push({ name: `same, PostgreSQL catalog`, unit, better, cells: { lakegres: wireCell(lgPg, f), postgres: wireCell(pgRun, f) } });
  }
  for (const [label, w] of [
    ['embedded catalog', lg],
    ['PostgreSQL catalog', lgPg],
  ] as const) {
    metrics.push({ name: `data files created by the inserts, ${label}`, unit: 'files', better: 'lower', cells: { lakegres: lakeCell(w, (l) => l.files) }, noSummary: true, noRatio: true });
    metrics.push({ name: `snapshots created by the inserts, ${label}`, unit: 'snapshots', better: 'lower', cells: { lakegres: lakeCell(w, (l) => l.snapshots) }, noSummary: true, noRatio: true });
    metrics.push({ name: `data files after ducklake_flush_inlined_data, ${label}`, unit: 'files', better: 'lower', cells: { lakegres: lakeCell(w, (l) => l.filesAfterFlush) }, noSummary: true, noRatio: true });
  }
  for (const w of [...runs, ...(duck ? [{ label: 'DuckDB in-process', r: { run: duck } }] : [])]) {
    const r = w.r?.run;
    if (r && r.errors > 0) errors.push(`${w.label}: ${r.errors} of ${r.ok + r.errors} INSERTs failed, first: ${r.firstError}`);
    if (w.error) errors.push(`${w.label}: ${w.error}`);
  }
  const lgRate = lg.r ? rate(lg.r.run) : undefined;
  const lgPgRate = lgPg.r ? rate(lgPg.r.run) : undefined;
  const targets = [
    targetLine(`issue 3: ${what}, embedded catalog`, lgRate, 1000, true, (x) => `${x.toFixed(0)} commits/s`),
    targetLine(`issue 3: ${what}, PostgreSQL catalog`, lgPgRate, 1000, true, (x) => `${x.toFixed(0)} commits/s`),
    `issue 3: inlining keeps files far below one per row: ${[lg, lgPg].map((w, i) => `${i === 0 ? 'embedded' : 'PostgreSQL'} catalog ${w.r?.lake ? `${w.r.lake.files} data files for ${w.r.run.ok} rows (${w.r.lake.filesAfterFlush} after flushing the inlined rows)` : 'not measured'}`).join('; ')}`,
  ];
  notes.push(
    `${CLIENTS} connections (node-postgres, extended protocol), each taking the next id from a shared counter and running ${INSERT} in autocommit until ${inserts.toLocaleString('en-US')} statements ran (bounded at ${maxMs / 60_000} min). Wall time from the first statement to the last result; a fresh table ${CREATE.replace(`CREATE TABLE ${TABLE} `, '')} per system.`,
    'Lake counts: data files from ducklake_table_info, snapshots from ducklake_snapshots, before and after the inserts; then CALL ducklake_flush_inlined_data(\'lake\', table_name => ...) writes the inlined rows out. lakegres runs with the default data_inlining_row_limit, so every single-row INSERT lands in the catalog\'s inlined-data table, not in a Parquet file.',
    'DuckDB column: the same inserts on 8 in-process connections to a file-backed DuckDB (no wire, no lake): a floor. PostgreSQL: a heap table without indexes, fsync on.',
  );
  return { name: 'ingest', title: `15. Micro-batch ingestion: ${what} into one lake table`, metrics, notes, errors, seconds: 0, targets };
}
