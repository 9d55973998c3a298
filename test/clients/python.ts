/** Runs the Python client scenarios (psycopg2_cases.py, psycopg3_cases.py) against a target. */
import path from 'node:path';
import { expect } from 'vitest';
import { CLIENT_DIR, PYTHON, libpqDsn, run, type Target } from './util.js';

/** A query that runs far longer than any test waits: DuckDB work for lakegres, a sleep for PostgreSQL. */
export function longQuery(t: Target): string {
  return t.label === 'lakegres' ? 'select count(*) from range(100000000000) t(i) where i % 7 = 3' : 'select pg_sleep(60)';
}

/** Runs one case of a script and returns its stdout; the script must exit 0 within the time limit. */
export async function pythonCase(script: string, t: Target, which: string, timeoutMs = 45_000): Promise<string> {
  const r = await run(PYTHON, [path.join(CLIENT_DIR, script), libpqDsn(t), which, longQuery(t)], { timeoutMs });
  expect(r.timedOut, `${script} ${which} against ${t.label} timed out:\n${r.stdout}\n${r.stderr}`).toBe(false);
  expect(r.code, `${script} ${which} against ${t.label} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Runs the case against both servers and expects the same output. */
export async function samePython(script: string, lakegres: Target, reference: Target, which: string): Promise<string> {
  const [a, b] = await Promise.all([pythonCase(script, lakegres, which), pythonCase(script, reference, which)]);
  expect(a).toBe(b);
  return a;
}
