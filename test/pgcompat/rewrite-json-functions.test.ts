import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';
import { jsonPath, textArray } from '../../src/pgcompat/rewrite/json-functions.js';

const env = wireComparison();

/** Rows with every value read as JSON where it is JSON text (PostgreSQL's has blanks after , and :). */
async function rows(c: 'lake' | 'ref', sql: string): Promise<unknown> {
  try {
    const r = await (c === 'lake' ? env.lake : env.ref).query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    return r.rows.map((row: unknown[]) =>
      row.map((v) => {
        if (v === null) return null;
        try {
          return JSON.parse(String(v));
        } catch {
          return v;
        }
      }),
    );
  } catch (e) {
    return `ERROR ${(e as { code?: string }).code}`;
  }
}

describe('rewrite: json-functions', () => {
  it('reads text arrays and writes JSON paths', () => {
    expect(textArray('{a,b,"c d","e\\"f"}')).toEqual(['a', 'b', 'c d', 'e"f']);
    expect(textArray('{}')).toEqual([]);
    expect(jsonPath(['a', '0', 'b c', '-1'])).toBe('$."a"[0]."b c"[#-1]');
  });

  it('rewrites operators with constant paths, leaves array containment alone', () => {
    expect(out("SELECT b #>> '{k,0}' FROM t")).toBe("SELECT json_extract_string(b, '$.\"k\"[0]') FROM t");
    expect(rewrite("SELECT ARRAY[1, 2] @> ARRAY[1], ARRAY['a'] <@ '{a,b}'").changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    const doc = `'{"a": {"b": [10, 20, {"c": "x"}]}, "k": "v", "n": null, "t": true, "arr": ["p", "q"]}'`;
    const statements = [
      `SELECT ${doc}::jsonb #> '{a,b}', ${doc}::jsonb #> '{a,b,2,c}', ${doc}::jsonb #>> '{a,b,1}', ${doc}::jsonb #>> '{k}', ${doc}::jsonb #>> '{a,b,-1,c}', ${doc}::jsonb #> '{missing,x}'`,
      `SELECT ${doc}::json #>> '{a,b,2,c}'`,
      `SELECT ${doc}::jsonb @> '{"k": "v"}', ${doc}::jsonb @> '{"k": "w"}', '{"k": "v"}' <@ ${doc}::jsonb, '[1, 2, 3]'::jsonb @> '[3, 1]', '[1, 2]'::jsonb @> '[4]'`,
      `SELECT ${doc}::jsonb ? 'k', ${doc}::jsonb ? 'zz', ${doc}::jsonb ? 'b', '["p", "q"]'::jsonb ? 'p', '["p", "q"]'::jsonb ? 'z'`,
      `SELECT ${doc}::jsonb ?| '{zz,k}', ${doc}::jsonb ?| '{zz,yy}', ${doc}::jsonb ?& '{a,k}', ${doc}::jsonb ?& '{a,zz}'`,
      `SELECT jsonb_typeof(${doc}::jsonb), json_typeof('[1]'), jsonb_typeof('"s"'), jsonb_typeof('1.5'), jsonb_typeof('2'), jsonb_typeof('false'), jsonb_typeof('null')`,
      "SELECT jsonb_array_length('[1, 2, 3]'), json_array_length('[]')",
      "SELECT jsonb_typeof(NULL), NULL::jsonb ? 'k', NULL::jsonb ?| '{k}', NULL::jsonb #>> '{k}', NULL::jsonb @> '{\"k\": 1}'",
      `SELECT jsonb_object_keys(${doc}::jsonb) AS k ORDER BY k`,
      "SELECT jsonb_array_elements('[1, \"x\", {\"a\": 1}]') AS e",
      "SELECT json_array_elements_text('[1, \"x\", null]') AS e",
      `SELECT key, value FROM jsonb_each(${doc}::jsonb) ORDER BY key`,
      `SELECT e.key, e.value FROM json_each_text('{"a": 1, "b": "x", "c": null}') AS e ORDER BY 1`,
      "SELECT value FROM jsonb_array_elements_text('[\"x\", \"y\"]') ORDER BY 1",
      "SELECT count(*) FROM jsonb_array_elements('[1, 2, 3]') AS e",
      `SELECT '{"a": 1, "c": {"x": 1}}'::jsonb || '{"b": 2, "c": {"y": 2}}', '[1, 2]'::jsonb || '[3]'::jsonb, '[1]'::jsonb || '2', '{"a": 1}'::jsonb || '[1]', '"s"'::jsonb || '"t"'::jsonb, NULL::jsonb || '{}'`,
      `SELECT jsonb_build_object('k', 1) || jsonb_build_object('m', 'x'), ${doc}::jsonb -> 'a' || '{"z": 0}'::jsonb`,
      `SELECT '{"a": 1, "b": 2}'::jsonb - 'a', '{"a": 1}'::jsonb - 'zz', '["a", "b", 1]'::jsonb - 'a', NULL::jsonb - 'a'`,
      "SELECT 'ab' || 'cd', 'x' || 1",
    ];
    for (const sql of statements) expect(await rows('lake', sql), sql).toEqual(await rows('ref', sql));
  });
});
