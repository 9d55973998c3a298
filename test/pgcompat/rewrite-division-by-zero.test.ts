import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

describe('rewrite: division-by-zero', () => {
  it('checks divisors that can be zero', () => {
    expect(out('SELECT a / b, a % b FROM t')).toBe("SELECT a / (CASE WHEN b = 0 AND a IS NOT NULL THEN error('division by zero') ELSE b END), a % (CASE WHEN b = 0 AND a IS NOT NULL THEN error('division by zero') ELSE b END) FROM t");
    expect(out('SELECT 7 / 0')).toBe("SELECT 7 // (CASE WHEN 0 = 0 THEN error('division by zero') ELSE 0 END)");
    expect(out('SELECT sum(a) / count(*) FROM t')).toBe("SELECT sum(a) / (CASE WHEN count(*) = 0 AND sum(a) IS NOT NULL THEN error('division by zero') ELSE count(*) END) FROM t");
  });

  it('leaves non-zero constants, parameters and subqueries alone', () => {
    expect(rewrite('SELECT a / 2.5, a % 3, a / $1, a / (SELECT 2) FROM t').changed).toBe(false);
    expect(rewrite('CREATE VIEW v AS SELECT a / b FROM t').changed).toBe(false);
  });

  it('raises where PostgreSQL raises and divides as PostgreSQL where it does not', async () => {
    for (const sql of ['SELECT 1 / 0', 'SELECT 1.5 / 0', 'SELECT 1.5::float8 / 0::float8', 'SELECT 5 % 0', 'SELECT x / y FROM (VALUES (1, 0)) v(x, y)', 'SELECT x % y FROM (VALUES (1.5, 0.0)) v(x, y)']) {
      await expect(env.ref.query(sql)).rejects.toThrow(/division by zero/);
      await expect(env.duck.rows(out(sql))).rejects.toThrow(/division by zero/);
    }
    const nulls = 'SELECT x / y AS q, x % y AS r, sum(x) / count(*) AS s FROM (VALUES (NULL::int, 0)) v(x, y) WHERE x > 0 GROUP BY x, y';
    expect((await env.duck.rows(out(nulls))).length).toBe((await env.ref.query(nulls)).rows.length);
    const nullDividend = 'SELECT x / y AS q, x % y AS r FROM (VALUES (NULL::int, 0)) v(x, y)';
    expect((await env.duck.rows(out(nullDividend)))[0]).toEqual([null, null]);
    expect(Object.values((await env.ref.query(nullDividend)).rows[0])).toEqual([null, null]);
    const sql = 'SELECT x / y AS q, x % y AS r FROM (VALUES (7.0, 2.0), (-7.0, 2.0)) v(x, y) ORDER BY 1';
    const expected = (await env.ref.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => r.map((x) => Number(x)));
    expect((await env.duck.rows(out(sql))).map((r) => r.map((x) => Number(x)))).toEqual(expected);
  });
});
