/**
 * The lake configurations a suite runs under: catalog in the embedded DuckDB file or in the
 * reference PostgreSQL, data in a local directory or in S3 (s3rver on loopback).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LakegresConfig } from '../../src/config/options.js';
import { scratchDatabase, type ScratchDatabase } from './pg-catalog.js';
import { S3_KEY, setEnv, startS3, type TestS3 } from './s3.js';
import { startServer, type TestServer } from './server.js';

export interface LakeSetup {
  name: string;
  catalog: 'embedded' | 'postgres';
  storage: 'local' | 's3';
}

export const LAKE_MATRIX: LakeSetup[] = [
  { name: 'embedded catalog, local files', catalog: 'embedded', storage: 'local' },
  { name: 'PostgreSQL catalog, local files', catalog: 'postgres', storage: 'local' },
  { name: 'embedded catalog, S3', catalog: 'embedded', storage: 's3' },
  { name: 'PostgreSQL catalog, S3', catalog: 'postgres', storage: 's3' },
];

export interface LakeEnvironment {
  server: TestServer;
  /** Local directory of the data files (local storage only). */
  dataDir: string | null;
  s3: TestS3 | null;
  /** Every data and delete file the lake has in its storage, sorted. */
  storedFiles(): Promise<string[]>;
  stop(): Promise<void>;
}

function walk(d: string, out: string[] = []): string[] {
  if (!existsSync(d)) return out;
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) walk(path.join(d, e.name), out);
    else out.push(path.join(d, e.name));
  }
  return out;
}

/** Starts a lakegres server for one configuration of the matrix. */
export async function startLake(setup: LakeSetup, overrides: Partial<LakegresConfig> = {}): Promise<LakeEnvironment> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakegres-matrix-'));
  let db: ScratchDatabase | undefined;
  let s3: TestS3 | undefined;
  let restoreEnv: (() => void) | undefined;
  const config: Partial<LakegresConfig> = { dataDir: dir, ...overrides };
  let dataDir: string | null = path.join(dir, 'data');
  try {
    if (setup.catalog === 'postgres') {
      db = await scratchDatabase('lgmatrix');
      config.catalog = db.url;
      config.dataPath = dataDir;
    }
    if (setup.storage === 's3') {
      s3 = await startS3();
      restoreEnv = setEnv({ AWS_ACCESS_KEY_ID: S3_KEY, AWS_SECRET_ACCESS_KEY: S3_KEY, AWS_REGION: 'us-east-1' });
      config.dataPath = `s3://${s3.bucket}/lake/`;
      config.s3Endpoint = s3.endpoint;
      config.s3CacheSize = '64MB';
      if (setup.catalog === 'embedded') config.catalog = path.join(dir, 'metadata.ducklake');
      dataDir = null;
    }
    const server = await startServer(config);
    return {
      server,
      dataDir,
      s3: s3 ?? null,
      async storedFiles() {
        if (s3) return (await s3.list('lake/')).map((o) => String(o.Key)).sort();
        return walk(dataDir!).sort();
      },
      async stop() {
        await server.stop();
        await db?.drop();
        await s3?.destroy();
        restoreEnv?.();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await db?.drop();
    await s3?.destroy();
    restoreEnv?.();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
