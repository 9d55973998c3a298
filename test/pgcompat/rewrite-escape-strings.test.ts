import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

describe('rewrite: escape-strings', () => {
  it('writes Unicode escapes out as characters', () => {
    expect(out("SELECT E'\\u0041\\U0001F600'")).toBe("SELECT 'A😀'");
    expect(out("SELECT U&'\\0041\\+01F600'")).toBe("SELECT 'A😀'");
  });

  it('leaves the escapes DuckDB reads the same way alone', () => {
    expect(rewrite("SELECT E'a\\tb\\n\\x41\\101\\\\ \\''").changed).toBe(false);
    expect(rewrite("SELECT 'plain \\u0041'").changed).toBe(false);
    expect(rewrite("SELECT E'\\\\u0041'").changed).toBe(false); // an escaped backslash, then u0041
  });

  it('gives the strings PostgreSQL gives', async () => {
    const literals = ["E'a\\tb'", "E'\\x41\\x4a'", "E'\\101\\7'", "E'it\\'s'", "E'back\\\\slash'", "E'\\u00e9t\\u00e9'", "E'\\U0001F600'", "U&'d\\0061t\\+000061'", "E'\\q'", "E'\\\\u0041'"];
    for (const lit of literals) {
      const sql = `SELECT ${lit} AS v`;
      const expected = (await env.ref.query(sql)).rows[0].v;
      expect(await env.duck.rows(out(sql)), lit).toEqual([[expected]]);
    }
  });
});
