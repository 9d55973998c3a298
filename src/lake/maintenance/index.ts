/**
 * Maintenance functions of a lake (§23): expire snapshots, clean up old and orphaned files,
 * merge adjacent files, rewrite data files, flush inlined data. Same names, arguments, defaults
 * and result columns as the extension's; reached through CALL (write/calls.ts) and used by the
 * server's maintenance schedule (scheduler.ts).
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { LakeSession } from '../lake-session.js';
import type { FunctionArgs } from '../functions/index.js';
import { changesMapSql, duckdbKeywords } from '../functions/index.js';
import { parseChanges } from '../write/changes.js';
import type { CallResult } from '../write/calls.js';
import type { SqlValue } from '../functions/sql-values.js';
import type { MaintenanceEnv } from './common.js';
import { boolArg, checkNamed, doubleArg, instantArg, stringArg, uintArg, versionsArg } from './args.js';
import { expireSnapshots } from './expire.js';
import { cleanupOldFiles, deleteOrphanedFiles } from './cleanup.js';
import { mergeAdjacentFiles, rewriteDataFiles } from './compaction.js';
import { flushInlinedData } from './flush.js';

export { expireSnapshots } from './expire.js';
export { cleanupOldFiles, deleteOrphanedFiles } from './cleanup.js';
export { mergeAdjacentFiles, rewriteDataFiles } from './compaction.js';
export { flushInlinedData } from './flush.js';
export type { MaintenanceEnv } from './common.js';

export const MAINTENANCE_FUNCTIONS = new Set([
  'ducklake_expire_snapshots',
  'ducklake_cleanup_old_files',
  'ducklake_delete_orphaned_files',
  'ducklake_merge_adjacent_files',
  'ducklake_rewrite_data_files',
  'ducklake_flush_inlined_data',
]);

const SNAPSHOT_COLUMNS: [string, string][] = [
  ['snapshot_id', 'BIGINT'],
  ['snapshot_time', 'TIMESTAMPTZ'],
  ['schema_version', 'BIGINT'],
  ['changes', 'MAP(VARCHAR, VARCHAR[])'],
  ['author', 'VARCHAR'],
  ['commit_message', 'VARCHAR'],
  ['commit_extra_info', 'VARCHAR'],
];
const PATH_COLUMNS: [string, string][] = [['path', 'VARCHAR']];
const COMPACTION_COLUMNS: [string, string][] = [
  ['schema_name', 'VARCHAR'],
  ['table_name', 'VARCHAR'],
  ['files_processed', 'BIGINT'],
  ['files_created', 'BIGINT'],
];
// The extension sums rows_flushed per table (SUM(BIGINT) is a HUGEINT).
const FLUSH_COLUMNS: [string, string][] = [
  ['schema_name', 'VARCHAR'],
  ['table_name', 'VARCHAR'],
  ['rows_flushed', 'HUGEINT'],
];

/** Result columns of each maintenance function (Describe needs them before the call runs). */
export function maintenanceColumns(name: string): [string, string][] {
  switch (name) {
    case 'ducklake_expire_snapshots':
      return SNAPSHOT_COLUMNS;
    case 'ducklake_cleanup_old_files':
    case 'ducklake_delete_orphaned_files':
      return PATH_COLUMNS;
    case 'ducklake_merge_adjacent_files':
    case 'ducklake_rewrite_data_files':
      return COMPACTION_COLUMNS;
    case 'ducklake_flush_inlined_data':
      return FLUSH_COLUMNS;
    default:
      return [['Success', 'BOOLEAN']];
  }
}

/** CALL of a maintenance function from a session. */
export async function runMaintenance(s: LakeSession, name: string, args: FunctionArgs, ctx: { inBlock: boolean; defaultSchema: string }): Promise<CallResult> {
  const dryRun = args.named.has('dry_run') ? boolArg('dry_run', args.named.get('dry_run')) === true : false;
  // Maintenance commits (or deletes files) at once, which a transaction block could not undo.
  if (ctx.inBlock && !dryRun) {
    throw new PgError(SqlState.activeSqlTransaction, `${name} cannot run inside a transaction block`, { hint: 'Run it outside BEGIN ... COMMIT (or with dry_run => true).' });
  }
  const env: MaintenanceEnv = {
    runtime: s.runtime,
    conn: s.conn,
    onCommitted: (snapshot) => {
      s.lastCommitted = snapshot.id;
    },
  };
  return callMaintenance(env, name, args, ctx.defaultSchema);
}

/** Runs a maintenance function with its CALL arguments (the lake argument already removed). */
export async function callMaintenance(env: MaintenanceEnv, name: string, args: FunctionArgs, defaultSchema = 'main'): Promise<CallResult> {
  const named = args.named;
  const tooMany = (n: number) => {
    if (args.positional.length > n) throw new PgError(SqlState.undefinedFunction, `function ${name} does not take ${args.positional.length + 1} arguments`);
  };
  switch (name) {
    case 'ducklake_expire_snapshots': {
      tooMany(0);
      checkNamed(name, args, ['older_than', 'versions', 'dry_run']);
      const olderThan = await instantArg(env.conn, 'older_than', named.get('older_than'));
      const versions = versionsArg(named.get('versions'));
      const out = await expireSnapshots(env, { olderThan, versions, dryRun: boolArg('dry_run', named.get('dry_run')) });
      const keywords = await duckdbKeywords(env.conn);
      const rows: SqlValue[][] = out.map((i) => [i.id, i.time, i.schemaVersion, { sql: changesMapSql(parseChanges(i.changes), keywords) }, i.author, i.message, i.extraInfo]);
      return { columns: SNAPSHOT_COLUMNS, rows };
    }
    case 'ducklake_cleanup_old_files':
    case 'ducklake_delete_orphaned_files': {
      tooMany(0);
      checkNamed(name, args, ['older_than', 'cleanup_all', 'dry_run']);
      const opts = {
        olderThan: await instantArg(env.conn, 'older_than', named.get('older_than')),
        cleanupAll: boolArg('cleanup_all', named.get('cleanup_all')),
        dryRun: boolArg('dry_run', named.get('dry_run')),
      };
      const paths = name === 'ducklake_cleanup_old_files' ? await cleanupOldFiles(env, opts) : await deleteOrphanedFiles(env, opts);
      return { columns: PATH_COLUMNS, rows: paths.map((p) => [p]) };
    }
    case 'ducklake_merge_adjacent_files':
    case 'ducklake_rewrite_data_files': {
      tooMany(1);
      const merge = name === 'ducklake_merge_adjacent_files';
      const table = args.positional.length ? stringArg('table_name', args.positional[0]) : undefined;
      const allowed = merge ? ['min_file_size', 'max_file_size', 'max_compacted_files'] : ['delete_threshold'];
      // `schema =>` exists only in the form that names a table.
      checkNamed(name, args, table !== undefined ? [...allowed, 'schema'] : allowed);
      const schema = stringArg('schema', named.get('schema'));
      const out = merge
        ? await mergeAdjacentFiles(env, {
            table,
            schema,
            defaultSchema,
            minFileSize: uintArg('min_file_size', named.get('min_file_size')),
            maxFileSize: uintArg('max_file_size', named.get('max_file_size')),
            maxCompactedFiles: uintArg('max_compacted_files', named.get('max_compacted_files')),
          })
        : await rewriteDataFiles(env, { table, schema, defaultSchema, deleteThreshold: doubleArg('delete_threshold', named.get('delete_threshold')) });
      return { columns: COMPACTION_COLUMNS, rows: out.map((r) => [r.schema, r.table, r.filesProcessed, r.filesCreated]) };
    }
    case 'ducklake_flush_inlined_data': {
      tooMany(0);
      checkNamed(name, args, ['schema_name', 'table_name']);
      const out = await flushInlinedData(env, { schema: stringArg('schema_name', named.get('schema_name')), table: stringArg('table_name', named.get('table_name')), defaultSchema });
      return { columns: FLUSH_COLUMNS, rows: out.map((r) => [r.schema, r.table, r.rows]) };
    }
    default:
      throw new PgError(SqlState.undefinedFunction, `function ${name} does not exist`);
  }
}
