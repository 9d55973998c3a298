/**
 * What clients send on their own (client-sql.ts): every statement runs on lakegres through the
 * rewrites and the emulated catalog, with the column names PostgreSQL gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { referenceClient, startServer, type TestServer } from '../helpers/server.js';
import { CLIENT_SQL } from './client-sql.js';

let srv: TestServer;
let lg: pg.Client;
let ref: pg.Client;
const schema = `pgc_clients_${process.pid}`;

beforeAll(async () => {
  srv = await startServer();
  lg = await srv.client();
  ref = await referenceClient();
  await ref.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path = ${schema}, public`);
  for (const c of [lg, ref]) await c.query("CREATE TABLE items (id int, name text DEFAULT 'x', price float8)");
});
afterAll(async () => {
  await ref?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await ref?.end();
  await srv?.stop();
});

describe('SQL that clients send', () => {
  for (const q of CLIENT_SQL) {
    it(`${q.client}: ${q.sql.slice(0, 60)}`, async () => {
      // The reference runs it in its own schema: 'public' in the statements stands for that schema.
      const refSql = q.sql.replace(/'public'/g, `'${schema}'`);
      const [a, b] = await Promise.all([lg.query(q.sql, q.params), ref.query(refSql, q.params)]);
      expect(a.fields.map((f) => f.name)).toEqual(b.fields.map((f) => f.name));
      if (/items/.test(q.sql) && !/oid|json_build_object/.test(q.sql)) expect(a.rowCount).toBe(b.rowCount);
    });
  }

  it('version() is what SQLAlchemy and Grafana parse', async () => {
    const v = (await lg.query('select pg_catalog.version() AS v')).rows[0].v as string;
    expect(/PostgreSQL (\d+)\.(\d+)/.exec(v)?.slice(1)).toEqual(['16', '14']);
    expect((await lg.query("SELECT current_setting('server_version_num')::int/100 as version")).rows).toEqual([{ version: 1600 }]);
  });
});
