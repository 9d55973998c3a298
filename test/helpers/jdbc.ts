/**
 * pgjdbc (Debian's /usr/share/java/postgresql.jar) driven through test/clients/java/AuthCheck.java,
 * compiled with javac into a temporary directory on first use.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './cli-process.js';

const run = promisify(execFile);
export const PGJDBC_JAR = '/usr/share/java/postgresql.jar';

export function jdbcAvailable(): boolean {
  return existsSync(PGJDBC_JAR);
}

let compiled: Promise<string> | undefined;

function compile(): Promise<string> {
  compiled ??= (async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'lakegres-java-'));
    await run('javac', ['-cp', PGJDBC_JAR, '-d', out, path.join(ROOT, 'test/clients/java/AuthCheck.java')], { timeout: 120_000 });
    return out;
  })();
  return compiled;
}

export interface JdbcCase {
  url: string;
  user: string;
  password: string;
  sql: string;
}

/** Runs the cases in one JVM; returns one "OK value" / "ERR state message" line per case. */
export async function runJdbc(cases: JdbcCase[]): Promise<string[]> {
  const dir = await compile();
  const input = cases.map((c) => [c.url, c.user, c.password, c.sql].join('\t')).join('\n') + '\n';
  const child = execFile('java', ['-cp', `${dir}:${PGJDBC_JAR}`, 'AuthCheck'], { timeout: 120_000, maxBuffer: 1 << 20 });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const lines = stdout.split('\n').filter(Boolean);
  if (code !== 0 || lines.length !== cases.length) throw new Error(`AuthCheck failed (exit ${code}):\n${stdout}\n${stderr}`);
  return lines;
}
