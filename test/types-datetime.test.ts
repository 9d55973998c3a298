/**
 * Date/time codecs, byte for byte against the reference PostgreSQL 16: date, time, timetz,
 * timestamp, timestamptz in many session time zones (IANA zones with DST and LMT offsets,
 * fixed offsets set as numbers and as POSIX strings), and interval in all four IntervalStyles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, referencePort, type TestServer } from './helpers/server.js';
import { Pair, same, type TypeCase } from './helpers/types-compare.js';
import { TimeZone, fixedOffsetZoneName } from '../src/types/datetime.js';

let srv: TestServer;
let pair: Pair;
beforeAll(async () => {
  srv = await startServer();
  pair = await Pair.open(srv.port, referencePort());
});
afterAll(async () => {
  pair?.close();
  await srv?.stop();
});

/** PostgreSQL writes BC after the value; DuckDB reads '(BC)' right after the date. */
const bcDuck = (date: string, time = '') => `${date} (BC)${time ? ' ' + time : ''}`;

const dateCases: TypeCase[] = [
  ...['2024-02-29', '0001-01-01', '10000-01-01', '99999-12-31', 'infinity', '-infinity', '1999-12-31', '2000-01-01', '1970-01-01', '1582-10-04', '1900-02-28'].map((d) =>
    same(`date ${d}`, `select '${d}'::date`),
  ),
  ...['0044-03-15', '0001-12-31', '4713-11-24', '1000-06-15'].map((d): TypeCase => ({ name: `date ${d} BC`, lg: `select '${bcDuck(d)}'::date`, pg: `select '${d} BC'::date` })),
  same('date null', 'select NULL::date'),
];

const timeCases: TypeCase[] = ['00:00:00', '12:34:56.789', '23:59:59.999999', '24:00:00', '01:02:03.1', '00:00:00.000001', '12:00:00.5'].map((t) => same(`time ${t}`, `select '${t}'::time`));

const timetzCases: TypeCase[] = ['12:34:56+05:30', '12:34:56.5-08', '00:00:00+00', '23:59:59.999999-14:59', '10:00:00+14', '10:00:00+01:02:03', '24:00:00-01', '06:00:00-09:30'].map((t) =>
  same(`timetz ${t}`, `select '${t}'::timetz`),
);

const timestampCases: TypeCase[] = [
  ...[
    '2024-01-01 12:00:00',
    '2024-01-01 12:00:00.123456',
    '2024-01-01 12:00:00.5',
    'infinity',
    '-infinity',
    '10000-01-01 00:00:00',
    '1900-01-01 00:00:00.000001',
    '1969-12-31 23:59:59.999999',
    '1970-01-01 00:00:00',
    '2000-01-01 00:00:00',
    '1999-12-31 23:59:59.999999',
    '0001-01-01 00:00:00',
    '200000-06-15 13:14:15.161718',
  ].map((t) => same(`timestamp ${t}`, `select '${t}'::timestamp`)),
  ...[
    ['0044-03-15', '12:00:00'],
    ['4713-11-24', '00:00:00'],
    ['0001-12-31', '23:59:59.999999'],
  ].map(([d, t]): TypeCase => ({ name: `timestamp ${d} ${t} BC`, lg: `select '${bcDuck(d!, t)}'::timestamp`, pg: `select '${d} ${t} BC'::timestamp` })),
];

/** Instants (UTC) rendered in each zone. */
const instants = [
  '2024-01-01 12:00:00',
  '2024-07-01 12:00:00.123456',
  // America/New_York DST: spring forward at 07:00 UTC, fall back at 06:00 UTC.
  '2024-03-10 06:59:59.999999',
  '2024-03-10 07:00:00',
  '2024-11-03 05:59:59.5',
  '2024-11-03 06:00:00',
  // Australia/Lord_Howe has a 30-minute DST shift (April / October).
  '2024-04-06 14:59:59',
  '2024-04-06 15:00:00',
  '2024-10-05 15:30:00',
  // Local mean time before standard zones: offsets with seconds (Paris +00:09:21 in 1850).
  '1850-06-01 12:00:00',
  '1883-11-18 17:00:00',
  '1900-01-01 00:00:00',
  '1911-03-10 23:50:00',
  '1969-12-31 23:59:59.999999',
  '2000-01-01 00:00:00',
  '1600-01-01 00:00:00',
  '2100-07-01 00:00:00',
  '2300-07-01 00:00:00',
  '10000-01-01 00:00:00',
];
const zones = [
  "SET TimeZone = 'UTC'",
  "SET TimeZone = 'America/New_York'",
  "SET TimeZone = 'Asia/Kolkata'",
  "SET TimeZone = 'Australia/Lord_Howe'",
  "SET TimeZone = 'Europe/Paris'",
  "SET TimeZone = 'Europe/Amsterdam'",
  "SET TimeZone = 'Asia/Kathmandu'",
  "SET TimeZone = 'Africa/Monrovia'",
  "SET TimeZone = 'America/St_Johns'",
  "SET TimeZone = 'Pacific/Chatham'",
  "SET TimeZone = 'Europe/Dublin'",
  "SET TimeZone = 'america/new_york'",
  "SET TimeZone = 'EST5EDT'",
  // Fixed offsets: a number is hours east of UTC (SQL sign convention) ...
  'SET TIME ZONE -8',
  'SET TIME ZONE 5.5',
  "SET TimeZone = '-3'",
  "SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE",
  "SET TIME ZONE INTERVAL '-03:45' HOUR TO MINUTE",
  // ... while a string with a colon is a POSIX zone, whose sign is the opposite: '+05:30' is UTC-5:30.
  "SET TIME ZONE '+05:30'",
  "SET TimeZone = '-01:15'",
  "SET TimeZone = 'UTC+3'",
  "SET TimeZone = '<+05>-5'",
];
const timestamptzCases: TypeCase[] = [];
for (const zone of zones) {
  for (const t of instants) {
    timestamptzCases.push({ name: `timestamptz ${t}Z (${zone})`, lg: `select '${t}+00'::TIMESTAMPTZ`, pg: `select '${t}+00'::timestamptz`, settings: { timezone: zone } });
  }
  timestamptzCases.push(same(`timestamptz infinity (${zone})`, "select 'infinity'::timestamptz", { settings: { timezone: zone } }));
  timestamptzCases.push(same(`timestamptz -infinity (${zone})`, "select '-infinity'::timestamptz", { settings: { timezone: zone } }));
  timestamptzCases.push({ name: `timestamptz BC (${zone})`, lg: `select '${bcDuck('0044-03-15', '12:00:00+00')}'::TIMESTAMPTZ`, pg: "select '0044-03-15 12:00:00+00 BC'::timestamptz", settings: { timezone: zone } });
}

/** [months, days, microseconds] of an interval, built exactly on both sides. */
const intervals: [number, number, bigint][] = [
  [14, -3, 14706500000n],
  [-14, 0, 0n],
  [0, 1, -1000000n],
  [0, -1, 7384000000n],
  [0, 0, 0n],
  [0, 0, -1n],
  [0, 0, 1n],
  [0, 0, 360000000000n],
  [0, 0, 9223372036854775807n],
  [0, 0, -9223372036854775807n],
  [0, 0, -9223372036854775808n],
  [3, 0, 0n],
  [12, 0, 0n],
  [-12, 0, 0n],
  [13, 0, 0n],
  [-13, 0, 0n],
  [11, 0, 0n],
  [-1, 0, 0n],
  [1, -1, 0n],
  [0, 0, 500000n],
  [0, 0, -500000n],
  [0, 1, 0n],
  [0, -1, 0n],
  [0, 7, 10800000000n],
  [12, 1, 0n],
  [-12, 1, 0n],
  [12, -1, 0n],
  [14, 3, 14706789000n],
  [-14, -3, -14706789000n],
  [0, 0, 60000000n],
  [0, 0, -60000000n],
  [0, 0, 1000000n],
  [0, 0, -1000000n],
  [0, 0, 121500000n],
  [0, 0, -3723000000n],
  [0, -1, -3723000000n],
  [0, 1, -3723000000n],
  [2147483647, 0, 0n],
  [-2147483648, 0, 0n],
  [0, 2147483647, 0n],
  [0, -2147483648, 0n],
  [1, 0, 3600000000n],
  [-1, 0, -3600000000n],
  [1, 0, -3600000000n],
  [5, -5, 5n],
  [-5, 5, -5n],
  [0, 0, -59999999n],
  [0, 0, -60000001n],
  [0, 0, -1500000n],
  [0, 0, 3456000000000n],
  [0, 0, 3599999999n],
  [0, 0, 36000000000000n],
];
const intervalCases: TypeCase[] = [];
for (const style of ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']) {
  for (const [m, d, us] of intervals) {
    intervalCases.push({
      name: `interval (${m} mons, ${d} days, ${us} us) ${style}`,
      lg: `select to_months(${m}) + to_days(${d}) + to_microseconds(${us})`,
      pg: `select make_interval(months => ${m}, days => ${d}) + '${us} microseconds'::interval`,
      settings: { intervalstyle: `SET IntervalStyle = ${style}` },
    });
  }
}
// Literals both parse alike (PostgreSQL reads them independently of IntervalStyle).
for (const lit of ['1 day', '-1 year -2 months', '3 mons', '1 year 2 months 3 days 04:05:06.789', '100 hours', '00:00:00']) {
  intervalCases.push(same(`interval '${lit}'`, `select '${lit}'::interval`));
}

describe('date/time types against PostgreSQL (text and binary)', () => {
  const groups: [string, TypeCase[]][] = [
    ['date', dateCases],
    ['time', timeCases],
    ['timetz', timetzCases],
    ['timestamp', timestampCases],
    ['timestamptz in session time zones', timestamptzCases],
    ['interval in all IntervalStyles', intervalCases],
  ];
  for (const [group, cases] of groups) {
    describe(group, () => {
      for (const c of cases) it(c.name, () => pair.compare(c));
    });
  }

  describe('SHOW TimeZone after each way of setting it', () => {
    for (const zone of zones) {
      it(zone, async () => {
        await pair.settings({ timezone: zone });
        await pair.compareText('SHOW TimeZone');
      });
    }
  });
});

describe('TimeZone.resolve', () => {
  it('reads a number as hours east and a colon form as a POSIX offset (west positive)', () => {
    expect(TimeZone.resolve('-8')!.offsetAt(0n)).toBe(-8 * 3600);
    expect(TimeZone.resolve('5.5')!.offsetAt(0n)).toBe(5.5 * 3600);
    expect(TimeZone.resolve('+05:30')!.offsetAt(0n)).toBe(-5.5 * 3600);
    expect(TimeZone.resolve('<+05:30>-05:30')!.offsetAt(0n)).toBe(5.5 * 3600);
    expect(TimeZone.resolve('UTC+3')!.offsetAt(0n)).toBe(-3 * 3600);
    expect(TimeZone.resolve('Not/AZone')).toBeUndefined();
  });
  it('names fixed offsets like pg_tzset_offset', () => {
    expect(fixedOffsetZoneName(-8 * 3600)).toBe('<-08>+08');
    expect(fixedOffsetZoneName(19800)).toBe('<+05:30>-05:30');
    expect(fixedOffsetZoneName(19836)).toBe('<+05:30:36>-05:30:36');
    expect(fixedOffsetZoneName(0)).toBe('<+00>-00');
  });
});
