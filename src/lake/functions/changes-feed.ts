/**
 * ducklake_table_insertions / _deletions / _changes (§10.6): rows inserted or deleted between
 * two snapshots (inclusive), with snapshot_id and rowid; changes pairs an insertion and a
 * deletion of the same rowid in the same snapshot as an update.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { RewriteContext } from '../sql/rewrite.js';
import { findTableByName } from './index.js';
import { duckType, quoteIdent, type LakeColumn } from '../types.js';
import { fileScanSql } from '../read/table-view.js';
import { readInlinedRowsWhere, inlinedDeleteTables } from '../catalog/inlined.js';
import { inlinedLayout, inlinedValuesSql } from '../read/inlined-relation.js';
import { TaggedDeleteCache } from '../read/tagged-deletes.js';

const tagged = new TaggedDeleteCache();

async function resolveRange(ctx: RewriteContext, start: unknown, end: unknown): Promise<[number, number]> {
  const lake = ctx.runtime.lake;
  const isNum = (v: unknown) => typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'string' && /^\d+$/.test(v));
  if (isNum(start) && isNum(end)) return [Number(start), Number(end)];
  const lo = await lake.store.query(`SELECT MIN(snapshot_id) AS id FROM ${lake.store.schemaSql}.ducklake_snapshot WHERE snapshot_time >= CAST($1 AS TIMESTAMPTZ)`, [String(start)]);
  const hi = await lake.reader.snapshotAtTime(lake.store, String(end));
  if (lo[0]?.id === null || lo[0]?.id === undefined) throw new PgError(SqlState.invalidParameterValue, `No snapshot found at or after ${String(start)}`);
  return [Number(lo[0].id), hi.id];
}

export async function tableChangesSql(ctx: RewriteContext, schema: string, tableName: string, start: unknown, end: unknown, kind: 'insertions' | 'deletions' | 'changes'): Promise<string> {
  const lake = ctx.runtime.lake;
  const m = lake.store.schemaSql;
  const [A, B] = await resolveRange(ctx, start, end);
  if (A > B) throw new PgError(SqlState.invalidParameterValue, `start snapshot ${A} is after end snapshot ${B}`);
  const endSnap = await lake.reader.snapshot(lake.store, B);
  const state = await lake.schemaState(endSnap);
  const table = findTableByName(state, schema, tableName);
  const cols = table.columns;
  const dir = lake.tableDir(state, table);
  const out = (alias: string) => cols.map((c) => `${alias}."__c${c.id}" AS ${quoteIdent(c.name)}`).join(', ');

  // Every data file of the table that existed at some point up to B.
  const fileRows = await lake.store.query(
    `SELECT data_file_id, path, path_is_relative, row_id_start, begin_snapshot, end_snapshot, partial_max, record_count FROM ${m}.ducklake_data_file WHERE table_id = $1 AND begin_snapshot <= $2 ORDER BY data_file_id`,
    [table.id, B],
  );
  const deleteRows = await lake.store.query(
    `SELECT data_file_id, path, path_is_relative, begin_snapshot FROM ${m}.ducklake_delete_file WHERE table_id = $1 AND begin_snapshot <= $2 ORDER BY data_file_id, begin_snapshot`,
    [table.id, B],
  );
  const fileUri = (r: Record<string, unknown>) => lake.fileUri(dir, String(r.path), r.path_is_relative !== false);
  await ctx.ensureLocal([...fileRows, ...deleteRows].map(fileUri));
  const files = [];
  for (const r of fileRows) {
    files.push({
      id: Number(r.data_file_id),
      localPath: await lake.objects.localPath(fileUri(r)),
      rowIdStart: r.row_id_start === null ? null : Number(r.row_id_start),
      beginSnapshot: Number(r.begin_snapshot),
      endSnapshot: r.end_snapshot === null ? null : Number(r.end_snapshot),
      partialMax: r.partial_max === null ? null : Number(r.partial_max),
    });
  }
  const inlinedIns: string[] = [];
  const inlinedDel: string[] = [];
  for (const ref of table.inlined) {
    const layout = await inlinedLayout(lake, lake.store, table, ref.name, ref.schemaVersion);
    const select = (rel: string, snapExpr: string) => `SELECT ${cols.map((c) => inlinedColumn(c, layout)).join(', ')}, row_id AS rowid, ${snapExpr} AS snapshot_id FROM (${rel})`;
    const ins = await readInlinedRowsWhere(lake.store, lake.store.kind, m, ref.name, layout, 'begin_snapshot BETWEEN $1 AND $2', [A, B]);
    if (ins.length) inlinedIns.push(select(inlinedValuesSql(lake.store.kind, layout, ins), 'begin_snapshot'));
    const del = await readInlinedRowsWhere(lake.store, lake.store.kind, m, ref.name, layout, 'end_snapshot BETWEEN $1 AND $2', [A, B]);
    if (del.length) inlinedDel.push(select(inlinedValuesSql(lake.store.kind, layout, del), 'end_snapshot'));
  }

  // Insertions: rows of files written in [A, B] (partial files: rows whose own snapshot is in range).
  const insFiles = files.filter((f) => f.beginSnapshot >= A || (f.partialMax !== null && f.partialMax >= A));
  const insParts: string[] = [];
  if (insFiles.length) insParts.push(`SELECT ${out('s')}, s.rowid, s.snapshot_id FROM (${fileScanSql(cols, insFiles)}) s WHERE s.snapshot_id BETWEEN ${A} AND ${B}`);
  for (const q of inlinedIns) insParts.push(`SELECT ${cols.map((c) => quoteIdent(c.name)).join(", ")}, rowid, snapshot_id FROM (${q})`);

  // Deletions: positions from delete files and inlined deletions with a deletion snapshot in [A, B],
  // whole files ended in [A, B], inlined rows ended in [A, B].
  const delParts: string[] = [];
  const positionSources: string[] = [];
  const conn = ctx.parserConn;
  const fileIndex = new Map(files.map((f, i) => [f.id, i]));
  for (const d of deleteRows) {
    const idx = fileIndex.get(Number(d.data_file_id));
    if (idx === undefined) continue;
    const path = await lake.objects.localPath(fileUri(d));
    const begin = Number(d.begin_snapshot);
    if (await tagged.isTagged(conn, path)) {
      positionSources.push(`SELECT ${idx}::BIGINT AS fi, pos, _ducklake_internal_snapshot_id AS dsnap FROM read_parquet('${path.replace(/'/g, "''")}') WHERE _ducklake_internal_snapshot_id BETWEEN ${A} AND ${B}`);
    } else if (begin >= A) {
      positionSources.push(`SELECT ${idx}::BIGINT AS fi, pos, ${begin}::BIGINT AS dsnap FROM read_parquet('${path.replace(/'/g, "''")}')`);
    }
  }
  if ((await inlinedDeleteTables(lake.store, lake.store.schemaName)).has(table.id)) {
    const rows = await lake.store.query(`SELECT file_id, row_id, begin_snapshot FROM ${m}.ducklake_inlined_delete_${table.id} WHERE begin_snapshot BETWEEN $1 AND $2`, [A, B]);
    const vals = rows.filter((r) => fileIndex.has(Number(r.file_id))).map((r) => `(${fileIndex.get(Number(r.file_id))}, ${Number(r.row_id)}, ${Number(r.begin_snapshot)})`);
    if (vals.length) positionSources.push(`SELECT CAST(fi AS BIGINT) AS fi, CAST(pos AS BIGINT) AS pos, CAST(dsnap AS BIGINT) AS dsnap FROM (VALUES ${vals.join(', ')}) AS v(fi, pos, dsnap)`);
  }
  if (files.length && positionSources.length) {
    delParts.push(`SELECT ${out('s')}, s.rowid, p.dsnap AS snapshot_id FROM (${fileScanSql(cols, files)}) s JOIN (${positionSources.join(' UNION ALL ')}) p ON s.file_index = p.fi AND s.file_row_number = p.pos`);
  }
  const ended = files.filter((f) => f.endSnapshot !== null && f.endSnapshot >= A && f.endSnapshot <= B);
  for (const f of ended) {
    const idx = files.indexOf(f);
    delParts.push(`SELECT ${out('s')}, s.rowid, ${f.endSnapshot}::BIGINT AS snapshot_id FROM (${fileScanSql(cols, files)}) s WHERE s.file_index = ${idx} AND s.snapshot_id <= ${f.endSnapshot}`);
  }
  for (const q of inlinedDel) delParts.push(`SELECT ${cols.map((c) => quoteIdent(c.name)).join(', ')}, rowid, snapshot_id FROM (${q})`);

  const typed = (parts: string[]) => (parts.length ? parts.join('\nUNION ALL\n') : `SELECT ${cols.map((c) => `NULL::${duckType(c)} AS ${quoteIdent(c.name)}`).join(', ')}, NULL::BIGINT AS rowid, NULL::BIGINT AS snapshot_id WHERE false`);
  const names = cols.map((c) => quoteIdent(c.name)).join(', ');
  const ins = typed(insParts);
  const del = typed(delParts);
  if (kind === 'insertions') return `SELECT ${names}, snapshot_id, rowid FROM (${ins})`;
  if (kind === 'deletions') return `SELECT ${names}, snapshot_id, rowid FROM (${del})`;
  return `WITH __ins AS (${ins}), __del AS (${del})
SELECT i.snapshot_id, i.rowid, CASE WHEN EXISTS (SELECT 1 FROM __del d WHERE d.snapshot_id = i.snapshot_id AND d.rowid = i.rowid) THEN 'update_postimage' ELSE 'insert' END AS change_type, ${cols.map((c) => `i.${quoteIdent(c.name)}`).join(', ')} FROM __ins i
UNION ALL
SELECT d.snapshot_id, d.rowid, CASE WHEN EXISTS (SELECT 1 FROM __ins i WHERE i.snapshot_id = d.snapshot_id AND i.rowid = d.rowid) THEN 'update_preimage' ELSE 'delete' END AS change_type, ${cols.map((c) => `d.${quoteIdent(c.name)}`).join(', ')} FROM __del d`;
}

/** A current column read from an inlined table of an older layout (matched by column id). */
function inlinedColumn(c: LakeColumn, layout: LakeColumn[]): string {
  const src = layout.find((l) => l.id === c.id);
  if (!src) return `${c.initialDefault === null ? `NULL::${duckType(c)}` : `CAST('${c.initialDefault.replace(/'/g, "''")}' AS ${duckType(c)})`} AS ${quoteIdent(c.name)}`;
  return `CAST(${quoteIdent(src.name)} AS ${duckType(c)}) AS ${quoteIdent(c.name)}`;
}
