import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { wireComparison } from './rewrite-compare.js';

const env = wireComparison();

describe('rewrite: datetime-functions', () => {
  it('rewrites the functions DuckDB lacks', () => {
    expect(out("SELECT date_bin(interval '15 minutes', ts, timestamp '2001-01-01') FROM t")).toBe("SELECT time_bucket('15 minutes'::interval, ts, '2001-01-01'::timestamp) FROM t");
    expect(out('SELECT make_interval(days => 3, hours => 2)')).toBe('SELECT to_days(3::int) + to_hours(2::int)');
    expect(out('SELECT clock_timestamp()')).toBe('SELECT now()');
    expect(out("SELECT ts AT TIME ZONE 'UTC+3' FROM t")).toBe("SELECT timezone('Etc/GMT+3', ts) FROM t");
    expect(out("SELECT ts AT TIME ZONE '+05:30' FROM t")).toContain('[lakegres:22023]');
    expect(rewrite("SELECT extract(year FROM ts), date_part('day', ts) FROM t").changed).toBe(false);
  });

  it('gives what PostgreSQL gives', async () => {
    const intervals = ['35 days', '-35 days 3 hours', '27 hours', '-27 hours', '1 mon 50 hours', '1 year 2 mons 65 days 49:30:00.5', '0 seconds'];
    const statements = [
      ...intervals.map((i) => `SELECT justify_days(interval '${i}'), justify_hours(interval '${i}')`),
      'SELECT make_interval(days => 3, hours => 2), make_interval(0, 1), make_interval(1, 2, 3, 4, 5, 6, 7.5), make_interval(secs => 90.25), make_interval()',
      "SELECT date_bin('15 minutes', timestamp '2024-03-05 10:17', timestamp '2001-01-01'), date_bin(interval '1 hour', timestamp '2024-03-05 10:17:05', timestamp '2024-01-01 00:30')",
      "SELECT date_trunc('day', timestamptz '2024-03-07 10:00:00+00', 'America/New_York'), date_trunc('hour', timestamptz '2024-03-07 10:30:00+00', 'Asia/Kolkata'), date_trunc('month', timestamptz '2024-03-01 02:00:00+00', 'America/Los_Angeles')",
      "SELECT timestamptz '2024-06-05 10:00:00+00' AT TIME ZONE '+02', timestamptz '2024-06-05 10:00:00+00' AT TIME ZONE '2', timestamptz '2024-06-05 10:00:00+00' AT TIME ZONE '-3', timestamptz '2024-06-05 10:00:00+00' AT TIME ZONE 'UTC+3', timestamptz '2024-06-05 10:00:00+00' AT TIME ZONE 'GMT-11'",
      "SELECT timestamp '2024-06-05 10:00:00' AT TIME ZONE '+02', timezone('-5', timestamp '2024-06-05 10:00:00'), timestamptz '2024-06-05 10:00:00+00' AT TIME ZONE '0', timestamptz '2024-06-05 10:00:00+00' AT TIME ZONE 'UTC'",
      "SELECT date_bin('5 minutes', timestamptz '2024-03-05 10:17:00+00', timestamptz '2001-01-01 00:00:00+00')",
      "SELECT extract(second from timestamp '2024-03-05 10:00:05.25'), extract(seconds from time '10:00:05.5'), extract(second from interval '1 minute 3.125 seconds')",
      "SELECT extract(milliseconds from timestamp '2024-03-05 10:00:05.25'), extract(millisecond from timestamptz '2024-03-05 10:00:05.123456+00')",
      "SELECT date_part('second', timestamp '2024-03-05 10:00:05.25'), date_part('milliseconds', timestamp '2024-03-05 10:00:05.5')",
      "SELECT extract(second from NULL::timestamp), extract(year from timestamp '2024-03-05')",
      "SELECT extract(epoch from timestamptz '2024-03-05 10:00:00+00'), extract(epoch from timestamp '2024-03-05 10:00:00.25'), extract(epoch from interval '1 day 2 hours'), extract(epoch from interval '1 month'), extract(epoch from interval '1 year 1 month'), extract(epoch from interval '-2 years 3 days'), extract(epoch from date '2024-03-05'), extract(epoch from time '10:00:01.5')",
      "SELECT floor(extract(epoch from timestamp '2024-03-05 10:17:00') / 300) * 300, extract(epoch from timestamp '2024-03-05 10:17:00') * 1000, extract(epoch from NULL::timestamp)",
      "SELECT clock_timestamp() IS NOT NULL, statement_timestamp() <= now() + interval '1 day', length(timeofday()) > 20",
      "SELECT (date '2024-03-05', date '2024-03-10') OVERLAPS (date '2024-03-08', date '2024-03-12')",
      "SELECT (date '2024-03-05', date '2024-03-08') OVERLAPS (date '2024-03-08', date '2024-03-12')",
      "SELECT (date '2024-03-10', date '2024-03-05') OVERLAPS (date '2024-03-09', date '2024-03-09')",
      "SELECT (timestamp '2024-03-05 10:00', timestamp '2024-03-05 10:00') OVERLAPS (timestamp '2024-03-05 10:00', timestamp '2024-03-05 11:00')",
    ];
    expect(await env.mismatches(statements)).toEqual([]);
  });
});
