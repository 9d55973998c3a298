/**
 * How each DuckDB type is presented to PostgreSQL clients (type OID and typmod), and the
 * reverse mapping used for parameter types and for casts the client asks for.
 * The choices are documented in docs/PROTOCOL.md.
 */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { Oid, arrayOidOf, typeLen } from './pg-types.js';
import { carriesCatalogType } from './catalog-types.js';

export interface PgColumnType {
  oid: number;
  typmod: number;
  len: number;
}

const scalarOid = new Map<number, number>([
  [DuckDBTypeId.BOOLEAN, Oid.bool],
  [DuckDBTypeId.TINYINT, Oid.int2],
  [DuckDBTypeId.SMALLINT, Oid.int2],
  [DuckDBTypeId.INTEGER, Oid.int4],
  [DuckDBTypeId.BIGINT, Oid.int8],
  [DuckDBTypeId.UTINYINT, Oid.int2],
  [DuckDBTypeId.USMALLINT, Oid.int4],
  [DuckDBTypeId.UINTEGER, Oid.int8],
  [DuckDBTypeId.UBIGINT, Oid.numeric],
  [DuckDBTypeId.HUGEINT, Oid.numeric],
  [DuckDBTypeId.UHUGEINT, Oid.numeric],
  [DuckDBTypeId.BIGNUM, Oid.numeric],
  [DuckDBTypeId.FLOAT, Oid.float4],
  [DuckDBTypeId.DOUBLE, Oid.float8],
  [DuckDBTypeId.DECIMAL, Oid.numeric],
  [DuckDBTypeId.VARCHAR, Oid.text],
  [DuckDBTypeId.BLOB, Oid.bytea],
  [DuckDBTypeId.DATE, Oid.date],
  [DuckDBTypeId.TIME, Oid.time],
  [DuckDBTypeId.TIME_NS, Oid.time],
  [DuckDBTypeId.TIME_TZ, Oid.timetz],
  [DuckDBTypeId.TIMESTAMP, Oid.timestamp],
  [DuckDBTypeId.TIMESTAMP_S, Oid.timestamp],
  [DuckDBTypeId.TIMESTAMP_MS, Oid.timestamp],
  [DuckDBTypeId.TIMESTAMP_NS, Oid.timestamp],
  [DuckDBTypeId.TIMESTAMP_TZ, Oid.timestamptz],
  [DuckDBTypeId.INTERVAL, Oid.interval],
  [DuckDBTypeId.UUID, Oid.uuid],
  [DuckDBTypeId.ENUM, Oid.text],
  [DuckDBTypeId.BIT, Oid.varbit],
  [DuckDBTypeId.STRUCT, Oid.json],
  [DuckDBTypeId.MAP, Oid.json],
  [DuckDBTypeId.UNION, Oid.json],
  [DuckDBTypeId.VARIANT, Oid.json],
  [DuckDBTypeId.GEOMETRY, Oid.text],
  [DuckDBTypeId.SQLNULL, Oid.text],
  [DuckDBTypeId.STRING_LITERAL, Oid.text],
  [DuckDBTypeId.INTEGER_LITERAL, Oid.int4],
  [DuckDBTypeId.ANY, Oid.text],
  [DuckDBTypeId.INVALID, Oid.text],
]);

/** The innermost element type of nested LIST/ARRAY types. */
export function innermostElement(t: DuckDBType): DuckDBType {
  let cur = t;
  while (cur.typeId === DuckDBTypeId.LIST || cur.typeId === DuckDBTypeId.ARRAY) cur = (cur as { valueType: DuckDBType }).valueType;
  return cur;
}

export function isJsonAlias(t: DuckDBType): boolean {
  return t.typeId === DuckDBTypeId.VARCHAR && t.alias?.toUpperCase() === 'JSON';
}

function scalarTypeOf(t: DuckDBType): number {
  if (isJsonAlias(t)) return Oid.json;
  return scalarOid.get(t.typeId) ?? Oid.text;
}

export function pgTypeOf(t: DuckDBType): PgColumnType {
  if (t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY) {
    const inner = innermostElement(t);
    const elem = scalarTypeOf(inner);
    const oid = arrayOidOf(elem) || 1009;
    // Like a numeric(10,2)[] column, an array carries the typmod of its elements.
    return { oid, typmod: typmodOf(inner), len: -1 };
  }
  const oid = scalarTypeOf(t);
  return { oid, typmod: typmodOf(t), len: typeLen(oid) };
}

/**
 * The type a result column is sent as: `pgOid` (the PostgreSQL type the client's statement gives
 * the column, e.g. oid or name for a catalog column) when the DuckDB type carries it
 * (types/catalog-types.ts), else the DuckDB type's own mapping.
 */
export function pgColumnType(t: DuckDBType, pgOid: number | undefined, typmod = -1): PgColumnType {
  const own = pgTypeOf(t);
  if (pgOid === undefined || pgOid === own.oid || !carriesCatalogType(t, pgOid)) return own;
  return { oid: pgOid, typmod, len: typeLen(pgOid) };
}

function typmodOf(t: DuckDBType): number {
  let typmod = -1;
  if (t.typeId === DuckDBTypeId.DECIMAL) {
    const d = t as unknown as { width: number; scale: number };
    typmod = ((d.width << 16) | d.scale) + 4;
  } else if (t.typeId === DuckDBTypeId.TIMESTAMP_S) typmod = 0;
  else if (t.typeId === DuckDBTypeId.TIMESTAMP_MS) typmod = 3;
  return typmod;
}

/** DuckDB SQL type used to cast a parameter the client declared with a PostgreSQL OID. */
export function duckTypeNameForOid(oid: number): string | undefined {
  switch (oid) {
    case Oid.bool:
      return 'BOOLEAN';
    case Oid.int2:
      return 'SMALLINT';
    case Oid.int4:
      return 'INTEGER';
    case Oid.int8:
      return 'BIGINT';
    case Oid.oid:
    case Oid.regclass:
    case Oid.regtype:
    case Oid.regproc:
    case Oid.xid:
      return 'UINTEGER';
    case Oid.float4:
      return 'FLOAT';
    case Oid.float8:
      return 'DOUBLE';
    case Oid.numeric:
      return 'DECIMAL(38,10)';
    case Oid.text:
    case Oid.varchar:
    case Oid.bpchar:
    case Oid.name:
    case Oid.char:
    case Oid.xml:
      return 'VARCHAR';
    case Oid.json:
    case Oid.jsonb:
      return 'JSON';
    case Oid.bytea:
      return 'BLOB';
    case Oid.date:
      return 'DATE';
    case Oid.time:
      return 'TIME';
    case Oid.timetz:
      return 'TIMETZ';
    case Oid.timestamp:
      return 'TIMESTAMP';
    case Oid.timestamptz:
      return 'TIMESTAMPTZ';
    case Oid.interval:
      return 'INTERVAL';
    case Oid.uuid:
      return 'UUID';
    case Oid.bit:
    case Oid.varbit:
      return 'BIT';
    default: {
      const elem = elementOfArrayOid(oid);
      if (elem !== undefined) {
        const inner = duckTypeNameForOid(elem);
        return inner ? `${inner}[]` : undefined;
      }
      return undefined;
    }
  }
}

const arrayToElem = new Map<number, number>();
for (const elem of [16, 17, 18, 19, 20, 21, 23, 25, 26, 114, 700, 701, 1042, 1043, 1082, 1083, 1114, 1184, 1186, 1266, 1560, 1562, 1700, 2950, 3802]) {
  arrayToElem.set(arrayOidOf(elem), elem);
}

export function elementOfArrayOid(oid: number): number | undefined {
  return arrayToElem.get(oid);
}
