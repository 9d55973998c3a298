/**
 * A client session's view of its lake: which snapshot it reads, its pending lake transaction,
 * and the execution of lake writes (DDL, INSERT, CTAS, COPY) on its DuckDB connection.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PgError, SqlState } from '../errors/pg-error.js';
import { fromDuckDBError } from '../errors/duckdb-errors.js';
import { tokenize, type StatementSlice, type Token } from '../sql/lexer.js';
import type { LakeRuntime } from './service.js';
import type { SchemaEntry, SchemaState, SnapshotRow, TableEntry, ViewEntry } from './catalog/model.js';
import type { SnapshotDatabase } from './read/live-db.js';
import { LakeTx } from './write/tx.js';
import { classifyLakeStatement, type LakeStatement, type ObjectName } from './sql/lake-statements.js';
import { needsLakeRewrite, rewriteLakeSql } from './sql/rewrite.js';
import { DdlWriter } from './write/ddl.js';
import { InsertWriter } from './write/insert.js';
import { quoteIdent } from './types.js';
import { RowChangeWriter } from './write/row-changes.js';
import { TxWorkspace } from './write/workspace.js';
import { writeDeleteFiles } from './write/deletes.js';
import { prepareCall } from './write/calls.js';
import { INTERNAL_SCHEMA } from './read/live-db.js';
import { readAll } from '../engine/rows.js';

let stagingCounter = 0;

export interface PreparedLakeWrite {
  /** SQL to run on the session connection (the user's statement aimed at a staging table), or null. */
  sql: string | null;
  /** Runs after `sql` (or instead of it): writes files, commits in autocommit mode. Returns the row count for the tag. */
  finish(rowCount: number): Promise<{ tag?: string }>;
  /** Cleans up when `sql` failed (or was never run). */
  abort(): Promise<void>;
  /** An internal name in `sql` that errors should show as the user's (staging table → lake table). */
  rename?: { from: string; to: string };
  /**
   * RETURNING of DELETE/UPDATE: `sql` stages the rows, finish() applies the change, then the rows
   * of `returning.sql` are the result (`describe` has the same columns and parameters as the
   * statement, for Parse/Describe). cleanup() runs after they were sent.
   */
  returning?: { sql: string; describe: string };
  cleanup?(): Promise<void>;
}

let workspaceCounter = 0;
const stateIds = new WeakMap<object, number>();
let stateIdCounter = 0;

export class LakeSession {
  /** The lake transaction of the current SQL transaction block, once it wrote something. */
  tx?: LakeTx;
  lastCommitted?: number;
  /** Snapshot read by the current transaction since its first statement. */
  private pinned?: { snapshot: SnapshotRow; state: SchemaState };
  readonly ddl: DdlWriter;
  readonly inserts: InsertWriter;
  readonly rowChanges: RowChangeWriter;
  /** The transaction's private database (deletions, overlay of its own writes). */
  readonly workspace: TxWorkspace;
  /** Bumped whenever what a statement binds to changes within a transaction. */
  private version = 0;
  /** Called when the session's default database changes (overlay on or off). */
  onDatabaseSwitch?: () => void;
  /** Files this transaction wrote, kept in a remote store's cache until it ends. */
  private ownPins: (() => void)[] = [];

  constructor(
    readonly runtime: LakeRuntime,
    readonly conn: DuckDBConnection,
  ) {
    this.ddl = new DdlWriter(this);
    this.inserts = new InsertWriter(this);
    this.rowChanges = new RowChangeWriter(this);
    this.workspace = new TxWorkspace(conn, `__lake_${runtime.name}_tx${process.pid}_${++workspaceCounter}`, runtime.live.dbName);
  }

  /** Identifies what statements bind to now (prepared statements older than that are prepared again). */
  get stateKey(): string {
    const st = this.state as object;
    let id = stateIds.get(st);
    if (id === undefined) stateIds.set(st, (id = ++stateIdCounter));
    return `${id}:${this.version}:${this.workspace.overlayActive ? 1 : 0}:${this.travel?.setting ?? ''}`;
  }

  /** The relation DML reads a table through: with rowid, filename and file_row_number. */
  dmlView(table: TableEntry): string {
    const db = this.workspace.overlayActive ? this.workspace.sqlName : quoteIdent(this.runtime.live.dbName);
    return `${db}.${INTERNAL_SCHEMA}.${quoteIdent(`t${table.id}`)}`;
  }

  /** The database the session's statements read the lake through. */
  get readDbName(): string {
    if (this.travel) return this.travel.db.dbName;
    return this.workspace.overlayActive ? this.workspace.dbName : this.runtime.live.dbName;
  }

  async pinOwnFiles(uris: string[]): Promise<void> {
    if (this.runtime.lake.objects.kind === 'local' || uris.length === 0) return;
    this.ownPins.push(await this.runtime.lake.objects.ensureLocal(uris));
  }

  get name(): string {
    return this.runtime.name;
  }

  /** The schema state the session currently reads. */
  get state(): SchemaState {
    return this.travel?.db.state ?? this.tx?.state ?? this.pinned?.state ?? this.runtime.live.state!;
  }

  get snapshotId(): number {
    return this.travel?.db.snapshot!.id ?? this.tx?.base.id ?? this.pinned?.snapshot.id ?? this.runtime.live.snapshot!.id;
  }

  /** SET lakegres.snapshot: the session reads this historical snapshot (read-only). */
  travel?: { setting: string; db: SnapshotDatabase; release: () => void };

  /** Applies the lakegres.snapshot setting ('' = the latest) before a statement. */
  async travelTo(setting: string): Promise<void> {
    if ((this.travel?.setting ?? '') === setting) return;
    if (this.tx && !this.tx.isEmpty) throw new PgError(SqlState.activeSqlTransaction, 'lakegres.snapshot cannot change in a transaction that wrote to the lake');
    const previous = this.travel;
    if (setting === '') {
      this.travel = undefined;
    } else {
      const lake = this.runtime.lake;
      const snapshot = /^\d+$/.test(setting) ? await lake.reader.snapshot(lake.store, Number(setting)).catch(() => undefined) : await lake.reader.snapshotAtTime(lake.store, setting).catch(() => undefined);
      if (!snapshot) throw new PgError(SqlState.invalidParameterValue, `lake "${this.name}" has no snapshot ${/^\d+$/.test(setting) ? setting : `at or before ${setting}`}`, { hint: 'RESET lakegres.snapshot to read the latest snapshot.' });
      const db = await this.runtime.atSnapshot(snapshot.id);
      this.travel = { setting, db, release: this.runtime.hold(snapshot.id) };
    }
    previous?.release();
    await this.run(`USE ${quoteIdent(this.readDbName)}`);
    this.version++;
    this.onDatabaseSwitch?.();
  }

  /** Brings the shared live database up to the newest committed snapshot. */
  async refresh(): Promise<void> {
    await this.runtime.refresh();
  }

  /**
   * Before a statement runs on the session's connection. Autocommit statements see the newest
   * snapshot; a transaction sees the snapshot of its first statement until it ends (the live
   * database is versioned by DuckDB, so the connection's transaction keeps reading that one).
   */
  async beginStatement(inTransaction: boolean): Promise<void> {
    if (!inTransaction) {
      this.pinned = undefined;
      await this.refresh();
      return;
    }
    if (this.pinned) return;
    await this.refresh();
    const live = this.runtime.live;
    this.pinned = { snapshot: live.snapshot!, state: live.state! };
  }

  /** A unique name for a staging table of this session. */
  stagingName(prefix: string): string {
    return `__lakegres_${prefix}_${process.pid}_${++stagingCounter}`;
  }

  /** Runs SQL on the session connection, mapping DuckDB errors. */
  async run(sql: string): Promise<void> {
    try {
      await this.conn.run(sql);
    } catch (e) {
      throw fromDuckDBError(e, sql);
    }
  }

  async rows(sql: string): Promise<unknown[][]> {
    try {
      return (await readAll(this.conn, sql)).getRows() as unknown[][];
    } catch (e) {
      throw fromDuckDBError(e, sql);
    }
  }

  /** Read-side rewriting (time travel, virtual columns, ducklake_* functions, listings). */
  async rewriteRead(slice: StatementSlice, defaultSchema: string, allLakes: string[]): Promise<string> {
    if (!needsLakeRewrite(slice.tokens, this.name)) return slice.text;
    return rewriteLakeSql(slice.text, {
      runtime: this.runtime,
      dbName: this.readDbName,
      state: this.state,
      currentSnapshot: this.snapshotId,
      lastCommitted: this.lastCommitted,
      defaultSchema,
      parserConn: this.conn,
      allLakes,
      ensureLocal: async (uris) => {
        if (this.runtime.lake.objects.kind !== 'local') this.pins.push(await this.runtime.lake.objects.ensureLocal(uris));
      },
    });
  }

  /**
   * With a remote object store: downloads (into the bounded cache) the files of every lake table
   * the statement may read, and keeps them until releaseReads(). Tables are found by name in the
   * statement's tokens, through lake views too; a name that is not a table costs nothing.
   */
  async pinReads(slice: StatementSlice): Promise<void> {
    const objects = this.runtime.lake.objects;
    if (objects.kind === 'local') return;
    const names = tokenNames(slice.tokens);
    const state = this.state;
    const tables = new Set<number>();
    const seenViews = new Set<number>();
    const visit = (words: Set<string>) => {
      for (const t of state.tables.values()) if (words.has(t.name.toLowerCase()) || words.has(`t${t.id}`)) tables.add(t.id);
      for (const v of state.views.values()) {
        if (seenViews.has(v.id) || !words.has(v.name.toLowerCase())) continue;
        seenViews.add(v.id);
        visit(tokenNames(tokenize(v.sql)));
      }
    };
    visit(names);
    if (tables.size === 0) return;
    const uris: string[] = [];
    for (const db of this.runtime.databasesIn(names)) for (const id of tables) uris.push(...(db.tableFiles.get(id) ?? []));
    this.pins.push(await objects.ensureLocal(uris));
  }

  /** At disconnect: nothing of this session keeps lake resources. */
  close(): void {
    this.travel?.release();
    this.travel = undefined;
    this.releaseReads();
    for (const release of this.ownPins.splice(0)) release();
  }

  /** Lets the cache evict what earlier statements pinned. */
  releaseReads(): void {
    for (const release of this.pins.splice(0)) release();
  }

  private readonly pins: (() => void)[] = [];

  classify(slice: StatementSlice): LakeStatement | undefined {
    return classifyLakeStatement(slice, this.name, [this.workspace.dbName]);
  }

  // ------------------------------------------------------------------ transactions

  /** The transaction to record a write in: the block's, or a new autocommit one. */
  async writeTx(inBlock: boolean): Promise<LakeTx> {
    if (this.tx) return this.tx;
    if (!inBlock) await this.refresh();
    const live = this.runtime.live;
    const base = inBlock && this.pinned ? this.pinned : { snapshot: live.snapshot!, state: live.state! };
    const tx = new LakeTx(this.runtime.lake, base.snapshot, base.state);
    tx.materializeDeletes = (N) => writeDeleteFiles(this.conn, this.runtime.lake, tx, this.workspace, N);
    if (inBlock) this.tx = tx;
    return tx;
  }

  /**
   * After a write inside a transaction block: later statements of the block read the overlay
   * (the block's snapshot plus its own writes).
   */
  async afterBlockWrite(): Promise<void> {
    const tx = this.tx;
    if (!tx || tx.isEmpty) return;
    const wasActive = this.workspace.overlayActive;
    const base = this.pinned?.state ?? tx.state;
    await this.workspace.buildOverlay(this.runtime.lake, tx, base, (uri) => this.runtime.lake.objects.localPath(uri));
    this.version++;
    if (!wasActive) {
      await this.run(`USE ${this.workspace.sqlName}`);
      this.onDatabaseSwitch?.();
    }
  }

  /** Back to the live database after the transaction (its overlay is gone). */
  private async endTransaction(committed: boolean): Promise<void> {
    const wasActive = this.workspace.overlayActive;
    // The workspace cannot be detached while it is the default database.
    if (wasActive) await this.conn.run(`USE ${quoteIdent(this.runtime.live.dbName)}`).catch(() => undefined);
    if (committed) await this.workspace.clear();
    else this.workspace.forget();
    if (wasActive) this.onDatabaseSwitch?.();
    this.version++;
    for (const release of this.ownPins.splice(0)) release();
  }

  /** Commits an autocommit write, or leaves it to COMMIT inside a block. */
  async finishWrite(tx: LakeTx, inBlock: boolean): Promise<void> {
    if (inBlock) return this.afterBlockWrite();
    await this.commitTx(tx);
  }

  async commitTx(tx: LakeTx): Promise<void> {
    const autocommit = tx !== this.tx;
    try {
      if (!tx.hasWork) return;
      const { snapshot, changes } = await tx.commit();
      if (snapshot) {
        this.lastCommitted = snapshot.id;
        await this.runtime.committed(snapshot, changes);
      }
    } catch (e) {
      await tx.discardFiles();
      throw e;
    } finally {
      // An autocommit statement's deletions were committed with it: its workspace goes away, and
      // the files it wrote may leave a remote store's cache again.
      if (autocommit) {
        await this.workspace.clear();
        for (const release of this.ownPins.splice(0)) release();
      }
    }
  }

  /** COMMIT of a block: before DuckDB's COMMIT (the workspace is still visible). */
  async commit(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    this.pinned = undefined;
    try {
      if (tx?.hasWork) {
        const { snapshot, changes } = await tx.commit();
        if (snapshot) {
          this.lastCommitted = snapshot.id;
          await this.runtime.committed(snapshot, changes);
        }
      }
    } catch (e) {
      await tx?.discardFiles();
      await this.endTransaction(false);
      throw e;
    }
    await this.endTransaction(true);
  }

  /** ROLLBACK of a block (also after errors and disconnects). */
  async rollback(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    this.pinned = undefined;
    if (tx) await tx.discardFiles();
    await this.endTransaction(false);
  }

  // ------------------------------------------------------------------ name resolution

  schemaByName(name: string, state = this.state): SchemaEntry | undefined {
    const l = (name === 'public' ? 'main' : name).toLowerCase();
    for (const s of state.schemas.values()) if (s.name.toLowerCase() === l) return s;
    return undefined;
  }

  /** Schema for a (possibly unqualified) object name. */
  schemaFor(n: ObjectName, defaultSchema: string, state = this.state): SchemaEntry {
    const schemaName = n.schema ?? defaultSchema;
    const s = this.schemaByName(schemaName, state);
    if (!s) throw new PgError(SqlState.undefinedSchema, `schema "${schemaName === 'main' ? 'public' : schemaName}" does not exist`);
    return s;
  }

  findTable(n: ObjectName, defaultSchema: string, state = this.state): TableEntry | undefined {
    const schema = this.schemaByName(n.schema ?? defaultSchema, state);
    if (!schema) return undefined;
    const l = n.name.toLowerCase();
    for (const t of state.tables.values()) if (t.schemaId === schema.id && t.name.toLowerCase() === l) return t;
    return undefined;
  }

  findView(n: ObjectName, defaultSchema: string, state = this.state): ViewEntry | undefined {
    const schema = this.schemaByName(n.schema ?? defaultSchema, state);
    if (!schema) return undefined;
    const l = n.name.toLowerCase();
    for (const v of state.views.values()) if (v.schemaId === schema.id && v.name.toLowerCase() === l) return v;
    return undefined;
  }

  requireTable(n: ObjectName, defaultSchema: string, state = this.state): TableEntry {
    const t = this.findTable(n, defaultSchema, state);
    if (!t) throw new PgError(SqlState.undefinedTable, `relation "${n.schema ? n.schema + '.' : ''}${n.name}" does not exist`, { table: n.name });
    return t;
  }

  /** Set once the session ran a statement that may create temporary objects (TEMP/TEMPORARY). */
  mayHaveTempTables = false;

  /** Whether a temporary DuckDB table shadows an unqualified name (DuckDB resolves temp first). */
  async isTempTable(n: ObjectName): Promise<boolean> {
    if (n.schema || n.catalog || !this.mayHaveTempTables) return false;
    const rows = await this.rows(`SELECT 1 FROM duckdb_tables() WHERE temporary AND lower(table_name) = lower(${sqlString(n.name)}) LIMIT 1`);
    return rows.length > 0;
  }

  /** Prepares a lake write statement (see PreparedLakeWrite). */
  async prepareWrite(stmt: LakeStatement, slice: StatementSlice, ctx: { inBlock: boolean; defaultSchema: string; notice?: (message: string) => void }): Promise<PreparedLakeWrite> {
    switch (stmt.kind) {
      case 'unsupported':
        throw stmt.error;
      case 'insert':
        return this.inserts.prepareInsert(stmt.target, slice, ctx);
      case 'createTable':
        if (stmt.asQuery !== null) return this.inserts.prepareCtas(stmt, slice, ctx);
        return this.immediate(() => this.ddl.createTable(stmt, slice, ctx));
      case 'alterTable':
        return this.immediate(() => this.ddl.alterTable(stmt, slice, ctx));
      case 'copyFromFile':
        return this.inserts.prepareCopyFromFile(stmt.target, slice, ctx);
      case 'delete':
        return this.rowChanges.prepareDelete(slice, ctx);
      case 'update':
        return this.rowChanges.prepareUpdate(slice, ctx);
      case 'truncate':
        return this.rowChanges.prepareTruncate(stmt.targets, ctx);
      case 'merge':
        return this.rowChanges.prepareMerge(slice, ctx);
      case 'call':
        return prepareCall(this, stmt.body, ctx);
      default:
        return this.immediate(() => this.ddl.run(stmt, ctx));
    }
  }

  private immediate(fn: () => Promise<string>): PreparedLakeWrite {
    return {
      sql: null,
      finish: async () => ({ tag: await fn() }),
      abort: async () => undefined,
    };
  }

  async dropStaging(name: string): Promise<void> {
    await this.conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(name)}`).catch(() => undefined);
  }

  /** Staging tables to drop with the session's next staging statement (saves a DuckDB call per write). */
  private stale: string[] = [];

  dropStagingLater(name: string): void {
    this.stale.push(name);
  }

  /** `sql` preceded by the drops of staging tables left by earlier writes (one script). */
  withStaleDrops(sql: string): string {
    if (this.stale.length === 0) return sql;
    const drops = this.stale.splice(0).map((n) => `DROP TABLE IF EXISTS temp.main.${quoteIdent(n)}`);
    return [...drops, sql].join(';\n');
  }
}

/** Lower-cased identifiers and words of a statement. */
function tokenNames(tokens: Token[]): Set<string> {
  const out = new Set<string>();
  for (const t of tokens) if (t.kind === 'word' || t.kind === 'qident') out.add(t.value.toLowerCase());
  return out;
}

export function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}
