import { describe, expect, it } from 'vitest';
import { out, rewrite } from './context.js';
import { standIns } from './duck.js';

const env = standIns({ reference: true });

/** Runs `SELECT (<expr>)::text AS v` on both: the rewritten text in DuckDB, the original in PostgreSQL. */
async function both(exprSql: string): Promise<{ pg: unknown; duck: unknown }> {
  const sql = `SELECT (${exprSql})::text AS v`;
  let pgValue: unknown;
  try {
    pgValue = (await env.ref.query({ text: sql, types: { getTypeParser: () => (v: string) => v } })).rows[0].v;
  } catch (e) {
    pgValue = `ERROR ${(e as { code?: string }).code}`;
  }
  let duckValue: unknown;
  try {
    const v = (await env.duck.rows(out(sql)))[0]![0];
    duckValue = v === null ? null : String(v);
  } catch (e) {
    duckValue = `ERROR ${(e as Error).message}`;
  }
  return { pg: pgValue, duck: duckValue };
}

async function mismatches(cases: string[]): Promise<string[]> {
  const bad: string[] = [];
  for (const c of cases) {
    const r = await both(c);
    if (r.pg !== r.duck) bad.push(`${c}: PostgreSQL ${JSON.stringify(r.pg)}, lakegres ${JSON.stringify(r.duck)}`);
  }
  return bad;
}

async function setZone(zone: string): Promise<void> {
  await env.ref.query(`SET TimeZone = '${zone}'`);
  await env.duck.rows(`SET TimeZone = '${zone}'`);
}

const TIMESTAMPS = [
  '2024-03-05 13:04:05.123456',
  '2024-01-01 00:00:00',
  '2023-12-31 23:59:59.999999',
  '2024-12-30 12:00:00',
  '2021-01-03 00:30:00.5',
  '2024-02-29 11:59:59',
  '1999-10-11 07:08:09.05',
  '12024-06-15 10:00:00',
];

const DATETIME_FORMATS = [
  'YYYY-MM-DD',
  'YYYY-MM-DD HH24:MI:SS',
  'YYYY-MM-DD"T"HH24:MI:SS.US',
  'YYYY-MM',
  'YYYY MM DD HH HH12 HH24 MI SS MS US',
  'YYY YY Y Y,YYY',
  'IYYY IYY IY I IW ID IDDD',
  'Mon MON mon',
  'Month|MONTH|month|',
  'FMMonth FMDay FMDD FMMM FMHH24',
  'Dy DY dy Day| DAY| day|',
  'D DDD W WW Q CC J',
  'HH:MI AM am PM pm A.M. a.m. P.M. p.m.',
  'SSSS SSSSS',
  'FF1 FF2 FF3 FF4 FF5 FF6',
  'DDth DDTH FMDDth MMth Dth HH24th',
  'RM rm FMRM',
  'AD BC ad A.D. b.c.',
  '"Quarter" Q "of" YYYY',
  '"week \\"W\\"" IW, YYYY',
  'FXYYYY-MM-DD',
  'Day, DD Month YYYY',
  'FMDay, FMDD FMMonth YYYY',
  'DD/MM/YY HH12:MI PM',
  'YYYYMMDDHH24MISS',
  'HH24:MI:SS.MS',
  'abc xyz',
  'TMMonth tmDay',
];

describe('rewrite: to-char', () => {
  it('rewrites to_char with a constant template into date_part/strftime pieces', () => {
    expect(out("SELECT to_char(ts, 'YYYY-MM') FROM t")).toBe("SELECT (printf('%04d', date_part('year', ts)) || '-') || printf('%02d', date_part('month', ts)) FROM t");
    expect(out("SELECT pg_catalog.to_char(ts, 'FMDD') FROM t")).toBe("SELECT (date_part('day', ts))::varchar FROM t");
    expect(rewrite('SELECT to_char(1)').changed).toBe(false);
  });

  it('to_char of timestamps and dates gives what PostgreSQL gives (UTC)', async () => {
    await setZone('UTC');
    const cases: string[] = [];
    for (const ts of TIMESTAMPS) for (const f of DATETIME_FORMATS) cases.push(`to_char(timestamp '${ts}', '${f.replace(/'/g, "''")}')`);
    for (const d of ['2024-03-05', '2024-12-30', '2021-01-03', '2000-02-29']) for (const f of DATETIME_FORMATS) cases.push(`to_char(date '${d}', '${f.replace(/'/g, "''")}')`);
    expect(await mismatches(cases)).toEqual([]);
  });

  it('to_char of timestamptz follows the session time zone', async () => {
    const cases: string[] = [];
    for (const ts of ['2024-03-05 13:04:05.5+00', '2024-07-01 23:30:00+00', '2024-12-31 22:00:00-05'])
      for (const f of ['YYYY-MM-DD HH24:MI:SS', 'DD Mon YYYY HH12:MI AM', 'OF', 'TZH:TZM', 'IYYY-IW D']) cases.push(`to_char(timestamptz '${ts}', '${f}')`);
    for (const zone of ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin']) {
      await setZone(zone);
      expect(await mismatches(cases), zone).toEqual([]);
    }
    await setZone('UTC');
    expect(await mismatches(["to_char(timestamptz '2024-03-05 13:04:05+00', 'YYYY-MM-DD HH24:MI:SS TZ tz')"])).toEqual([]);
  });

  it('to_char of intervals and times', async () => {
    const cases: string[] = [];
    for (const iv of ['1 year 2 months 3 days 25:04:05.5', '90 minutes', '3 days 4 hours', '00:00:00', '12:00:00', '14 months'])
      for (const f of ['HH24:MI:SS', 'HH:MI:SS', 'DD HH24:MI', 'YYYY-MM-DD', 'MS US', 'FMHH24"h" FMMI"m"', 'SSSS', 'AM HH12'])
        cases.push(`to_char(interval '${iv}', '${f}')`);
    for (const f of ['HH24:MI', 'HH12:MI:SS AM']) cases.push(`to_char(time '13:04:05', '${f}')`);
    expect(await mismatches(cases)).toEqual([]);
  });

  it('NULL values, an empty template, a template of text only', async () => {
    expect(await mismatches(["to_char(NULL::timestamp, 'YYYY')", "to_char(timestamp '2024-01-01', '')", "to_char(NULL::date, 'abc')", "to_char(date '2024-01-01', 'abc')"])).toEqual([]);
  });

  it('to_char of numbers with the common templates', async () => {
    const values = ['0', '5', '-5', '12.345', '-12.345', '0.5', '-0.5', '1234.5', '99999', '0.005', '999.995', '-0.001', '1234567.891', '100'];
    const templates = [
      '999',
      '999.99',
      '9,999.99',
      'FM999,999.99',
      '999,999,999.99',
      'FM999999',
      '0000',
      'FM0000',
      '9990.00',
      'FM9990.99',
      'S999',
      '999S',
      'FMS999',
      '999MI',
      'FM999MI',
      '999PR',
      'FM999PR',
      'FM999.90',
      '9099',
      '9.',
      'FM9.',
      '99G999D99',
      'FM9G999G999D00',
      '0.99',
      'FM0.00',
      '9.99',
      '000,000',
    ];
    const cases: string[] = [];
    for (const v of values) for (const t of templates) cases.push(`to_char(${v}::numeric, '${t}')`);
    for (const t of ['FM999,999', '00000', '999']) cases.push(`to_char(1234::int, '${t}')`, `to_char(-42::bigint, '${t}')`);
    cases.push("to_char(NULL::numeric, '999')");
    expect(await mismatches(cases)).toEqual([]);
  });

  it('refuses number patterns it does not format, and a template that is not a constant, with 0A000', async () => {
    for (const [sql, msg] of [
      ["SELECT to_char(5, '9.99EEEE')", 'to_char: number template pattern "EE" is not supported'],
      ["SELECT to_char(5, 'L999')", 'to_char: number template pattern "L" is not supported'],
      ["SELECT to_char(5, '999V99')", 'to_char: number template pattern "V" is not supported'],
      ["SELECT to_char(now(), f) FROM (SELECT 'YYYY' AS f) s", 'to_char: the format template must be a constant string'],
      ["SELECT to_date('2024-03-05', 'J')", 'to_date: template pattern "J" is not supported'],
    ] as const) {
      await expect(env.duck.rows(out(sql)), sql).rejects.toThrow(`[lakegres:0A000] ${msg}`);
    }
  });

  it('to_date, to_timestamp and to_number read text as PostgreSQL does', async () => {
    await setZone('UTC');
    const cases = [
      "to_date('2024-03-05', 'YYYY-MM-DD')",
      "to_date('05 Mar 2024', 'DD Mon YYYY')",
      "to_date('5 March 2024', 'DD Month YYYY')",
      "to_date('20240305', 'YYYYMMDD')",
      "to_date('2024-3-5', 'YYYY-MM-DD')",
      "to_date('03/05/24', 'MM/DD/YY')",
      "to_date('2024-065', 'YYYY-DDD')",
      "to_timestamp('2024-03-05 13:04:05', 'YYYY-MM-DD HH24:MI:SS')",
      "to_timestamp('2024-03-05 01:04:05 PM', 'YYYY-MM-DD HH12:MI:SS PM')",
      "to_timestamp('2024-03-05 13:04:05.123456', 'YYYY-MM-DD HH24:MI:SS.US')",
      "to_timestamp('2024-03-05 13:04:05.250', 'YYYY-MM-DD HH24:MI:SS.MS')",
      "to_timestamp('05.03.2024', 'DD.MM.YYYY')",
      "to_timestamp(1709643845)",
      "to_timestamp(1709643845.5)",
      "to_number('12,454.8', '99G999D9')",
      "to_number('-12,454.8', '99G999D9')",
      "to_number('12,454.8-', '99G999D9S')",
      "to_number('<123.50>', '999.99PR')",
      "to_number('1234', '9999')",
    ];
    expect(await mismatches(cases)).toEqual([]);
    await setZone('America/New_York');
    expect(await mismatches(["to_timestamp('2024-03-05 13:04:05', 'YYYY-MM-DD HH24:MI:SS')", "to_timestamp('2024-07-05', 'YYYY-MM-DD')"])).toEqual([]);
    await setZone('UTC');
  });
});
