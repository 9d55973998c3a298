import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

describe('rewrite: datetime-literals', () => {
  it('special values become the current date or time of the cast type', () => {
    expect(out("SELECT date 'today'")).toBe('SELECT CAST(CURRENT_DATE AS date)');
    expect(out("SELECT 'yesterday'::timestamp")).toBe('SELECT CAST(CURRENT_DATE - 1 AS timestamp)');
    expect(out("SELECT 'now'::timestamptz")).toBe('SELECT (now())::timestamptz');
  });

  it('leaves text DuckDB reads alone', () => {
    for (const sql of ["SELECT timestamptz '2024-03-05 10:00:00+00'", "SELECT '1 day'::interval", "SELECT date '2024-03-05'", "SELECT 'a' || 'b'", "SELECT a - '2024-01-01' FROM t", "SELECT a + '5' FROM t"]) {
      expect(rewrite(sql).changed, sql).toBe(false);
    }
  });

  it('gives what PostgreSQL gives', async () => {
    expect(
      await env.mismatches([
        "SELECT date 'today' = current_date, 'now'::timestamptz = now(), timestamp 'now' = localtimestamp",
        "SELECT 'yesterday'::date = current_date - 1, 'tomorrow'::timestamp = current_date + 1, timestamptz 'today' = date_trunc('day', now())",
        "SELECT time 'allballs'",
        "SELECT timestamptz '2024-03-05 10:00+00', '2024-03-05T10:00Z'::timestamptz, '2024-03-05 10:00 +05:30'::timestamptz, timestamptz '2024-03-05 10:00-0800'",
        "SELECT timestamptz '2024-03-05 10:00+00' - timestamptz '2024-03-01 00:00+00'",
        "SELECT interval 'P1Y2M3DT4H5M6S', 'PT15M'::interval, interval 'P2W', interval 'PT1.5S'",
        "SELECT '-1 days +02:00:00'::interval, '1 year -2 mons +3 days'::interval",
        "SELECT timestamp '2024-03-05 10:00' + '1 hour 30 minutes', '2 days' + timestamp '2024-03-05 10:00', timestamptz '2024-03-05 10:00:00+00' + '1 month'",
        "SELECT now() + '7 days' > now(), '1 day' + now() > now()",
        "SELECT * FROM generate_series(timestamp '2024-01-01', timestamp '2024-01-03', '1 day') g",
        "SELECT * FROM generate_series('2024-01-01 00:00'::timestamptz, '2024-01-01 02:00'::timestamptz, '30 minutes') AS g(t)",
        "SELECT generate_series(timestamp '2024-01-01', timestamp '2024-01-02', '12 hours')",
        "SELECT * FROM generate_series(1, 10, 3) g",
        "SELECT * FROM generate_series(date '2024-01-30', date '2024-04-30', interval '1 month') g",
        "SELECT g FROM generate_series('2024-03-01'::date, '2024-03-03'::date, '1 day') g",
        "SELECT date_trunc('month', date '2024-03-07'), date_trunc('week', '2024-03-07'::date), date_trunc('year', current_date) = date_trunc('year', now())",
      ]),
    ).toEqual([]);
  });
});
