/**
 * Shared plumbing for the real-client tests: running client programs with a time limit, and
 * describing the two servers a scenario runs against (a lakegres started by the test file and
 * a private database in the reference PostgreSQL 16 of the global setup).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { referencePort, type TestServer } from '../helpers/server.js';

export const CLIENT_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Debian's python, which has python3-psycopg2 and python3-psycopg (not the pyenv one on PATH). */
export const PYTHON = '/usr/bin/python3';
export const PSQL = '/usr/bin/psql';
export const JDBC_JAR = '/usr/share/java/postgresql.jar';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a program to completion, killing it after `timeoutMs`. Never inherits the caller's PG* environment. */
export function run(cmd: string, args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PG')) env[k] = v;
  Object.assign(env, { LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' }, opts.env ?? {});
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Where a client connects. */
export interface Target {
  label: 'lakegres' | 'reference';
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export function lakegresTarget(srv: TestServer): Target {
  return { label: 'lakegres', host: '127.0.0.1', port: srv.port, user: srv.config.user, password: '', database: srv.config.database[0]! };
}

/** libpq connection string (psycopg2, psycopg, psql). */
export function libpqDsn(t: Target): string {
  const parts = [`host=${t.host}`, `port=${t.port}`, `user=${t.user}`, `dbname=${t.database}`, 'connect_timeout=10'];
  if (t.password) parts.push(`password=${t.password}`);
  return parts.join(' ');
}

export function jdbcUrl(t: Target, params: Record<string, string> = {}): string {
  const q = new URLSearchParams({ connectTimeout: '10', socketTimeout: '60', ...params });
  return `jdbc:postgresql://${t.host}:${t.port}/${t.database}?${q.toString()}`;
}

/** A private database in the reference PostgreSQL, so test files never see each other's tables. */
export interface ReferenceDb {
  target: Target;
  drop(): Promise<void>;
}

export async function createReferenceDb(prefix: string): Promise<ReferenceDb> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = { host: '127.0.0.1', port: referencePort(), user: 'postgres', password: 'postgres', database: 'postgres' };
  const c = new pg.Client(admin);
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`);
  } finally {
    await c.end();
  }
  return {
    target: { label: 'reference', host: '127.0.0.1', port: admin.port, user: 'postgres', password: 'postgres', database: name },
    async drop() {
      const d = new pg.Client(admin);
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
