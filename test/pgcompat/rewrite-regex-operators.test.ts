import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

describe('rewrite: regex-operators', () => {
  it('rewrites the four match operators to regexp_matches', () => {
    expect(out("SELECT a ~ 'x', a ~* 'x', a !~ 'x', a !~* 'x' FROM t")).toBe(
      "SELECT regexp_matches(a, 'x'), regexp_matches(a, 'x', 'i'), NOT (regexp_matches(a, 'x')), NOT (regexp_matches(a, 'x', 'i')) FROM t",
    );
    expect(out("SELECT relname FROM t WHERE relname OPERATOR(pg_catalog.~) '^(t)$'")).toBe("SELECT relname FROM t WHERE regexp_matches(relname, '^(t)$')");
    expect(out('SELECT 1 OPERATOR(pg_catalog.+) 2')).toBe('SELECT 1 + 2');
  });

  it('leaves bitwise NOT, LIKE and DuckDB-only syntax alone', () => {
    expect(rewrite('SELECT ~5').changed).toBe(false);
    expect(rewrite("SELECT 'a' LIKE 'a'").changed).toBe(false);
    expect(rewrite("SELECT ['a'] WHERE 'a' ~ 'a'").changed).toBe(false);
  });

  it('matches anywhere in the string, as PostgreSQL does (DuckDB ~ is a full match)', async () => {
    const cases = [
      ["'abc'", "'b'"],
      ["'abc'", "'^b'"],
      ["'ABC'", "'b'"],
      ["'pg_toast_1'", "'^pg_toast'"],
      ["'line1\nline2'", "'^line2'"],
      ["NULL", "'a'"],
      ["'a.b'", "'a\\.b'"],
      ["'foo123'", "'[0-9]+$'"],
    ];
    for (const [s, p] of cases) {
      const sql = `SELECT ${s} ~ ${p} AS a, ${s} ~* ${p} AS b, ${s} !~ ${p} AS c, ${s} !~* ${p} AS d`;
      const expected = Object.values((await env.ref.query(sql)).rows[0]);
      expect(await env.duck.rows(out(sql)), sql).toEqual([expected]);
    }
  });
});
