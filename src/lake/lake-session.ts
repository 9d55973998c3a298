/**
 * A client session's view of its lake: which snapshot it reads, its pending lake transaction,
 * and the execution of lake writes (DDL, INSERT, CTAS, COPY) on its DuckDB connection.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PgError, SqlState } from '../errors/pg-error.js';
import { fromDuckDBError } from '../errors/duckdb-errors.js';
import type { StatementSlice } from '../sql/lexer.js';
import type { LakeRuntime } from './service.js';
import type { SchemaEntry, SchemaState, SnapshotRow, TableEntry, ViewEntry } from './catalog/model.js';
import { LakeTx } from './write/tx.js';
import { classifyLakeStatement, type LakeStatement, type ObjectName } from './sql/lake-statements.js';
import { needsLakeRewrite, rewriteLakeSql } from './sql/rewrite.js';
import { DdlWriter } from './write/ddl.js';
import { InsertWriter } from './write/insert.js';
import { quoteIdent } from './types.js';

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
}

export class LakeSession {
  /** The lake transaction of the current SQL transaction block, once it wrote something. */
  tx?: LakeTx;
  lastCommitted?: number;
  /** Snapshot read by the current transaction since its first statement. */
  private pinned?: { snapshot: SnapshotRow; state: SchemaState };
  readonly ddl: DdlWriter;
  readonly inserts: InsertWriter;

  constructor(
    readonly runtime: LakeRuntime,
    readonly conn: DuckDBConnection,
  ) {
    this.ddl = new DdlWriter(this);
    this.inserts = new InsertWriter(this);
  }

  get name(): string {
    return this.runtime.name;
  }

  /** The schema state the session currently reads. */
  get state(): SchemaState {
    return this.tx?.state ?? this.pinned?.state ?? this.runtime.live.state!;
  }

  get snapshotId(): number {
    return this.tx?.base.id ?? this.pinned?.snapshot.id ?? this.runtime.live.snapshot!.id;
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
      return (await this.conn.runAndReadAll(sql)).getRows() as unknown[][];
    } catch (e) {
      throw fromDuckDBError(e, sql);
    }
  }

  /** Read-side rewriting (time travel, virtual columns, ducklake_* functions, listings). */
  async rewriteRead(slice: StatementSlice, defaultSchema: string, allLakes: string[]): Promise<string> {
    if (!needsLakeRewrite(slice.tokens, this.name)) return slice.text;
    return rewriteLakeSql(slice.text, {
      runtime: this.runtime,
      dbName: this.runtime.live.dbName,
      state: this.state,
      currentSnapshot: this.snapshotId,
      lastCommitted: this.lastCommitted,
      defaultSchema,
      parserConn: this.conn,
      allLakes,
    });
  }

  classify(slice: StatementSlice): LakeStatement | undefined {
    return classifyLakeStatement(slice, this.name);
  }

  // ------------------------------------------------------------------ transactions

  /** The transaction to record a write in: the block's, or a new autocommit one. */
  async writeTx(inBlock: boolean): Promise<LakeTx> {
    if (this.tx) return this.tx;
    if (!inBlock) await this.refresh();
    const live = this.runtime.live;
    const base = inBlock && this.pinned ? this.pinned : { snapshot: live.snapshot!, state: live.state! };
    const tx = new LakeTx(this.runtime.lake, base.snapshot, base.state);
    if (inBlock) this.tx = tx;
    return tx;
  }

  /** Commits an autocommit write, or leaves it to COMMIT inside a block. */
  async finishWrite(tx: LakeTx, inBlock: boolean): Promise<void> {
    if (inBlock) return;
    await this.commitTx(tx);
  }

  async commitTx(tx: LakeTx): Promise<void> {
    if (tx.isEmpty) return;
    try {
      const { snapshot } = await tx.commit();
      this.lastCommitted = snapshot.id;
      await this.runtime.committed(snapshot);
    } catch (e) {
      await tx.discardFiles();
      throw e;
    }
  }

  /** COMMIT of a block. */
  async commit(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    this.pinned = undefined;
    if (tx) await this.commitTx(tx);
  }

  /** ROLLBACK of a block (also after errors and disconnects). */
  async rollback(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    this.pinned = undefined;
    if (tx) await tx.discardFiles();
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

  /** Whether a temporary DuckDB table shadows an unqualified name (DuckDB resolves temp first). */
  async isTempTable(n: ObjectName): Promise<boolean> {
    if (n.schema || n.catalog) return false;
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
      case 'update':
      case 'delete':
      case 'truncate':
      case 'merge':
        throw new PgError(SqlState.featureNotSupported, `${stmt.kind.toUpperCase()} on lake tables is not supported yet`);
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
}

export function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}
