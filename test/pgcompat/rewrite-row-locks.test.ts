import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns();

describe('rewrite: row-locks', () => {
  it('drops FOR UPDATE / SHARE clauses (DuckLake has no row locks)', () => {
    expect(out('SELECT a FROM t WHERE a = 1 FOR UPDATE')).toBe('SELECT a FROM t WHERE a = 1');
    expect(out('SELECT a FROM t FOR NO KEY UPDATE OF t NOWAIT')).toBe('SELECT a FROM t');
    expect(out('SELECT a FROM t FOR SHARE SKIP LOCKED')).toBe('SELECT a FROM t');
    expect(out('SELECT a FROM t FOR KEY SHARE')).toBe('SELECT a FROM t');
    expect(out('SELECT * FROM (SELECT a FROM t FOR UPDATE) s')).toBe('SELECT * FROM ( SELECT a FROM t ) AS s');
  });

  it('leaves other FOR clauses alone', () => {
    expect(rewrite('SELECT a FROM t').changed).toBe(false);
  });

  it('the rows are read as they are', async () => {
    expect(await env.duck.rows(out('SELECT a FROM t ORDER BY a FOR UPDATE'))).toEqual([[1], [2]]);
  });
});
