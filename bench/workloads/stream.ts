/**
 * 5. Streaming a large result through the wire (text: simple protocol; binary: extended
 * protocol with binary result columns): rows/s, MB/s, time to first row, and how much the
 * server's memory grows while it streams (peak RSS from VmHWM, reset before each run), also
 * while the client stops reading for a while (the server must apply backpressure, not buffer).
 */
import type pg from 'pg';
import type { Ctx } from '../context.js';
import { ensureControl } from '../context.js';
import { ensureTpch } from '../data.js';
import { cell, median, now, sleep, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import { CountRows } from '../pgwire.js';
import { procAvailable, procMem, resetPeak, sampler } from '../systems.js';
import { loadErrorNotes, mb } from './common.js';

const STREAM_BASE = 'SELECT l_orderkey, l_partkey, l_suppkey, l_quantity, l_extendedprice, l_discount, l_shipdate, l_shipmode, l_comment FROM lineitem';
/**
 * The first `rows` rows of lineitem (4 per order key, in key order) by a filter, not by LIMIT:
 * DuckDB's LIMIT operator collects its whole input before it emits a row (measured: seconds to
 * the first row and ~160 MB held for LIMIT 1000000), which would measure LIMIT, not streaming.
 */
const rowsSql = (ctx: Ctx, rows: number) => (rows < ctx.sizes.lineitem ? `${STREAM_BASE} WHERE l_orderkey <= ${Math.max(1, Math.floor(rows / 4))}` : STREAM_BASE);
const streamSql = (ctx: Ctx) => rowsSql(ctx, ctx.sizes.streamRows);
const PAUSE_MS = 2_000;
/** Rows of the stream with a pausing client (the pause happens after 100k rows). */
const PAUSED_ROWS = 500_000;

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
async function serverPids(ctx: Ctx, which: 'lakegres' | 'postgres', c: pg.Client): Promise<number[]> {
  if (which === 'lakegres') return [ctx.lg.pid];
  const r = await c.query('SELECT pg_backend_pid() AS pid');
  return [Number(r.rows[0].pid)];
}

async function streamOnce(ctx: Ctx, which: 'lakegres' | 'postgres', c: pg.Client, binary: boolean, pause: boolean, sql: string): Promise<StreamRun> {
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
  const r = await q.done;
  const ms = now() - t0;
  const anonPeak = anon.stop();
  const after = procMem(pids);
  const peak = peakReset ? after.hwm : Math.max(after.rss, before.rss);
  return { ms, rows: r.rows, bytes: r.bytes, firstRowMs: r.firstRowMs, peakDelta: peak - before.rss, peak, anonDelta: anonPeak - before.anon };
}

async function streamRuns(ctx: Ctx, which: 'lakegres' | 'postgres', binary: boolean): Promise<StreamRun[]> {
  const c = await (which === 'lakegres' ? ctx.lg.client() : ctx.pgs.client());
  try {
    await streamOnce(ctx, which, c, binary, false, rowsSql(ctx, 100_000));
    const runs: StreamRun[] = [];
    const start = now();
    for (let i = 0; i < ctx.heavyRuns && (i === 0 || now() - start < 60_000); i++) runs.push(await streamOnce(ctx, which, c, binary, false, streamSql(ctx)));
    return runs;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function duckStream(ctx: Ctx): Promise<{ rowsPerSec: number; firstMs: number }> {
  const conn = await ctx.duck.instance.connect();
  try {
    const once = async () => {
      const t0 = now();
      const res = await conn.stream(streamSql(ctx));
      let rows = 0;
      let first = NaN;
      for (;;) {
        const chunk = await res.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        if (rows === 0) first = now() - t0;
        rows += chunk.rowCount;
      }
      return { rps: rows / ((now() - t0) / 1000), first };
    };
    await once();
    const rs = [];
    for (let i = 0; i < ctx.heavyRuns; i++) rs.push(await once());
    return { rowsPerSec: median(rs.map((r) => r.rps)), firstMs: median(rs.map((r) => r.first)) };
  } finally {
    conn.closeSync();
  }
}

export async function streamWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  loadErrorNotes(await ensureTpch(ctx), notes);
  if (!procAvailable) notes.push('/proc is not available: memory figures are missing.');
  const results: Record<string, { lakegres?: StreamRun[] | Error; postgres?: StreamRun[] | Error }> = { text: {}, binary: {} };
  for (const fmt of ['text', 'binary'] as const) {
    for (const which of ['lakegres', 'postgres'] as const) {
      try {
        results[fmt]![which] = await streamRuns(ctx, which, fmt === 'binary');
      } catch (e) {
        results[fmt]![which] = e as Error;
      }
      ctx.log(`stream ${fmt} ${which} done`);
    }
  }
  const pick = (fmt: string, which: 'lakegres' | 'postgres', f: (r: StreamRun) => number, agg: 'median' | 'max' = 'median'): Cell => {
    const rs = results[fmt]![which];
    if (!rs) return { error: 'not run' };
    if (rs instanceof Error) return { error: rs.message.split('\n')[0] };
    const xs = rs.map(f);
    return { value: agg === 'max' ? Math.max(...xs) : median(xs) };
  };
  const duck = await cell(() => duckStream(ctx).then((r) => ({ value: r.rowsPerSec, first: r.firstMs }) as Cell & { first: number }), 'in-process chunks');
  const rowsNote = (fmt: string) => {
    const rs = results[fmt]!.lakegres;
    const ps = results[fmt]!.postgres;
    const rows = (x: typeof rs) => (Array.isArray(x) ? x[0]?.rows : undefined);
    if (rows(rs) !== undefined && rows(ps) !== undefined && rows(rs) !== rows(ps)) notes.push(`RESULT MISMATCH: ${fmt} stream returned ${rows(rs)} rows from lakegres, ${rows(ps)} from PostgreSQL`);
    return rows(rs) ?? rows(ps);
  };
  const metrics: Metric[] = [];
  for (const fmt of ['text', 'binary'] as const) {
    const rows = rowsNote(fmt);
    metrics.push(
      {
        name: `${fmt}: rows/s (${rows?.toLocaleString('en-US') ?? '?'} rows, 9 columns)`,
        unit: 'rows/s',
        better: 'higher',
        cells: {
          lakegres: pick(fmt, 'lakegres', (r) => r.rows / (r.ms / 1000)),
          duckdb: fmt === 'text' ? { value: duck.value, note: duck.note, error: duck.error } : undefined,
          postgres: pick(fmt, 'postgres', (r) => r.rows / (r.ms / 1000)),
        },
        noSummary: ['duckdb'],
      },
      {
        name: `${fmt}: wire throughput (DataRow bytes)`,
        unit: 'MB/s',
        better: 'higher',
        cells: { lakegres: pick(fmt, 'lakegres', (r) => mb(r.bytes) / (r.ms / 1000)), postgres: pick(fmt, 'postgres', (r) => mb(r.bytes) / (r.ms / 1000)) },
      },
      {
        name: `${fmt}: bytes per row on the wire`,
        unit: 'B',
        better: 'lower',
        cells: { lakegres: pick(fmt, 'lakegres', (r) => r.bytes / r.rows), postgres: pick(fmt, 'postgres', (r) => r.bytes / r.rows) },
        noSummary: true,
      },
      {
        name: `${fmt}: time to first row`,
        unit: 'ms',
        better: 'lower',
        cells: {
          lakegres: pick(fmt, 'lakegres', (r) => r.firstRowMs),
          duckdb: fmt === 'text' && duck.value !== undefined ? { value: (duck as { first?: number }).first, note: 'in-process' } : undefined,
          postgres: pick(fmt, 'postgres', (r) => r.firstRowMs),
        },
        noSummary: ['duckdb'],
      },
      {
        name: `${fmt}: server peak RSS growth during the stream (max of runs)`,
        unit: 'MB',
        better: 'lower',
        cells: { lakegres: pick(fmt, 'lakegres', (r) => mb(r.peakDelta), 'max'), postgres: { ...pick(fmt, 'postgres', (r) => mb(r.peakDelta), 'max'), note: 'backend' } },
        noSummary: true,
        noRatio: true,
      },
      {
        name: `${fmt}: server peak private (anon) memory growth, sampled`,
        unit: 'MB',
        better: 'lower',
        cells: { lakegres: pick(fmt, 'lakegres', (r) => mb(r.anonDelta), 'max'), postgres: { ...pick(fmt, 'postgres', (r) => mb(r.anonDelta), 'max'), note: 'backend' } },
        noSummary: true,
        noRatio: true,
      },
    );
  }
  // A client that stops reading for PAUSE_MS after 100k rows.
  const paused: Partial<Record<'lakegres' | 'postgres', Cell>> = {};
  const pausedAnon: Partial<Record<'lakegres' | 'postgres', Cell>> = {};
  for (const which of ['lakegres', 'postgres'] as const) {
    const r = await cell(async () => {
      const c = await ensureControl(ctx, which);
      const run = await streamOnce(ctx, which, c, false, true, rowsSql(ctx, PAUSED_ROWS));
      pausedAnon[which] = { value: mb(run.anonDelta) };
      return mb(run.peakDelta);
    });
    paused[which] = which === 'postgres' ? { ...r, note: 'backend' } : r;
    pausedAnon[which] ??= { error: r.error };
    await sleep(100);
  }
  metrics.push(
    {
      name: `text, ${Math.min(PAUSED_ROWS, ctx.sizes.lineitem).toLocaleString('en-US')} rows, client stops reading ${PAUSE_MS / 1000} s after 100k rows: server peak RSS growth`,
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
      name: 'process peak RSS while streaming (text, max of runs)',
      unit: 'MB',
      better: 'lower',
      cells: {
        lakegres: pick('text', 'lakegres', (r) => mb(r.peak), 'max'),
        postgres: { ...pick('text', 'postgres', (r) => mb(r.peak), 'max'), note: 'one backend' },
      },
      noSummary: true,
      noRatio: true,
    },
  ];
  notes.push(
    `Query: ${streamSql(ctx)} (bigint, decimal(15,2), date, text columns). Text = simple Query protocol; binary = Parse/Bind (all result columns binary)/Execute.`,
    'The client (node-postgres protocol parser, rows counted and not converted) runs on the same 2 cores; rows/s are end-to-end, so both servers are partly client-bound.',
    `Median of ${ctx.heavyRuns} full streams after a 100k-row warm-up. Memory: VmHWM of the server process (lakegres) or of the PostgreSQL backend serving the query, reset before each run (/proc/<pid>/clear_refs), minus RSS before the query; PostgreSQL's RSS also counts shared-buffer pages the backend touches.`,
    'DuckDB column: the same query read chunk by chunk in-process (no value conversion, no serialization): an upper bound for the engine, left out of the summary.',
  );
  return { name: 'stream', title: '5. Streaming a large result through the wire', metrics, notes, errors: [], seconds: 0 };
}
