import { describe, expect, it } from 'vitest';
import { out } from './context.js';
import { wireComparison } from './rewrite-compare.js';
import { similarToRegex } from '../../src/pgcompat/rewrite/similar-to.js';

const env = wireComparison();

describe('rewrite: similar-to', () => {
  it('translates SQL patterns into regular expressions', () => {
    expect(similarToRegex('a%')).toBe('(?:a.*)');
    expect(similarToRegex('a_b|c.d')).toBe('(?:a.b|c\\.d)');
    expect(similarToRegex('a#%', '#')).toBe('(?:a\\%)');
    expect(similarToRegex('[%_]x')).toBe('(?:[%_]x)');
    expect(out("SELECT b SIMILAR TO 'x%' FROM t")).toBe("SELECT regexp_full_match(b, '(?:x.*)') FROM t");
  });

  it('gives what PostgreSQL gives', async () => {
    const values = ['abc', 'a', 'xabc', 'a.c', 'a_c', 'a%c', 'ab', ''];
    const patterns = ["'a%'", "'%b%'", "'a_c'", "'a.c'", "'(a|x)%'", "'a[bc]+'", "'a#_c' ESCAPE '#'", "'a#%c' ESCAPE '#'", "'a{1,2}b?c?'", "'%'", "'_'"];
    const statements: string[] = [];
    for (const p of patterns) statements.push(`SELECT v, v SIMILAR TO ${p}, v NOT SIMILAR TO ${p} FROM (VALUES ${values.map((v) => `('${v}')`).join(', ')}) t(v) ORDER BY v`);
    statements.push("SELECT NULL SIMILAR TO 'a%', 'a' SIMILAR TO NULL");
    expect(await env.mismatches(statements)).toEqual([]);
  });
});
