import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns();

describe('rewrite: system-columns', () => {
  it('reads xmin, xmax, cmin, cmax and ctid of catalog relations as constants', () => {
    expect(out('SELECT c.xmin, c.ctid, relname FROM pg_catalog.pg_class c')).toBe("SELECT 1::int8, CAST('(0,1)' AS text), relname FROM lake.__lakegres_pg.pg_class AS c");
    expect(out('SELECT xmin, xmax FROM pg_namespace')).toBe('SELECT 1::int8, 0::int8 FROM lake.__lakegres_pg.pg_namespace');
  });

  it('leaves lake tables alone', () => {
    expect(rewrite('SELECT xmin FROM t').changed).toBe(false);
    expect(out('SELECT t.xmin, c.xmin FROM t, pg_catalog.pg_class c')).toBe('SELECT t.xmin, 1::int8 FROM t, lake.__lakegres_pg.pg_class AS c');
  });

  it('age() of a catalog transaction-id column is the current transaction number minus it', () => {
    expect(out('SELECT pg_catalog.age(c.xmin) FROM pg_catalog.pg_class c')).toMatch(/^SELECT CAST\('\d+'::int8 - CAST\(1::int8 AS int8\) AS int4\) FROM lake\.__lakegres_pg\.pg_class AS c$/);
    expect(out('SELECT 1 FROM pg_catalog.pg_class c ORDER BY age(c.relfrozenxid)')).toMatch(/ORDER BY CAST\('\d+'::int8 - c\.relfrozenxid::int8 AS int4\)$/);
    expect(rewrite('SELECT age(t.a) FROM t').changed).toBe(false);
    expect(rewrite("SELECT age(timestamp '2020-01-01')").changed).toBe(false);
  });

  it('runs', async () => {
    expect(await env.duck.rows(out("SELECT age(c.xmin) > 0 FROM pg_catalog.pg_class c WHERE c.relname = 't'"))).toEqual([[true]]);
    expect(await env.duck.rows(out("SELECT c.oid, c.xmin FROM pg_catalog.pg_class c WHERE c.relname = 't'"))).toEqual([[16385n, 1n]]);
  });
});
