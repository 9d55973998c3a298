/**
 * The ducklake_* table functions of the official extension, same names, arguments and result
 * columns, evaluated from the catalog and returned as subqueries for the rewriter.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parseChanges, type Change, type ChangeKind } from '../write/changes.js';
import { valuesRelation, type SqlValue } from './sql-values.js';
import type { RewriteContext } from '../sql/rewrite.js';
import type { SchemaState, TableEntry } from '../catalog/model.js';
import { quoteLiteral } from '../types.js';
import { tableChangesSql } from './changes-feed.js';
import { optionsRelation } from './options.js';

export interface FunctionArgs {
  positional: unknown[];
  named: Map<string, unknown>;
}

export const LAKE_FUNCTIONS = new Set([
  'ducklake_snapshots',
  'ducklake_current_snapshot',
  'ducklake_last_committed_snapshot',
  'ducklake_table_info',
  'ducklake_list_files',
  'ducklake_table_insertions',
  'ducklake_table_deletions',
  'ducklake_table_changes',
  'ducklake_options',
  'ducklake_settings',
]);

/** Catalog-scoped shortcuts (`lake.snapshots()`) and the function they stand for. */
export const SHORTCUTS = new Map<string, string>([
  ['snapshots', 'ducklake_snapshots'],
  ['current_snapshot', 'ducklake_current_snapshot'],
  ['last_committed_snapshot', 'ducklake_last_committed_snapshot'],
  ['table_info', 'ducklake_table_info'],
  ['options', 'ducklake_options'],
  ['settings', 'ducklake_settings'],
  ['table_changes', 'ducklake_table_changes'],
  ['table_insertions', 'ducklake_table_insertions'],
  ['table_deletions', 'ducklake_table_deletions'],
]);

/**
 * Keys of the `changes` map in the order the extension builds it, with the change kinds each
 * shows. `compacted_table` (older lakes) is parsed by the extension but not shown.
 */
const DISPLAY_KEYS: [string, ChangeKind[]][] = [
  ['schemas_created', ['created_schema']],
  ['schemas_dropped', ['dropped_schema']],
  ['tables_created', ['created_table']],
  ['views_created', ['created_view']],
  ['scalar_macros_created', ['created_scalar_macro']],
  ['table_macros_created', ['created_table_macro']],
  ['tables_dropped', ['dropped_table']],
  ['tables_altered', ['altered_table']],
  ['tables_inserted_into', ['inserted_into_table']],
  ['tables_deleted_from', ['deleted_from_table']],
  ['views_dropped', ['dropped_view']],
  ['scalar_macros_dropped', ['dropped_scalar_macro']],
  ['table_macros_dropped', ['dropped_table_macro']],
  ['views_altered', ['altered_view']],
  ['inlined_insert', ['inlined_insert']],
  ['inlined_delete', ['inlined_delete']],
  ['flushed_inlined', ['inline_flush']],
  ['merge_adjacent', ['merge_adjacent']],
  ['rewrite_delete', ['rewrite_delete']],
];

let keywordCache: Promise<Set<string>> | null = null;

/** DuckDB's keywords (any category): names that the extension quotes in `schema.name` values. */
export function duckdbKeywords(conn: DuckDBConnection): Promise<Set<string>> {
  keywordCache ??= conn
    .runAndReadAll('SELECT keyword_name FROM duckdb_keywords()')
    .then((r) => new Set(r.getRows().map((row) => String(row[0]).toLowerCase())))
    .catch((e: unknown) => {
      keywordCache = null;
      throw e;
    });
  return keywordCache;
}

/** A name as DuckDB writes it when it may need quotes (plain identifiers and non-keywords stay bare). */
function optionallyQuoted(name: string, keywords: Set<string>): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !keywords.has(name.toLowerCase())) return name;
  return '"' + name.replace(/"/g, '""') + '"';
}

/**
 * The `changes` MAP(VARCHAR, VARCHAR[]) of ducklake_snapshots() (and expire_snapshots), as a
 * SQL expression, built as the extension builds it: keys in its fixed order, ids as sorted
 * distinct numbers, created schemas by name, created tables, views and macros as
 * `schema.name` with names quoted only where DuckDB needs it.
 */
export function changesMapSql(changes: Change[], keywords: Set<string>): string {
  const entries: string[] = [];
  for (const [key, kinds] of DISPLAY_KEYS) {
    const of = changes.filter((c) => kinds.includes(c.kind));
    if (of.length === 0) continue;
    let values: string[];
    if (of.every((c) => typeof c.value === 'number')) {
      values = [...new Set(of.map((c) => c.value as number))].sort((a, b) => a - b).map(String);
    } else if (key === 'schemas_created') {
      values = [...new Set(of.map((c) => (typeof c.value === 'number' ? String(c.value) : c.value.join('.'))))];
    } else {
      // Grouped by schema (first appearance), each name once.
      const bySchema = new Map<string, Set<string>>();
      for (const c of of) {
        const parts = typeof c.value === 'number' ? [String(c.value)] : c.value;
        const schema = parts.length > 1 ? parts[0]! : '';
        const name = parts[parts.length - 1]!;
        const set = bySchema.get(schema) ?? new Set<string>();
        set.add(name);
        bySchema.set(schema, set);
      }
      values = [...bySchema].flatMap(([schema, names]) => [...names].map((n) => `${optionallyQuoted(schema, keywords)}.${optionallyQuoted(n, keywords)}`));
    }
    entries.push(`${quoteLiteral(key)}: [${values.map(quoteLiteral).join(', ')}]`);
  }
  if (entries.length === 0) return 'MAP {}::MAP(VARCHAR, VARCHAR[])';
  return `MAP {${entries.join(', ')}}`;
}

function requireLake(name: string, ctx: RewriteContext): void {
  if (name.toLowerCase() !== ctx.runtime.name.toLowerCase()) {
    throw new PgError(SqlState.invalidCatalogName, `Catalog "${name}" does not exist or is not a DuckLake catalog`, { hint: `This session's lake is "${ctx.runtime.name}".` });
  }
}

export function findTableByName(state: SchemaState, schema: string | undefined, name: string): TableEntry {
  const lname = name.toLowerCase();
  for (const t of state.tables.values()) {
    const s = state.schemas.get(t.schemaId);
    if (t.name.toLowerCase() === lname && (!schema || s?.name.toLowerCase() === schema.toLowerCase())) return t;
  }
  throw new PgError(SqlState.undefinedTable, `Table with name ${name} does not exist!`);
}

export async function lakeFunction(name: string, lakeName: string, args: FunctionArgs, ctx: RewriteContext): Promise<string> {
  requireLake(lakeName, ctx);
  const lake = ctx.runtime.lake;
  const m = lake.store.schemaSql;
  switch (name) {
    case 'ducklake_snapshots': {
      const keywords = await duckdbKeywords(ctx.parserConn);
      const rows = await lake.store.query(
        `SELECT s.snapshot_id, CAST(s.snapshot_time AS VARCHAR) AS snapshot_time, s.schema_version, c.changes_made, c.author, c.commit_message, c.commit_extra_info FROM ${m}.ducklake_snapshot s LEFT JOIN ${m}.ducklake_snapshot_changes c USING (snapshot_id) ORDER BY s.snapshot_id`,
      );
      return valuesRelation(
        [
          ['snapshot_id', 'BIGINT'],
          ['snapshot_time', 'TIMESTAMPTZ'],
          ['schema_version', 'BIGINT'],
          ['changes', 'MAP(VARCHAR, VARCHAR[])'],
          ['author', 'VARCHAR'],
          ['commit_message', 'VARCHAR'],
          ['commit_extra_info', 'VARCHAR'],
        ],
        rows.map((r) => [
          Number(r.snapshot_id),
          String(r.snapshot_time),
          Number(r.schema_version),
          { sql: changesMapSql(parseChanges((r.changes_made as string | null) ?? null), keywords) },
          (r.author as string | null) ?? null,
          (r.commit_message as string | null) ?? null,
          (r.commit_extra_info as string | null) ?? null,
        ]),
      );
    }
    case 'ducklake_current_snapshot':
      return valuesRelation([['id', 'UBIGINT']], [[ctx.state.loadedAt >= 0 ? ctx.currentSnapshot : null]]);
    case 'ducklake_last_committed_snapshot':
      return valuesRelation([['id', 'UBIGINT']], [[ctx.lastCommitted ?? null]]);
    case 'ducklake_table_info': {
      const rows: SqlValue[][] = [];
      const s = ctx.currentSnapshot;
      const stats = await lake.store.query(
        `SELECT d.table_id, count(*) AS files, sum(d.file_size_bytes) AS bytes, count(del.delete_file_id) AS del_files, sum(del.file_size_bytes) AS del_bytes
         FROM ${m}.ducklake_data_file d LEFT JOIN (SELECT * FROM ${m}.ducklake_delete_file WHERE begin_snapshot <= $1 AND (end_snapshot IS NULL OR end_snapshot > $1)) del ON del.data_file_id = d.data_file_id
         WHERE d.begin_snapshot <= $1 AND (d.end_snapshot IS NULL OR d.end_snapshot > $1) GROUP BY d.table_id`,
        [s],
      );
      const byTable = new Map(stats.map((r) => [Number(r.table_id), r]));
      for (const t of [...ctx.state.tables.values()].sort((a, b) => a.id - b.id)) {
        const st = byTable.get(t.id);
        rows.push([t.name, t.schemaId, t.id, t.uuid, Number(st?.files ?? 0), Number(st?.bytes ?? 0), Number(st?.del_files ?? 0), Number(st?.del_bytes ?? 0)]);
      }
      return valuesRelation(
        [
          ['table_name', 'VARCHAR'],
          ['schema_id', 'BIGINT'],
          ['table_id', 'BIGINT'],
          ['table_uuid', 'UUID'],
          ['file_count', 'BIGINT'],
          ['file_size_bytes', 'BIGINT'],
          ['delete_file_count', 'BIGINT'],
          ['delete_file_size_bytes', 'BIGINT'],
        ],
        rows,
      );
    }
    case 'ducklake_list_files': {
      const tableName = String(args.positional[0] ?? '');
      const schema = args.named.get('schema') as string | undefined;
      let snapshotId = ctx.currentSnapshot;
      let state = ctx.state;
      if (args.named.has('snapshot_version') || args.named.has('snapshot_time')) {
        const snap = args.named.has('snapshot_version')
          ? await lake.reader.snapshot(lake.store, Number(args.named.get('snapshot_version')))
          : await lake.reader.snapshotAtTime(lake.store, String(args.named.get('snapshot_time')));
        snapshotId = snap.id;
        state = await lake.schemaState(snap);
      }
      const table = findTableByName(state, schema, tableName);
      const dir = lake.tableDir(state, table);
      const files = await lake.reader.dataFiles(lake.store, table.id, snapshotId);
      return valuesRelation(
        [
          ['data_file', 'VARCHAR'],
          ['data_file_size_bytes', 'UBIGINT'],
          ['data_file_footer_size', 'UBIGINT'],
          ['data_file_encryption_key', 'BLOB'],
          ['delete_file', 'VARCHAR'],
          ['delete_file_size_bytes', 'UBIGINT'],
          ['delete_file_footer_size', 'UBIGINT'],
          ['delete_file_encryption_key', 'BLOB'],
        ],
        files.map((f) => [
          lake.fileUri(dir, f.path, f.pathIsRelative),
          f.fileSizeBytes,
          f.footerSize,
          f.encryptionKey === null ? null : { sql: `from_base64(${quoteLiteral(f.encryptionKey)})` },
          f.deleteFile ? lake.fileUri(dir, f.deleteFile.path, f.deleteFile.pathIsRelative) : null,
          f.deleteFile ? f.deleteFile.fileSizeBytes : null,
          f.deleteFile ? f.deleteFile.footerSize : null,
          f.deleteFile?.encryptionKey ? { sql: `from_base64(${quoteLiteral(f.deleteFile.encryptionKey)})` } : null,
        ]),
      );
    }
    case 'ducklake_table_insertions':
    case 'ducklake_table_deletions':
    case 'ducklake_table_changes': {
      const [schema, table, start, end] = args.positional as [string, string, unknown, unknown];
      const kind = name === 'ducklake_table_insertions' ? 'insertions' : name === 'ducklake_table_deletions' ? 'deletions' : 'changes';
      return tableChangesSql(ctx, String(schema), String(table), start, end, kind);
    }
    case 'ducklake_options':
      return optionsRelation(ctx);
    case 'ducklake_settings':
      return valuesRelation(
        [
          ['catalog_type', 'VARCHAR'],
          ['extension_version', 'VARCHAR'],
          ['data_path', 'VARCHAR'],
        ],
        [[lake.store.kind, 'lakegres', lake.objects.root]],
      );
    default:
      throw new PgError(SqlState.undefinedFunction, `function ${name} does not exist`);
  }
}
