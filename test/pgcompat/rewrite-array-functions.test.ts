import { describe, expect, it } from 'vitest';
import { rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

describe('rewrite: array-functions', () => {
  it('leaves the two-argument string_to_array alone', () => {
    expect(rewrite("SELECT string_to_array(b, ',') FROM t").changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    expect(
      await env.mismatches([
        'SELECT array_remove(ARRAY[1, 2, 1, NULL], 1), array_remove(ARRAY[1, NULL, 2], NULL), array_remove(ARRAY[]::int[], 1), array_remove(NULL::int[], 1)',
        "SELECT array_upper(ARRAY[1, 2, 3], 1), array_lower(ARRAY['a'], 1), array_upper(ARRAY[]::int[], 1), array_lower(ARRAY[]::int[], 1), array_upper(ARRAY[1], 2)",
        'SELECT array_ndims(ARRAY[1, 2]), array_ndims(ARRAY[]::int[]), array_dims(ARRAY[1, 2, 3]), array_dims(ARRAY[]::int[])',
        "SELECT array_fill(0, ARRAY[3]), array_fill('x'::text, ARRAY[2]), array_fill(7, ARRAY[0])",
        "SELECT string_to_array('a,b,,c', ',', ''), string_to_array('a,*,c', ',', '*'), string_to_array(NULL, ',', '')",
        'SELECT x, array_upper(a, 1) FROM (VALUES (1, ARRAY[1, 2]), (2, ARRAY[5])) v(x, a) ORDER BY x',
      ]),
    ).toEqual([]);
  });
});
