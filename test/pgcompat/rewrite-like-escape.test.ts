import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

describe('rewrite: like-escape', () => {
  it('gives a LIKE pattern that may hold a backslash PostgreSQL\'s default escape', () => {
    expect(out("SELECT b FROM t WHERE b LIKE 'big\\_%'")).toBe("SELECT b FROM t WHERE like_escape(b, E'big\\\\_%', E'\\\\')");
    expect(out('SELECT b FROM t WHERE b NOT ILIKE $1')).toBe("SELECT b FROM t WHERE not_ilike_escape(b, $1, E'\\\\')");
    expect(out("SELECT b FROM t WHERE b ~~* c")).toBe("SELECT b FROM t WHERE ilike_escape(b, c, E'\\\\')");
    expect(out("SELECT b FROM t WHERE b LIKE 'a#_%' ESCAPE '#'")).toBe("SELECT b FROM t WHERE like_escape(b, 'a#_%', '#')");
    expect(out("SELECT b FROM t WHERE b NOT LIKE 'a\\%' ESCAPE ''")).toBe("SELECT b FROM t WHERE not_like_escape(b, E'a\\\\%', '')");
  });

  it('leaves literal patterns without a backslash, LIKE ANY and DuckDB-only syntax alone', () => {
    expect(rewrite("SELECT b FROM t WHERE b LIKE 'a_%'").changed).toBe(false);
    expect(rewrite("SELECT b FROM t WHERE b NOT ILIKE 'A%'").changed).toBe(false);
    // (LIKE ANY is the like-any module's; like-escape then gives its per-pattern LIKE the escape character)
    expect(rewrite("SELECT b FROM t WHERE b LIKE ANY (ARRAY['a%', 'b%'])").rules).toEqual(['like-any', 'like-escape']);
    expect(rewrite("FROM t WHERE b LIKE 'a\\_b'").changed).toBe(false);
  });

  it('matches as PostgreSQL does', async () => {
    const cases: [string, string, string?][] = [
      ['search_path', 'search\\_pa%'],
      ['searchXpath', 'search\\_pa%'],
      ['big_orders', 'big\\_%'],
      ['bigXorders', 'big\\_%'],
      ['100%', '100\\%'],
      ['1000', '100\\%'],
      ['a\\b', 'a\\\\b'],
      ['A_b', 'a\\_B'],
      ['a_b', 'a#_b', '#'],
      ['axb', 'a#_b', '#'],
      ['a\\b', 'a\\b', ''],
      ['', '%'],
    ];
    for (const [s, p, e] of cases) {
      const esc = e === undefined ? '' : ` ESCAPE '${e}'`;
      const sql = `SELECT '${s}' LIKE '${p}'${esc} AS a, '${s}' ILIKE '${p}'${esc} AS b, '${s}' NOT LIKE '${p}'${esc} AS c, '${s}' NOT ILIKE '${p}'${esc} AS d`;
      const expected = Object.values((await env.ref.query(sql)).rows[0]);
      expect(await env.duck.rows(out(sql)), sql).toEqual([expected]);
    }
    // A parameter pattern, as drivers send metadata patterns.
    const sql = 'SELECT $1::text LIKE $2::text AS a, $1::text ~~* $2::text AS b';
    for (const params of [['my_table', 'my\\_table'], ['myXtable', 'my\\_table'], ['My_Table', 'my\\_%']]) {
      const expected = Object.values((await env.ref.query(sql, params)).rows[0]);
      expect(await env.duck.rows(out(sql), params), params.join(' ')).toEqual([expected]);
    }
  });
});
