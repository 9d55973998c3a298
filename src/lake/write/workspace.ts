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
  /** A rollback happened since the last check: the attached database may be gone. */
  private mayBeDetached = false;
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
    if (this.attached && !this.mayBeDetached) return;
    if (this.attached) {
      // A rollback since: it undid the ATTACH if that happened in the rolled-back transaction.
      const r = await readAll(this.conn, `SELECT 1 FROM duckdb_databases() WHERE database_name = ${quoteLiteral(this.dbName)}`);
      this.mayBeDetached = false;
      if (r.getRows().length > 0) return;
    }
    // Attached inside the session's transaction when one is open: a rollback detaches it again.
    this.views.clear();
    this.schemas.clear();
    this.inlinedMirrors.clear();
    this.mayBeDetached = false;
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

  /** Views of the overlay as last created, by their full name (only changed ones are created again). */
  private views = new Map<string, string>();
  private schemas = new Set<string>();
  /** Per table: the layout of its `ins_<id>` table and how many of the transaction's inlined rows it holds. */
  private inlinedMirrors = new Map<number, { layout: string; rows: number; revision: number }>();

  /**
   * Brings the overlay to the transaction's current state: schemas of the transaction state, one
   * hidden and one user view per table, the lake's views. Views whose text did not change stay;
   * rows the transaction inlined are appended to a table per lake table, so that a view does not
   * change when more are added. Everything goes to DuckDB as one script.
   */
  async buildOverlay(lake: Lake, tx: LakeTx, base: SchemaState, localPaths: (uri: string) => Promise<string>): Promise<void> {
    await this.ensureAttached();
    const db = this.sqlName;
    const lakeDb = quoteIdent(this.lakeDbName);
    const state = tx.state;
    const stmts: string[] = [];
    const wanted = new Map<string, string>();
    const lakeViews: [string, string][] = [];
    const schemaNames = new Set([...state.schemas.values()].map((s) => s.name));
    for (const t of state.tables.values()) {
      const schema = state.schemas.get(t.schemaId);
      if (!schema) continue;
      const hidden = `${db}.${INTERNAL_SCHEMA}.${quoteIdent(`t${t.id}`)}`;
      stmts.push(...this.mirrorInlined(tx, t));
      wanted.set(hidden, `AS ${await this.tableSql(tx, t, base.tables.get(t.id), lakeDb, localPaths)}`);
      wanted.set(`${db}.${quoteIdent(schema.name)}.${quoteIdent(t.name)}`, `AS SELECT ${t.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${hidden}`);
    }
    for (const v of state.views.values()) {
      const schema = state.schemas.get(v.schemaId);
      if (!schema) continue;
      const body = v.sql.replace(/\{DUCKLAKE_CATALOG\}/g, db);
      const aliases = v.columnAliases.trim() ? ` (${v.columnAliases})` : '';
      lakeViews.push([`${db}.${quoteIdent(schema.name)}.${quoteIdent(v.name)}`, `${aliases} AS ${body}`]);
    }
    // Views that go away or change first (a renamed table's old view may hold the name another
    // object takes), then schemas, then the new and changed views.
    const drops: string[] = [];
    const creates: string[] = [];
    const lakeViewNames = new Set(lakeViews.map(([n]) => n));
    for (const [name, sql] of this.views) {
      if (wanted.get(name) !== sql && !lakeViewNames.has(name)) {
        drops.push(`DROP VIEW IF EXISTS ${name}`);
        this.views.delete(name);
      }
    }
    for (const name of lakeViewNames) if (this.views.has(name)) drops.push(`DROP VIEW IF EXISTS ${name}`);
    for (const name of this.schemas) {
      if (!schemaNames.has(name)) {
        drops.push(`DROP SCHEMA IF EXISTS ${db}.${quoteIdent(name)} CASCADE`);
        this.schemas.delete(name);
      }
    }
    for (const name of schemaNames) {
      if (!this.schemas.has(name)) creates.push(`CREATE SCHEMA IF NOT EXISTS ${db}.${quoteIdent(name)}`);
    }
    for (const [name, sql] of wanted) if (this.views.get(name) !== sql) creates.push(`CREATE OR REPLACE VIEW ${name} ${sql}`);
    const script = [...drops, ...stmts, ...creates];
    if (script.length) {
      try {
        await this.conn.run(script.join(';\n'));
      } catch (e) {
        throw fromDuckDBError(e);
      }
    }
    for (const name of schemaNames) this.schemas.add(name);
    for (const [name, sql] of wanted) this.views.set(name, sql);
    // Lake views one by one: one that does not bind (DuckLake allows dangling views) must not
    // block the rest. They read the overlay's tables, so they are created again each time.
    for (const [name, sql] of lakeViews) {
      await this.conn.run(`CREATE OR REPLACE VIEW ${name}${sql}`).catch(() => undefined);
      this.views.set(name, sql);
    }
    this.overlayActive = true;
    this.catalog = { tx, db: this.dbName, objects: this.catalog?.db === this.dbName && this.catalog.objects, dirty: true };
  }

  /** The table holding the rows a transaction inlined into a lake table. */
  private inlinedTable(tableId: number): string {
    return `${this.sqlName}.${INTERNAL_SCHEMA}.${quoteIdent(`ins_${tableId}`)}`;
  }

  /** Statements that bring `ins_<id>` up to the transaction's inlined rows of the table. */
  private mirrorInlined(tx: LakeTx, t: TableEntry): string[] {
    const batches = tx.appends.get(t.id)?.inlined ?? [];
    const total = batches.reduce((n, b) => n + b.rows.length, 0);
    const known = this.inlinedMirrors.get(t.id);
    if (total === 0 && !known) return [];
    const layout = t.columns.map((c) => `"__c${c.id}" ${duckType(c)}`).join(', ');
    const revision = tx.inlinedRevisions.get(t.id) ?? 0;
    const out: string[] = [];
    let from = known?.rows ?? 0;
    if (!known || known.layout !== layout || known.revision !== revision || known.rows > total) {
      out.push(`CREATE OR REPLACE TABLE ${this.inlinedTable(t.id)} (${layout}, __rid BIGINT, __seq BIGINT)`);
      from = 0;
    }
    const rows: string[] = [];
    let k = 0;
    for (const batch of batches) {
      for (const [i, row] of batch.rows.entries()) {
        if (k >= from) rows.push(`(${row.map((v, j) => (v === null ? 'NULL' : `CAST(${quoteLiteral(v)} AS ${duckType(t.columns[j]!)})`)).join(', ')}, ${batch.rowIds?.[i] ?? 'NULL'}, ${k})`);
        k++;
      }
    }
    if (rows.length) out.push(`INSERT INTO ${this.inlinedTable(t.id)} VALUES ${rows.join(', ')}`);
    this.inlinedMirrors.set(t.id, { layout, rows: total, revision });
    return out;
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
  private async tableSql(tx: LakeTx, t: TableEntry, base: TableEntry | undefined, lakeDb: string, localPaths: (uri: string) => Promise<string>): Promise<string> {
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
      const rowsInFiles = files.reduce((n, f) => n + f.recordCount, 0);
      let from = `read_parquet([${paths.map(quoteLiteral).join(', ')}], schema = MAP {${schema.join(', ')}}, explicit_cardinality = ${rowsInFiles}, file_row_number = true, filename = true) AS f`;
      if (hasDeletes) from += ` ANTI JOIN ${this.deletesTable(t.id)} AS d ON f.filename = d.file AND f.file_row_number = d.pos`;
      branches.push(`SELECT ${out(cols.map((c) => `f."__c${c.id}" AS ${quoteIdent(c.name)}`))}, f.__rid AS rowid, NULL::BIGINT AS snapshot_id, f.filename, f.file_row_number FROM ${from}`);
    }
    if (this.inlinedMirrors.has(t.id)) {
      branches.push(
        `SELECT ${out(cols.map((c) => `v."__c${c.id}" AS ${quoteIdent(c.name)}`))}, v.__rid AS rowid, NULL::BIGINT AS snapshot_id, ${quoteLiteral(TX_INLINED_FILE)} AS filename, v.__seq AS file_row_number FROM ${this.inlinedTable(t.id)} AS v`,
      );
    }
    if (branches.length === 0) {
      branches.push(`SELECT ${out(cols.map((c) => `NULL::${duckType(c)} AS ${quoteIdent(c.name)}`))}, NULL::BIGINT AS rowid, NULL::BIGINT AS snapshot_id, NULL::VARCHAR AS filename, NULL::BIGINT AS file_row_number WHERE false`);
    }
    return branches.join('\nUNION ALL BY NAME\n');
  }

  /** After COMMIT: the workspace's objects were committed with the DuckDB transaction; remove them. */
  async clear(): Promise<void> {
    this.forget();
    if (!this.attached) return;
    this.attached = false;
    await this.conn.run(`DETACH DATABASE IF EXISTS ${this.sqlName}`).catch(() => undefined);
  }

  /** After ROLLBACK: DuckDB undid everything created in the transaction (an ATTACH in it too). */
  forget(): void {
    this.mayBeDetached = true;
    this.overlayActive = false;
    this.catalog = undefined;
    this.deleteTables.clear();
    this.views.clear();
    this.schemas.clear();
    this.inlinedMirrors.clear();
  }
}

function initialDefault(col: LakeColumn): string {
  if (col.initialDefault === null) return `NULL::${duckType(col)}`;
  return `CAST(${quoteLiteral(col.initialDefault)} AS ${duckType(col)})`;
}
