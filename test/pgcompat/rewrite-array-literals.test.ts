import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';
import { parseArrayText } from '../../src/pgcompat/rewrite/array-literals.js';

const env = standIns({ reference: true });

describe('rewrite: array-literals', () => {
  it("reads PostgreSQL's array text", () => {
    expect(parseArrayText('{a,b}')).toEqual(['a', 'b']);
    expect(parseArrayText('{}')).toEqual([]);
    expect(parseArrayText('{ "a b" , "c\\"d", NULL, "NULL", e\\,f }')).toEqual(['a b', 'c"d', null, 'NULL', 'e,f']);
    expect(parseArrayText('{{1,2},{3,4}}')).toEqual([['1', '2'], ['3', '4']]);
    expect(parseArrayText('[0:1]={x,y}')).toEqual(['x', 'y']);
    expect(parseArrayText('{a,b')).toBeUndefined();
    expect(parseArrayText('not an array')).toBeUndefined();
  });

  it('casts of array text become ARRAY[...] constructors', () => {
    expect(out("SELECT '{a,b}'::text[]")).toBe("SELECT CAST(ARRAY['a', 'b'] AS text[])");
    expect(out("SELECT '{}'::oid[]")).toBe('SELECT CAST(ARRAY[] AS oid[])');
    expect(out("SELECT a FROM t WHERE b = ANY('{x,z}')")).toBe("SELECT a FROM t WHERE b = ANY (ARRAY['x', 'z'])");
    expect(out("SELECT a FROM t WHERE a = ANY('{1,2}')")).toBe('SELECT a FROM t WHERE a = ANY (ARRAY[1, 2])');
    expect(out("SELECT a FROM t WHERE a <> ALL('{1,2}')")).toBe('SELECT a FROM t WHERE a <> ALL (ARRAY[1, 2])');
  });

  it('leaves ARRAY[...], parameters and non-array strings alone', () => {
    expect(rewrite("SELECT ARRAY['a'], a = ANY($1::text[]) FROM t").changed).toBe(false);
    expect(rewrite("SELECT '{\"json\": 1}'::json").changed).toBe(false);
    expect(rewrite("SELECT '{a,b'::text[]").changed).toBe(false);
  });

  it('gives the arrays PostgreSQL gives', async () => {
    const cases = ["'{a,b}'::text[]", "'{}'::text[]", "'{1,2,3}'::int[]", "'{\"x y\",NULL,z}'::text[]", "'{1.5,2.25}'::float8[]"];
    for (const c of cases) {
      const sql = `SELECT array_to_string(${c}, ',') AS v, coalesce(array_length(${c}, 1), 0) AS n, (${c})[2] IS NULL AS second_null`;
      const expected = (await env.ref.query(sql)).rows[0];
      expect(await env.duck.rows(out(sql)), c).toEqual([[expected.v, BigInt(expected.n), expected.second_null]]);
    }
    const nested = "SELECT ('{{1,2},{3,4}}'::int[][])[2][1] AS v";
    expect(await env.duck.rows(out(nested))).toEqual([[(await env.ref.query(nested)).rows[0].v]]);
    expect(await env.duck.rows(out("SELECT count(*) FROM t WHERE b = ANY('{x,z}') AND a <> ALL('{7}')"))).toEqual([[1n]]);
  });
});
