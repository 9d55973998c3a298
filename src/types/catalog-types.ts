/**
 * PostgreSQL's catalog types (oid, xid, cid, regproc, name, "char", oidvector, int2vector,
 * aclitem, pg_node_tree and their arrays) for DuckDB values that carry them. DuckDB has none of
 * these types: the emulated catalog holds OIDs as UINTEGER, names and "char" as VARCHAR, vectors
 * and arrays as lists. Which result column has such a type is known from the client's statement
 * (pgcompat/catalog/result-types.ts); this module says whether a DuckDB type can carry it and
 * encodes the values exactly as PostgreSQL's output and send functions do:
 *
 *   oid, xid, cid      text: the unsigned number;    binary: 4-byte unsigned
 *   regproc            text: regprocout (the name);   binary: the 4-byte OID
 *   name, pg_node_tree text and binary: the string
 *   "char"             text: the character ('' for \0, \ooo above 127); binary: 1 byte
 *   oidvector          text: `25 16`;  binary: a one-dimensional oid array with lower bound 0
 *   int2vector         text: `1 2`;    binary: a one-dimensional int2 array with lower bound 0
 *   aclitem            text: as stored; binary: none (42883, as PostgreSQL)
 *   anyarray           text: as stored; binary: refused (0A000)
 *   arrays of those    array_out / array_send with the element type's forms
 */
import duckdb from '@duckdb/node-bindings';
import { DuckDBTypeId, DuckDBVector, type DuckDBType, type DuckDBDataChunk, type DuckDBValue, type DuckDBListType, type DuckDBArrayType } from '@duckdb/node-api';
import type { BufferWriter } from '../protocol/buffer-writer.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import { Oid, typeLen } from './pg-types.js';
import { quoteArrayElement } from './text-values.js';
import { regprocText } from '../pgcompat/catalog/static-lookup.js';
import type { FieldWriter } from './column-writer.js';

/** The DuckDB types that may hold a value: integer types (by id) or strings. */
type Carrier = ReadonlySet<number> | 'string';

interface ScalarKind {
  carrier: Carrier;
  text(v: DuckDBValue): string;
  /** Appends the binary form (without the length word). */
  send(w: BufferWriter, v: DuckDBValue): void;
  /** The error of a type that has no binary form. */
  noBinary?: () => PgError;
}

const refuse = (kind: () => PgError) => () => {
  throw kind();
};

const INTEGERS: ReadonlySet<number> = new Set<number>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
]);
const SMALL_INTEGERS: ReadonlySet<number> = new Set<number>([DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.UTINYINT]);

/** An OID-like value as PostgreSQL's unsigned 32 bits (a negative number wraps, as oidin reads it). */
const u32 = (v: DuckDBValue): number => (typeof v === 'bigint' ? Number(BigInt.asUintN(32, v)) : Number(v) >>> 0);

function charByte(v: DuckDBValue): number {
  const s = String(v);
  return s.length === 0 ? 0 : Buffer.from(s, 'utf8')[0]!;
}

function aclitemNoBinary(): PgError {
  return new PgError(SqlState.undefinedFunction, 'no binary output function available for type aclitem');
}

function anyarrayNoBinary(): PgError {
  return new PgError(SqlState.featureNotSupported, 'binary output of anyarray values is not supported', { hint: 'Request the column in text format.' });
}

const unsignedKind: ScalarKind = { carrier: INTEGERS, text: (v) => String(u32(v)), send: (w, v) => void w.uint32(u32(v)) };
const stringKind: ScalarKind = { carrier: 'string', text: (v) => String(v), send: (w, v) => void w.string(String(v)) };

const SCALARS = new Map<number, ScalarKind>([
  [Oid.oid, unsignedKind],
  [Oid.xid, unsignedKind],
  [Oid.cid, unsignedKind],
  [Oid.regproc, { carrier: INTEGERS, text: (v) => regprocText(u32(v)), send: (w, v) => void w.uint32(u32(v)) }],
  [Oid.name, stringKind],
  [Oid.pgNodeTree, stringKind],
  [Oid.varchar, stringKind],
  [Oid.text, stringKind],
  [
    Oid.char,
    {
      carrier: 'string',
      text: (v) => {
        const b = charByte(v);
        return b === 0 ? '' : b < 128 ? String.fromCharCode(b) : '\\' + b.toString(8).padStart(3, '0');
      },
      send: (w, v) => void w.byte(charByte(v)),
    },
  ],
  [Oid.aclitem, { carrier: 'string', text: (v) => String(v), send: refuse(aclitemNoBinary), noBinary: aclitemNoBinary }],
  // pg_attribute.attmissingval, pg_stats' value arrays: the array's text as stored (the binary
  // form would be that of the array's own type, which the text does not tell).
  [Oid.anyarray, { carrier: 'string', text: (v) => String(v), send: refuse(anyarrayNoBinary), noBinary: anyarrayNoBinary }],
]);

/** Elements of int2vector and int2[] (never a column type of its own here: DuckDB's SMALLINT is int2 already). */
const int2Kind: ScalarKind = { carrier: SMALL_INTEGERS, text: (v) => String(v), send: (w, v) => void w.int16(Number(v)) };
const elementKind = (oid: number): ScalarKind | undefined => (oid === Oid.int2 ? int2Kind : SCALARS.get(oid));

/** Vector types: their element type; text is space-separated, binary an array with lower bound 0. */
const VECTORS = new Map<number, number>([
  [Oid.oidvector, Oid.oid],
  [Oid.int2vector, Oid.int2],
]);

/** Array types whose elements are SCALARS. */
const ARRAYS = new Map<number, number>([
  [1028, Oid.oid],
  [1011, Oid.xid],
  [1012, Oid.cid],
  [1008, Oid.regproc],
  [1003, Oid.name],
  [1002, Oid.char],
  [1015, Oid.varchar],
  [1009, Oid.text],
  [1034, Oid.aclitem],
  [1005, Oid.int2],
]);


function carries(t: DuckDBType, carrier: Carrier): boolean {
  if (carrier !== 'string') return carrier.has(t.typeId);
  return t.typeId === DuckDBTypeId.VARCHAR && t.alias?.toUpperCase() !== 'JSON';
}

const isList = (t: DuckDBType) => t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY;

/** Whether a DuckDB result type can be sent as the PostgreSQL catalog type `pgOid`. */
export function carriesCatalogType(t: DuckDBType, pgOid: number): boolean {
  const scalar = SCALARS.get(pgOid);
  if (scalar) return carries(t, scalar.carrier);
  const elem = VECTORS.get(pgOid) ?? ARRAYS.get(pgOid);
  if (elem === undefined || !isList(t)) return false;
  const kind = elementKind(elem);
  return kind !== undefined && carries((t as DuckDBListType | DuckDBArrayType).valueType, kind.carrier);
}

/** pg_type.typlen of a type this module sends (RowDescription). */
export function catalogTypeLen(pgOid: number): number {
  return typeLen(pgOid);
}

interface ListValue {
  items: readonly DuckDBValue[];
}

/**
 * An encoder of a column of DuckDB type `t` as PostgreSQL type `pgOid` in `format`, or undefined
 * when `t` cannot carry it (the caller then uses the DuckDB type's own mapping).
 */
export function catalogEncoder(t: DuckDBType, pgOid: number, format: 0 | 1): ((chunk: DuckDBDataChunk, column: number) => FieldWriter) | undefined {
  if (!carriesCatalogType(t, pgOid)) return undefined;
  const field = fieldWriter(pgOid, format);
  const noBinary = format === 1 ? (SCALARS.get(pgOid) ?? elementKind(ARRAYS.get(pgOid) ?? VECTORS.get(pgOid) ?? 0))?.noBinary : undefined;
  return (chunk, column) => {
    const vector = DuckDBVector.create(duckdb.data_chunk_get_vector(chunk.chunk, column), chunk.rowCount, t);
    // A type without a binary form fails before any row of the chunk is written (as PostgreSQL
    // fails at the first row it would send).
    if (noBinary) for (let row = 0; row < chunk.rowCount; row++) if (vector.getItem(row) !== null) throw noBinary();
    return (w, row) => {
      const v = vector.getItem(row) as DuckDBValue;
      if (v === null) return void w.int32(-1);
      field(w, v);
    };
  };
}

function fieldWriter(pgOid: number, format: 0 | 1): (w: BufferWriter, v: DuckDBValue) => void {
  const scalar = SCALARS.get(pgOid);
  if (scalar) return format === 0 ? (w, v) => void w.lenString(scalar.text(v)) : withLength((w, v) => scalar.send(w, v));
  const vectorElem = VECTORS.get(pgOid);
  if (vectorElem !== undefined) {
    const kind = elementKind(vectorElem)!;
    if (format === 0) return (w, v) => void w.lenString((v as unknown as ListValue).items.map((i) => kind.text(i)).join(' '));
    return withLength((w, v) => sendArray(w, (v as unknown as ListValue).items, vectorElem, kind, 0));
  }
  const elem = ARRAYS.get(pgOid)!;
  const kind = elementKind(elem)!;
  if (format === 0)
    return (w, v) => void w.lenString('{' + (v as unknown as ListValue).items.map((i) => (i === null ? 'NULL' : quoteArrayElement(kind.text(i)))).join(',') + '}');
  return withLength((w, v) => sendArray(w, (v as unknown as ListValue).items, elem, kind, 1));
}

function withLength(body: (w: BufferWriter, v: DuckDBValue) => void): (w: BufferWriter, v: DuckDBValue) => void {
  return (w, v) => {
    const lenAt = w.pos;
    w.int32(0);
    body(w, v);
    w.buf.writeInt32BE(w.pos - lenAt - 4, lenAt);
  };
}

/**
 * array_send of a one-dimensional array. Vectors (lower bound 0) always have one dimension,
 * even when empty; an empty array has none.
 */
function sendArray(w: BufferWriter, items: readonly DuckDBValue[], elemOid: number, kind: ScalarKind, lowerBound: 0 | 1): void {
  const vector = lowerBound === 0;
  const ndim = items.length === 0 && !vector ? 0 : 1;
  w.int32(ndim).int32(items.some((i) => i === null) ? 1 : 0).uint32(elemOid);
  if (ndim === 0) return;
  w.int32(items.length).int32(lowerBound);
  for (const item of items) {
    if (item === null) {
      w.int32(-1);
      continue;
    }
    const lenAt = w.pos;
    w.int32(0);
    kind.send(w, item);
    w.buf.writeInt32BE(w.pos - lenAt - 4, lenAt);
  }
}
