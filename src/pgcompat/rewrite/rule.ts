/**
 * What every rewrite module is: a cheap token test (the statement is parsed only when some
 * rule's trigger fires) and a tree edit. Rules read the session through a RuleContext, which
 * records what they used so that a cached result is reused only while those values hold.
 */
import { parseSync } from 'pgsql-parser';
import type { Token } from '../../sql/lexer.js';
import type { PgCompatContext } from '../context.js';
import { EMULATION_SCHEMA, emulatedRelationName } from '../registry.js';
import { clone, kindOf, str, walk, type Node } from '../ast.js';
import { Lru } from '../parse-cache.js';

export interface RewriteRule {
  readonly name: string;
  /** Could the rule apply? Looks at tokens only (upper-cased words, raw strings and operators). */
  trigger(tokens: readonly Token[], rc: RuleContext): boolean;
  /** Edits the statement tree in place; true when it changed something. */
  apply(stmt: Node, rc: RuleContext): boolean;
}

/** Session values a rewrite depended on: a cached result is valid while each still has its value. */
export type Dependency =
  | { kind: 'readDb' | 'database' | 'user' | 'pid' | 'searchPath' }
  | { kind: 'setting'; name: string }
  | { kind: 'userRelation'; name: string }
  | { kind: 'tableColumns'; schema?: string; name: string };

export function dependencyValue(ctx: PgCompatContext, d: Dependency): string {
  switch (d.kind) {
    case 'readDb':
      return ctx.readDb;
    case 'database':
      return ctx.database;
    case 'user':
      return ctx.user;
    case 'pid':
      return String(ctx.pid);
    case 'searchPath':
      return ctx.searchPath().join(',');
    case 'setting':
      return ctx.setting(d.name) ?? '\u0000';
    case 'userRelation':
      return ctx.hasUserRelation(d.name) ? '1' : '0';
    case 'tableColumns':
      return ctx.tableColumns(d.schema, d.name)?.join('\u0000') ?? '\u0001';
  }
}

export class RuleContext {
  readonly deps = new Map<string, { dep: Dependency; value: string }>();
  /** The result embeds a value that changes on its own (txid_current()): never reused. */
  uncacheable = false;
  /** The result embeds settings (search_path, current_setting): prepared statements redo it per execution. */
  volatile = false;
  /** Emulated catalog relations the rewritten statement reads (pg_stat_activity needs a refresh first). */
  readonly catalogRelations = new Set<string>();

  constructor(
    readonly ctx: PgCompatContext,
    readonly tokens: readonly Token[],
    readonly text: string,
  ) {}

  private use(dep: Dependency): string {
    const value = dependencyValue(this.ctx, dep);
    this.deps.set(JSON.stringify(dep), { dep, value });
    if (dep.kind === 'searchPath' || dep.kind === 'setting') this.volatile = true;
    return value;
  }

  get readDb(): string {
    return this.use({ kind: 'readDb' });
  }

  get database(): string {
    return this.use({ kind: 'database' });
  }

  get user(): string {
    return this.use({ kind: 'user' });
  }

  get pid(): number {
    return Number(this.use({ kind: 'pid' }));
  }

  searchPath(): string[] {
    const v = this.use({ kind: 'searchPath' });
    return v === '' ? [] : v.split(',');
  }

  setting(name: string): string | undefined {
    const v = this.use({ kind: 'setting', name: name.toLowerCase() });
    return v === '\u0000' ? undefined : v;
  }

  settingNames(): string[] {
    this.volatile = true;
    this.uncacheable = true;
    return this.ctx.settingNames();
  }

  txid(): number {
    this.uncacheable = true;
    this.volatile = true;
    return this.ctx.txid();
  }

  /** Connection addresses (fixed for the session, which the cache does not know): not cached. */
  addresses(): { server: PgCompatContext['serverAddress']; client: PgCompatContext['clientAddress'] } {
    this.uncacheable = true;
    return { server: this.ctx.serverAddress, client: this.ctx.clientAddress };
  }

  hasUserRelation(name: string): boolean {
    return this.use({ kind: 'userRelation', name: name.toLowerCase() }) === '1';
  }

  tableColumns(schema: string | undefined, name: string): string[] | undefined {
    const v = this.use({ kind: 'tableColumns', schema: schema?.toLowerCase(), name: name.toLowerCase() });
    return v === '\u0001' ? undefined : v === '' ? [] : v.split('\u0000');
  }

  /** RangeVar payload of an emulated catalog relation: "<readDb>".__lakegres_pg.<name>. */
  catalogRelation(schema: 'pg_catalog' | 'information_schema', name: string, alias?: string): Node {
    const rv: Node = { catalogname: this.readDb, schemaname: EMULATION_SCHEMA, relname: emulatedRelationName(schema, name), inh: true, relpersistence: 'p' };
    this.catalogRelations.add(emulatedRelationName(schema, name));
    if (alias) rv.alias = { aliasname: alias };
    return rv;
  }

  /** funcname of an emulated catalog function. */
  catalogFunction(name: string): Node[] {
    return [str(this.readDb), str(EMULATION_SCHEMA), str(name)];
  }

  /** SQL text naming an emulated relation, for templates. */
  catalogSql(schema: 'pg_catalog' | 'information_schema', name: string): string {
    return `${quoteIdent(this.readDb)}.${EMULATION_SCHEMA}.${quoteIdent(emulatedRelationName(schema, name))}`;
  }

  catalogFunctionSql(name: string): string {
    return `${quoteIdent(this.readDb)}.${EMULATION_SCHEMA}.${quoteIdent(name)}`;
  }
}

export const quoteIdent = (s: string): string => '"' + s.replace(/"/g, '""') + '"';
export const quoteLiteral = (s: string): string => "'" + s.replace(/'/g, "''") + "'";

const templates = new Lru<string, Node>(200);

/**
 * An expression from SQL text, with `__arg_<name>` column references replaced by the given
 * nodes (copies). Templates are parsed once (cached by text).
 */
export function expr(sql: string, args: Record<string, Node> = {}): Node {
  let tree = templates.get(sql);
  if (!tree) {
    const r = parseSync(`SELECT ${sql}`) as { stmts: { stmt: Node }[] };
    tree = r.stmts[0]!.stmt.SelectStmt.targetList[0].ResTarget.val as Node;
    templates.set(sql, tree);
  }
  const out = { root: clone(tree) };
  walk(out, (kind, payload) => {
    if (kind !== 'ColumnRef') return;
    const f = payload.fields as Node[];
    const name = f.length === 1 ? (f[0]!.String?.sval as string | undefined) : undefined;
    if (name?.startsWith('__arg_')) {
      const arg = args[name.slice(6)];
      if (!arg) throw new Error(`template argument ${name} missing`);
      return { replace: clone(arg), skip: true };
    }
  });
  return out.root;
}

/** Token helpers for triggers. */
export function hasWord(tokens: readonly Token[], words: ReadonlySet<string>): boolean {
  for (const t of tokens) if (t.kind === 'word' && words.has(t.value)) return true;
  return false;
}

export function isNode(n: unknown, kind: string): n is Node {
  return kindOf(n) === kind;
}
