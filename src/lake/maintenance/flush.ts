/**
 * ducklake_flush_inlined_data (§23.6): inlined rows become Parquet files that keep each row's id
 * and snapshot (partial files), inlined rows that had been deleted become positions of a
 * snapshot-tagged delete file attached to the new file, and inlined deletions of Parquet rows
 * (ducklake_inlined_delete_<T>) become tagged delete files that supersede the visible ones.
 * One snapshot for everything flushed (`inline_flush:T`, plus `deleted_from_table:T` for
 * flushed file deletions); afterwards empty superseded inlined tables are dropped.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { Lake } from '../lake.js';
import type { SchemaState, SnapshotRow, TableEntry } from '../catalog/model.js';
import type { CatalogTransaction } from '../catalog/store.js';
import type { MaintenanceWork } from '../write/tx.js';
import type { Change } from '../write/changes.js';
import { readInlinedRowsWhere } from '../catalog/inlined.js';
import { inlinedLayout, inlinedValuesSql } from '../read/inlined-relation.js';
import { partitionKeyNames, hiveValue, transformSql } from '../write/parquet.js';
import { quoteIdent, quoteLiteral } from '../types.js';
import {
  chunks,
  commitWork,
  conflict,
  hasInlinedDeleteTable,
  inlinedDeleteTable,
  latest,
  relativeToRoot,
  requireWritable,
  rows,
  run,
  schemaName,
  selectTables,
  stagingName,
  tableOption,
  type MaintenanceEnv,
} from './common.js';
import { deleteFilePositions, discard, optionsFor, publish, writeDataFiles, writeTaggedDeleteFile, type MaintenanceDeleteFile, type MaintenanceFile } from './files.js';
import { addFilesToTableStats, insertDataFile, insertDeleteFile, scheduleDeletion } from './catalog-rows.js';

export interface FlushResult {
  schema: string;
  table: string;
  rows: number;
}

interface FlushedFile {
  file: MaintenanceFile;
  partitionId: number | null;
  partitionValues: (string | null)[] | null;
  deleteFile: MaintenanceDeleteFile | null;
  id?: number;
}

interface FileDeletesFlush {
  dataFileId: number;
  deleteFile: MaintenanceDeleteFile;
  supersedes: { id: number; where: { path: string; relative: boolean } } | null;
}

interface TablePlan {
  table: TableEntry;
  files: FlushedFile[];
  /** Inlined tables whose rows up to the flush snapshot are removed. */
  flushed: string[];
  fileDeletes: FileDeletesFlush[];
}

export interface FlushOptions {
  schema?: string;
  table?: string;
  defaultSchema?: string;
  /** Only these tables (scheduler). */
  tableIds?: number[];
}

export async function flushInlinedData(env: MaintenanceEnv, opts: FlushOptions = {}): Promise<FlushResult[]> {
  const lake = env.runtime.lake;
  const { snapshot, state } = await latest(env);
  let tables = selectTables(state, opts);
  if (opts.tableIds) tables = tables.filter((t) => opts.tableIds!.includes(t.id));
  const m = lake.store.schemaSql;
  const eligible: TableEntry[] = [];
  for (const t of tables) if ((await tableOption(lake.store, m, 'auto_compact', t, 'true')) === 'true') eligible.push(t);
  if (eligible.length === 0) return [];
  const plans: TablePlan[] = [];
  const written: { local: string; uri: string }[] = [];
  const temps: string[] = [];
  let considered = false;
  try {
    for (const table of eligible) {
      const plan = await planTable(env, snapshot, state, table, written, temps);
      if (table.inlined.length) considered = true;
      if (plan.files.length || plan.fileDeletes.length) plans.push(plan);
    }
    if (plans.length) {
      requireWritable(lake, 'ducklake_flush_inlined_data');
      await publish(lake, written);
    }
  } catch (e) {
    await discard(lake, written);
    throw e;
  } finally {
    for (const t of temps) await env.conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(t)}`).catch(() => undefined);
  }
  const dropSuperseded = async () => {
    if (considered && (await dropEmptySupersededInlinedTables(lake))) lake.invalidateSchemaStates();
  };
  if (plans.length === 0) {
    await dropSuperseded();
    return [];
  }
  await commitWork(
    env,
    snapshot,
    state,
    flushWork(lake, snapshot.id, plans),
    written.map((f) => f.uri),
    dropSuperseded,
  );
  return plans.map((p) => ({ schema: schemaName(state, p.table), table: p.table.name, rows: p.files.reduce((n, f) => n + f.file.recordCount, 0) })).filter((r) => r.rows > 0);
}

/** Writes the files of one table's flush (staged, not yet published). */
async function planTable(env: MaintenanceEnv, snapshot: SnapshotRow, state: SchemaState, table: TableEntry, written: { local: string; uri: string }[], temps: string[]): Promise<TablePlan> {
  const lake = env.runtime.lake;
  const store = lake.store;
  const m = store.schemaSql;
  const conn = env.conn;
  const L = snapshot.id;
  const plan: TablePlan = { table, files: [], flushed: [], fileDeletes: [] };
  const tableDir = lake.tableDir(state, table);
  const options = await optionsFor(lake, table);
  for (const ref of [...table.inlined].sort((a, b) => a.schemaVersion - b.schemaVersion)) {
    plan.flushed.push(ref.name);
    const layout = await inlinedLayout(lake, store, table, ref.name, ref.schemaVersion);
    const data = await readInlinedRowsWhere(store, store.kind, m, ref.name, layout, 'begin_snapshot <= $1', [L]);
    if (data.length === 0) continue;
    requireWritable(lake, 'ducklake_flush_inlined_data');
    if (layout.some((c) => c.id < 0)) throw new PgError(SqlState.dataException, `cannot map the columns of inlined table ${ref.name} of table "${table.name}" to its schema version`);
    data.sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1]));
    const src = stagingName('flush');
    temps.push(src);
    const rel = `temp.main.${quoteIdent(src)}`;
    for (const [i, chunk] of chunks(data, 2000).entries()) {
      const sel = inlinedValuesSql(store.kind, layout, chunk);
      await run(conn, i === 0 ? `CREATE TEMP TABLE ${quoteIdent(src)} AS ${sel}` : `INSERT INTO ${rel} ${sel}`);
    }
    // Layout and partitioning of the inlined table's schema version (§17.2).
    const at = (await lake.reader.schemaVersionSnapshot(store, table.id, ref.schemaVersion)) ?? table.beginSnapshot;
    const partition = await lake.reader.partitionAt(store, table.id, at);
    const cols = layout.map((c) => quoteIdent(c.name));
    const order = [...(table.sort?.keys ?? []).map((k) => `${k.expression} ${k.direction} ${k.nullOrder.replace('_', ' ')}`), 'row_id ASC NULLS LAST', 'begin_snapshot ASC NULLS LAST'].join(', ');
    const select = (where: string) =>
      `SELECT ${cols.join(', ')}${cols.length ? ', ' : ''}row_id AS _ducklake_internal_row_id, begin_snapshot AS _ducklake_internal_snapshot_id FROM ${rel}${where} ORDER BY ${order}`;
    const groups: { where: string; subdir: string; values: (string | null)[] | null }[] = [];
    if (partition && partition.keys.length) {
      const pseudo = { ...table, columns: layout, partition };
      const keyNames = partitionKeyNames(pseudo);
      const keyExprs = partition.keys.map((k) => transformSql(k.transform, quoteIdent(layout.find((c) => c.id === k.columnId)?.name ?? '')));
      const combos = (await rows(conn, `SELECT DISTINCT ${keyExprs.map((e, i) => `CAST(${e} AS VARCHAR) AS k${i}`).join(', ')} FROM ${rel}`)).map((r) => r.map((v) => (v === null ? null : String(v))));
      for (const combo of combos) {
        groups.push({
          where: ' WHERE ' + combo.map((v, i) => (v === null ? `(${keyExprs[i]}) IS NULL` : `CAST(${keyExprs[i]} AS VARCHAR) = ${quoteLiteral(v)}`)).join(' AND '),
          subdir: options.hiveFilePattern ? combo.map((v, i) => `${keyNames[i]}=${hiveValue(v)}/`).join('') : '',
          values: combo,
        });
      }
    } else groups.push({ where: '', subdir: '', values: null });
    for (const g of groups) {
      const files = await writeDataFiles(conn, lake, {
        tableDir,
        subdir: g.subdir,
        query: select(g.where),
        columns: layout,
        rowIds: true,
        snapshotIds: true,
        options,
        rotateAt: options.targetFileSize,
      });
      for (const f of files) {
        written.push(f);
        // Inlined rows deleted before the flush: positions in the new file, tagged with their end snapshot.
        const positions = `SELECT f.file_row_number AS pos, s.end_snapshot AS snap FROM read_parquet(${quoteLiteral(f.local)}, file_row_number = true) f JOIN ${rel} s ON s.row_id = f._ducklake_internal_row_id AND s.begin_snapshot = f._ducklake_internal_snapshot_id WHERE s.end_snapshot IS NOT NULL`;
        const n = Number((await rows(conn, `SELECT count(*) FROM (${positions})`))[0]![0]);
        let deleteFile: MaintenanceDeleteFile | null = null;
        if (n > 0) {
          deleteFile = await writeTaggedDeleteFile(conn, lake, tableDir, f.uri, positions);
          written.push(deleteFile);
        }
        plan.files.push({ file: f, partitionId: g.values ? partition!.id : null, partitionValues: g.values, deleteFile });
      }
    }
  }
  // Inlined deletions of Parquet rows.
  if (await hasInlinedDeleteTable(lake, store, table.id)) {
    const dels = await store.query(
      `SELECT del.file_id, data.path, data.path_is_relative, del.row_id, del.begin_snapshot, ex.delete_file_id, ex.path AS del_path, ex.path_is_relative AS del_rel, ex.begin_snapshot AS del_begin, ex.format AS del_format
       FROM ${inlinedDeleteTable(lake, table.id)} del JOIN ${m}.ducklake_data_file data ON del.file_id = data.data_file_id
       LEFT JOIN (SELECT * FROM ${m}.ducklake_delete_file WHERE table_id = $1 AND begin_snapshot <= $2 AND (end_snapshot IS NULL OR end_snapshot > $2)) ex ON del.file_id = ex.data_file_id
       WHERE del.begin_snapshot <= $2`,
      [table.id, L],
    );
    const byFile = new Map<number, typeof dels>();
    for (const d of dels) {
      const id = Number(d.file_id);
      byFile.set(id, [...(byFile.get(id) ?? []), d]);
    }
    if (byFile.size) requireWritable(lake, 'ducklake_flush_inlined_data');
    // Registered by descending data file id, as the extension's delete-file map yields them.
    for (const [fileId, list] of [...byFile].sort((a, b) => b[0] - a[0])) {
      const first = list[0]!;
      const dataUri = lake.fileUri(tableDir, String(first.path), first.path_is_relative !== false);
      const inlined = `SELECT * FROM (VALUES ${list.map((d) => `(${Number(d.row_id)}, ${Number(d.begin_snapshot)})`).join(', ')}) AS v(pos, snap)`;
      let positions = inlined;
      let supersedes: FileDeletesFlush['supersedes'] = null;
      let release = () => undefined as void;
      try {
        if (first.delete_file_id !== null && first.delete_file_id !== undefined) {
          if (String(first.del_format ?? 'parquet') !== 'parquet')
            throw new PgError(SqlState.featureNotSupported, `table "${table.name}" has ${String(first.del_format)} deletion vectors, which lakegres cannot flush into`);
          const exUri = lake.fileUri(tableDir, String(first.del_path), first.del_rel !== false);
          release = await lake.objects.ensureLocal([exUri]);
          const old = await deleteFilePositions(conn, await lake.objects.localPath(exUri), Number(first.del_begin));
          positions = `SELECT pos, min(snap) AS snap FROM (${old} UNION ALL ${inlined}) GROUP BY pos`;
          supersedes = { id: Number(first.delete_file_id), where: relativeToRoot(lake, exUri) };
        }
        const deleteFile = await writeTaggedDeleteFile(conn, lake, tableDir, dataUri, positions);
        written.push(deleteFile);
        plan.fileDeletes.push({ dataFileId: fileId, deleteFile, supersedes });
      } finally {
        release();
      }
    }
  }
  return plan;
}

function flushWork(lake: Lake, L: number, plans: TablePlan[]): MaintenanceWork {
  const m = lake.store.schemaSql;
  return {
    changes(): Change[] {
      const out: Change[] = [];
      for (const p of plans) if (p.fileDeletes.length) out.push({ kind: 'deleted_from_table', value: p.table.id });
      for (const p of plans) if (p.files.length) out.push({ kind: 'inline_flush', value: p.table.id });
      return out;
    },
    deleteTargets(tableId: number): number[] {
      return plans.find((p) => p.table.id === tableId)?.fileDeletes.map((d) => d.dataFileId) ?? [];
    },
    async write(tx: CatalogTransaction, N: number, nextFileId: number): Promise<number> {
      void N;
      // Data files (per table, in table id order), then the delete files of flushed file
      // deletions, then the delete files attached to the new files: the extension's id order.
      for (const p of plans) {
        for (const f of p.files) {
          f.id = nextFileId++;
          await insertDataFile(tx, m, {
            id: f.id,
            tableId: p.table.id,
            beginSnapshot: f.file.minSnapshot!,
            path: f.file.path,
            recordCount: f.file.recordCount,
            fileSizeBytes: f.file.fileSizeBytes,
            footerSize: f.file.footerSize,
            rowIdStart: f.file.minRowId,
            partitionId: f.partitionId,
            partialMax: f.file.maxSnapshot,
            columnStats: f.file.columnStats,
            partitionValues: f.partitionValues,
          });
        }
        if (p.files.length)
          await addFilesToTableStats(
            tx,
            m,
            p.table.id,
            p.table.columns,
            p.files.map((f) => f.file),
          );
        for (const name of p.flushed) await tx.query(`DELETE FROM ${m}.${quoteIdent(name)} WHERE begin_snapshot <= $1`, [L]);
      }
      for (const p of plans) {
        for (const d of p.fileDeletes) {
          if (d.supersedes) {
            const gone = await tx.query(`DELETE FROM ${m}.ducklake_delete_file WHERE delete_file_id = $1 RETURNING delete_file_id`, [d.supersedes.id]);
            if (gone.length === 0) throw conflict(`flushing deletions of table "${p.table.name}" conflicts with a concurrent commit`);
            await scheduleDeletion(tx, m, d.supersedes.id, d.supersedes.where);
          }
          await insertDeleteFile(tx, m, {
            id: nextFileId++,
            tableId: p.table.id,
            beginSnapshot: d.deleteFile.beginSnapshot,
            dataFileId: d.dataFileId,
            path: d.deleteFile.path,
            deleteCount: d.deleteFile.deleteCount,
            fileSizeBytes: d.deleteFile.fileSizeBytes,
            footerSize: d.deleteFile.footerSize,
            partialMax: d.deleteFile.maxSnapshot,
          });
        }
        if (p.fileDeletes.length) await tx.query(`DELETE FROM ${inlinedDeleteTable(lake, p.table.id)} WHERE begin_snapshot <= $1`, [L]);
      }
      for (const p of plans) {
        for (const f of p.files) {
          if (!f.deleteFile) continue;
          // The extension leaves partial_max NULL on these (§15.2).
          await insertDeleteFile(tx, m, {
            id: nextFileId++,
            tableId: p.table.id,
            beginSnapshot: f.deleteFile.beginSnapshot,
            dataFileId: f.id!,
            path: f.deleteFile.path,
            deleteCount: f.deleteFile.deleteCount,
            fileSizeBytes: f.deleteFile.fileSizeBytes,
            footerSize: f.deleteFile.footerSize,
            partialMax: null,
          });
        }
      }
      return nextFileId;
    },
  };
}

/**
 * After a flush: inlined tables that are not a table's newest and hold no rows any more are
 * unregistered and dropped, outside of any snapshot (§17.1). Returns whether any was dropped.
 */
export async function dropEmptySupersededInlinedTables(lake: Lake): Promise<boolean> {
  const m = lake.store.schemaSql;
  return lake.store.transaction(async (tx) => {
    const targets = await tx.query(
      `SELECT idt.table_id, idt.schema_version, idt.table_name FROM ${m}.ducklake_inlined_data_tables idt WHERE idt.schema_version < (SELECT MAX(idt2.schema_version) FROM ${m}.ducklake_inlined_data_tables idt2 WHERE idt2.table_id = idt.table_id)`,
    );
    let dropped = false;
    for (const t of targets) {
      const name = String(t.table_name);
      const n = Number((await tx.query(`SELECT COUNT(*) AS n FROM ${m}.${quoteIdent(name)}`))[0]!.n);
      if (n !== 0) continue;
      await tx.query(`DELETE FROM ${m}.ducklake_inlined_data_tables WHERE table_id = $1 AND schema_version = $2`, [Number(t.table_id), Number(t.schema_version)]);
      await tx.exec(`DROP TABLE IF EXISTS ${m}.${quoteIdent(name)}`);
      dropped = true;
    }
    return dropped;
  });
}

/** Live inlined rows and inlined file deletions of a table up to `snapshot` (what a flush would move). */
export async function inlinedBacklog(lake: Lake, table: TableEntry, snapshot: number): Promise<number> {
  const m = lake.store.schemaSql;
  let n = 0;
  for (const ref of table.inlined) {
    n += Number((await lake.store.query(`SELECT COUNT(*) AS n FROM ${m}.${quoteIdent(ref.name)} WHERE begin_snapshot <= $1`, [snapshot]))[0]!.n);
  }
  if (await hasInlinedDeleteTable(lake, lake.store, table.id)) {
    n += Number((await lake.store.query(`SELECT COUNT(*) AS n FROM ${inlinedDeleteTable(lake, table.id)} WHERE begin_snapshot <= $1`, [snapshot]))[0]!.n);
  }
  return n;
}

export type { FlushedFile };
