/**
 * ducklake_expire_snapshots (§23.1): removes snapshots (never the newest) and then everything
 * only they could see, exactly as the extension does, in one catalog transaction and without a
 * snapshot of its own: tables all of whose versions ended outside the remaining snapshots
 * (with their columns, stats, partitioning, inlined tables...), data and delete files no
 * remaining snapshot sees (rows deleted, the files scheduled for deletion), ended schemas,
 * views, tags and macros, then orphaned macro implementations and name mappings.
 */
import type { CatalogTransaction } from '../catalog/store.js';
import { PgError, SqlState } from '../../errors/pg-error.js';
import { quoteIdent } from '../types.js';
import { chunks, relativeToRoot, tableOption, type MaintenanceEnv } from './common.js';
import { instantBefore, type Instant } from './args.js';
import { fileResolver } from './paths.js';
import { scheduleDeletion } from './catalog-rows.js';

export interface SnapshotInfo {
  id: number;
  time: string;
  schemaVersion: number;
  changes: string | null;
  author: string | null;
  message: string | null;
  extraInfo: string | null;
}

export interface ExpireOptions {
  olderThan?: Instant;
  versions?: number[];
  dryRun?: boolean;
}

/** Snapshot ranges no remaining snapshot falls into: `[begin_snapshot, end_snapshot)` is empty. */
const UNSEEN = (m: string) => `end_snapshot IS NOT NULL AND NOT EXISTS (SELECT snapshot_id FROM ${m}.ducklake_snapshot WHERE snapshot_id >= begin_snapshot AND snapshot_id < end_snapshot)`;

export async function expireSnapshots(env: MaintenanceEnv, opts: ExpireOptions): Promise<SnapshotInfo[]> {
  const lake = env.runtime.lake;
  const m = lake.store.schemaSql;
  if (opts.olderThan && opts.versions) {
    throw new PgError(SqlState.invalidParameterValue, "ducklake_expire_snapshots: cannot specify both 'versions' and 'older_than' parameters at the same time. Please use only one criterion.");
  }
  let filter: string;
  const params: unknown[] = [];
  if (opts.versions) {
    if (opts.versions.length === 0) return [];
    filter = `snapshot_id IN (${opts.versions.map((v) => String(Math.trunc(v))).join(', ')})`;
  } else {
    let cutoff = opts.olderThan;
    if (!cutoff) {
      const dflt = await tableOption(lake.store, m, 'expire_older_than', null, '');
      // Without a criterion and without the option, expiring does nothing.
      if (dflt === '') return [];
      cutoff = await instantBefore(env.conn, dflt);
    }
    filter = `snapshot_time < CAST($1 AS TIMESTAMPTZ)`;
    params.push(cutoff.text);
  }
  const expired = await lake.store.transaction(async (tx) => {
    const list = await tx.query(
      `SELECT s.snapshot_id, CAST(s.snapshot_time AS VARCHAR) AS snapshot_time, s.schema_version, c.changes_made, c.author, c.commit_message, c.commit_extra_info
       FROM ${m}.ducklake_snapshot s LEFT JOIN ${m}.ducklake_snapshot_changes c USING (snapshot_id)
       WHERE s.snapshot_id <> (SELECT MAX(snapshot_id) FROM ${m}.ducklake_snapshot) AND ${filter.replace(/\bsnapshot_(id|time)\b/g, 's.snapshot_$1')}
       ORDER BY s.snapshot_id`,
      params,
    );
    const infos: SnapshotInfo[] = list.map((r) => ({
      id: Number(r.snapshot_id),
      time: String(r.snapshot_time),
      schemaVersion: Number(r.schema_version),
      changes: (r.changes_made as string | null) ?? null,
      author: (r.author as string | null) ?? null,
      message: (r.commit_message as string | null) ?? null,
      extraInfo: (r.commit_extra_info as string | null) ?? null,
    }));
    if (!opts.dryRun && infos.length)
      await deleteSnapshots(
        env,
        tx,
        infos.map((i) => i.id),
      );
    return infos;
  });
  if (!opts.dryRun && expired.length) {
    lake.invalidateSchemaStates();
    await env.runtime.forgetHistory(expired.map((e) => e.id));
  }
  return expired;
}

async function deleteSnapshots(env: MaintenanceEnv, tx: CatalogTransaction, ids: number[]): Promise<void> {
  const lake = env.runtime.lake;
  const m = lake.store.schemaSql;
  const q = (sql: string, params: unknown[] = []) => tx.query(sql, params);
  const inList = (xs: number[]) => xs.join(', ');
  // Paths are resolved before any table or schema row goes away.
  const resolve = await fileResolver(lake, tx);
  for (const part of chunks(ids)) {
    await q(`DELETE FROM ${m}.ducklake_snapshot WHERE snapshot_id IN (${inList(part)})`);
    await q(`DELETE FROM ${m}.ducklake_snapshot_changes WHERE snapshot_id IN (${inList(part)})`);
  }
  // Tables none of whose versions is seen by a remaining snapshot any more.
  const purgedTables = (
    await q(
      `SELECT DISTINCT table_id FROM ${m}.ducklake_table t WHERE ${UNSEEN(m)}
       AND NOT EXISTS (SELECT 1 FROM ${m}.ducklake_table t2 WHERE t2.table_id = t.table_id AND (t2.end_snapshot IS NULL OR EXISTS (SELECT snapshot_id FROM ${m}.ducklake_snapshot WHERE snapshot_id >= t2.begin_snapshot AND snapshot_id < t2.end_snapshot)))`,
    )
  ).map((r) => Number(r.table_id));
  const tableFilter = purgedTables.length ? `table_id IN (${inList(purgedTables)}) OR ` : '';
  // Data files only expired snapshots saw (or of purged tables).
  const dataFiles = await q(`SELECT data_file_id, table_id, path, path_is_relative FROM ${m}.ducklake_data_file WHERE ${tableFilter}(${UNSEEN(m)})`);
  const purgedFiles = dataFiles.map((r) => Number(r.data_file_id));
  for (const part of chunks(purgedFiles)) {
    for (const t of ['ducklake_data_file', 'ducklake_file_column_stats', 'ducklake_file_variant_stats', 'ducklake_file_partition_value']) {
      await q(`DELETE FROM ${m}.${t} WHERE data_file_id IN (${inList(part)})`);
    }
  }
  for (const r of dataFiles) await scheduleDeletion(tx, m, Number(r.data_file_id), relativeToRoot(lake, resolve(Number(r.table_id), String(r.path), r.path_is_relative !== false)));
  // Delete files of purged tables or data files, or that no remaining snapshot sees.
  const deleteFiles = new Map<number, Record<string, unknown>>();
  for (const r of await q(`SELECT delete_file_id, table_id, path, path_is_relative FROM ${m}.ducklake_delete_file WHERE ${tableFilter}(${UNSEEN(m)})`)) deleteFiles.set(Number(r.delete_file_id), r);
  for (const part of chunks(purgedFiles)) {
    for (const r of await q(`SELECT delete_file_id, table_id, path, path_is_relative FROM ${m}.ducklake_delete_file WHERE data_file_id IN (${inList(part)})`))
      deleteFiles.set(Number(r.delete_file_id), r);
  }
  for (const part of chunks([...deleteFiles.keys()])) await q(`DELETE FROM ${m}.ducklake_delete_file WHERE delete_file_id IN (${inList(part)})`);
  for (const [id, r] of deleteFiles) await scheduleDeletion(tx, m, id, relativeToRoot(lake, resolve(Number(r.table_id), String(r.path), r.path_is_relative !== false)));
  if (purgedTables.length) {
    const inlined = (await q(`SELECT table_name FROM ${m}.ducklake_inlined_data_tables WHERE table_id IN (${inList(purgedTables)})`)).map((r) => String(r.table_name));
    for (const id of purgedTables) inlined.push(`ducklake_inlined_delete_${id}`);
    for (const t of [
      'ducklake_table',
      'ducklake_table_stats',
      'ducklake_table_column_stats',
      'ducklake_partition_info',
      'ducklake_partition_column',
      'ducklake_column',
      'ducklake_column_tag',
      'ducklake_sort_info',
      'ducklake_sort_expression',
      'ducklake_schema_versions',
      'ducklake_inlined_data_tables',
      'ducklake_column_mapping',
    ]) {
      await q(`DELETE FROM ${m}.${t} WHERE table_id IN (${inList(purgedTables)})`);
    }
    for (const name of inlined) await tx.exec(`DROP TABLE IF EXISTS ${m}.${quoteIdent(name)}`);
  }
  // Schemas, views, tags and macros that ended and that no remaining snapshot sees.
  for (const t of ['ducklake_schema', 'ducklake_view', 'ducklake_tag', 'ducklake_macro']) await q(`DELETE FROM ${m}.${t} WHERE ${UNSEEN(m)}`);
  for (const t of ['ducklake_macro_impl', 'ducklake_macro_parameters']) {
    await q(`DELETE FROM ${m}.${t} tbl WHERE NOT EXISTS (SELECT 1 FROM ${m}.ducklake_macro mac WHERE mac.macro_id = tbl.macro_id)`);
  }
  await q(`DELETE FROM ${m}.ducklake_name_mapping tbl WHERE NOT EXISTS (SELECT 1 FROM ${m}.ducklake_column_mapping cm WHERE cm.mapping_id = tbl.mapping_id)`);
}
