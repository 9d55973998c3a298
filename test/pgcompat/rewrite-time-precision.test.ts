import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

describe('rewrite: time-precision', () => {
  it('drops precisions DuckDB refuses and rounds values as PostgreSQL does', () => {
    expect(out('CREATE TABLE tp (ts timestamptz(3), t time(0), i interval(6))')).toBe('CREATE TABLE tp (ts timestamptz, t time, i interval)');
    expect(out("SELECT x::interval(6) FROM t")).toBe('SELECT x::interval FROM t');
    expect(rewrite("SELECT x::timestamptz, x::numeric(10, 2) FROM t").changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    expect(
      await env.mismatches([
        "SELECT timestamp '2024-03-05 10:00:00.56789'::timestamp(0), '2024-03-05 10:00:00.56789'::timestamptz(2), CAST('2024-03-05 10:00:00.123456' AS timestamp(3)), '2024-03-05 23:59:59.9'::timestamp(0)",
        "SELECT '10:00:00.56789'::time(1), time '10:00:00.4'::time(0), '2024-03-05 10:00:00.5'::timestamp(6), NULL::timestamp(0)",
        'SELECT CURRENT_TIMESTAMP(0) = date_trunc(\'second\', CURRENT_TIMESTAMP(0)), LOCALTIMESTAMP(3) IS NOT NULL, CURRENT_TIME(0) IS NOT NULL, LOCALTIME(2) IS NOT NULL',
        "SELECT extract(microseconds FROM CURRENT_TIMESTAMP(0)) = 1000000 * floor(extract(second FROM CURRENT_TIMESTAMP(0)))",
      ]),
    ).toEqual([]);
    await env.lake.query('CREATE TABLE tp_lake (id int, ts timestamptz(3))');
    await env.lake.query("INSERT INTO tp_lake VALUES (1, '2024-03-05 10:00:00+00')");
    expect((await env.lake.query('SELECT count(*)::int AS n FROM tp_lake')).rows).toEqual([{ n: 1 }]);
  });
});
