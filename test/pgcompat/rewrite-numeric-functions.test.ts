import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

describe('rewrite: numeric-functions', () => {
  it('rounds floats by their form half to even, leaves numeric round alone', () => {
    expect(out('SELECT round(c::float8) FROM t')).toBe('SELECT round_even(c::float8, 0) FROM t');
    expect(rewrite('SELECT round(c), round(2.5), round(c, 2) FROM t').changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    expect(
      await env.mismatches([
        'SELECT div(7, 2), div(-7, 2), div(7.5, 2), div(9, 3), div(NULL, 2)',
        'SELECT width_bucket(5.35, 0.024, 10.06, 5), width_bucket(-1, 0, 10, 5), width_bucket(10, 0, 10, 5), width_bucket(0, 0, 10, 5), width_bucket(9.99, 0, 10, 5)',
        'SELECT width_bucket(5, 10, 0, 5), width_bucket(11, 10, 0, 5), width_bucket(0, 10, 0, 5), width_bucket(NULL::int, 0, 10, 5)',
        'SELECT width_bucket(5, 3, 3, 5)',
        'SELECT round(2.5::float8), round(3.5::float8), round(-2.5::float8), round(0.5::real), round(2.5), round(-2.5), round(2.567::float8)',
      ]),
    ).toEqual([]);
  });
});
