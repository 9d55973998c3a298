/**
 * 8. Bulk and small writes: COPY FROM STDIN (text and CSV) into a lake table vs PostgreSQL
 * (into an UNLOGGED table, as issue 2 §7 asks; 10M rows with --full), and many small INSERTs
 * (each small enough to be inlined into the lake's catalog).
 */
import { statSync, rmSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Ctx } from '../context.js';
import { ensureControl } from '../context.js';
import { cell, latency, now, targetLine, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import { copyFromFile } from '../pgwire.js';
import { checkResults, duckRows, mb, wireRows } from './common.js';

const COLUMNS = 'id bigint, k integer, v double precision, s text, ts timestamp';
const GEN = (rows: number) => `SELECT i::BIGINT AS id, (hash(i) % 1000)::INTEGER AS k, ((hash(i + 1) % 10000000)::BIGINT / 100)::DOUBLE AS v,
    CASE WHEN i % 50 = 0 THEN NULL ELSE md5(i::VARCHAR) END AS s,
    TIMESTAMP '2024-01-01' + to_seconds((hash(i + 2) % 31536000)::BIGINT) AS ts
  FROM range(${rows}) t(i)`;

const SMALL_BATCHES = 40;
const SMALL_ROWS = 10;
const SMALL_MAX_MS = 5_000;

interface Copied {
  ms: number;
  rows: number;
  bytes: number;
}

export async function copyWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const rows = ctx.sizes.copyRows;
  const files = { csv: path.join(ctx.tmp, 'copy.csv'), text: path.join(ctx.tmp, 'copy.txt') };
  // Small files of the same shape for the warm-up load.
  const warm = { csv: path.join(ctx.tmp, 'warm.csv'), text: path.join(ctx.tmp, 'warm.txt') };
  // Both files are written by DuckDB; the data has no tabs, quotes or backslashes, so a
  // tab-separated file with \N for NULL is valid PostgreSQL text format.
  for (const [set, n] of [
    [files, rows],
    [warm, Math.min(rows, 20_000)],
  ] as const) {
    await ctx.duck.conn.run(`COPY (${GEN(n)}) TO '${set.csv}' (FORMAT csv, HEADER false)`);
    await ctx.duck.conn.run(`COPY (${GEN(n)}) TO '${set.text}' (FORMAT csv, HEADER false, DELIMITER '\t', NULLSTR '\\N', QUOTE '')`);
  }
  const sizes = { csv: statSync(files.csv).size, text: statSync(files.text).size };

  const wireCopy = async (which: 'lakegres' | 'postgres', fmt: 'csv' | 'text'): Promise<Copied> => {
    const c = await ensureControl(ctx, which);
    const results: Copied[] = [];
    const ms = await latency(
      async (i) => {
        const t0 = now();
        const r = await copyFromFile(c, fmt === 'csv' ? 'COPY copy_t FROM STDIN WITH (FORMAT csv)' : 'COPY copy_t FROM STDIN', i < 0 ? warm[fmt] : files[fmt]);
        if (i >= 0) results.push({ ms: now() - t0, rows: r.rows, bytes: r.bytes });
      },
      {
        warmup: 1,
        runs: ctx.heavyRuns,
        maxMs: 20_000,
        before: async () => {
          await c.query('DROP TABLE IF EXISTS copy_t');
          // PostgreSQL: UNLOGGED (no WAL), the comparison issue 2 §7 asks for.
          await c.query(`CREATE ${which === 'postgres' ? 'UNLOGGED ' : ''}TABLE copy_t (${COLUMNS})`);
        },
      },
    );
    const reported = results[0]!.rows;
    if (reported !== rows) notes.push(`${which} COPY ${fmt}: command tag says ${reported} rows, expected ${rows}`);
    return { ms, rows, bytes: sizes[fmt] };
  };
  const duckCopy = async (fmt: 'csv' | 'text'): Promise<Copied> => {
    const opts = fmt === 'csv' ? '(FORMAT csv, HEADER false)' : "(FORMAT csv, HEADER false, DELIMITER '\t', NULLSTR '\\N', QUOTE '')";
    const ms = await latency((i) => ctx.duck.conn.run(`COPY copy_t FROM '${i < 0 ? warm[fmt] : files[fmt]}' ${opts}`), {
      warmup: 1,
      runs: ctx.heavyRuns,
      maxMs: 20_000,
      before: async () => {
        await ctx.duck.conn.run('DROP TABLE IF EXISTS copy_t');
        await ctx.duck.conn.run(`CREATE TABLE copy_t (${COLUMNS})`);
      },
    });
    return { ms, rows, bytes: sizes[fmt] };
  };

  const metrics: Metric[] = [];
  const verify: Partial<Record<'lakegres' | 'duckdb' | 'postgres', unknown[][]>> = {};
  const checkSql = 'SELECT count(*), count(s), sum(k), min(ts), max(ts) FROM copy_t';
  for (const fmt of ['text', 'csv'] as const) {
    const r: Partial<Record<'lakegres' | 'duckdb' | 'postgres', Cell & { c?: Copied }>> = {};
    for (const which of ['lakegres', 'postgres'] as const) {
      r[which] = await cell(async () => {
        const c = await wireCopy(which, fmt);
        if (fmt === 'csv') verify[which] = await wireRows(await ensureControl(ctx, which), checkSql);
        return { value: c.ms, c } as Cell;
      });
    }
    r.duckdb = await cell(async () => {
      const c = await duckCopy(fmt);
      if (fmt === 'csv') verify.duckdb = await duckRows(ctx.duck.conn, checkSql);
      return { value: c.ms, c, note: 'from file, in-process' } as Cell;
    });
    const rate = (x: (Cell & { c?: Copied }) | undefined, f: (c: Copied) => number, note?: string): Cell => (x?.c ? { value: f(x.c), note } : { error: x?.error ?? 'n/a' });
    metrics.push(
      {
        name: `COPY FROM STDIN, ${fmt} (${rows.toLocaleString('en-US')} rows, ${mb(sizes[fmt]).toFixed(0)} MB)`,
        unit: 'ms',
        better: 'lower',
        cells: { lakegres: strip(r.lakegres), duckdb: strip(r.duckdb), postgres: { ...strip(r.postgres), note: 'UNLOGGED' } },
        noSummary: ['duckdb'],
      },
      {
        name: `COPY ${fmt}: rows/s`,
        unit: 'rows/s',
        better: 'higher',
        cells: {
          lakegres: rate(r.lakegres, (c) => c.rows / (c.ms / 1000)),
          duckdb: rate(r.duckdb, (c) => c.rows / (c.ms / 1000), 'in-process'),
          postgres: rate(r.postgres, (c) => c.rows / (c.ms / 1000)),
        },
        noSummary: ['duckdb'],
      },
      {
        name: `COPY ${fmt}: MB/s of input`,
        unit: 'MB/s',
        better: 'higher',
        cells: { lakegres: rate(r.lakegres, (c) => mb(c.bytes) / (c.ms / 1000)), postgres: rate(r.postgres, (c) => mb(c.bytes) / (c.ms / 1000)) },
        noSummary: true,
      },
    );
  }
  checkResults('COPY csv: count/sum/min/max after load', verify, notes);
  const targets: string[] = [];
  for (const m of metrics.filter((x) => x.unit === 'rows/s')) {
    const l = m.cells.lakegres?.value;
    const p = m.cells.postgres?.value;
    targets.push(targetLine(`issue 2: ${m.name.replace(': rows/s', '')} FROM STDIN of ${rows.toLocaleString('en-US')} rows, rows/s lakegres/PostgreSQL (UNLOGGED)`, l !== undefined && p !== undefined ? l / p : undefined, 1, true));
  }
  for (const f of [...Object.values(files), ...Object.values(warm)]) rmSync(f, { force: true });

  // Many small INSERTs.
  metrics.push(...(await smallInserts(ctx, notes)));
  notes.push(
    `COPY: median of up to ${ctx.heavyRuns} loads (no new load once 20 s were spent, so one load each at 10M rows) after a warm-up load of 20k rows, each into a freshly created table (${COLUMNS}); the file is sent in 256 kB CopyData messages. PostgreSQL: an UNLOGGED table (no WAL) without indexes; lakegres: a lake table (Parquet file and catalog commit, durable).`,
    `Small INSERTs: ${SMALL_BATCHES} statements of ${SMALL_ROWS} rows (VALUES lists), each its own transaction (autocommit), at most ${SMALL_MAX_MS / 1000} s; lakegres inlines batches of up to 10 rows into the catalog instead of writing a Parquet file. The scan afterwards reads all those commits.`,
  );
  return { name: 'copy', title: '8. COPY FROM STDIN and small INSERTs', metrics, notes, errors: [], seconds: 0, targets };
}

function strip(c: (Cell & { c?: unknown }) | undefined): Cell | undefined {
  if (!c) return undefined;
  const { c: _c, ...rest } = c;
  return rest;
}

async function smallInserts(ctx: Ctx, notes: string[]): Promise<Metric[]> {
  const values = (b: number) =>
    Array.from({ length: SMALL_ROWS }, (_, j) => {
      const id = b * SMALL_ROWS + j;
      return `(${id}, ${id % 97}, 'row ${id}')`;
    }).join(', ');
  type Out = { perStmt: number; rowsPerSec: number; statements: number; txMs: number; paramMs: number; scanMs: number; scan: unknown[][] };
  const onWire = async (c: pg.Client): Promise<Out> => {
    await c.query('DROP TABLE IF EXISTS small_t');
    await c.query('CREATE TABLE small_t (id bigint, k integer, s text)');
    const start = now();
    let n = 0;
    while (n < SMALL_BATCHES && now() - start < SMALL_MAX_MS) await c.query(`INSERT INTO small_t VALUES ${values(n++)}`);
    const ms = now() - start;
    // One row per statement with parameters (extended protocol), autocommit.
    const pStart = now();
    let p = 0;
    while (p < SMALL_BATCHES && now() - pStart < SMALL_MAX_MS) {
      const id = 1_000_000 + p++;
      await c.query({ text: 'INSERT INTO small_t VALUES ($1, $2, $3)', values: [id, id % 97, `row ${id}`] });
    }
    const paramMs = (now() - pStart) / p;
    // The same batches inside one transaction.
    const tStart = now();
    await c.query('BEGIN');
    let t = 0;
    while (t < SMALL_BATCHES && now() - tStart < 2 * SMALL_MAX_MS) await c.query(`INSERT INTO small_t VALUES ${values(2_000_000 + t++)}`);
    await c.query('COMMIT');
    const txMs = ((now() - tStart) * SMALL_BATCHES) / t;
    const scanSql = 'SELECT count(*), sum(id), sum(k) FROM small_t WHERE id < 1000000';
    const scan = await wireRows(c, scanSql);
    const scanMs = await latency(() => wireRows(c, 'SELECT count(*), sum(id), sum(k) FROM small_t'), { warmup: 1, runs: 9, maxMs: 2_000 });
    return { perStmt: ms / n, rowsPerSec: (n * SMALL_ROWS) / (ms / 1000), statements: n, txMs, paramMs, scanMs, scan };
  };
  const onDuck = async (): Promise<Out> => {
    const conn = ctx.duck.conn;
    await conn.run('DROP TABLE IF EXISTS small_t');
    await conn.run('CREATE TABLE small_t (id bigint, k integer, s text)');
    const start = now();
    let n = 0;
    while (n < SMALL_BATCHES && now() - start < SMALL_MAX_MS) await conn.run(`INSERT INTO small_t VALUES ${values(n++)}`);
    const ms = now() - start;
    const pStart = now();
    let p = 0;
    while (p < SMALL_BATCHES && now() - pStart < SMALL_MAX_MS) {
      const id = 1_000_000 + p++;
      await conn.run('INSERT INTO small_t VALUES ($1, $2, $3)', [BigInt(id), id % 97, `row ${id}`]);
    }
    const paramMs = (now() - pStart) / p;
    const tStart = now();
    await conn.run('BEGIN');
    let t = 0;
    while (t < SMALL_BATCHES && now() - tStart < 2 * SMALL_MAX_MS) await conn.run(`INSERT INTO small_t VALUES ${values(2_000_000 + t++)}`);
    await conn.run('COMMIT');
    const txMs = ((now() - tStart) * SMALL_BATCHES) / t;
    const scan = await duckRows(conn, 'SELECT count(*), sum(id), sum(k) FROM small_t WHERE id < 1000000');
    const scanMs = await latency(() => duckRows(conn, 'SELECT count(*), sum(id), sum(k) FROM small_t'), { warmup: 1, runs: 9, maxMs: 2_000 });
    return { perStmt: ms / n, rowsPerSec: (n * SMALL_ROWS) / (ms / 1000), statements: n, txMs, paramMs, scanMs, scan };
  };
  const res: Partial<Record<'lakegres' | 'duckdb' | 'postgres', Out | Error>> = {};
  for (const which of ['lakegres', 'postgres'] as const) {
    try {
      res[which] = await onWire(await ensureControl(ctx, which));
    } catch (e) {
      res[which] = e as Error;
    }
  }
  try {
    res.duckdb = await onDuck();
  } catch (e) {
    res.duckdb = e as Error;
  }
  const get = (s: 'lakegres' | 'duckdb' | 'postgres', f: (o: Out) => number, note?: string): Cell => {
    const o = res[s];
    if (!o) return { error: 'not run' };
    if (o instanceof Error) return { error: o.message.split('\n')[0] };
    return { value: f(o), note };
  };
  const counts = (['lakegres', 'duckdb', 'postgres'] as const).map((s) => (res[s] instanceof Error || !res[s] ? undefined : (res[s] as Out).statements));
  const rowsMsg = counts.every((x) => x === undefined || x === SMALL_BATCHES) ? '' : ` (statements made: lakegres ${counts[0] ?? '-'}, DuckDB ${counts[1] ?? '-'}, PostgreSQL ${counts[2] ?? '-'})`;
  const scans: Partial<Record<'lakegres' | 'duckdb' | 'postgres', unknown[][]>> = {};
  for (const s of ['lakegres', 'duckdb', 'postgres'] as const) {
    const o = res[s];
    if (o && !(o instanceof Error) && o.statements === SMALL_BATCHES) scans[s] = o.scan;
  }
  checkResults('small INSERTs: count/sum afterwards', scans, notes);
  return [
    {
      name: `INSERT ${SMALL_ROWS}-row VALUES, autocommit: latency per statement${rowsMsg}`,
      unit: 'ms',
      better: 'lower',
      cells: { lakegres: get('lakegres', (o) => o.perStmt), duckdb: get('duckdb', (o) => o.perStmt, 'in-process'), postgres: get('postgres', (o) => o.perStmt) },
      noSummary: ['duckdb'],
    },
    {
      name: `INSERT ${SMALL_ROWS}-row VALUES, autocommit: rows/s`,
      unit: 'rows/s',
      better: 'higher',
      cells: { lakegres: get('lakegres', (o) => o.rowsPerSec), duckdb: get('duckdb', (o) => o.rowsPerSec, 'in-process'), postgres: get('postgres', (o) => o.rowsPerSec) },
      noSummary: true,
    },
    {
      name: 'INSERT 1 row with $1..$3 (extended), autocommit: latency',
      unit: 'ms',
      better: 'lower',
      cells: { lakegres: get('lakegres', (o) => o.paramMs), duckdb: get('duckdb', (o) => o.paramMs, 'in-process'), postgres: get('postgres', (o) => o.paramMs) },
      noSummary: ['duckdb'],
    },
    {
      name: `${SMALL_BATCHES} x ${SMALL_ROWS}-row INSERTs in one transaction (incl. COMMIT; extrapolated if cut at ${(2 * SMALL_MAX_MS) / 1000} s)`,
      unit: 'ms',
      better: 'lower',
      cells: { lakegres: get('lakegres', (o) => o.txMs), duckdb: get('duckdb', (o) => o.txMs, 'in-process'), postgres: get('postgres', (o) => o.txMs) },
      noSummary: ['duckdb'],
    },
    {
      name: 'count/sum scan of the table after those small commits',
      unit: 'ms',
      better: 'lower',
      cells: { lakegres: get('lakegres', (o) => o.scanMs), duckdb: get('duckdb', (o) => o.scanMs, 'in-process'), postgres: get('postgres', (o) => o.scanMs) },
      noSummary: ['duckdb'],
    },
  ];
}
