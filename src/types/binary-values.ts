/**
 * PostgreSQL binary ("send") formats for DuckDB values. Each writer appends the field
 * content only; the caller writes the int32 length in front.
 */
import { DuckDBTypeId, type DuckDBType, type DuckDBValue, type DuckDBListType, type DuckDBArrayType, type DuckDBDecimalType } from '@duckdb/node-api';
import type { BufferWriter } from '../protocol/buffer-writer.js';
import type { FormatContext } from './format-context.js';
import { innermostElement, pgTypeOf, isJsonAlias } from './mapping.js';
import { DATE_INFINITY, DATE_NINFINITY, PG_EPOCH_DAYS, PG_EPOCH_USECS, TS_INFINITY, TS_NINFINITY } from './datetime.js';
import { valueToText, valueToJson, raggedArrayError } from './text-values.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** numeric_send for an integer scaled by 10^scale. */
export function writeNumericBinary(w: BufferWriter, scaled: bigint, scale: number): void {
  const neg = scaled < 0n;
  const digitsStr = (neg ? -scaled : scaled).toString();
  let intPart = digitsStr.length > scale ? digitsStr.slice(0, digitsStr.length - scale) : '';
  let fracPart = scale > 0 ? digitsStr.slice(-scale).padStart(scale, '0') : '';
  if (intPart.length % 4) intPart = '0'.repeat(4 - (intPart.length % 4)) + intPart;
  if (fracPart.length % 4) fracPart = fracPart + '0'.repeat(4 - (fracPart.length % 4));
  const groups: number[] = [];
  for (let i = 0; i < intPart.length; i += 4) groups.push(Number(intPart.slice(i, i + 4)));
  for (let i = 0; i < fracPart.length; i += 4) groups.push(Number(fracPart.slice(i, i + 4)));
  let weight = intPart.length / 4 - 1;
  let start = 0;
  while (start < groups.length && groups[start] === 0) {
    start++;
    weight--;
  }
  let end = groups.length;
  while (end > start && groups[end - 1] === 0) end--;
  const digits = groups.slice(start, end);
  if (digits.length === 0) weight = 0;
  w.int16(digits.length).int16(weight).uint16(digits.length === 0 ? 0 : neg ? 0x4000 : 0).int16(scale);
  for (const d of digits) w.int16(d);
}

function writeTimestampMicros(w: BufferWriter, micros: bigint): void {
  if (micros >= TS_INFINITY) w.int64(INT64_MAX);
  else if (micros <= TS_NINFINITY) w.int64(INT64_MIN);
  else w.int64(micros - PG_EPOCH_USECS);
}

export function writeDateBinary(w: BufferWriter, days: number): void {
  if (days === DATE_INFINITY) w.int32(0x7fffffff);
  else if (days === DATE_NINFINITY) w.int32(-0x80000000);
  else w.int32(days - PG_EPOCH_DAYS);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

function uuidBytes(v: DuckDBValue): Uint8Array {
  const hex = String(v).replace(/-/g, '');
  return Buffer.from(hex, 'hex');
}

/** Writes the binary form of a non-null value. */
export function writeValueBinary(w: BufferWriter, type: DuckDBType, v: DuckDBValue, ctx: FormatContext): void {
  const anyV = v as unknown as Record<string, unknown>;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      w.byte(v ? 1 : 0);
      return;
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      w.int16(v as number);
      return;
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.INTEGER_LITERAL:
      w.int32(v as number);
      return;
    case DuckDBTypeId.BIGINT:
      w.int64(v as bigint);
      return;
    case DuckDBTypeId.UINTEGER:
      w.int64(BigInt(v as number));
      return;
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      writeNumericBinary(w, BigInt(v as bigint), 0);
      return;
    case DuckDBTypeId.DECIMAL:
      writeNumericBinary(w, anyV.value as bigint, (type as DuckDBDecimalType).scale);
      return;
    case DuckDBTypeId.FLOAT:
      w.float32(v as number);
      return;
    case DuckDBTypeId.DOUBLE:
      w.float64(v as number);
      return;
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.STRING_LITERAL:
      w.string(v as string);
      return;
    case DuckDBTypeId.BLOB:
      w.bytes(anyV.bytes as Uint8Array);
      return;
    case DuckDBTypeId.DATE:
      writeDateBinary(w, anyV.days as number);
      return;
    case DuckDBTypeId.TIME:
      w.int64(anyV.micros as bigint);
      return;
    case DuckDBTypeId.TIME_NS:
      w.int64((anyV.nanos as bigint) / 1000n);
      return;
    case DuckDBTypeId.TIME_TZ:
      w.int64(anyV.micros as bigint).int32(-(anyV.offset as number));
      return;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      writeTimestampMicros(w, anyV.micros as bigint);
      return;
    case DuckDBTypeId.TIMESTAMP_S: {
      const s = anyV.seconds as bigint;
      writeTimestampMicros(w, s >= TS_INFINITY ? TS_INFINITY : s <= TS_NINFINITY ? TS_NINFINITY : s * 1_000_000n);
      return;
    }
    case DuckDBTypeId.TIMESTAMP_MS: {
      const ms = anyV.millis as bigint;
      writeTimestampMicros(w, ms >= TS_INFINITY ? TS_INFINITY : ms <= TS_NINFINITY ? TS_NINFINITY : ms * 1000n);
      return;
    }
    case DuckDBTypeId.TIMESTAMP_NS: {
      const ns = anyV.nanos as bigint;
      writeTimestampMicros(w, ns >= TS_INFINITY ? TS_INFINITY : ns <= TS_NINFINITY ? TS_NINFINITY : floorDiv(ns, 1000n));
      return;
    }
    case DuckDBTypeId.INTERVAL:
      w.int64(anyV.micros as bigint).int32(anyV.days as number).int32(anyV.months as number);
      return;
    case DuckDBTypeId.UUID:
      w.bytes(uuidBytes(v));
      return;
    case DuckDBTypeId.BIT: {
      const bits = String(v);
      const bytes = Buffer.alloc(Math.ceil(bits.length / 8));
      for (let i = 0; i < bits.length; i++) if (bits.charCodeAt(i) === 49) bytes[i >> 3]! |= 0x80 >> (i & 7);
      w.int32(bits.length).bytes(bytes);
      return;
    }
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      writeArrayBinary(w, type, v, ctx);
      return;
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      w.string(valueToJson(type, v, ctx));
      return;
    default:
      w.string(isJsonAlias(type) ? (v as string) : valueToText(type, v, ctx));
  }
}

interface ListLike {
  items: readonly DuckDBValue[];
}

/**
 * The dimensions and elements (in row-major order) of a list sent as a PostgreSQL array.
 * Dimensions are taken from the nesting; a nested list whose sub-lists differ in length, or
 * that holds a NULL sub-list, has no PostgreSQL form and raises raggedArrayError().
 */
export function arrayShape(type: DuckDBType, v: DuckDBValue): { dims: number[]; leaves: (DuckDBValue | null)[] } {
  const dims: number[] = [];
  let level: DuckDBType = type;
  let sample: ListLike | null = v as unknown as ListLike;
  while (level.typeId === DuckDBTypeId.LIST || level.typeId === DuckDBTypeId.ARRAY) {
    dims.push(sample ? sample.items.length : 0);
    level = (level as DuckDBListType | DuckDBArrayType).valueType;
    const first: DuckDBValue | null | undefined = sample?.items[0];
    sample = first !== null && first !== undefined && (level.typeId === DuckDBTypeId.LIST || level.typeId === DuckDBTypeId.ARRAY) ? (first as unknown as ListLike) : null;
  }
  const leaves: (DuckDBValue | null)[] = [];
  const collect = (val: ListLike, depth: number) => {
    if (val.items.length !== dims[depth]) throw raggedArrayError();
    for (const item of val.items) {
      if (depth === dims.length - 1) leaves.push(item);
      else if (item === null) throw raggedArrayError();
      else collect(item as unknown as ListLike, depth + 1);
    }
  };
  collect(v as unknown as ListLike, 0);
  return { dims, leaves };
}

/** array_send */
function writeArrayBinary(w: BufferWriter, type: DuckDBType, v: DuckDBValue, ctx: FormatContext): void {
  const elemType = innermostElement(type);
  const elemOid = pgTypeOf(elemType).oid;
  const { dims, leaves } = arrayShape(type, v);
  // A zero-length dimension makes an empty array, which PostgreSQL sends with ndim 0.
  const empty = dims.some((d) => d === 0);
  const ndim = empty ? 0 : dims.length;
  w.int32(ndim).int32(leaves.some((l) => l === null) ? 1 : 0).uint32(elemOid);
  if (empty) return;
  for (const d of dims) w.int32(d).int32(1);
  for (const leaf of leaves) {
    if (leaf === null) {
      w.int32(-1);
      continue;
    }
    const lenAt = w.pos;
    w.int32(0);
    writeValueBinary(w, elemType, leaf, ctx);
    w.buf.writeInt32BE(w.pos - lenAt - 4, lenAt);
  }
}
