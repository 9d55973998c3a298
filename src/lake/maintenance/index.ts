/**
 * Maintenance functions of a lake (§23): expire snapshots, clean up old and orphaned files,
 * merge adjacent files, rewrite data files, flush inlined data.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { LakeSession } from '../lake-session.js';
import type { FunctionArgs } from '../functions/index.js';
import type { CallResult } from '../write/calls.js';

export const MAINTENANCE_FUNCTIONS = new Set([
  'ducklake_expire_snapshots',
  'ducklake_cleanup_old_files',
  'ducklake_delete_orphaned_files',
  'ducklake_merge_adjacent_files',
  'ducklake_rewrite_data_files',
  'ducklake_flush_inlined_data',
]);

/** Result columns of each maintenance function (Describe needs them before the call runs). */
export function maintenanceColumns(name: string): [string, string][] {
  void name;
  return [['Success', 'BOOLEAN']];
}

export async function runMaintenance(s: LakeSession, name: string, args: FunctionArgs, ctx: { inBlock: boolean; defaultSchema: string }): Promise<CallResult> {
  void s;
  void args;
  void ctx;
  throw new PgError(SqlState.featureNotSupported, `${name} is not available yet`);
}
