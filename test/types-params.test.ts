/**
 * Bind parameters in text and binary format, typed by OID, against the reference PostgreSQL 16:
 * `select $1::<type>` (and `select $1` typed only by the declared OID) must return the same
 * bytes on both servers. Binary parameters are the reference's own send format of the value.
 * Text parameters include PostgreSQL input forms DuckDB does not read natively.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, referencePort, type TestServer } from './helpers/server.js';
import { Pair, summarize, type Settings, type TypeCase } from './helpers/types-compare.js';

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

interface ParamType {
  pg: string;
  duck: string;
  oid: number;
  /** Text inputs; all are valid PostgreSQL input for the type. */
  values: string[];
  /** Also run `select $1` typed only by the OID (not for numeric: see types-scalars). */
  bare?: boolean;
  settings?: Settings;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

const types: ParamType[] = [
  { pg: 'bool', duck: 'BOOLEAN', oid: 16, values: ['t', 'f', 'on', 'off', 'yes', 'no', 'y', '1', '0', 'TRUE', ' true ', 'of'], bare: true },
  { pg: 'int2', duck: 'SMALLINT', oid: 21, values: ['-32768', '32767', '0', ' 12 '], bare: true },
  { pg: 'int4', duck: 'INTEGER', oid: 23, values: ['-2147483648', '2147483647', '42'], bare: true },
  { pg: 'int8', duck: 'BIGINT', oid: 20, values: ['-9223372036854775808', '9223372036854775807', '9007199254740993'], bare: true },
  { pg: 'float4', duck: 'FLOAT', oid: 700, values: ['1.5', 'NaN', '-Infinity', 'Infinity', '0.1', '1e-45', '-0', '3.4028235e38', 'inf', ' -INF ', 'nan', '+infinity', '.5', '5.', '1E3'], bare: true },
  { pg: 'float8', duck: 'DOUBLE', oid: 701, values: ['0.1', 'NaN', 'Infinity', '-0', '1e308', '5e-324', '1e-5', '0.3333333333333333', '-inf', ' NaN ', '4.9e-324', '-0.0', '0e5', '123456789012345678901234567890'], bare: true },
  { pg: 'numeric(30,6)', duck: 'DECIMAL(30,6)', oid: 1700, values: ['123.456789', '-0.000001', '0', '123456789012345678901234', '-99.5'] },
  { pg: 'numeric(38,0)', duck: 'DECIMAL(38,0)', oid: 1700, values: ['99999999999999999999999999999999999999', '-1', '0'] },
  { pg: 'numeric(10,4)', duck: 'DECIMAL(10,4)', oid: 1700, values: ['0.0001', '-123456.789', '10000'] },
  { pg: 'text', duck: 'VARCHAR', oid: 25, values: ['hello', '', 'ü 😀 日本', 'a\'b"c\\', 'NULL'], bare: true },
  { pg: 'text', duck: 'VARCHAR', oid: 1043, values: ['declared as varchar'] },
  { pg: 'bytea', duck: 'BLOB', oid: 17, values: ['\\x00ff10', '\\xDEADBEEF', '\\x', '', 'abc\\\\def\\001\\377', 'plain text', '\\x 0a 0b', '\\x0A0b\n0c'], bare: true },
  {
    pg: 'date',
    duck: 'DATE',
    oid: 1082,
    values: ['2024-02-29', '0044-03-15 BC', '4713-11-24 BC', '2024-01-01 BC', 'infinity', '-infinity', '10000-01-01', 'epoch', '1999-12-31'],
    bare: true,
  },
  { pg: 'time', duck: 'TIME', oid: 1083, values: ['12:34:56.789', '24:00:00', '00:00:00', '23:59:59.999999', '1:2:3', '12:00'], bare: true },
  { pg: 'timetz', duck: 'TIMETZ', oid: 1266, values: ['12:34:56+05:30', '12:34:56.5-08', '00:00:00+00', '10:00:00+01:02:03', '23:00:00-14'], bare: true },
  {
    pg: 'timestamp',
    duck: 'TIMESTAMP',
    oid: 1114,
    values: ['2024-01-01 12:00:00', '2024-01-01 12:00:00.123456', '0044-03-15 12:00:00 BC', '0001-01-01 00:00:00 BC', 'infinity', '-infinity', '2024-01-01T12:00:00', 'epoch', '2024-01-01', '2024-01-01 12:00:00+05'],
    bare: true,
  },
  {
    pg: 'timestamptz',
    duck: 'TIMESTAMPTZ',
    oid: 1184,
    values: ['2024-01-01 12:00:00+00', '2024-07-01 12:00:00.5-04', '0044-03-15 12:00:00+00 BC', 'infinity', '-infinity', '2024-01-01 12:00:00+05:30', '2024-01-01 12:00:00', '2024-07-01'],
    bare: true,
  },
  {
    pg: 'interval',
    duck: 'INTERVAL',
    oid: 1186,
    values: [
      '1 year 2 mons -3 days +04:05:06.5',
      '@ 1 day ago',
      '@ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs ago',
      'P1Y2M3DT4H5M6S',
      'P1Y2M',
      'PT0.5S',
      '-1 days +02:03:04',
      '1 day',
      '00:00:01',
      '1-2',
      '3 4:05:06',
      '1.5 years',
      '1 week',
      '-00:00:00.5',
      '10 days ago',
      '2562047788:00:54.775807',
      '1 mon -1 day',
      '1.7 years',
      '1.5 months',
      '-1.5 months',
      '0.5 weeks',
      '1.25 days',
      '-1.5 days',
      '1.5 decades',
      '1 millennium 1 century',
      '05:06.5',
      '1 day 05:06.5',
      '2.5',
      '1 day -1.5 hours',
      '1.5 min',
      '0.0000005 seconds',
      '0.0000015 seconds',
      '-0.0000025 seconds',
      'P1.5Y',
      'P0.5M',
      'P1DT1.5H',
      'P-1Y-2M',
      'PT-1.5S',
      'P1W',
      'P0.5W',
      '1 year 2 months ago',
      '2 hours 30 minutes ago',
      '1 day, 2 hours',
      '1y 2mon 3d 4h 5m 6s',
      '+1 day -2 hours',
      '-1 2:03:04',
      '1 mon 2 days 03:04:05.678901 ago',
      '-2562047788:00:54.775807',
      '1.0000025 seconds',
    ],
    bare: true,
  },
  {
    pg: 'uuid',
    duck: 'UUID',
    oid: 2950,
    values: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'a0eebc999c0b4ef8bb6d6bb9bd380a11'],
    bare: true,
  },
  { pg: 'json', duck: 'JSON', oid: 114, values: ['{"a": 1, "b": [true, null]}', '[1, 2]', '"x"', 'null'], bare: true },
  { pg: 'int4[]', duck: 'INTEGER[]', oid: 1007, values: ['{1,2,3}', '{1,NULL,3}', '{}', ' { 1 , 2 } ', '{NULL}'], bare: true },
  { pg: 'int8[]', duck: 'BIGINT[]', oid: 1016, values: ['{9223372036854775807,-1}'], bare: true },
  { pg: 'text[]', duck: 'VARCHAR[]', oid: 1009, values: ['{"a b",NULL}', '{a,b}', '{"\\"","\\\\","NULL",""}', '{"{}",","}', '{}', '{ü,"x y"}'], bare: true },
  { pg: 'float8[]', duck: 'DOUBLE[]', oid: 1022, values: ['{0.1,NaN,-Infinity}'], bare: true },
  { pg: 'bool[]', duck: 'BOOLEAN[]', oid: 1000, values: ['{t,f,NULL}'], bare: true },
  { pg: 'date[]', duck: 'DATE[]', oid: 1182, values: ['{2024-01-01,infinity}'], bare: true },
  { pg: 'timestamp[]', duck: 'TIMESTAMP[]', oid: 1115, values: ['{"2024-01-01 12:00:00","0044-03-15 12:00:00 BC"}'], bare: true },
  { pg: 'uuid[]', duck: 'UUID[]', oid: 2951, values: ['{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}'], bare: true },
  { pg: 'numeric(10,2)[]', duck: 'DECIMAL(10,2)[]', oid: 1231, values: ['{1.5,-0.01,NULL}'] },
  // Text input that depends on the session TimeZone: a timestamptz without an offset.
  ...["SET TimeZone = 'America/New_York'", "SET TIME ZONE '+05:30'", 'SET TIME ZONE 5.5', 'SET TIME ZONE -8', "SET TimeZone = 'Asia/Kolkata'"].map(
    (zone): ParamType => ({
      pg: 'timestamptz',
      duck: 'TIMESTAMPTZ',
      oid: 1184,
      values: ['2024-07-01 12:00:00', '2024-01-01 12:00:00.25', '2024-01-01 12:00:00+00', '2024-03-01', '1850-01-01 12:00:00'],
      bare: true,
      settings: { timezone: zone },
    }),
  ),
  { pg: 'timetz', duck: 'TIMETZ', oid: 1266, values: ['12:00:00', '12:00:00+01'], bare: true, settings: { timezone: 'SET TIME ZONE 5.5' } },
  { pg: 'interval', duck: 'INTERVAL', oid: 1186, values: ['1 year 2 mons -3 days +04:05:06.5'], bare: true, settings: { intervalstyle: 'SET IntervalStyle = iso_8601' } },
  // With IntervalStyle sql_standard, PostgreSQL applies a leading minus to all fields unless another field is signed.
  {
    pg: 'interval',
    duck: 'INTERVAL',
    oid: 1186,
    values: ['-1 2:03:04', '-1-2 3', '-1 +2:03:04', '1 -2:03:04', '-1 day 2 hours', '-1-2', '-00:00:01.5', 'P1D'],
    bare: true,
    settings: { intervalstyle: 'SET IntervalStyle = sql_standard' },
  },
];

const cases: TypeCase[] = [];
for (const t of types) {
  const where = t.settings ? ` (${Object.values(t.settings).join(', ')})` : '';
  for (const v of t.values) {
    const base = { paramTypes: [t.oid], ...(t.settings ? { settings: t.settings } : {}) };
    cases.push({ name: `${t.pg} text param ${JSON.stringify(v)}${where}`, lg: `select $1::${t.duck}`, pg: `select $1::${t.pg}`, params: [v], ...base });
    cases.push({ name: `${t.pg} binary param ${JSON.stringify(v)}${where}`, lg: `select $1::${t.duck}`, pg: `select $1::${t.pg}`, binaryParamFrom: `select ${sqlString(v)}::${t.pg}`, ...base });
    if (t.bare) {
      cases.push({ name: `${t.pg} text param ${JSON.stringify(v)} without a cast${where}`, lg: 'select $1', pg: 'select $1', params: [v], ...base });
      cases.push({ name: `${t.pg} binary param ${JSON.stringify(v)} without a cast${where}`, lg: 'select $1', pg: 'select $1', binaryParamFrom: `select ${sqlString(v)}::${t.pg}`, ...base });
    }
  }
  cases.push({ name: `${t.pg} NULL param${where}`, lg: `select $1::${t.duck}`, pg: `select $1::${t.pg}`, params: [null], paramTypes: [t.oid], ...(t.settings ? { settings: t.settings } : {}) });
}

// jsonb parameters (DuckDB has no jsonb; lakegres reads them as JSON). The binary form has a version byte.
for (const v of ['{"a": 1}', '[1, "x", null]']) {
  cases.push({ name: `jsonb text param ${v}`, lg: 'select $1::JSON', pg: 'select $1::jsonb::json', params: [v], paramTypes: [3802] });
  cases.push({ name: `jsonb binary param ${v}`, lg: 'select $1::JSON', pg: 'select $1::jsonb::json', binaryParamFrom: `select ${sqlString(v)}::jsonb`, paramTypes: [3802] });
}

// 2-dimensional arrays: DuckDB needs a nested list type in the query (INTEGER[][]).
for (const [pgT, duckT, oid, v] of [
  ['int4[]', 'INTEGER[][]', 1007, '{{1,2},{3,4}}'],
  ['int4[]', 'INTEGER[][]', 1007, '{{1,NULL},{NULL,4}}'],
  ['int4[]', 'INTEGER[][]', 1007, '{{1,2,3}}'],
  ['text[]', 'VARCHAR[][]', 1009, '{{a,"b c"},{"\\"",NULL}}'],
  ['float8[]', 'DOUBLE[][]', 1022, '{{1.5},{NaN}}'],
] as const) {
  cases.push({ name: `2-D ${pgT} text param ${v}`, lg: `select $1::${duckT}`, pg: `select $1::${pgT}`, params: [v], paramTypes: [oid] });
  cases.push({ name: `2-D ${pgT} binary param ${v}`, lg: `select $1::${duckT}`, pg: `select $1::${pgT}`, binaryParamFrom: `select ${sqlString(v)}::${pgT}`, paramTypes: [oid] });
}

// Several parameters of mixed formats in one Bind.
cases.push({
  name: 'mixed text and binary parameters in one Bind',
  lg: 'select $1::INTEGER, $2::VARCHAR, $3::DATE, $4::INTERVAL',
  pg: 'select $1::int4, $2::text, $3::date, $4::interval',
  params: [Buffer.from([0, 0, 0, 7]), 'x', Buffer.from([0, 0, 0x22, 0x1f]), '@ 2 days ago'],
  paramTypes: [23, 25, 1082, 1186],
});

describe('Bind parameters against PostgreSQL (text and binary results)', () => {
  for (const c of cases) it(c.name, () => pair.compare(c));
  it('covers the required cases', () => {
    expect(cases.length).toBeGreaterThan(400);
  });
});

/** Text parameters PostgreSQL rejects: lakegres's own input parsers reject them alike. */
const invalid: [string, string, number, string][] = [
  ['bool', 'BOOLEAN', 16, 'maybe'],
  ['bool', 'BOOLEAN', 16, ''],
  ['float8', 'DOUBLE', 701, 'abc'],
  ['float8', 'DOUBLE', 701, '1e400'],
  ['float8', 'DOUBLE', 701, '-1e400'],
  ['float8', 'DOUBLE', 701, '1e-400'],
  ['float8', 'DOUBLE', 701, '2e-324'],
  ['float4', 'FLOAT', 700, '1e39'],
  ['float4', 'FLOAT', 700, '1e-50'],
  ['float4', 'FLOAT', 700, '7e-46'],
  ['float4', 'FLOAT', 700, '1.5x'],
  ['bytea', 'BLOB', 17, '\\xZZ'],
  ['bytea', 'BLOB', 17, '\\x0'],
  ['bytea', 'BLOB', 17, '\\x0 a'],
  ['bytea', 'BLOB', 17, 'a\\9'],
  ['interval', 'INTERVAL', 1186, 'xyz'],
  ['interval', 'INTERVAL', 1186, '1 fortnight'],
  ['interval', 'INTERVAL', 1186, '-P1Y'],
  ['interval', 'INTERVAL', 1186, '1e3 seconds'],
  ['int4[]', 'INTEGER[]', 1007, '{1,2'],
  ['int4[]', 'INTEGER[]', 1007, '1,2'],
];
describe('invalid text parameters are rejected like PostgreSQL does', () => {
  for (const [pgT, duckT, oid, v] of invalid) {
    it(`${pgT} ${JSON.stringify(v)}`, () =>
      pair.compareError({ name: `${pgT} ${JSON.stringify(v)}`, lg: `select $1::${duckT}`, pg: `select $1::${pgT}`, params: [v], paramTypes: [oid] }, true),
    );
  }
});

describe('array parameters whose dimensions do not fit the DuckDB list type', () => {
  it('a 2-D array for a 1-D list parameter is refused with a hint (text format)', async () => {
    const r = await pair.run('lg', 'select $1::INTEGER[]', { params: ['{{1,2},{3,4}}'], paramTypes: [1007] });
    expect(r.error?.C).toBe('42804');
    expect(r.error?.M).toBe('array parameter has 2 dimensions, but the statement expects 1 (INTEGER[])');
    expect(r.error?.H).toContain('INTEGER[][]');
  });

  it('a 2-D array for a 1-D list parameter is refused (binary format), not flattened', async () => {
    const src = await pair.run('pg', "select '{{a,b},{c,d}}'::text[]", { format: 1 });
    const r = await pair.run('lg', 'select $1::VARCHAR[]', { params: [src.rows[0]![0]!], paramTypes: [1009] });
    expect(r.error?.C).toBe('42804');
    const after = summarize(await pair.run('lg', 'select 1::int4'));
    expect(after.rows).toEqual([['1']]);
  });

  it('array lower bounds are not kept: [0:2]={1,2,3} arrives as {1,2,3}', async () => {
    // DuckDB lists have no lower bound; PostgreSQL would echo [0:2]={1,2,3}.
    const r = summarize(await pair.run('lg', 'select $1::INTEGER[]', { params: ['[0:2]={1,2,3}'], paramTypes: [1007] }));
    expect(r.rows).toEqual([['{1,2,3}']]);
  });
});
