import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite, testContext } from './context.js';
import { standIns } from './duck.js';

const env = standIns();

describe('rewrite: insert-defaults', () => {
  it('adds the column list PostgreSQL implies when values are missing', () => {
    expect(out('INSERT INTO t VALUES (1)')).toBe('INSERT INTO t (a) VALUES (1)');
    expect(out("INSERT INTO public.t VALUES (1, 'x'), (2, 'y') RETURNING *")).toBe("INSERT INTO public.t (a, b) VALUES (1, 'x'), (2, 'y') RETURNING *");
    expect(out('INSERT INTO main.t SELECT 5')).toBe('INSERT INTO main.t (a) SELECT 5');
  });

  it('leaves complete, explicit and unknown-target INSERTs alone, unparsed', () => {
    expect(rewrite("INSERT INTO t VALUES (1, 'x', 2.5)").changed).toBe(false);
    expect(rewrite('INSERT INTO t (a) VALUES (1)').changed).toBe(false);
    expect(rewrite('INSERT INTO other VALUES (1)').changed).toBe(false);
    expect(rewrite('INSERT INTO t SELECT * FROM t').changed).toBe(false);
    // Rows of different lengths: the engine refuses them (42601 in PostgreSQL).
    expect(rewrite('INSERT INTO t VALUES (1), (1, 2)').changed).toBe(false);
  });

  it('follows the table the session sees', () => {
    const ctx = testContext({ tables: { 'public.t': ['a', 'b'] } });
    expect(out('INSERT INTO t VALUES (1)', ctx)).toBe('INSERT INTO t (a) VALUES (1)');
    const other = testContext({ tables: { 'public.t': ['x', 'y', 'z'] } });
    expect(out('INSERT INTO t VALUES (1)', other)).toBe('INSERT INTO t (x) VALUES (1)');
  });

  it('fills the other columns with their defaults', async () => {
    await env.duck.conn.run('CREATE TABLE lake.main.d (a INTEGER, b VARCHAR DEFAULT \'dflt\', c DOUBLE)');
    const ctx = testContext({ tables: { 'public.d': ['a', 'b', 'c'] } });
    await env.duck.conn.run(out('INSERT INTO d VALUES (1)', ctx));
    expect(await env.duck.rows('SELECT * FROM d')).toEqual([[1, 'dflt', null]]);
  });
});
