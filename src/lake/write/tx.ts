/**
 * A lake write transaction: everything a SQL transaction changed in the lake, kept until
 * COMMIT and then written as one DuckLake snapshot by the commit protocol (§11): ids from the
 * snapshot counters, schema_version bump rules, changes_made, primary-key race detection with
 * the extension's conflict rules and bounded, jittered retries.
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { Lake } from '../lake.js';
import type { DataFileEntry, SchemaState, SnapshotRow, TableEntry, SchemaEntry, ViewEntry } from '../catalog/model.js';
import { isRetryableCommitError, type CatalogTransaction } from '../catalog/store.js';
import { formatChanges, parseChanges, type Change } from './changes.js';
import { uuidv7 } from '../../util/uuid.js';
import { quoteIdent, duckType, type LakeColumn } from '../types.js';
import { mergeTableStats, type ColumnStats, type TableColumnStats } from './stats.js';
import { encodeInlinedValue, inlinedColumnType, isInlinable } from './inline-encoding.js';

/** A new Parquet data file written for this transaction (not yet registered). */
export interface NewDataFile {
  /** Path relative to the table directory. */
  path: string;
  uri: string;
  recordCount: number;
  fileSizeBytes: number;
  footerSize: number;
  columnStats: ColumnStats[];
  partitionValues: (string | null)[] | null;
  /** The file carries _ducklake_internal_row_id (UPDATE). */
  explicitRowIds: boolean;
  /** Positions of this transaction's own file deleted again before commit (held by the session). */
  deletedCount?: number;
}

/** Rows inlined into the catalog by this transaction, as DuckDB text values. */
export interface InlinedInsert {
  rows: (string | null)[][];
  /** Row ids kept by UPDATE (null: a new row id); absent when every row is new. */
  rowIds?: (number | null)[];
  stats: { columnId: number; nullCount: number; min: string | null; max: string | null; hasValues: boolean; containsNan: boolean | null }[];
}

interface TableAppends {
  files: NewDataFile[];
  inlined: InlinedInsert[];
}

/** Rows of committed data deleted by this transaction, per table (§13.3). */
export interface TableDeletes {
  /** Committed data files with deleted positions that go into a delete file at commit. */
  fileDeletes: Map<number, DataFileEntry>;
  /** Few positions per file and statement: rows for ducklake_inlined_delete_<T>. */
  inlinedFileDeletes: Map<number, Set<number>>;
  /** Committed data files all of whose rows are deleted (the file ends). */
  endedFiles: Map<number, DataFileEntry>;
  /** Committed inlined rows (by row id) that end. */
  inlinedRowIds: Set<number>;
}

/** A delete file written for the commit (by the session, which holds the deleted positions). */
export interface WrittenDeleteFile {
  /** Committed data file, or the uri of a data file this transaction wrote. */
  dataFileId: number | null;
  dataFileUri: string | null;
  tableId: number;
  /** Path relative to the table directory. */
  path: string;
  uri: string;
  deleteCount: number;
  fileSizeBytes: number;
  footerSize: number;
  /** null: the commit snapshot. */
  beginSnapshot: number | null;
  partialMax: number | null;
  /** The visible delete file this one replaces (it is removed and scheduled for deletion). */
  supersedes: { id: number; pathFromDataRoot: string; pathIsRelative: boolean } | null;
}

export interface CreatedTable {
  localId: number;
  schemaId: number;
  name: string;
  uuid: string;
  path: string;
  columns: LakeColumn[];
}

export interface ColumnVersionChange {
  /** Column ids whose live rows end (children included by the caller). */
  ended: number[];
  /** New rows (top-level parent = null); `withChildren` writes the column's descendants too. */
  added: { col: LakeColumn; parent: number | null; withChildren: boolean }[];
  structural: boolean;
}

/**
 * Catalog work of a maintenance function (maintenance/): merged or rewritten files, flushed
 * inlined data. LakeTx commits it as (part of) one snapshot with the usual protocol.
 */
export interface MaintenanceWork {
  /** Its changes_made entries (merge_adjacent, rewrite_delete, inline_flush, deleted_from_table). */
  changes(): Change[];
  /** Committed data files of a table that this work writes delete files for (conflicts, §11.4). */
  deleteTargets?(tableId: number): number[];
  /** Writes its catalog rows for snapshot N, taking file ids from `nextFileId`; returns the next free one. */
  write(tx: CatalogTransaction, N: number, nextFileId: number): Promise<number>;
}

type Op =
  | { kind: 'createSchema'; localId: number; name: string; uuid: string; path: string }
  | { kind: 'dropSchema'; schemaId: number }
  | { kind: 'createTable'; table: CreatedTable }
  | { kind: 'dropTable'; tableId: number }
  | { kind: 'renameTable'; tableId: number; newName: string }
  | { kind: 'alterColumns'; tableId: number; change: ColumnVersionChange }
  | { kind: 'tag'; objectId: number; value: string | null }
  | { kind: 'columnTag'; tableId: number; columnId: number; value: string | null }
  | { kind: 'partition'; tableId: number; keys: { columnId: number; transform: string }[] | null }
  | { kind: 'createView'; localId: number; schemaId: number; name: string; uuid: string; sql: string; aliases: string }
  | { kind: 'dropView'; viewId: number }
  | { kind: 'renameView'; viewId: number; newName: string };

/**
 * Lake commits of this process (for /metrics): snapshots written, internal retries after a lost
 * race on the snapshot id, and commits refused as conflicts (40001).
 */
export const commitCounters = { snapshots: 0, retries: 0, conflicts: 0 };

let localIdCounter = -1;
/** Ids of objects created in a transaction before commit assigns real ones (always negative). */
export function nextLocalId(): number {
  return localIdCounter--;
}

export interface CommitResult {
  /** The new snapshot; null when the transaction only set options. */
  snapshot: SnapshotRow | null;
  /** Its changes_made. */
  changes?: string | null;
}

export interface CommitOptions {
  maxRetries?: number;
  retryWaitMs?: number;
  retryBackoff?: number;
  author?: string | null;
  message?: string | null;
  extraInfo?: string | null;
}

export class LakeTx {
  readonly ops: Op[] = [];
  readonly appends = new Map<number, TableAppends>();
  readonly deletes = new Map<number, TableDeletes>();
  /** Maintenance work committed with this transaction (see MaintenanceWork). */
  readonly maintenance: MaintenanceWork[] = [];
  /** Lake options set in this transaction (written with it; they make no snapshot of their own). */
  readonly options: { key: string; value: string; scope: 'table' | 'schema' | null; scopeId: number | null }[] = [];
  /** ducklake_set_commit_message: author, message and extra info of the snapshot. */
  commitInfo?: { author: string | null; message: string | null; extraInfo: string | null };
  /**
   * Writes the delete files of the commit for snapshot N (snapshot-tagged files embed N, so
   * they are written again when a retry commits under another id). Set by the session.
   */
  materializeDeletes?: (N: number) => Promise<WrittenDeleteFile[]>;
  private materialized?: { N: number; files: WrittenDeleteFile[] };
  /** Files written for this transaction (removed when it aborts). */
  readonly writtenUris: string[] = [];
  /** The working schema state: base state plus this transaction's DDL. */
  state: SchemaState;

  constructor(
    readonly lake: Lake,
    readonly base: SnapshotRow,
    baseState: SchemaState,
  ) {
    this.state = cloneState(baseState);
  }

  get isEmpty(): boolean {
    return this.ops.length === 0 && this.appends.size === 0 && this.deletes.size === 0 && this.maintenance.length === 0;
  }

  /** Anything to write at commit (a snapshot, or options alone). */
  get hasWork(): boolean {
    return !this.isEmpty || this.options.length > 0;
  }

  deletesFor(tableId: number): TableDeletes {
    let d = this.deletes.get(tableId);
    if (!d) this.deletes.set(tableId, (d = { fileDeletes: new Map(), inlinedFileDeletes: new Map(), endedFiles: new Map(), inlinedRowIds: new Set() }));
    return d;
  }

  /** Drops one of this transaction's own data files (every row of it was deleted again). */
  dropAppendedFile(tableId: number, uri: string): void {
    const a = this.appends.get(tableId);
    if (!a) return;
    a.files = a.files.filter((f) => f.uri !== uri);
    if (a.files.length === 0 && a.inlined.length === 0) this.appends.delete(tableId);
  }

  /** Bumped when rows of a table's own inlined inserts are removed again (positions shift). */
  readonly inlinedRevisions = new Map<number, number>();

  /** Removes rows of this transaction's own inlined inserts (by their position across batches). */
  dropInlinedRows(tableId: number, positions: Set<number>): void {
    const a = this.appends.get(tableId);
    if (!a) return;
    this.inlinedRevisions.set(tableId, (this.inlinedRevisions.get(tableId) ?? 0) + 1);
    let k = 0;
    for (const batch of a.inlined) {
      const keep: boolean[] = batch.rows.map(() => !positions.has(k++));
      batch.rows = batch.rows.filter((_, i) => keep[i]);
      if (batch.rowIds) batch.rowIds = batch.rowIds.filter((_, i) => keep[i]);
    }
    a.inlined = a.inlined.filter((b) => b.rows.length > 0);
    if (a.files.length === 0 && a.inlined.length === 0) this.appends.delete(tableId);
  }

  get catalogChanged(): boolean {
    return this.ops.length > 0;
  }

  // ------------------------------------------------------------------ recording

  createSchema(name: string): SchemaEntry {
    const uuid = uuidv7();
    const localId = nextLocalId();
    const path = /^[A-Za-z0-9_-]+$/.test(name) ? `${name}/` : `${uuid}/`;
    this.ops.push({ kind: 'createSchema', localId, name, uuid, path });
    const entry: SchemaEntry = { id: localId, uuid, name, path, pathIsRelative: true, beginSnapshot: -1 };
    this.state.schemas.set(localId, entry);
    return entry;
  }

  dropSchema(schema: SchemaEntry): void {
    if (schema.id < 0) this.ops.splice(this.ops.findIndex((o) => o.kind === 'createSchema' && o.localId === schema.id), 1);
    else this.ops.push({ kind: 'dropSchema', schemaId: schema.id });
    this.state.schemas.delete(schema.id);
  }

  createTable(schemaId: number, name: string, columns: LakeColumn[]): TableEntry {
    const uuid = uuidv7();
    const localId = nextLocalId();
    const path = /^[A-Za-z0-9_-]+$/.test(name) ? `${name}/` : `${uuid}/`;
    const table: CreatedTable = { localId, schemaId, name, uuid, path, columns };
    this.ops.push({ kind: 'createTable', table });
    const entry: TableEntry = {
      id: localId,
      uuid,
      schemaId,
      name,
      path,
      pathIsRelative: true,
      beginSnapshot: -1,
      columns,
      comment: null,
      tags: new Map(),
      columnComments: new Map(),
      partition: null,
      sort: null,
      inlined: [],
    };
    this.state.tables.set(localId, entry);
    return entry;
  }

  dropTable(table: TableEntry): void {
    if (table.id < 0) {
      // Created and dropped in the same transaction: nothing of it is written.
      for (let i = this.ops.length - 1; i >= 0; i--) {
        const o = this.ops[i]!;
        if (('tableId' in o && o.tableId === table.id) || (o.kind === 'createTable' && o.table.localId === table.id) || (o.kind === 'tag' && o.objectId === table.id)) this.ops.splice(i, 1);
      }
      this.appends.delete(table.id);
    } else {
      this.ops.push({ kind: 'dropTable', tableId: table.id });
      this.appends.delete(table.id);
    }
    this.state.tables.delete(table.id);
  }

  renameTable(table: TableEntry, newName: string): void {
    const created = this.createdTable(table.id);
    if (created) created.name = newName;
    else this.ops.push({ kind: 'renameTable', tableId: table.id, newName });
    table.name = newName;
  }

  alterColumns(table: TableEntry, change: ColumnVersionChange, newColumns: LakeColumn[]): void {
    const created = this.createdTable(table.id);
    if (created) created.columns = newColumns;
    else this.ops.push({ kind: 'alterColumns', tableId: table.id, change });
    this.reshapeInlined(table.id, table.columns, newColumns);
    table.columns = newColumns;
  }

  /**
   * Rows this transaction inlined into a table follow its new columns, as the extension's
   * transaction-local inlined data does: an added column holds its initial default (statistics
   * as for that value), a dropped one goes with its statistics; values are kept by column id.
   */
  private reshapeInlined(tableId: number, before: LakeColumn[], after: LakeColumn[]): void {
    const batches = this.appends.get(tableId)?.inlined;
    if (!batches?.length) return;
    const oldIndex = new Map(before.map((c, i) => [c.id, i]));
    const leafIds = (c: LakeColumn): number[] => (c.children.length ? c.children.flatMap(leafIds) : [c.id]);
    const kept = new Set(after.flatMap(leafIds));
    for (const batch of batches) {
      batch.rows = batch.rows.map((row) => after.map((c) => (oldIndex.has(c.id) ? row[oldIndex.get(c.id)!]! : c.initialDefault)));
      batch.stats = batch.stats.filter((st) => kept.has(st.columnId));
      for (const c of after) {
        if (oldIndex.has(c.id) || c.children.length) continue;
        const n = batch.rows.length;
        const d = c.initialDefault;
        batch.stats.push({ columnId: c.id, nullCount: d === null ? n : 0, min: d, max: d, hasValues: d !== null && n > 0, containsNan: null });
      }
    }
    this.inlinedRevisions.set(tableId, (this.inlinedRevisions.get(tableId) ?? 0) + 1);
  }

  setComment(objectId: number, value: string | null): void {
    this.ops.push({ kind: 'tag', objectId, value });
    const t = this.state.tables.get(objectId);
    if (t) t.comment = value;
    const v = this.state.views.get(objectId);
    if (v) v.comment = value;
  }

  setColumnComment(table: TableEntry, columnId: number, value: string | null): void {
    this.ops.push({ kind: 'columnTag', tableId: table.id, columnId, value });
    if (value === null) table.columnComments.delete(columnId);
    else table.columnComments.set(columnId, value);
  }

  setPartitioning(table: TableEntry, keys: { columnId: number; transform: string }[] | null): void {
    this.ops.push({ kind: 'partition', tableId: table.id, keys });
    table.partition = keys && keys.length ? { id: -1, keys: keys.map((k, i) => ({ index: i, columnId: k.columnId, transform: k.transform })) } : null;
  }

  createView(schemaId: number, name: string, sql: string, aliases: string): ViewEntry {
    const uuid = uuidv7();
    const localId = nextLocalId();
    this.ops.push({ kind: 'createView', localId, schemaId, name, uuid, sql, aliases });
    const entry: ViewEntry = { id: localId, uuid, schemaId, name, dialect: 'duckdb', sql, columnAliases: aliases, beginSnapshot: -1, comment: null };
    this.state.views.set(localId, entry);
    return entry;
  }

  dropView(view: ViewEntry): void {
    if (view.id < 0) this.ops.splice(this.ops.findIndex((o) => o.kind === 'createView' && o.localId === view.id), 1);
    else this.ops.push({ kind: 'dropView', viewId: view.id });
    this.state.views.delete(view.id);
  }

  renameView(view: ViewEntry, newName: string): void {
    const created = this.ops.find((o) => o.kind === 'createView' && o.localId === view.id) as Extract<Op, { kind: 'createView' }> | undefined;
    if (created) created.name = newName;
    else this.ops.push({ kind: 'renameView', viewId: view.id, newName });
    view.name = newName;
  }

  appendFiles(tableId: number, files: NewDataFile[]): void {
    this.appendsFor(tableId).files.push(...files);
    this.writtenUris.push(...files.map((f) => f.uri));
  }

  appendInlined(tableId: number, insert: InlinedInsert): void {
    this.appendsFor(tableId).inlined.push(insert);
  }

  private appendsFor(tableId: number): TableAppends {
    let a = this.appends.get(tableId);
    if (!a) this.appends.set(tableId, (a = { files: [], inlined: [] }));
    return a;
  }

  private createdTable(id: number): CreatedTable | undefined {
    for (const o of this.ops) if (o.kind === 'createTable' && o.table.localId === id) return o.table;
    return undefined;
  }

  // ------------------------------------------------------------------ commit

  /** Our changes_made entries (with local ids resolved through `ids`). */
  private changes(ids: Map<number, number>): Change[] {
    const real = (id: number) => (id < 0 ? (ids.get(id) ?? id) : id);
    const out: Change[] = [];
    const schemaName = (id: number) => this.state.schemas.get(id)?.name ?? String(id);
    for (const o of this.ops) {
      switch (o.kind) {
        case 'createSchema':
          out.push({ kind: 'created_schema', value: [o.name] });
          break;
        case 'dropSchema':
          out.push({ kind: 'dropped_schema', value: o.schemaId });
          break;
        case 'createTable':
          out.push({ kind: 'created_table', value: [schemaName(o.table.schemaId), o.table.name] });
          break;
        case 'dropTable':
          out.push({ kind: 'dropped_table', value: o.tableId });
          break;
        case 'renameTable': {
          const t = this.state.tables.get(o.tableId);
          out.push({ kind: 'created_table', value: [schemaName(t?.schemaId ?? 0), o.newName] });
          break;
        }
        case 'alterColumns':
        case 'partition':
          out.push({ kind: 'altered_table', value: real(o.tableId) });
          break;
        case 'tag':
          out.push({ kind: this.state.views.has(o.objectId) ? 'altered_view' : 'altered_table', value: real(o.objectId) });
          break;
        case 'columnTag':
          out.push({ kind: 'altered_table', value: real(o.tableId) });
          break;
        case 'createView':
          out.push({ kind: 'created_view', value: [schemaName(o.schemaId), o.name] });
          break;
        case 'dropView':
          out.push({ kind: 'dropped_view', value: o.viewId });
          break;
        case 'renameView': {
          const v = this.state.views.get(o.viewId);
          out.push({ kind: 'created_view', value: [schemaName(v?.schemaId ?? 0), o.newName] });
          break;
        }
      }
    }
    for (const [tableId, a] of this.appends) {
      if (a.files.length) out.push({ kind: 'inserted_into_table', value: real(tableId) });
      if (a.inlined.length) out.push({ kind: 'inlined_insert', value: real(tableId) });
      if (a.files.some((f) => f.deletedCount)) out.push({ kind: 'deleted_from_table', value: real(tableId) });
    }
    for (const [tableId, d] of this.deletes) {
      if (d.fileDeletes.size || d.endedFiles.size) out.push({ kind: 'deleted_from_table', value: real(tableId) });
      if (d.inlinedFileDeletes.size || d.inlinedRowIds.size) out.push({ kind: 'inlined_delete', value: real(tableId) });
    }
    for (const w of this.maintenance) out.push(...w.changes());
    return out;
  }

  /**
   * Writes the transaction as one snapshot. Retries lost races that do not conflict logically;
   * a real conflict is reported as 40001. On failure nothing is left behind in the catalog.
   */
  async commit(opts: CommitOptions = {}): Promise<CommitResult> {
    const maxRetries = opts.maxRetries ?? 10;
    const wait = opts.retryWaitMs ?? 100;
    const backoff = opts.retryBackoff ?? 1.5;
    let attempt = 0;
    if (this.commitInfo) opts = { ...opts, author: this.commitInfo.author, message: this.commitInfo.message, extraInfo: this.commitInfo.extraInfo };
    if (this.isEmpty) {
      // Only options: they are stored without a snapshot, as the extension stores them.
      try {
        await this.lake.store.transaction((tx) => this.writeOptions(tx));
      } finally {
        this.lake.forgetMetadata();
      }
      return { snapshot: null };
    }
    for (;;) {
      try {
        const result = await this.lake.store.transaction((tx) => this.writeSnapshot(tx, attempt, opts));
        commitCounters.snapshots++;
        if (this.options.length > 0) this.lake.forgetMetadata();
        if (result.snapshot) this.lake.noteCommitted(result.snapshot);
        return result;
      } catch (e) {
        if (e instanceof PgError || !isRetryableCommitError(e) || attempt >= maxRetries) {
          if (e instanceof PgError && e.code === SqlState.serializationFailure) commitCounters.conflicts++;
          if (e instanceof PgError) throw e;
          if (isRetryableCommitError(e)) commitCounters.conflicts++;
          if (isRetryableCommitError(e)) throw new PgError(SqlState.serializationFailure, `could not commit to lake "${this.lake.name}" after ${attempt + 1} attempts: concurrent commits kept winning`, { hint: 'Retry the transaction.' });
          throw new PgError(SqlState.ioError, `lake commit failed: ${(e as Error).message}`);
        }
        commitCounters.retries++;
        const sleep = wait * (0.5 + Math.random() * 0.5) * backoff ** attempt;
        await new Promise((r) => setTimeout(r, sleep));
        attempt++;
      }
    }
  }

  private async writeOptions(tx: CatalogTransaction): Promise<void> {
    const m = this.lake.store.schemaSql;
    for (const o of this.options) {
      const filter = o.scope === null ? 'scope IS NULL' : `scope = '${o.scope}' AND scope_id = ${o.scopeId}`;
      const n = Number((await tx.query(`SELECT count(*) AS n FROM ${m}.ducklake_metadata WHERE key = $1 AND ${filter}`, [o.key]))[0]!.n);
      if (n === 0) tx.defer(`INSERT INTO ${m}.ducklake_metadata VALUES ($1, $2, $3, $4)`, [o.key, o.value, o.scope, o.scopeId]);
      else tx.defer(`UPDATE ${m}.ducklake_metadata SET value = $1 WHERE key = $2 AND ${filter}`, [o.value, o.key]);
    }
  }

  private async writeSnapshot(tx: CatalogTransaction, attempt: number, opts: CommitOptions): Promise<CommitResult> {
    const lake = this.lake;
    const m = lake.store.schemaSql;
    await this.writeOptions(tx);
    // A DuckDB-file catalog's options are known to the lake unless this transaction sets some.
    const metadata = this.options.length > 0 || tx.kind !== 'duckdb' ? await tx.query(`SELECT key, value, scope FROM ${m}.ducklake_metadata`) : await lake.metadataRows();
    const globals = new Map(metadata.filter((r) => r.scope === null || r.scope === undefined).map((r) => [String(r.key), String(r.value)]));
    if (!this.commitInfo) {
      if (globals.get('require_commit_message') === 'true') {
        throw new PgError(SqlState.invalidParameterValue, 'Commit Information for the snapshot is required but has not been provided.', {
          hint: `Provide it with CALL ducklake_set_commit_message('${lake.name}', 'author', 'message'), or turn the requirement off with CALL ducklake_set_option('${lake.name}', 'require_commit_message', false).`,
        });
      }
    }
    // Commit on top of the newest snapshot: snapshots committed since our base are checked for
    // conflicts first (a lost race on the snapshot id is retried by commit()).
    // A DuckDB-file catalog has this process as its only writer, and its commits are serialised:
    // the lake knows the newest snapshot. A PostgreSQL catalog is asked.
    const base = tx.kind === 'duckdb' ? lake.latest : await lake.reader.latestSnapshot(tx);
    if (base.id !== this.base.id) await this.checkConflicts(tx, base);
    void attempt;
    const N = base.id + 1;
    let nextCatalogId = base.nextCatalogId;
    let nextFileId = base.nextFileId;
    let schemaVersion = base.schemaVersion + (this.catalogChanged ? 1 : 0);
    const ids = new Map<number, number>();
    const real = (id: number) => (id < 0 ? ids.get(id)! : id);
    const q = (sql: string, params: unknown[] = []) => tx.query(sql, params);
    // Writes whose result is not needed: sent together with the next query or the commit.
    const later = async (sql: string, params: unknown[] = []): Promise<unknown[]> => {
      tx.defer(sql, params);
      return [];
    };
    const inliningLimit = Number(globals.get('data_inlining_row_limit') ?? 10);
    const structurallyChanged = new Set<number>();
    const newInlinedTables = new Set<number>();

    // 1. schemas, then tables and views, in the order they were created (ids from next_catalog_id)
    for (const o of this.ops) if (o.kind === 'createSchema') ids.set(o.localId, nextCatalogId++);
    for (const o of this.ops) {
      if (o.kind === 'createTable') ids.set(o.table.localId, nextCatalogId++);
      else if (o.kind === 'createView') ids.set(o.localId, nextCatalogId++);
      else if (o.kind === 'partition' && o.keys && o.keys.length) (o as { partitionId?: number }).partitionId = nextCatalogId++;
    }
    for (const o of this.ops) {
      switch (o.kind) {
        case 'createSchema':
          await later(`INSERT INTO ${m}.ducklake_schema VALUES ($1, $2, $3, NULL, $4, $5, true)`, [ids.get(o.localId), o.uuid, N, o.name, o.path]);
          break;
        case 'dropSchema':
          await later(`UPDATE ${m}.ducklake_schema SET end_snapshot = $1 WHERE schema_id = $2 AND end_snapshot IS NULL`, [N, o.schemaId]);
          break;
        case 'createTable': {
          const t = o.table;
          const id = ids.get(t.localId)!;
          await later(`INSERT INTO ${m}.ducklake_table VALUES ($1, $2, $3, NULL, $4, $5, $6, true)`, [id, t.uuid, N, real(t.schemaId), t.name, t.path]);
          await insertColumns(later, m, id, N, t.columns.map((c) => ({ col: c, parent: null, withChildren: true })));
          structurallyChanged.add(id);
          if (inliningLimit > 0 && t.columns.every((c) => isInlinable(c, tx.kind))) newInlinedTables.add(id);
          break;
        }
        case 'dropTable':
          for (const table of ['ducklake_table', 'ducklake_partition_info', 'ducklake_column', 'ducklake_column_tag', 'ducklake_data_file', 'ducklake_delete_file', 'ducklake_sort_info']) {
            await later(`UPDATE ${m}.${table} SET end_snapshot = $1 WHERE table_id = $2 AND end_snapshot IS NULL`, [N, o.tableId]);
          }
          await later(`UPDATE ${m}.ducklake_tag SET end_snapshot = $1 WHERE object_id = $2 AND end_snapshot IS NULL`, [N, o.tableId]);
          break;
        case 'renameTable': {
          const rows = await q(`SELECT table_uuid, schema_id, path, path_is_relative FROM ${m}.ducklake_table WHERE table_id = $1 AND end_snapshot IS NULL`, [o.tableId]);
          if (!rows.length) throw conflict(`table ${o.tableId} no longer exists`);
          const r = rows[0]!;
          await later(`UPDATE ${m}.ducklake_table SET end_snapshot = $1 WHERE table_id = $2 AND end_snapshot IS NULL`, [N, o.tableId]);
          await later(`INSERT INTO ${m}.ducklake_table VALUES ($1, $2, $3, NULL, $4, $5, $6, $7)`, [o.tableId, String(r.table_uuid), N, Number(r.schema_id), o.newName, r.path, r.path_is_relative]);
          structurallyChanged.add(o.tableId);
          if (inliningLimit > 0) newInlinedTables.add(o.tableId);
          break;
        }
        case 'alterColumns': {
          for (const colId of o.change.ended) {
            await later(`UPDATE ${m}.ducklake_column SET end_snapshot = $1 WHERE table_id = $2 AND column_id = $3 AND end_snapshot IS NULL`, [N, o.tableId, colId]);
          }
          await insertColumns(later, m, o.tableId, N, o.change.added);
          if (o.change.structural) {
            structurallyChanged.add(o.tableId);
            if (inliningLimit > 0) newInlinedTables.add(o.tableId);
          }
          break;
        }
        case 'tag':
          await later(`UPDATE ${m}.ducklake_tag SET end_snapshot = $1 WHERE object_id = $2 AND key = 'comment' AND end_snapshot IS NULL`, [N, real(o.objectId)]);
          await later(`INSERT INTO ${m}.ducklake_tag VALUES ($1, $2, NULL, 'comment', $3)`, [real(o.objectId), N, o.value]);
          break;
        case 'columnTag':
          await later(`UPDATE ${m}.ducklake_column_tag SET end_snapshot = $1 WHERE table_id = $2 AND column_id = $3 AND key = 'comment' AND end_snapshot IS NULL`, [N, real(o.tableId), o.columnId]);
          await later(`INSERT INTO ${m}.ducklake_column_tag VALUES ($1, $2, $3, NULL, 'comment', $4)`, [real(o.tableId), o.columnId, N, o.value]);
          break;
        case 'partition': {
          const tableId = real(o.tableId);
          await later(`UPDATE ${m}.ducklake_partition_info SET end_snapshot = $1 WHERE table_id = $2 AND end_snapshot IS NULL`, [N, tableId]);
          const pid = (o as { partitionId?: number }).partitionId ?? nextCatalogId++;
          await later(`INSERT INTO ${m}.ducklake_partition_info VALUES ($1, $2, $3, NULL)`, [pid, tableId, N]);
          for (const [i, k] of (o.keys ?? []).entries()) {
            await later(`INSERT INTO ${m}.ducklake_partition_column VALUES ($1, $2, $3, $4, $5)`, [pid, tableId, i, k.columnId, k.transform]);
          }
          const t = this.state.tables.get(o.tableId);
          if (t?.partition) t.partition.id = pid;
          structurallyChanged.add(tableId);
          if (inliningLimit > 0) newInlinedTables.add(tableId);
          break;
        }
        case 'createView':
          await later(`INSERT INTO ${m}.ducklake_view VALUES ($1, $2, $3, NULL, $4, $5, 'duckdb', $6, $7)`, [ids.get(o.localId), o.uuid, N, real(o.schemaId), o.name, o.sql, o.aliases]);
          break;
        case 'dropView':
          await later(`UPDATE ${m}.ducklake_view SET end_snapshot = $1 WHERE view_id = $2 AND end_snapshot IS NULL`, [N, o.viewId]);
          await later(`UPDATE ${m}.ducklake_tag SET end_snapshot = $1 WHERE object_id = $2 AND end_snapshot IS NULL`, [N, o.viewId]);
          break;
        case 'renameView': {
          const rows = await q(`SELECT view_uuid, schema_id, dialect, sql, column_aliases FROM ${m}.ducklake_view WHERE view_id = $1 AND end_snapshot IS NULL`, [o.viewId]);
          if (!rows.length) throw conflict(`view ${o.viewId} no longer exists`);
          const r = rows[0]!;
          await later(`UPDATE ${m}.ducklake_view SET end_snapshot = $1 WHERE view_id = $2 AND end_snapshot IS NULL`, [N, o.viewId]);
          await later(`INSERT INTO ${m}.ducklake_view VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8)`, [o.viewId, String(r.view_uuid), N, Number(r.schema_id), o.newName, r.dialect, r.sql, r.column_aliases]);
          break;
        }
      }
    }

    // 2. data: new Parquet files, inlined rows, statistics
    let wroteFiles = false;
    let wroteInlined = false;
    const newFileIds = new Map<string, number>();
    for (const [localTableId, a] of this.appends) {
      const tableId = real(localTableId);
      const table = this.state.tables.get(localTableId);
      if (!table) continue;
      // Table statistics and column statistics in one query (one row per column, or one row
      // with NULL column values when there are no column statistics).
      const statsRows = await q(
        `SELECT s.record_count, s.next_row_id, s.file_size_bytes, c.column_id, c.contains_null, c.contains_nan, c.min_value, c.max_value FROM ${m}.ducklake_table_stats s LEFT JOIN ${m}.ducklake_table_column_stats c ON c.table_id = s.table_id WHERE s.table_id = $1`,
        [tableId],
      );
      const hadStats = statsRows.length > 0;
      let recordCount = hadStats ? Number(statsRows[0]!.record_count) : 0;
      let nextRowId = hadStats ? Number(statsRows[0]!.next_row_id) : 0;
      let fileBytes = hadStats ? Number(statsRows[0]!.file_size_bytes) : 0;
      const colRows = statsRows.filter((r) => r.column_id !== null && r.column_id !== undefined);
      const existing: Map<number, TableColumnStats> | undefined = hadStats
        ? new Map(
            colRows.map((r) => [
              Number(r.column_id),
              { columnId: Number(r.column_id), containsNull: r.contains_null as boolean | null, containsNan: r.contains_nan as boolean | null, min: r.min_value as string | null, max: r.max_value as string | null },
            ]),
          )
        : undefined;
      const types = leafTypes(table.columns);
      const incoming: Parameters<typeof mergeTableStats>[2] = [];
      for (const f of a.files) {
        const dataFileId = nextFileId++;
        newFileIds.set(f.uri, dataFileId);
        wroteFiles = true;
        await later(`INSERT INTO ${m}.ducklake_data_file VALUES ($1, $2, $3, NULL, NULL, $4, true, 'parquet', $5, $6, $7, $8, $9, NULL, NULL, NULL)`, [
          dataFileId,
          tableId,
          N,
          f.path,
          f.recordCount,
          f.fileSizeBytes,
          f.footerSize,
          nextRowId,
          f.partitionValues ? (table.partition?.id ?? null) : null,
        ]);
        for (const s of f.columnStats) {
          await later(`INSERT INTO ${m}.ducklake_file_column_stats VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)`, [dataFileId, tableId, s.columnId, s.columnSizeBytes, s.valueCount, s.nullCount, s.min, s.max, s.containsNan]);
          incoming.push({ columnId: s.columnId, nullCount: s.nullCount, min: s.min, max: s.max, containsNan: s.containsNan, hasValues: (s.valueCount ?? 1) > 0 });
        }
        if (f.partitionValues) {
          for (const [i, v] of f.partitionValues.entries()) await later(`INSERT INTO ${m}.ducklake_file_partition_value VALUES ($1, $2, $3, $4)`, [dataFileId, tableId, i, v]);
        }
        nextRowId += f.recordCount;
        recordCount += f.recordCount;
        fileBytes += f.fileSizeBytes;
      }
      if (a.inlined.length) {
        wroteInlined = true;
        const target = await this.inlinedTarget(tx, table, tableId, schemaVersion, newInlinedTables);
        if (target.bumped) schemaVersion = target.schemaVersion;
        // Many rows per INSERT (a transaction may inline any number of small statements' rows).
        const tuples: string[] = [];
        let params: unknown[] = [];
        const flushRows = async () => {
          if (tuples.length) await later(`INSERT INTO ${m}.${quoteIdent(target.name)} VALUES ${tuples.join(', ')}`, params);
          tuples.length = 0;
          params = [];
        };
        for (const batch of a.inlined) {
          for (const [k, row] of batch.rows.entries()) {
            const values = row.map((v, i) => encodeInlinedValue(tx.kind, table.columns[i]!, v));
            // UPDATE keeps a row's id; only new rows take the next one.
            const kept = batch.rowIds?.[k];
            const rowId = kept ?? nextRowId++;
            const p0 = params.length;
            tuples.push(`($${p0 + 1}, $${p0 + 2}, NULL${values.map((_, i) => `, $${p0 + i + 3}`).join('')})`);
            params.push(rowId, N, ...values);
            recordCount++;
            if (params.length > INLINED_INSERT_PARAMS) await flushRows();
          }
          for (const s of batch.stats) incoming.push(s);
        }
        await flushRows();
      }
      const merged = mergeTableStats(types, existing, incoming);
      if (hadStats) {
        await later(`UPDATE ${m}.ducklake_table_stats SET record_count = $1, file_size_bytes = $2, next_row_id = $3 WHERE table_id = $4`, [recordCount, fileBytes, nextRowId, tableId]);
        // All columns in one statement (literals: the same text works on both catalog backends).
        const rows = [...merged.values()].map((s) => `(${s.columnId}::BIGINT, ${sqlBool(s.containsNull)}, ${sqlBool(s.containsNan)}, ${sqlText(s.min)}, ${sqlText(s.max)})`);
        if (rows.length) {
          await later(
            `UPDATE ${m}.ducklake_table_column_stats SET contains_null = v.cn, contains_nan = v.cnan, min_value = v.mn, max_value = v.mx FROM (VALUES ${rows.join(', ')}) AS v(col, cn, cnan, mn, mx) WHERE table_id = $1 AND column_id = v.col`,
            [tableId],
          );
        }
      } else {
        await later(`INSERT INTO ${m}.ducklake_table_stats VALUES ($1, $2, $3, $4)`, [tableId, recordCount, nextRowId, fileBytes]);
        for (const s of [...merged.values()].sort((x, y) => x.columnId - y.columnId)) {
          await later(`INSERT INTO ${m}.ducklake_table_column_stats VALUES ($1, $2, $3, $4, $5, $6, NULL)`, [tableId, s.columnId, s.containsNull, s.containsNan, s.min, s.max]);
        }
      }
    }
    // 3. deletes (§13.3): delete files (after the data files in id order), ended files, inlined deletions
    const deleteFiles = await this.deleteFilesFor(N);
    for (const d of deleteFiles) {
      const dataFileId = d.dataFileId ?? (d.dataFileUri ? newFileIds.get(d.dataFileUri) : undefined);
      if (dataFileId === undefined) continue;
      const tableId = real(d.tableId);
      if (d.supersedes) {
        // The replaced file must still be the visible one: otherwise a concurrent delete won.
        const gone = await q(`DELETE FROM ${m}.ducklake_delete_file WHERE delete_file_id = $1 RETURNING delete_file_id`, [d.supersedes.id]);
        if (gone.length === 0) throw conflict(`deletes on a data file of table "${this.tableName(d.tableId)}" conflict with a concurrent commit`);
        await later(`INSERT INTO ${m}.ducklake_files_scheduled_for_deletion VALUES ($1, $2, $3, NOW())`, [d.supersedes.id, d.supersedes.pathFromDataRoot, d.supersedes.pathIsRelative]);
      }
      const id = nextFileId++;
      await later(`INSERT INTO ${m}.ducklake_delete_file VALUES ($1, $2, $3, NULL, $4, $5, true, 'parquet', $6, $7, $8, NULL, $9)`, [
        id,
        tableId,
        d.beginSnapshot ?? N,
        dataFileId,
        d.path,
        d.deleteCount,
        d.fileSizeBytes,
        d.footerSize,
        d.partialMax,
      ]);
    }
    for (const [localTableId, d] of this.deletes) {
      const tableId = real(localTableId);
      const ended = [...d.endedFiles.keys()];
      if (ended.length) {
        const rows = await q(`UPDATE ${m}.ducklake_data_file SET end_snapshot = $1 WHERE table_id = $2 AND data_file_id IN (${ended.join(', ')}) AND end_snapshot IS NULL RETURNING data_file_id`, [N, tableId]);
        if (rows.length !== ended.length) throw conflict(`deletes on table "${this.tableName(localTableId)}" conflict with a concurrent commit`);
      }
      if (d.inlinedFileDeletes.size) {
        await tx.exec(`CREATE TABLE IF NOT EXISTS ${m}.${quoteIdent(`ducklake_inlined_delete_${tableId}`)}(file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`);
        const values: number[] = [];
        for (const [fileId, positions] of [...d.inlinedFileDeletes].sort((a, b) => a[0] - b[0])) for (const p of [...positions].sort((a, b) => a - b)) values.push(fileId, p);
        for (let i = 0; i < values.length; i += 2000) {
          const chunk = values.slice(i, i + 2000);
          const tuples = [];
          for (let j = 0; j < chunk.length; j += 2) tuples.push(`($${j + 1}, $${j + 2}, ${N})`);
          await later(`INSERT INTO ${m}.${quoteIdent(`ducklake_inlined_delete_${tableId}`)} VALUES ${tuples.join(', ')}`, chunk);
        }
      }
      if (d.inlinedRowIds.size) {
        const ids = [...d.inlinedRowIds];
        let ended = 0;
        const tables = await q(`SELECT table_name FROM ${m}.ducklake_inlined_data_tables WHERE table_id = $1`, [tableId]);
        for (const t of tables) {
          for (let i = 0; i < ids.length; i += 5000) {
            const chunk = ids.slice(i, i + 5000);
            const r = await q(`UPDATE ${m}.${quoteIdent(String(t.table_name))} SET end_snapshot = $1 WHERE row_id IN (${chunk.join(', ')}) AND end_snapshot IS NULL AND begin_snapshot <> $1 RETURNING row_id`, [N]);
            ended += r.length;
          }
        }
        if (ended !== ids.length) throw conflict(`deletes on table "${this.tableName(localTableId)}" conflict with a concurrent commit`);
      }
    }

    // Inlined data tables for new or restructured tables.
    for (const tableId of newInlinedTables) {
      const local = [...ids].find(([, r]) => r === tableId)?.[0] ?? tableId;
      const table = this.state.tables.get(local);
      if (!table || (await this.hasInlinedTable(tx, tableId, schemaVersion))) continue;
      await createInlinedTable(tx, m, tableId, schemaVersion, table.columns);
    }
    for (const tableId of structurallyChanged) await later(`INSERT INTO ${m}.ducklake_schema_versions VALUES ($1, $2, $3)`, [N, schemaVersion, tableId]);
    for (const w of this.maintenance) nextFileId = await w.write(tx, N, nextFileId);
    if (wroteInlined && !wroteFiles) nextFileId++;
    const changes = formatChanges(this.changes(ids));
    await later(`INSERT INTO ${m}.ducklake_snapshot_changes VALUES ($1, $2, $3, $4, $5)`, [N, changes, opts.author ?? null, opts.message ?? null, opts.extraInfo ?? null]);
    // The snapshot row last, together with COMMIT: a lost race on its id fails the whole commit.
    const inserted = await tx.commitWith(`INSERT INTO ${m}.ducklake_snapshot VALUES ($1, NOW(), $2, $3, $4) RETURNING CAST(snapshot_time AS VARCHAR) AS t`, [N, schemaVersion, nextCatalogId, nextFileId]);
    const time = String((inserted[0] as { t?: unknown } | undefined)?.t ?? '');
    const snapshot = time ? { id: N, time, schemaVersion, nextCatalogId, nextFileId } : await lake.reader.snapshot(lake.store, N);
    // Known before the catalog is released to the next commit of this process (see base above).
    lake.noteCommitted(snapshot);
    return { snapshot, changes };
  }

  private tableName(id: number): string {
    return this.state.tables.get(id)?.name ?? String(id);
  }

  /** Delete files for snapshot N, written once per N (see materializeDeletes). */
  private async deleteFilesFor(N: number): Promise<WrittenDeleteFile[]> {
    if (!this.materializeDeletes) return [];
    if (this.materialized?.N === N) return this.materialized.files;
    if (this.materialized) {
      // Snapshot-tagged files embed N: the commit's delete files are written again for the new id.
      const stale = new Set(this.materialized.files.map((f) => f.uri));
      await this.lake.objects.delete([...stale]).catch(() => undefined);
      this.writtenUris.splice(0, this.writtenUris.length, ...this.writtenUris.filter((u) => !stale.has(u)));
    }
    const files = await this.materializeDeletes(N);
    this.writtenUris.push(...files.map((f) => f.uri));
    this.materialized = { N, files };
    return files;
  }

  private async hasInlinedTable(tx: CatalogTransaction, tableId: number, sv: number): Promise<boolean> {
    const r = await tx.query(`SELECT 1 FROM ${this.lake.store.schemaSql}.ducklake_inlined_data_tables WHERE table_id = $1 AND schema_version = $2`, [tableId, sv]);
    return r.length > 0;
  }

  /** The registered inlined table with the highest schema version, created lazily when missing. */
  private async inlinedTarget(tx: CatalogTransaction, table: TableEntry, tableId: number, schemaVersion: number, pending: Set<number>): Promise<{ name: string; schemaVersion: number; bumped: boolean }> {
    const m = this.lake.store.schemaSql;
    if (pending.has(tableId)) {
      pending.delete(tableId);
      await createInlinedTable(tx, m, tableId, schemaVersion, table.columns);
      return { name: `ducklake_inlined_data_${tableId}_${schemaVersion}`, schemaVersion, bumped: false };
    }
    // The table's newest inlined table as the transaction saw it (a concurrent ALTER that made a
    // newer one is a conflict the commit reports anyway).
    const known = [...table.inlined].sort((a, b) => b.schemaVersion - a.schemaVersion)[0];
    if (known) return { name: known.name, schemaVersion, bumped: false };
    const rows = await tx.query(`SELECT table_name, schema_version FROM ${m}.ducklake_inlined_data_tables WHERE table_id = $1 ORDER BY schema_version DESC LIMIT 1`, [tableId]);
    if (rows.length) return { name: String(rows[0]!.table_name), schemaVersion, bumped: false };
    const sv = schemaVersion + 1;
    await createInlinedTable(tx, m, tableId, sv, table.columns);
    return { name: `ducklake_inlined_data_${tableId}_${sv}`, schemaVersion: sv, bumped: true };
  }

  /** §11.4: fail with 40001 when a snapshot committed since our base conflicts with our changes. */
  private async checkConflicts(tx: CatalogTransaction, latest: SnapshotRow): Promise<void> {
    const others = (await this.lake.reader.snapshotsBetween(tx, this.base.id, latest.id)).flatMap((r) => parseChanges(r.changes));
    const mine = this.changes(new Map());
    const has = (kind: string, value?: number) => others.some((c) => c.kind === kind && (value === undefined || c.value === value));
    const hasName = (kind: string, names: string[]) => others.some((c) => c.kind === kind && Array.isArray(c.value) && c.value.join('\u0000').toLowerCase() === names.join('\u0000').toLowerCase());
    for (const c of mine) {
      const id = typeof c.value === 'number' ? c.value : undefined;
      const names = Array.isArray(c.value) ? c.value : undefined;
      let clash = false;
      switch (c.kind) {
        case 'dropped_table':
          clash = has('dropped_table', id);
          break;
        case 'dropped_view':
          clash = has('dropped_view', id);
          break;
        case 'dropped_schema':
          clash = has('dropped_schema', id) || others.some((o) => (o.kind === 'created_table' || o.kind === 'created_view') && Array.isArray(o.value) && o.value[0] === this.state.schemas.get(id!)?.name);
          break;
        case 'created_schema':
          clash = hasName('created_schema', names!);
          break;
        case 'created_table':
        case 'created_view':
          clash = hasName('created_table', names!) || hasName('created_view', names!);
          break;
        case 'inserted_into_table':
        case 'inlined_insert':
          clash = has('dropped_table', id) || has('altered_table', id) || has('deleted_from_table', id) || has('inlined_delete', id);
          break;
        case 'deleted_from_table':
          clash = ['dropped_table', 'altered_table', 'merge_adjacent', 'rewrite_delete', 'inserted_into_table', 'inlined_insert'].some((k) => has(k, id));
          if (!clash && has('deleted_from_table', id)) clash = await this.targetFilesChanged(tx, id!);
          break;
        case 'inlined_delete':
          clash = ['dropped_table', 'altered_table', 'inlined_delete', 'inline_flush', 'inserted_into_table', 'inlined_insert'].some((k) => has(k, id));
          break;
        case 'altered_table':
          clash = has('dropped_table', id) || has('altered_table', id);
          break;
        case 'altered_view':
          clash = has('altered_view', id);
          break;
        case 'inline_flush':
          clash = ['dropped_table', 'inlined_delete', 'inline_flush'].some((k) => has(k, id));
          break;
        case 'merge_adjacent':
        case 'rewrite_delete':
          clash = ['dropped_table', 'deleted_from_table', 'merge_adjacent', 'rewrite_delete'].some((k) => has(k, id));
          break;
        default:
          break;
      }
      if (clash) {
        const what = names ? names.join('.') : (this.state.tables.get(id ?? -1)?.name ?? this.state.views.get(id ?? -1)?.name ?? String(id));
        throw conflict(`${c.kind.replace(/_/g, ' ')} "${what}" conflicts with a concurrent commit`);
      }
    }
  }

  /** Whether a data file this transaction deletes from got new deletes or ended since its base. */
  private async targetFilesChanged(tx: CatalogTransaction, tableId: number): Promise<boolean> {
    const d = [...this.deletes].find(([local]) => local === tableId)?.[1];
    const ids = [...(d?.fileDeletes.keys() ?? []), ...(d?.endedFiles.keys() ?? []), ...this.maintenance.flatMap((w) => w.deleteTargets?.(tableId) ?? [])];
    if (ids.length === 0) return false;
    const m = this.lake.store.schemaSql;
    const L = this.base.id;
    const rows = await tx.query(
      // (a delete file registered since L may begin earlier: flushed deletions keep their snapshots)
      `SELECT 1 FROM ${m}.ducklake_delete_file WHERE data_file_id IN (${ids.join(', ')}) AND (begin_snapshot > $1 OR delete_file_id >= $2) UNION ALL SELECT 1 FROM ${m}.ducklake_data_file WHERE data_file_id IN (${ids.join(', ')}) AND end_snapshot > $1`,
      [L, this.base.nextFileId],
    );
    return rows.length > 0;
  }

  /** Removes the files this transaction wrote (abort). */
  async discardFiles(): Promise<void> {
    if (this.writtenUris.length) await this.lake.objects.delete(this.writtenUris).catch(() => undefined);
  }
}

/** Parameters per INSERT of inlined rows (PostgreSQL takes at most 65535 per statement). */
const INLINED_INSERT_PARAMS = 20_000;

const conflict = (message: string) =>
  new PgError(SqlState.serializationFailure, `Transaction conflict: ${message}`, { hint: 'Another session committed a conflicting change first; retry the transaction.' });

type Q = (sql: string, params?: unknown[]) => Promise<unknown[]>;

async function insertColumns(q: Q, m: string, tableId: number, N: number, rows: { col: LakeColumn; parent: number | null; withChildren: boolean }[]): Promise<void> {
  const insert = async (col: LakeColumn, parent: number | null, recursive: boolean): Promise<void> => {
    const nested = col.children.length > 0;
    await q(`INSERT INTO ${m}.ducklake_column VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'duckdb')`, [
      col.id,
      N,
      tableId,
      col.id,
      col.name,
      col.type,
      col.initialDefault,
      col.defaultValue ?? 'NULL',
      col.nullable,
      parent,
      nested ? '' : col.defaultType || 'literal',
    ]);
    if (recursive) for (const c of col.children) await insert(c, col.id, true);
  };
  for (const r of rows) await insert(r.col, r.parent, r.withChildren);
}

async function createInlinedTable(tx: CatalogTransaction, m: string, tableId: number, sv: number, columns: LakeColumn[]): Promise<void> {
  const name = `ducklake_inlined_data_${tableId}_${sv}`;
  const cols = columns.map((c) => `${quoteIdent(c.name)} ${inlinedColumnType(tx.kind, c)}`).join(', ');
  await tx.exec(`CREATE TABLE IF NOT EXISTS ${m}.${quoteIdent(name)}(row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT${cols ? ', ' + cols : ''})`);
  tx.defer(`INSERT INTO ${m}.ducklake_inlined_data_tables VALUES ($1, $2, $3)`, [tableId, name, sv]);
}

function leafTypes(cols: LakeColumn[], out = new Map<number, string>()): Map<number, string> {
  for (const c of cols) {
    if (c.children.length) leafTypes(c.children, out);
    else out.set(c.id, c.type);
  }
  return out;
}

export function cloneState(s: SchemaState): SchemaState {
  const cloneTable = (t: TableEntry): TableEntry => ({
    ...t,
    columns: structuredClone(t.columns),
    tags: new Map(t.tags),
    columnComments: new Map(t.columnComments),
    partition: t.partition ? { id: t.partition.id, keys: t.partition.keys.map((k) => ({ ...k })) } : null,
    sort: t.sort ? { id: t.sort.id, keys: t.sort.keys.map((k) => ({ ...k })) } : null,
    inlined: t.inlined.map((i) => ({ ...i })),
  });
  return {
    schemaVersion: s.schemaVersion,
    loadedAt: s.loadedAt,
    schemas: new Map([...s.schemas].map(([k, v]) => [k, { ...v }])),
    tables: new Map([...s.tables].map(([k, v]) => [k, cloneTable(v)])),
    views: new Map([...s.views].map(([k, v]) => [k, { ...v }])),
    macros: s.macros,
  };
}

export { duckType };

const sqlBool = (v: boolean | null) => (v === null ? 'NULL::BOOLEAN' : v ? 'true' : 'false');
const sqlText = (v: string | null) => (v === null ? 'NULL::VARCHAR' : `'${v.replace(/'/g, "''")}'::VARCHAR`);
