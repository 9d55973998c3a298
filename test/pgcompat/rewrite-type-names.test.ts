import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, ready, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

describe('rewrite: type-names', () => {
  it('drops pg_catalog from type names and maps types DuckDB lacks', () => {
    expect(out('SELECT a::pg_catalog.int4, b::pg_catalog.text, b::pg_catalog.bpchar FROM t')).toBe('SELECT a::int, b::text, b::bpchar FROM t');
    expect(out("SELECT 'x'::name, 'y'::\"char\", '{}'::jsonb, 1::xid, '(0,1)'::tid FROM t")).toBe("SELECT 'x'::varchar, 'y'::varchar, '{}'::json, 1::int8, CAST('(0,1)' AS text) FROM t");
    // Column definitions too (a lake table with a jsonb column).
    expect(out('CREATE TABLE j (id int, doc jsonb, "Ip" inet)')).toBe('CREATE TABLE j (id int, doc json, "Ip" text)');
    expect(out('ALTER TABLE j ADD COLUMN extra jsonb')).toBe('ALTER TABLE j ADD COLUMN extra json');
    // (the value cast to timestamptz(3) is also rounded to milliseconds: the time-precision module)
    expect(out("SELECT '1 2'::int2vector, now()::timestamptz(3), '1 day'::interval(6)")).toBe(
      "SELECT CAST('1 2' AS int2[]), (now())::timestamptz + to_microseconds(CAST(round(epoch_us((now())::timestamptz) / 1000.0) * 1000 AS bigint) - epoch_us((now())::timestamptz)), '1 day'::interval",
    );
    expect(out('SELECT b::pg_catalog."char" FROM t')).toBe('SELECT b::varchar FROM t');
    // A cast right after a subscript or an array constructor (`]::`) is found too.
    expect(out('SELECT ARRAY[1, 2]::int2vector, x[1]::name FROM t')).toBe('SELECT CAST(ARRAY[1, 2] AS int2[]), CAST((x)[1] AS varchar) FROM t');
  });

  it('leaves types DuckDB reads alone', () => {
    expect(rewrite('SELECT a::int4, b::text, c::float8 FROM t').changed).toBe(false);
    expect(rewrite('SELECT name FROM t').changed).toBe(false);
  });

  it('keeps the fields of interval literals when the statement is written out (INTERVAL \'1\' MONTH is not one second)', async () => {
    const literals = [
      "INTERVAL '1' MONTH",
      "INTERVAL '2' YEAR",
      "INTERVAL '3' DAY",
      "INTERVAL '-4' HOUR",
      "INTERVAL '5' MINUTE",
      "INTERVAL '6.5' SECOND",
      "INTERVAL '1-2' YEAR TO MONTH",
      "INTERVAL '7' DAY TO HOUR",
      "INTERVAL '3:30' MINUTE TO SECOND",
      "INTERVAL '1 day 02:03:04' DAY TO SECOND",
      "INTERVAL '2 hours'",
      "'1 day'::interval(6)",
    ];
    // `7 / 2` makes another rule rewrite the statement, so that it is written out.
    const sql = `SELECT 7 / 2, ${literals.map((l, i) => `(TIMESTAMP '2000-01-31 12:00:00' + ${l})::text AS c${i}`).join(', ')}`;
    expect(out(sql)).toContain("'1 months'::interval");
    const expected = Object.values((await env.ref.query(sql)).rows[0]).map(String);
    expect((await env.duck.rows(out(sql)))[0]!.map(String)).toEqual(expected);
  });

  it('runs', async () => {
    expect(await env.duck.rows(out("SELECT a::pg_catalog.int8, 'x'::pg_catalog.name, CAST(b AS pg_catalog.varchar(5)), 1::pg_catalog.bit(3) IS NOT NULL FROM t WHERE a = 1"))).toEqual([[1n, 'x', 'x', true]]);
  });
});
