/** The PostgreSQL types lakegres sends and accepts, with their catalog facts. */

export interface PgTypeInfo {
  oid: number;
  name: string;
  /** pg_type.typlen: bytes for fixed-width types, -1 for varlena. */
  len: number;
  /** OID of the array type whose elements are this type (0 if none). */
  arrayOid: number;
  /** For array types: the element OID. */
  elemOid?: number;
  /** pg_type.typcategory */
  category: string;
}

export const Oid = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  regproc: 24,
  text: 25,
  oid: 26,
  xid: 28,
  cid: 29,
  json: 114,
  pgNodeTree: 194,
  xml: 142,
  float4: 700,
  float8: 701,
  unknown: 705,
  money: 790,
  aclitem: 1033,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  bit: 1560,
  varbit: 1562,
  numeric: 1700,
  regclass: 2205,
  regtype: 2206,
  record: 2249,
  anyarray: 2277,
  void: 2278,
  uuid: 2950,
  jsonb: 3802,
  int2vector: 22,
  oidvector: 30,
  regnamespace: 4089,
  regrole: 4096,
} as const;

const base: [number, string, number, number, string][] = [
  // oid, name, len, array oid, category
  [16, 'bool', 1, 1000, 'B'],
  [17, 'bytea', -1, 1001, 'U'],
  [18, 'char', 1, 1002, 'Z'],
  [19, 'name', 64, 1003, 'S'],
  [20, 'int8', 8, 1016, 'N'],
  [21, 'int2', 2, 1005, 'N'],
  [22, 'int2vector', -1, 1006, 'A'],
  [23, 'int4', 4, 1007, 'N'],
  [24, 'regproc', 4, 1008, 'N'],
  [25, 'text', -1, 1009, 'S'],
  [26, 'oid', 4, 1028, 'N'],
  [28, 'xid', 4, 1011, 'U'],
  [29, 'cid', 4, 1012, 'U'],
  [30, 'oidvector', -1, 1013, 'A'],
  [114, 'json', -1, 199, 'U'],
  [142, 'xml', -1, 143, 'U'],
  [194, 'pg_node_tree', -1, 0, 'Z'],
  [700, 'float4', 4, 1021, 'N'],
  [701, 'float8', 8, 1022, 'N'],
  [705, 'unknown', -2, 0, 'X'],
  [790, 'money', 8, 791, 'N'],
  [1033, 'aclitem', 16, 1034, 'U'],
  [1042, 'bpchar', -1, 1014, 'S'],
  [1043, 'varchar', -1, 1015, 'S'],
  [1082, 'date', 4, 1182, 'D'],
  [1083, 'time', 8, 1183, 'D'],
  [1114, 'timestamp', 8, 1115, 'D'],
  [1184, 'timestamptz', 8, 1185, 'D'],
  [1186, 'interval', 16, 1187, 'T'],
  [1266, 'timetz', 12, 1270, 'D'],
  [1560, 'bit', -1, 1561, 'V'],
  [1562, 'varbit', -1, 1563, 'V'],
  [1700, 'numeric', -1, 1231, 'N'],
  [2205, 'regclass', 4, 2210, 'N'],
  [2206, 'regtype', 4, 2211, 'N'],
  [2249, 'record', -1, 2287, 'P'],
  [2277, 'anyarray', -1, 0, 'P'],
  [2278, 'void', 4, 0, 'P'],
  [2950, 'uuid', 16, 2951, 'U'],
  [3802, 'jsonb', -1, 3807, 'U'],
  [4089, 'regnamespace', 4, 4090, 'N'],
  [4096, 'regrole', 4, 4097, 'N'],
];

const byOid = new Map<number, PgTypeInfo>();
const byName = new Map<string, PgTypeInfo>();
for (const [oid, name, len, arrayOid, category] of base) {
  const info: PgTypeInfo = { oid, name, len, arrayOid, category };
  byOid.set(oid, info);
  byName.set(name, info);
  if (arrayOid) {
    const arr: PgTypeInfo = { oid: arrayOid, name: `_${name}`, len: -1, arrayOid: 0, elemOid: oid, category: 'A' };
    byOid.set(arrayOid, arr);
    byName.set(arr.name, arr);
  }
}

export const pgTypeByOid = (oid: number): PgTypeInfo | undefined => byOid.get(oid);
export const pgTypeByName = (name: string): PgTypeInfo | undefined => byName.get(name);
export const allPgTypes = (): PgTypeInfo[] => [...byOid.values()];

export function arrayOidOf(elemOid: number): number {
  return byOid.get(elemOid)?.arrayOid ?? 0;
}

/** pg_type.typlen of an OID (-1 when unknown, i.e. variable length). */
export function typeLen(oid: number): number {
  return byOid.get(oid)?.len ?? -1;
}
