/**
 * A session's private DuckDB database for its lake transaction (`__lake_tx_<pid>`): the rows a
 * transaction deleted (per table, until commit writes them as delete files or inlined
 * deletions) and, once the transaction has changed anything, an overlay with the same layout
 * as the live lake database (schemas, user views, hidden views `__lakegres.t<id>`) that shows
 * the transaction's snapshot plus its own writes. Statements of the transaction run against
 * the overlay (the session `USE`s it), so they read their own inserts, deletes, updates, new
 * tables and columns. Everything in it is created inside the session's DuckDB transaction:
 * a rollback removes it, a commit is followed by clear().
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { fromDuckDBError } from '../../errors/duckdb-errors.js';
import type { Lake } from '../lake.js';
import type { SchemaState, TableEntry } from '../catalog/model.js';
import { duckType, quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';
import { INTERNAL_SCHEMA } from '../read/live-db.js';
import { ROW_ID_FIELD } from '../read/table-view.js';
import type { LakeTx } from './tx.js';
import { EMULATION_SCHEMA } from '../../pgcompat/registry.js';
import { overlayCatalogStatements, createCatalogEmulation } from '../../pgcompat/catalog/index.js';
import { readAll } from '../../engine/rows.js';

/** `filename` of rows a transaction inlined itself (their file_row_number is their position). */
export const TX_INLINED_FILE = '__lakegres_tx_inlined';

let attachCounter = 0;

export class TxWorkspace {
  private attached = false;
  /** Tables whose deletion tables exist in this transaction. */
  private readonly deleteTables = new Set<number>();
  overlayActive = false;
  /**
   * Name of the attached database. Every ATTACH takes a new name: DuckDB refuses a name that a
   * transaction saw for a database detached since (and treats that as an internal error).
   */
  dbName: string;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly prefix: string,
    private readonly lakeDbName: string,
  ) {
    this.dbName = `${prefix}_${++attachCounter}`;
  }

  get sqlName(): string {
    return quoteIdent(this.dbName);
  }

  private async run(sql: string): Promise<void> {
    try {
      await this.conn.run(sql);
    } catch (e) {
      throw fromDuckDBError(e, sql);
    }
  }

  async ensureAttached(): Promise<void> {
    if (this.attached) {
      const r = await readAll(this.conn, `SELECT 1 FROM duckdb_databases() WHERE database_name = ${quoteLiteral(this.dbName)}`);
      if (r.getRows().length > 0) return;
    }
    // Attached inside the session's transaction when one is open: a rollback detaches it again.
    this.dbName = `${this.prefix}_${++attachCounter}`;
    await this.run(`ATTACH ':memory:' AS ${this.sqlName}`);
    await this.run(`CREATE SCHEMA IF NOT EXISTS ${this.sqlName}.${INTERNAL_SCHEMA}`);
    this.attached = true;
  }

  /** Deleted positions of committed and own data files (inl: an inlined file deletion). */
  deletesTable(tableId: number): string {
    return `${this.sqlName}.${INTERNAL_SCHEMA}.${quoteIdent(`del_${tableId}`)}`;
  }
  /** Committed data files all of whose rows are deleted. */
  endedTable(tableId: number): string {
    return `${this.sqlName}.${INTERNAL_SCHEMA}.${quoteIdent(`end_${tableId}`)}`;
  }
  /** Committed inlined rows deleted (by row id). */
  deletedRowsTable(tableId: number): string {
    return `${this.sqlName}.${INTERNAL_SCHEMA}.${quoteIdent(`delrow_${tableId}`)}`;
  }

  async ensureDeleteTables(tableId: number): Promise<void> {
    await this.ensureAttached();
    if (this.deleteTables.has(tableId)) {
      const r = await readAll(this.conn, `SELECT 1 FROM duckdb_tables() WHERE database_name = ${quoteLiteral(this.dbName)} AND table_name = ${quoteLiteral(`del_${tableId}`)}`);
      if (r.getRows().length > 0) return;
    }
    await this.run(`CREATE TABLE IF NOT EXISTS ${this.deletesTable(tableId)} (file VARCHAR, pos BIGINT, inl BOOLEAN)`);
    await this.run(`CREATE TABLE IF NOT EXISTS ${this.endedTable(tableId)} (file VARCHAR)`);
    await this.run(`CREATE TABLE IF NOT EXISTS ${this.deletedRowsTable(tableId)} (row_id BIGINT)`);
    this.deleteTables.add(tableId);
  }

  hasDeleteTables(tableId: number): boolean {
    return this.deleteTables.has(tableId);
  }

  /**
   * (Re)builds the overlay for the transaction's current state. `changed` are the tables whose
   * rows or definition the transaction changed; other tables show the base snapshot through the
   * live database (which the session's DuckDB transaction sees as of its start).
   */
  async buildOverlay(lake: Lake, tx: LakeTx, base: SchemaState, localPaths: (uri: string) => Promise<string>): Promise<void> {
    await this.ensureAttached();
    const db = this.sqlName;
    const lakeDb = quoteIdent(this.lakeDbName);
    const state = tx.state;
    const stmts: string[] = [];
    // Start from a clean slate: schemas of the transaction state, one hidden + one user view per table.
    const existing = (await readAll(this.conn, `SELECT schema_name FROM duckdb_schemas() WHERE database_name = ${quoteLiteral(this.dbName)} AND schema_name NOT IN ('main', ${quoteLiteral(INTERNAL_SCHEMA)}, ${quoteLiteral(EMULATION_SCHEMA)}, 'information_schema', 'pg_catalog')`)).getRows().map((r) => String(r[0]));
    for (const name of existing) if (![...state.schemas.values()].some((s) => s.name === name)) stmts.push(`DROP SCHEMA IF EXISTS ${db}.${quoteIdent(name)} CASCADE`);
    const views = (await readAll(this.conn, `SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ${quoteLiteral(this.dbName)} AND NOT internal AND schema_name <> ${quoteLiteral(EMULATION_SCHEMA)}`)).getRows();
    for (const [schema, view] of views) stmts.push(`DROP VIEW IF EXISTS ${db}.${quoteIdent(String(schema))}.${quoteIdent(String(view))}`);
    for (const s of state.schemas.values()) stmts.push(`CREATE SCHEMA IF NOT EXISTS ${db}.${quoteIdent(s.name)}`);
    for (const t of state.tables.values()) {
      const schema = state.schemas.get(t.schemaId);
      if (!schema) continue;
      const hidden = `${db}.${INTERNAL_SCHEMA}.${quoteIdent(`t${t.id}`)}`;
      stmts.push(`CREATE VIEW ${hidden} AS ${await this.tableSql(lake, tx, t, base.tables.get(t.id), lakeDb, localPaths)}`);
      stmts.push(`CREATE VIEW ${db}.${quoteIdent(schema.name)}.${quoteIdent(t.name)} AS SELECT ${t.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${hidden}`);
    }
    for (const v of state.views.values()) {
      const schema = state.schemas.get(v.schemaId);
      if (!schema) continue;
      const body = v.sql.replace(/\{DUCKLAKE_CATALOG\}/g, db);
      const aliases = v.columnAliases.trim() ? ` (${v.columnAliases})` : '';
      stmts.push(`CREATE VIEW ${db}.${quoteIdent(schema.name)}.${quoteIdent(v.name)}${aliases} AS ${body}`);
    }
    for (const sql of stmts) {
      try {
        await this.conn.run(sql);
      } catch (e) {
        // A lake view that does not bind (DuckLake allows dangling views) must not block the rest.
        if (!/^CREATE VIEW .*\.(?!"__lakegres")/.test(sql) || sql.includes(`${INTERNAL_SCHEMA}.`)) throw fromDuckDBError(e, sql);
      }
    }
    this.overlayActive = true;
    this.catalog = { tx, db: this.dbName, objects: this.catalog?.db === this.dbName && this.catalog.objects, dirty: true };
  }

  /** The emulated PostgreSQL catalog of the overlay: created and filled when a statement needs it. */
  private catalog?: { tx: LakeTx; db: string; objects: boolean; dirty: boolean };

  /**
   * Makes `"<overlay>".__lakegres_pg` show the transaction's state (its own tables and columns
   * included). Runs in the session's transaction, before a statement that reads the catalog.
   */
  async ensureCatalog(): Promise<void> {
    const c = this.catalog;
    if (!this.overlayActive || !c) return;
    try {
      if (!c.objects) {
        await createCatalogEmulation(this.conn, { dbName: this.dbName, lakeName: this.lakeDbName }, { inTransaction: true });
        c.objects = true;
      }
      if (c.dirty) {
        for (const sql of overlayCatalogStatements(this.sqlName, this.dbName, this.lakeDbName, c.tx)) await this.conn.run(sql);
        c.dirty = false;
      }
    } catch (e) {
      throw fromDuckDBError(e);
    }
  }

  /** The hidden view of one table: base rows minus deletions, plus the transaction's own rows. */
  private async tableSql(lake: Lake, tx: LakeTx, t: TableEntry, base: TableEntry | undefined, lakeDb: string, localPaths: (uri: string) => Promise<string>): Promise<string> {
    const cols = t.columns;
    const out = (exprs: string[]) => exprs.join(', ');
    const branches: string[] = [];
    const hasDeletes = this.deleteTables.has(t.id);
    if (base) {
      const baseById = new Map(base.columns.map((c) => [c.id, c]));
      const mapped = cols.map((c) => {
        const b = baseById.get(c.id);
        if (!b) return `${initialDefault(c)} AS ${quoteIdent(c.name)}`;
        return `CAST(b.${quoteIdent(b.name)} AS ${duckType(c)}) AS ${quoteIdent(c.name)}`;
      });
      let from = `${lakeDb}.${INTERNAL_SCHEMA}.${quoteIdent(`t${t.id}`)} AS b`;
      if (hasDeletes) {
        from += ` ANTI JOIN ${this.deletesTable(t.id)} AS d ON b.filename = d.file AND b.file_row_number = d.pos`;
        from += ` ANTI JOIN ${this.endedTable(t.id)} AS e ON b.filename = e.file`;
        from += ` ANTI JOIN ${this.deletedRowsTable(t.id)} AS r ON b.filename IS NULL AND b.rowid = r.row_id`;
      }
      branches.push(`SELECT ${out(mapped)}, b.rowid, b.snapshot_id, b.filename, b.file_row_number FROM ${from}`);
    }
    const appends = tx.appends.get(t.id);
    const files = appends?.files ?? [];
    if (files.length) {
      const paths = await Promise.all(files.map((f) => localPaths(f.uri)));
      const textDefault = (c: LakeColumn) => (c.initialDefault === null ? 'NULL::VARCHAR' : quoteLiteral(c.initialDefault));
      const schema = cols.map((c) => `${c.id}: {name: '__c${c.id}', type: ${quoteLiteral(duckType(c))}, default_value: ${textDefault(c)}}`);
      schema.push(`${ROW_ID_FIELD}: {name: '__rid', type: 'BIGINT', default_value: NULL::VARCHAR}`);
      let from = `read_parquet([${paths.map(quoteLiteral).join(', ')}], schema = MAP {${schema.join(', ')}}, file_row_number = true, filename = true) AS f`;
      if (hasDeletes) from += ` ANTI JOIN ${this.deletesTable(t.id)} AS d ON f.filename = d.file AND f.file_row_number = d.pos`;
      branches.push(`SELECT ${out(cols.map((c) => `f."__c${c.id}" AS ${quoteIdent(c.name)}`))}, f.__rid AS rowid, NULL::BIGINT AS snapshot_id, f.filename, f.file_row_number FROM ${from}`);
    }
    const inlined = appends?.inlined ?? [];
    const rows: string[] = [];
    let k = 0;
    for (const batch of inlined) {
      for (const [i, row] of batch.rows.entries()) {
        const values = row.map((v, j) => (v === null ? `NULL::${duckType(cols[j]!)}` : `CAST(${quoteLiteral(v)} AS ${duckType(cols[j]!)})`));
        rows.push(`(${values.join(', ')}, ${batch.rowIds?.[i] ?? 'NULL::BIGINT'}, ${k++})`);
      }
    }
    if (rows.length) {
      const names = [...cols.map((c) => `"__c${c.id}"`), '__rid', '__seq'];
      branches.push(
        `SELECT ${out(cols.map((c) => `v."__c${c.id}" AS ${quoteIdent(c.name)}`))}, v.__rid AS rowid, NULL::BIGINT AS snapshot_id, ${quoteLiteral(TX_INLINED_FILE)} AS filename, v.__seq AS file_row_number FROM (VALUES ${rows.join(', ')}) AS v(${names.join(', ')})`,
      );
    }
    if (branches.length === 0) {
      branches.push(`SELECT ${out(cols.map((c) => `NULL::${duckType(c)} AS ${quoteIdent(c.name)}`))}, NULL::BIGINT AS rowid, NULL::BIGINT AS snapshot_id, NULL::VARCHAR AS filename, NULL::BIGINT AS file_row_number WHERE false`);
    }
    return branches.join('\nUNION ALL BY NAME\n');
  }

  /** After COMMIT: the workspace's objects were committed with the DuckDB transaction; remove them. */
  async clear(): Promise<void> {
    this.overlayActive = false;
    this.catalog = undefined;
    this.deleteTables.clear();
    if (!this.attached) return;
    this.attached = false;
    await this.conn.run(`DETACH DATABASE IF EXISTS ${this.sqlName}`).catch(() => undefined);
  }

  /** After ROLLBACK: DuckDB undid everything created in the transaction (an ATTACH in it too). */
  forget(): void {
    this.overlayActive = false;
    this.catalog = undefined;
    this.deleteTables.clear();
  }
}

function initialDefault(col: LakeColumn): string {
  if (col.initialDefault === null) return `NULL::${duckType(col)}`;
  return `CAST(${quoteLiteral(col.initialDefault)} AS ${duckType(col)})`;
}
