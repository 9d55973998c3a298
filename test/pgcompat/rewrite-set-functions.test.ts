import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

describe('rewrite: set-functions', () => {
  it('names the column of a scalar set-returning function after its alias', () => {
    expect(out('SELECT i FROM generate_series(1, 3) i')).toBe('SELECT i FROM generate_series(1, 3) AS i(i)');
    expect(out('SELECT s.x FROM unnest(ARRAY[1, 2]) AS s')).toBe('SELECT s.x FROM unnest(ARRAY[1, 2]) AS s(s)');
    expect(rewrite('SELECT r FROM generate_series(1, 3) AS s(r)').changed).toBe(false);
    expect(rewrite('SELECT * FROM generate_series(1, 3)').changed).toBe(false);
  });

  it('unnests generate_series in a select list', () => {
    expect(out('SELECT generate_series(1, 3)')).toBe('SELECT unnest(generate_series(1, 3))');
    expect(out('SELECT generate_series(1, 3) AS n')).toBe('SELECT unnest(generate_series(1, 3)) AS n');
  });

  it('makes a one-value function in FROM a one-row subquery', () => {
    expect(out("SELECT s[1] FROM string_to_array('a,b', ',') s")).toBe("SELECT (s)[1] FROM ( SELECT string_to_array('a,b', ',') AS s ) AS s");
    expect(out('SELECT x FROM current_schemas(false) x')).toBe("SELECT x FROM ( SELECT CAST(ARRAY['public'] AS text[]) AS x ) AS x");
  });

  it('gives the rows PostgreSQL gives', async () => {
    const cases = [
      'SELECT i * 2 AS v FROM generate_series(1, 4) i ORDER BY 1',
      'SELECT i AS v FROM generate_series(10, 1, -3) AS i ORDER BY 1',
      'SELECT generate_series(1, 3) AS v ORDER BY 1',
      "SELECT x AS v FROM unnest(ARRAY['b', 'a']) x ORDER BY 1",
      'SELECT s.i AS v FROM generate_series(1, 2) s(i) ORDER BY 1',
      // Grafana's search_path walk
      "SELECT trim(s[i]) AS v FROM generate_series(1, 2) AS i, string_to_array('a, b', ',') s ORDER BY 1",
    ];
    for (const sql of cases) {
      const expected = (await env.ref.query(sql)).rows.map((r) => String(r.v));
      const ours = (await env.duck.rows(out(sql))).map((r) => String(r[0]));
      expect(ours, sql).toEqual(expected);
    }
  });
});
