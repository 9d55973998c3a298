/**
 * Row deletions (§13.3, §15): recording the rows a DELETE/UPDATE/MERGE statement removes, with
 * the extension's per-statement decisions (inlined rows end; few positions of a committed file
 * become inlined file deletions; a file losing every row ends; otherwise positions accumulate
 * for a delete file), and writing the delete files when the transaction commits.
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PgError, SqlState } from '../../errors/pg-error.js';
import { fromDuckDBError } from '../../errors/duckdb-errors.js';
import type { Lake } from '../lake.js';
import type { DataFileEntry, SchemaState, TableEntry } from '../catalog/model.js';
import { quoteIdent, quoteLiteral } from '../types.js';
import { uuidv7 } from '../../util/uuid.js';
import type { LakeTx, WrittenDeleteFile } from './tx.js';
import { TX_INLINED_FILE, type TxWorkspace } from './workspace.js';

export const DELETE_FILE_PATH_FIELD = 2147483646;
export const DELETE_POS_FIELD = 2147483645;
export const SNAPSHOT_ID_FIELD = 2147483539;

/** Columns of a staging table that identify the rows a statement affects. */
export const RID = '__lakegres_rid';
export const FILE = '__lakegres_file';
export const POS = '__lakegres_pos';

/** A committed data file as this session reads it. */
export interface CommittedFile extends DataFileEntry {
  uri: string;
  localPath: string;
  deleteUri: string | null;
  deleteLocalPath: string | null;
}

async function rows(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  try {
    return (await conn.runAndReadAll(sql)).getRows() as unknown[][];
  } catch (e) {
    throw fromDuckDBError(e, sql);
  }
}

async function run(conn: DuckDBConnection, sql: string): Promise<void> {
  try {
    await conn.run(sql);
  } catch (e) {
    throw fromDuckDBError(e, sql);
  }
}

/** Committed data files of a table at the transaction's base snapshot, by local path. */
export async function committedFiles(lake: Lake, state: SchemaState, table: TableEntry, snapshot: number): Promise<Map<string, CommittedFile>> {
  const out = new Map<string, CommittedFile>();
  if (table.id < 0) return out;
  const dir = lake.tableDir(state, table);
  for (const f of await lake.reader.dataFiles(lake.store, table.id, snapshot)) {
    const uri = lake.fileUri(dir, f.path, f.pathIsRelative);
    const deleteUri = f.deleteFile ? lake.fileUri(dir, f.deleteFile.path, f.deleteFile.pathIsRelative) : null;
    const entry: CommittedFile = { ...f, uri, localPath: await lake.objects.localPath(uri), deleteUri, deleteLocalPath: deleteUri ? await lake.objects.localPath(deleteUri) : null };
    out.set(entry.localPath, entry);
  }
  return out;
}

export interface RecordOptions {
  /** UPDATE and MERGE refuse to touch a row twice; DELETE ... USING may match it twice. */
  duplicates: 'allow' | 'refuse';
  inliningLimit: number;
  /** Local paths of the transaction's own data files (uri by path). */
  ownFiles: Map<string, string>;
}

/**
 * Records the deletion of the rows identified by `staging` (columns RID, FILE, POS) and returns
 * how many distinct rows that is.
 */
export async function recordDeletes(conn: DuckDBConnection, lake: Lake, tx: LakeTx, ws: TxWorkspace, table: TableEntry, staging: string, files: Map<string, CommittedFile>, opts: RecordOptions): Promise<number> {
  await ws.ensureDeleteTables(table.id);
  const perFile = await rows(conn, `SELECT ${FILE}, count(*), count(DISTINCT ${POS}) FROM ${staging} WHERE ${FILE} IS NOT NULL GROUP BY ${FILE} ORDER BY ${FILE}`);
  const inl = (await rows(conn, `SELECT count(*), count(DISTINCT ${RID}) FROM ${staging} WHERE ${FILE} IS NULL`))[0]!;
  const duplicated = perFile.some((r) => Number(r[1]) !== Number(r[2])) || Number(inl[0]) !== Number(inl[1]);
  if (duplicated && opts.duplicates === 'refuse') {
    throw new PgError(SqlState.cardinalityViolation, `a row of table "${table.name}" would be changed more than once by this statement`, {
      hint: 'Make sure that no more than one source row matches each target row.',
    });
  }
  let total = Number(inl[1]);
  const del = ws.deletesTable(table.id);
  const d = tx.deletesFor(table.id);
  for (const r of perFile) {
    const file = String(r[0]);
    const n = Number(r[2]);
    total += n;
    const lit = quoteLiteral(file);
    if (file === TX_INLINED_FILE) {
      const positions = (await rows(conn, `SELECT DISTINCT ${POS} FROM ${staging} WHERE ${FILE} = ${lit}`)).map((p) => Number(p[0]));
      tx.dropInlinedRows(table.id, new Set(positions));
      continue;
    }
    const ownUri = opts.ownFiles.get(file);
    if (ownUri !== undefined) {
      // The transaction's own file: positions go into a delete file registered with it.
      await run(conn, `INSERT INTO ${del} SELECT DISTINCT ${FILE}, ${POS}, false FROM ${staging} WHERE ${FILE} = ${lit} EXCEPT SELECT file, pos, false FROM ${del} WHERE file = ${lit}`);
      const deleted = Number((await rows(conn, `SELECT count(*) FROM ${del} WHERE file = ${lit}`))[0]![0]);
      const own = tx.appends.get(table.id)?.files.find((f) => f.uri === ownUri);
      if (own && deleted >= own.recordCount) {
        tx.dropAppendedFile(table.id, ownUri);
        await lake.objects.delete([ownUri]).catch(() => undefined);
        await run(conn, `DELETE FROM ${del} WHERE file = ${lit}`);
      } else if (own) own.deletedCount = deleted;
      continue;
    }
    const committed = files.get(file);
    if (!committed) throw new PgError(SqlState.internalError, `lakegres could not map a deleted row of table "${table.name}" to its data file`);
    if (opts.inliningLimit > 0 && n <= opts.inliningLimit) {
      const positions = (await rows(conn, `SELECT DISTINCT ${POS} FROM ${staging} WHERE ${FILE} = ${lit}`)).map((p) => Number(p[0]));
      let set = d.inlinedFileDeletes.get(committed.id);
      if (!set) d.inlinedFileDeletes.set(committed.id, (set = new Set()));
      for (const p of positions) set.add(p);
      await run(conn, `INSERT INTO ${del} SELECT DISTINCT ${FILE}, ${POS}, true FROM ${staging} WHERE ${FILE} = ${lit}`);
      continue;
    }
    // Existing deletions of the file (its delete file and this transaction's pending ones) plus these.
    const sources = [`SELECT pos FROM ${del} WHERE file = ${lit} AND NOT inl`, `SELECT ${POS} FROM ${staging} WHERE ${FILE} = ${lit}`];
    if (committed.deleteLocalPath) sources.push(`SELECT pos FROM read_parquet(${quoteLiteral(committed.deleteLocalPath)})`);
    const all = Number((await rows(conn, `SELECT count(*) FROM (${sources.join(' UNION ')})`))[0]![0]);
    if (all >= committed.recordCount) {
      d.fileDeletes.delete(committed.id);
      d.endedFiles.set(committed.id, committed);
      await run(conn, `INSERT INTO ${ws.endedTable(table.id)} VALUES (${lit})`);
      continue;
    }
    await run(conn, `INSERT INTO ${del} SELECT DISTINCT ${FILE}, ${POS}, false FROM ${staging} WHERE ${FILE} = ${lit}`);
    d.fileDeletes.set(committed.id, committed);
  }
  if (Number(inl[1]) > 0) {
    const ids = (await rows(conn, `SELECT DISTINCT ${RID} FROM ${staging} WHERE ${FILE} IS NULL`)).map((r) => Number(r[0]));
    for (const id of ids) d.inlinedRowIds.add(id);
    await run(conn, `INSERT INTO ${ws.deletedRowsTable(table.id)} SELECT DISTINCT ${RID} FROM ${staging} WHERE ${FILE} IS NULL`);
  }
  if (d.fileDeletes.size === 0 && d.endedFiles.size === 0 && d.inlinedFileDeletes.size === 0 && d.inlinedRowIds.size === 0) tx.deletes.delete(table.id);
  return total;
}

/**
 * Writes the delete files of a transaction for commit snapshot N: one per committed data file
 * with pending positions (snapshot-tagged when it replaces a visible delete file) and one per
 * own data file with deletions. Files are listed by descending data file id, as the extension
 * registers them.
 */
export async function writeDeleteFiles(conn: DuckDBConnection, lake: Lake, tx: LakeTx, ws: TxWorkspace, N: number): Promise<WrittenDeleteFile[]> {
  const out: WrittenDeleteFile[] = [];
  const state = tx.state;
  for (const [tableId, d] of tx.deletes) {
    const table = state.tables.get(tableId);
    if (!table || d.fileDeletes.size === 0) continue;
    const tableDir = lake.tableDir(state, table);
    const del = ws.deletesTable(tableId);
    for (const f of [...d.fileDeletes.values()].sort((a, b) => b.id - a.id) as CommittedFile[]) {
      const lit = quoteLiteral(f.localPath);
      const fresh = `SELECT pos, ${N}::BIGINT AS snap FROM ${del} WHERE file = ${lit} AND NOT inl`;
      let query: string;
      let tagged = false;
      if (f.deleteFile && f.deleteLocalPath) {
        tagged = true;
        const hasTags = Number((await rows(conn, `SELECT count(*) FROM parquet_schema(${quoteLiteral(f.deleteLocalPath)}) WHERE name = '_ducklake_internal_snapshot_id'`))[0]![0]) > 0;
        const old = hasTags
          ? `SELECT pos, _ducklake_internal_snapshot_id AS snap FROM read_parquet(${quoteLiteral(f.deleteLocalPath)})`
          : `SELECT pos, ${f.deleteFile.beginSnapshot}::BIGINT AS snap FROM read_parquet(${quoteLiteral(f.deleteLocalPath)})`;
        query = `SELECT ${quoteLiteral(f.uri)} AS file_path, pos, min(snap) AS _ducklake_internal_snapshot_id FROM (${old} UNION ALL ${fresh}) GROUP BY pos ORDER BY pos`;
      } else {
        query = `SELECT DISTINCT ${quoteLiteral(f.uri)} AS file_path, pos FROM (${fresh}) ORDER BY pos`;
      }
      const written = await writeOne(conn, lake, tableDir, query, tagged);
      out.push({
        dataFileId: f.id,
        dataFileUri: null,
        tableId,
        ...written,
        supersedes:
          f.deleteFile && f.deleteUri
            ? { id: f.deleteFile.id, pathFromDataRoot: relativeToRoot(lake, f.deleteUri), pathIsRelative: true }
            : null,
      });
    }
  }
  for (const [tableId, a] of tx.appends) {
    const table = state.tables.get(tableId);
    if (!table) continue;
    for (const f of a.files) {
      if (!f.deletedCount) continue;
      const local = await lake.objects.localPath(f.uri);
      const query = `SELECT DISTINCT ${quoteLiteral(f.uri)} AS file_path, pos FROM ${ws.deletesTable(tableId)} WHERE file = ${quoteLiteral(local)} ORDER BY pos`;
      const written = await writeOne(conn, lake, lake.tableDir(state, table), query, false);
      out.push({ dataFileId: null, dataFileUri: f.uri, tableId, ...written, supersedes: null });
    }
  }
  return out;
}

async function writeOne(
  conn: DuckDBConnection,
  lake: Lake,
  tableDir: string,
  query: string,
  tagged: boolean,
): Promise<Pick<WrittenDeleteFile, 'path' | 'uri' | 'deleteCount' | 'fileSizeBytes' | 'footerSize' | 'beginSnapshot' | 'partialMax'>> {
  const name = `ducklake-${uuidv7()}-delete.parquet`;
  const uri = tableDir + name;
  const stagingDir = await lake.objects.stagingPath(uri);
  const local = stagingDir.endsWith('/') ? path.join(stagingDir, name) : stagingDir;
  await mkdir(path.dirname(local), { recursive: true });
  const fieldIds = `{file_path: ${DELETE_FILE_PATH_FIELD}, pos: ${DELETE_POS_FIELD}${tagged ? `, _ducklake_internal_snapshot_id: ${SNAPSHOT_ID_FIELD}` : ''}}`;
  const r = await rows(conn, `COPY (${query}) TO ${quoteLiteral(local)} (FORMAT parquet, FIELD_IDS ${fieldIds}, RETURN_STATS)`);
  const row = r[0] ?? [];
  let beginSnapshot: number | null = null;
  let partialMax: number | null = null;
  if (tagged) {
    const [lo, hi] = (await rows(conn, `SELECT min(_ducklake_internal_snapshot_id), max(_ducklake_internal_snapshot_id) FROM read_parquet(${quoteLiteral(local)})`))[0]!;
    beginSnapshot = Number(lo);
    partialMax = Number(hi);
  }
  await lake.objects.publish(local, uri);
  return { path: name, uri, deleteCount: Number(row[1]), fileSizeBytes: Number(row[2]), footerSize: Number(row[3]), beginSnapshot, partialMax };
}

/** A data path relative URI as the extension records it in files_scheduled_for_deletion. */
function relativeToRoot(lake: Lake, uri: string): string {
  const root = lake.objects.root;
  return uri.startsWith(root) ? uri.slice(root.length) : uri;
}

