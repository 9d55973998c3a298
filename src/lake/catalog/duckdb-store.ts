/**
 * Catalog in a DuckDB database file, opened in a DuckDB instance of its own so that client
 * sessions (on the main instance) can never reach the metadata tables. Commits from this
 * process are serialised; a DuckDB file catalog is single-process by nature.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { CatalogStore, CatalogTransaction, Row } from './store.js';
import { Mutex } from '../../util/mutex.js';
import { readAll, readAllPrepared, RowsResult } from '../../engine/rows.js';
import { ScriptedTransaction } from './scripted-tx.js';

export class DuckDBCatalogStore implements CatalogStore {
  readonly kind = 'duckdb' as const;
  readonly schemaSql: string;
  private readonly writeLock = new Mutex();
  private pool: DuckDBConnection[] = [];

  private constructor(
    readonly instance: DuckDBInstance,
    readonly path: string,
    readonly schemaName: string,
  ) {
    this.schemaSql = '"' + schemaName.replace(/"/g, '""') + '"';
  }

  get description(): string {
    return this.path;
  }

  static async open(path: string, schema = 'main'): Promise<DuckDBCatalogStore> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, { errors_as_json: 'false', threads: '2', autoinstall_known_extensions: 'false', storage_compatibility_version: 'latest' });
    } catch (e) {
      throw new PgError(SqlState.configFileError, `cannot open the lake catalog ${path}: ${(e as Error).message}`);
    }
    return new DuckDBCatalogStore(instance, path, schema);
  }

  private async conn(): Promise<DuckDBConnection> {
    return this.pool.pop() ?? (await this.instance.connect());
  }

  private release(c: DuckDBConnection): void {
    if (this.pool.length < 8) this.pool.push(c);
    else c.closeSync();
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const c = await this.conn();
    try {
      return await runQuery<T>(c, sql, params);
    } finally {
      this.release(c);
    }
  }

  async exec(sql: string): Promise<void> {
    const c = await this.conn();
    try {
      await c.run(sql);
    } finally {
      this.release(c);
    }
  }

  async transaction<T>(fn: (tx: CatalogTransaction) => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T> {
    const run = async () => {
      const c = await this.conn();
      const tx = new ScriptedTransaction(
        'duckdb',
        {
          // DuckDB returns the result of the first statement of a script that has one.
          script: async (statements) => rowObjects(new RowsResult(await c.run(statements.join(';\n')))),
          bound: (sql, params) => runQuery(c, sql, params),
        },
        opts.readOnly ? 'BEGIN TRANSACTION READ ONLY' : 'BEGIN TRANSACTION',
      );
      try {
        const result = await fn(tx);
        await tx.commit();
        return result;
      } catch (e) {
        if (tx.began && !tx.committed) await c.run('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        this.release(c);
      }
    };
    return opts.readOnly ? run() : this.writeLock.run(run);
  }

  async close(): Promise<void> {
    await this.writeLock.run(async () => {
      for (const c of this.pool) c.closeSync();
      this.pool = [];
      this.instance.closeSync();
    });
  }
}

/** Prepared statements per catalog connection (the same few statements run for every commit). */
const preparedCache = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();
const PREPARED_CACHE_SIZE = 256;

async function prepared(c: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let cache = preparedCache.get(c);
  if (!cache) preparedCache.set(c, (cache = new Map()));
  const hit = cache.get(sql);
  if (hit) return hit;
  const p = await c.prepare(sql);
  cache.set(sql, p);
  if (cache.size > PREPARED_CACHE_SIZE) {
    const [oldest, stmt] = cache.entries().next().value as [string, DuckDBPreparedStatement];
    cache.delete(oldest);
    stmt.destroySync();
  }
  return p;
}

async function runQuery<T extends Row>(c: DuckDBConnection, sql: string, params: readonly unknown[]): Promise<T[]> {
  let reader;
  if (params.length) {
    const p = await prepared(c, sql);
    p.clearBindings();
    p.bind(params.map(toDuck));
    reader = await readAllPrepared(p);
  } else reader = await readAll(c, sql);
  return rowObjects<T>(reader);
}

function rowObjects<T extends Row = Row>(reader: RowsResult): T[] {
  const names = reader.columnNames();
  const out: T[] = [];
  for (const row of reader.getRows()) {
    const o: Row = {};
    for (let i = 0; i < names.length; i++) o[names[i]!] = fromDuck(row[i]);
    out.push(o as T);
  }
  return out;
}

function toDuck(v: unknown): DuckDBValue {
  if (v === undefined) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return v as DuckDBValue;
}

function fromDuck(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
  if (typeof v === 'object') return String(v);
  return v;
}
