/**
 * ducklake_cleanup_old_files and ducklake_delete_orphaned_files (§23.2, §23.3): removing files
 * from storage (through the lake's object store: local directory or S3).
 *
 * cleanup_old_files deletes the files in ducklake_files_scheduled_for_deletion scheduled before
 * the cutoff (older_than, else now minus the delete_older_than option, default 2 days; all with
 * cleanup_all) and then their rows. delete_orphaned_files deletes `*.parquet` files under the
 * data path, last modified before the cutoff, that no catalog row names. Neither ever deletes a
 * file that a data or delete file row of the catalog still names.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { Lake } from '../lake.js';
import { joinUri } from '../storage/object-store.js';
import { chunks, tableOption, type MaintenanceEnv } from './common.js';
import { instantBefore, type Instant } from './args.js';
import { baseName, knownFiles, normalizePath } from './paths.js';

export interface CleanupOptions {
  olderThan?: Instant;
  cleanupAll?: boolean;
  dryRun?: boolean;
}

async function cutoff(env: MaintenanceEnv, fn: string, opts: CleanupOptions): Promise<Instant | null> {
  const lake = env.runtime.lake;
  const dflt = await tableOption(lake.store, lake.store.schemaSql, 'delete_older_than', null, '2 days');
  const all = opts.cleanupAll === true;
  const has = opts.olderThan !== undefined;
  if ((all && has) || (!all && !has && dflt === '')) {
    throw new PgError(SqlState.invalidParameterValue, `${fn}: either cleanup_all OR older_than must be specified.`, {
      hint: `You can also set a default value for file deletion via e.g., CALL ${lake.name}.set_option('delete_older_than', '1 week');`,
    });
  }
  if (has) return opts.olderThan!;
  if (all) return null;
  return instantBefore(env.conn, dflt);
}

export async function cleanupOldFiles(env: MaintenanceEnv, opts: CleanupOptions): Promise<string[]> {
  const lake = env.runtime.lake;
  const m = lake.store.schemaSql;
  const before = await cutoff(env, 'ducklake_cleanup_old_files', opts);
  const scheduled = await lake.store.query(
    `SELECT data_file_id, path, path_is_relative FROM ${m}.ducklake_files_scheduled_for_deletion${before ? ' WHERE schedule_start < CAST($1 AS TIMESTAMPTZ)' : ''}`,
    before ? [before.text] : [],
  );
  if (scheduled.length === 0) return [];
  // A scheduled file that a catalog row still names (which the extension never produces) stays.
  const { referenced } = await knownFiles(lake, lake.store);
  const files = scheduled
    .map((r) => ({ id: Number(r.data_file_id), path: r.path_is_relative !== false ? joinUri(lake.objects.root, String(r.path)) : String(r.path) }))
    .filter((f) => {
      const keep = referenced.has(normalizePath(f.path));
      if (keep) lake.log.warn({ path: f.path }, 'a file scheduled for deletion is still referenced by the catalog; it is kept');
      return !keep;
    });
  if (opts.dryRun || files.length === 0) return files.map((f) => f.path);
  await lake.objects.delete(files.map((f) => f.path));
  await lake.store.transaction(async (tx) => {
    for (const part of chunks(files.map((f) => f.id))) await tx.query(`DELETE FROM ${m}.ducklake_files_scheduled_for_deletion WHERE data_file_id IN (${part.join(', ')})`);
  });
  // Cached historical databases may have read the deleted files.
  await env.runtime.forgetHistory();
  return files.map((f) => f.path);
}

export async function deleteOrphanedFiles(env: MaintenanceEnv, opts: CleanupOptions): Promise<string[]> {
  const lake = env.runtime.lake;
  const before = await cutoff(env, 'ducklake_delete_orphaned_files', opts);
  const orphans = await findOrphans(lake, before);
  if (!opts.dryRun && orphans.length) await lake.objects.delete(orphans);
  return orphans;
}

async function findOrphans(lake: Lake, before: Instant | null): Promise<string[]> {
  const { referenced, scheduled } = await knownFiles(lake, lake.store);
  // Names are unique (uuidv7): a listed file whose name the catalog knows is never an orphan,
  // however its path is spelled.
  const names = new Set([...referenced, ...scheduled].map(baseName));
  const out: string[] = [];
  for await (const o of lake.objects.list(lake.objects.root)) {
    if (!o.uri.endsWith('.parquet')) continue;
    if (before && !(o.lastModified.getTime() < before.ms)) continue;
    const p = normalizePath(o.uri);
    if (referenced.has(p) || scheduled.has(p) || names.has(baseName(p))) continue;
    out.push(o.uri);
  }
  return out.sort();
}
