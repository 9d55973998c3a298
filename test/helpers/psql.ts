/** Runs the psql binary on PATH (libpq) against a server, with PG* settings given explicitly. */
import { execFile } from 'node:child_process';
import { cleanEnv } from './cli-process.js';

export interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `psql -X -A -t -c <sql> <conninfo>`; `env` holds PGPASSWORD, PGSSLMODE, PGCHANNELBINDING, ... */
export function psql(conninfo: string, sql: string, env: Record<string, string> = {}): Promise<PsqlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'psql',
      ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql, conninfo],
      { env: cleanEnv({ PGCONNECT_TIMEOUT: '10', ...env }), timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err);
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end();
  });
}

/** The psql major version (sslnegotiation=direct needs 17). */
export function psqlMajor(): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile('psql', ['--version'], (err, stdout) => {
      if (err) return reject(err);
      const m = /(\d+)(?:\.\d+)?/.exec(String(stdout));
      resolve(m ? Number(m[1]) : 0);
    }),
  );
}
