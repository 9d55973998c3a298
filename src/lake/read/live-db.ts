/**
 * The DuckDB database through which sessions read a lake: an in-memory database attached under
 * the lake's name, holding one schema per lake schema, one view per table (and per lake view),
 * mirror tables for inlined data, and `__lakegres.meta` with the snapshot it shows.
 *
 * One refresher per lake moves it forward, all in one DuckDB transaction per refresh. Sessions
 * that already run a transaction keep seeing the catalog version they started with (DuckDB's
 * MVCC covers views too), which is exactly DuckLake snapshot isolation.
 *
 * The same builder also materialises historical snapshots (time travel) under other names.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import { Mutex } from '../../util/mutex.js';
import { PgError, SqlState } from '../../errors/pg-error.js';
import { fromDuckDBError } from '../../errors/duckdb-errors.js';
import type { Lake } from '../lake.js';
import type { DataFileEntry, SchemaState, SnapshotRow, TableEntry, ViewEntry, MacroEntry } from '../catalog/model.js';
import type { CatalogQueryable } from '../catalog/store.js';
import { duckType, quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';
import { inlinedDeleteTables, readInlinedDeletes, readInlinedRows, readInlinedRowsWhere } from '../catalog/inlined.js';
import { inlinedLayout, inlinedValuesSql } from './inlined-relation.js';
import { tableViewSql, type InlinedSource } from './table-view.js';
import { parseChanges } from '../write/changes.js';
import { TaggedDeleteCache } from './tagged-deletes.js';
import { createCatalogEmulation, metadataStatements, statsStatements, tableStatsOf, type TableStats } from '../../pgcompat/catalog/index.js';

export const INTERNAL_SCHEMA = '__lakegres';

/** Snapshot bound used in the live database's views (everything in it is visible). */
const LATEST = Number.MAX_SAFE_INTEGER;

type ResolvedFile = DataFileEntry & { localPath: string; deleteLocalPath: string | null; deleteTagged: boolean };

/** Work to do in one refresh, computed from what changed between two snapshots. */
interface RefreshPlan {
  full: boolean;
  tables: Set<number>;
  /** Kinds of changes per table since the shown snapshot (not for full plans). */
  kinds: Map<number, Set<string>>;
}

/** Changes that leave a table's data files as they were (only inlined data changed). */
const INLINED_ONLY = new Set(['inlined_insert', 'inlined_delete']);

export class SnapshotDatabase {
  /** Snapshot currently shown; undefined before the first build. */
  snapshot?: SnapshotRow;
  state?: SchemaState;
  private readonly lock = new Mutex();
  private readonly built = new Map<number, string>();
  /** Inlined-data mirror tables and the snapshot whose live rows they hold (incremental refresh). */
  private readonly mirrors = new Map<string, { through: number; signature: string }>();
  private readonly pendingMirrors = new Map<string, { through: number; signature: string }>();
  /** The resolved data files of each table's view (reused while only inlined data changes). */
  private readonly resolvedFiles = new Map<number, ResolvedFile[]>();
  private readonly pendingResolved = new Map<number, ResolvedFile[]>();
  /** The SQL each hidden view was last created with (identical views are not replaced). */
  private readonly viewSql = new Map<number, string>();
  private readonly pendingViewSql = new Map<number, string>();
  /** Tables that have a ducklake_inlined_delete_<id> table, as last seen. */
  private deleteTables?: Set<number>;
  /** Object URIs (data and delete files) each table's view reads. */
  readonly tableFiles = new Map<number, string[]>();
  /** Row counts, sizes and last changes of the tables (emulated PostgreSQL catalog, pgcompat/catalog). */
  readonly tableStats = new Map<number, TableStats>();
  private readonly mirrorRows = new Map<string, number>();
  private readonly log: Logger;

  constructor(
    readonly lake: Lake,
    private readonly conn: DuckDBConnection,
    /** Name of the attached DuckDB database. */
    readonly dbName: string,
    private readonly taggedDeletes: TaggedDeleteCache,
  ) {
    this.log = lake.log.child({ db: dbName });
  }

  get sqlName(): string {
    return quoteIdent(this.dbName);
  }

  static async attach(lake: Lake, conn: DuckDBConnection, dbName: string, taggedDeletes: TaggedDeleteCache): Promise<SnapshotDatabase> {
    await conn.run(`ATTACH ':memory:' AS ${quoteIdent(dbName)}`);
    await conn.run(`CREATE SCHEMA ${quoteIdent(dbName)}.${INTERNAL_SCHEMA}`);
    await conn.run(`CREATE TABLE ${quoteIdent(dbName)}.${INTERNAL_SCHEMA}.meta (snapshot_id BIGINT, schema_version BIGINT, snapshot_time VARCHAR)`);
    await conn.run(`INSERT INTO ${quoteIdent(dbName)}.${INTERNAL_SCHEMA}.meta VALUES (-1, -1, NULL)`);
    // The emulated PostgreSQL catalog (schema __lakegres_pg and its metadata tables).
    await createCatalogEmulation(conn, { dbName, lakeName: lake.name });
    return new SnapshotDatabase(lake, conn, dbName, taggedDeletes);
  }

  /** Makes the database show at least `target` (no-op when it already does). */
  /**
   * Makes the database show at least `target`. `changes` are target's changes_made when the
   * caller committed it itself (saves reading them back when target directly follows).
   */
  async ensure(target: SnapshotRow, changes?: string | null): Promise<void> {
    if (this.snapshot && this.snapshot.id >= target.id) return;
    await this.lock.run(async () => {
      if (this.snapshot && this.snapshot.id >= target.id) return;
      this.knownChanges = changes !== undefined && this.snapshot?.id === target.id - 1 ? { id: target.id, changes } : undefined;
      await this.refresh(target);
    });
  }

  private knownChanges?: { id: number; changes: string | null };

  /** A historical snapshot database (built once by buildAt), as opposed to the live one. */
  private historical = false;

  /** Shows exactly `target` (historical snapshot databases are built once). */
  async buildAt(target: SnapshotRow): Promise<void> {
    this.historical = true;
    await this.lock.run(() => this.refresh(target));
  }

  private async refresh(target: SnapshotRow): Promise<void> {
    const lake = this.lake;
    const from = this.snapshot;
    const state = await lake.schemaState(target);
    const plan = await this.plan(from, target, state);
    this.pendingMirrors.clear();
    this.pendingResolved.clear();
    this.pendingViewSql.clear();
    // A full rebuild (e.g. after expired snapshots) starts the mirrors over as well.
    if (plan.full) {
      this.mirrors.clear();
      this.resolvedFiles.clear();
      this.viewSql.clear();
    }
    const t0 = Date.now();
    // Read everything the refresh needs from the catalog in one consistent read transaction.
    const tableSql = new Map<number, string>();
    const statsFor = new Set<number>();
    await lake.store.transaction(
      async (tx) => {
        // Which tables have an inlined-deletion table: asked again only when one may have appeared.
        const newInlinedDeletes = [...plan.kinds].some(([id, k]) => k.has('inlined_delete') && !this.deleteTables?.has(id));
        if (plan.full || !this.deleteTables || newInlinedDeletes) this.deleteTables = await inlinedDeleteTables(tx, lake.store.schemaName);
        // A full build reads every table's files in one query (lakes with many tables start fast).
        const allFiles = plan.full ? await lake.reader.allDataFiles(tx, target.id) : undefined;
        for (const id of plan.full ? state.tables.keys() : plan.tables) {
          const table = state.tables.get(id);
          if (!table) continue;
          const kinds = plan.kinds.get(id);
          const filesUnchanged = !plan.full && !!kinds && [...kinds].every((k) => INLINED_ONLY.has(k)) && this.resolvedFiles.has(id);
          const sql = await this.tableStatements(tx, state, table, target.id, this.deleteTables.has(id), filesUnchanged, allFiles ? (allFiles.get(id) ?? []) : undefined);
          if (sql) tableSql.set(id, sql);
          statsFor.add(id);
        }
        await tableStatsOf(this, tx, state, statsFor, target, plan.full ? undefined : { from: from!.id, changed: plan.tables });
      },
      { readOnly: true },
    );
    const statements: string[] = [];
    const db = this.sqlName;
    const oldState = this.state;
    // DuckDB checks every file of a read_parquet list when it binds a view, and creating a view
    // binds the views it reads: with a remote store all those files must be in the cache now.
    const rebuildsDefinitions = plan.full || from?.schemaVersion !== target.schemaVersion;
    const bound = rebuildsDefinitions ? [...state.tables.keys()] : [...tableSql.keys()];
    const release = lake.objects.kind === 'local' ? () => undefined : await lake.objects.ensureLocal(bound.flatMap((id) => this.tableFiles.get(id) ?? []));
    try {
      // Schemas
      if (rebuildsDefinitions || [...state.schemas.keys()].some((id) => !oldState?.schemas.has(id))) {
        for (const s of state.schemas.values()) statements.push(`CREATE SCHEMA IF NOT EXISTS ${db}.${quoteIdent(s.name)}`);
      }
      // Drop views of tables that vanished or were renamed / moved.
      if (oldState) {
        for (const old of oldState.tables.values()) {
          const now = state.tables.get(old.id);
          const oldSchema = oldState.schemas.get(old.schemaId)?.name;
          if (!now || now.name !== old.name || now.schemaId !== old.schemaId) {
            if (oldSchema) statements.push(`DROP VIEW IF EXISTS ${db}.${quoteIdent(oldSchema)}.${quoteIdent(old.name)}`);
            if (!now) {
              statements.push(`DROP VIEW IF EXISTS ${db}.${INTERNAL_SCHEMA}.${quoteIdent('t' + old.id)}`);
              this.built.delete(old.id);
            }
          }
        }
        for (const old of oldState.views.values()) {
          const oldSchema = oldState.schemas.get(old.schemaId)?.name;
          const now = state.views.get(old.id);
          if (oldSchema && (!now || now.name !== old.name || now.schemaId !== old.schemaId)) statements.push(`DROP VIEW IF EXISTS ${db}.${quoteIdent(oldSchema)}.${quoteIdent(old.name)}`);
        }
        for (const old of oldState.macros.values()) {
          const oldSchema = oldState.schemas.get(old.schemaId)?.name;
          if (oldSchema && !state.macros.has(old.id)) statements.push(`DROP MACRO ${old.impls[0]?.type === 'table' ? 'TABLE ' : ''}IF EXISTS ${db}.${quoteIdent(oldSchema)}.${quoteIdent(old.name)}`);
        }
      }
      for (const [, sql] of tableSql) statements.push(sql);
      // User-visible table views (cheap; all of them, so renames and new tables are covered).
      for (const t of state.tables.values()) {
        const schema = state.schemas.get(t.schemaId);
        if (!schema) continue;
        // A user view selects the table's columns from its hidden view: it changes only with them.
        const before = oldState?.tables.get(t.id);
        const sameShape = !!before && before.name === t.name && before.schemaId === t.schemaId && columnNames(before) === columnNames(t);
        if (this.built.has(t.id) && !plan.full && sameShape) continue;
        statements.push(
          `CREATE OR REPLACE VIEW ${db}.${quoteIdent(schema.name)}.${quoteIdent(t.name)} AS SELECT ${t.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${db}.${INTERNAL_SCHEMA}.${quoteIdent('t' + t.id)}`,
        );
      }
      if (oldState) {
        for (const s of oldState.schemas.values()) if (!state.schemas.has(s.id)) statements.push(`DROP SCHEMA IF EXISTS ${db}.${quoteIdent(s.name)} CASCADE`);
      }
      statements.push(`UPDATE ${db}.${INTERNAL_SCHEMA}.meta SET snapshot_id = ${target.id}, schema_version = ${target.schemaVersion}, snapshot_time = ${quoteLiteral(target.time)}`);
      const definitions = plan.full || from?.schemaVersion !== target.schemaVersion ? this.viewAndMacroStatements(state) : [];
      // The emulated catalog: statistics of the tables read now; schemas, relations and columns
      // when the schema changed (after the views: lake views' columns are read from DuckDB).
      statements.push(...statsStatements(db, state, this.tableStats, plan.full ? undefined : statsFor));
      const catalog = rebuildsDefinitions ? metadataStatements(db, this.dbName, state, quoteIdent(lake.name)) : [];
      try {
        await this.apply([`USE ${db}`, ...statements, ...definitions, ...catalog]);
      } catch {
        // A dangling lake view (allowed by DuckLake) must not block the rest: retry without
        // views and macros, then create those one by one.
        await this.apply([`USE ${db}`, ...statements]);
        for (const d of definitions) await this.conn.run(d).catch((e) => this.log.warn({ err: (e as Error).message }, 'lake view or macro could not be created'));
        await this.apply(catalog).catch((e) => this.log.warn({ err: (e as Error).message }, 'catalog metadata could not be written'));
      }
    } finally {
      release();
    }
    for (const id of tableSql.keys()) this.built.set(id, String(target.id));
    for (const [name, m] of this.pendingMirrors) this.mirrors.set(name, m);
    this.pendingMirrors.clear();
    for (const [id, r] of this.pendingResolved) this.resolvedFiles.set(id, r);
    this.pendingResolved.clear();
    for (const [id, v] of this.pendingViewSql) this.viewSql.set(id, v);
    this.pendingViewSql.clear();
    for (const id of [...this.resolvedFiles.keys()]) {
      if (!state.tables.has(id)) {
        this.resolvedFiles.delete(id);
        this.viewSql.delete(id);
      }
    }
    for (const id of [...this.tableFiles.keys()]) if (!state.tables.has(id)) this.tableFiles.delete(id);
    this.snapshot = target;
    this.state = state;
    this.log.debug({ snapshot: target.id, tables: tableSql.size, full: plan.full, ms: Date.now() - t0 }, 'lake database refreshed');
  }

  /** Runs the statements in one DuckDB transaction, sent as one script (one call into DuckDB). */
  private async apply(statements: string[]): Promise<void> {
    if (statements.length === 0) return;
    try {
      await this.conn.run(['BEGIN TRANSACTION', ...statements, 'COMMIT'].join(';\n'));
    } catch (e) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      const err = fromDuckDBError(e);
      throw new PgError(SqlState.dataException, `could not present lake "${this.lake.name}" to DuckDB: ${err.message}`, { detail: err.detail });
    }
  }

  private viewAndMacroStatements(state: SchemaState): string[] {
    const db = this.sqlName;
    const out: string[] = [];
    for (const mac of state.macros.values()) {
      const schema = state.schemas.get(mac.schemaId);
      const sql = schema && macroSql(db, schema.name, mac);
      if (sql) out.push(sql);
    }
    for (const v of state.views.values()) {
      const schema = state.schemas.get(v.schemaId);
      if (schema) out.push(viewSql(db, this.dbName, schema.name, v));
    }
    return out;
  }

  /** Which tables need new views between `from` and `to`. */
  private async plan(from: SnapshotRow | undefined, to: SnapshotRow, state: SchemaState): Promise<RefreshPlan> {
    const kinds = new Map<number, Set<string>>();
    if (!from || !this.state) return { full: true, tables: new Set(), kinds };
    const tables = new Set<number>();
    const known = this.knownChanges;
    this.knownChanges = undefined;
    const rows = known && known.id === to.id && from.id === to.id - 1 ? [{ id: to.id, changes: known.changes }] : await this.lake.reader.snapshotsBetween(this.lake.store, from.id, to.id);
    // Expired snapshots leave gaps: then nothing can be inferred and everything is rebuilt.
    if (rows.length !== to.id - from.id) return { full: true, tables, kinds };
    for (const r of rows) {
      for (const c of parseChanges(r.changes)) {
        if (typeof c.value !== 'number') continue;
        tables.add(c.value);
        if (!kinds.has(c.value)) kinds.set(c.value, new Set());
        kinds.get(c.value)!.add(c.kind);
        // Flushing removes inlined rows without ending them: such mirrors are rebuilt whole.
        if (c.kind === 'inline_flush' || (c.kind as string) === 'flushed_inlined') {
          for (const name of [...this.mirrors.keys()]) if (name.includes(`"inl_${c.value}_`)) this.mirrors.delete(name);
        }
      }
    }
    if (from.schemaVersion !== to.schemaVersion) {
      const old = this.state;
      for (const t of state.tables.values()) {
        const before = old.tables.get(t.id);
        if (!before || tableSignature(before) !== tableSignature(t)) {
          tables.add(t.id);
          if (!kinds.has(t.id)) kinds.set(t.id, new Set());
          kinds.get(t.id)!.add('altered_table');
        }
      }
    }
    return { full: false, tables, kinds };
  }

  /** Mirror tables for inlined data plus the hidden per-table view, for one table. */
  private async tableStatements(
    tx: CatalogQueryable,
    state: SchemaState,
    table: TableEntry,
    s: number,
    hasInlinedDeletes: boolean,
    filesUnchanged = false,
    prefetched?: DataFileEntry[],
  ): Promise<string> {
    const lake = this.lake;
    const db = this.sqlName;
    const out: string[] = [];
    const dir = lake.tableDir(state, table);
    const cached = filesUnchanged ? this.resolvedFiles.get(table.id) : undefined;
    const files = cached ? [] : (prefetched ?? (await lake.reader.dataFiles(tx, table.id, s)));
    const resolved = [];
    const uris: string[] = [];
    const deleteUris: string[] = [];
    for (const f of files) {
      uris.push(lake.fileUri(dir, f.path, f.pathIsRelative));
      if (f.deleteFile) deleteUris.push(lake.fileUri(dir, f.deleteFile.path, f.deleteFile.pathIsRelative));
    }
    if (!cached) this.tableFiles.set(table.id, [...uris, ...deleteUris]);
    else resolved.push(...cached);
    // Delete files are read now (their kind decides the view's shape).
    const releaseDeletes = await lake.objects.ensureLocal(deleteUris);
    try {
      for (const f of files) {
        if (f.mappingId !== null) throw new PgError(SqlState.featureNotSupported, `table "${table.name}" has files added by name mapping (ducklake_add_data_files), which lakegres cannot read yet`);
        const uri = lake.fileUri(dir, f.path, f.pathIsRelative);
        const localPath = await lake.objects.localPath(uri);
        let deleteLocalPath: string | null = null;
        let deleteTagged = false;
        if (f.deleteFile) {
          if (f.deleteFile.format !== 'parquet') throw new PgError(SqlState.featureNotSupported, `table "${table.name}" has ${f.deleteFile.format} deletion vectors, which lakegres cannot read yet`);
          deleteLocalPath = await lake.objects.localPath(lake.fileUri(dir, f.deleteFile.path, f.deleteFile.pathIsRelative));
          deleteTagged = await this.taggedDeletes.isTagged(this.conn, deleteLocalPath);
        }
        resolved.push({ ...f, localPath, deleteLocalPath, deleteTagged });
      }
    } finally {
      releaseDeletes();
    }
    this.pendingResolved.set(table.id, resolved);
    const inlined: InlinedSource[] = [];
    for (const ref of table.inlined) {
      const layout = await inlinedLayout(lake, tx, table, ref.name, ref.schemaVersion);
      const mirror = `${db}.${INTERNAL_SCHEMA}.${quoteIdent(`inl_${table.id}_${ref.schemaVersion}`)}`;
      const signature = JSON.stringify(layout.map((c) => [c.id, c.name, c.type]));
      const known = this.mirrors.get(mirror);
      if (known && known.signature === signature && known.through <= s) {
        // The mirror holds the rows live at `through`: bring it forward with what changed since.
        const kind = lake.store.kind;
        const ended = await tx.query(`SELECT row_id FROM ${lake.store.schemaSql}.${quoteIdent(ref.name)} WHERE end_snapshot > $1 AND end_snapshot <= $2`, [known.through, s]);
        const added = await readInlinedRowsWhere(tx, kind, lake.store.schemaSql, ref.name, layout, 'begin_snapshot > $1 AND begin_snapshot <= $2 AND (end_snapshot IS NULL OR end_snapshot > $2)', [known.through, s]);
        if (ended.length) out.push(`DELETE FROM ${mirror} WHERE row_id IN (${ended.map((r) => Number(r.row_id)).join(', ')})`);
        if (added.length) out.push(`INSERT INTO ${mirror} ${inlinedValuesSql(kind, layout, added)}`);
        this.mirrorRows.set(mirror, Math.max(0, (this.mirrorRows.get(mirror) ?? 0) - ended.length + added.length));
        this.pendingMirrors.set(mirror, { through: s, signature });
        inlined.push({ relation: mirror, columns: layout.map((c) => ({ name: c.name, id: c.id >= 0 ? c.id : undefined })) });
        continue;
      }
      const rows = await readInlinedRows(tx, lake.store.kind, lake.store.schemaSql, ref.name, layout, s);
      this.mirrorRows.set(mirror, rows.length);
      if (rows.length === 0) continue;
      out.push(`CREATE OR REPLACE TABLE ${mirror} AS ${inlinedValuesSql(lake.store.kind, layout, rows)}`);
      this.pendingMirrors.set(mirror, { through: s, signature });
      inlined.push({ relation: mirror, columns: layout.map((c) => ({ name: c.name, id: c.id >= 0 ? c.id : undefined })) });
    }
    let inlinedDeletes: string | null = null;
    if (hasInlinedDeletes) {
      const dels = await readInlinedDeletes(tx, lake.store.schemaSql, table.id, s);
      this.mirrorRows.set(`inldel_${table.id}`, dels.length);
      if (dels.length > 0) {
        inlinedDeletes = `${db}.${INTERNAL_SCHEMA}.${quoteIdent(`inldel_${table.id}`)}`;
        out.push(`CREATE OR REPLACE TABLE ${inlinedDeletes} AS SELECT * FROM (VALUES ${dels.map((d) => `(${d[0]}, ${d[1]}, ${d[2]})`).join(', ')}) AS v(file_id, row_id, begin_snapshot)`);
      }
    }
    // The live database holds nothing newer than its snapshot (mirrors keep live rows only, delete
    // files and partial files of visible data are never ahead of it): its views need no snapshot
    // bound, so they stay the same while only inlined rows change and are not replaced then.
    const body = tableViewSql({ snapshot: this.historical ? s : LATEST, columns: table.columns, files: resolved, inlined, inlinedDeletes });
    const view = `CREATE OR REPLACE VIEW ${db}.${INTERNAL_SCHEMA}.${quoteIdent('t' + table.id)} AS ${body}`;
    this.pendingViewSql.set(table.id, view);
    if (this.viewSql.get(table.id) !== view) out.push(view);
    return out.join(';\n');
  }

  /** Rows a table's inlined-data mirrors hold, minus its inlined file deletions (catalog statistics). */
  inlinedRowCount(table: TableEntry): { rows: number; deleted: number } {
    let rows = 0;
    for (const ref of table.inlined) rows += this.mirrorRows.get(`${this.sqlName}.${INTERNAL_SCHEMA}.${quoteIdent(`inl_${table.id}_${ref.schemaVersion}`)}`) ?? 0;
    return { rows, deleted: this.mirrorRows.get(`inldel_${table.id}`) ?? 0 };
  }

  /** The resolved data files of a table's view as the refresh in progress built it. */
  filesOf(tableId: number): readonly DataFileEntry[] {
    return this.pendingResolved.get(tableId) ?? this.resolvedFiles.get(tableId) ?? [];
  }

  async detach(): Promise<void> {
    await this.lock.run(async () => {
      // DuckDB refuses to detach the connection's default database (a build leaves it there).
      await this.conn.run('USE memory').catch(() => undefined);
      await this.conn.run(`DETACH ${this.sqlName}`).catch((e) => this.log.warn({ err: (e as Error).message }, 'could not detach a snapshot database'));
    });
  }
}

const columnNames = (t: TableEntry) => JSON.stringify(t.columns.map((c) => c.name));

/** What of a table's definition changes its view (columns, name, schema, inlined tables). */
function tableSignature(t: TableEntry): string {
  const cols = (cs: LakeColumn[]): unknown => cs.map((c) => [c.id, c.name, c.type, c.initialDefault, cols(c.children)]);
  return JSON.stringify([t.name, t.schemaId, t.path, cols(t.columns), t.inlined]);
}

function viewSql(db: string, dbName: string, schema: string, v: ViewEntry): string {
  const body = v.sql.replace(/\{DUCKLAKE_CATALOG\}/g, quoteIdent(dbName));
  const aliases = v.columnAliases.trim() ? ` (${v.columnAliases})` : '';
  return `CREATE OR REPLACE VIEW ${db}.${quoteIdent(schema)}.${quoteIdent(v.name)}${aliases} AS ${body}`;
}

function macroSql(db: string, schema: string, mac: MacroEntry): string | undefined {
  const impls = mac.impls.filter((i) => i.dialect === 'duckdb');
  if (impls.length === 0) return undefined;
  const isTable = impls[0]!.type === 'table';
  const overloads = impls.map((impl) => {
    const params = impl.params.map((p) => {
      const typed = p.type && p.type !== 'unknown' ? ` ${duckTypeOfName(p.type)}` : '';
      return p.defaultValue !== 'NULL' ? `${quoteIdent(p.name)}${typed} := ${p.defaultValue}` : `${quoteIdent(p.name)}${typed}`;
    });
    return `(${params.join(', ')}) AS ${isTable ? 'TABLE ' : ''}${impl.sql}`;
  });
  return `CREATE OR REPLACE MACRO ${db}.${quoteIdent(schema)}.${quoteIdent(mac.name)} ${overloads.join(', ')}`;
}

function duckTypeOfName(lakeType: string): string {
  return duckType({ id: 0, name: '', type: lakeType, nullable: true, initialDefault: null, defaultValue: null, defaultType: 'literal', children: [] });
}
