/**
 * DELETE, UPDATE, TRUNCATE and MERGE on lake tables. Each statement first becomes a SELECT over
 * the table's hidden view (with rowid, filename and file_row_number) materialised into a staging
 * table: which rows it touches and, for UPDATE and MERGE, their new values. Deletions are then
 * recorded as the extension records them (deletes.ts) and new row versions appended, keeping
 * row ids of updated rows (§13.4, §13.5).
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { StatementSlice } from '../../sql/lexer.js';
import type { LakeSession, PreparedLakeWrite } from '../lake-session.js';
import type { TableEntry } from '../catalog/model.js';
import type { ObjectName } from '../sql/lake-statements.js';
import { parseDelete, parseMerge, parseUpdate, type Assignment } from '../sql/dml.js';
import { duckType, quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';
import { FILE, POS, RID, committedFiles, recordDeletes } from './deletes.js';
import { tableOptions } from './options.js';
import type { LakeTx } from './tx.js';

interface WriteCtx {
  inBlock: boolean;
  defaultSchema: string;
}

/** The expression a column takes for DEFAULT (or a missing INSERT value). */
export function defaultExpr(c: LakeColumn): string {
  if (c.defaultValue === null) return `NULL::${duckType(c)}`;
  if (c.defaultType === 'expression') return `CAST((${c.defaultValue}) AS ${duckType(c)})`;
  return `CAST(${quoteLiteral(c.defaultValue)} AS ${duckType(c)})`;
}

export class RowChangeWriter {
  constructor(private readonly s: LakeSession) {}

  private columnByName(table: TableEntry, name: string): LakeColumn {
    const c = table.columns.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!c) throw new PgError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`);
    return c;
  }

  /** New value of every column: assigned expressions cast to the column type, else the old value. */
  private newValues(table: TableEntry, alias: string, sets: Assignment[]): string[] {
    const assigned = new Map<number, Assignment>();
    for (const a of sets) {
      const c = this.columnByName(table, a.column);
      if (assigned.has(c.id)) throw new PgError(SqlState.syntaxError, `multiple assignments to same column "${c.name}"`);
      assigned.set(c.id, a);
    }
    return table.columns.map((c) => {
      const a = assigned.get(c.id);
      if (!a) return `${quoteIdent(alias)}.${quoteIdent(c.name)}`;
      return a.expr === null ? defaultExpr(c) : `CAST((${a.expr}) AS ${duckType(c)})`;
    });
  }

  private async checkNotNull(table: TableEntry, staging: string, where = ''): Promise<void> {
    for (const c of table.columns) {
      if (c.nullable) continue;
      const r = await this.s.rows(`SELECT 1 FROM ${staging} WHERE ${quoteIdent(c.name)} IS NULL${where ? ` AND (${where})` : ''} LIMIT 1`);
      if (r.length) throw new PgError(SqlState.notNullViolation, `null value in column "${c.name}" of relation "${table.name}" violates not-null constraint`, { table: table.name, column: c.name });
    }
  }

  private async target(n: ObjectName, ctx: WriteCtx): Promise<TableEntry | null> {
    if (await this.s.isTempTable(n)) return null;
    return this.s.requireTable(n, ctx.defaultSchema);
  }

  /** The statement runs on DuckDB as it is (a temporary table). */
  private passthrough(slice: StatementSlice): PreparedLakeWrite {
    return { sql: slice.text, finish: async () => ({}), abort: async () => undefined };
  }

  private staged(staging: string, sql: string, run: (tx: LakeTx) => Promise<{ tag: string }>, ctx: WriteCtx, returning?: { sql: string; describe: string }): PreparedLakeWrite {
    const s = this.s;
    return {
      sql,
      returning,
      finish: async () => {
        let committed = false;
        try {
          const tx = await s.writeTx(ctx.inBlock);
          const r = await run(tx);
          await s.finishWrite(tx, ctx.inBlock);
          committed = true;
          return r;
        } finally {
          if (!returning || !committed) await s.dropStaging(staging);
        }
      },
      cleanup: () => s.dropStaging(staging),
      abort: () => s.dropStaging(staging),
    };
  }

  async prepareDelete(slice: StatementSlice, ctx: WriteCtx): Promise<PreparedLakeWrite> {
    const p = parseDelete(slice);
    const table = await this.target(p.target, ctx);
    if (!table) return this.passthrough(slice);
    const alias = p.alias ?? table.name;
    const staging = this.s.stagingName('del');
    const q = `temp.main.${quoteIdent(staging)}`;
    const userCols = p.returning ? table.columns.map((c) => `${quoteIdent(alias)}.${quoteIdent(c.name)}`).join(', ') + ', ' : '';
    const select = `SELECT ${userCols}${ids(alias)} FROM ${this.s.dmlView(table)} AS ${quoteIdent(alias)}${p.using ? `, ${p.using}` : ''}${p.where ? ` WHERE ${p.where}` : ''}`;
    const returning = p.returning ? this.returning(table, alias, q, p.returning, select) : undefined;
    return this.staged(
      staging,
      `CREATE TEMP TABLE ${quoteIdent(staging)} AS ${select}`,
      async (tx) => ({ tag: `DELETE ${await this.deleteRows(tx, table, q, 'allow')}` }),
      ctx,
      returning,
    );
  }

  async prepareTruncate(targets: ObjectName[], ctx: WriteCtx): Promise<PreparedLakeWrite> {
    const tables: TableEntry[] = [];
    for (const n of targets) {
      const t = await this.target(n, ctx);
      if (!t) throw new PgError(SqlState.featureNotSupported, 'TRUNCATE of temporary tables together with lake tables is not supported');
      tables.push(t);
    }
    const s = this.s;
    return {
      sql: null,
      finish: async () => {
        const tx = await s.writeTx(ctx.inBlock);
        for (const table of tables) {
          const staging = s.stagingName('trunc');
          const q = `temp.main.${quoteIdent(staging)}`;
          try {
            await s.run(`CREATE TEMP TABLE ${quoteIdent(staging)} AS SELECT ${ids('t')} FROM ${s.dmlView(table)} AS t`);
            await this.deleteRows(tx, table, q, 'allow');
          } finally {
            await s.dropStaging(staging);
          }
        }
        await s.finishWrite(tx, ctx.inBlock);
        return { tag: 'TRUNCATE TABLE' };
      },
      abort: async () => undefined,
    };
  }

  async prepareUpdate(slice: StatementSlice, ctx: WriteCtx): Promise<PreparedLakeWrite> {
    const p = parseUpdate(slice);
    const table = await this.target(p.target, ctx);
    if (!table) return this.passthrough(slice);
    const alias = p.alias ?? table.name;
    const values = this.newValues(table, alias, p.sets);
    const staging = this.s.stagingName('upd');
    const q = `temp.main.${quoteIdent(staging)}`;
    const cols = values.map((v, i) => `${v} AS ${quoteIdent(table.columns[i]!.name)}`).join(', ');
    const select = `SELECT ${cols}, ${ids(alias)} FROM ${this.s.dmlView(table)} AS ${quoteIdent(alias)}${p.from ? `, ${p.from}` : ''}${p.where ? ` WHERE ${p.where}` : ''}`;
    const returning = p.returning ? this.returning(table, alias, q, p.returning, select) : undefined;
    return this.staged(
      staging,
      `CREATE TEMP TABLE ${quoteIdent(staging)} AS ${select}`,
      async (tx) => {
        await this.checkNotNull(table, q);
        const n = await this.deleteRows(tx, table, q, 'refuse');
        await this.insertVersions(tx, table, q, '');
        return { tag: `UPDATE ${n}` };
      },
      ctx,
      returning,
    );
  }

  async prepareMerge(slice: StatementSlice, ctx: WriteCtx): Promise<PreparedLakeWrite> {
    const p = parseMerge(slice);
    const table = await this.target(p.target, ctx);
    if (!table) return this.passthrough(slice);
    const alias = p.alias ?? table.name;
    const a = quoteIdent(alias);
    const matched = `${a}.__lakegres_matched`;
    // Which clause applies to each joined row (first whose kind and condition fit), 0 for none.
    const act = `CASE ${p.clauses.map((c, i) => `WHEN ${c.matched ? '' : 'NOT '}COALESCE(${matched}, false)${c.condition ? ` AND (${c.condition})` : ''} THEN ${i + 1}`).join(' ')} ELSE 0 END`;
    const columnValue = (c: LakeColumn): string => {
      const branches: string[] = [];
      for (const [i, clause] of p.clauses.entries()) {
        const action = clause.action;
        if (action.kind === 'update') {
          const set = action.sets.find((x) => this.columnByName(table, x.column).id === c.id);
          if (set) branches.push(`WHEN ${i + 1} THEN ${set.expr === null ? defaultExpr(c) : `CAST((${set.expr}) AS ${duckType(c)})`}`);
        } else if (action.kind === 'insert') {
          const names = action.columns ?? table.columns.map((x) => x.name);
          if (action.values && names.length !== action.values.length) throw new PgError(SqlState.syntaxError, `INSERT has ${action.values.length > names.length ? 'more expressions than target columns' : 'more target columns than expressions'}`);
          for (const n of names) this.columnByName(table, n);
          const k = names.findIndex((n) => n.toLowerCase() === c.name.toLowerCase());
          const v = k >= 0 && action.values ? action.values[k]! : null;
          branches.push(`WHEN ${i + 1} THEN ${v === null || /^DEFAULT$/i.test(v.trim()) ? defaultExpr(c) : `CAST((${v}) AS ${duckType(c)})`}`);
        }
      }
      const old = `${a}.${quoteIdent(c.name)}`;
      return branches.length ? `CASE (${act}) ${branches.join(' ')} ELSE ${old} END` : old;
    };
    const staging = this.s.stagingName('merge');
    const q = `temp.main.${quoteIdent(staging)}`;
    // One SELECT over the join, so that source and target columns of the same name stay apart.
    const from = `${p.source} LEFT JOIN (SELECT *, true AS __lakegres_matched FROM ${this.s.dmlView(table)}) AS ${a} ON ${p.on}`;
    const select = `SELECT ${table.columns.map((c) => `${columnValue(c)} AS ${quoteIdent(c.name)}`).join(', ')}, ${ids(alias)}, ${act} AS __lakegres_act FROM ${from}`;
    const sql = `CREATE TEMP TABLE ${quoteIdent(staging)} AS ${select}`;
    const kinds = p.clauses.map((c) => c.action.kind);
    const ofKind = (...k: string[]) => kinds.map((x, i) => (k.includes(x) ? i + 1 : -1)).filter((i) => i > 0);
    const changed = ofKind('update', 'delete', 'insert');
    return this.staged(
      staging,
      sql,
      async (tx) => {
        const n = changed.length ? Number((await this.s.rows(`SELECT count(*) FROM ${q} WHERE __lakegres_act IN (${changed.join(', ')})`))[0]![0]) : 0;
        const upd = ofKind('update');
        const del = ofKind('update', 'delete');
        const ins = ofKind('insert');
        const touched = [...upd, ...ins];
        if (touched.length) await this.checkNotNull(table, q, `__lakegres_act IN (${touched.join(', ')})`);
        if (del.length) {
          const view = `(SELECT * FROM ${q} WHERE __lakegres_act IN (${del.join(', ')}))`;
          await this.deleteRows(tx, table, view, 'refuse', 'MERGE command cannot affect row a second time');
        }
        if (upd.length) await this.insertVersions(tx, table, q, `__lakegres_act IN (${upd.join(', ')})`);
        if (ins.length) await this.s.inserts.appendRows(table, `(SELECT ${colList(table)} FROM ${q} WHERE __lakegres_act IN (${ins.join(', ')}))`, tx);
        return { tag: `MERGE ${n}` };
      },
      ctx,
    );
  }

  /** RETURNING rows come from the staging table (new values for UPDATE, old ones for DELETE). */
  private returning(table: TableEntry, alias: string, staging: string, list: string, select: string): { sql: string; describe: string } {
    const cols = colList(table);
    const a = quoteIdent(alias);
    return {
      sql: `SELECT ${list} FROM (SELECT ${cols} FROM ${staging}) AS ${a}`,
      describe: `SELECT ${list} FROM (SELECT ${cols} FROM (${select})) AS ${a}`,
    };
  }

  private async deleteRows(tx: LakeTx, table: TableEntry, staging: string, duplicates: 'allow' | 'refuse', duplicateMessage?: string): Promise<number> {
    const s = this.s;
    const lake = s.runtime.lake;
    const files = await committedFiles(lake, tx.state, table, tx.base.id);
    const opts = await tableOptions(lake.store, lake.store.schemaSql, table, lake.metadata.encrypted, tx.options);
    const own = new Map<string, string>();
    for (const f of tx.appends.get(table.id)?.files ?? []) own.set(await lake.objects.localPath(f.uri), f.uri);
    try {
      return await recordDeletes(s.conn, lake, tx, s.workspace, table, staging, files, { duplicates, inliningLimit: opts.inliningRowLimit, ownFiles: own });
    } catch (e) {
      if (duplicateMessage && e instanceof PgError && e.code === SqlState.cardinalityViolation) throw new PgError(SqlState.cardinalityViolation, duplicateMessage, { hint: e.hint });
      throw e;
    }
  }

  /** New versions of updated rows: committed rows keep their row id, the transaction's own rows get new ones. */
  private async insertVersions(tx: LakeTx, table: TableEntry, staging: string, where: string): Promise<void> {
    const cond = where ? `(${where}) AND ` : '';
    const cols = colList(table);
    await this.s.inserts.appendRows(table, `(SELECT ${cols}, ${RID} AS _ducklake_internal_row_id FROM ${staging} WHERE ${cond}${RID} IS NOT NULL)`, tx, true);
    await this.s.inserts.appendRows(table, `(SELECT ${cols} FROM ${staging} WHERE ${cond}${RID} IS NULL)`, tx);
  }
}

const ids = (alias: string) => {
  const a = quoteIdent(alias);
  return `${a}.rowid AS ${RID}, ${a}.filename AS ${FILE}, ${a}.file_row_number AS ${POS}`;
};

const colList = (table: TableEntry) => table.columns.map((c) => quoteIdent(c.name)).join(', ');
