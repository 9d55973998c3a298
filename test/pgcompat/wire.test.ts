/**
 * The PostgreSQL compatibility rewrites end to end, over the wire, against the reference
 * PostgreSQL where both should answer the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { referenceClient, startServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let lg: pg.Client;
let ref: pg.Client;
const schema = `pgc_${process.pid}`;

beforeAll(async () => {
  srv = await startServer();
  lg = await srv.client();
  ref = await referenceClient();
  await ref.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
  for (const c of [lg, ref]) {
    await c.query("CREATE TABLE items (id int, name text DEFAULT 'none', price float8)");
    await c.query("INSERT INTO items VALUES (1, 'apple', 1.5), (2, 'pear', 2.25)");
  }
});
afterAll(async () => {
  await ref?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await ref?.end();
  await srv?.stop();
});

const both = async (sql: string, values?: unknown[]) => {
  const [a, b] = await Promise.all([lg.query(sql, values), ref.query(sql, values)]);
  return { lg: a, pg: b };
};

describe('PostgreSQL SQL over the wire', () => {
  it("RowDescription has PostgreSQL's column names", async () => {
    const sql = "SELECT count(*), sum(price), max(name), 1 + 1, name::varchar, CASE WHEN id > 1 THEN 'x' END, coalesce(name, ''), now() IS NOT NULL, (SELECT 1), EXISTS (SELECT 1) FROM items GROUP BY name, id";
    for (const values of [undefined, []]) {
      const r = await both(sql, values);
      expect(r.lg.fields.map((f) => f.name)).toEqual(r.pg.fields.map((f) => f.name));
    }
  });

  it('RowDescription has the lake table and column of plain column references', async () => {
    for (const values of [undefined, []]) {
      const r = await both('SELECT price, id AS ident, items.name, id + 1, * FROM items', values);
      const tables = new Set(r.lg.fields.filter((f) => f.columnID > 0).map((f) => f.tableID));
      expect(tables.size).toBe(1);
      expect([...tables][0]).toBeGreaterThanOrEqual(16384);
      expect(r.lg.fields.map((f) => f.columnID)).toEqual(r.pg.fields.map((f) => f.columnID));
      expect(r.lg.fields.map((f) => f.tableID !== 0)).toEqual(r.pg.fields.map((f) => f.tableID !== 0));
    }
  });

  it('session values', async () => {
    const r = await lg.query('SELECT current_user AS u, current_database() AS d, current_schema AS s, current_schemas(false) AS p, version() AS v, pg_backend_pid() AS pid, inet_server_port() AS port');
    // current_schemas() is name[] as in PostgreSQL (node-postgres leaves name[] as text).
    expect(r.rows[0]).toMatchObject({ u: srv.config.user, d: srv.config.database[0], s: 'public', p: '{public}', pid: expect.any(Number) });
    expect(r.fields.slice(0, 4).map((f) => f.dataTypeID)).toEqual([19, 19, 19, 1003]);
    expect(r.rows[0].v).toMatch(/^PostgreSQL 16\.14 \(lakegres /);
    expect(r.rows[0].port).toBe(srv.config.port || r.rows[0].port);
    await lg.query("SET application_name = 'pgc-test'");
    expect((await lg.query("SELECT current_setting('application_name') AS a")).rows[0].a).toBe('pgc-test');
  });

  it('txid_current() is stable within a transaction', async () => {
    await lg.query('BEGIN');
    const a = (await lg.query('SELECT txid_current() AS x')).rows[0].x;
    const b = (await lg.query({ text: 'SELECT txid_current() AS x', values: [] })).rows[0].x;
    await lg.query('COMMIT');
    const c = (await lg.query('SELECT txid_current() AS x')).rows[0].x;
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('a prepared statement sees settings changed after Parse', async () => {
    const q = { name: 'tz', text: "SELECT current_setting('TimeZone') AS z" };
    await lg.query("SET TimeZone = 'UTC'");
    expect((await lg.query(q)).rows[0].z).toBe('UTC');
    await lg.query("SET TimeZone = 'Europe/Paris'");
    expect((await lg.query(q)).rows[0].z).toBe('Europe/Paris');
    await lg.query("SET TimeZone = 'UTC'");
  });

  it('syntax: regex operators, E strings, array text, generate_series aliases, FOR UPDATE', async () => {
    const cases: [string, unknown[]?][] = [
      ["SELECT name ~ 'p', name ~* 'A', name !~ '^p', name !~* 'E$' FROM items ORDER BY id"],
      ["SELECT E'\\u00e9\\t\\x41' AS s"],
      ["SELECT '{a,b}'::text[] AS arr, 2 = ANY('{1,2}') AS has"],
      ['SELECT i, i * 2 AS d FROM generate_series(1, 3) i ORDER BY i'],
      ['SELECT id FROM items WHERE id = 1 FOR UPDATE'],
      ['SELECT $1::text ~ $2 AS m', ['hello', 'ell']],
      ["SELECT name FROM items WHERE name ~ $1 ORDER BY 1", ['^(apple|pear)$']],
      ["SELECT 'X' COLLATE \"C\" < 'a' AS c"],
    ];
    for (const [sql, values] of cases) {
      const r = await both(sql, values);
      expect(r.lg.rows.map((x) => Object.values(x).map(String)), sql).toEqual(r.pg.rows.map((x) => Object.values(x).map(String)));
    }
  });

  it('INSERT with fewer values than columns fills the rest with defaults', async () => {
    for (const c of [lg, ref]) await c.query('INSERT INTO items VALUES (3)');
    const r = await both('SELECT * FROM items WHERE id = 3');
    expect(r.lg.rows).toEqual(r.pg.rows);
    expect(r.lg.rows).toEqual([{ id: 3, name: 'none', price: null }]);
  });

  it('SHOW TRANSACTION ISOLATION LEVEL answers as the session reports', async () => {
    const r = await lg.query('SHOW TRANSACTION ISOLATION LEVEL');
    expect(r.fields[0]!.name).toBe('transaction_isolation');
    expect(r.rows).toEqual([{ transaction_isolation: 'repeatable read' }]);
  });

  it('DuckDB-dialect statements pass through untouched', async () => {
    expect((await lg.query('SELECT [1, 2] AS l')).rows[0].l).toEqual([1, 2]);
    expect((await lg.query('FROM items SELECT count(*) AS n')).rows[0].n).toBe('3');
  });
});
