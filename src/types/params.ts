/**
 * Turns Bind parameters (text or binary, typed by OID) into values bound to a DuckDB
 * prepared statement. Text values that DuckDB parses like PostgreSQL are bound as VARCHAR and
 * cast by DuckDB; the formats it does not accept are converted here first.
 */
import {
  DuckDBTypeId,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBListType,
  type DuckDBArrayType,
  type DuckDBValue,
  VARCHAR,
  BOOLEAN,
  SMALLINT,
  INTEGER,
  BIGINT,
  UINTEGER,
  FLOAT,
  DOUBLE,
  BLOB,
  DATE,
  TIME,
  TIMETZ,
  TIMESTAMP,
  TIMESTAMPTZ,
  INTERVAL,
  LIST,
  blobValue,
  listValue,
  dateValue,
  timeValue,
  timeTZValue,
  timestampValue,
  timestampTZValue,
  intervalValue,
} from '@duckdb/node-api';
import { PgError, SqlState } from '../errors/pg-error.js';
import { Oid } from './pg-types.js';
import { elementOfArrayOid } from './mapping.js';
import { parseArrayLiteral, parseBool, parseBytea, parseFloatInput, parseInterval, normalizeDateTimeLiteral, type ArrayItem } from './text-input.js';
import { PG_EPOCH_DAYS, PG_EPOCH_USECS, formatOffset, type TimeZone, type IntervalStyle } from './datetime.js';
import { decodeUtf8 } from '../protocol/frames.js';

/** The session settings that change how text input is read. */
export interface InputContext {
  timeZone: TimeZone;
  intervalStyle: IntervalStyle;
}

export interface BoundParam {
  value: DuckDBValue;
  type: DuckDBType;
}

const invalidBinary = (what: string) => new PgError(SqlState.invalidBinaryRepresentation, `incorrect binary data format in bind parameter (${what})`);

/**
 * Converts one text-format parameter for a DuckDB parameter of type `target`. `session` gives
 * the settings that change how PostgreSQL reads text input: TimeZone (timestamptz/timetz
 * without an explicit offset) and IntervalStyle (sql_standard reads '-1 2:03:04' as all negative).
 */
export function textParam(text: string, target: DuckDBType | undefined, session?: InputContext): BoundParam {
  if (!target) return { value: text, type: VARCHAR };
  switch (target.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { value: parseBool(text), type: BOOLEAN };
    case DuckDBTypeId.FLOAT:
      return { value: parseFloatInput(text, true), type: FLOAT };
    case DuckDBTypeId.DOUBLE:
      return { value: parseFloatInput(text, false), type: DOUBLE };
    case DuckDBTypeId.BLOB:
      return { value: blobValue(parseBytea(text)), type: BLOB };
    case DuckDBTypeId.INTERVAL: {
      const i = parseInterval(text, session?.intervalStyle === 'sql_standard');
      return { value: intervalValue(i.months, i.days, i.micros), type: INTERVAL };
    }
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIME_TZ:
      return { value: withSessionOffset(target.typeId === DuckDBTypeId.TIME_TZ ? text : normalizeDateTimeLiteral(text), target.typeId === DuckDBTypeId.TIME_TZ, session?.timeZone), type: VARCHAR };
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return { value: normalizeDateTimeLiteral(text), type: VARCHAR };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const elem = (target as DuckDBListType | DuckDBArrayType).valueType;
      const t = text.trim();
      // DuckDB's own list syntax is accepted too.
      if (t.startsWith('[') && !/^\[\s*-?\d+\s*:/.test(t)) return { value: text, type: VARCHAR };
      const items = parseArrayLiteral(t);
      checkArrayDims(items.length === 0 ? 0 : literalDepth(items), target);
      return arrayParam(items, elem, session);
    }
    default:
      return { value: text, type: VARCHAR };
  }
}

/** LIST/ARRAY nesting levels of a DuckDB type (0 for a scalar). */
function listDepth(t: DuckDBType): number {
  let n = 0;
  for (let cur = t; cur.typeId === DuckDBTypeId.LIST || cur.typeId === DuckDBTypeId.ARRAY; cur = (cur as DuckDBListType | DuckDBArrayType).valueType) n++;
  return n;
}

function literalDepth(items: ArrayItem[]): number {
  let depth = 0;
  for (const item of items) if (Array.isArray(item)) depth = Math.max(depth, literalDepth(item));
  return depth + 1;
}

/**
 * A PostgreSQL array of any dimension fits an int4[] parameter; a DuckDB list has a fixed
 * nesting depth. A mismatch is reported instead of letting DuckDB turn {{a,b}} into '[a, b]'.
 * `dims` 0 means an empty array, which fits any depth.
 */
function checkArrayDims(dims: number, target: DuckDBType): void {
  const want = listDepth(target);
  if (dims === 0 || dims === want) return;
  const name = target.toString();
  let wanted = name;
  for (let i = want; i < dims; i++) wanted += '[]';
  throw new PgError(
    SqlState.datatypeMismatch,
    `array parameter has ${dims} dimension${dims === 1 ? '' : 's'}, but the statement expects ${want} (${name})`,
    dims > want ? { hint: `Cast the parameter to ${wanted} in the query, e.g. $1::${wanted}.` } : {},
  );
}

const NAIVE_TIMESTAMP = /^\d+-\d+-\d+(?: \(BC\))?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d*)?)?)?$/i;
const NAIVE_TIME = /^\d{1,2}:\d{2}(?::\d{2}(?:\.\d*)?)?$/;

/**
 * A timestamptz/timetz literal without an offset is in the session TimeZone. DuckDB reads it in
 * its own TimeZone, which is the same zone except for fixed offsets that are not whole hours
 * (SET TIME ZONE 5.5, '+05:30'): DuckDB cannot hold those, so the offset is written out here.
 */
function withSessionOffset(literal: string, timeOnly: boolean, zone: TimeZone | undefined): string {
  const t = literal.trim();
  if (!zone?.isFixed || !(timeOnly ? NAIVE_TIME : NAIVE_TIMESTAMP).test(t)) return literal;
  const offset = formatOffset(zone.offsetAt(0n));
  // A date alone means its midnight.
  return (timeOnly || /[ T]\d/.test(t.replace(/ \(BC\)/i, '')) ? t : t + ' 00:00:00') + offset;
}

/** Integer element types bound as numbers (a VARCHAR list would not type-check in list functions such as list_contains($1, x)). */
const INT_RANGES: Partial<Record<DuckDBTypeId, [bigint, bigint]>> = {
  [DuckDBTypeId.TINYINT]: [-128n, 127n],
  [DuckDBTypeId.SMALLINT]: [-32768n, 32767n],
  [DuckDBTypeId.INTEGER]: [-2147483648n, 2147483647n],
  [DuckDBTypeId.BIGINT]: [-9223372036854775808n, 9223372036854775807n],
};

function arrayParam(items: ArrayItem[], elem: DuckDBType, session?: InputContext): BoundParam {
  const range = INT_RANGES[elem.typeId];
  if (range && items.every((i) => i === null || (typeof i === 'string' && /^\s*[+-]?\d{1,19}\s*$/.test(i) && BigInt(i.trim()) >= range[0] && BigInt(i.trim()) <= range[1]))) {
    const big = elem.typeId === DuckDBTypeId.BIGINT;
    return { value: listValue(items.map((i) => (i === null ? null : big ? BigInt((i as string).trim()) : Number(i)))), type: LIST(elem) };
  }
  const nestedElem = elem.typeId === DuckDBTypeId.LIST || elem.typeId === DuckDBTypeId.ARRAY ? (elem as DuckDBListType).valueType : undefined;
  let itemType: DuckDBType | undefined;
  const values = items.map((item) => {
    if (item === null) return null;
    if (Array.isArray(item)) {
      // PostgreSQL multi-dimensional arrays map to nested lists.
      const inner = arrayParam(item, nestedElem ?? elem, session);
      itemType = inner.type;
      return inner.value;
    }
    const p = textParam(item, elem, session);
    itemType = p.type;
    return p.value;
  });
  const t = itemType ?? VARCHAR;
  return { value: listValue(values), type: LIST(t) };
}

/** Decodes one binary-format parameter sent for a PostgreSQL type OID. */
export function binaryParam(data: Buffer, oid: number): BoundParam {
  const need = (n: number) => {
    if (data.length !== n) throw invalidBinary(`expected ${n} bytes for type ${oid}, got ${data.length}`);
  };
  switch (oid) {
    case Oid.bool:
      need(1);
      return { value: data[0] !== 0, type: BOOLEAN };
    case Oid.int2:
      need(2);
      return { value: data.readInt16BE(0), type: SMALLINT };
    case Oid.int4:
      need(4);
      return { value: data.readInt32BE(0), type: INTEGER };
    case Oid.oid:
    case Oid.regclass:
    case Oid.regtype:
    case Oid.regproc:
    case Oid.xid:
      need(4);
      return { value: data.readUInt32BE(0), type: UINTEGER };
    case Oid.int8:
      need(8);
      return { value: data.readBigInt64BE(0), type: BIGINT };
    case Oid.float4:
      need(4);
      return { value: data.readFloatBE(0), type: FLOAT };
    case Oid.float8:
      need(8);
      return { value: data.readDoubleBE(0), type: DOUBLE };
    case Oid.numeric:
      return { value: decodeNumericBinary(data), type: VARCHAR };
    case Oid.text:
    case Oid.varchar:
    case Oid.bpchar:
    case Oid.name:
    case Oid.char:
    case Oid.unknown:
    case Oid.xml:
      return { value: decodeUtf8(data), type: VARCHAR };
    case Oid.json:
      return { value: decodeUtf8(data), type: VARCHAR };
    case Oid.jsonb:
      if (data.length < 1 || data[0] !== 1) throw invalidBinary('unsupported jsonb version number');
      return { value: decodeUtf8(data.subarray(1)), type: VARCHAR };
    case Oid.bytea:
      return { value: blobValue(Buffer.from(data)), type: BLOB };
    case Oid.date: {
      need(4);
      const d = data.readInt32BE(0);
      const days = d === 0x7fffffff ? 2147483647 : d === -0x80000000 ? -2147483647 : d + PG_EPOCH_DAYS;
      return { value: dateValue(days), type: DATE };
    }
    case Oid.time:
      need(8);
      return { value: timeValue(data.readBigInt64BE(0)), type: TIME };
    case Oid.timetz: {
      need(12);
      const micros = data.readBigInt64BE(0);
      const offset = -data.readInt32BE(8);
      return { value: timeTZValue(micros, offset), type: TIMETZ };
    }
    case Oid.timestamp:
    case Oid.timestamptz: {
      need(8);
      const v = data.readBigInt64BE(0);
      const micros = v === 9223372036854775807n ? 9223372036854775807n : v === -9223372036854775808n ? -9223372036854775807n : v + PG_EPOCH_USECS;
      return oid === Oid.timestamp ? { value: timestampValue(micros), type: TIMESTAMP } : { value: timestampTZValue(micros), type: TIMESTAMPTZ };
    }
    case Oid.interval: {
      need(16);
      return { value: intervalValue(data.readInt32BE(12), data.readInt32BE(8), data.readBigInt64BE(0)), type: INTERVAL };
    }
    case Oid.uuid: {
      need(16);
      const h = data.toString('hex');
      // Bound as text (DuckDB casts it): node-api builds UUID values only from a hugeint.
      return { value: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`, type: VARCHAR };
    }
    default: {
      const elem = elementOfArrayOid(oid);
      if (elem !== undefined) return decodeArrayBinary(data, elem);
      throw new PgError(SqlState.featureNotSupported, `binary format is not supported for parameters of type ${oid}`, { hint: 'Send the parameter in text format.' });
    }
  }
}

function decodeNumericBinary(data: Buffer): string {
  if (data.length < 8) throw invalidBinary('numeric');
  const ndigits = data.readInt16BE(0);
  const weight = data.readInt16BE(2);
  const sign = data.readUInt16BE(4);
  const dscale = data.readInt16BE(6);
  if (ndigits < 0 || data.length !== 8 + ndigits * 2) throw invalidBinary('numeric');
  if (sign === 0xc000) return 'NaN';
  if (sign === 0xd000) return 'Infinity';
  if (sign === 0xf000) return '-Infinity';
  if (sign !== 0 && sign !== 0x4000) throw invalidBinary('numeric sign');
  let intPart = '';
  let frac = '';
  for (let i = 0; i < ndigits; i++) {
    const d = data.readInt16BE(8 + i * 2);
    if (d < 0 || d > 9999) throw invalidBinary('numeric digit');
    const s = String(d).padStart(4, '0');
    if (i <= weight) intPart += s;
    else frac += s;
  }
  if (weight >= ndigits) intPart += '0000'.repeat(weight - ndigits + 1);
  if (weight < -1) frac = '0000'.repeat(-weight - 1) + frac;
  intPart = intPart.replace(/^0+/, '') || '0';
  frac = frac.padEnd(dscale, '0').slice(0, Math.max(dscale, 0));
  return `${sign === 0x4000 ? '-' : ''}${intPart}${frac ? '.' + frac : ''}`;
}

function decodeArrayBinary(data: Buffer, elemOid: number): BoundParam {
  if (data.length < 12) throw invalidBinary('array header');
  const ndim = data.readInt32BE(0);
  const elemType = data.readUInt32BE(8);
  if (ndim < 0 || ndim > 6) throw invalidBinary('array dimensions');
  if (elemType !== elemOid && ndim > 0) throw new PgError(SqlState.datatypeMismatch, `wrong element type in array parameter (${elemType}, expected ${elemOid})`);
  let pos = 12;
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) {
    if (pos + 8 > data.length) throw invalidBinary('array dimensions');
    dims.push(data.readInt32BE(pos));
    pos += 8;
  }
  let leafType: DuckDBType = VARCHAR;
  const readLevel = (depth: number): DuckDBValue => {
    const items: DuckDBValue[] = [];
    for (let i = 0; i < dims[depth]!; i++) {
      if (depth < dims.length - 1) {
        items.push(readLevel(depth + 1));
        continue;
      }
      if (pos + 4 > data.length) throw invalidBinary('array element');
      const len = data.readInt32BE(pos);
      pos += 4;
      if (len === -1) {
        items.push(null);
        continue;
      }
      if (len < 0 || pos + len > data.length) throw invalidBinary('array element');
      const p = binaryParam(data.subarray(pos, pos + len), elemOid);
      pos += len;
      leafType = p.type;
      items.push(p.value);
    }
    return listValue(items);
  };
  const value = ndim === 0 ? listValue([]) : readLevel(0);
  if (pos !== data.length) throw invalidBinary('array trailing data');
  let type: DuckDBType = leafType;
  for (let d = 0; d < Math.max(ndim, 1); d++) type = LIST(type);
  return { value, type };
}

/** Binds all parameters of a Bind message to the prepared statement. */
export function bindParams(
  stmt: DuckDBPreparedStatement,
  params: readonly (Buffer | null)[],
  formats: readonly number[],
  paramOids: readonly number[],
  targetTypes: readonly (DuckDBType | undefined)[],
  session?: InputContext,
): void {
  stmt.clearBindings();
  for (let i = 0; i < params.length; i++) {
    const raw = params[i]!;
    if (raw === null) {
      stmt.bindNull(i + 1);
      continue;
    }
    const format = formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : formats[i]!;
    try {
      const target = targetTypes[i];
      const bound = format === 1 ? binaryParam(raw, paramOids[i] ?? Oid.text) : textParam(decodeUtf8(raw), target, session);
      if (format === 1 && target && listDepth(target) > 0 && listDepth(bound.type) > 0) {
        checkArrayDims(raw.length >= 4 ? raw.readInt32BE(0) : 0, target);
      }
      stmt.bindValue(i + 1, bound.value, bound.type);
    } catch (e) {
      if (e instanceof PgError) {
        e.where = `unnamed portal parameter $${i + 1}`;
        throw e;
      }
      throw new PgError(SqlState.invalidParameterValue, `could not bind parameter $${i + 1}: ${(e as Error).message}`);
    }
  }
}
