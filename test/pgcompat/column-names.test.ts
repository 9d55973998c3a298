/**
 * Result column names: PostgreSQL's FigureColname rules, checked against the reference
 * PostgreSQL's RowDescription for the same statements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ready } from './context.js';
import { referenceClient } from '../helpers/server.js';
import { pgResultColumns } from '../../src/pgcompat/result-columns.js';
import { figureColname } from '../../src/pgcompat/column-names.js';

let ref: pg.Client;
beforeAll(async () => {
  await ready;
  ref = await referenceClient();
  await ref.query('CREATE TEMP TABLE t (a int, b text, c float8, d int[], j json)');
  await ref.query('CREATE TEMP TABLE u (a int, e text)');
});
afterAll(async () => ref?.end());

const STATEMENTS = [
  'SELECT 1',
  'SELECT 1 AS one, 2',
  'SELECT a, b, t.c FROM t',
  'SELECT A, "b" FROM t',
  'SELECT count(*), sum(a), max(b), min(c), avg(a), count(DISTINCT a), array_agg(a), string_agg(b, \',\') FROM t',
  'SELECT a + 1, -a, a::text, CAST(b AS varchar(3)), 1::int4, \'x\'::text, cast(1 as integer), 1::bigint, 1.5::numeric(3,1) FROM t',
  "SELECT CASE WHEN a > 1 THEN 'x' END, CASE WHEN a > 1 THEN 'x' ELSE b END, CASE a WHEN 1 THEN c ELSE 2 END FROM t",
  'SELECT coalesce(a, 0), nullif(a, 1), greatest(a, 1), least(a, 2) FROM t',
  'SELECT (SELECT 1), (SELECT max(a) FROM t), (SELECT a AS x FROM t LIMIT 1), EXISTS (SELECT 1), ARRAY(SELECT a FROM t), a IN (SELECT 1) FROM t',
  'SELECT ARRAY[1, 2], ROW(1, 2), (1, 2), d[1], (d)[1:2] FROM t',
  'SELECT current_date, current_timestamp, localtimestamp, current_user, session_user, user, current_role, current_catalog, current_schema',
  'SELECT now(), version(), current_database(), pg_catalog.now(), lower(b), b || \'x\', b LIKE \'x\', a IS NULL, NOT true FROM t',
  'SELECT * FROM t',
  'SELECT *, a FROM t',
  'SELECT t.*, u.e FROM t JOIN u USING (a)',
  'SELECT * FROM t JOIN u USING (a)',
  'SELECT a AS "Mixed Case", b "select" FROM t',
  'SELECT 1 UNION SELECT 2',
  'SELECT a AS x FROM t UNION ALL SELECT 1',
  'VALUES (1, 2), (3, 4)',
  'SELECT * FROM (VALUES (1, 2)) v',
  'SELECT * FROM (VALUES (1, 2)) v(x, y)',
  'WITH w AS (SELECT a AS z FROM t) SELECT z, count(*) FROM w GROUP BY z',
  'SELECT j->\'k\', j->>\'k\', j::jsonb FROM t',
  'SELECT interval \'1 day\', date \'2020-01-01\', timestamp \'2020-01-01\', true, NULL, \'s\'',
  'SELECT row_number() OVER (), rank() OVER (ORDER BY a), lag(a) OVER w FROM t WINDOW w AS (ORDER BY a)',
  'SELECT count(*) FILTER (WHERE a > 1) FROM t',
  'SELECT extract(year FROM now()), substring(b FROM 1 FOR 2), position(\'a\' IN b), trim(b), overlay(b PLACING \'x\' FROM 1) FROM t',
  'SELECT grouping(a) FROM t GROUP BY ROLLUP (a)',
  'SELECT $1::int, $2',
  'SELECT x FROM generate_series(1, 2) x',
  'SELECT generate_series(1, 2)',
  'SELECT a FROM t WHERE a = 1 FOR UPDATE',
  'TABLE t',
];

describe('column names (FigureColname)', () => {
  it('gives the names PostgreSQL gives', async () => {
    for (const sql of STATEMENTS) {
      const fields = (await ref.query({ text: sql, values: sql.includes('$1') ? [1, 'x'] : [] })).fields.map((f) => f.name);
      // DuckDB's names stand for what `*` expands to (here: PostgreSQL's).
      const ours = pgResultColumns(sql, fields.map((n) => n))?.map((c) => c.name);
      expect(ours, sql).toEqual(fields);
    }
  });

  it('INSERT/UPDATE/DELETE ... RETURNING', async () => {
    for (const sql of ['INSERT INTO t (a) VALUES (1) RETURNING a, a + 1, *', 'UPDATE t SET a = 2 RETURNING b, upper(b)', 'DELETE FROM t RETURNING t.a']) {
      const fields = (await ref.query(sql)).fields.map((f) => f.name);
      expect(pgResultColumns(sql, fields)?.map((c) => c.name), sql).toEqual(fields);
    }
  });

  it("keeps DuckDB's names for DuckDB-dialect statements and counts that do not match", () => {
    expect(pgResultColumns('SELECT [1, 2]', ['main.list_value(1, 2)'])).toBeUndefined();
    expect(pgResultColumns('SELECT * EXCLUDE (a) FROM t', ['b'])).toBeUndefined();
    expect(pgResultColumns('SELECT 1, 2', ['x'])).toBeUndefined();
    expect(pgResultColumns('SHOW TABLES', ['name'])).toBeUndefined();
    // Several `*` over relations of unknown width: names up to the first one, then DuckDB's.
    expect(pgResultColumns('SELECT count(*), x.*, y.* FROM x, y', ['count_star()', 'p', 'q', 'r'])?.map((c) => c.name)).toEqual(['count', 'p', 'q', 'r']);
  });

  it('figureColname of single expressions', () => {
    expect(figureColname(undefined)).toBe('?column?');
  });
});
