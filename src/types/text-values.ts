/**
 * PostgreSQL text output for DuckDB values as the node API hands them out
 * (numbers, bigints, strings and the Duck*Value classes). Used for every type that has no
 * raw fast path in column-writer.ts, and for elements of arrays.
 */
import {
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBListType,
  type DuckDBArrayType,
  type DuckDBStructType,
  type DuckDBMapType,
  type DuckDBUnionType,
  type DuckDBDecimalType,
} from '@duckdb/node-api';
import { formatDate, formatInterval, formatTime, formatTimeTz, formatTimestamp, formatTimestampTz, formatTimestampJson, TS_INFINITY, TS_NINFINITY } from './datetime.js';
import { formatFloat4, formatFloat8, formatScaled } from './numbers.js';
import type { FormatContext } from './format-context.js';
import { isJsonAlias } from './mapping.js';
import { PgError, SqlState } from '../errors/pg-error.js';

// The node API's value classes, seen structurally.
interface DecimalV { value: bigint; scale: number }
interface DateV { days: number }
interface TimeV { micros: bigint }
interface TimeNsV { nanos: bigint }
interface TimeTzV { micros: bigint; offset: number }
interface TsV { micros: bigint }
interface TsSV { seconds: bigint }
interface TsMsV { millis: bigint }
interface TsNsV { nanos: bigint }
interface IntervalV { months: number; days: number; micros: bigint }
interface BlobV { bytes: Uint8Array }
interface ListV { items: readonly DuckDBValue[] }
interface StructV { entries: Readonly<Record<string, DuckDBValue>> }
interface MapV { entries: { key: DuckDBValue; value: DuckDBValue }[] }
interface UnionV { tag: string; value: DuckDBValue }

const HEX = '0123456789abcdef';

export function byteaHex(bytes: Uint8Array): string {
  let s = '\\x';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!;
  return s;
}

/** bytea_output = escape */
export function byteaEscape(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 92) s += '\\\\';
    else if (b < 32 || b > 126) s += '\\' + b.toString(8).padStart(3, '0');
    else s += String.fromCharCode(b);
  }
  return s;
}

export function uuidText(v: DuckDBValue): string {
  return String(v);
}

function nsToMicros(ns: bigint): bigint {
  // PostgreSQL timestamps hold microseconds; nanoseconds are truncated toward -infinity.
  const q = ns / 1000n;
  return ns < 0n && q * 1000n !== ns ? q - 1n : q;
}

/** Text form of a non-null value. */
export function valueToText(type: DuckDBType, v: DuckDBValue, ctx: FormatContext): string {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return v ? 't' : 'f';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
    case DuckDBTypeId.INTEGER_LITERAL:
      return String(v);
    case DuckDBTypeId.FLOAT:
      return formatFloat4(v as number, ctx.extraFloatDigits);
    case DuckDBTypeId.DOUBLE:
      return formatFloat8(v as number, ctx.extraFloatDigits);
    case DuckDBTypeId.DECIMAL:
      return formatScaled((v as unknown as DecimalV).value, (type as DuckDBDecimalType).scale);
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.STRING_LITERAL:
      return v as string;
    case DuckDBTypeId.BLOB: {
      const bytes = (v as unknown as BlobV).bytes;
      return ctx.byteaOutput === 'hex' ? byteaHex(bytes) : byteaEscape(bytes);
    }
    case DuckDBTypeId.DATE:
      return formatDate((v as unknown as DateV).days);
    case DuckDBTypeId.TIME:
      return formatTime(Number((v as unknown as TimeV).micros));
    case DuckDBTypeId.TIME_NS:
      return formatTime(Number((v as unknown as TimeNsV).nanos / 1000n));
    case DuckDBTypeId.TIME_TZ: {
      const t = v as unknown as TimeTzV;
      return formatTimeTz(Number(t.micros), t.offset);
    }
    case DuckDBTypeId.TIMESTAMP:
      return formatTimestamp((v as unknown as TsV).micros);
    case DuckDBTypeId.TIMESTAMP_S:
      return formatTimestampScaled((v as unknown as TsSV).seconds, 1_000_000n);
    case DuckDBTypeId.TIMESTAMP_MS:
      return formatTimestampScaled((v as unknown as TsMsV).millis, 1000n);
    case DuckDBTypeId.TIMESTAMP_NS:
      return formatTimestampScaled((v as unknown as TsNsV).nanos, 1n);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return formatTimestampTz((v as unknown as TsV).micros, ctx.timeZone);
    case DuckDBTypeId.INTERVAL: {
      const i = v as unknown as IntervalV;
      return formatInterval(i.months, i.days, i.micros, ctx.intervalStyle);
    }
    case DuckDBTypeId.UUID:
      return uuidText(v);
    case DuckDBTypeId.BIT:
      return String(v);
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return arrayToText(type, v, ctx);
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return valueToJson(type, v, ctx);
    default:
      return String(v);
  }
}

function formatTimestampScaled(units: bigint, microsPerUnit: bigint): string {
  return formatTimestamp(scaleToMicros(units, microsPerUnit));
}

/**
 * Microseconds (PostgreSQL's timestamp resolution) from seconds, milliseconds or, with
 * microsPerUnit 1n, nanoseconds: TIMESTAMP_NS is truncated toward -infinity to the microsecond
 * (no rounding, so a value never moves to the next second, day or year). DuckDB's infinities
 * stay infinities.
 */
function scaleToMicros(units: bigint, microsPerUnit: bigint): bigint {
  if (units >= 9223372036854775807n) return TS_INFINITY;
  if (units <= -9223372036854775807n) return TS_NINFINITY;
  return microsPerUnit === 1n ? nsToMicros(units) : units * microsPerUnit;
}

/** Array element quoting rules of array_out. */
export function quoteArrayElement(s: string): string {
  if (s.length === 0) return '""';
  let needs = s.length === 4 && s.toUpperCase() === 'NULL';
  if (!needs) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 123 || c === 125 || c === 44 || c === 34 || c === 92 || c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
        needs = true;
        break;
      }
    }
  }
  if (!needs) return s;
  return '"' + s.replace(/["\\]/g, '\\$&') + '"';
}

function arrayToText(type: DuckDBType, v: DuckDBValue, ctx: FormatContext): string {
  // A nested list without any element ([[]], [[],[]]) is PostgreSQL's empty array, as in binary.
  if (isListType((type as DuckDBListType | DuckDBArrayType).valueType) && !hasElement(type, v)) return '{}';
  return listToText(type, v, ctx);
}

const isListType = (t: DuckDBType) => t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY;

function hasElement(type: DuckDBType, v: DuckDBValue): boolean {
  const elemType = (type as DuckDBListType | DuckDBArrayType).valueType;
  const items = (v as unknown as ListV).items;
  if (!isListType(elemType)) return items.length > 0;
  for (const item of items) if (item === null || hasElement(elemType, item)) return true;
  return false;
}

/**
 * array_out for a (possibly nested) list. Nested lists of different lengths have no
 * PostgreSQL equivalent; they are still written the natural way ({{1,2},{3}}) in text.
 */
function listToText(type: DuckDBType, v: DuckDBValue, ctx: FormatContext): string {
  const elemType = (type as DuckDBListType | DuckDBArrayType).valueType;
  const items = (v as unknown as ListV).items;
  const parts: string[] = [];
  const nested = elemType.typeId === DuckDBTypeId.LIST || elemType.typeId === DuckDBTypeId.ARRAY;
  for (const item of items) {
    if (item === null) parts.push('NULL');
    else if (nested) parts.push(listToText(elemType, item, ctx));
    else parts.push(quoteArrayElement(valueToText(elemType, item, ctx)));
  }
  return '{' + parts.join(',') + '}';
}

/** JSON text for a value (used for STRUCT, MAP and UNION columns, which are sent as json). */
export function valueToJson(type: DuckDBType, v: DuckDBValue, ctx: FormatContext): string {
  if (v === null) return 'null';
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return v ? 'true' : 'false';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return String(v);
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE: {
      const n = v as number;
      if (!Number.isFinite(n)) return Number.isNaN(n) ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"';
      return type.typeId === DuckDBTypeId.FLOAT ? formatFloat4(n, ctx.extraFloatDigits) : formatFloat8(n, ctx.extraFloatDigits);
    }
    // Timestamps as PostgreSQL's to_json writes them (ISO 8601 with a 'T'); other types use their text output.
    case DuckDBTypeId.TIMESTAMP:
      return '"' + formatTimestampJson((v as unknown as TsV).micros) + '"';
    case DuckDBTypeId.TIMESTAMP_S:
      return '"' + formatTimestampJson(scaleToMicros((v as unknown as TsSV).seconds, 1_000_000n)) + '"';
    case DuckDBTypeId.TIMESTAMP_MS:
      return '"' + formatTimestampJson(scaleToMicros((v as unknown as TsMsV).millis, 1000n)) + '"';
    case DuckDBTypeId.TIMESTAMP_NS:
      return '"' + formatTimestampJson(scaleToMicros((v as unknown as TsNsV).nanos, 1n)) + '"';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return '"' + formatTimestampJson((v as unknown as TsV).micros, ctx.timeZone) + '"';
    case DuckDBTypeId.DECIMAL:
      return formatScaled((v as unknown as DecimalV).value, (type as DuckDBDecimalType).scale);
    case DuckDBTypeId.VARCHAR:
      if (isJsonAlias(type)) return v as string;
      return JSON.stringify(v);
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const elemType = (type as DuckDBListType | DuckDBArrayType).valueType;
      return '[' + (v as unknown as ListV).items.map((i) => valueToJson(elemType, i, ctx)).join(',') + ']';
    }
    case DuckDBTypeId.STRUCT: {
      const st = type as DuckDBStructType;
      const entries = (v as unknown as StructV).entries;
      const parts: string[] = [];
      for (let i = 0; i < st.entryNames.length; i++) {
        const name = st.entryNames[i]!;
        parts.push(JSON.stringify(name) + ':' + valueToJson(st.entryTypes[i]!, entries[name] ?? null, ctx));
      }
      return '{' + parts.join(',') + '}';
    }
    case DuckDBTypeId.MAP: {
      const mt = type as DuckDBMapType;
      const parts: string[] = [];
      for (const { key, value } of (v as unknown as MapV).entries) {
        const k = key === null ? 'null' : valueToText(mt.keyType, key, ctx);
        parts.push(JSON.stringify(k) + ':' + valueToJson(mt.valueType, value, ctx));
      }
      return '{' + parts.join(',') + '}';
    }
    case DuckDBTypeId.UNION: {
      const ut = type as DuckDBUnionType;
      const u = v as unknown as UnionV;
      const idx = ut.memberTags.indexOf(u.tag);
      return valueToJson(idx >= 0 ? ut.memberTypes[idx]! : ut.memberTypes[0]!, u.value, ctx);
    }
    default:
      return JSON.stringify(valueToText(type, v, ctx));
  }
}

export function raggedArrayError(): PgError {
  return new PgError(SqlState.featureNotSupported, 'nested lists of different lengths cannot be sent as a PostgreSQL array in binary format', {
    hint: 'Request the column in text format, or unnest or cast it to JSON (to_json) in the query.',
  });
}
