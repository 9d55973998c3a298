/**
 * Lake DDL: schemas, tables (column definitions bound by DuckDB itself on a temporary scratch
 * table, so every DuckDB type, default and constraint spelling is understood), ALTER TABLE,
 * views and comments — recorded in the session's lake transaction (§12).
 */
import { PgError, SqlState } from '../../errors/pg-error.js';
import type { StatementSlice, Token } from '../../sql/lexer.js';
import { tokenize } from '../../sql/lexer.js';
import type { LakeSession } from '../lake-session.js';
import { sqlString } from '../lake-session.js';
import type { TableEntry } from '../catalog/model.js';
import type { LakeStatement, ObjectName } from '../sql/lake-statements.js';
import { identText, parseName } from '../sql/lake-statements.js';
import { assignIds, duckType, isAllowedPromotion, parseDuckType, quoteIdent, quoteLiteral, type LakeColumn } from '../types.js';
import type { ColumnVersionChange, LakeTx } from './tx.js';
import { stagingColumnDefs } from './insert.js';

interface Ctx {
  inBlock: boolean;
  defaultSchema: string;
  notice?: (message: string) => void;
}

/** Reads a temporary table's definition back as lake columns (ids assigned from 1). */
export async function columnsFromTempTable(s: LakeSession, name: string, mode: 'create' | 'add'): Promise<LakeColumn[]> {
  const cols = await s.rows(`SELECT column_name, data_type, column_default, is_nullable FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = ${sqlString(name)} ORDER BY column_index`);
  const constraints = await s.rows(`SELECT constraint_type FROM duckdb_constraints() WHERE database_name = 'temp' AND table_name = ${sqlString(name)}`);
  for (const [type] of constraints) {
    switch (String(type)) {
      case 'NOT NULL':
        break;
      case 'CHECK':
        throw new PgError(SqlState.featureNotSupported, 'CHECK constraints are not supported in DuckLake');
      case 'PRIMARY KEY':
      case 'UNIQUE':
        throw new PgError(SqlState.featureNotSupported, 'PRIMARY KEY/UNIQUE constraints are not supported in DuckLake', { hint: 'DuckLake cannot enforce uniqueness; deduplicate with MERGE INTO or a query.' });
      case 'FOREIGN KEY':
        throw new PgError(SqlState.featureNotSupported, 'FOREIGN KEY constraints are not supported in DuckLake');
      default:
        throw new PgError(SqlState.featureNotSupported, 'Unsupported constraint in DuckLake');
    }
  }
  const out: LakeColumn[] = [];
  for (const [name, dataType, columnDefault, isNullable] of cols) {
    const col = parseDuckType(String(dataType), String(name));
    col.nullable = isNullable !== false;
    if (columnDefault !== null && columnDefault !== undefined) await applyDefault(s, col, String(columnDefault), mode);
    out.push(col);
  }
  assignIds(out, 1);
  return out;
}

/** Literal or expression default, encoded as the extension does (§12.2). */
async function applyDefault(s: LakeSession, col: LakeColumn, expr: string, mode: 'create' | 'add'): Promise<void> {
  if (col.children.length) throw new PgError(SqlState.featureNotSupported, `Default value for ${col.type.toUpperCase()} type not supported`);
  const parsed = JSON.parse(String((await s.rows(`SELECT json_serialize_sql(${quoteLiteral('SELECT ' + expr)})`))[0]![0])) as { error?: boolean; statements?: { node: { select_list: { class: string; value?: { is_null?: boolean } }[] } }[] };
  const node = parsed.statements?.[0]?.node.select_list[0];
  if (!node) throw new PgError(SqlState.syntaxError, `invalid default expression: ${expr}`);
  if (node.class === 'CONSTANT') {
    if (node.value?.is_null) return; // DEFAULT NULL = no default
    const [[text, initial]] = (await s.rows(`SELECT CAST((${expr}) AS VARCHAR), CAST(CAST((${expr}) AS ${duckType(col)}) AS VARCHAR)`)) as [unknown, unknown][];
    col.defaultValue = String(text);
    col.defaultType = 'literal';
    col.initialDefault = initial === null ? null : String(initial);
    return;
  }
  if (mode === 'add') {
    throw new PgError(SqlState.featureNotSupported, 'We cannot add a column with a non-literal default value. Add the column and then explicitly set the default for new values using "ALTER ... SET DEFAULT"');
  }
  col.defaultValue = expr;
  col.defaultType = 'expression';
  col.initialDefault = null;
}

function maxColumnId(cols: LakeColumn[]): number {
  let m = 0;
  for (const c of cols) m = Math.max(m, c.id, maxColumnId(c.children));
  return m;
}

function allIds(c: LakeColumn): number[] {
  return [c.id, ...c.children.flatMap(allIds)];
}

export class DdlWriter {
  constructor(private readonly s: LakeSession) {}

  /** Runs a DDL statement (not CTAS); returns the command tag. */
  async run(stmt: LakeStatement, ctx: Ctx): Promise<string> {
    const s = this.s;
    const tx = await s.writeTx(ctx.inBlock);
    let tag: string;
    try {
      tag = await this.apply(tx, stmt, ctx);
    } catch (e) {
      if (!ctx.inBlock) await tx.discardFiles();
      throw e;
    }
    await s.finishWrite(tx, ctx.inBlock);
    return tag;
  }

  private async apply(tx: LakeTx, stmt: LakeStatement, ctx: Ctx): Promise<string> {
    const s = this.s;
    const state = tx.state;
    switch (stmt.kind) {
      case 'createSchema': {
        if (s.schemaByName(stmt.name, state)) {
          if (stmt.ifNotExists) {
            ctx.notice?.(`schema "${stmt.name}" already exists, skipping`);
            return 'CREATE SCHEMA';
          }
          throw new PgError(SqlState.duplicateSchema, `schema "${stmt.name}" already exists`);
        }
        tx.createSchema(stmt.name);
        return 'CREATE SCHEMA';
      }
      case 'dropSchema': {
        for (const name of stmt.names) {
          const schema = s.schemaByName(name, state);
          if (!schema) {
            if (stmt.ifExists) {
              ctx.notice?.(`schema "${name}" does not exist, skipping`);
              continue;
            }
            throw new PgError(SqlState.undefinedSchema, `schema "${name}" does not exist`);
          }
          if (schema.name === 'main') throw new PgError(SqlState.dependentObjectsStillExist, 'cannot drop the default schema "public" (DuckLake "main")');
          const tables = [...state.tables.values()].filter((t) => t.schemaId === schema.id);
          const views = [...state.views.values()].filter((v) => v.schemaId === schema.id);
          if ((tables.length || views.length) && !stmt.cascade) {
            throw new PgError(SqlState.dependentObjectsStillExist, `cannot drop schema "${name}" because other objects depend on it`, {
              detail: [...tables.map((t) => `table ${name}.${t.name}`), ...views.map((v) => `view ${name}.${v.name}`)].join('\n'),
              hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
            });
          }
          for (const v of views) tx.dropView(v);
          for (const t of tables) tx.dropTable(t);
          tx.dropSchema(schema);
        }
        return 'DROP SCHEMA';
      }
      case 'createTable':
        throw new PgError(SqlState.internalError, 'CREATE TABLE goes through createTable()');
      case 'dropTable': {
        for (const target of stmt.targets) {
          const t = s.findTable(target, ctx.defaultSchema, state);
          if (!t) {
            if (s.findView(target, ctx.defaultSchema, state)) throw new PgError(SqlState.wrongObjectType, `"${target.name}" is not a table`, { hint: 'Use DROP VIEW to remove a view.' });
            if (stmt.ifExists) {
              ctx.notice?.(`table "${target.name}" does not exist, skipping`);
              continue;
            }
            throw new PgError(SqlState.undefinedTable, `table "${target.name}" does not exist`);
          }
          tx.dropTable(t);
        }
        return 'DROP TABLE';
      }
      case 'dropView': {
        for (const target of stmt.targets) {
          const v = s.findView(target, ctx.defaultSchema, state);
          if (!v) {
            if (s.findTable(target, ctx.defaultSchema, state)) throw new PgError(SqlState.wrongObjectType, `"${target.name}" is not a view`, { hint: 'Use DROP TABLE to remove a table.' });
            if (stmt.ifExists) {
              ctx.notice?.(`view "${target.name}" does not exist, skipping`);
              continue;
            }
            throw new PgError(SqlState.undefinedTable, `view "${target.name}" does not exist`);
          }
          tx.dropView(v);
        }
        return 'DROP VIEW';
      }
      case 'alterView': {
        const v = s.findView(stmt.target, ctx.defaultSchema, state);
        if (!v) {
          if (stmt.ifExists) return 'ALTER VIEW';
          throw new PgError(SqlState.undefinedTable, `view "${stmt.target.name}" does not exist`);
        }
        this.checkFreeName(tx, v.schemaId, stmt.newName);
        tx.renameView(v, stmt.newName);
        return 'ALTER VIEW';
      }
      case 'createView':
        return this.createView(tx, stmt, ctx);
      case 'comment': {
        if (stmt.objectKind === 'VIEW') {
          const v = s.findView(stmt.target, ctx.defaultSchema, state);
          if (!v) throw new PgError(SqlState.undefinedTable, `view "${stmt.target.name}" does not exist`);
          tx.setComment(v.id, stmt.value);
          return 'COMMENT';
        }
        const t = s.requireTable(stmt.target, ctx.defaultSchema, state);
        if (stmt.objectKind === 'TABLE') tx.setComment(t.id, stmt.value);
        else {
          const col = t.columns.find((c) => c.name.toLowerCase() === stmt.column!.toLowerCase());
          if (!col) throw new PgError(SqlState.undefinedColumn, `column "${stmt.column}" of relation "${t.name}" does not exist`);
          tx.setColumnComment(t, col.id, stmt.value);
        }
        return 'COMMENT';
      }
      case 'alterTable':
        return 'ALTER TABLE';
      default:
        throw new PgError(SqlState.internalError, `unexpected lake statement ${stmt.kind}`);
    }
  }

  private checkFreeName(tx: LakeTx, schemaId: number, name: string): void {
    const l = name.toLowerCase();
    for (const t of tx.state.tables.values()) if (t.schemaId === schemaId && t.name.toLowerCase() === l) throw new PgError(SqlState.duplicateTable, `relation "${name}" already exists`);
    for (const v of tx.state.views.values()) if (v.schemaId === schemaId && v.name.toLowerCase() === l) throw new PgError(SqlState.duplicateTable, `relation "${name}" already exists`);
  }

  /** CREATE TABLE with column definitions: DuckDB binds them on a scratch temp table. */
  async createTable(stmt: Extract<LakeStatement, { kind: 'createTable' }>, slice: StatementSlice, ctx: Ctx): Promise<string> {
    const s = this.s;
    const tx = await s.writeTx(ctx.inBlock);
    const schema = s.schemaFor(stmt.target, ctx.defaultSchema, tx.state);
    const existingTable = s.findTable(stmt.target, ctx.defaultSchema, tx.state);
    const existingView = s.findView(stmt.target, ctx.defaultSchema, tx.state);
    if (existingTable || existingView) {
      if (stmt.ifNotExists) {
        ctx.notice?.(`relation "${stmt.target.name}" already exists, skipping`);
        return 'CREATE TABLE';
      }
      if (!stmt.orReplace || existingView) throw new PgError(SqlState.duplicateTable, `relation "${stmt.target.name}" already exists`);
    }
    const scratch = s.stagingName('ddl');
    // The same column definitions, on a temporary scratch table.
    const text = `CREATE TEMP TABLE ${quoteIdent(scratch)} ${slice.text.slice(stmt.target.end)}`;
    let columns: LakeColumn[];
    try {
      await s.run(text);
      columns = await columnsFromTempTable(s, scratch, 'create');
    } finally {
      await s.dropStaging(scratch);
    }
    if (existingTable && stmt.orReplace) tx.dropTable(existingTable);
    tx.createTable(schema.id, stmt.target.name, columns);
    await s.finishWrite(tx, ctx.inBlock);
    return 'CREATE TABLE';
  }

  private async createView(tx: LakeTx, stmt: Extract<LakeStatement, { kind: 'createView' }>, ctx: Ctx): Promise<string> {
    const s = this.s;
    const schema = s.schemaFor(stmt.target, ctx.defaultSchema, tx.state);
    const existingView = s.findView(stmt.target, ctx.defaultSchema, tx.state);
    if (s.findTable(stmt.target, ctx.defaultSchema, tx.state)) throw new PgError(SqlState.duplicateTable, `relation "${stmt.target.name}" already exists`);
    if (existingView && !stmt.orReplace) {
      if (stmt.ifNotExists) return 'CREATE VIEW';
      throw new PgError(SqlState.duplicateTable, `relation "${stmt.target.name}" already exists`);
    }
    // DuckDB prints the query the way the extension stores it; binding it checks it is valid.
    const parsed = String((await s.rows(`SELECT json_serialize_sql(${quoteLiteral(stmt.query)})`))[0]![0]);
    if ((JSON.parse(parsed) as { error?: boolean; error_message?: string }).error) {
      throw new PgError(SqlState.syntaxError, `invalid view definition: ${(JSON.parse(parsed) as { error_message?: string }).error_message}`);
    }
    let sql = String((await s.rows(`SELECT json_deserialize_sql(${quoteLiteral(parsed)}::JSON)`))[0]![0]).replace(/;\s*$/, '');
    await s.rows(`SELECT * FROM (${sql}) LIMIT 0`);
    sql = catalogPlaceholder(sql, s.name);
    const aliases = stmt.aliases.map((a) => quoteIdent(a)).join(',');
    if (existingView) tx.dropView(existingView);
    tx.createView(schema.id, stmt.target.name, sql, aliases);
    return 'CREATE VIEW';
  }

  /** ALTER TABLE (one action), see §12.5. */
  async alterTable(stmt: Extract<LakeStatement, { kind: 'alterTable' }>, slice: StatementSlice, ctx: Ctx): Promise<string> {
    const s = this.s;
    const tx = await s.writeTx(ctx.inBlock);
    const t = s.findTable(stmt.target, ctx.defaultSchema, tx.state);
    if (!t) {
      if (stmt.ifExists) {
        ctx.notice?.(`relation "${stmt.target.name}" does not exist, skipping`);
        return 'ALTER TABLE';
      }
      if (s.findView(stmt.target, ctx.defaultSchema, tx.state)) throw new PgError(SqlState.wrongObjectType, `"${stmt.target.name}" is not a table`);
      throw new PgError(SqlState.undefinedTable, `relation "${stmt.target.name}" does not exist`);
    }
    await new AlterTable(s, tx, t, slice, stmt.actionStart, ctx).run();
    await s.finishWrite(tx, ctx.inBlock);
    return 'ALTER TABLE';
  }
}

/** Replaces `<lake>.` catalog qualifiers outside literals with {DUCKLAKE_CATALOG}. (§22.1) */
export function catalogPlaceholder(sql: string, lake: string): string {
  const tokens = tokenize(sql);
  let out = '';
  let last = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const isLake = (t.kind === 'word' && t.value === lake.toUpperCase()) || (t.kind === 'qident' && t.value === lake);
    if (isLake && tokens[i + 1]?.value === '.') {
      out += sql.slice(last, t.start) + '{DUCKLAKE_CATALOG}';
      last = t.end;
    }
  }
  return out + sql.slice(last);
}

/** One ALTER TABLE action parsed from tokens. */
class AlterTable {
  private readonly tokens: Token[];
  private i: number;
  private readonly sql: string;

  constructor(
    private readonly s: LakeSession,
    private readonly tx: LakeTx,
    private readonly table: TableEntry,
    slice: StatementSlice,
    start: number,
    private readonly ctx: Ctx,
  ) {
    this.tokens = slice.tokens;
    this.i = start;
    this.sql = slice.text;
  }

  private w(k = 0): string {
    const t = this.tokens[this.i + k];
    return t?.kind === 'word' ? t.value : '';
  }

  private accept(...words: string[]): boolean {
    if (words.every((word, k) => this.w(k) === word)) {
      this.i += words.length;
      return true;
    }
    return false;
  }

  private rest(): string {
    const t = this.tokens[this.i];
    return t ? this.sql.slice(t.start) : '';
  }

  private columnPath(): string[] {
    const n = parseName(this.tokens, this.i, this.sql);
    if (!n) throw new PgError(SqlState.syntaxError, 'expected a column name');
    this.i = n.next;
    return [n.name.catalog, n.name.schema, n.name.name].filter((p): p is string => p !== undefined).flatMap((p) => p.split('.'));
  }

  private ident(): string {
    const t = this.tokens[this.i];
    if (!t || (t.kind !== 'word' && t.kind !== 'qident')) throw new PgError(SqlState.syntaxError, 'expected an identifier');
    this.i++;
    return identText(t, this.sql);
  }

  /** Finds a column (or nested field) by path. */
  private find(path: string[]): { col: LakeColumn; parent: LakeColumn | null; siblings: LakeColumn[] } | undefined {
    let siblings = this.table.columns;
    let parent: LakeColumn | null = null;
    for (let k = 0; k < path.length; k++) {
      const col = siblings.find((c) => c.name.toLowerCase() === path[k]!.toLowerCase());
      if (!col) return undefined;
      if (k === path.length - 1) return { col, parent, siblings };
      parent = col;
      siblings = col.children;
    }
    return undefined;
  }

  private requireCol(path: string[]) {
    const f = this.find(path);
    if (!f) throw new PgError(SqlState.undefinedColumn, `column "${path.join('.')}" of relation "${this.table.name}" does not exist`);
    return f;
  }

  /** DuckDB's canonical form of a type written by the user. */
  private async normalizeType(text: string): Promise<string> {
    return String((await this.s.rows(`SELECT typeof(CAST(NULL AS ${text}))`))[0]![0]);
  }

  private change(ended: number[], added: ColumnVersionChange['added'], structural: boolean, columns: LakeColumn[]): void {
    this.tx.alterColumns(this.table, { ended, added, structural }, columns);
  }

  async run(): Promise<void> {
    const t = this.table;
    const cols = structuredClone(t.columns);
    if (this.accept('RENAME', 'TO')) {
      const newName = this.ident();
      for (const other of this.tx.state.tables.values()) if (other.schemaId === t.schemaId && other.id !== t.id && other.name.toLowerCase() === newName.toLowerCase()) throw new PgError(SqlState.duplicateTable, `relation "${newName}" already exists`);
      this.tx.renameTable(t, newName);
      return;
    }
    if (this.accept('SET', 'PARTITIONED', 'BY')) return this.setPartitioning();
    if (this.accept('RESET', 'PARTITIONED', 'BY') || this.accept('RESET', 'PARTITIONED')) {
      if (t.partition) this.tx.setPartitioning(t, null);
      return;
    }
    if (this.w() === 'SET' && this.w(1) === 'SORTED') throw new PgError(SqlState.featureNotSupported, 'SET SORTED BY is not supported by lakegres yet');
    if (this.accept('ADD')) {
      this.accept('COLUMN');
      const ifNotExists = this.accept('IF', 'NOT', 'EXISTS');
      const path = this.columnPath();
      if (this.find(path)) {
        if (ifNotExists) return;
        throw new PgError(SqlState.duplicateColumn, `column "${path.join('.')}" of relation "${t.name}" already exists`);
      }
      // Let DuckDB bind the definition (type, default, NOT NULL) on a one-column scratch table.
      const def = this.rest();
      const scratch = this.s.stagingName('add');
      let added: LakeColumn[];
      try {
        await this.s.run(`CREATE TEMP TABLE ${quoteIdent(scratch)} (${quoteIdent(path[path.length - 1]!)} ${def})`);
        added = await columnsFromTempTable(this.s, scratch, 'add');
      } finally {
        await this.s.dropStaging(scratch);
      }
      const col = added[0]!;
      if (!col.nullable) throw new PgError(SqlState.featureNotSupported, 'Adding a column with a NOT NULL constraint is not supported in DuckLake', { hint: 'Add the column, fill it, then ALTER COLUMN ... SET NOT NULL.' });
      // New ids continue after the highest id the table ever used, dropped columns included (§6.4).
      assignIds([col], Math.max(maxColumnId(cols), await this.maxColumnIdEver()) + 1);
      // The extension records struct fields added by ALTER as not nullable.
      if (path.length > 1) col.nullable = false;
      let parentId: number | null = null;
      if (path.length > 1) {
        const parent = this.requireCol(path.slice(0, -1)).col;
        if (parent.type !== 'struct') throw new PgError(SqlState.featureNotSupported, `cannot add a field to "${parent.name}": it is not a struct`);
        const p = findById(cols, parent.id)!;
        p.children.push(col);
        parentId = parent.id;
      } else cols.push(col);
      this.change([], [{ col, parent: parentId, withChildren: true }], true, cols);
      return;
    }
    if (this.accept('DROP')) {
      this.accept('COLUMN');
      const ifExists = this.accept('IF', 'EXISTS');
      const path = this.columnPath();
      const found = this.find(path);
      if (!found) {
        if (ifExists) return;
        this.requireCol(path);
        return;
      }
      if (path.length === 1 && t.columns.length === 1) throw new PgError(SqlState.featureNotSupported, 'Cannot drop the last column of a DuckLake table');
      if (t.partition?.keys.some((k) => k.columnId === found.col.id)) throw new PgError(SqlState.featureNotSupported, `cannot drop column "${found.col.name}": it is a partition key`);
      removeById(cols, found.col.id);
      this.change(allIds(found.col), [], true, cols);
      return;
    }
    if (this.accept('RENAME')) {
      this.accept('COLUMN');
      const path = this.columnPath();
      if (!this.accept('TO')) throw new PgError(SqlState.syntaxError, 'expected TO');
      const newName = this.ident();
      const found = this.requireCol(path);
      if (found.siblings.some((c) => c.name.toLowerCase() === newName.toLowerCase())) throw new PgError(SqlState.duplicateColumn, `column "${newName}" of relation "${t.name}" already exists`);
      const c = findById(cols, found.col.id)!;
      c.name = newName;
      this.change([c.id], [{ col: c, parent: found.parent?.id ?? null, withChildren: false }], true, cols);
      return;
    }
    if (this.accept('ALTER')) {
      this.accept('COLUMN');
      const path = this.columnPath();
      const found = this.requireCol(path);
      const c = findById(cols, found.col.id)!;
      const parent = found.parent?.id ?? null;
      if (this.accept('SET', 'DATA', 'TYPE') || this.accept('TYPE') || this.accept('SET', 'TYPE')) {
        let typeText = this.rest();
        const using = /\bUSING\b/i.exec(typeText);
        if (using) throw new PgError(SqlState.featureNotSupported, 'Column type cannot be modified using an expression');
        typeText = typeText.trim();
        const next = parseDuckType(await this.normalizeType(typeText), c.name);
        return this.changeType(c, next, parent, cols);
      }
      if (this.accept('SET', 'DEFAULT')) {
        const expr = this.rest();
        const probe = { ...c, children: [] };
        await applyDefaultForAlter(this.s, probe, expr);
        c.defaultValue = probe.defaultValue;
        c.defaultType = probe.defaultType;
        this.change([c.id], [{ col: c, parent, withChildren: false }], true, cols);
        return;
      }
      if (this.accept('DROP', 'DEFAULT')) {
        c.defaultValue = null;
        c.defaultType = 'literal';
        this.change([c.id], [{ col: c, parent, withChildren: false }], true, cols);
        return;
      }
      if (this.accept('SET', 'NOT', 'NULL')) {
        const nulls = Number((await this.s.rows(`SELECT count(*) FROM ${this.qualified()} WHERE ${quoteIdent(c.name)} IS NULL`))[0]![0]);
        if (nulls > 0) throw new PgError(SqlState.notNullViolation, `Cannot SET NOT NULL on column ${c.name} - the column has NULL values`, { column: c.name });
        c.nullable = false;
        this.change([c.id], [{ col: c, parent, withChildren: false }], true, cols);
        return;
      }
      if (this.accept('DROP', 'NOT', 'NULL')) {
        c.nullable = true;
        this.change([c.id], [{ col: c, parent, withChildren: false }], true, cols);
        return;
      }
    }
    throw new PgError(SqlState.featureNotSupported, `unsupported ALTER TABLE action: ${this.rest().slice(0, 60)}`, {
      hint: 'Supported: RENAME TO, ADD/DROP/RENAME COLUMN (struct fields with a.b), ALTER COLUMN TYPE / SET|DROP DEFAULT / SET|DROP NOT NULL, SET|RESET PARTITIONED BY.',
    });
  }

  private async maxColumnIdEver(): Promise<number> {
    if (this.table.id < 0) return 0;
    const lake = this.s.runtime.lake;
    const rows = await lake.store.query(`SELECT MAX(column_id) AS m FROM ${lake.store.schemaSql}.ducklake_column WHERE table_id = $1`, [this.table.id]);
    return Number(rows[0]?.m ?? 0);
  }

  private qualified(): string {
    const schema = this.tx.state.schemas.get(this.table.schemaId)!.name;
    return `${quoteIdent(this.s.runtime.live.dbName)}.${quoteIdent(schema)}.${quoteIdent(this.table.name)}`;
  }

  /** SET DATA TYPE: only promotions DuckLake allows, per leaf (§12.5). */
  private changeType(c: LakeColumn, next: LakeColumn, parent: number | null, cols: LakeColumn[]): void {
    const ended: number[] = [];
    const added: ColumnVersionChange['added'] = [];
    const walk = (old: LakeColumn, neu: LakeColumn, parentId: number | null) => {
      if (old.children.length || neu.children.length) {
        if (old.type !== neu.type) throw typeError(old, neu);
        for (const oc of old.children) {
          const nc = neu.children.find((x) => x.name.toLowerCase() === oc.name.toLowerCase());
          if (!nc) throw new PgError(SqlState.featureNotSupported, `Type evolution is not supported from type ${duckType(old)} to type ${duckType(neu)}`);
          walk(oc, nc, old.id);
        }
        return;
      }
      if (old.type === neu.type) return;
      if (!isAllowedPromotion(old.type, neu.type)) throw typeError(old, neu);
      ended.push(old.id);
      old.type = neu.type;
      added.push({ col: old, parent: parentId, withChildren: false });
    };
    walk(c, next, parent);
    if (ended.length === 0) return;
    this.change(ended, added, true, cols);
  }

  private async setPartitioning(): Promise<void> {
    const t = this.table;
    const open = this.i;
    if (this.tokens[open]?.kind !== 'lparen') throw new PgError(SqlState.syntaxError, 'expected ( after PARTITIONED BY');
    const keys: { columnId: number; transform: string }[] = [];
    let depth = 0;
    let exprStart = open + 1;
    const flush = (endIdx: number) => {
      const parts = this.tokens.slice(exprStart, endIdx);
      if (parts.length === 0) return;
      keys.push(this.partitionKey(parts));
    };
    for (let j = open; j < this.tokens.length; j++) {
      const tok = this.tokens[j]!;
      if (tok.kind === 'lparen') depth++;
      else if (tok.kind === 'rparen') {
        depth--;
        if (depth === 0) {
          flush(j);
          break;
        }
      } else if (tok.kind === 'comma' && depth === 1) {
        flush(j);
        exprStart = j + 1;
      }
    }
    const current = (t.partition?.keys ?? []).map((k) => `${k.columnId}:${k.transform}`).join(',');
    if (current === keys.map((k) => `${k.columnId}:${k.transform}`).join(',')) return;
    this.tx.setPartitioning(t, keys);
  }

  private partitionKey(parts: Token[]): { columnId: number; transform: string } {
    const text = (tok: Token) => identText(tok, this.sql);
    const colByName = (name: string) => {
      const c = this.table.columns.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (!c) throw new PgError(SqlState.undefinedColumn, `column "${name}" does not exist`);
      return c;
    };
    if (parts.length === 1) return { columnId: colByName(text(parts[0]!)).id, transform: 'identity' };
    const fn = parts[0]!.value.toLowerCase();
    const inner = parts.slice(2, -1).filter((p) => p.kind !== 'comma');
    if (['year', 'month', 'day', 'hour'].includes(fn) && inner.length === 1) return { columnId: colByName(text(inner[0]!)).id, transform: fn };
    if (fn === 'bucket' && inner.length === 2 && inner[0]!.kind === 'number') return { columnId: colByName(text(inner[1]!)).id, transform: `bucket(${inner[0]!.value})` };
    throw new PgError(SqlState.featureNotSupported, `unsupported partition expression: ${parts.map((p) => this.sql.slice(p.start, p.end)).join('')}`, { hint: 'Use a column, year(col), month(col), day(col), hour(col) or bucket(n, col).' });
  }
}

async function applyDefaultForAlter(s: LakeSession, col: LakeColumn, expr: string): Promise<void> {
  const scratch = s.stagingName('def');
  try {
    await s.run(`CREATE TEMP TABLE ${quoteIdent(scratch)} (c ${duckType(col)} DEFAULT ${expr})`);
    const [cols] = [await s.rows(`SELECT column_default FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = ${sqlString(scratch)}`)];
    const text = cols[0]?.[0];
    const probe: LakeColumn = { ...col, defaultValue: null, initialDefault: null };
    if (text !== null && text !== undefined) await applyDefault(s, probe, String(text), 'create');
    col.defaultValue = probe.defaultValue;
    col.defaultType = probe.defaultType;
  } finally {
    await s.dropStaging(scratch);
  }
}

function typeError(old: LakeColumn, neu: LakeColumn): PgError {
  return new PgError(SqlState.featureNotSupported, `Type evolution is not supported from type ${duckType(old)} to type ${duckType(neu)}`, {
    hint: 'DuckLake allows widening only: smaller to larger integers, integers to floating point, FLOAT to DOUBLE, TIMESTAMP to TIMESTAMPTZ.',
  });
}

function findById(cols: LakeColumn[], id: number): LakeColumn | undefined {
  for (const c of cols) {
    if (c.id === id) return c;
    const hit = findById(c.children, id);
    if (hit) return hit;
  }
  return undefined;
}

function removeById(cols: LakeColumn[], id: number): boolean {
  const i = cols.findIndex((c) => c.id === id);
  if (i >= 0) {
    cols.splice(i, 1);
    return true;
  }
  return cols.some((c) => removeById(c.children, id));
}

export type { ObjectName };
export { stagingColumnDefs };
