/**
 * The process-wide DuckDB instance and the per-session connections opened on it.
 * Instance-wide options (threads, memory_limit, temp_directory) are fixed here; sessions can
 * never change them (see sql/duckdb-settings.ts).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface EngineOptions {
  dataDir: string;
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
  allowFileAccess: boolean;
}

export const quoteIdent = (name: string) => '"' + name.replace(/"/g, '""') + '"';
const quoteLiteral = (s: string) => "'" + s.replace(/'/g, "''") + "'";

export class Engine {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly options: EngineOptions,
  ) {}

  static async create(options: EngineOptions): Promise<Engine> {
    const tempDirectory = options.tempDirectory ?? path.join(options.dataDir, 'tmp');
    mkdirSync(tempDirectory, { recursive: true });
    const config: Record<string, string> = {
      errors_as_json: 'true',
      temp_directory: tempDirectory,
      autoinstall_known_extensions: 'false',
      // Sessions share one instance; an insertion-ordered result is what PostgreSQL users expect.
      preserve_insertion_order: 'true',
    };
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.threads) config.threads = String(options.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    return new Engine(instance, { ...options, tempDirectory });
  }

  /**
   * Unless file access is allowed, SQL can reach only the server's own directories from now on
   * (spill files, the lakes' local data and the S3 cache). This cannot be undone or changed later.
   */
  async lockDown(directories: string[]): Promise<void> {
    if (this.options.allowFileAccess) return;
    const setup = await this.instance.connect();
    try {
      const dirs = [this.options.tempDirectory!, ...directories].map((d) => quoteLiteral(path.resolve(d)));
      await setup.run(`SET allowed_directories = [${dirs.join(', ')}]`);
      await setup.run('SET enable_external_access = false');
    } finally {
      setup.closeSync();
    }
  }

  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  close(): void {
    this.instance.closeSync();
  }
}
