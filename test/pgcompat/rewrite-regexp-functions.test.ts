import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';
import { groupCount } from '../../src/pgcompat/rewrite/regexp-functions.js';

const env = wireComparison();

describe('rewrite: regexp-functions', () => {
  it('counts capturing groups', () => {
    expect([groupCount('abc'), groupCount('(a)(b)'), groupCount('(?:a)(b)'), groupCount('\\(a\\)'), groupCount('[(](x)'), groupCount('[]()](y)')]).toEqual([0, 2, 1, 0, 1, 1]);
  });

  it('regexp_count, and leaves operators and positional substring alone', () => {
    expect(out("SELECT regexp_count(b, 'x') FROM t")).toBe("SELECT len(regexp_extract_all(b, 'x')) FROM t");
    expect(rewrite('SELECT substring(b, 2), substring(b from 2 for 3) FROM t').changed).toBe(false);
    expect(out("SELECT b ~ 'x' FROM t")).toBe("SELECT regexp_matches(b, 'x') FROM t");
    // Outside the select list and FROM, regexp_matches is DuckDB's boolean test (DuckDB's dialect).
    expect(rewrite("SELECT b FROM t WHERE regexp_matches(b, 'x')").changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    expect(
      await env.mismatches([
        "SELECT regexp_match('foo123bar', '(\\d+)'), regexp_match('foo123bar456', '(\\d+)\\D+(\\d+)'), regexp_match('foo', '\\d+'), regexp_match('abc', 'B', 'i'), regexp_match('abc', 'b')",
        "SELECT regexp_matches('a1b2c3', '\\d', 'g')",
        "SELECT regexp_matches('a1b22c3', '([a-z])(\\d+)', 'g')",
        "SELECT regexp_matches('a1b2', '(\\d)')",
        "SELECT regexp_matches('abc', '\\d')",
        "SELECT x, regexp_matches(x, '[A-Z]', 'gi') FROM (VALUES ('ab'), ('c')) v(x) ORDER BY 1, 2",
        "SELECT regexp_count('a1b2c3', '\\d'), regexp_count('abc', 'x'), regexp_count(NULL, 'x')",
        "SELECT substring('foo123' from '\\d+'), substring('foo123bar' from 'o(\\d+)b'), substring('foo' from '\\d+'), substring('foo123', '[a-z]+')",
        "SELECT 'abc' ~ 'b', 'abc' ~* 'B', regexp_replace('aAbB', 'a', 'x', 'gi')",
        "SELECT (regexp_match('2024-03-05', '(\\d+)-(\\d+)'))[2]",
        "SELECT (regexp_matches('k=v;a=b', '(\\w)=(\\w)', 'g'))[2]",
        "SELECT m FROM regexp_matches('a1b2', '\\d', 'g') AS m",
      ]),
    ).toEqual([]);
  });
});
