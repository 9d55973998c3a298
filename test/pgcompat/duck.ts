/**
 * An in-memory DuckDB with a database "lake" holding stand-ins for the emulated catalog
 * (__lakegres_pg.pg_class, pg_namespace, pg_type, pg_proc, pg_roles, format_type, is_tables):
 * rewritten statements run against it before the real catalog exists.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';
import type pg from 'pg';
import { referenceClient } from '../helpers/server.js';
import { ready } from './context.js';

const STAND_INS = [
  `ATTACH ':memory:' AS lake`,
  `CREATE SCHEMA lake.__lakegres_pg`,
  `CREATE TABLE lake.main.t (a INTEGER, b VARCHAR, c DOUBLE)`,
  `INSERT INTO lake.main.t VALUES (1, 'x', 1.5), (2, 'y', NULL)`,
  `CREATE VIEW lake.__lakegres_pg.pg_namespace AS SELECT * FROM (VALUES (11::BIGINT, 'pg_catalog'), (2200, 'public'), (13000, 'information_schema'), (16390, 'Sales')) v(oid, nspname)`,
  `CREATE VIEW lake.__lakegres_pg.pg_class AS SELECT * FROM (VALUES (1259::BIGINT, 'pg_class', 11::BIGINT, 'r'), (2615, 'pg_namespace', 11, 'r'), (16385, 't', 2200, 'r'), (16391, 'Orders', 16390, 'r'), (16392, 'orders', 16390, 'r')) v(oid, relname, relnamespace, relkind)`,
  `CREATE VIEW lake.__lakegres_pg.pg_type AS SELECT * FROM (VALUES (23::BIGINT, 'int4', 11::BIGINT, 750::BIGINT), (25, 'text', 11, 46), (1007, '_int4', 11, 750), (1043, 'varchar', 11, 1046), (1184, 'timestamptz', 11, 1150)) v(oid, typname, typnamespace, typinput)`,
  `CREATE VIEW lake.__lakegres_pg.pg_proc AS SELECT * FROM (VALUES (750::BIGINT, 'array_in', 11::BIGINT), (42, 'int4in', 11), (46, 'textin', 11)) v(oid, proname, pronamespace)`,
  `CREATE VIEW lake.__lakegres_pg.pg_roles AS SELECT * FROM (VALUES (10::BIGINT, 'alice')) v(oid, rolname)`,
  `CREATE MACRO lake.__lakegres_pg.format_type(t, m) AS CASE t WHEN 23 THEN 'integer' WHEN 25 THEN 'text' WHEN 1007 THEN 'integer[]' WHEN 1043 THEN 'character varying' WHEN 1184 THEN 'timestamp with time zone' END`,
  `CREATE MACRO lake.__lakegres_pg.pg_table_is_visible(o) AS o IN (1259, 2615, 16385)`,
  `CREATE VIEW lake.__lakegres_pg.is_tables AS SELECT 'lake' AS table_catalog, 'public' AS table_schema, 't' AS table_name, 'BASE TABLE' AS table_type`,
  `USE lake`,
];

export async function standInDuckDB(): Promise<{ conn: DuckDBConnection; rows(sql: string, params?: unknown[]): Promise<unknown[][]>; close(): void }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  for (const s of STAND_INS) await conn.run(s);
  return {
    conn,
    async rows(sql, params) {
      const r = params ? await conn.runAndReadAll(sql, params as never) : await conn.runAndReadAll(sql);
      return r.getRowsJS() as unknown[][];
    },
    close() {
      conn.closeSync();
      db.closeSync();
    },
  };
}

export type StandIn = Awaited<ReturnType<typeof standInDuckDB>>;

/**
 * Registers the suite hooks that open the stand-in DuckDB (and, when asked, a client of the
 * reference PostgreSQL) and close them afterwards; the fields are set once beforeAll ran.
 */
export function standIns(opts: { reference?: boolean } = {}): { duck: StandIn; ref: pg.Client } {
  const env = {} as { duck: StandIn; ref: pg.Client };
  beforeAll(async () => {
    await ready;
    env.duck = await standInDuckDB();
    if (opts.reference) env.ref = await referenceClient();
  });
  afterAll(async () => {
    env.duck?.close();
    await env.ref?.end();
  });
  return env;
}
