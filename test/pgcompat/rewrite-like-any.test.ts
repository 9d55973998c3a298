import { describe, expect, it } from 'vitest';
import { rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

describe('rewrite: like-any', () => {
  it('leaves = ANY and a subquery alone', () => {
    expect(rewrite("SELECT a FROM t WHERE b = ANY(ARRAY['x'])").rules).not.toContain('like-any');
    expect(rewrite("SELECT a FROM t WHERE b LIKE ANY (SELECT b FROM t)").rules).not.toContain('like-any');
  });

  it('gives what PostgreSQL gives', async () => {
    const values = "(VALUES ('abc'), ('xyz'), ('ABC'), ('a_c'), ('a\\c'), (NULL)) v(s)";
    expect(
      await env.mismatches([
        `SELECT s, s LIKE ANY (ARRAY['a%', 'x%']), s ILIKE ANY (ARRAY['A%']), s NOT LIKE ANY (ARRAY['a%', 'x%']), s LIKE ALL (ARRAY['a%', '%c']), s NOT ILIKE ALL (ARRAY['a%', 'x%']) FROM ${values} ORDER BY s`,
        `SELECT s, s LIKE ANY ('{a%,x%}'), s ~~ ANY ('{"a\\\\_c"}'), s LIKE SOME (ARRAY['a\\_c']) FROM ${values} ORDER BY s`,
        "SELECT 'a' LIKE ANY (ARRAY[]::text[]), 'a' LIKE ALL (ARRAY[]::text[]), 'a' LIKE ANY (NULL::text[])",
        "SELECT count(*) FROM (VALUES ('apple'), ('banana'), ('cherry')) f(n) WHERE n ILIKE ANY (ARRAY['%AN%', 'ch%'])",
      ]),
    ).toEqual([]);
  });
});
