/**
 * 16. Startup (issue 3 §8): time to the first query after a start, for a lake of many tables and
 * many data files (1,000 tables of 100 files = 100,000 files with --full), on both catalog
 * backends: lakegres on its embedded catalog and lakegres on a PostgreSQL catalog.
 *
 * The lakes are made through lakegres itself, over the wire, by lakegres processes of this
 * workload (their own data directories under the run's temporary directory; the run's main
 * lakegres is not touched): inlining off, one partitioned table per CREATE + one INSERT ... SELECT
 * that writes one Parquet file per partition value, several tables per transaction, two
 * connections. Then, several times, the process is stopped (SIGTERM, waiting for its exit) and a
 * new one is started on the same catalog and files, and the time from spawn to ReadyForQuery, to
 * the first query's result, the first catalog listings, a second query, a new connection's first
 * query and the RSS are measured. The same on a lake of one table (same files per table) shows
 * what the lake's size costs, as a ratio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Ctx } from '../context.js';
import { errorText, median, now, sleep, type Cell, type Metric, type WorkloadResult } from '../harness.js';
import { ROOT, freePort, procAvailable, procMem } from '../systems.js';
import { mb, wireRows } from './common.js';

/** Tables per creating transaction, and creating connections. */
const TABLES_PER_TX = 10;
const CREATE_CONNECTIONS = 2;
/** Rows per data file (each INSERT writes files × this many rows). */
const ROWS_PER_FILE = 10;
/** Per backend: how long creating the big lake may take (the run goes on with what was made). */
const CREATE_BUDGET_MS = { default: 300_000, full: 1_200_000 };
/** Per backend and lake: no new restart after this much time (at least one is made). */
const RESTART_BUDGET_MS = { default: 180_000, full: 600_000 };
/** How long one start may take before it counts as failed. */
const START_TIMEOUT_MS = { default: 300_000, full: 900_000 };
const QUERY_TIMEOUT_MS = 600_000;
const SCHEMA = 's';

const tableName = (i: number) => `t_${String(i).padStart(4, '0')}`;
const fmtN = (x: number) => x.toLocaleString('en-US');

/** psql's `\dt s.*` (PostgreSQL 16). */
const DT_SQL = `SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
  AND c.relname OPERATOR(pg_catalog.~) '^(.*)$' COLLATE pg_catalog.default
  AND n.nspname OPERATOR(pg_catalog.~) '^(${SCHEMA})$' COLLATE pg_catalog.default
ORDER BY 1,2;`;
const INFO_SQL = `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${SCHEMA}'`;
const querySql = (t: number) => `SELECT count(*), sum(v) FROM ${SCHEMA}.${tableName(t)}`;

/** One lakegres process of this workload. */
interface Proc {
  pid: number;
  port: number;
  /** now() at spawn. */
  t0: number;
  /** now() when the "lakegres listening" log line arrived. */
  listeningAt?: number;
  exited?: string;
  tail(): string;
  config(extra?: Partial<pg.ClientConfig>): pg.ClientConfig;
  /** SIGTERM, then waits for the exit (SIGKILL after 60 s); returns the ms it took. */
  stop(): Promise<number>;
  kill(): void;
}

/**
 * The command the run's lakegres was started with: its esbuild bundle, copied to a directory of
 * this workload (another benchmark run on the machine rebuilds the shared bundle directory, which
 * would pull the files from under a later restart), else tsx.
 */
async function lakegresCommand(ctx: Ctx): Promise<{ args: string[]; dir?: string }> {
  const tsx = { args: ['--import', 'tsx', path.join(ROOT, 'src/cli.ts')] };
  const shared = path.join(ROOT, 'node_modules', '.cache', 'lakegres-bench');
  if (!ctx.lg.mode.startsWith('src/ bundled')) return tsx;
  // Under node_modules so that the bundle's external packages resolve as from the shared copy.
  const dir = path.join(ROOT, 'node_modules', '.cache', `lakegres-bench-startup-${process.pid}`);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      cpSync(shared, dir, { recursive: true });
      // Complete copy: every chunk a file imports is there.
      const files = readdirSync(dir).filter((f) => f.endsWith('.mjs'));
      const missing = files.flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/["']\.\/([\w.-]+\.mjs)["']/g)].map((m) => m[1]!)).filter((f) => !files.includes(f));
      if (files.includes('cli.mjs') && !missing.length) return { args: [path.join(dir, 'cli.mjs')], dir };
    } catch {
      // being rebuilt: try again
    }
    await sleep(1000);
  }
  rmSync(dir, { recursive: true, force: true });
  return tsx;
}

const live = new Set<Proc>();
const killLive = () => {
  for (const p of live) p.kill();
};

async function spawnLakegres(command: string[], args: string[]): Promise<Proc> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LAKEGRES_') && !k.startsWith('PG')) env[k] = v;
  const t0 = now();
  const child: ChildProcess = spawn(process.execPath, [...command, '--port', String(port), '--max-connections', '200', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const proc: Proc = {
    pid: child.pid!,
    port,
    t0,
    tail: () => out.slice(-2000),
    config: (extra = {}) => ({ host: '127.0.0.1', port, user: 'lakegres', database: 'lake', query_timeout: QUERY_TIMEOUT_MS, ...extra }),
    async stop() {
      const t = now();
      if (proc.exited === undefined) {
        const done = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const k = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await done;
        clearTimeout(k);
      }
      live.delete(proc);
      return now() - t;
    },
    kill() {
      if (proc.exited === undefined) child.kill('SIGKILL');
    },
  };
  const keep = (d: Buffer) => {
    const s = d.toString();
    if (proc.listeningAt === undefined && s.includes('"msg":"lakegres listening"')) proc.listeningAt = now();
    out += s;
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => {
    proc.exited = `exited with ${code ?? signal}`;
    live.delete(proc);
  });
  live.add(proc);
  return proc;
}

/** Connects as soon as the port accepts (retrying every 5 ms): the client is at ReadyForQuery. */
async function firstConnection(p: Proc, timeoutMs: number): Promise<pg.Client> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const c = new pg.Client(p.config());
    c.on('error', () => undefined);
    try {
      await c.connect();
      return c;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (p.exited) throw new Error(`lakegres ${p.exited} before accepting connections: ${p.tail().slice(-600)}`);
      if (now() > deadline) {
        p.kill();
        throw new Error(`lakegres accepted no connection within ${timeoutMs / 1000} s (last: ${errorText(e)})`);
      }
      await sleep(5);
    }
  }
}

interface Backend {
  label: 'embedded catalog' | 'PostgreSQL catalog';
  /** Arguments of lakegres for a lake in `dir` (creates what the backend needs; first call only). */
  prepare(dir: string, tag: string): Promise<string[]>;
  /** Removes what prepare() made outside `dir`. */
  cleanup(tag: string): Promise<void>;
}

function backends(ctx: Ctx): Backend[] {
  const pgDb = (tag: string) => `lakegres_startup_${tag}`;
  return [
    {
      label: 'embedded catalog',
      prepare: async (dir) => ['--data-dir', dir],
      cleanup: async () => undefined,
    },
    {
      label: 'PostgreSQL catalog',
      prepare: async (dir, tag) => {
        const c = await ctx.pgs.client();
        try {
          await c.query(`DROP DATABASE IF EXISTS ${pgDb(tag)}`);
          await c.query(`CREATE DATABASE ${pgDb(tag)}`);
        } finally {
          await c.end().catch(() => undefined);
        }
        const cfg = ctx.pgs.config();
        const files = path.join(dir, 'files');
        mkdirSync(files, { recursive: true });
        return ['--data-dir', dir, '--catalog', `postgres://${cfg.user}:${cfg.password}@127.0.0.1:${ctx.pgs.port}/${pgDb(tag)}`, '--data-path', files];
      },
      cleanup: async (tag) => {
        const c = await ctx.pgs.client();
        try {
          await c.query(`DROP DATABASE IF EXISTS ${pgDb(tag)}`);
        } finally {
          await c.end().catch(() => undefined);
        }
      },
    },
  ];
}

interface Created {
  /** Indexes of the tables committed, ascending. */
  tables: number[];
  /** Data files the catalog lists (ducklake_table_info). */
  files: number;
  ms: number;
  cut: boolean;
  failures: number;
  firstError?: string;
}

/** Creates `tables` tables of `filesPerTable` files each (bounded by `budgetMs`). */
async function createLake(ctx: Ctx, p: Proc, label: string, tables: number, filesPerTable: number, budgetMs: number): Promise<Created> {
  const admin = await firstConnection(p, 120_000);
  const created: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  const t0 = now();
  let cut = false;
  try {
    await admin.query(`CALL ducklake_set_option('lake', 'data_inlining_row_limit', 0)`);
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    const batches: number[][] = [];
    for (let i = 1; i <= tables; i += TABLES_PER_TX) batches.push(Array.from({ length: Math.min(TABLES_PER_TX, tables - i + 1) }, (_, k) => i + k));
    const attempts = new Map<number[], number>();
    let reported = 0;
    const conns: pg.Client[] = [];
    try {
      for (let i = 0; i < Math.min(CREATE_CONNECTIONS, batches.length); i++) conns.push(await firstConnection(p, 10_000));
      await Promise.all(
        conns.map(async (c) => {
          for (;;) {
            if (now() - t0 > budgetMs) {
              if (batches.length) cut = true;
              return;
            }
            const batch = batches.shift();
            if (!batch) return;
            try {
              await c.query('BEGIN');
              for (const t of batch) {
                const n = `${SCHEMA}.${tableName(t)}`;
                await c.query(`CREATE TABLE ${n} (p INTEGER, id BIGINT, v DOUBLE, s VARCHAR)`);
                await c.query(`ALTER TABLE ${n} SET PARTITIONED BY (p)`);
                await c.query(
                  `INSERT INTO ${n} SELECT (i % ${filesPerTable})::INTEGER AS p, i::BIGINT AS id, i::DOUBLE / 4 AS v, 'r' || i::VARCHAR AS s FROM range(${filesPerTable * ROWS_PER_FILE}) t(i)`,
                );
              }
              await c.query('COMMIT');
              created.push(...batch);
            } catch (e) {
              failures++;
              firstError ??= errorText(e);
              await c.query('ROLLBACK').catch(() => undefined);
              const n = (attempts.get(batch) ?? 0) + 1;
              attempts.set(batch, n);
              if (n < 3) batches.push(batch);
            }
            if (created.length - reported >= Math.max(TABLES_PER_TX, tables / 10)) {
              reported = created.length;
              ctx.log(
                `startup (${label}): ${fmtN(created.length)} of ${fmtN(tables)} tables, ${fmtN(created.length * filesPerTable)} files, ${((created.length * filesPerTable) / ((now() - t0) / 1000)).toFixed(0)} files/s`,
              );
            }
          }
        }),
      );
    } finally {
      await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
    }
    const ms = now() - t0;
    const r = await wireRows(admin, `SELECT count(*), COALESCE(sum(file_count), 0) FROM ducklake_table_info('lake')`);
    const listed = Number(r[0]![0]);
    if (listed !== created.length) firstError ??= `ducklake_table_info lists ${listed} tables, ${created.length} were committed`;
    created.sort((a, b) => a - b);
    return { tables: created, files: Number(r[0]![1]), ms, cut, failures, firstError };
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** What one start measured (ms, RSS in bytes). */
interface Start {
  ready: number;
  firstResult: number;
  first: number;
  info: number;
  dt: number;
  second: number;
  newConn: number;
  rss: number;
  listening?: number;
  stop: number;
}
const MEASURES: { key: keyof Start; name: (q: { first: string; second: string; third: string }) => string; unit: string }[] = [
  { key: 'firstResult', name: (q) => `spawn -> result of the first query (${q.first})`, unit: 'ms' },
  { key: 'ready', name: () => 'spawn -> ReadyForQuery of the first connection', unit: 'ms' },
  { key: 'first', name: () => 'first query alone (after ReadyForQuery)', unit: 'ms' },
  { key: 'info', name: () => `then: count of information_schema.tables in schema ${SCHEMA}`, unit: 'ms' },
  { key: 'dt', name: () => `then: psql's \\dt ${SCHEMA}.* (pg_class query)`, unit: 'ms' },
  { key: 'second', name: (q) => `then: a query on another table, same connection (${q.second})`, unit: 'ms' },
  { key: 'newConn', name: (q) => `then: a new connection, connect + first query (${q.third})`, unit: 'ms' },
  { key: 'rss', name: () => 'lakegres RSS after these', unit: 'MB' },
];

/**
 * Restarts lakegres on the lake `runs` times (bounded by `budgetMs`), measuring each start.
 * `current` is the running process (stopped first); the last process is stopped at the end.
 */
async function restarts(
  ctx: Ctx,
  command: string[],
  current: Proc,
  args: string[],
  lake: Created,
  filesPerTable: number,
  notes: string[],
  errors: string[],
  label: string,
): Promise<{ starts: Start[]; queries: { first: string; second: string; third: string } }> {
  const ts = lake.tables;
  if (!ts.length) throw new Error('no table was created');
  const pick = (f: number) => ts[Math.min(ts.length - 1, Math.floor(ts.length * f))]!;
  const [t1, t2, t3] = [pick(0.5), pick(0.25), pick(0.75)];
  const queries = { first: querySql(t1), second: querySql(t2), third: querySql(t3) };
  const rows = filesPerTable * ROWS_PER_FILE;
  const expected = [String(rows), String((rows * (rows - 1)) / 8)];
  const check = (what: string, got: unknown[][]) => {
    const g = got[0]?.map(String) ?? [];
    if (g[0] !== expected[0] || Number(g[1]) !== Number(expected[1])) notes.push(`RESULT MISMATCH in "${what}" (${label}): got ${JSON.stringify(g)}, expected ${JSON.stringify(expected)}`);
  };
  const starts: Start[] = [];
  const budget = ctx.full ? RESTART_BUDGET_MS.full : RESTART_BUDGET_MS.default;
  const timeout = ctx.full ? START_TIMEOUT_MS.full : START_TIMEOUT_MS.default;
  const t0 = now();
  let proc = current;
  try {
    for (let r = 0; r < Math.max(1, ctx.runs) && (r === 0 || now() - t0 < budget); r++) {
      try {
        const stopMs = await proc.stop();
        proc = await spawnLakegres(command, args);
        const c = await firstConnection(proc, timeout);
        let c2: pg.Client | undefined;
        try {
          const ready = now() - proc.t0;
          let t = now();
          const got = await wireRows(c, queries.first);
          const first = now() - t;
          const firstResult = now() - proc.t0;
          if (r === 0) check(queries.first, got);
          t = now();
          const info = await wireRows(c, INFO_SQL);
          const infoMs = now() - t;
          if (r === 0 && Number(info[0]?.[0]) !== ts.length)
            notes.push(`RESULT MISMATCH (${label}): information_schema.tables counts ${String(info[0]?.[0])} tables in ${SCHEMA}, ${ts.length} were created`);
          t = now();
          const dt = await wireRows(c, DT_SQL);
          const dtMs = now() - t;
          if (r === 0 && dt.length !== ts.length) notes.push(`RESULT MISMATCH (${label}): \\dt ${SCHEMA}.* lists ${dt.length} tables, ${ts.length} were created`);
          t = now();
          const got2 = await wireRows(c, queries.second);
          const second = now() - t;
          if (r === 0) check(queries.second, got2);
          t = now();
          c2 = new pg.Client(proc.config());
          c2.on('error', () => undefined);
          await c2.connect();
          const got3 = await wireRows(c2, queries.third);
          const newConn = now() - t;
          if (r === 0) check(queries.third, got3);
          const rss = procAvailable ? procMem([proc.pid]).rss : NaN;
          starts.push({ ready, firstResult, first, info: infoMs, dt: dtMs, second, newConn, rss, listening: proc.listeningAt === undefined ? undefined : proc.listeningAt - proc.t0, stop: stopMs });
        } finally {
          await c.end().catch(() => undefined);
          await c2?.end().catch(() => undefined);
        }
      } catch (e) {
        // A failed start ends the series; the starts measured before it are kept.
        if (!starts.length) throw e;
        errors.push(`${label}: start ${r + 1} failed: ${errorText(e)}`);
        break;
      }
    }
  } finally {
    await proc.stop();
  }
  return { starts, queries };
}

const medianOf = (starts: Start[], key: keyof Start): number => median(starts.map((s) => s[key]).filter((x): x is number => x !== undefined && Number.isFinite(x)));

export async function startupWorkload(ctx: Ctx): Promise<WorkloadResult> {
  const notes: string[] = [];
  const errors: string[] = [];
  const tables = ctx.sizes.startupTables;
  const filesPerTable = ctx.sizes.startupFilesPerTable;
  const budget = ctx.full ? CREATE_BUDGET_MS.full : CREATE_BUDGET_MS.default;
  const metrics: Metric[] = [];
  process.on('exit', killLive);
  const cmd = await lakegresCommand(ctx);
  if (!cmd.dir) notes.push(`lakegres runs with ${cmd.args.join(' ')} (no complete bundle to copy).`);
  try {
    for (const b of backends(ctx)) {
      type LakeResult = { created?: Created; starts: Start[]; queries?: { first: string; second: string; third: string }; error?: string };
      const measureLake = async (tag: string, nTables: number): Promise<LakeResult> => {
        const dir = path.join(ctx.tmp, `startup-${tag}`);
        mkdirSync(dir, { recursive: true });
        const out: LakeResult = { starts: [] };
        let proc: Proc | undefined;
        try {
          const args = await b.prepare(dir, tag);
          proc = await spawnLakegres(cmd.args, args);
          const sizeText = `${fmtN(nTables)} table${nTables === 1 ? '' : 's'} x ${filesPerTable} files`;
          ctx.log(`startup (${b.label}): creating a lake of ${sizeText}`);
          out.created = await createLake(ctx, proc, b.label, nTables, filesPerTable, budget);
          ctx.log(`startup (${b.label}): ${fmtN(out.created.tables.length)} tables, ${fmtN(out.created.files)} files in ${(out.created.ms / 1000).toFixed(1)} s; restarting`);
          const r = await restarts(ctx, cmd.args, proc, args, out.created, filesPerTable, notes, errors, b.label);
          proc = undefined;
          out.starts = r.starts;
          out.queries = r.queries;
        } catch (e) {
          out.error = errorText(e);
          errors.push(`${b.label}, lake of ${fmtN(nTables)} table(s): ${out.error}`);
          if (proc && proc.exited) notes.push(`lakegres (${b.label}) ${proc.exited}; last output: ${proc.tail().slice(-800)}`);
        } finally {
          if (proc) await proc.stop().catch(() => undefined);
          await b.cleanup(tag).catch(() => undefined);
          rmSync(dir, { recursive: true, force: true });
        }
        return out;
      };
      const tagBase = b.label.startsWith('embedded') ? 'emb' : 'pg';
      const small = await measureLake(`${tagBase}_small`, 1);
      const big = await measureLake(`${tagBase}_big`, tables);
      const c = big.created;
      const size = c ? `${fmtN(c.tables.length)} tables, ${fmtN(c.files)} files` : `${fmtN(tables)} tables`;
      metrics.push({
        name: `creating the lake (${size}), ${b.label}`,
        unit: 'ms',
        better: 'lower',
        cells: { lakegres: c ? { value: c.ms, note: `${((c.files / c.ms) * 1000).toFixed(0)} files/s, single run` } : { error: big.error ?? 'n/a' } },
        noSummary: true,
        noRatio: true,
      });
      if (c) {
        notes.push(
          `${b.label}: ${fmtN(c.tables.length)} of ${fmtN(tables)} tables created, ${fmtN(c.files)} data files listed by ducklake_table_info (intended ${fmtN(c.tables.length * filesPerTable)})${c.cut ? `; creation cut at its budget of ${budget / 1000} s` : ''}${c.failures ? `; ${c.failures} transaction(s) failed (first: ${c.firstError})` : c.firstError ? `; ${c.firstError}` : ''}.`,
        );
      }
      const q = big.queries ?? small.queries ?? { first: '?', second: '?', third: '?' };
      for (const m of MEASURES) {
        const conv = (x: number) => (m.unit === 'MB' ? mb(x) : x);
        let lgCell: Cell;
        if (!big.starts.length) lgCell = { error: big.error ?? 'not measured' };
        else {
          const v = conv(medianOf(big.starts, m.key));
          const s = small.starts.length ? conv(medianOf(small.starts, m.key)) : NaN;
          const shown = m.unit === 'MB' ? s.toFixed(0) : s >= 100 ? s.toFixed(0) : s.toFixed(1);
          lgCell = Number.isFinite(v) ? { value: v, note: Number.isFinite(s) && s > 0 ? `1 table: ${shown}, ${(v / s).toFixed(1)}x` : undefined } : { error: 'not measured' };
        }
        metrics.push({ name: `${m.name(q)}, ${b.label}`, unit: m.unit, better: 'lower', cells: { lakegres: lgCell }, noSummary: true });
      }
      const per = (xs: Start[]) => xs.map((s) => `${(s.firstResult / 1000).toFixed(2)} s`).join(', ');
      if (big.starts.length || small.starts.length)
        notes.push(
          `${b.label}: spawn -> first result per start: ${per(big.starts)} (big lake), ${per(small.starts)} (1 table); "lakegres listening" logged after ${(medianOf(big.starts, 'listening') / 1000).toFixed(2)} s (big) and ${(medianOf(small.starts, 'listening') / 1000).toFixed(2)} s (1 table); stopping (SIGTERM to exit) took ${(medianOf(big.starts, 'stop') / 1000).toFixed(2)} s and ${(medianOf(small.starts, 'stop') / 1000).toFixed(2)} s.`,
        );
    }
  } finally {
    killLive();
    process.removeListener('exit', killLive);
    if (cmd.dir) rmSync(cmd.dir, { recursive: true, force: true });
  }
  notes.unshift(
    `Each lake: CALL ducklake_set_option('lake', 'data_inlining_row_limit', 0), then per table t_NNNN in schema ${SCHEMA}: CREATE TABLE (p INTEGER, id BIGINT, v DOUBLE, s VARCHAR), ALTER TABLE ... SET PARTITIONED BY (p), one INSERT ... SELECT of ${fmtN(filesPerTable * ROWS_PER_FILE)} rows with ${filesPerTable} values of p (one Parquet file per partition), ${TABLES_PER_TX} tables per transaction over ${CREATE_CONNECTIONS} connections; creation bounded at ${budget / 1000} s per backend. Made by lakegres processes of this workload on their own data directories (PostgreSQL catalog: a fresh database in the benchmark's PostgreSQL, files under --data-path).`,
    `Each start: the running lakegres is stopped (SIGTERM, waiting for its exit), a new one is spawned on the same catalog and files (plain node, like the run's lakegres), and a client connects as soon as the port accepts (retrying every 5 ms); then, in this order, the first query on a table in the middle, the catalog listings, a query on another table, a new connection's first query on a third table, and the RSS. Median of ${ctx.runs} starts (bounded at ${(ctx.full ? RESTART_BUDGET_MS.full : RESTART_BUDGET_MS.default) / 1000} s per lake). The lake's files are in the OS page cache (just written): these are warm starts.`,
    `"1 table: x, Nx" = the same measurement on a lake of one table of ${filesPerTable} files (same table shape and files per table) on the same backend, and the ratio big / small: what the lake's size costs. PostgreSQL and DuckDB are not measured here (n/a).`,
  );
  return { name: 'startup', title: `16. Startup: time to first query after a start, lake of ${fmtN(tables)} tables x ${filesPerTable} files, both catalogs`, metrics, notes, errors, seconds: 0 };
}
