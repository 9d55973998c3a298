/**
 * ducklake_merge_adjacent_files and ducklake_rewrite_data_files (§23.4, §23.5).
 *
 * merge: per table, live data files without any delete file or inlined deletion, smaller than
 * max_file_size (default target_file_size), grouped by (structural schema version at the file's
 * begin snapshot, partition spec, partition values), ordered by (begin_snapshot, row_id_start,
 * data_file_id); greedy runs up to target_file_size, runs of two or more files become one file
 * with each row's _ducklake_internal_snapshot_id (and _ducklake_internal_row_id unless the row
 * ids were contiguous). The sources are deleted from the catalog and scheduled for deletion;
 * the new file begins at the first source's snapshot with partial_max = the newest source
 * snapshot. `merge_adjacent:T`, alone in its snapshot; table statistics unchanged.
 *
 * rewrite: per table, live files whose deleted share reaches delete_threshold (option
 * rewrite_delete_threshold, default 0.95) are rewritten per group into one file of the surviving
 * rows (with their row ids), begun at the commit snapshot; sources and their delete files end
 * there, so time travel keeps working. `rewrite_delete:T`; table statistics are recomputed when
 * the table is left without deletions.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { Lake } from '../lake.js';
import type { SchemaState, SnapshotRow, TableEntry } from '../catalog/model.js';
import type { CatalogTransaction } from '../catalog/store.js';
import type { MaintenanceWork } from '../write/tx.js';
import type { Change } from '../write/changes.js';
import { fileScanSql } from '../read/table-view.js';
import { quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';
import { inlinedLayout, inlinedValuesSql } from '../read/inlined-relation.js';
import { readInlinedRows } from '../catalog/inlined.js';
import { compareStat, isTemporalStatType, type ColumnStats } from '../write/stats.js';
import {
  commitWork,
  conflict,
  hasInlinedDeleteTable,
  inlinedDeleteTable,
  latest,
  relativeToRoot,
  requireWritable,
  rows,
  schemaName,
  selectTables,
  tableOption,
  type MaintenanceEnv,
} from './common.js';
import { deleteFilePositions, discard, optionsFor, publish, writeDataFiles, type MaintenanceFile } from './files.js';
import { insertDataFile, scheduleDeletion } from './catalog-rows.js';

export interface CompactionResult {
  schema: string;
  table: string;
  filesProcessed: number;
  filesCreated: number;
}

/** A live data file as compaction sees it. */
interface Candidate {
  id: number;
  recordCount: number;
  rowIdStart: number | null;
  beginSnapshot: number;
  partialMax: number | null;
  mappingId: number | null;
  partitionId: number | null;
  path: string;
  pathIsRelative: boolean;
  fileSizeBytes: number;
  encrypted: boolean;
  schemaVersion: number;
  partitionValues: (string | null)[];
  /** All delete files of the data file, oldest first. */
  deletes: { id: number; count: number; begin: number; end: number | null; path: string; pathIsRelative: boolean; format: string }[];
  /** Inlined deletions (positions, with their snapshot) of the file. */
  inlinedDeletes: { pos: number; snap: number }[];
}

interface Compaction {
  table: TableEntry;
  sources: Candidate[];
  file: MaintenanceFile | null;
  rowIdStart: number | null;
  partitionValues: (string | null)[] | null;
  partialMax: number | null;
  newId?: number;
}

async function candidates(lake: Lake, table: TableEntry, L: number, filter: string, params: unknown[], withInlinedPositions: boolean): Promise<Candidate[]> {
  const store = lake.store;
  const m = store.schemaSql;
  const files = await store.query(
    `SELECT data_file_id, record_count, row_id_start, begin_snapshot, partial_max, mapping_id, partition_id, path, path_is_relative, file_size_bytes, encryption_key FROM ${m}.ducklake_data_file WHERE table_id = $1 AND end_snapshot IS NULL${filter}`,
    [table.id, ...params],
  );
  if (files.length === 0) return [];
  const versions = (await store.query(`SELECT begin_snapshot, schema_version FROM ${m}.ducklake_schema_versions WHERE table_id = $1 ORDER BY begin_snapshot`, [table.id])).map(
    (r) => [Number(r.begin_snapshot), Number(r.schema_version)] as const,
  );
  const values = new Map<number, (string | null)[]>();
  for (const r of await store.query(
    `SELECT data_file_id, partition_key_index, partition_value FROM ${m}.ducklake_file_partition_value WHERE table_id = $1 ORDER BY data_file_id, partition_key_index`,
    [table.id],
  )) {
    const id = Number(r.data_file_id);
    values.set(id, [...(values.get(id) ?? []), (r.partition_value as string | null) ?? null]);
  }
  const deletes = new Map<number, Candidate['deletes']>();
  for (const r of await store.query(
    `SELECT delete_file_id, data_file_id, delete_count, begin_snapshot, end_snapshot, path, path_is_relative, format FROM ${m}.ducklake_delete_file WHERE table_id = $1 ORDER BY data_file_id, begin_snapshot`,
    [table.id],
  )) {
    const id = Number(r.data_file_id);
    deletes.set(id, [
      ...(deletes.get(id) ?? []),
      {
        id: Number(r.delete_file_id),
        count: Number(r.delete_count),
        begin: Number(r.begin_snapshot),
        end: r.end_snapshot === null ? null : Number(r.end_snapshot),
        path: String(r.path),
        pathIsRelative: r.path_is_relative !== false,
        format: String(r.format ?? 'parquet'),
      },
    ]);
  }
  const inlined = new Map<number, { pos: number; snap: number }[]>();
  if (await hasInlinedDeleteTable(lake, store, table.id)) {
    const sql = withInlinedPositions
      ? `SELECT file_id, row_id, begin_snapshot FROM ${inlinedDeleteTable(lake, table.id)} WHERE begin_snapshot <= $1`
      : `SELECT DISTINCT file_id, NULL AS row_id, NULL AS begin_snapshot FROM ${inlinedDeleteTable(lake, table.id)} WHERE begin_snapshot <= $1`;
    for (const r of await store.query(sql, [L])) {
      const id = Number(r.file_id);
      inlined.set(id, [...(inlined.get(id) ?? []), { pos: Number(r.row_id), snap: Number(r.begin_snapshot) }]);
    }
  }
  const out: Candidate[] = files.map((r) => {
    const id = Number(r.data_file_id);
    const begin = Number(r.begin_snapshot);
    let sv = -1;
    for (const [b, v] of versions) if (b <= begin) sv = v;
    return {
      id,
      recordCount: Number(r.record_count),
      rowIdStart: r.row_id_start === null ? null : Number(r.row_id_start),
      beginSnapshot: begin,
      partialMax: r.partial_max === null ? null : Number(r.partial_max),
      mappingId: r.mapping_id === null ? null : Number(r.mapping_id),
      partitionId: r.partition_id === null ? null : Number(r.partition_id),
      path: String(r.path),
      pathIsRelative: r.path_is_relative !== false,
      fileSizeBytes: Number(r.file_size_bytes),
      encrypted: r.encryption_key !== null,
      schemaVersion: sv,
      partitionValues: values.get(id) ?? [],
      deletes: deletes.get(id) ?? [],
      inlinedDeletes: inlined.get(id) ?? [],
    };
  });
  // The extension's order: begin_snapshot, row_id_start (NULLs last), data_file_id.
  out.sort((a, b) => a.beginSnapshot - b.beginSnapshot || (a.rowIdStart ?? Infinity) - (b.rowIdStart ?? Infinity) || a.id - b.id);
  return out;
}

/** Candidates grouped by (schema version, partition spec, partition values), in order of appearance. */
function groupCandidates(files: Candidate[]): Candidate[][] {
  const groups = new Map<string, Candidate[]>();
  for (const f of files) {
    const key = JSON.stringify([f.schemaVersion, f.partitionId, f.partitionValues]);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()];
}

/**
 * Whether schema-scoped options count for the tables compacted: the extension looks up
 * auto_compact and rewrite_delete_threshold without the schema scope when a table is named
 * without `schema =>` (table scope, then global), and with it otherwise.
 */
function namedSchemaScope(opts: { table?: string; schema?: string }): boolean {
  return !(opts.table !== undefined && opts.schema === undefined);
}

export interface MergeOptions {
  schema?: string;
  table?: string;
  defaultSchema?: string;
  minFileSize?: number;
  maxFileSize?: number;
  maxCompactedFiles?: number;
}

export async function mergeAdjacentFiles(env: MaintenanceEnv, opts: MergeOptions = {}): Promise<CompactionResult[]> {
  if (opts.maxCompactedFiles !== undefined && opts.maxCompactedFiles <= 0) throw new PgError(SqlState.invalidParameterValue, 'The max_compacted_files option must be greater than zero.');
  if (opts.maxFileSize !== undefined && opts.maxFileSize <= 0) throw new PgError(SqlState.invalidParameterValue, 'The max_file_size option must be greater than zero.');
  if (opts.minFileSize !== undefined && opts.maxFileSize !== undefined && opts.minFileSize >= opts.maxFileSize)
    throw new PgError(SqlState.invalidParameterValue, 'The min_file_size must be less than max_file_size.');
  const lake = env.runtime.lake;
  const m = lake.store.schemaSql;
  const { snapshot, state } = await latest(env);
  const maxFiles = opts.maxCompactedFiles ?? Number.MAX_SAFE_INTEGER;
  const plans: Compaction[] = [];
  const schemaScope = namedSchemaScope(opts);
  for (const table of selectTables(state, opts)) {
    if ((await tableOption(lake.store, m, 'auto_compact', table, 'true', schemaScope)) !== 'true') continue;
    const target = (await optionsFor(lake, table)).targetFileSize;
    const params: unknown[] = [opts.maxFileSize ?? target];
    let filter = ' AND file_size_bytes < $2';
    if (opts.minFileSize !== undefined) {
      filter += ' AND file_size_bytes >= $3';
      params.push(opts.minFileSize);
    }
    const files = (await candidates(lake, table, snapshot.id, filter, params, false)).filter(
      // lakegres cannot read name-mapped (added) files; the extension can.
      (f) => f.fileSizeBytes < target && f.deletes.length === 0 && f.inlinedDeletes.length === 0 && f.mappingId === null && !f.encrypted,
    );
    let compacted = 0;
    for (const list of groupCandidates(files)) {
      if (list.length <= 1) continue;
      for (let start = 0; start < list.length; start++) {
        let size = 0;
        let end = start;
        for (; end < list.length; end++) {
          if (size >= target) break;
          if (list[end]!.fileSizeBytes >= target) break;
          size += list[end]!.fileSizeBytes;
        }
        if (start < end) {
          const count = end - start;
          if (count === 1) {
            if (++compacted >= maxFiles) break;
            continue;
          }
          plans.push({ table, sources: list.slice(start, end), file: null, rowIdStart: null, partitionValues: null, partialMax: null });
          start += count - 1;
        }
        if (++compacted >= maxFiles) break;
      }
      if (compacted >= maxFiles) break;
    }
  }
  if (plans.length === 0) return [];
  requireWritable(lake, 'ducklake_merge_adjacent_files');
  const written: MaintenanceFile[] = [];
  try {
    for (const c of plans) {
      await writeMerged(env, state, c);
      if (c.file) written.push(c.file);
    }
    await publish(lake, written);
  } catch (e) {
    await discard(lake, written);
    throw e;
  }
  // (Historical databases built before keep reading the sources until cleanup deletes them.)
  await commitWork(
    env,
    snapshot,
    state,
    mergeWork(lake, state, plans),
    written.map((f) => f.uri),
  );
  return plans.map((c) => ({ schema: schemaName(state, c.table), table: c.table.name, filesProcessed: c.sources.length, filesCreated: c.file ? 1 : 0 }));
}

/** The relation of every row of the sources with columns as of their schema version. */
async function sourceScan(env: MaintenanceEnv, state: SchemaState, table: TableEntry, sources: Candidate[]): Promise<{ columns: LakeColumn[]; scan: string; uris: string[]; tableDir: string }> {
  const lake = env.runtime.lake;
  const tableDir = lake.tableDir(state, table);
  const columns = await lake.reader.tableColumnsAt(lake.store, table.id, sources[0]!.beginSnapshot);
  if (columns.length === 0) throw new PgError(SqlState.dataException, `no columns of table "${table.name}" at snapshot ${sources[0]!.beginSnapshot}`);
  const uris = sources.map((s) => lake.fileUri(tableDir, s.path, s.pathIsRelative));
  const files = [];
  for (const [i, s] of sources.entries()) files.push({ localPath: await lake.objects.localPath(uris[i]!), rowIdStart: s.rowIdStart, beginSnapshot: s.beginSnapshot });
  return { columns, scan: fileScanSql(columns, files), uris, tableDir };
}

function sortOrder(table: TableEntry): string[] {
  return (table.sort?.keys ?? []).map((k) => `${k.expression} ${k.direction} ${k.nullOrder.replace('_', ' ')}`);
}

/** Hive sub-directory of a partitioned source file (merged files stay in their partition's directory). */
function hiveSubdir(c: Candidate): string {
  if (c.partitionId === null || !c.pathIsRelative) return '';
  const slash = c.path.lastIndexOf('/');
  return slash < 0 ? '' : c.path.slice(0, slash + 1);
}

async function writeMerged(env: MaintenanceEnv, state: SchemaState, c: Compaction): Promise<void> {
  const lake = env.runtime.lake;
  const table = c.table;
  const release = await pinSources(env, state, table, c.sources);
  try {
    const { columns, scan, uris, tableDir } = await sourceScan(env, state, table, c.sources);
    // Row ids can be left implicit only when the sources' ranges follow each other.
    let adjacent = true;
    let next: number | null = null;
    for (const s of c.sources) {
      if (s.rowIdStart === null || (next !== null && s.rowIdStart !== next)) adjacent = false;
      if (s.rowIdStart !== null) next = s.rowIdStart + s.recordCount;
    }
    // A file with explicit row ids that are not row_id_start + position (written by UPDATE)
    // keeps them even when the ranges are adjacent (the extension would renumber those rows).
    for (const [i, s] of c.sources.entries()) {
      if (!adjacent) break;
      const local = quoteLiteral(await lake.objects.localPath(uris[i]!));
      if (Number((await rows(env.conn, `SELECT count(*) FROM parquet_schema(${local}) WHERE name = '_ducklake_internal_row_id'`))[0]![0]) === 0) continue;
      const moved = await rows(env.conn, `SELECT count(*) FROM read_parquet(${local}, file_row_number = true) WHERE _ducklake_internal_row_id IS DISTINCT FROM ${s.rowIdStart} + file_row_number`);
      if (Number(moved[0]![0]) > 0) adjacent = false;
    }
    const user = columns.map((col) => `s."__c${col.id}" AS ${quoteIdent(col.name)}`).join(', ');
    const order = [...sortOrder(table), 'file_index', 'file_row_number'].join(', ');
    const query = `SELECT * EXCLUDE (file_index, file_row_number) FROM (SELECT ${user}${adjacent ? '' : ', s.rowid AS _ducklake_internal_row_id'}, s.snapshot_id AS _ducklake_internal_snapshot_id, s.file_index, s.file_row_number FROM (${scan}) s) ORDER BY ${order}`;
    const options = await optionsFor(lake, table);
    const [file] = await writeDataFiles(env.conn, lake, { tableDir, subdir: hiveSubdir(c.sources[0]!), query, columns, rowIds: !adjacent, snapshotIds: true, options });
    // Sources without rows (files the extension writes with per_thread_output) merge into no file.
    if (!file && c.sources.some((src) => src.recordCount > 0)) throw new PgError(SqlState.internalError, `merging files of table "${table.name}" wrote no file`);
    c.file = file ?? null;
    c.rowIdStart = adjacent ? c.sources[0]!.rowIdStart : null;
    c.partitionValues = c.sources[0]!.partitionId !== null ? c.sources[0]!.partitionValues : null;
    c.partialMax = Math.max(...c.sources.map((s) => s.partialMax ?? s.beginSnapshot));
  } finally {
    release();
  }
}

/** Makes the sources and their current delete files local (remote stores) until released. */
async function pinSources(env: MaintenanceEnv, state: SchemaState, table: TableEntry, sources: Candidate[]): Promise<() => void> {
  const lake = env.runtime.lake;
  const tableDir = lake.tableDir(state, table);
  const uris = sources.flatMap((s) => [lake.fileUri(tableDir, s.path, s.pathIsRelative), ...s.deletes.slice(-1).map((d) => lake.fileUri(tableDir, d.path, d.pathIsRelative))]);
  return lake.objects.ensureLocal(uris);
}

function mergeWork(lake: Lake, state: SchemaState, plans: Compaction[]): MaintenanceWork {
  const m = lake.store.schemaSql;
  const byTable = [...new Set(plans.map((p) => p.table.id))].sort((a, b) => a - b);
  const ordered = byTable.flatMap((id) => plans.filter((p) => p.table.id === id));
  return {
    changes: (): Change[] => byTable.map((id) => ({ kind: 'merge_adjacent', value: id })),
    async write(tx: CatalogTransaction, N: number, nextFileId: number): Promise<number> {
      void N;
      for (const p of ordered) if (p.file) p.newId = nextFileId++;
      // The sources leave the catalog altogether and are scheduled for deletion.
      for (const p of ordered) {
        const ids = p.sources.map((s) => s.id);
        const gone = await tx.query(`DELETE FROM ${m}.ducklake_data_file WHERE data_file_id IN (${ids.join(', ')}) AND end_snapshot IS NULL RETURNING data_file_id`);
        if (gone.length !== ids.length) throw conflict(`merging files of table "${p.table.name}" conflicts with a concurrent commit`);
        for (const t of ['ducklake_file_column_stats', 'ducklake_delete_file', 'ducklake_file_partition_value', 'ducklake_file_variant_stats']) {
          await tx.query(`DELETE FROM ${m}.${t} WHERE data_file_id IN (${ids.join(', ')})`);
        }
        const dir = lake.tableDir(state, p.table);
        for (const s of p.sources) await scheduleDeletion(tx, m, s.id, relativeToRoot(lake, lake.fileUri(dir, s.path, s.pathIsRelative)));
      }
      for (const p of ordered) {
        const f = p.file;
        if (!f) continue;
        await insertDataFile(tx, m, {
          id: p.newId!,
          tableId: p.table.id,
          beginSnapshot: p.sources[0]!.beginSnapshot,
          path: f.path,
          recordCount: f.recordCount,
          fileSizeBytes: f.fileSizeBytes,
          footerSize: f.footerSize,
          rowIdStart: p.rowIdStart,
          partitionId: p.sources[0]!.partitionId,
          partialMax: p.partialMax,
          columnStats: f.columnStats,
          partitionValues: p.partitionValues,
        });
      }
      return nextFileId;
    },
  };
}

// ---------------------------------------------------------------------------------- rewrite

export interface RewriteOptions {
  schema?: string;
  table?: string;
  defaultSchema?: string;
  deleteThreshold?: number;
}

export async function rewriteDataFiles(env: MaintenanceEnv, opts: RewriteOptions = {}): Promise<CompactionResult[]> {
  if (opts.deleteThreshold !== undefined && (opts.deleteThreshold > 1 || opts.deleteThreshold < 0 || Number.isNaN(opts.deleteThreshold))) {
    throw new PgError(SqlState.invalidParameterValue, 'The delete_threshold option must be between 0 and 1');
  }
  const lake = env.runtime.lake;
  const m = lake.store.schemaSql;
  const { snapshot, state } = await latest(env);
  const plans: Compaction[] = [];
  const schemaScope = namedSchemaScope(opts);
  for (const table of selectTables(state, opts)) {
    if ((await tableOption(lake.store, m, 'auto_compact', table, 'true', schemaScope)) !== 'true') continue;
    const threshold = opts.deleteThreshold ?? Number(await tableOption(lake.store, m, 'rewrite_delete_threshold', table, '0.95', schemaScope));
    if (!(threshold >= 0 && threshold <= 1)) throw new PgError(SqlState.invalidParameterValue, 'The delete_threshold option must be between 0 and 1');
    const files = (await candidates(lake, table, snapshot.id, '', [], true)).filter((f) => {
      const newest = f.deletes[f.deletes.length - 1];
      const active = newest && newest.end === null ? newest.count : 0;
      const total = active + f.inlinedDeletes.length;
      const ratio = f.recordCount > 0 ? total / f.recordCount : 0;
      return total > 0 && ratio >= threshold;
    });
    for (const list of groupCandidates(files)) {
      // A source whose newest delete file already ended is not rewritten; lakegres also leaves
      // files it cannot read (name-mapped, deletion vectors, encrypted) alone.
      const sources = list.filter((f) => {
        const newest = f.deletes[f.deletes.length - 1];
        return !(newest && newest.end !== null) && f.mappingId === null && !f.encrypted && (!newest || newest.format === 'parquet');
      });
      if (sources.length) plans.push({ table, sources, file: null, rowIdStart: null, partitionValues: null, partialMax: null });
    }
  }
  if (plans.length === 0) return [];
  requireWritable(lake, 'ducklake_rewrite_data_files');
  const written: MaintenanceFile[] = [];
  try {
    for (const c of plans) {
      await writeRewritten(env, state, c);
      if (c.file) written.push(c.file);
    }
    await publish(lake, written);
  } catch (e) {
    await discard(lake, written);
    throw e;
  }
  await commitWork(
    env,
    snapshot,
    state,
    rewriteWork(env, state, plans),
    written.map((f) => f.uri),
  );
  return plans.map((c) => ({ schema: schemaName(state, c.table), table: c.table.name, filesProcessed: c.sources.length, filesCreated: c.file ? 1 : 0 }));
}

async function writeRewritten(env: MaintenanceEnv, state: SchemaState, c: Compaction): Promise<void> {
  const lake = env.runtime.lake;
  const table = c.table;
  const release = await pinSources(env, state, table, c.sources);
  try {
    const { columns, scan, tableDir } = await sourceScan(env, state, table, c.sources);
    // Deleted positions per source: its current delete file and its inlined deletions.
    const parts: string[] = [];
    for (const [i, s] of c.sources.entries()) {
      const newest = s.deletes[s.deletes.length - 1];
      if (newest && newest.end === null) {
        const local = await lake.objects.localPath(lake.fileUri(tableDir, newest.path, newest.pathIsRelative));
        parts.push(`SELECT ${i}::BIGINT AS fi, pos FROM (${await deleteFilePositions(env.conn, local, newest.begin)})`);
      }
      if (s.inlinedDeletes.length) parts.push(`SELECT ${i}::BIGINT AS fi, CAST(pos AS BIGINT) AS pos FROM (VALUES ${s.inlinedDeletes.map((d) => `(${d.pos})`).join(', ')}) AS v(pos)`);
    }
    const user = columns.map((col) => `s."__c${col.id}" AS ${quoteIdent(col.name)}`).join(', ');
    const anti = parts.length ? ` ANTI JOIN (${parts.join(' UNION ALL ')}) del ON s.file_index = del.fi AND s.file_row_number = del.pos` : '';
    const order = [...sortOrder(table), 'file_index', 'file_row_number'].join(', ');
    const query = `SELECT * EXCLUDE (file_index, file_row_number) FROM (SELECT ${user}, s.rowid AS _ducklake_internal_row_id, s.file_index, s.file_row_number FROM (${scan}) s${anti}) ORDER BY ${order}`;
    const options = await optionsFor(lake, table);
    const [file] = await writeDataFiles(env.conn, lake, { tableDir, subdir: hiveSubdir(c.sources[0]!), query, columns, rowIds: true, snapshotIds: false, options });
    c.file = file ?? null;
    c.partitionValues = c.sources[0]!.partitionId !== null ? c.sources[0]!.partitionValues : null;
  } finally {
    release();
  }
}

function rewriteWork(env: MaintenanceEnv, state: SchemaState, plans: Compaction[]): MaintenanceWork {
  const lake = env.runtime.lake;
  const m = lake.store.schemaSql;
  const byTable = [...new Set(plans.map((p) => p.table.id))].sort((a, b) => a - b);
  const ordered = byTable.flatMap((id) => plans.filter((p) => p.table.id === id));
  return {
    changes: (): Change[] => byTable.map((id) => ({ kind: 'rewrite_delete', value: id })),
    async write(tx: CatalogTransaction, N: number, nextFileId: number): Promise<number> {
      for (const p of ordered) {
        if (!p.file) continue;
        p.newId = nextFileId++;
        await insertDataFile(tx, m, {
          id: p.newId,
          tableId: p.table.id,
          beginSnapshot: N,
          path: p.file.path,
          recordCount: p.file.recordCount,
          fileSizeBytes: p.file.fileSizeBytes,
          footerSize: p.file.footerSize,
          rowIdStart: null,
          partitionId: p.sources[0]!.partitionId,
          partialMax: null,
          columnStats: p.file.columnStats,
          partitionValues: p.partitionValues,
        });
      }
      for (const p of ordered) {
        for (const s of p.sources) {
          const newest = s.deletes[s.deletes.length - 1];
          if (newest && newest.end === null) await tx.query(`UPDATE ${m}.ducklake_delete_file SET end_snapshot = $1 WHERE delete_file_id = $2`, [N, newest.id]);
          const r = await tx.query(`UPDATE ${m}.ducklake_data_file SET end_snapshot = $1 WHERE data_file_id = $2 AND end_snapshot IS NULL RETURNING data_file_id`, [N, s.id]);
          if (r.length === 0) throw conflict(`rewriting files of table "${p.table.name}" conflicts with a concurrent commit`);
        }
      }
      for (const id of byTable) {
        const table = state.tables.get(id)!;
        await recomputeTableStats(
          env,
          tx,
          table,
          N - 1,
          ordered.filter((p) => p.table.id === id),
        );
      }
      return nextFileId;
    },
  };
}

// ------------------------------------------------------------------ statistics after a rewrite

interface Acc {
  hasNull: boolean;
  nulls: number;
  hasNum: boolean;
  num: number;
  hasNan: boolean;
  nan: boolean;
  anyValid: boolean;
  min: string | null;
  max: string | null;
}

function valid(a: Acc): boolean {
  return a.hasNum && a.hasNull ? a.num > a.nulls : a.anyValid;
}

/** DuckDB's column statistics merge (null counts add up, typed min/max, unknown stays unknown). */
function mergeAcc(type: string, cur: Acc | undefined, inc: Acc): Acc {
  if (!cur) return { ...inc };
  const out = { ...cur };
  if (!inc.hasNull) out.hasNull = false;
  else if (out.hasNull) out.nulls += inc.nulls;
  if (!inc.hasNum) out.hasNum = false;
  else if (out.hasNum) out.num += inc.num;
  if (!inc.hasNan) out.hasNan = false;
  else if (out.hasNan && inc.nan) out.nan = true;
  if (!valid(inc)) return out;
  if (!valid(cur)) return { ...out, min: inc.min, max: inc.max, anyValid: true };
  out.min = inc.min === null || out.min === null ? null : compareStat(type, inc.min, out.min) < 0 ? inc.min : out.min;
  out.max = inc.max === null || out.max === null ? null : compareStat(type, inc.max, out.max) > 0 ? inc.max : out.max;
  return out;
}

function fileAcc(s: { valueCount: number | null; nullCount: number | null; min: string | null; max: string | null; containsNan: boolean | null }): Acc {
  const both = s.valueCount !== null && s.nullCount !== null;
  return {
    hasNull: both,
    nulls: both ? s.nullCount! : 0,
    hasNum: both,
    num: both ? s.valueCount! + s.nullCount! : 0,
    hasNan: s.containsNan !== null,
    nan: s.containsNan === true,
    anyValid: true,
    min: s.min,
    max: s.max,
  };
}

function allColumns(cols: LakeColumn[], out: LakeColumn[] = []): LakeColumn[] {
  for (const c of cols) {
    out.push(c);
    allColumns(c.children, out);
  }
  return out;
}

const FOLDABLE = (t: string) => /^u?int\d+$/.test(t) || t === 'float32' || t === 'float64' || t.startsWith('decimal(') || isTemporalStatType(t) || t === 'varchar' || t === 'boolean';

/**
 * After a rewrite the table's statistics become exact again when no deletion is left on its
 * data files: recomputed from the remaining and new files (and the inlined rows), as the
 * extension does; otherwise they stay as they are.
 */
async function recomputeTableStats(env: MaintenanceEnv, tx: CatalogTransaction, table: TableEntry, S: number, rewrites: Compaction[]): Promise<void> {
  const lake = env.runtime.lake;
  const m = lake.store.schemaSql;
  const current = await tx.query(`SELECT next_row_id FROM ${m}.ducklake_table_stats WHERE table_id = $1`, [table.id]);
  if (current.length === 0) return;
  const columns = allColumns(table.columns);
  const types = new Map(columns.map((c) => [c.id, c.type]));
  const removed = new Set(rewrites.flatMap((p) => p.sources.map((s) => s.id)));
  const acc = new Map<number, Acc>();
  let gross = 0;
  let bytes = 0;
  const fileRows = await tx.query(
    `SELECT data.data_file_id, data.record_count, data.file_size_bytes, stats.column_id, stats.value_count, stats.null_count, stats.min_value, stats.max_value, stats.contains_nan
     FROM ${m}.ducklake_data_file data LEFT JOIN ${m}.ducklake_file_column_stats stats ON stats.data_file_id = data.data_file_id
     WHERE data.table_id = $1 AND data.begin_snapshot <= $2 AND (data.end_snapshot IS NULL OR data.end_snapshot > $2) ORDER BY data.data_file_id`,
    [table.id, S],
  );
  let last: number | null = null;
  for (const r of fileRows) {
    const id = Number(r.data_file_id);
    if (removed.has(id)) continue;
    if (id !== last) {
      last = id;
      gross += Number(r.record_count);
      bytes += Number(r.file_size_bytes);
    }
    if (r.column_id === null) continue;
    const colId = Number(r.column_id);
    const type = types.get(colId);
    if (type === undefined) continue;
    const inc = fileAcc({
      valueCount: r.value_count === null ? null : Number(r.value_count),
      nullCount: r.null_count === null ? null : Number(r.null_count),
      min: (r.min_value as string | null) ?? null,
      max: (r.max_value as string | null) ?? null,
      containsNan: (r.contains_nan as boolean | null) ?? null,
    });
    acc.set(colId, mergeAcc(type, acc.get(colId), inc));
  }
  for (const p of rewrites) {
    if (!p.file) continue;
    gross += p.file.recordCount;
    bytes += p.file.fileSizeBytes;
    for (const s of p.file.columnStats as ColumnStats[]) {
      const type = types.get(s.columnId);
      if (type !== undefined) acc.set(s.columnId, mergeAcc(type, acc.get(s.columnId), fileAcc(s)));
    }
  }
  // Exact only when nothing is deleted from the remaining files.
  const netParts = [
    `COALESCE((SELECT SUM(record_count) FROM ${m}.ducklake_data_file WHERE table_id = $1 AND begin_snapshot <= $2 AND (end_snapshot IS NULL OR end_snapshot > $2)), 0)`,
    `COALESCE((SELECT SUM(del.delete_count) FROM ${m}.ducklake_delete_file del JOIN ${m}.ducklake_data_file data ON del.data_file_id = data.data_file_id WHERE del.table_id = $1 AND del.begin_snapshot <= $2 AND (del.end_snapshot IS NULL OR del.end_snapshot > $2) AND data.begin_snapshot <= $2 AND (data.end_snapshot IS NULL OR data.end_snapshot > $2)), 0)`,
  ];
  let net = Number((await tx.query(`SELECT ${netParts[0]} - ${netParts[1]} AS n`, [table.id, S]))[0]!.n);
  if (await hasInlinedDeleteTable(lake, tx, table.id)) {
    net -= Number(
      (
        await tx.query(
          `SELECT COUNT(*) AS n FROM ${inlinedDeleteTable(lake, table.id)} del JOIN ${m}.ducklake_data_file data ON del.file_id = data.data_file_id WHERE del.begin_snapshot <= $2 AND data.table_id = $1 AND data.begin_snapshot <= $2 AND (data.end_snapshot IS NULL OR data.end_snapshot > $2)`,
          [table.id, S],
        )
      )[0]!.n,
    );
  }
  if (gross !== net) return;
  // Inlined rows are folded in when every top-level column is a plain scalar.
  let inlinedRows = 0;
  for (const ref of table.inlined) {
    const layout = await inlinedLayout(lake, tx, table, ref.name, ref.schemaVersion);
    const data = await readInlinedRows(tx, lake.store.kind, m, ref.name, layout, S);
    if (data.length === 0) continue;
    if (!table.columns.every((c) => FOLDABLE(c.type))) return;
    inlinedRows += data.length;
    const rel = inlinedValuesSql(lake.store.kind, layout, data);
    for (const col of table.columns) {
      const src = layout.find((l) => l.id === col.id);
      if (!src) continue;
      const isFloat = col.type === 'float32' || col.type === 'float64';
      const v = quoteIdent(src.name);
      const [total, nonNull, min, max, nan] = (
        await rows(env.conn, `SELECT count(*), count(${v}), CAST(min(${v}) AS VARCHAR), CAST(max(${v}) AS VARCHAR), ${isFloat ? `COALESCE(bool_or(isnan(${v})), false)` : 'false'} FROM (${rel})`)
      )[0]!;
      const inc: Acc = {
        hasNull: true,
        nulls: Number(total) - Number(nonNull),
        hasNum: true,
        num: Number(total),
        hasNan: isFloat,
        nan: nan === true,
        anyValid: true,
        min: isFloat && nan === true ? null : ((min as string | null) ?? null),
        max: isFloat && nan === true ? null : ((max as string | null) ?? null),
      };
      acc.set(col.id, mergeAcc(col.type, acc.get(col.id), inc));
    }
  }
  await tx.query(`UPDATE ${m}.ducklake_table_stats SET record_count = $1, file_size_bytes = $2 WHERE table_id = $3`, [gross + inlinedRows, bytes, table.id]);
  for (const col of columns) {
    const a = acc.get(col.id);
    const containsNull = a && a.hasNull ? a.nulls > 0 : null;
    const containsNan = a && a.hasNan ? a.nan : null;
    await tx.query(`UPDATE ${m}.ducklake_table_column_stats SET contains_null = $1, contains_nan = $2, min_value = $3, max_value = $4 WHERE table_id = $5 AND column_id = $6`, [
      containsNull,
      containsNan,
      a?.min ?? null,
      a?.max ?? null,
      table.id,
      col.id,
    ]);
  }
}
