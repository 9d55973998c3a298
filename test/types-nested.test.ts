/**
 * Arrays (DuckDB lists and fixed-size arrays) against the reference PostgreSQL 16, and the
 * DuckDB-only types, which are sent as the PostgreSQL type documented in mapping.ts: the
 * reference encodes the same value in that type and the bytes must match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, referencePort, type TestServer } from './helpers/server.js';
import { Pair, same, summarize, type TypeCase } from './helpers/types-compare.js';

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

const arrayCases: TypeCase[] = [
  same('int4[]', 'select ARRAY[1,2,3]::int4[]'),
  same('int4[] with NULL', 'select ARRAY[1,NULL,3]::int4[]'),
  { name: 'int4[] empty', lg: 'select []::int4[]', pg: "select '{}'::int4[]" },
  { name: 'int4[] only NULL', lg: 'select [NULL::int4]', pg: 'select ARRAY[NULL::int4]' },
  same('int4[] NULL array', 'select NULL::int4[]'),
  { name: 'int2[]', lg: 'select [1,-32768]::int2[]', pg: "select '{1,-32768}'::int2[]" },
  { name: 'int8[]', lg: 'select [1,-9223372036854775808]::int8[]', pg: "select '{1,-9223372036854775808}'::int8[]" },
  { name: 'bool[]', lg: 'select [true,false,NULL]', pg: 'select ARRAY[true,false,NULL]' },
  {
    name: 'text[] needing quotes',
    lg: `select ['a b', '"', '\\', 'NULL', '', '{}', 'a,b', NULL, 'null', 'x', ' lead', 'tab' || chr(9), 'ü', 'a{b', 'c}d', 'Null ']::text[]`,
    pg: `select ARRAY['a b', '"', '\\', 'NULL', '', '{}', 'a,b', NULL, 'null', 'x', ' lead', 'tab' || chr(9), 'ü', 'a{b', 'c}d', 'Null ']::text[]`,
  },
  { name: 'varchar[] is text[]', lg: "select ['a']::varchar[]", pg: "select ARRAY['a']::text[]" },
  { name: 'float8[]', lg: "select [1.5::float8, 'NaN'::float8, '-Infinity'::float8, 1e20::float8, -0.0::float8]", pg: "select ARRAY[1.5::float8, 'NaN'::float8, '-Infinity'::float8, 1e20::float8, '-0'::float8]" },
  { name: 'float4[]', lg: 'select [1.5::float4, 0.1::float4]', pg: 'select ARRAY[1.5::float4, 0.1::float4]' },
  // A numeric(5,2)[] carries the element typmod, like a PostgreSQL column of that type.
  { name: 'numeric(5,2)[]', lg: 'select [1.50::DECIMAL(5,2), -0.01::DECIMAL(5,2), NULL]', pg: "select '{1.50,-0.01,NULL}'::numeric(5,2)[]" },
  { name: 'numeric(30,1)[]', lg: 'select [123456789012345678901.5::DECIMAL(30,1)]', pg: "select '{123456789012345678901.5}'::numeric(30,1)[]" },
  { name: 'numeric(38,0)[]', lg: 'select [(-99999999999999999999999999999999999999)::DECIMAL(38,0), 0::DECIMAL(38,0)]', pg: "select '{-99999999999999999999999999999999999999,0}'::numeric(38,0)[]" },
  { name: 'hugeint[]', lg: 'select [170141183460469231731687303715884105727::HUGEINT]', pg: "select '{170141183460469231731687303715884105727}'::numeric[]" },
  { name: 'date[]', lg: `select ['2024-01-01'::date, 'infinity'::date, '0044-03-15 (BC)'::date]`, pg: "select ARRAY['2024-01-01'::date, 'infinity'::date, '0044-03-15 BC'::date]" },
  { name: 'time[]', lg: "select ['12:00:00'::time, '24:00:00'::time, '00:00:00.000001'::time]", pg: "select ARRAY['12:00:00'::time, '24:00:00'::time, '00:00:00.000001'::time]" },
  { name: 'timetz[]', lg: "select ['12:00:00+05:30'::timetz, '01:00:00-08'::timetz]", pg: "select ARRAY['12:00:00+05:30'::timetz, '01:00:00-08'::timetz]" },
  { name: 'timestamp[]', lg: "select ['2024-01-01 12:00:00.5'::timestamp, 'infinity'::timestamp]", pg: "select ARRAY['2024-01-01 12:00:00.5'::timestamp, 'infinity'::timestamp]" },
  { name: 'timestamptz[] UTC', lg: "select ['2024-01-01 12:00:00.5+00'::timestamptz, '2024-07-01 00:00:00+00'::timestamptz]", pg: "select ARRAY['2024-01-01 12:00:00.5+00'::timestamptz, '2024-07-01 00:00:00+00'::timestamptz]" },
  {
    name: 'timestamptz[] America/New_York',
    lg: "select ['2024-01-01 12:00:00.5+00'::timestamptz, '2024-07-01 00:00:00+00'::timestamptz]",
    pg: "select ARRAY['2024-01-01 12:00:00.5+00'::timestamptz, '2024-07-01 00:00:00+00'::timestamptz]",
    settings: { timezone: "SET TimeZone = 'America/New_York'" },
  },
  { name: 'uuid[]', lg: "select ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL]", pg: "select ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL]" },
  { name: 'json[]', lg: `select ['{"a": 1}'::json, 'null'::json, NULL]`, pg: `select ARRAY['{"a": 1}'::json, 'null'::json, NULL]` },
  { name: 'bytea[] hex', lg: "select [from_hex('dead'), from_hex('')]", pg: "select ARRAY['\\xdead'::bytea, ''::bytea]" },
  {
    name: 'bytea[] escape',
    lg: "select [from_hex('dead5c'), from_hex('6162')]",
    pg: "select ARRAY['\\xdead5c'::bytea, 'ab'::bytea]",
    settings: { bytea_output: 'SET bytea_output = escape' },
  },
  { name: 'float8[] extra_float_digits=0', lg: 'select [0.1::float8, 1/3::float8]', pg: 'select ARRAY[0.1::float8, 1/3::float8]', settings: { extra_float_digits: 'SET extra_float_digits = 0' } },
  // 2-dimensional arrays are nested lists.
  { name: 'int4[][]', lg: 'select [[1,2],[3,4]]::int4[][]', pg: "select '{{1,2},{3,4}}'::int4[]" },
  { name: 'int4[][] with NULL', lg: 'select [[1,NULL],[3,4]]::int4[][]', pg: "select '{{1,NULL},{3,4}}'::int4[]" },
  { name: 'int4[][] 1x3', lg: 'select [[1,2,3]]', pg: "select '{{1,2,3}}'::int4[]" },
  { name: 'text[][]', lg: `select [['a','b c'],['"','']]::text[][]`, pg: `select '{{a,"b c"},{"\\"",""}}'::text[]` },
  { name: 'int4[][][]', lg: 'select [[[1],[2]],[[3],[4]]]::int4[][][]', pg: "select '{{{1},{2}},{{3},{4}}}'::int4[]" },
  // A nested list with no element at all is PostgreSQL's empty array in both formats.
  { name: 'int4[][] without elements', lg: 'select [[]::int4[]]', pg: "select '{}'::int4[]" },
  { name: 'int4[][] two empty lists', lg: 'select [[]::int4[], []::int4[]]', pg: "select '{}'::int4[]" },
  { name: 'numeric(4,1)[][]', lg: 'select [[1.5::DECIMAL(4,1)], [NULL]]', pg: "select '{{1.5},{NULL}}'::numeric(4,1)[]" },
  // Fixed-size DuckDB arrays are arrays as well.
  { name: 'INTEGER[3]', lg: 'select [1,2,3]::INTEGER[3]', pg: "select '{1,2,3}'::int4[]" },
  { name: 'INTEGER[2][2]', lg: 'select [[1,2],[3,4]]::INTEGER[2][2]', pg: "select '{{1,2},{3,4}}'::int4[]" },
];
for (const style of ['postgres', 'iso_8601', 'postgres_verbose', 'sql_standard']) {
  arrayCases.push({
    name: `interval[] ${style}`,
    lg: 'select [to_months(14) + to_days(-3) + to_microseconds(14706500000), to_microseconds(-1)]',
    pg: "select ARRAY['1 year 2 mons -3 days +04:05:06.5'::interval, make_interval(secs => -0.000001)]",
    settings: { intervalstyle: `SET IntervalStyle = ${style}` },
  });
}
// Many rows of lists with NULL lists and NULL elements, over several chunks.
arrayCases.push({
  name: 'many rows of int4[][]',
  lg: 'select case when i % 5 = 0 then NULL else [[i::int4, NULL], [-i::int4, i::int4 * 2]] end from range(0, 5000) t(i) order by i',
  pg: "select case when i % 5 = 0 then NULL else ARRAY[ARRAY[i::int4, NULL], ARRAY[-i::int4, i::int4 * 2]] end from generate_series(0, 4999) t(i) order by i",
});
arrayCases.push({
  name: 'many rows of text[]',
  lg: "select case when i % 5 = 0 then NULL else [i::varchar, repeat('y', (i % 17)::int), NULL] end from range(0, 5000) t(i) order by i",
  pg: "select case when i % 5 = 0 then NULL else ARRAY[i::text, repeat('y', (i % 17)::int), NULL] end from generate_series(0, 4999) t(i) order by i",
});

/**
 * DuckDB-only types: lakegres sends them as the PostgreSQL type in the comment; the reference
 * encodes the same value in that type.
 */
const duckOnlyCases: TypeCase[] = [
  // TINYINT and UTINYINT → int2, USMALLINT → int4, UINTEGER → int8
  { name: 'TINYINT → int2', lg: 'select (-128)::TINYINT, 127::TINYINT', pg: 'select (-128)::int2, 127::int2' },
  { name: 'UTINYINT → int2', lg: 'select 255::UTINYINT, 0::UTINYINT', pg: 'select 255::int2, 0::int2' },
  { name: 'USMALLINT → int4', lg: 'select 65535::USMALLINT', pg: 'select 65535::int4' },
  { name: 'UINTEGER → int8', lg: 'select 4294967295::UINTEGER', pg: 'select 4294967295::int8' },
  { name: 'TINYINT[] → int2[]', lg: 'select [(-1)::TINYINT, 100::TINYINT]', pg: 'select ARRAY[-1::int2, 100::int2]' },
  { name: 'UTINYINT[] → int2[]', lg: 'select [200::UTINYINT]', pg: 'select ARRAY[200::int2]' },
  { name: 'USMALLINT[] → int4[]', lg: 'select [65535::USMALLINT]', pg: 'select ARRAY[65535::int4]' },
  { name: 'UINTEGER[] → int8[]', lg: 'select [4294967295::UINTEGER]', pg: 'select ARRAY[4294967295::int8]' },
  // VARINT / BIGNUM → numeric
  { name: 'VARINT → numeric', lg: 'select 123456789012345678901234567890::VARINT', pg: 'select 123456789012345678901234567890::numeric' },
  { name: 'VARINT 0 → numeric', lg: 'select 0::VARINT', pg: 'select 0::numeric' },
  { name: 'VARINT 10^40 → numeric', lg: "select '10000000000000000000000000000000000000000'::VARINT", pg: 'select 10000000000000000000000000000000000000000::numeric' },
  { name: 'BIGNUM negative → numeric', lg: "select '-123456789012345678901234567890123456789012345'::BIGNUM", pg: 'select (-123456789012345678901234567890123456789012345)::numeric' },
  // ENUM → text
  { name: 'ENUM → text', lg: "select 'b'::ENUM('a','b')", pg: "select 'b'::text" },
  { name: 'ENUM[] → text[]', lg: "select ['x'::ENUM('x','y z'), 'y z'::ENUM('x','y z')]", pg: "select ARRAY['x', 'y z']::text[]" },
  // BIT → varbit
  ...['10110', '101101011', '1', '0000000011111111', '11111111000'].map((b): TypeCase => ({ name: `BIT ${b} → varbit`, lg: `select '${b}'::BIT`, pg: `select B'${b}'::varbit` })),
  // BLOB is bytea
  { name: 'BLOB → bytea', lg: "select '\\xAA\\xBB'::BLOB", pg: "select '\\xaabb'::bytea" },
  // TIMESTAMP_S / _MS → timestamp(0) / timestamp(3)
  { name: 'TIMESTAMP_S → timestamp(0)', lg: "select '2024-01-01 12:00:00'::TIMESTAMP_S", pg: "select '2024-01-01 12:00:00'::timestamp(0)" },
  { name: 'TIMESTAMP_S infinity', lg: "select 'infinity'::TIMESTAMP_S", pg: "select 'infinity'::timestamp(0)" },
  { name: 'TIMESTAMP_S BC', lg: "select '0044-03-15 (BC) 12:00:00'::TIMESTAMP_S", pg: "select '0044-03-15 12:00:00 BC'::timestamp(0)" },
  { name: 'TIMESTAMP_MS → timestamp(3)', lg: "select '2024-01-01 12:00:00.123'::TIMESTAMP_MS", pg: "select '2024-01-01 12:00:00.123'::timestamp(3)" },
  { name: 'TIMESTAMP_MS -infinity', lg: "select '-infinity'::TIMESTAMP_MS", pg: "select '-infinity'::timestamp(3)" },
  { name: 'TIMESTAMP_MS before 1970', lg: "select '1969-12-31 23:59:59.999'::TIMESTAMP_MS", pg: "select '1969-12-31 23:59:59.999'::timestamp(3)" },
  { name: 'TIMESTAMP_S[] → timestamp(0)[]', lg: "select ['2024-01-01 12:00:00'::TIMESTAMP_S]", pg: "select '{\"2024-01-01 12:00:00\"}'::timestamp(0)[]" },
  // TIMESTAMP_NS / TIME_NS: PostgreSQL has microseconds; nanoseconds are truncated toward
  // -infinity (never rounded up into the next second, day or year).
  { name: 'TIMESTAMP_NS truncated to microseconds', lg: "select '2024-01-01 12:00:00.123456789'::TIMESTAMP_NS", pg: "select '2024-01-01 12:00:00.123456'::timestamp" },
  { name: 'TIMESTAMP_NS before 1970 truncated downward', lg: "select '1969-12-31 23:59:59.999999999'::TIMESTAMP_NS", pg: "select '1969-12-31 23:59:59.999999'::timestamp" },
  { name: 'TIMESTAMP_NS .9999999 stays in its year', lg: "select '2024-12-31 23:59:59.999999999'::TIMESTAMP_NS", pg: "select '2024-12-31 23:59:59.999999'::timestamp" },
  { name: 'TIMESTAMP_NS infinity', lg: "select 'infinity'::TIMESTAMP_NS", pg: "select 'infinity'::timestamp" },
  { name: 'TIMESTAMP_NS[]', lg: "select ['2024-01-01 12:00:00.000000999'::TIMESTAMP_NS]", pg: "select ARRAY['2024-01-01 12:00:00'::timestamp]" },
  { name: 'TIME_NS truncated to microseconds', lg: "select '12:34:56.123456789'::TIME_NS", pg: "select '12:34:56.123456'::time" },
  // STRUCT / MAP / UNION → json. STRUCT matches PostgreSQL's to_json of a record with the same
  // fields (timestamps in ISO 8601 with 'T', floats with extra_float_digits, bytea as text).
  {
    name: 'STRUCT → json',
    lg: "select {'a': 1, 'b': 'x\"y', 'c': [1,2], 'd': NULL::int4, 'e': {'f': 1.5}, 'g': true, 'h': 1.50::DECIMAL(5,2)}",
    pg: "select to_json(x) from (select 1 as a, 'x\"y' as b, ARRAY[1,2] as c, NULL::int4 as d, (select y from (select 1.5 as f) y) as e, true as g, 1.50::numeric(5,2) as h) x",
  },
  {
    name: 'STRUCT of date/time values → json',
    lg: "select {'d': '2024-01-01'::date, 'ts': '2024-01-01 12:00:00.5+00'::timestamptz, 't': '2024-01-01 12:00:00'::timestamp, 'tm': '12:00:00.25'::time, 'tz': '12:00:00+05:30'::timetz, 'i': INTERVAL 1 day, 'tinf': 'infinity'::timestamp, 'bc': '0044-03-15 (BC) 12:00:00'::timestamp, 'y10k': '10000-01-01 00:00:00'::timestamp}",
    pg: "select to_json(x) from (select '2024-01-01'::date as d, '2024-01-01 12:00:00.5+00'::timestamptz as ts, '2024-01-01 12:00:00'::timestamp as t, '12:00:00.25'::time as tm, '12:00:00+05:30'::timetz as tz, '1 day'::interval as i, 'infinity'::timestamp as tinf, '0044-03-15 12:00:00 BC'::timestamp as bc, '10000-01-01 00:00:00'::timestamp as y10k) x",
  },
  ...["'America/New_York'", "'Europe/Paris'", "'Asia/Kolkata'"].map(
    (zone): TypeCase => ({
      name: `STRUCT with timestamptz in ${zone} → json`,
      lg: "select {'ts': '2024-01-01 12:00:00+00'::timestamptz, 'lmt': '1850-06-01 12:00:00+00'::timestamptz}",
      pg: "select to_json(x) from (select '2024-01-01 12:00:00+00'::timestamptz as ts, '1850-06-01 12:00:00+00'::timestamptz as lmt) x",
      settings: { timezone: `SET TimeZone = ${zone}` },
    }),
  ),
  {
    name: 'STRUCT of floats, bytea, uuid → json',
    lg: "select {'n': 'NaN'::double, 'inf': '-Infinity'::float, 'third': 1/3::double, 'b': from_hex('aa41'), 'u': 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'big': 1e20::double}",
    pg: "select to_json(x) from (select 'NaN'::float8 as n, '-Infinity'::float4 as inf, 1/3::float8 as third, '\\xaa41'::bytea as b, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, 1e20::float8 as big) x",
  },
  {
    name: 'STRUCT → json with extra_float_digits=0, bytea_output=escape, IntervalStyle=iso_8601',
    lg: "select {'third': 1/3::double, 'f': (1/3)::float, 'b': from_hex('aa41'), 'i': to_days(1) + to_microseconds(1500000)}",
    pg: "select to_json(x) from (select 1/3::float8 as third, (1/3::float8)::float4 as f, '\\xaa41'::bytea as b, '1 day 1.5 seconds'::interval as i) x",
    settings: { extra_float_digits: 'SET extra_float_digits = 0', bytea_output: 'SET bytea_output = escape', intervalstyle: 'SET IntervalStyle = iso_8601' },
  },
  { name: 'STRUCT[] → json[]', lg: "select [{'a': 1}, NULL]", pg: `select ARRAY['{"a":1}'::json, NULL]` },
  { name: 'MAP → json', lg: "select MAP {'k': 1, 'l': 2}", pg: `select '{"k":1,"l":2}'::json` },
  { name: 'MAP with list values → json', lg: 'select MAP {1: [1,2], 2: NULL}', pg: `select '{"1":[1,2],"2":null}'::json` },
  { name: 'UNION → json of the member', lg: 'select union_value(num := 2)::UNION(num INTEGER, str VARCHAR)', pg: "select '2'::json" },
  { name: 'UNION string member → json', lg: "select union_value(str := 'a')::UNION(num INTEGER, str VARCHAR)", pg: `select '"a"'::json` },
];

describe('arrays against PostgreSQL (text and binary)', () => {
  for (const c of arrayCases) it(c.name, () => pair.compare(c));
});

describe('DuckDB-only types as their documented PostgreSQL types (text and binary)', () => {
  for (const c of duckOnlyCases) it(c.name, () => pair.compare(c));
});

describe('nested lists that are not rectangular (no PostgreSQL equivalent)', () => {
  it('are written naturally in text format', async () => {
    const r = summarize(await pair.run('lg', 'select [[1,2],[3]]', { format: 0 }));
    expect(r.columns).toEqual([{ oid: 1007, len: -1, typmod: -1, format: 0 }]);
    expect(r.rows).toEqual([['{{1,2},{3}}']]);
  });

  it('fail with a clear error in binary format, and the connection stays usable', async () => {
    const r = summarize(await pair.run('lg', 'select [[1,2],[3]]', { format: 1 }));
    expect(r.error).toMatch(/^0A000: nested lists of different lengths cannot be sent as a PostgreSQL array in binary format/);
    const after = summarize(await pair.run('lg', 'select 1::int4', { format: 1 }));
    expect(after.rows).toEqual([['00000001']]);
  });

  it('a NULL sub-list is refused in binary format too', async () => {
    const r = summarize(await pair.run('lg', 'select [[1,2], NULL]', { format: 1 }));
    expect(r.error).toMatch(/^0A000:/);
  });

  it('a ragged row after thousands of good rows ends the result with the error, not with garbage', async () => {
    const r = await pair.run('lg', 'select case when i = 4500 then [[1],[2,3]] else [[i, i]] end from range(0, 5000) t(i) order by i', { format: 1 });
    expect(r.error?.C).toBe('0A000');
    // Whole chunks before the bad one arrive intact; nothing of the bad chunk is sent.
    expect(r.rows.length).toBeLessThan(4500);
    for (const row of r.rows) expect(row[0]!.readInt32BE(0)).toBe(2);
    const after = summarize(await pair.run('lg', "select 'ok'::text"));
    expect(after.rows).toEqual([['ok']]);
  });
});
