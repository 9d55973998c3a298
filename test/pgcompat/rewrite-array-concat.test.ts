import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

describe('rewrite: array-concat', () => {
  it('concatenates arrays with list_concat, which treats a NULL array as empty', () => {
    expect(out("SELECT b || ARRAY['x'] FROM t")).toBe("SELECT CASE WHEN b IS NULL AND ARRAY['x'] IS NULL THEN NULL ELSE list_concat(b, ARRAY['x']) END FROM t");
    expect(out('SELECT ARRAY(SELECT b FROM t) || c FROM t')).toBe('SELECT CASE WHEN ARRAY(SELECT b FROM t) IS NULL AND c IS NULL THEN NULL ELSE list_concat(ARRAY(SELECT b FROM t), c) END FROM t');
    expect(out('SELECT NULL::text[]||b FROM t')).toContain('list_concat(CAST(NULL AS text[]), b)');
  });

  it('leaves string concatenation and element appends alone', () => {
    expect(rewrite("SELECT b || 'x' FROM t").changed).toBe(false);
    expect(rewrite("SELECT b[1] || 'x' FROM t").changed).toBe(false);
    expect(rewrite('SELECT ARRAY[1] || 2').changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    for (const sql of [
      "SELECT array_to_string(NULL::text[] || ARRAY(SELECT 'toast.' || x FROM unnest(NULL::text[]) AS x), ', ') AS s",
      "SELECT array_to_string(ARRAY['a'] || NULL::text[], ',') AS s",
      "SELECT array_to_string(ARRAY['a', 'b'] || ARRAY['c'], ',') AS s",
      'SELECT (NULL::int[] || NULL::int[]) IS NULL AS s',
    ]) {
      const expected = Object.values((await env.ref.query(sql)).rows[0]);
      expect(await env.duck.rows(out(sql)), sql).toEqual([expected]);
    }
  });
});
