/**
 * The SQL of the DuckDB view that presents one lake table at one snapshot (the reader
 * algorithm of the DuckLake spec §10 expressed as a query):
 *
 *   Parquet data files, columns matched by field id (renames, added columns with their
 *   initial default, dropped columns and promoted types handled by read_parquet's `schema`),
 *   minus deleted positions (delete files, snapshot-tagged delete files, inlined deletions),
 *   minus rows of partial files newer than the snapshot,
 *   plus rows inlined in the catalog (mirrored into DuckDB),
 *   with the virtual columns rowid, snapshot_id, filename and file_row_number.
 */
import { duckType, quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';
import type { DataFileEntry } from '../catalog/model.js';

export const ROW_ID_FIELD = 2147483540;
export const SNAPSHOT_ID_FIELD = 2147483539;

export interface InlinedSource {
  /** Fully qualified DuckDB name of the mirror table. */
  relation: string;
  /** Columns of that inlined table, by name, with the current column they feed (by column id). */
  columns: { name: string; id: number | undefined }[];
}

export interface TableViewInput {
  snapshot: number;
  columns: LakeColumn[];
  files: (DataFileEntry & { localPath: string; deleteLocalPath: string | null; deleteTagged: boolean })[];
  inlined: InlinedSource[];
  /** Mirror of ducklake_inlined_delete_<T> (file_id, row_id, begin_snapshot), if the table has one. */
  inlinedDeletes: string | null;
}

const VIRTUAL = ['rowid', 'snapshot_id', 'filename', 'file_row_number'] as const;
export const VIRTUAL_COLUMNS: readonly string[] = VIRTUAL;

const colAlias = (id: number) => `"__c${id}"`;

function initialDefault(col: LakeColumn): string {
  if (col.initialDefault === null) return `NULL::${duckType(col)}`;
  return `CAST(${quoteLiteral(col.initialDefault)} AS ${duckType(col)})`;
}

/** SELECT producing the table's columns (aliased __c<id>) plus virtual columns. */
export function tableViewSql(input: TableViewInput): string {
  const branches: string[] = [];
  const cols = input.columns;
  const userOut = cols.map((c) => `${colAlias(c.id)} AS ${quoteIdent(c.name)}`).join(', ');
  const parquet = parquetBranch(input);
  if (parquet) branches.push(parquet);
  for (const inl of input.inlined) branches.push(inlinedBranch(input, inl));
  if (branches.length === 0) {
    // An empty table still has a shape.
    const nulls = cols.map((c) => `NULL::${duckType(c)} AS ${colAlias(c.id)}`).join(', ');
    branches.push(`SELECT ${nulls}, NULL::BIGINT AS rowid, NULL::BIGINT AS snapshot_id, NULL::VARCHAR AS filename, NULL::BIGINT AS file_row_number WHERE false`);
  }
  return `SELECT ${userOut}, rowid, snapshot_id, filename, file_row_number FROM (${branches.join('\nUNION ALL\n')})`;
}

function listLiteral(values: (string | number | null)[], type: string): string {
  return `CAST([${values.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : quoteLiteral(v))).join(', ')}] AS ${type}[])`;
}

function parquetBranch(input: TableViewInput): string | undefined {
  const files = input.files;
  if (files.length === 0) return undefined;
  const S = input.snapshot;
  // default_value is text (read_parquet casts it to the column type), so the map's values share one type.
  const textDefault = (c: LakeColumn) => (c.initialDefault === null ? 'NULL::VARCHAR' : quoteLiteral(c.initialDefault));
  const schemaEntries = input.columns.map((c) => `${c.id}: {name: '__c${c.id}', type: ${quoteLiteral(duckType(c))}, default_value: ${textDefault(c)}}`);
  schemaEntries.push(`${ROW_ID_FIELD}: {name: '__rid', type: 'BIGINT', default_value: NULL::VARCHAR}`);
  schemaEntries.push(`${SNAPSHOT_ID_FIELD}: {name: '__snap', type: 'BIGINT', default_value: NULL::VARCHAR}`);
  const paths = listLiteral(
    files.map((f) => f.localPath),
    'VARCHAR',
  );
  const keyed = files.some((f) => f.encryptionKey);
  if (keyed) return encryptedBranches(input);
  const starts = listLiteral(
    files.map((f) => f.rowIdStart),
    'BIGINT',
  );
  const begins = listLiteral(
    files.map((f) => f.beginSnapshot),
    'BIGINT',
  );
  const needsPartialFilter = files.some((f) => f.partialMax !== null && f.partialMax > S);
  // With `schema`, read_parquet estimates no cardinality, which leaves the join optimizer blind.
  const rowsInFiles = files.reduce((n, f) => n + f.recordCount, 0);
  const scan = `read_parquet(${paths}, schema = MAP {${schemaEntries.join(', ')}}, explicit_cardinality = ${rowsInFiles}, file_row_number = true)`;
  const deletes = deleteRelation(input);
  const where: string[] = [];
  if (needsPartialFilter) where.push(`(d.__snap IS NULL OR d.__snap <= ${S})`);
  const select = `SELECT ${input.columns.map((c) => `d.${colAlias(c.id)}`).join(', ')},
    COALESCE(d.__rid, list_extract(${starts}, CAST(d.file_index AS BIGINT) + 1) + d.file_row_number) AS rowid,
    COALESCE(d.__snap, list_extract(${begins}, CAST(d.file_index AS BIGINT) + 1)) AS snapshot_id,
    d.filename AS filename, d.file_row_number AS file_row_number
  FROM ${scan} AS d`;
  const join = deletes ? `\n  ANTI JOIN (${deletes}) AS del ON d.file_index = del.fi AND d.file_row_number = del.pos` : '';
  return `${select}${join}${where.length ? `\n  WHERE ${where.join(' AND ')}` : ''}`;
}

/** Deleted (file index, position) pairs at the snapshot, from every delete source. */
function deleteRelation(input: TableViewInput): string | undefined {
  const S = input.snapshot;
  const parts: string[] = [];
  const plain = input.files.map((f, i) => ({ f, i })).filter(({ f }) => f.deleteLocalPath && !f.deleteTagged);
  const tagged = input.files.map((f, i) => ({ f, i })).filter(({ f }) => f.deleteLocalPath && f.deleteTagged);
  const group = (entries: { f: (typeof input.files)[number]; i: number }[], withTag: boolean) => {
    const delPaths = listLiteral(
      entries.map(({ f }) => f.deleteLocalPath),
      'VARCHAR',
    );
    const targets = listLiteral(
      entries.map(({ i }) => i),
      'UBIGINT',
    );
    const cols = withTag ? 'pos, _ducklake_internal_snapshot_id' : 'pos';
    const filter = withTag ? ` WHERE _ducklake_internal_snapshot_id <= ${S}` : '';
    return `SELECT list_extract(${targets}, CAST(file_index AS BIGINT) + 1) AS fi, pos FROM (SELECT file_index, ${cols} FROM read_parquet(${delPaths}))${filter}`;
  };
  if (plain.length) parts.push(group(plain, false));
  if (tagged.length) parts.push(group(tagged, true));
  if (input.inlinedDeletes) {
    const ids = new Map(input.files.map((f, i) => [f.id, i]));
    const fileIds = listLiteral([...ids.keys()], 'BIGINT');
    const indexes = listLiteral([...ids.values()], 'UBIGINT');
    parts.push(
      `SELECT list_extract(${indexes}, list_position(${fileIds}, file_id)) AS fi, row_id AS pos FROM ${input.inlinedDeletes} WHERE begin_snapshot <= ${S} AND list_contains(${fileIds}, file_id)`,
    );
  }
  return parts.length ? parts.join(' UNION ALL ') : undefined;
}

/** Encrypted files carry one key each, so each is read on its own. */
function encryptedBranches(input: TableViewInput): string {
  const parts = input.files.map((f, i) => {
    const sub: TableViewInput = { ...input, files: [{ ...f, encryptionKey: null }], inlined: [], inlinedDeletes: null };
    let sql = parquetBranch(sub)!;
    const cfg = f.encryptionKey ? `, encryption_config = {footer_key_value: from_base64(${quoteLiteral(f.encryptionKey)})}` : '';
    sql = sql.replace(', file_row_number = true)', `, file_row_number = true${cfg})`);
    void i;
    return sql;
  });
  return parts.join('\nUNION ALL\n');
}

function inlinedBranch(input: TableViewInput, src: InlinedSource): string {
  const S = input.snapshot;
  const byId = new Map<number, string>();
  for (const c of src.columns) if (c.id !== undefined) byId.set(c.id, c.name);
  const exprs = input.columns.map((c) => {
    const name = byId.get(c.id);
    if (name === undefined) return `${initialDefault(c)} AS ${colAlias(c.id)}`;
    return `CAST(${quoteIdent(name)} AS ${duckType(c)}) AS ${colAlias(c.id)}`;
  });
  return `SELECT ${exprs.join(', ')}, row_id AS rowid, begin_snapshot AS snapshot_id, NULL::VARCHAR AS filename, NULL::BIGINT AS file_row_number
  FROM ${src.relation} WHERE begin_snapshot <= ${S} AND (end_snapshot IS NULL OR end_snapshot > ${S})`;
}

/**
 * All rows physically in the given files (no deletes, no snapshot filter), with columns
 * __c<id>, rowid, snapshot_id, file_index and file_row_number. Used by the change feed.
 */
export function fileScanSql(columns: LakeColumn[], files: { localPath: string; rowIdStart: number | null; beginSnapshot: number }[]): string {
  const textDefault = (c: LakeColumn) => (c.initialDefault === null ? 'NULL::VARCHAR' : quoteLiteral(c.initialDefault));
  const schemaEntries = columns.map((c) => `${c.id}: {name: '__c${c.id}', type: ${quoteLiteral(duckType(c))}, default_value: ${textDefault(c)}}`);
  schemaEntries.push(`${ROW_ID_FIELD}: {name: '__rid', type: 'BIGINT', default_value: NULL::VARCHAR}`);
  schemaEntries.push(`${SNAPSHOT_ID_FIELD}: {name: '__snap', type: 'BIGINT', default_value: NULL::VARCHAR}`);
  const paths = listLiteral(files.map((f) => f.localPath), 'VARCHAR');
  const starts = listLiteral(files.map((f) => f.rowIdStart), 'BIGINT');
  const begins = listLiteral(files.map((f) => f.beginSnapshot), 'BIGINT');
  return `SELECT ${columns.map((c) => `d.${colAlias(c.id)}`).join(', ')},
    COALESCE(d.__rid, list_extract(${starts}, CAST(d.file_index AS BIGINT) + 1) + d.file_row_number) AS rowid,
    COALESCE(d.__snap, list_extract(${begins}, CAST(d.file_index AS BIGINT) + 1)) AS snapshot_id,
    CAST(d.file_index AS BIGINT) AS file_index, d.file_row_number AS file_row_number
  FROM read_parquet(${paths}, schema = MAP {${schemaEntries.join(', ')}}, file_row_number = true) AS d`;
}
