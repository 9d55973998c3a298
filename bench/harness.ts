/**
 * Measurement and reporting helpers of the benchmark: bounded loops (every loop stops at a
 * count and at a deadline), medians, result tables and the final summary.
 */

export type System = 'lakegres' | 'duckdb' | 'postgres';
export const SYSTEMS: System[] = ['lakegres', 'duckdb', 'postgres'];

/** One measured value of one system, or why there is none. */
export interface Cell {
  value?: number;
  error?: string;
  /** Short remark printed after the value (e.g. "in-process", "single run"). */
  note?: string;
}

export interface Metric {
  name: string;
  unit: string;
  /** Which direction is better; ratios in the summary are turned into "times slower/faster". */
  better: 'lower' | 'higher';
  cells: Partial<Record<System, Cell>>;
  /** Extra reference: DuckDB reading the lake's own Parquet files. */
  parquet?: Cell;
  /** Left out of the summary's geometric means (not comparable, e.g. in-process vs wire). */
  noSummary?: boolean | System[];
  /** No ratio columns (e.g. memory growth close to zero, where a ratio means nothing). */
  noRatio?: boolean;
}

export interface WorkloadResult {
  name: string;
  title: string;
  metrics: Metric[];
  notes: string[];
  errors: string[];
  seconds: number;
  /** The issues' targets this workload reports against, each with what this run measured (collected in the summary). */
  targets?: string[];
}

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (0..100) by the nearest-rank method. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1]!;
}

export interface RunOpts {
  /** Untimed executions first. */
  warmup: number;
  /** Timed executions (at most). */
  runs: number;
  /** Stop starting new runs after this many ms of timed work (at least one run is made). */
  maxMs: number;
  /** Runs before each timed execution, untimed (e.g. to recreate a table). */
  before?: (i: number) => Promise<void>;
}

/** Median latency in ms of `fn` over a bounded number of runs. `fn` gets the run index (warm-ups negative). */
export async function latency(fn: (i: number) => Promise<unknown>, opts: RunOpts): Promise<number> {
  for (let w = 0; w < opts.warmup; w++) {
    if (opts.before) await opts.before(-1 - w);
    await fn(-1 - w);
  }
  const times: number[] = [];
  const start = now();
  for (let i = 0; i < opts.runs; i++) {
    if (i > 0 && now() - start > opts.maxMs) break;
    if (opts.before) await opts.before(i);
    const t = now();
    await fn(i);
    times.push(now() - t);
  }
  return median(times);
}

/**
 * Operations per second of `workers` concurrent loops, each calling `op` until `ms` elapsed or
 * `maxOps` operations were made in total. Median of `runs` such windows after a warm-up window.
 */
export async function throughput(workers: ((i: number) => Promise<unknown>)[], opts: { ms: number; maxOps: number; runs: number; warmupMs: number }): Promise<number> {
  const window = async (ms: number): Promise<number> => {
    let ops = 0;
    const start = now();
    const deadline = start + ms;
    await Promise.all(
      workers.map(async (op) => {
        while (ops < opts.maxOps && now() < deadline) {
          await op(ops++);
        }
      }),
    );
    return ops / ((now() - start) / 1000);
  };
  await window(opts.warmupMs);
  const rates: number[] = [];
  for (let r = 0; r < opts.runs; r++) rates.push(await window(opts.ms));
  return median(rates);
}

export interface RateAndLatency {
  /** Operations per second (median of the windows). */
  rate: number;
  /** Latency percentiles of every timed operation of all windows, ms. */
  p50: number;
  p99: number;
  /** Timed operations (the percentiles' sample size). */
  samples: number;
}

/**
 * Like throughput(), and also the latency of every operation in the timed windows (p50, p99).
 * The warm-up window's operations are not sampled.
 */
export async function throughputWithLatency(workers: ((i: number) => Promise<unknown>)[], opts: { ms: number; maxOps: number; runs: number; warmupMs: number }): Promise<RateAndLatency> {
  const times: number[] = [];
  const window = async (ms: number, sample: boolean): Promise<number> => {
    let ops = 0;
    const start = now();
    const deadline = start + ms;
    await Promise.all(
      workers.map(async (op) => {
        while (ops < opts.maxOps && now() < deadline) {
          const t = now();
          await op(ops++);
          if (sample) times.push(now() - t);
        }
      }),
    );
    return ops / ((now() - start) / 1000);
  };
  await window(opts.warmupMs, false);
  const rates: number[] = [];
  for (let r = 0; r < opts.runs; r++) rates.push(await window(opts.ms, true));
  return { rate: median(rates), p50: percentile(times, 50), p99: percentile(times, 99), samples: times.length };
}

/**
 * "met" / "missed" line for a target: `actual` against `limit` (both in the same unit, e.g. a
 * ratio to PostgreSQL), `atLeast` = the target is a lower bound. Nothing is printed as met when
 * there is no measurement.
 */
export function targetLine(what: string, actual: number | undefined, limit: number, atLeast: boolean, show: (x: number) => string = (x) => `${x.toFixed(2)}x`): string {
  if (actual === undefined || !Number.isFinite(actual)) return `${what}: target ${atLeast ? '>=' : '<='} ${show(limit)}; not measured in this run`;
  const met = atLeast ? actual >= limit : actual <= limit;
  const by = atLeast ? limit / actual : actual / limit;
  return `${what}: target ${atLeast ? '>=' : '<='} ${show(limit)}, measured ${show(actual)}: ${met ? 'met' : `missed by a factor of ${by.toFixed(by >= 10 ? 0 : 1)}`}`;
}

/** Runs `fn` and turns an exception into a Cell with the error. */
export async function cell(fn: () => Promise<number | Cell>, note?: string): Promise<Cell> {
  try {
    const v = await fn();
    const c = typeof v === 'number' ? { value: v } : v;
    if (note && !c.note) c.note = note;
    return c;
  } catch (e) {
    return { error: errorText(e) };
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: string }).code;
    return (code && /^[0-9A-Z]{5}$/.test(code) ? `[${code}] ` : '') + e.message.split('\n')[0]!.slice(0, 300);
  }
  return String(e).slice(0, 300);
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function fmt(v: number | undefined, unit: string): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  const abs = Math.abs(v);
  let s: string;
  if (unit === 'ms') s = abs >= 100 ? v.toFixed(0) : abs >= 10 ? v.toFixed(1) : abs >= 1 ? v.toFixed(2) : v.toFixed(3);
  else if (abs >= 1e9) s = (v / 1e9).toFixed(2) + 'G';
  else if (abs >= 1e6) s = (v / 1e6).toFixed(2) + 'M';
  else if (abs >= 1e4) s = (v / 1e3).toFixed(1) + 'k';
  else if (abs >= 100) s = v.toFixed(0);
  else if (abs >= 10) s = v.toFixed(1);
  else s = v.toFixed(2);
  return s;
}

function cellText(c: Cell | undefined, unit: string): string {
  if (!c) return 'n/a';
  if (c.error) return 'ERROR';
  const base = c.value === undefined ? 'n/a' : fmt(c.value, unit);
  return c.note ? `${base} (${c.note})` : base;
}

/** lakegres value divided by the other system's value (the literal ratio, whatever the direction). */
export function ratio(m: Metric, other: Cell | undefined): number | undefined {
  if (m.noRatio) return undefined;
  const a = m.cells.lakegres?.value;
  const b = other?.value;
  if (a === undefined || b === undefined || b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  return a / b;
}

function ratioText(r: number | undefined): string {
  if (r === undefined) return '-';
  return r >= 100 ? `${r.toFixed(0)}x` : r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

export function renderTable(w: WorkloadResult): string {
  const hasParquet = w.metrics.some((m) => m.parquet);
  const header = ['metric', 'lakegres', 'DuckDB', 'PostgreSQL', 'lakegres/DuckDB', 'lakegres/PostgreSQL'];
  if (hasParquet) header.push('DuckDB on lake Parquet');
  const rows = w.metrics.map((m) => {
    const r = [
      `${m.name} [${m.unit}${m.better === 'lower' ? ', lower=better' : ', higher=better'}]`,
      cellText(m.cells.lakegres, m.unit),
      cellText(m.cells.duckdb, m.unit),
      cellText(m.cells.postgres, m.unit),
      ratioText(ratio(m, m.cells.duckdb)),
      ratioText(ratio(m, m.cells.postgres)),
    ];
    if (hasParquet) r.push(m.parquet ? cellText(m.parquet, m.unit) : '');
    return r;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => '| ' + cols.map((c, i) => pad(c, widths[i]!, i > 0)).join(' | ') + ' |';
  const sep = '|' + widths.map((n, i) => (i > 0 ? '-'.repeat(n + 1) + ':' : '-'.repeat(n + 2))).join('|') + '|';
  return [line(header), sep, ...rows.map(line)].join('\n');
}

/** Errors of all cells of a workload, for printing under its table. */
export function cellErrors(w: WorkloadResult): string[] {
  const out: string[] = [];
  for (const m of w.metrics) {
    for (const s of SYSTEMS) {
      const c = m.cells[s];
      if (c?.error) out.push(`${s} / ${m.name}: ${c.error}`);
    }
    if (m.parquet?.error) out.push(`duckdb-parquet / ${m.name}: ${m.parquet.error}`);
  }
  return out;
}

/** "how many times worse" lakegres is than `other` (>1: lakegres slower / uses more). */
export function slowdown(m: Metric, other: System): number | undefined {
  const r = ratio(m, m.cells[other]);
  if (r === undefined || r <= 0) return undefined;
  return m.better === 'lower' ? r : 1 / r;
}

export function geomean(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

/** Memory-like units: "more/less memory" instead of "slower/faster". */
export const isMemoryUnit = (unit: string) => unit === 'MB' || unit === 'B';

export function describeFactor(f: number | undefined, memory = false): string {
  if (f === undefined) return 'n/a';
  const [worse, better] = memory ? ['more memory', 'less memory'] : ['slower', 'faster'];
  if (f >= 1.05) return `${f.toFixed(f >= 10 ? 0 : 1)}x ${worse}`;
  if (f <= 1 / 1.05) return `${(1 / f).toFixed(1 / f >= 10 ? 0 : 1)}x ${better}`;
  return 'about the same';
}

export function excluded(m: Metric, s: System): boolean {
  if (m.noSummary === true) return true;
  return Array.isArray(m.noSummary) && m.noSummary.includes(s);
}
