import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

describe('rewrite: string-functions', () => {
  it('rewrites the functions DuckDB lacks or reads differently', () => {
    expect(out("SELECT btrim(b, 'x'), lpad(b, 5), every(a > 0) FROM t")).toBe("SELECT TRIM(BOTH 'x' FROM b), lpad(b, 5, ' '), bool_and(a > 0) FROM t");
    expect(out("SELECT decode(b, 'hex') FROM t")).toBe('SELECT unhex(b) FROM t');
    expect(rewrite("SELECT lpad(b, 5, '0'), trim(b), octet_length(b) FROM t").changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    const long = "repeat('abcdefghij', 12)";
    expect(
      await env.mismatches([
        "SELECT initcap('hello wORLD foo-bar'), initcap('élan vital_x 3rd'), initcap(''), initcap(NULL)",
        "SELECT btrim('xxhixx', 'x'), btrim('  hi  '), lpad('5', 3), rpad('ab', 5), lpad('abcdef', 3), rpad('abcdef', 3)",
        "SELECT encode('hello'::bytea, 'base64'), encode('hello'::bytea, 'hex'), encode('\\x00ff10'::bytea, 'hex')",
        `SELECT encode(convert_to(${long}, 'UTF8'), 'base64')`,
        "SELECT decode('aGVsbG8=', 'base64'), decode('68656c6c6f', 'hex'), decode('aGVs\nbG8=', 'base64')",
        `SELECT convert_from(decode(encode(convert_to(${long}, 'UTF8'), 'base64'), 'base64'), 'UTF8') = ${long}`,
        "SELECT convert_from('\\x68c3a96c6c6f'::bytea, 'UTF8'), convert_to('héllo', 'utf8')",
        "SELECT sha256('abc'::bytea), encode(sha256('abc'::bytea), 'hex'), md5('abc')",
        "SELECT octet_length('héllo'), length('héllo'), char_length('héllo')",
        "SELECT overlay('abcdef' placing 'xx' from 2 for 3), overlay('abcdef' placing 'xyz' from 3), overlay('abc' placing '' from 2 for 1)",
        "SELECT array_to_string(ARRAY['a', NULL, 'b'], ',', '*'), array_to_string(ARRAY[1, NULL, 3], '-', ''), array_to_string(ARRAY['a', NULL, 'b'], ',')",
        'SELECT every(x > 0), every(x > 1) FROM (VALUES (1), (2)) v(x)',
        'SELECT to_hex(255), to_hex(-1::bigint), to_hex(4294967296::bigint), cardinality(ARRAY[1, 2, 3]), cardinality(ARRAY[]::int[]), cardinality(NULL::int[])',
      ]),
    ).toEqual([]);
  });
});
