/**
 * RowDescription table OID and column number of result columns that come from a table column,
 * checked against the reference PostgreSQL (the tables' OIDs differ; which table and which
 * column must agree).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ready } from './context.js';
import { referenceClient } from '../helpers/server.js';
import { pgResultColumns, type OriginContext } from '../../src/pgcompat/result-columns.js';

let ref: pg.Client;
const refNames = new Map<number, string>();
beforeAll(async () => {
  await ready;
  ref = await referenceClient();
  await ref.query('CREATE TEMP TABLE t (a int, b text, c float8)');
  await ref.query('CREATE TEMP TABLE u (a int, e text)');
  for (const r of (await ref.query("SELECT oid::int AS oid, relname FROM pg_class WHERE relname IN ('t', 'u') AND relnamespace = pg_my_temp_schema()")).rows) refNames.set(r.oid, r.relname);
});
afterAll(async () => ref?.end());

const TABLES: Record<string, { oid: number; columns: string[] }> = { t: { oid: 16385, columns: ['a', 'b', 'c'] }, u: { oid: 16386, columns: ['a', 'e'] } };
const ours: OriginContext = { table: (catalog, schema, name) => (schema === undefined || schema === 'public' ? TABLES[name.toLowerCase()] : undefined) };
const oursNames = new Map(Object.entries(TABLES).map(([n, t]) => [t.oid, n]));

const STATEMENTS = [
  'SELECT a, b, c FROM t',
  'SELECT * FROM t',
  'SELECT c, a AS x, t.b, 1, a + 1, a::text FROM t',
  'SELECT x.a, x.* FROM t AS x',
  'SELECT t.a, u.e, b FROM t, u',
  'SELECT * FROM t JOIN u USING (a)',
  'SELECT * FROM t LEFT JOIN u ON t.a = u.a',
  'SELECT * FROM t NATURAL JOIN u',
  'SELECT a FROM t RIGHT JOIN u USING (a)',
  'SELECT a FROM t FULL JOIN u USING (a)',
  'SELECT s.a, s.y FROM (SELECT a, b AS y, 1 AS z FROM t) s',
  'SELECT * FROM (SELECT b, a FROM t) s(p, q)',
  'WITH w AS (SELECT c, a FROM t) SELECT * FROM w',
  'WITH w(k) AS (SELECT a FROM t) SELECT k FROM w',
  'SELECT a FROM t UNION SELECT a FROM u',
  'SELECT count(*), max(a) FROM t',
  'SELECT (SELECT a FROM t LIMIT 1)',
  'SELECT j.a FROM (t JOIN u USING (a)) AS j',
];

const describeRef = async (sql: string) => (await ref.query(sql)).fields.map((f) => [f.tableID ? refNames.get(f.tableID) ?? '?' : 0, f.columnID]);

describe('column origins (table OID, attribute number)', () => {
  it('agree with PostgreSQL', async () => {
    for (const sql of STATEMENTS) {
      const expected = await describeRef(sql);
      const cols = pgResultColumns(sql, expected.map((_, i) => `c${i}`), ours);
      expect(cols?.map((c) => [c.tableOid ? oursNames.get(c.tableOid) : 0, c.attnum]), sql).toEqual(expected);
    }
  });

  it('RETURNING of DML', async () => {
    for (const sql of ['INSERT INTO t VALUES (1) RETURNING a, b, *', 'UPDATE t SET a = 2 RETURNING c, a + 1', 'DELETE FROM t USING u WHERE t.a = u.a RETURNING t.a, u.e']) {
      const expected = await describeRef(sql);
      const cols = pgResultColumns(sql, expected.map((_, i) => `c${i}`), ours);
      expect(cols?.map((c) => [c.tableOid ? oursNames.get(c.tableOid) : 0, c.attnum]), sql).toEqual(expected);
    }
  });

  it('is 0 where the table is not a lake table or the columns are unknown', () => {
    const cols = pgResultColumns('SELECT relname FROM pg_catalog.pg_class', ['relname'], ours);
    // (with the catalog column's PostgreSQL type, name: catalog/result-types.ts)
    expect(cols).toEqual([{ name: 'relname', tableOid: 0, attnum: 0, typeOid: 19, typeMod: -1 }]);
    expect(pgResultColumns('SELECT * FROM v', ['x', 'y'], ours)?.map((c) => c.tableOid)).toEqual([0, 0]);
    expect(pgResultColumns('SELECT a FROM t, generate_series(1, 2) g', ['a'], ours)?.map((c) => c.tableOid)).toEqual([0]);
  });
});
