/**
 * Types of the emulated catalog's columns: which DuckDB type holds each PostgreSQL catalog
 * column type (as format_type prints it).
 *
 * oid and every reg* type are UINTEGER (PostgreSQL OIDs are unsigned 32-bit); oidvector and
 * int2vector are lists (so `= ANY`, unnest and subscripts work); name, "char", text-like and
 * information_schema domains are VARCHAR; ACLs and node trees are NULL text.
 */
const SCALAR: Record<string, string> = {
  oid: 'UINTEGER',
  xid: 'UINTEGER',
  cid: 'UINTEGER',
  xid8: 'UBIGINT',
  boolean: 'BOOLEAN',
  smallint: 'SMALLINT',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  real: 'FLOAT',
  'double precision': 'DOUBLE',
  numeric: 'DOUBLE',
  text: 'VARCHAR',
  name: 'VARCHAR',
  '"char"': 'VARCHAR',
  'character varying': 'VARCHAR',
  inet: 'VARCHAR',
  pg_lsn: 'VARCHAR',
  pg_node_tree: 'VARCHAR',
  aclitem: 'VARCHAR',
  anyarray: 'VARCHAR',
  pg_ndistinct: 'VARCHAR',
  pg_dependencies: 'VARCHAR',
  pg_mcv_list: 'VARCHAR',
  bytea: 'BLOB',
  interval: 'INTERVAL',
  'timestamp with time zone': 'TIMESTAMPTZ',
  'information_schema.sql_identifier': 'VARCHAR',
  'information_schema.character_data': 'VARCHAR',
  'information_schema.yes_or_no': 'VARCHAR',
  'information_schema.cardinal_number': 'INTEGER',
  'information_schema.time_stamp': 'TIMESTAMPTZ',
  oidvector: 'UINTEGER[]',
  int2vector: 'SMALLINT[]',
};

/** DuckDB type of a catalog column of PostgreSQL type `pgType` (format_type's spelling). */
export function duckTypeOfPg(pgType: string): string {
  let t = pgType.trim();
  if (/^reg[a-z]*$/.test(t)) return 'UINTEGER';
  if (/^reg[a-z]*\[\]$/.test(t)) return 'UINTEGER[]';
  const cv = /^character varying\(\d+\)$/.exec(t);
  if (cv) t = 'character varying';
  if (t.endsWith('[]')) {
    const inner = t.slice(0, -2);
    if (inner === 'aclitem' || inner === 'pg_statistic') return 'VARCHAR[]';
    return `${duckTypeOfPg(inner)}[]`;
  }
  const s = SCALAR[t];
  if (!s) throw new Error(`no DuckDB type for catalog column type ${pgType}`);
  return s;
}
