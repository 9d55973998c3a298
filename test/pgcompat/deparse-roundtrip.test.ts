/**
 * When a rewrite fires, the whole statement is written out again by pgsql-deparser. Whatever
 * else the statement holds must keep its meaning in DuckDB: each statement here gives the same
 * result as written and as parsed + deparsed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deparseSync } from 'pgsql-deparser';
import { parseSync } from 'pgsql-parser';
import { ready } from './context.js';
import { standIns } from './duck.js';

const env = standIns();

const STATEMENTS = [
  'SELECT a, b FROM t WHERE a BETWEEN 1 AND 2 AND b LIKE \'x%\' AND b NOT ILIKE \'Z%\' ORDER BY a DESC NULLS LAST LIMIT 5 OFFSET 0',
  'SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b',
  'SELECT a, sum(c) FILTER (WHERE c > 0), count(*) OVER (PARTITION BY b ORDER BY a ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t GROUP BY a, b, c ORDER BY a',
  'SELECT a, b, count(*) FROM t GROUP BY GROUPING SETS ((a), (b), ()) ORDER BY 1, 2',
  'SELECT a FROM t GROUP BY ROLLUP (a) ORDER BY 1 NULLS FIRST',
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r',
  'WITH x AS (SELECT a FROM t), y AS (SELECT a FROM x WHERE a > 1) SELECT * FROM y',
  'SELECT t.a, s.m FROM t, LATERAL (SELECT max(a) AS m FROM t t2 WHERE t2.a <= t.a) s ORDER BY 1',
  'SELECT a FROM t UNION SELECT 3 INTERSECT SELECT 3 EXCEPT SELECT 4 ORDER BY 1',
  'SELECT a FROM t WHERE EXISTS (SELECT 1 FROM t t2 WHERE t2.a = t.a) AND a IN (SELECT a FROM t) AND a <> ALL (SELECT 99)',
  "SELECT CASE WHEN a = 1 THEN 'one' WHEN a = 2 THEN 'two' ELSE 'many' END, CASE b WHEN 'x' THEN 1 END FROM t ORDER BY a",
  "SELECT coalesce(c, 0), nullif(a, 1), greatest(a, 2), least(a, 0), a IS DISTINCT FROM 1, a IS NOT NULL, (a > 1) IS TRUE FROM t ORDER BY a",
  "SELECT upper(b), lower(b), length(b), b || '-' || a, substring(b FROM 1 FOR 1), position('x' IN b), trim(both ' ' FROM b), replace(b, 'x', 'y') FROM t ORDER BY a",
  "SELECT date '2024-02-29' + interval '1 year', timestamp '2024-01-01 10:00:00' - interval '90 minutes', extract(year FROM date '2024-05-06'), date_trunc('month', timestamp '2024-05-06 07:08:09')",
  "SELECT CAST('2024-01-01 00:00:00+00' AS timestamptz) AT TIME ZONE 'UTC'",
  "SELECT 1::bigint, 2.5::float8, '3'::int + 1, CAST(4 AS smallint), 5::numeric(10,2), 'x'::varchar(3), true::text",
  "SELECT (ARRAY[1, 2, 3])[2], ARRAY['a', 'b'] || ARRAY['c'], array_length(ARRAY[1, 2], 1), 3 = ANY (ARRAY[1, 2, 3])",
  "SELECT '{\"a\": {\"b\": 2}}'::json -> 'a' ->> 'b', '[1,2]'::json ->> 1",
  'SELECT * FROM (VALUES (1, \'x\'), (2, \'y\')) AS v(n, s) ORDER BY n',
  'SELECT a, row_number() OVER w, rank() OVER w, lag(a) OVER w FROM t WINDOW w AS (ORDER BY a) ORDER BY a',
  "SELECT string_agg(b, ',' ORDER BY b DESC), array_agg(a ORDER BY a) FROM t",
  'SELECT a FROM t ORDER BY a FETCH FIRST 1 ROWS ONLY',
  'SELECT a, -a, +a, a * 2 % 3, 2 ^ 3, |/ 16.0, @ -5 FROM t ORDER BY a',
  "SELECT 'it''s', 'a\\b', E'tab\\there', $$dollar 'quoted'$$",
  'SELECT count(DISTINCT b), count(*) FROM t',
  'SELECT a FROM t t1 JOIN t t2 USING (a) LEFT JOIN t t3 ON t3.a = t1.a FULL JOIN t t4 ON true WHERE t1.a = 1',
  'SELECT a FROM t NATURAL JOIN t AS t5 ORDER BY a',
  "SELECT b FROM t WHERE b SIMILAR TO 'x%' OR b ~~ 'y%'",
  'SELECT x FROM generate_series(1, 3) AS g(x) ORDER BY x DESC',
  "SELECT now() > '2020-01-01', current_date IS NOT NULL, localtimestamp IS NOT NULL",
];

describe('deparse round trip', () => {
  it('keeps the meaning of statements in DuckDB', async () => {
    for (const sql of STATEMENTS) {
      const deparsed = deparseSync(parseSync(sql) as never, { pretty: false });
      let a: unknown;
      let b: unknown;
      try {
        a = await env.duck.rows(sql);
      } catch (e) {
        a = `error: ${(e as Error).message.split('\n')[0]}`;
      }
      try {
        b = await env.duck.rows(deparsed);
      } catch (e) {
        b = `error: ${(e as Error).message.split('\n')[0]}`;
      }
      expect(b, `${sql}\n→ ${deparsed}`).toEqual(a);
    }
  });
});
