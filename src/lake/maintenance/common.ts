/**
 * What every maintenance function works with: the lake runtime (catalog, object store, live
 * database), a DuckDB connection of its own for reading and writing Parquet, and the commit of
 * its catalog work as one snapshot through LakeTx (ids, retries, conflicts, §11).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PgError, SqlState } from '../../errors/pg-error.js';
import { fromDuckDBError } from '../../errors/duckdb-errors.js';
import type { LakeRuntime } from '../service.js';
import type { Lake } from '../lake.js';
import type { SchemaState, SnapshotRow, TableEntry } from '../catalog/model.js';
import type { CatalogQueryable } from '../catalog/store.js';
import { LakeTx, type MaintenanceWork } from '../write/tx.js';
import { quoteIdent } from '../types.js';

export interface MaintenanceEnv {
  runtime: LakeRuntime;
  /** DuckDB connection for reading sources and writing Parquet (a session's, or the scheduler's own). */
  conn: DuckDBConnection;
  /** Told about every snapshot a maintenance function committed (ducklake_last_committed_snapshot). */
  onCommitted?(snapshot: SnapshotRow): void;
}

export async function rows(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  try {
    return (await conn.runAndReadAll(sql)).getRows() as unknown[][];
  } catch (e) {
    throw fromDuckDBError(e, sql);
  }
}

export async function run(conn: DuckDBConnection, sql: string): Promise<void> {
  try {
    await conn.run(sql);
  } catch (e) {
    throw fromDuckDBError(e, sql);
  }
}

/** The newest snapshot and its schema state (the live database is brought up to it). */
export async function latest(env: MaintenanceEnv): Promise<{ snapshot: SnapshotRow; state: SchemaState }> {
  const snapshot = await env.runtime.refresh();
  const state = await env.runtime.lake.schemaState(snapshot);
  return { snapshot, state };
}

/**
 * Commits maintenance work as one snapshot based on `base`. Files in `written` are removed when
 * the commit fails. `before` runs after the catalog commit and before the live database shows it.
 */
export async function commitWork(env: MaintenanceEnv, base: SnapshotRow, state: SchemaState, work: MaintenanceWork, written: string[], before?: () => Promise<void>): Promise<SnapshotRow | null> {
  const lake = env.runtime.lake;
  const tx = new LakeTx(lake, base, state);
  tx.maintenance.push(work);
  tx.writtenUris.push(...written);
  let snapshot: SnapshotRow | null;
  try {
    snapshot = (await tx.commit()).snapshot;
  } catch (e) {
    await tx.discardFiles();
    throw e;
  }
  if (before) await before();
  if (snapshot) {
    env.onCommitted?.(snapshot);
    await env.runtime.committed(snapshot);
  }
  return snapshot;
}

export const conflict = (message: string) =>
  new PgError(SqlState.serializationFailure, `Transaction conflict: ${message}`, { hint: 'Another session committed a conflicting change first; run the maintenance function again.' });

/** Schema name of a table. */
export function schemaName(state: SchemaState, table: TableEntry): string {
  return state.schemas.get(table.schemaId)?.name ?? 'main';
}

/**
 * Tables a maintenance function works on: the named one (schema optional: the default schema,
 * then any), the tables of a schema, or every table; ordered by table id.
 */
export function selectTables(state: SchemaState, opts: { schema?: string; table?: string; defaultSchema?: string }): TableEntry[] {
  const all = [...state.tables.values()].sort((a, b) => a.id - b.id);
  const schemaOf = (t: TableEntry) => state.schemas.get(t.schemaId)?.name.toLowerCase();
  const normalize = (s: string) => (s === 'public' ? 'main' : s).toLowerCase();
  if (opts.table !== undefined) {
    const name = opts.table.toLowerCase();
    const candidates = all.filter((t) => t.name.toLowerCase() === name);
    let found: TableEntry | undefined;
    if (opts.schema !== undefined) {
      if (![...state.schemas.values()].some((s) => s.name.toLowerCase() === normalize(opts.schema!))) throw new PgError(SqlState.undefinedSchema, `Schema with name ${opts.schema} does not exist!`);
      found = candidates.find((t) => schemaOf(t) === normalize(opts.schema!));
    } else {
      found = candidates.find((t) => schemaOf(t) === normalize(opts.defaultSchema ?? 'main')) ?? candidates[0];
    }
    if (!found) throw new PgError(SqlState.undefinedTable, `Table with name ${opts.table} does not exist!`, { table: opts.table });
    return [found];
  }
  if (opts.schema !== undefined) {
    if (![...state.schemas.values()].some((s) => s.name.toLowerCase() === normalize(opts.schema!))) throw new PgError(SqlState.undefinedSchema, `Schema with name ${opts.schema} does not exist!`);
    return all.filter((t) => schemaOf(t) === normalize(opts.schema!));
  }
  return all;
}

/**
 * A lake option for a table: table-scoped, then schema-scoped (unless `schemaScope` is false),
 * then global, then `fallback`.
 */
export async function tableOption(q: CatalogQueryable, m: string, key: string, table: TableEntry | null, fallback: string, schemaScope = true): Promise<string> {
  const rs = await q.query(`SELECT value, scope, scope_id FROM ${m}.ducklake_metadata WHERE key = $1`, [key]);
  const find = (scope: string | null, id: number | null) => rs.find((r) => (r.scope ?? null) === scope && (scope === null || Number(r.scope_id) === id));
  const hit = (table ? (find('table', table.id) ?? (schemaScope ? find('schema', table.schemaId) : undefined)) : undefined) ?? find(null, null);
  return hit ? String(hit.value) : fallback;
}

/** Whether the catalog has `ducklake_inlined_delete_<T>` (it is not registered anywhere, §17.3). */
export async function hasInlinedDeleteTable(lake: Lake, q: CatalogQueryable, tableId: number): Promise<boolean> {
  const r = await q.query(`SELECT 1 AS x FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2`, [lake.store.schemaName, `ducklake_inlined_delete_${tableId}`]);
  return r.length > 0;
}

export function inlinedDeleteTable(lake: Lake, tableId: number): string {
  return `${lake.store.schemaSql}.${quoteIdent(`ducklake_inlined_delete_${tableId}`)}`;
}

/** A file URI as files_scheduled_for_deletion records it: relative to the data path when inside it. */
export function relativeToRoot(lake: Lake, uri: string): { path: string; relative: boolean } {
  const root = lake.objects.root;
  return uri.startsWith(root) ? { path: uri.slice(root.length), relative: true } : { path: uri, relative: false };
}

/** Splits a list into chunks (IN lists of catalog statements stay bounded). */
export function chunks<T>(items: T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Refuses writing maintenance on lakes lakegres cannot write. */
export function requireWritable(lake: Lake, what: string): void {
  if (lake.metadata.encrypted) throw new PgError(SqlState.featureNotSupported, `lake "${lake.name}" is encrypted; lakegres cannot run ${what} on it`);
}

let stagingCounter = 0;
export function stagingName(prefix: string): string {
  return `__lakegres_${prefix}_${process.pid}_${++stagingCounter}`;
}
