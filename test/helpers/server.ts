/** Starts an in-process lakegres on a free port with a throw-away data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { LakegresServer } from '../../src/server/server.js';
import { resolveConfig, type LakegresConfig } from '../../src/config/options.js';
import { silentLogger } from '../../src/util/log.js';

export interface TestServer {
  server: LakegresServer;
  port: number;
  dataDir: string;
  config: LakegresConfig;
  /** node-postgres connection options for this server. */
  connection(extra?: Partial<pg.ClientConfig>): pg.ClientConfig;
  client(extra?: Partial<pg.ClientConfig>): Promise<pg.Client>;
  stop(): Promise<void>;
}

export async function startServer(overrides: Partial<LakegresConfig> = {}, env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? mkdtempSync(path.join(tmpdir(), 'lakegres-test-'));
  const config = { ...resolveConfig({ port: 0, dataDir, logLevel: 'silent' }, env), ...overrides, dataDir };
  const server = await LakegresServer.start(config, silentLogger);
  const port = server.port;
  const connection = (extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig => ({
    host: '127.0.0.1',
    port,
    user: config.user,
    database: config.database[0],
    ...extra,
  });
  const clients: pg.Client[] = [];
  return {
    server,
    port,
    dataDir,
    config,
    connection,
    async client(extra = {}) {
      const c = new pg.Client(connection(extra));
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await server.shutdown(0);
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A client of the reference PostgreSQL started by the global setup. */
export async function referenceClient(extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: inject('pgPort'), user: 'postgres', password: 'postgres', database: 'postgres', ...extra });
  await c.connect();
  return c;
}

export function referencePort(): number {
  return inject('pgPort');
}
