/**
 * Reads the catalog at a snapshot: snapshot rows, the schema state (schemas, tables with their
 * column trees, views, macros, tags, partition and sort specs, inlined tables) and per-table
 * data/delete file lists. Follows the reader algorithm of the DuckLake spec (§10).
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { CatalogQueryable } from './store.js';
import type { DataFileEntry, MacroEntry, SchemaEntry, SchemaState, SnapshotRow, TableEntry, ViewEntry } from './model.js';
import type { LakeColumn } from '../types.js';

const visible = (alias = '') => `${alias}begin_snapshot <= $1 AND (${alias}end_snapshot IS NULL OR ${alias}end_snapshot > $1)`;

function snapshotFromRow(r: Record<string, unknown>): SnapshotRow {
  return {
    id: Number(r.snapshot_id),
    time: String(r.snapshot_time),
    schemaVersion: Number(r.schema_version),
    nextCatalogId: Number(r.next_catalog_id),
    nextFileId: Number(r.next_file_id),
  };
}

const SNAPSHOT_COLS = 'snapshot_id, CAST(snapshot_time AS VARCHAR) AS snapshot_time, schema_version, next_catalog_id, next_file_id';

export class CatalogReader {
  constructor(private readonly m: string) {}

  async latestSnapshot(q: CatalogQueryable): Promise<SnapshotRow> {
    const rows = await q.query(`SELECT ${SNAPSHOT_COLS} FROM ${this.m}.ducklake_snapshot WHERE snapshot_id = (SELECT MAX(snapshot_id) FROM ${this.m}.ducklake_snapshot)`);
    if (rows.length === 0) throw new PgError(SqlState.dataException, 'the lake catalog has no snapshot');
    return snapshotFromRow(rows[0]!);
  }

  async latestSnapshotId(q: CatalogQueryable): Promise<number> {
    const rows = await q.query(`SELECT MAX(snapshot_id) AS id FROM ${this.m}.ducklake_snapshot`);
    return Number(rows[0]?.id ?? 0);
  }

  async snapshot(q: CatalogQueryable, id: number): Promise<SnapshotRow> {
    const rows = await q.query(`SELECT ${SNAPSHOT_COLS} FROM ${this.m}.ducklake_snapshot WHERE snapshot_id = $1`, [id]);
    if (rows.length === 0) throw new PgError(SqlState.invalidParameterValue, `No snapshot found at version ${id}`);
    return snapshotFromRow(rows[0]!);
  }

  /** The latest snapshot committed at or before `timestamp` (any text the backend casts to timestamptz). */
  async snapshotAtTime(q: CatalogQueryable, timestamp: string): Promise<SnapshotRow> {
    const rows = await q.query(`SELECT ${SNAPSHOT_COLS} FROM ${this.m}.ducklake_snapshot WHERE snapshot_time <= CAST($1 AS TIMESTAMPTZ) ORDER BY snapshot_time DESC, snapshot_id DESC LIMIT 1`, [
      timestamp,
    ]);
    if (rows.length === 0) throw new PgError(SqlState.invalidParameterValue, `No snapshot found at timestamp ${timestamp}`);
    return snapshotFromRow(rows[0]!);
  }

  async snapshotsBetween(q: CatalogQueryable, after: number, upTo: number): Promise<{ id: number; changes: string | null }[]> {
    const rows = await q.query(`SELECT snapshot_id, changes_made FROM ${this.m}.ducklake_snapshot_changes WHERE snapshot_id > $1 AND snapshot_id <= $2 ORDER BY snapshot_id`, [after, upTo]);
    return rows.map((r) => ({ id: Number(r.snapshot_id), changes: (r.changes_made as string | null) ?? null }));
  }

  /** Loads the schema state visible at snapshot `s` (whose schema_version is `schemaVersion`). */
  async schemaState(q: CatalogQueryable, s: number, schemaVersion: number): Promise<SchemaState> {
    const m = this.m;
    const schemas = new Map<number, SchemaEntry>();
    for (const r of await q.query(`SELECT schema_id, CAST(schema_uuid AS VARCHAR) AS schema_uuid, schema_name, path, path_is_relative, begin_snapshot FROM ${m}.ducklake_schema WHERE ${visible()}`, [
      s,
    ])) {
      schemas.set(Number(r.schema_id), {
        id: Number(r.schema_id),
        uuid: String(r.schema_uuid),
        name: String(r.schema_name),
        path: (r.path as string | null) ?? null,
        pathIsRelative: r.path_is_relative !== false,
        beginSnapshot: Number(r.begin_snapshot),
      });
    }
    const tables = new Map<number, TableEntry>();
    for (const r of await q.query(
      `SELECT table_id, CAST(table_uuid AS VARCHAR) AS table_uuid, schema_id, table_name, path, path_is_relative, begin_snapshot FROM ${m}.ducklake_table WHERE ${visible()}`,
      [s],
    )) {
      tables.set(Number(r.table_id), {
        id: Number(r.table_id),
        uuid: String(r.table_uuid),
        schemaId: Number(r.schema_id),
        name: String(r.table_name),
        path: (r.path as string | null) ?? null,
        pathIsRelative: r.path_is_relative !== false,
        beginSnapshot: Number(r.begin_snapshot),
        columns: [],
        comment: null,
        tags: new Map(),
        columnComments: new Map(),
        partition: null,
        sort: null,
        inlined: [],
      });
    }
    const columnRows = await q.query(
      `SELECT table_id, column_id, begin_snapshot, column_name, column_type, initial_default, default_value, nulls_allowed, parent_column, default_value_type FROM ${m}.ducklake_column WHERE ${visible()} ORDER BY table_id, parent_column NULLS FIRST, column_order`,
      [s],
    );
    buildColumnTrees(columnRows, (tableId) => tables.get(tableId));
    for (const t of tables.values()) {
      if (t.columns.length === 0) throw new PgError(SqlState.dataException, `corrupt lake catalog: table "${t.name}" (id ${t.id}) has no columns at snapshot ${s}`);
    }
    for (const r of await q.query(`SELECT object_id, key, value FROM ${m}.ducklake_tag WHERE ${visible()}`, [s])) {
      const t = tables.get(Number(r.object_id));
      if (!t || r.value === null) continue;
      if (r.key === 'comment') t.comment = String(r.value);
      else t.tags.set(String(r.key), String(r.value));
    }
    for (const r of await q.query(`SELECT table_id, column_id, key, value FROM ${m}.ducklake_column_tag WHERE ${visible()}`, [s])) {
      const t = tables.get(Number(r.table_id));
      if (!t || r.value === null || r.key !== 'comment') continue;
      t.columnComments.set(Number(r.column_id), String(r.value));
    }
    for (const r of await q.query(
      `SELECT i.partition_id, i.table_id, c.partition_key_index, c.column_id, c.transform FROM ${m}.ducklake_partition_info i LEFT JOIN ${m}.ducklake_partition_column c ON c.partition_id = i.partition_id AND c.table_id = i.table_id WHERE ${visible('i.')} ORDER BY i.table_id, i.partition_id, c.partition_key_index`,
      [s],
    )) {
      const t = tables.get(Number(r.table_id));
      if (!t) continue;
      t.partition ??= { id: Number(r.partition_id), keys: [] };
      if (r.column_id !== null) t.partition.keys.push({ index: Number(r.partition_key_index), columnId: Number(r.column_id), transform: String(r.transform) });
    }
    for (const t of tables.values()) if (t.partition && t.partition.keys.length === 0) t.partition = null;
    for (const r of await q.query(
      `SELECT i.sort_id, i.table_id, e.sort_key_index, e.expression, e.sort_direction, e.null_order FROM ${m}.ducklake_sort_info i JOIN ${m}.ducklake_sort_expression e ON e.sort_id = i.sort_id AND e.table_id = i.table_id WHERE ${visible('i.')} AND e.dialect = 'duckdb' ORDER BY i.table_id, e.sort_key_index`,
      [s],
    )) {
      const t = tables.get(Number(r.table_id));
      if (!t) continue;
      t.sort ??= { id: Number(r.sort_id), keys: [] };
      t.sort.keys.push({
        index: Number(r.sort_key_index),
        expression: String(r.expression),
        direction: r.sort_direction === 'DESC' ? 'DESC' : 'ASC',
        nullOrder: r.null_order === 'NULLS_FIRST' ? 'NULLS_FIRST' : 'NULLS_LAST',
      });
    }
    for (const r of await q.query(`SELECT table_id, table_name, schema_version FROM ${m}.ducklake_inlined_data_tables ORDER BY table_id, schema_version`)) {
      tables.get(Number(r.table_id))?.inlined.push({ name: String(r.table_name), schemaVersion: Number(r.schema_version) });
    }
    const views = new Map<number, ViewEntry>();
    for (const r of await q.query(
      `SELECT view_id, CAST(view_uuid AS VARCHAR) AS view_uuid, schema_id, view_name, dialect, sql, column_aliases, begin_snapshot FROM ${m}.ducklake_view WHERE ${visible()}`,
      [s],
    )) {
      views.set(Number(r.view_id), {
        id: Number(r.view_id),
        uuid: String(r.view_uuid),
        schemaId: Number(r.schema_id),
        name: String(r.view_name),
        dialect: String(r.dialect ?? 'duckdb'),
        sql: String(r.sql),
        columnAliases: String(r.column_aliases ?? ''),
        beginSnapshot: Number(r.begin_snapshot),
        comment: null,
      });
    }
    for (const r of await q.query(`SELECT object_id, value FROM ${m}.ducklake_tag WHERE ${visible()} AND key = 'comment'`, [s])) {
      const v = views.get(Number(r.object_id));
      if (v && r.value !== null) v.comment = String(r.value);
    }
    const macros = new Map<number, MacroEntry>();
    for (const r of await q.query(`SELECT schema_id, macro_id, macro_name, begin_snapshot FROM ${m}.ducklake_macro WHERE ${visible()}`, [s])) {
      macros.set(Number(r.macro_id), { id: Number(r.macro_id), schemaId: Number(r.schema_id), name: String(r.macro_name), beginSnapshot: Number(r.begin_snapshot), impls: [] });
    }
    if (macros.size > 0) {
      const ids = [...macros.keys()];
      for (const r of await q.query(`SELECT macro_id, impl_id, dialect, sql, type FROM ${m}.ducklake_macro_impl ORDER BY macro_id, impl_id`)) {
        const mac = macros.get(Number(r.macro_id));
        if (mac) mac.impls.push({ implId: Number(r.impl_id), dialect: String(r.dialect), sql: String(r.sql), type: r.type === 'table' ? 'table' : 'scalar', params: [] });
      }
      for (const r of await q.query(
        `SELECT macro_id, impl_id, column_id, parameter_name, parameter_type, default_value, default_value_type FROM ${m}.ducklake_macro_parameters ORDER BY macro_id, impl_id, column_id`,
      )) {
        const impl = macros.get(Number(r.macro_id))?.impls.find((i) => i.implId === Number(r.impl_id));
        impl?.params.push({ name: String(r.parameter_name), type: String(r.parameter_type), defaultValue: String(r.default_value ?? 'NULL'), defaultType: String(r.default_value_type ?? 'unknown') });
      }
      void ids;
    }
    return { schemaVersion, loadedAt: s, schemas, tables, views, macros };
  }

  /** Columns of a table as they were at snapshot `s` (for old inlined tables). */
  async tableColumnsAt(q: CatalogQueryable, tableId: number, s: number): Promise<LakeColumn[]> {
    const rows = await q.query(
      `SELECT table_id, column_id, begin_snapshot, column_name, column_type, initial_default, default_value, nulls_allowed, parent_column, default_value_type FROM ${this.m}.ducklake_column WHERE table_id = $2 AND ${visible()} ORDER BY parent_column NULLS FIRST, column_order`,
      [s, tableId],
    );
    const holder = { columns: [] as LakeColumn[] };
    buildColumnTrees(rows, () => holder);
    return holder.columns;
  }

  /** begin_snapshot of the structural schema version `sv` of a table (for inlined table layouts). */
  async schemaVersionSnapshot(q: CatalogQueryable, tableId: number, sv: number): Promise<number | undefined> {
    const rows = await q.query(`SELECT begin_snapshot FROM ${this.m}.ducklake_schema_versions WHERE table_id = $1 AND schema_version = $2 ORDER BY begin_snapshot LIMIT 1`, [tableId, sv]);
    return rows.length ? Number(rows[0]!.begin_snapshot) : undefined;
  }

  /** A table's partition spec visible at snapshot `s` (null when unpartitioned). */
  async partitionAt(q: CatalogQueryable, tableId: number, s: number): Promise<TableEntry['partition']> {
    const rows = await q.query(
      `SELECT i.partition_id, c.partition_key_index, c.column_id, c.transform FROM ${this.m}.ducklake_partition_info i JOIN ${this.m}.ducklake_partition_column c ON c.partition_id = i.partition_id AND c.table_id = i.table_id WHERE i.table_id = $2 AND ${visible('i.')} ORDER BY c.partition_key_index`,
      [s, tableId],
    );
    if (rows.length === 0) return null;
    return { id: Number(rows[0]!.partition_id), keys: rows.map((r) => ({ index: Number(r.partition_key_index), columnId: Number(r.column_id), transform: String(r.transform) })) };
  }

  /** Data files of a table visible at `s`, each with its visible delete file (§10.3). */
  /** The data files of every table at snapshot `s` (one query; for building all views at once). */
  async allDataFiles(q: CatalogQueryable, s: number): Promise<Map<number, DataFileEntry[]>> {
    const m = this.m;
    const rows = await q.query(
      `SELECT d.table_id, d.data_file_id, d.path, d.path_is_relative, d.record_count, d.file_size_bytes, d.footer_size, d.row_id_start, d.begin_snapshot, d.end_snapshot, d.partial_max, d.mapping_id, d.partition_id, d.encryption_key,
              del.delete_file_id, del.path AS del_path, del.path_is_relative AS del_rel, del.delete_count, del.file_size_bytes AS del_size, del.footer_size AS del_footer, del.format AS del_format, del.begin_snapshot AS del_begin, del.encryption_key AS del_key
       FROM ${m}.ducklake_data_file d
       LEFT JOIN (SELECT * FROM ${m}.ducklake_delete_file WHERE ${visible()}) del ON del.data_file_id = d.data_file_id
       WHERE ${visible('d.')}
       ORDER BY d.table_id, d.begin_snapshot, d.row_id_start, d.data_file_id`,
      [s],
    );
    const out = new Map<number, DataFileEntry[]>();
    for (const r of rows) {
      const id = Number(r.table_id);
      if (!out.has(id)) out.set(id, []);
      out.get(id)!.push(dataFileFromRow(r));
    }
    return out;
  }

  async dataFiles(q: CatalogQueryable, tableId: number, s: number): Promise<DataFileEntry[]> {
    const m = this.m;
    const rows = await q.query(
      `SELECT d.data_file_id, d.path, d.path_is_relative, d.record_count, d.file_size_bytes, d.footer_size, d.row_id_start, d.begin_snapshot, d.end_snapshot, d.partial_max, d.mapping_id, d.partition_id, d.encryption_key,
              del.delete_file_id, del.path AS del_path, del.path_is_relative AS del_rel, del.delete_count, del.file_size_bytes AS del_size, del.footer_size AS del_footer, del.format AS del_format, del.begin_snapshot AS del_begin, del.encryption_key AS del_key
       FROM ${m}.ducklake_data_file d
       LEFT JOIN (SELECT * FROM ${m}.ducklake_delete_file WHERE table_id = $2 AND ${visible()}) del ON del.data_file_id = d.data_file_id
       WHERE d.table_id = $2 AND ${visible('d.')}
       ORDER BY d.begin_snapshot, d.row_id_start, d.data_file_id`,
      [s, tableId],
    );
    return rows.map(dataFileFromRow);
  }
}

type ColumnRow = Record<string, unknown>;

/** Builds column trees from rows ordered by table, parent NULLS FIRST, column_order. */
function buildColumnTrees(rows: ColumnRow[], owner: (tableId: number) => { columns: LakeColumn[] } | undefined): void {
  const byKey = new Map<string, LakeColumn>();
  for (const r of rows) {
    const tableId = Number(r.table_id);
    const t = owner(tableId);
    if (!t) continue;
    const defaultValue = r.default_value === null || r.default_value === 'NULL' ? null : String(r.default_value);
    const col: LakeColumn = {
      id: Number(r.column_id),
      name: String(r.column_name),
      type: String(r.column_type).toLowerCase(),
      nullable: r.nulls_allowed !== false,
      initialDefault: r.initial_default === null ? null : String(r.initial_default),
      defaultValue,
      defaultType: (String(r.default_value_type ?? 'literal') as LakeColumn['defaultType']) || '',
      children: [],
      beginSnapshot: Number(r.begin_snapshot),
    };
    byKey.set(`${tableId}:${col.id}`, col);
    if (r.parent_column === null) t.columns.push(col);
    else {
      const parent = byKey.get(`${tableId}:${Number(r.parent_column)}`);
      if (parent) parent.children.push(col);
    }
  }
}

function dataFileFromRow(r: Record<string, unknown>): DataFileEntry {
  return {
    id: Number(r.data_file_id),
    path: String(r.path),
    pathIsRelative: r.path_is_relative !== false,
    recordCount: Number(r.record_count),
    fileSizeBytes: Number(r.file_size_bytes),
    footerSize: r.footer_size === null ? null : Number(r.footer_size),
    rowIdStart: r.row_id_start === null ? null : Number(r.row_id_start),
    beginSnapshot: Number(r.begin_snapshot),
    endSnapshot: r.end_snapshot === null ? null : Number(r.end_snapshot),
    partialMax: r.partial_max === null ? null : Number(r.partial_max),
    mappingId: r.mapping_id === null ? null : Number(r.mapping_id),
    partitionId: r.partition_id === null ? null : Number(r.partition_id),
    encryptionKey: (r.encryption_key as string | null) ?? null,
    deleteFile:
      r.delete_file_id === null
        ? null
        : {
            id: Number(r.delete_file_id),
            path: String(r.del_path),
            pathIsRelative: r.del_rel !== false,
            deleteCount: Number(r.delete_count),
            fileSizeBytes: Number(r.del_size),
            footerSize: r.del_footer === null ? null : Number(r.del_footer),
            format: String(r.del_format ?? 'parquet'),
            beginSnapshot: Number(r.del_begin),
            encryptionKey: (r.del_key as string | null) ?? null,
          },
  };
}
