import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

describe('rewrite: integer-division', () => {
  it('divides integers as integers where both operands are integers by their form', () => {
    expect(out("SELECT current_setting('server_version_num')::int / 100")).toBe("SELECT CAST('160014'::text AS int) // 100");
    expect(out('SELECT 7 / 2, count(*) / 2, (1 + 2) / 2 FROM t')).toBe('SELECT 7 // 2, count(*) // 2, (1 + 2) // 2 FROM t');
    expect(out('SELECT 100 / 7 / 2')).toBe('SELECT (100 // 7) // 2');
  });

  it('leaves other divisions alone', () => {
    expect(rewrite('SELECT a / 2, 7.0 / 2, 7 / 2.0, $1 / 2 FROM t').changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    const sql = "SELECT 7 / 2 AS a, -7 / 2 AS b, 7 / -2 AS c, '160014'::int / 100 AS d, 1 / 3 AS e, (10 % 4) / 2 AS f";
    const expected = Object.values((await env.ref.query(sql)).rows[0]).map(String);
    expect((await env.duck.rows(out(sql)))[0]!.map(String)).toEqual(expected);
  });
});
