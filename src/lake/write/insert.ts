/**
 * Appends to lake tables: INSERT (any form DuckDB accepts: VALUES, SELECT, DEFAULT VALUES,
 * column lists, BY NAME, RETURNING), CREATE TABLE AS, COPY FROM. The user's statement runs
 * against a session-private staging table with the lake table's columns, defaults and NOT NULL
 * constraints; the staged rows then become Parquet files or inlined catalog rows (§13.1, §13.2).
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { StatementSlice } from '../../sql/lexer.js';
import type { LakeSession, PreparedLakeWrite } from '../lake-session.js';
import type { SchemaState, TableEntry } from '../catalog/model.js';
import type { LakeStatement, ObjectName } from '../sql/lake-statements.js';
import { duckType, quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';
import { writeParquet } from './parquet.js';
import { lakeTableOptions } from './options.js';
import type { InlinedInsert, LakeTx } from './tx.js';
import { columnsFromTempTable } from './ddl.js';
import { isInlinable } from './inline-encoding.js';
import { isTemporalStatType, storableBounds } from './stats.js';

/** Staging tables with at most this many rows may outlive their statement until the next write. */
const SMALL_STAGING_ROWS = 1000;

interface WriteCtx {
  inBlock: boolean;
  defaultSchema: string;
}

/** Column definitions of a staging table that behaves like the lake table on INSERT. */
export function stagingColumnDefs(columns: LakeColumn[]): string {
  return columns
    .map((c) => {
      let def = `${quoteIdent(c.name)} ${duckType(c)}`;
      if (c.defaultValue !== null) def += c.defaultType === 'expression' ? ` DEFAULT ${c.defaultValue}` : ` DEFAULT CAST(${quoteLiteral(c.defaultValue)} AS ${duckType(c)})`;
      if (!c.nullable) def += ' NOT NULL';
      return def;
    })
    .join(', ');
}

export class InsertWriter {
  constructor(private readonly s: LakeSession) {}

  private async stage(table: TableEntry): Promise<string> {
    const name = this.s.stagingName('ins');
    await this.s.run(this.s.withStaleDrops(`CREATE TEMP TABLE ${quoteIdent(name)} (${stagingColumnDefs(table.columns)})`));
    return name;
  }

  async prepareInsert(target: ObjectName, slice: StatementSlice, ctx: WriteCtx): Promise<PreparedLakeWrite> {
    if (await this.s.isTempTable(target)) return passthrough(slice.text);
    const table = this.s.requireTable(target, ctx.defaultSchema);
    const staging = await this.stage(table);
    const sql = slice.text.slice(0, target.start) + `temp.main.${quoteIdent(staging)}` + slice.text.slice(target.end);
    return {
      sql,
      // The staged INSERT's row count is the staging table's: no need to count again.
      finish: async (rowCount) => {
        try {
          await this.appendFromStaging(table, `temp.main.${quoteIdent(staging)}`, ctx, undefined, rowCount);
        } finally {
          // A small staging table goes with the next write's statement; a large one now (memory).
          if (rowCount <= SMALL_STAGING_ROWS) this.s.dropStagingLater(staging);
          else await this.s.dropStaging(staging);
        }
        return {};
      },
      abort: () => this.s.dropStaging(staging),
      rename: { from: staging, to: table.name },
    };
  }

  async prepareCopyFromFile(target: ObjectName, slice: StatementSlice, ctx: WriteCtx): Promise<PreparedLakeWrite> {
    return this.prepareInsert(target, slice, ctx);
  }

  async prepareCtas(stmt: Extract<LakeStatement, { kind: 'createTable' }>, slice: StatementSlice, ctx: WriteCtx): Promise<PreparedLakeWrite> {
    const s = this.s;
    const schema = s.schemaFor(stmt.target, ctx.defaultSchema);
    const existing = s.findTable(stmt.target, ctx.defaultSchema) ?? s.findView(stmt.target, ctx.defaultSchema);
    if (existing && !stmt.orReplace) {
      if (stmt.ifNotExists) return { sql: null, finish: async () => ({ tag: 'CREATE TABLE AS' }), abort: async () => undefined };
      throw new PgError(SqlState.duplicateTable, `relation "${stmt.target.name}" already exists`);
    }
    const staging = s.stagingName('ctas');
    const sql = `CREATE TEMP TABLE ${quoteIdent(staging)} AS ${stmt.asQuery}`;
    return {
      sql,
      finish: async () => {
        try {
          const columns = await columnsFromTempTable(s, staging, 'create');
          const tx = await s.writeTx(ctx.inBlock);
          const old = tx.state.tables.get(existing?.id ?? 0);
          if (old && existing && stmt.orReplace) tx.dropTable(old);
          const table = tx.createTable(schema.id, stmt.target.name, columns);
          await this.appendFromStaging(table, `temp.main.${quoteIdent(staging)}`, ctx, tx);
          if (!ctx.inBlock) await s.finishWrite(tx, false);
        } finally {
          await s.dropStaging(staging);
        }
        return {};
      },
      abort: () => s.dropStaging(staging),
    };
  }

  /**
   * Appends the rows of `source` (a relation with the table's columns) to the table. Commits in
   * autocommit mode unless a transaction is passed in (the caller commits then).
   */
  async appendFromStaging(table: TableEntry, source: string, ctx: WriteCtx, txIn?: LakeTx, knownCount?: number): Promise<number> {
    const s = this.s;
    if (knownCount === 0) return 0;
    const tx = txIn ?? (await s.writeTx(ctx.inBlock));
    const count = await this.appendRows(table, source, tx, false, knownCount);
    if (count === 0) return 0;
    if (!txIn) await s.finishWrite(tx, ctx.inBlock);
    return count;
  }

  /**
   * Records the rows of `source` as inlined rows or new Parquet files of the transaction. With
   * `explicitRowIds` the source has a `_ducklake_internal_row_id` column (UPDATE keeps row ids).
   */
  async appendRows(table: TableEntry, source: string, tx: LakeTx, explicitRowIds = false, knownCount?: number): Promise<number> {
    const s = this.s;
    const lake = s.runtime.lake;
    const count = knownCount ?? Number((await s.rows(`SELECT count(*) FROM ${source}`))[0]![0]);
    if (count === 0) return 0;
    if (lake.metadata.encrypted) throw new PgError(SqlState.featureNotSupported, `lake "${lake.name}" is encrypted; lakegres does not write encrypted lakes yet`);
    const opts = await lakeTableOptions(lake, table, tx.options);
    // The limit is per statement, as the extension applies it: a transaction may inline any
    // number of small statements' rows.
    const inline = opts.inliningRowLimit > 0 && count <= opts.inliningRowLimit && table.columns.every((c) => isInlinable(c, lake.store.kind));
    if (inline) {
      tx.appendInlined(table.id, await inlinedRows(s, table, source, explicitRowIds));
    } else {
      const files = await writeParquet(s.conn, lake, tx.state as SchemaState, table, source, opts, { explicitRowIds });
      tx.appendFiles(table.id, files);
      await s.pinOwnFiles(files.map((f) => f.uri));
    }
    return count;
  }
}

function passthrough(sql: string): PreparedLakeWrite {
  return { sql, finish: async () => ({}), abort: async () => undefined };
}

/** Rows as DuckDB text plus per-column stats computed by DuckDB (inlined inserts, §13.2). */
async function inlinedRows(s: LakeSession, table: TableEntry, source: string, withRowIds: boolean): Promise<InlinedInsert> {
  const cols = table.columns;
  const textCols = cols.map((c) => `CAST(${quoteIdent(c.name)} AS VARCHAR)`).join(', ');
  const raw = await s.rows(`SELECT ${textCols}${withRowIds ? ', _ducklake_internal_row_id' : ''} FROM ${source}`);
  const rows = raw.map((r) => r.slice(0, cols.length).map((v) => (v === null ? null : String(v))));
  const rowIds = withRowIds ? raw.map((r) => (r[cols.length] === null ? null : Number(r[cols.length]))) : undefined;
  const leaves = statLeaves(cols, source);
  const stats: InlinedInsert['stats'] = [];
  const push = (col: LakeColumn, st: unknown[]) => {
    const total = Number(st[0]);
    const nulls = Number(st[1]);
    const [min, max] = storableBounds((st[2] as string | null) ?? null, (st[3] as string | null) ?? null);
    stats.push({ columnId: col.id, nullCount: nulls, min, max, hasValues: nulls < total, containsNan: null });
  };
  const agg = (col: LakeColumn, v: string) =>
    valueCompared(col.type) ? `count(*), count(*) - count(${v}), CAST(min(${v}) AS VARCHAR), CAST(max(${v}) AS VARCHAR)` : `count(*), count(*) - count(${v}), min(CAST(${v} AS VARCHAR)), max(CAST(${v} AS VARCHAR))`;
  // Top-level columns in one aggregate query (of a single row, the bounds are its values: the
  // text of a value is what CAST(min(v) AS VARCHAR) and min(CAST(v AS VARCHAR)) give alike);
  // nested leaves (lists and maps have their own cardinality) one query each.
  const flat = cols.filter((c) => c.children.length === 0);
  if (flat.length && rows.length === 1) {
    for (const c of flat) {
      const v = rows[0]![cols.indexOf(c)]!;
      push(c, [1, v === null ? 1 : 0, v, v]);
    }
  } else if (flat.length) {
    const st = (await s.rows(`SELECT ${flat.map((c) => agg(c, quoteIdent(c.name))).join(', ')} FROM ${source}`))[0]!;
    flat.forEach((c, i) => push(c, st.slice(i * 4, i * 4 + 4)));
  }
  for (const leaf of leaves) {
    if (flat.includes(leaf.col)) continue;
    push(leaf.col, (await s.rows(`SELECT ${agg(leaf.col, 'v')} FROM (${leaf.relation}) leaf`))[0]!);
  }
  // In the order of the table's leaves (the catalog rows are written in that order).
  const order = new Map(leaves.map((l, i) => [l.col.id, i]));
  stats.sort((a, b) => order.get(a.columnId)! - order.get(b.columnId)!);
  return rowIds ? { rows, stats, rowIds } : { rows, stats };
}

/**
 * Every scalar leaf of the table with a relation `SELECT ... AS v` over its values: struct fields
 * inherit the parent's NULLs, list elements and map keys/values are unnested (an empty or NULL
 * list contributes nothing), as the extension's vector-based statistics see them.
 */
function statLeaves(cols: LakeColumn[], source: string): { col: LakeColumn; relation: string }[] {
  const out: { col: LakeColumn; relation: string }[] = [];
  const walk = (c: LakeColumn, relation: string) => {
    if (c.type === 'struct') {
      for (const f of c.children) walk(f, `SELECT struct_extract(v, ${quoteLiteral(f.name)}) AS v FROM (${relation}) p`);
    } else if (c.type === 'list') {
      walk(c.children[0]!, `SELECT unnest(v) AS v FROM (${relation}) p`);
    } else if (c.type === 'map') {
      walk(c.children[0]!, `SELECT unnest(map_keys(v)) AS v FROM (${relation}) p`);
      walk(c.children[1]!, `SELECT unnest(map_values(v)) AS v FROM (${relation}) p`);
    } else {
      out.push({ col: c, relation });
    }
  };
  for (const c of cols) walk(c, `SELECT ${quoteIdent(c.name)} AS v FROM ${source}`);
  return out;
}

/** Types whose statistics order by value rather than by their text (the extension's rule). */
function valueCompared(t: string): boolean {
  return /^u?int\d+$/.test(t) || t === 'float32' || t === 'float64' || t.startsWith('decimal(') || t === 'boolean' || isTemporalStatType(t);
}
