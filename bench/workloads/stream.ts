/**
 * Streaming large results through the wire (issue 2 §7):
 *
 * - `stream`: a narrow table (int4, int8, float8, short text; 10M rows with --full) and
 * - `wide`: a wide one (30 mixed columns; 1M rows with --full),
 *   each in text (simple protocol) and binary (extended protocol, binary result columns):
 *   rows/s, MB/s, time to first row and the server's memory growth, against PostgreSQL serving a
 *   table with the same rows and against the same query in-process through @duckdb/node-api;
 *   `stream` also has a client that stops reading (the server must apply backpressure);
 * - `peak`: the server's peak RSS while one client streams 50M rows (--full), and a tenth of that,
 *   to show whether memory depends on the result size.
 */
import type pg from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Ctx } from '../context.js';
import { ensureControl } from '../context.js';
import { ensureTable, narrowSpec, wideSpec, type TableSpec } from '../data.js';
import { cell, median, now, sleep, targetLine, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import { CountRows } from '../pgwire.js';
import { procAvailable, procMem, resetPeak, sampler } from '../systems.js';
import { checkResults, duckRows, lakeFiles, loadErrorNotes, mb, wireRows } from './common.js';

const PAUSE_MS = 2_000;
/** Rows of the stream with a pausing client (the pause happens after 100k rows). */
const PAUSED_ROWS = 500_000;
/** Rows of the warm-up stream before the timed ones. */
const WARMUP_ROWS = 100_000;
/** No new timed run of one stream starts after this much time (at least one run is made). */
const STREAM_BUDGET_MS = 120_000;

type Wire = 'lakegres' | 'postgres';

interface StreamRun {
  ms: number;
  rows: number;
  bytes: number;
  firstRowMs: number;
  /** Peak RSS minus RSS before the query (bytes). */
  peakDelta: number;
  /** Peak RSS (bytes) of the measured processes. */
  peak: number;
  /** Peak of private anonymous memory minus before (bytes), sampled every 20 ms. */
  anonDelta: number;
}

/** The processes whose memory a stream on client `c` grows: lakegres' process or the PostgreSQL backend. */
async function serverPids(ctx: Ctx, which: Wire, c: pg.Client): Promise<number[]> {
  if (which === 'lakegres') return [ctx.lg.pid];
  const r = await c.query('SELECT pg_backend_pid() AS pid');
  return [Number(r.rows[0].pid)];
}

async function streamOnce(ctx: Ctx, which: Wire, c: pg.Client, binary: boolean, pause: boolean, sql: string): Promise<StreamRun> {
  const pids = await serverPids(ctx, which, c);
  const before = procMem(pids);
  const peakReset = resetPeak(pids);
  const anon = sampler(() => procMem(pids).anon);
  const stream = (c as unknown as { connection: { stream: NodeJS.ReadableStream } }).connection.stream;
  let paused = false;
  const q = new CountRows(sql, binary, (rows) => {
    // Once, after the first ~100k rows: stop reading for PAUSE_MS (the kernel buffers fill up,
    // the server must wait instead of buffering the rest of the result).
    if (pause && !paused && rows >= 100_000) {
      paused = true;
      stream.pause();
      setTimeout(() => stream.resume(), PAUSE_MS);
    }
  });
  const t0 = now();
  c.query(q as unknown as pg.QueryConfig);
  let r;
  let anonPeak: number;
  try {
    r = await q.done;
  } finally {
    anonPeak = anon.stop();
  }
  const ms = now() - t0;
  const after = procMem(pids);
  const peak = peakReset ? after.hwm : Math.max(after.rss, before.rss);
  return { ms, rows: r.rows, bytes: r.bytes, firstRowMs: r.firstRowMs, peakDelta: peak - before.rss, peak, anonDelta: anonPeak - before.anon };
}

/** A warm-up stream, then up to `runs` timed streams of `sql` on a fresh connection. */
async function streamRuns(ctx: Ctx, which: Wire, binary: boolean, sql: string, warmSql: string, runs: number): Promise<StreamRun[]> {
  const c = await (which === 'lakegres' ? ctx.lg.client() : ctx.pgs.client());
  try {
    await streamOnce(ctx, which, c, binary, false, warmSql);
    const out: StreamRun[] = [];
    const start = now();
    for (let i = 0; i < runs && (i === 0 || now() - start < STREAM_BUDGET_MS); i++) out.push(await streamOnce(ctx, which, c, binary, false, sql));
    return out;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The query in-process, chunk by chunk (rows counted, values not converted): rows/s and ms to the first chunk. */
async function duckStream(conn: DuckDBConnection, sql: string, runs: number): Promise<{ rowsPerSec: number; firstMs: number; rows: number }> {
  const once = async () => {
    const t0 = now();
    const res = await conn.stream(sql);
    let rows = 0;
    let first = NaN;
    for (;;) {
      const chunk = await res.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      if (rows === 0) first = now() - t0;
      rows += chunk.rowCount;
    }
    return { rps: rows / ((now() - t0) / 1000), first, rows };
  };
  await once();
  const rs = [];
  const start = now();
  for (let i = 0; i < runs && (i === 0 || now() - start < STREAM_BUDGET_MS); i++) rs.push(await once());
  return { rowsPerSec: median(rs.map((r) => r.rps)), firstMs: median(rs.map((r) => r.first)), rows: rs[0]!.rows };
}

type Results = Record<'text' | 'binary', Partial<Record<Wire, StreamRun[] | Error>>>;

function pick(results: Results, fmt: 'text' | 'binary', which: Wire, f: (r: StreamRun) => number, agg: 'median' | 'max' = 'median'): Cell {
  const rs = results[fmt][which];
  if (!rs) return { error: 'not run' };
  if (rs instanceof Error) return { error: rs.message.split('\n')[0] };
  const xs = rs.map(f);
  return { value: agg === 'max' ? Math.max(...xs) : median(xs) };
}

const rowsOf = (results: Results, fmt: 'text' | 'binary', which: Wire) => {
  const x = results[fmt][which];
  return Array.isArray(x) ? x[0]?.rows : undefined;
};

interface Compared {
  metrics: Metric[];
  notes: string[];
  targets: string[];
  results: Results;
}

/**
 * Streams `SELECT * FROM <table>` from lakegres and PostgreSQL (text and binary) and in-process
 * from DuckDB (its own copy of the table, and the lake's Parquet files).
 */
async function compareStreams(ctx: Ctx, spec: TableSpec, rows: number, label: string): Promise<Compared> {
  const notes: string[] = [];
  const targets: string[] = [];
  loadErrorNotes(await ensureTable(ctx, spec), notes);
  if (!procAvailable) notes.push('/proc is not available: memory figures are missing.');
  const sql = `SELECT * FROM ${spec.name}`;
  const warmSql = `SELECT * FROM ${spec.name} WHERE id < ${Math.min(WARMUP_ROWS, rows)}`;
  const results: Results = { text: {}, binary: {} };
  for (const fmt of ['text', 'binary'] as const) {
    for (const which of ['lakegres', 'postgres'] as const) {
      try {
        results[fmt][which] = await streamRuns(ctx, which, fmt === 'binary', sql, warmSql, ctx.heavyRuns);
      } catch (e) {
        results[fmt][which] = e as Error;
      }
      ctx.log(`${spec.name} ${fmt} ${which} done`);
    }
  }
  const duck = await cell(async () => {
    const conn = await ctx.duck.instance.connect();
    try {
      const r = await duckStream(conn, sql, ctx.heavyRuns);
      return { value: r.rowsPerSec, first: r.firstMs } as Cell;
    } finally {
      conn.closeSync();
    }
  }, 'in-process');
  // The same query over the lake's own Parquet files (no deletes ever happen on these tables).
  const parquet = await cell(async () => {
    const files = lakeFiles(ctx, spec.name);
    const conn = await ctx.duck.instance.connect();
    try {
      const r = await duckStream(conn, `SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`, ctx.heavyRuns);
      return { value: r.rowsPerSec, first: r.firstMs } as Cell;
    } finally {
      conn.closeSync();
    }
  }, 'in-process');
  const first = (c: Cell) => (c.value !== undefined ? { value: (c as { first?: number }).first, note: c.note } : { error: c.error });
  const metrics: Metric[] = [];
  for (const fmt of ['text', 'binary'] as const) {
    const lr = rowsOf(results, fmt, 'lakegres');
    const pr = rowsOf(results, fmt, 'postgres');
    if (lr !== undefined && pr !== undefined && lr !== pr) notes.push(`RESULT MISMATCH: ${label} ${fmt} stream returned ${lr} rows from lakegres, ${pr} from PostgreSQL`);
    const n = lr ?? pr ?? rows;
    const rate = (which: Wire) => pick(results, fmt, which, (r) => r.rows / (r.ms / 1000));
    metrics.push(
      {
        name: `${fmt}: rows/s (${n.toLocaleString('en-US')} rows)`,
        unit: 'rows/s',
        better: 'higher',
        cells: { lakegres: rate('lakegres'), duckdb: duck, postgres: rate('postgres') },
        parquet,
        noSummary: ['duckdb'],
      },
      {
        name: `${fmt}: wire throughput (DataRow bytes)`,
        unit: 'MB/s',
        better: 'higher',
        cells: { lakegres: pick(results, fmt, 'lakegres', (r) => mb(r.bytes) / (r.ms / 1000)), postgres: pick(results, fmt, 'postgres', (r) => mb(r.bytes) / (r.ms / 1000)) },
      },
      {
        name: `${fmt}: bytes per row on the wire`,
        unit: 'B',
        better: 'lower',
        cells: { lakegres: pick(results, fmt, 'lakegres', (r) => r.bytes / r.rows), postgres: pick(results, fmt, 'postgres', (r) => r.bytes / r.rows) },
        noSummary: true,
      },
      {
        name: `${fmt}: time to first row`,
        unit: 'ms',
        better: 'lower',
        cells: { lakegres: pick(results, fmt, 'lakegres', (r) => r.firstRowMs), duckdb: first(duck), postgres: pick(results, fmt, 'postgres', (r) => r.firstRowMs) },
        parquet: first(parquet),
        noSummary: ['duckdb'],
      },
      {
        name: `${fmt}: server peak RSS growth during the stream (max of runs)`,
        unit: 'MB',
        better: 'lower',
        cells: {
          lakegres: pick(results, fmt, 'lakegres', (r) => mb(r.peakDelta), 'max'),
          postgres: { ...pick(results, fmt, 'postgres', (r) => mb(r.peakDelta), 'max'), note: 'backend' },
        },
        noSummary: true,
        noRatio: true,
      },
      {
        name: `${fmt}: server peak private (anon) memory growth, sampled`,
        unit: 'MB',
        better: 'lower',
        cells: {
          lakegres: pick(results, fmt, 'lakegres', (r) => mb(r.anonDelta), 'max'),
          postgres: { ...pick(results, fmt, 'postgres', (r) => mb(r.anonDelta), 'max'), note: 'backend' },
        },
        noSummary: true,
        noRatio: true,
      },
    );
    const l = rate('lakegres').value;
    const p = rate('postgres').value;
    targets.push(targetLine(`issue 2: ${label}, ${fmt}: rows/s lakegres/PostgreSQL`, l !== undefined && p !== undefined ? l / p : undefined, fmt === 'binary' ? 0.8 : 0.5, true));
  }
  notes.push(
    `Query: ${sql} (${spec.columns}). Text = simple Query protocol; binary = Parse/Bind (all result columns binary)/Execute.`,
    'The client (node-postgres protocol parser, rows counted and not converted) runs on the same 2 cores; rows/s are end-to-end, so both servers are partly client-bound.',
    `Median of ${ctx.heavyRuns} full streams after a ${Math.min(WARMUP_ROWS, rows).toLocaleString('en-US')}-row warm-up (no new run after ${STREAM_BUDGET_MS / 1000} s). Memory: VmHWM of the server process (lakegres) or of the PostgreSQL backend serving the query, reset before each run (/proc/<pid>/clear_refs), minus RSS before the query; PostgreSQL's RSS also counts shared-buffer pages the backend touches.`,
    'DuckDB column: the same query in-process on DuckDB\'s own copy of the table, read chunk by chunk (no value conversion, no serialization): the engine\'s upper bound, left out of the summary. "DuckDB on lake Parquet": the same, reading the Parquet files lakegres wrote for the table. Both are the same figure for text and binary.',
    'PostgreSQL serves a heap table with the same rows (loaded by COPY, then VACUUM ANALYZE).',
  );
  return { metrics, notes, targets, results };
}

/** `stream`: the narrow table, plus a client that pauses. */
export async function streamWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const rows = ctx.sizes.narrowRows;
  const r = await compareStreams(ctx, narrowSpec(rows), rows, 'narrow stream');
  // A client that stops reading for PAUSE_MS after 100k rows.
  const pausedRows = Math.min(PAUSED_ROWS, rows);
  const paused: Partial<Record<Wire, Cell>> = {};
  const pausedAnon: Partial<Record<Wire, Cell>> = {};
  for (const which of ['lakegres', 'postgres'] as const) {
    const x = await cell(async () => {
      const c = await ensureControl(ctx, which);
      const run = await streamOnce(ctx, which, c, false, true, `SELECT * FROM narrow WHERE id < ${pausedRows}`);
      pausedAnon[which] = { value: mb(run.anonDelta) };
      return mb(run.peakDelta);
    });
    paused[which] = which === 'postgres' ? { ...x, note: 'backend' } : x;
    pausedAnon[which] ??= { error: x.error };
    await sleep(100);
  }
  r.metrics.push(
    {
      name: `text, ${pausedRows.toLocaleString('en-US')} rows, client stops reading ${PAUSE_MS / 1000} s after 100k rows: server peak RSS growth`,
      unit: 'MB',
      better: 'lower',
      cells: paused,
      noSummary: true,
      noRatio: true,
    },
    { name: `same, server peak anon growth`, unit: 'MB', better: 'lower', cells: pausedAnon, noSummary: true, noRatio: true },
  );
  ctx.streamPeaks = [
    {
      name: `process peak RSS while streaming ${rows.toLocaleString('en-US')} narrow rows (text, max of runs)`,
      unit: 'MB',
      better: 'lower',
      cells: {
        lakegres: pick(r.results, 'text', 'lakegres', (x) => mb(x.peak), 'max'),
        postgres: { ...pick(r.results, 'text', 'postgres', (x) => mb(x.peak), 'max'), note: 'one backend' },
      },
      noSummary: true,
      noRatio: true,
    },
  ];
  return { name: 'stream', title: `5. Streaming a narrow result (${rows.toLocaleString('en-US')} rows x 4 columns) through the wire`, metrics: r.metrics, notes: r.notes, errors: [], seconds: 0, targets: r.targets };
}

/** `wide`: the 30-column table. */
export async function wideWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const rows = ctx.sizes.wideRows;
  const r = await compareStreams(ctx, wideSpec(rows), rows, 'wide stream');
  // The same contents in every system (a few aggregates over the mixed types).
  const check = `SELECT count(*), sum(c_int4), sum(c_int8_b), sum(c_num), sum(c_num6), sum(c_float8_b), count(c_int_null), count(c_text_null), count(c_tstz_null),
    sum(length(c_long)), sum(extract(epoch from c_ts)), sum(extract(epoch from c_tstz)), sum(extract(epoch from c_interval)), count(DISTINCT c_uuid), sum(CASE WHEN c_bool THEN 1 ELSE 0 END) FROM wide`;
  const got: Partial<Record<'lakegres' | 'duckdb' | 'postgres', unknown[][]>> = {};
  for (const which of ['lakegres', 'postgres'] as const) {
    try {
      got[which] = await wireRows(await ensureControl(ctx, which), check);
    } catch (e) {
      r.notes.push(`contents check failed on ${which}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  try {
    got.duckdb = await duckRows(ctx.duck.conn, check);
  } catch (e) {
    r.notes.push(`contents check failed on DuckDB: ${(e as Error).message.split('\n')[0]}`);
  }
  checkResults('wide table contents (aggregates over the mixed types)', got, r.notes);
  return { name: 'wide', title: `6. Streaming a wide result (${rows.toLocaleString('en-US')} rows x 30 columns) through the wire`, metrics: r.metrics, notes: r.notes, errors: [], seconds: 0, targets: r.targets };
}

/** `peak`: peak RSS of the server while one client streams peakRows rows, and a tenth of them. */
export async function peakWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const targets: string[] = [];
  const narrow = ctx.sizes.narrowRows;
  loadErrorNotes(await ensureTable(ctx, narrowSpec(narrow)), notes);
  if (!procAvailable) return { name: 'peak', title: '7. Peak RSS of a long stream', metrics: [], notes: ['/proc is not available: peak RSS not measured.'], errors: [], seconds: 0 };
  const big = ctx.sizes.peakRows;
  const copies = Math.max(1, Math.ceil(big / narrow));
  // The narrow table repeated: a cross join with a tiny series streams (the series is the build
  // side). Both sizes use the same plan: the smaller one reads fewer rows of the table.
  const sqlFor = (rows: number) => {
    const per = Math.min(narrow, Math.ceil(rows / copies));
    return `SELECT n.* FROM narrow n CROSS JOIN generate_series(1, ${copies}) g${per < narrow ? ` WHERE n.id < ${per}` : ''}`;
  };
  const sizes = [Math.max(WARMUP_ROWS, Math.round(big / 10)), big];
  const runs: Record<number, Partial<Record<Wire, StreamRun | Error>>> = {};
  for (const rows of sizes) {
    runs[rows] = {};
    // PostgreSQL only at the full size: its backend is the reference, lakegres' growth is the question.
    for (const which of rows === big ? (['lakegres', 'postgres'] as const) : (['lakegres'] as const)) {
      try {
        const c = await (which === 'lakegres' ? ctx.lg.client() : ctx.pgs.client());
        try {
          runs[rows]![which] = await streamOnce(ctx, which, c, false, false, sqlFor(rows));
        } finally {
          await c.end().catch(() => undefined);
        }
      } catch (e) {
        runs[rows]![which] = e as Error;
      }
      ctx.log(`peak: ${rows.toLocaleString('en-US')} rows from ${which} done`);
    }
  }
  const get = (rows: number, which: Wire, f: (r: StreamRun) => number, note?: string): Cell | undefined => {
    const r = runs[rows]?.[which];
    if (!r) return undefined;
    if (r instanceof Error) return { error: r.message.split('\n')[0] };
    return { value: f(r), note };
  };
  const metrics: Metric[] = [];
  for (const rows of sizes) {
    const streamed = (() => {
      const r = runs[rows]?.lakegres;
      return r && !(r instanceof Error) ? r.rows : rows;
    })();
    metrics.push(
      {
        name: `${streamed.toLocaleString('en-US')} rows (text): server process RSS just before the stream`,
        unit: 'MB',
        better: 'lower',
        cells: { lakegres: get(rows, 'lakegres', (r) => mb(r.peak - r.peakDelta)), postgres: get(rows, 'postgres', (r) => mb(r.peak - r.peakDelta), 'one backend') },
        noSummary: true,
        noRatio: true,
      },
      {
        name: `${streamed.toLocaleString('en-US')} rows (text): server process peak RSS`,
        unit: 'MB',
        better: 'lower',
        cells: { lakegres: get(rows, 'lakegres', (r) => mb(r.peak)), postgres: get(rows, 'postgres', (r) => mb(r.peak), 'one backend') },
        noSummary: true,
        noRatio: true,
      },
      {
        name: `${streamed.toLocaleString('en-US')} rows (text): peak RSS growth during the stream`,
        unit: 'MB',
        better: 'lower',
        cells: { lakegres: get(rows, 'lakegres', (r) => mb(r.peakDelta)), postgres: get(rows, 'postgres', (r) => mb(r.peakDelta), 'backend') },
        noSummary: true,
        noRatio: true,
      },
      {
        name: `${streamed.toLocaleString('en-US')} rows (text): rows/s`,
        unit: 'rows/s',
        better: 'higher',
        cells: { lakegres: get(rows, 'lakegres', (r) => r.rows / (r.ms / 1000)), postgres: get(rows, 'postgres', (r) => r.rows / (r.ms / 1000)) },
        noSummary: true,
      },
    );
    const lr = runs[rows]?.lakegres;
    const pr = runs[rows]?.postgres;
    if (lr && pr && !(lr instanceof Error) && !(pr instanceof Error) && lr.rows !== pr.rows) notes.push(`RESULT MISMATCH: ${lr.rows} rows from lakegres, ${pr.rows} from PostgreSQL`);
  }
  const small = runs[sizes[0]!]?.lakegres;
  const large = runs[big]?.lakegres;
  const ok = (r: StreamRun | Error | undefined): r is StreamRun => !!r && !(r instanceof Error);
  targets.push(targetLine(`issue 2: peak RSS of lakegres while one client streams ${big.toLocaleString('en-US')} rows`, ok(large) ? mb(large.peak) : undefined, 300, false, (x) => `${x.toFixed(0)} MB`));
  if (ok(small) && ok(large)) {
    targets.push(
      `issue 2: peak RSS independent of result size: ${mb(small.peak).toFixed(0)} MB at ${small.rows.toLocaleString('en-US')} rows, ${mb(large.peak).toFixed(0)} MB at ${large.rows.toLocaleString('en-US')} rows (growth during the stream ${mb(small.peakDelta).toFixed(0)} MB vs ${mb(large.peakDelta).toFixed(0)} MB)`,
    );
  }
  notes.push(
    `Query: ${sqlFor(big)} (the ${narrow.toLocaleString('en-US')}-row narrow table ${copies} times; the smaller stream: ${sqlFor(sizes[0]!)}), simple Query protocol, rows counted and not converted by the client; one run each, no warm-up beyond what earlier workloads did.`,
    'Peak RSS = VmHWM of the lakegres process (or of the PostgreSQL backend serving the query), reset before the stream (/proc/<pid>/clear_refs); growth = peak minus RSS just before the query. It includes what DuckDB caches of the Parquet file it reads (a larger table caches more), not only what the stream holds. PostgreSQL streams only the full size (its backend is the reference; its RSS counts the shared buffers it touches).',
  );
  return { name: 'peak', title: `7. Peak RSS while one client streams ${big.toLocaleString('en-US')} rows`, metrics, notes, errors: [], seconds: 0, targets };
}
