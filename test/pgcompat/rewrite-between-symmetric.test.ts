import { describe, expect, it } from 'vitest';
import { out } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

describe('rewrite: between-symmetric', () => {
  it('becomes two BETWEENs', () => {
    expect(out('SELECT a FROM t WHERE a BETWEEN SYMMETRIC 3 AND 1')).toBe('SELECT a FROM t WHERE a BETWEEN 3 AND 1 OR a BETWEEN 1 AND 3');
  });

  it('gives what PostgreSQL gives', async () => {
    const statements: string[] = [];
    for (const [a, b] of [['1', '3'], ['3', '1'], ['2', '2'], ['NULL', '3'], ['3', 'NULL']])
      statements.push(`SELECT x, x BETWEEN SYMMETRIC ${a} AND ${b}, x NOT BETWEEN SYMMETRIC ${a} AND ${b} FROM (VALUES (0), (1), (2), (3), (4), (NULL)) v(x) ORDER BY x`);
    statements.push('SELECT x FROM (VALUES (0), (1), (2), (5)) v(x) WHERE x > 0 AND x BETWEEN SYMMETRIC 3 AND 1 ORDER BY x');
    statements.push('SELECT x FROM (VALUES (0), (1), (2), (5)) v(x) WHERE x = 5 OR x NOT BETWEEN SYMMETRIC 3 AND 1 AND x > 0 ORDER BY x');
    expect(await env.mismatches(statements)).toEqual([]);
  });
});
