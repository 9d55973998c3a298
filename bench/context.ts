/** What every workload gets: the three systems, control connections, sizes and shared state. */
import type pg from 'pg';
import type { Duck, LakegresProcess, PostgresServer, ProcMem } from './systems.js';
import type { Metric, System } from './harness.js';
import type { IdleSamples } from './workloads/memory.js';

export interface Sizes {
  /** Rows of the `points` table (point queries, row changes). */
  points: number;
  /** Nominal rows of `lineitem`: the TPC-H scale factor is lineitem / 6,000,000 (1.5M: SF 0.25; --full 6M: SF 1). */
  lineitem: number;
  /** Rows sent by COPY FROM STDIN. */
  copyRows: number;
  /** Rows of the narrow table streamed by `stream` (int4, int8, float8, short text). */
  narrowRows: number;
  /** Rows of the wide table streamed by `wide` (30 mixed columns). */
  wideRows: number;
  /** Rows of the long stream whose peak RSS `peak` measures. */
  peakRows: number;
  /** Data files of the table `smallfiles` compacts. */
  smallFiles: number;
  /** Rows of the table `timetravel` changes and reads at an old snapshot. */
  timeTravelRows: number;
  /** Single-row INSERTs of the ingestion workload (8 clients, one table). */
  ingestInserts: number;
  /** Tables of the big lake `startup` restarts on (1,000 with --full), and data files per table. */
  startupTables: number;
  startupFilesPerTable: number;
}

export interface Ctx {
  lg: LakegresProcess;
  pgs: PostgresServer;
  duck: Duck;
  /** Control connections (setup, loads, queries that need one connection). */
  lgc: pg.Client;
  pgc: pg.Client;
  sizes: Sizes;
  /** Timed runs of statements (median of these). */
  runs: number;
  /** Timed runs of the long streams and COPYs (median of these). */
  heavyRuns: number;
  /** Temporary directory of this run (CSV files). */
  tmp: string;
  /** Datasets loaded so far ("points", "tpch"), with the load error of each system that failed. */
  loaded: Map<string, Partial<Record<System, string>>>;
  /** Load timings of the TPC-H-like tables (reported with the analytical workload). */
  tpchLoad?: Metric[];
  /** Memory when nothing had been loaded yet. */
  fresh: { lakegres: ProcMem; postgres: ProcMem };
  /** Idle connections opened right after start (memory workload). */
  idleAtStart?: IdleSamples;
  /** Peak memory measured by the streaming workload, for the memory workload. */
  streamPeaks?: Metric[];
  /** --full: the sizes of the issues (10M-row streams and COPY, 50M-row peak stream, 10,000 small files). */
  full: boolean;
  /**
   * A second lakegres with its lake catalog in the benchmark's PostgreSQL (started on first use,
   * stopped with the others at the end).
   */
  pgCatalog(): Promise<LakegresProcess>;
  log(msg: string): void;
}

/** Reconnects a control client when its connection broke (e.g. after a server-side error that closed it). */
export async function ensureControl(ctx: Ctx, which: 'lakegres' | 'postgres'): Promise<pg.Client> {
  const c = which === 'lakegres' ? ctx.lgc : ctx.pgc;
  try {
    await c.query('SELECT 1');
    return c;
  } catch {
    const fresh = which === 'lakegres' ? await ctx.lg.client() : await ctx.pgs.client();
    if (which === 'lakegres') ctx.lgc = fresh;
    else ctx.pgc = fresh;
    await c.end().catch(() => undefined);
    return fresh;
  }
}
