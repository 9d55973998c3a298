import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

describe('rewrite: multi-unnest', () => {
  it('several arrays become a subquery of unnest calls', () => {
    expect(out('SELECT * FROM unnest(ARRAY[1, 2], ARRAY[3]) AS u(x, y)')).toBe('SELECT * FROM ( SELECT unnest(ARRAY[1, 2]) AS x, unnest(ARRAY[3]) AS y ) AS u');
    expect(rewrite('SELECT * FROM unnest(ARRAY[1, 2]) AS u(x)').rules).not.toContain('multi-unnest');
  });

  it('gives what PostgreSQL gives', async () => {
    expect(
      await env.mismatches([
        "SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a', 'b']) AS u(n, s)",
        "SELECT n, s FROM unnest(ARRAY[1, 2, 3], ARRAY['a']) AS u(n, s) ORDER BY n",
        "SELECT u.s FROM unnest(ARRAY[1, 2], ARRAY['a', 'b'], ARRAY[true, false]) u(n, s, b) WHERE u.b",
        "SELECT count(*) FROM unnest('{1,2}'::int[], '{x,y}'::text[]) AS t(a, b)",
      ]),
    ).toEqual([]);
    // The bulk-insert pattern, with array parameters.
    await env.lake.query('CREATE TABLE mu_bulk (id int, name text)');
    await env.lake.query('INSERT INTO mu_bulk SELECT * FROM unnest($1::int[], $2::text[])', [[1, 2, 3], ['a', 'b', 'c']]);
    expect((await env.lake.query('SELECT id, name FROM mu_bulk ORDER BY id')).rows).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
    ]);
  });
});
