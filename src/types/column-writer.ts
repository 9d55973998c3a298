/**
 * Encodes DuckDB result vectors straight into DataRow fields. The common scalar types read
 * the vectors' native memory (no per-value JS objects); everything else goes through the
 * node API's value objects and text-values.ts / binary-values.ts.
 */
import duckdb from '@duckdb/node-bindings';
import { DuckDBTypeId, DuckDBVector, type DuckDBType, type DuckDBDecimalType, type DuckDBDataChunk, type DuckDBValue, type DuckDBListType, type DuckDBArrayType } from '@duckdb/node-api';
import type { BufferWriter } from '../protocol/buffer-writer.js';
import type { FormatContext } from './format-context.js';
import { valueToText } from './text-values.js';
import { writeValueBinary, writeNumericBinary, writeDateBinary, arrayShape } from './binary-values.js';
import { formatDate, formatTimestamp, formatTimestampTz, formatInterval, PG_EPOCH_USECS, TS_INFINITY, TS_NINFINITY } from './datetime.js';
import { formatFloat4, formatFloat8, formatScaled, formatScaledNumber } from './numbers.js';
import { byteaHex } from './text-values.js';
import { catalogEncoder } from './catalog-types.js';
import { pgTypeOf } from './mapping.js';

/** Writes one field (length + bytes, or -1) of row `row` of the bound vector. */
export type FieldWriter = (w: BufferWriter, row: number) => void;

export interface ColumnEncoder {
  readonly type: DuckDBType;
  readonly format: 0 | 1;
  /** Binds to the column's vector in a chunk. */
  bind(chunk: DuckDBDataChunk, column: number): FieldWriter;
}

type RawVector = duckdb.Vector;

interface Raw {
  data: Uint8Array;
  view: DataView;
  validity: Uint8Array | null;
}

function rawOf(vec: RawVector, rows: number, width: number): Raw {
  const data = duckdb.vector_get_data(vec, rows * width);
  const validity = duckdb.vector_get_validity(vec, Math.ceil(rows / 64) * 8) ?? null;
  return { data, view: new DataView(data.buffer, data.byteOffset, data.byteLength), validity };
}

const valid = (validity: Uint8Array | null, row: number) => validity === null || ((validity[row >> 3]! >> (row & 7)) & 1) === 1;

const INT64_SAFE_HI = 0x1fffff;

/** int64 at byte offset as a JS number when exact, else as a bigint. */
function readInt64(view: DataView, off: number): number | bigint {
  const lo = view.getUint32(off, true);
  const hi = view.getInt32(off + 4, true);
  if (hi >= -INT64_SAFE_HI - 1 && hi <= INT64_SAFE_HI) return hi * 4294967296 + lo;
  return view.getBigInt64(off, true);
}

/** Bytes of a DuckDB string_t at `off` (16-byte struct: length, then inline data or pointer). */
function stringBytes(raw: Raw, off: number): Uint8Array {
  const len = raw.view.getUint32(off, true);
  if (len <= 12) return raw.data.subarray(off + 4, off + 4 + len);
  return duckdb.get_data_from_pointer(raw.data.buffer as ArrayBuffer, raw.data.byteOffset + off + 8, len);
}

/** Gap between two values' bytes up to which they are copied out together (below any page size). */
const RUN_GAP = 4096;
/** Most bytes copied out in one call. */
const RUN_MAX = 1 << 20;

/**
 * The bytes of each value of a VARCHAR/BLOB vector. Values longer than 12 bytes live outside the
 * vector, and copying one out is a call into the bindings; values that lie close together in
 * memory are copied out in one call instead. A run of values whose gaps are each smaller than a
 * page touches no page that does not also hold a value, so the copy reads mapped memory only.
 */
function stringsOf(raw: Raw, rows: number): (row: number) => Uint8Array {
  const view = raw.view;
  const longRows: number[] = [];
  for (let row = 0; row < rows; row++) if (valid(raw.validity, row) && view.getUint32(row * 16, true) > 12) longRows.push(row);
  if (longRows.length < 2) return (row) => stringBytes(raw, row * 16);
  const ptrOf = (row: number) => view.getUint32(row * 16 + 8, true) + view.getUint32(row * 16 + 12, true) * 4294967296;
  longRows.sort((a, b) => ptrOf(a) - ptrOf(b));
  const out: (Uint8Array | undefined)[] = new Array(rows);
  const pointer = new DataView(new ArrayBuffer(8));
  let i = 0;
  while (i < longRows.length) {
    const start = ptrOf(longRows[i]!);
    let end = start + view.getUint32(longRows[i]! * 16, true);
    let j = i + 1;
    for (; j < longRows.length; j++) {
      const p = ptrOf(longRows[j]!);
      const e = p + view.getUint32(longRows[j]! * 16, true);
      if (p - end >= RUN_GAP || Math.max(end, e) - start > RUN_MAX) break;
      end = Math.max(end, e);
    }
    pointer.setUint32(0, start % 4294967296, true);
    pointer.setUint32(4, Math.floor(start / 4294967296), true);
    const bytes = duckdb.get_data_from_pointer(pointer.buffer as ArrayBuffer, 0, end - start);
    for (let k = i; k < j; k++) {
      const row = longRows[k]!;
      const off = ptrOf(row) - start;
      out[row] = bytes.subarray(off, off + view.getUint32(row * 16, true));
    }
    i = j;
  }
  return (row) => out[row] ?? stringBytes(raw, row * 16);
}

function writeAscii(w: BufferWriter, s: string): void {
  const n = s.length;
  w.ensure(4 + n);
  const buf = w.buf;
  let p = w.pos;
  buf.writeInt32BE(n, p);
  p += 4;
  for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
  w.pos = p;
}

function rawWriter(type: DuckDBType, format: 0 | 1, ctx: FormatContext): ((chunk: DuckDBDataChunk, column: number) => FieldWriter) | undefined {
  const vecOf = (chunk: DuckDBDataChunk, column: number) => duckdb.data_chunk_get_vector(chunk.chunk, column);
  const text = format === 0;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, 1);
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          const b = r.data[row] !== 0;
          w.ensure(5);
          w.buf.writeInt32BE(1, w.pos);
          w.buf[w.pos + 4] = text ? (b ? 116 : 102) : b ? 1 : 0;
          w.pos += 5;
        };
      };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UINTEGER: {
      const id = type.typeId;
      const width = id === DuckDBTypeId.TINYINT || id === DuckDBTypeId.UTINYINT ? 1 : id === DuckDBTypeId.SMALLINT || id === DuckDBTypeId.USMALLINT ? 2 : 4;
      const read =
        id === DuckDBTypeId.TINYINT
          ? (r: Raw, row: number) => r.view.getInt8(row)
          : id === DuckDBTypeId.UTINYINT
            ? (r: Raw, row: number) => r.data[row]!
            : id === DuckDBTypeId.SMALLINT
              ? (r: Raw, row: number) => r.view.getInt16(row * 2, true)
              : id === DuckDBTypeId.USMALLINT
                ? (r: Raw, row: number) => r.view.getUint16(row * 2, true)
                : id === DuckDBTypeId.INTEGER
                  ? (r: Raw, row: number) => r.view.getInt32(row * 4, true)
                  : (r: Raw, row: number) => r.view.getUint32(row * 4, true);
      // Binary width follows the PostgreSQL type: int2 for (u)tinyint/smallint, int4 for usmallint/integer, int8 for uinteger.
      const binWidth = id === DuckDBTypeId.TINYINT || id === DuckDBTypeId.UTINYINT || id === DuckDBTypeId.SMALLINT ? 2 : id === DuckDBTypeId.UINTEGER ? 8 : 4;
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, width);
        if (text)
          return (w, row) => {
            if (!valid(r.validity, row)) return void w.int32(-1);
            writeAscii(w, '' + read(r, row));
          };
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          const v = read(r, row);
          w.int32(binWidth);
          if (binWidth === 2) w.int16(v);
          else if (binWidth === 4) w.int32(v);
          else w.int64(BigInt(v));
        };
      };
    }
    case DuckDBTypeId.BIGINT:
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, 8);
        if (text)
          return (w, row) => {
            if (!valid(r.validity, row)) return void w.int32(-1);
            writeAscii(w, '' + readInt64(r.view, row * 8));
          };
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          w.ensure(12);
          w.buf.writeInt32BE(8, w.pos);
          // copy the little-endian int64 as big-endian bytes
          const d = r.data;
          const o = row * 8;
          const p = w.pos + 4;
          const b = w.buf;
          b[p] = d[o + 7]!;
          b[p + 1] = d[o + 6]!;
          b[p + 2] = d[o + 5]!;
          b[p + 3] = d[o + 4]!;
          b[p + 4] = d[o + 3]!;
          b[p + 5] = d[o + 2]!;
          b[p + 6] = d[o + 1]!;
          b[p + 7] = d[o]!;
          w.pos += 12;
        };
      };
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT: {
      const isDouble = type.typeId === DuckDBTypeId.DOUBLE;
      const width = isDouble ? 8 : 4;
      const efd = ctx.extraFloatDigits;
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, width);
        if (text)
          return (w, row) => {
            if (!valid(r.validity, row)) return void w.int32(-1);
            const v = isDouble ? r.view.getFloat64(row * 8, true) : r.view.getFloat32(row * 4, true);
            writeAscii(w, isDouble ? formatFloat8(v, efd) : formatFloat4(v, efd));
          };
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          w.ensure(4 + width);
          w.buf.writeInt32BE(width, w.pos);
          const d = r.data;
          const o = row * width;
          const p = w.pos + 4;
          const b = w.buf;
          for (let i = 0; i < width; i++) b[p + i] = d[o + width - 1 - i]!;
          w.pos += 4 + width;
        };
      };
    }
    case DuckDBTypeId.VARCHAR:
      // JSON alias included: same bytes; jsonb is never announced, so no version byte.
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, 16);
        const bytes = stringsOf(r, chunk.rowCount);
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          w.lenBytes(bytes(row));
        };
      };
    case DuckDBTypeId.BLOB:
      if (text && ctx.byteaOutput !== 'hex') return undefined;
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, 16);
        const bytes = stringsOf(r, chunk.rowCount);
        if (text)
          return (w, row) => {
            if (!valid(r.validity, row)) return void w.int32(-1);
            writeAscii(w, byteaHex(bytes(row)));
          };
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          w.lenBytes(bytes(row));
        };
      };
    case DuckDBTypeId.DATE:
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, 4);
        if (text)
          return (w, row) => {
            if (!valid(r.validity, row)) return void w.int32(-1);
            writeAscii(w, formatDate(r.view.getInt32(row * 4, true)));
          };
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          w.int32(4);
          writeDateBinary(w, r.view.getInt32(row * 4, true));
        };
      };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const tz = type.typeId === DuckDBTypeId.TIMESTAMP_TZ;
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, 8);
        if (text)
          return (w, row) => {
            if (!valid(r.validity, row)) return void w.int32(-1);
            const micros = r.view.getBigInt64(row * 8, true);
            writeAscii(w, tz ? formatTimestampTz(micros, ctx.timeZone) : formatTimestamp(micros));
          };
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          const micros = r.view.getBigInt64(row * 8, true);
          w.int32(8);
          if (micros >= TS_INFINITY) w.int64(9223372036854775807n);
          else if (micros <= TS_NINFINITY) w.int64(-9223372036854775808n);
          else w.int64(micros - PG_EPOCH_USECS);
        };
      };
    }
    case DuckDBTypeId.INTERVAL:
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, 16);
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          const o = row * 16;
          const months = r.view.getInt32(o, true);
          const days = r.view.getInt32(o + 4, true);
          const micros = r.view.getBigInt64(o + 8, true);
          if (text) writeAscii(w, formatInterval(months, days, micros, ctx.intervalStyle));
          else w.int32(16).int64(micros).int32(days).int32(months);
        };
      };
    case DuckDBTypeId.DECIMAL: {
      const dt = type as DuckDBDecimalType;
      const width = dt.width <= 4 ? 2 : dt.width <= 9 ? 4 : dt.width <= 18 ? 8 : 16;
      const scale = dt.scale;
      const read = (r: Raw, row: number): number | bigint => {
        switch (width) {
          case 2:
            return r.view.getInt16(row * 2, true);
          case 4:
            return r.view.getInt32(row * 4, true);
          case 8:
            return readInt64(r.view, row * 8);
          default: {
            const lo = r.view.getBigUint64(row * 16, true);
            const hi = r.view.getBigInt64(row * 16 + 8, true);
            return (hi << 64n) | lo;
          }
        }
      };
      return (chunk, col) => {
        const r = rawOf(vecOf(chunk, col), chunk.rowCount, width);
        return (w, row) => {
          if (!valid(r.validity, row)) return void w.int32(-1);
          const v = read(r, row);
          if (text) writeAscii(w, typeof v === 'number' ? formatScaledNumber(v, scale) : formatScaled(v, scale));
          else {
            const lenAt = w.pos;
            w.int32(0);
            writeNumericBinary(w, BigInt(v), scale);
            w.buf.writeInt32BE(w.pos - lenAt - 4, lenAt);
          }
        };
      };
    }
    default:
      return undefined;
  }
}

/** Generic path through the node API's value objects. */
function genericWriter(type: DuckDBType, format: 0 | 1, ctx: FormatContext) {
  const isList = (t: DuckDBType) => t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY;
  const nestedList = isList(type) && isList((type as DuckDBListType | DuckDBArrayType).valueType);
  return (chunk: DuckDBDataChunk, column: number): FieldWriter => {
    const vector = DuckDBVector.create(duckdb.data_chunk_get_vector(chunk.chunk, column), chunk.rowCount, type);
    if (format === 0)
      return (w, row) => {
        const v = vector.getItem(row) as DuckDBValue;
        if (v === null) return void w.int32(-1);
        w.lenString(valueToText(type, v, ctx));
      };
    if (nestedList) {
      // Nested lists are checked for a PostgreSQL array shape before any row of the chunk is
      // written, so that an error (ragged lists) never leaves a half-written DataRow behind.
      const values: DuckDBValue[] = new Array(chunk.rowCount);
      for (let row = 0; row < chunk.rowCount; row++) {
        const v = (values[row] = vector.getItem(row) as DuckDBValue);
        if (v !== null) arrayShape(type, v);
      }
      return (w, row) => {
        const v = values[row]!;
        if (v === null) return void w.int32(-1);
        const lenAt = w.pos;
        w.int32(0);
        writeValueBinary(w, type, v, ctx);
        w.buf.writeInt32BE(w.pos - lenAt - 4, lenAt);
      };
    }
    return (w, row) => {
      const v = vector.getItem(row) as DuckDBValue;
      if (v === null) return void w.int32(-1);
      const lenAt = w.pos;
      w.int32(0);
      writeValueBinary(w, type, v, ctx);
      w.ensure(0);
      w.buf.writeInt32BE(w.pos - lenAt - 4, lenAt);
    };
  };
}

/**
 * The encoder of a result column of DuckDB type `type`. With `pgOid` (the column's type in
 * RowDescription, mapping.ts pgColumnType) a catalog type the DuckDB type carries is encoded as
 * that type (catalog-types.ts).
 */
export function columnEncoder(type: DuckDBType, format: 0 | 1, ctx: FormatContext, pgOid?: number): ColumnEncoder {
  if (pgOid !== undefined && pgTypeOf(type).oid !== pgOid) {
    const catalog = catalogEncoder(type, pgOid, format);
    if (catalog) return { type, format, bind: catalog };
  }
  const fast = rawWriter(type, format, ctx);
  const generic = genericWriter(type, format, ctx);
  return {
    type,
    format,
    bind(chunk, column) {
      return fast ? fast(chunk, column) : generic(chunk, column);
    },
  };
}

/** Encodes a value already held in JS (used for synthesized results such as SHOW). */
export function encodeTextField(w: BufferWriter, value: string | null): void {
  if (value === null) w.int32(-1);
  else w.lenString(value);
}
