import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { startServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
beforeAll(async () => {
  await ready;
  srv = await startServer();
});
afterAll(async () => srv?.stop());

describe('rewrite: any-parameter', () => {
  it('x = ANY($n) / x <> ALL($n) become list_contains, which types $n from x', () => {
    expect(out('SELECT a FROM t WHERE a = ANY($1)')).toBe('SELECT a FROM t WHERE list_contains($1, a)');
    expect(out('SELECT a FROM t WHERE a <> ALL($1)')).toBe('SELECT a FROM t WHERE NOT (list_contains($1, a))');
    expect(out('SELECT a FROM t WHERE a = SOME($2) AND b = $1')).toBe('SELECT a FROM t WHERE list_contains($2, a) AND b = $1');
  });

  it('x = ANY(array expression) becomes list_contains too (DuckDB cannot run ANY over a column in an outer join)', async () => {
    expect(out('SELECT 1 FROM t LEFT JOIN u ON u.n = ANY(t.arr)')).toBe('SELECT 1 FROM t LEFT JOIN u ON list_contains(t.arr, u.n)');
    expect(out('SELECT 1 FROM t WHERE b <> ALL(string_to_array(c, \',\'))')).toBe("SELECT 1 FROM t WHERE NOT (list_contains(string_to_array(c, ','), b))");
    expect(out('SELECT 1 FROM t WHERE a = ANY(ix.indkey::int2[])')).toBe('SELECT 1 FROM t WHERE list_contains(CAST(ix.indkey AS int2[]), a)');
    expect(out("SELECT 1 FROM t WHERE a = ANY('{1,2}'::int[])")).toBe("SELECT 1 FROM t WHERE a = ANY (CAST(ARRAY['1', '2'] AS int[]))");
    const c = await srv.client();
    await c.query('CREATE TABLE anyc (id int, tags int[])');
    await c.query('INSERT INTO anyc VALUES (1, [1, 2]), (2, [3]), (3, NULL)');
    const r = await c.query('SELECT a.id, b.id AS bid FROM anyc a LEFT JOIN anyc b ON b.id = ANY(a.tags) ORDER BY 1, 2');
    expect(r.rows).toEqual([{ id: 1, bid: 1 }, { id: 1, bid: 2 }, { id: 2, bid: 3 }, { id: 3, bid: null }]);
  });

  it('leaves typed parameters, other operators and arrays alone', () => {
    expect(rewrite('SELECT a FROM t WHERE a = ANY($1::int[])').changed).toBe(false);
    expect(rewrite('SELECT a FROM t WHERE a > ANY($1)').changed).toBe(false);
    expect(rewrite('SELECT a FROM t WHERE a = ANY(ARRAY[1, 2])').changed).toBe(false);
    expect(rewrite('SELECT a FROM t WHERE a IN (SELECT 1)').changed).toBe(false);
  });

  it('node-postgres arrays as parameters (text of unknown type)', async () => {
    const c = await srv.client();
    await c.query('CREATE TABLE anyp (id int, name text, big bigint)');
    await c.query("INSERT INTO anyp VALUES (1, 'a', 10000000000), (2, 'b', 2), (3, 'c', NULL)");
    expect((await c.query('SELECT id FROM anyp WHERE id = ANY($1) ORDER BY id', [[1, 3]])).rows).toEqual([{ id: 1 }, { id: 3 }]);
    expect((await c.query('SELECT id FROM anyp WHERE name = ANY($1) ORDER BY id', [['b', 'zz']])).rows).toEqual([{ id: 2 }]);
    expect((await c.query('SELECT id FROM anyp WHERE big = ANY($1) ORDER BY id', [['10000000000']])).rows).toEqual([{ id: 1 }]);
    expect((await c.query('SELECT id FROM anyp WHERE id <> ALL($1) ORDER BY id', [[1]])).rows).toEqual([{ id: 2 }, { id: 3 }]);
    expect((await c.query('SELECT id FROM anyp WHERE id = ANY($1)', [[]])).rows).toEqual([]);
  });
});
