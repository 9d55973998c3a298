import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

describe('rewrite: functions', () => {
  it('format with %s is printf', () => {
    expect(out("SELECT format('%s.%s', 'a', 'b')")).toBe("SELECT printf('%s.%s', 'a'::varchar, 'b'::varchar)");
    // %I, %L and positions are the format-function module's.
    expect(rewrite("SELECT format('%I', 'a')").rules).toEqual(['format-function']);
  });

  it('json/jsonb builders and aggregates get DuckDB names', () => {
    expect(out("SELECT json_build_object('a', 1), jsonb_build_array(1, 2), json_agg(a), jsonb_object_agg(b, a) FROM t")).toBe(
      // (json_object and json_array are keywords in PostgreSQL's grammar: the deparser quotes them)
      'SELECT "json_object"(\'a\', 1), "json_array"(1, 2), json_group_array(a), json_group_object(b, a) FROM t',
    );
  });

  it('gives the values PostgreSQL gives', async () => {
    const cases = [
      "format('%s-%s (100%%)', 1, 'a')",
      "quote_ident('abc')",
      "quote_ident('Abc')",
      "quote_ident('a\"b')",
      "quote_ident('with space')",
      "quote_literal('it''s')",
      'quote_literal(NULL::text)',
      'quote_nullable(NULL::text)',
      "quote_nullable('x')",
      "pg_catalog.quote_ident('x_1')",
    ];
    for (const c of cases) {
      const sql = `SELECT ${c} AS v`;
      const expected = (await env.ref.query(sql)).rows[0].v;
      expect(await env.duck.rows(out(sql)), c).toEqual([[expected]]);
    }
    // JSON values are equal (PostgreSQL's text has spaces after ':' and ',').
    for (const c of ["json_build_object('a', 1, 'b', 'x', 'c', NULL)", 'json_build_array(1, 2, NULL)']) {
      const sql = `SELECT ${c}::text AS v`;
      const expected = JSON.parse((await env.ref.query(sql)).rows[0].v as string);
      expect(JSON.parse(String((await env.duck.rows(out(sql)))[0]![0])), c).toEqual(expected);
    }
  });
});
