import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns();

describe('rewrite: prepare-types', () => {
  it('moves PREPARE parameter types onto the parameters', () => {
    expect(out('PREPARE q(int, text) AS SELECT a FROM t WHERE a >= $1 AND b = $2')).toBe('PREPARE q AS SELECT a FROM t WHERE a >= CAST($1 AS int) AND b = CAST($2 AS text)');
    expect(out('PREPARE q(bigint) AS SELECT $1 + $1, $2')).toBe('PREPARE q AS SELECT CAST($1 AS bigint) + CAST($1 AS bigint), $2');
  });

  it('leaves PREPARE without types and other statements alone', () => {
    expect(rewrite('PREPARE q AS SELECT a FROM t WHERE a = $1').changed).toBe(false);
    expect(rewrite('PREPARE TRANSACTION \'x\'').changed).toBe(false);
  });

  it('runs in DuckDB, converting EXECUTE arguments', async () => {
    await env.duck.conn.run(out("PREPARE q(int, text) AS SELECT a, b FROM t WHERE a >= $1 AND b <> $2"));
    expect(await env.duck.rows("EXECUTE q('2', 'z')")).toEqual([[2, 'y']]);
  });
});
