import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

/** JSON text compared as values (PostgreSQL's json has blanks after , and :). */
async function jsonValue(c: 'lake' | 'ref', sql: string): Promise<unknown> {
  const r = await (c === 'lake' ? env.lake : env.ref).query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
  return r.rows.map((row: unknown[]) => row.map((v) => (v === null ? null : JSON.parse(String(v)))));
}

describe('rewrite: json-aggregates', () => {
  it('json_agg with ORDER BY, DISTINCT or FILTER becomes to_json(array_agg(...))', () => {
    expect(out('SELECT json_agg(a ORDER BY a DESC) FROM t')).toBe('SELECT to_json(array_agg(a ORDER BY a DESC)) FROM t');
    expect(out('SELECT jsonb_agg(DISTINCT a) FROM t')).toBe('SELECT to_json(array_agg(DISTINCT a ORDER BY a)) FROM t');
    expect(rewrite('SELECT json_agg(a) FROM t ORDER BY 1').rules).toEqual(['functions']);
  });

  it('gives what PostgreSQL gives', async () => {
    for (const sql of [
      "SELECT json_agg(x ORDER BY x) FROM (VALUES (2), (1), (NULL)) v(x)",
      "SELECT jsonb_agg(x ORDER BY x DESC) FROM (VALUES ('b'), ('a')) v(x)",
      'SELECT json_agg(DISTINCT x) FROM (VALUES (1), (1), (2)) v(x)',
      'SELECT json_agg(x) FILTER (WHERE x > 1) FROM (VALUES (1), (2), (3)) v(x)',
      'SELECT g, json_agg(x ORDER BY x) FROM (VALUES (1, 3), (1, 1), (2, 5)) v(g, x) GROUP BY g ORDER BY g',
      'SELECT json_agg(x ORDER BY x) FROM (VALUES (1)) v(x) WHERE x > 5',
    ]) {
      expect(await jsonValue('lake', sql), sql).toEqual(await jsonValue('ref', sql));
    }
  });
});
