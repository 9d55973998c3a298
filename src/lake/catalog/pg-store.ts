/**
 * Catalog in PostgreSQL, reached through a `pg` pool. Several lakegres processes (and the
 * official DuckDB extension) may share it; the commit protocol resolves races.
 */
import pg from 'pg';
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { CatalogStore, CatalogTransaction, Row } from './store.js';
import { ScriptedTransaction } from './scripted-tx.js';

const INT8 = 20;
const NUMERIC = 1700;

/** ids, counters and sizes arrive as int8; they are exact as JS numbers below 2^53. */
function parseInt8(v: string): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8) return parseInt8;
    if (oid === 1184 || oid === 1114 || oid === 1082) return (v: string) => v; // keep timestamps as text
    if (oid === NUMERIC) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export class PgCatalogStore implements CatalogStore {
  readonly kind = 'postgres' as const;
  readonly schemaSql: string;

  private constructor(
    private readonly pool: pg.Pool,
    readonly schemaName: string,
    readonly description: string,
  ) {
    this.schemaSql = '"' + schemaName.replace(/"/g, '""') + '"';
  }

  static async open(connectionString: string, schema = 'public', maxConnections = 10): Promise<PgCatalogStore> {
    const safe = redact(connectionString);
    // Reachability first, bounded: the pool waits forever for a server that accepts TCP but
    // never answers (and its own connect timeout would also cap waits for a busy pool).
    const probe = new pg.Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'lakegres' });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
    } catch (e) {
      throw new PgError(SqlState.connectionFailure, `cannot connect to the PostgreSQL catalog ${safe}: ${connectError(e)}`);
    } finally {
      await probe.end().catch(() => undefined);
    }
    // Fixed session settings: catalog values read as text (snapshot times, inlined floats) must
    // not depend on the database's or role's defaults (extra_float_digits=1 = exact floats), and
    // string literals of catalog scripts (catalog/literal-sql.ts) take backslashes literally.
    const pool = new pg.Pool({ connectionString, max: maxConnections, types: typeParsers as unknown as pg.CustomTypesConfig, application_name: 'lakegres', options: '-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=1 -c standard_conforming_strings=on' });
    pool.on('error', () => undefined);
    try {
      const c = await pool.connect();
      c.release();
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new PgError(SqlState.connectionFailure, `cannot connect to the PostgreSQL catalog ${safe}: ${connectError(e)}`);
    }
    return new PgCatalogStore(pool, schema, safe);
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const r = await this.pool.query(sql, params as unknown[]);
    return r.rows as T[];
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: CatalogTransaction) => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T> {
    const c = await this.pool.connect();
    const tx = new ScriptedTransaction(
      'postgres',
      {
        script: async (statements, resultIndex) => {
          // A simple-protocol query: several statements, one result each.
          const r = (await c.query(statements.join(';\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
          const results = Array.isArray(r) ? r : [r];
          return resultIndex < 0 ? [] : ((results[resultIndex]?.rows ?? []) as Row[]);
        },
        bound: async (sql, params) => (await c.query(sql, params as unknown[])).rows as Row[],
      },
      opts.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN',
    );
    try {
      const result = await fn(tx);
      await tx.commit();
      return result;
    } catch (e) {
      if (tx.began && !tx.committed) await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** How long opening the catalog waits for PostgreSQL to accept a session. */
const CONNECT_TIMEOUT_MS = 10_000;

/** A connection error as text (an AggregateError from several addresses has an empty message). */
function connectError(e: unknown): string {
  const err = e as Error & { code?: string; errors?: Error[] };
  if (err?.message) return err.message;
  const inner = err?.errors?.map((x) => x.message).filter(Boolean) ?? [];
  return inner.length ? inner.join('; ') : (err?.code ?? String(e));
}

/** The connection string without its password, for messages and logs. */
export function redact(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    if (u.password) u.password = '***';
    // (a password may also come as a query parameter)
    for (const key of [...u.searchParams.keys()]) if (/password/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return connectionString.replace(/password=[^\s&]*/gi, 'password=***');
  }
}
