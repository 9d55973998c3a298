/**
 * PostgreSQL's types of a statement's result columns where DuckDB cannot know them: columns of
 * the emulated catalog are `oid`, `regproc`, `name`, `"char"`, `oidvector`, `aclitem[]`, ... in
 * PostgreSQL, but DuckDB holds them as UINTEGER, VARCHAR and lists (duck-types.ts), and DuckDB
 * drops type aliases. The types are worked out from the client's statement with PostgreSQL's
 * grammar, the way PostgreSQL's parse analysis assigns them:
 *
 *  - a column of a catalog relation (pg_catalog.X, unqualified X not shadowed by a lake table,
 *    information_schema.X with its domains as their base types) has the relation's column type,
 *    through aliases, joins, subqueries, CTEs (recursive ones typed by their non-recursive term),
 *    set operations and VALUES;
 *  - `x::oid` (and the other catalog types) is that type; `array_agg(x)`, `ARRAY[x]`,
 *    `ARRAY(SELECT x ...)` its array type; `unnest(v)` (also in FROM) and `v[i]` the element type; `min(oid)`/`max(oid)` oid; coalesce, CASE,
 *    GREATEST/LEAST, NULLIF and set operations the common type of their inputs (untyped
 *    constants take the other inputs' type); a scalar subquery its column's type;
 *  - built-in functions whose overloads agree on one result type have it (pg_get_userbyid is
 *    name); current_user, current_schema, ... are name;
 *  - parameters cast to a catalog type or compared with a typed expression have that type.
 *
 * Anything else is unknown and keeps the type DuckDB gives it. A known type is only used where
 * the DuckDB type can carry it (types/catalog-types.ts), so a wrong guess cannot corrupt values.
 */
import { funcName, joinColumns, names, type Node } from '../ast.js';
import { selectTargets, statementTargets, type Target } from '../column-names.js';
import type { OriginContext } from '../column-origins.js';
import { EMULATION_SCHEMA, INFORMATION_SCHEMA_RELATIONS, PG_CATALOG_RELATIONS } from '../registry.js';
import { RELATION_COLUMNS } from './pg16-data.js';
import { staticFunctionResult, staticTypeByName, staticTypeByOid } from './static-lookup.js';

/** An untyped constant: it takes the type of the inputs it is combined with. */
const LITERAL = -1;
/** A type OID, LITERAL, or undefined when unknown. */
type Ty = number | undefined;

interface Col {
  name: string;
  type: Ty;
  /** The type modifier of a column passed through unchanged (information_schema.yes_or_no is varchar(3)). */
  typmod?: number;
}

interface Item {
  refNames: string[];
  relname?: string;
  columns: Col[] | null;
  parts?: Item[];
  /** A catalog relation: it has PostgreSQL's system columns (xmin, ...; rewrite/system-columns.ts). */
  catalog?: boolean;
}

/** System columns of catalog relations and their types (tid has no DuckDB carrier and stays text). */
const SYSTEM_COLUMNS: Record<string, number> = { xmin: 28, xmax: 28, cmin: 29, cmax: 29, tableoid: 26 };

/** The statement's lake tables, and where parameter types found along the way are collected. */
interface TypeContext extends OriginContext {
  /** Parameter number → type (null: conflicting types); only when parameters are asked for. */
  params?: Map<number, number | null>;
}

interface Scope {
  items: Item[];
  ctes: Map<string, Col[] | null>;
  parent?: Scope;
  ctx: TypeContext;
}

const lower = (s: string) => s.toLowerCase();

// ---------------------------------------------------------------- type names

/** format_type spellings of catalog column types (and information_schema's domains, sent as their base types). */
const SPELLINGS: Record<string, string> = {
  smallint: 'int2',
  integer: 'int4',
  bigint: 'int8',
  real: 'float4',
  'double precision': 'float8',
  boolean: 'bool',
  '"char"': 'char',
  'character varying': 'varchar',
  character: 'bpchar',
  'timestamp with time zone': 'timestamptz',
  'information_schema.sql_identifier': 'name',
  'information_schema.character_data': 'varchar',
  'information_schema.yes_or_no': 'varchar',
  'information_schema.cardinal_number': 'int4',
  'information_schema.time_stamp': 'timestamptz',
};

function typeOfSpelling(spelling: string): Ty {
  let t = spelling.trim();
  const array = t.endsWith('[]');
  if (array) t = t.slice(0, -2);
  t = t.replace(/\(\d+(,\s*\d+)?\)$/, '');
  const st = staticTypeByName(SPELLINGS[t] ?? t);
  if (!st) return undefined;
  return array ? st.typarray || undefined : st.oid;
}

/**
 * Types a cast gives its value here: the catalog types DuckDB has no equivalent of. Other casts
 * keep DuckDB's type (`x::varchar` is text, as lakegres's varchar(n) columns are).
 */
const CAST_TYPES = new Set(['oid', 'xid', 'cid', 'regproc', 'name', 'char', 'oidvector', 'int2vector', 'aclitem', 'pg_node_tree']);

/** The type a cast's TypeName names (`oid`, `pg_catalog.name`, `"char"`, `oid[]`), if one of CAST_TYPES. */
function typeOfTypeName(tn: Node | undefined): Ty {
  const n = names(tn?.names);
  if (n.length === 0 || n.length > 2 || (n.length === 2 && n[0] !== 'pg_catalog')) return undefined;
  if (!CAST_TYPES.has(n[n.length - 1]!)) return undefined;
  const st = staticTypeByName(n[n.length - 1]!);
  if (!st) return undefined;
  return tn?.arrayBounds ? st.typarray || undefined : st.oid;
}

const known = (t: Ty): t is number => t !== undefined && t !== LITERAL;

function arrayOf(t: Ty): Ty {
  return known(t) ? staticTypeByOid(t)?.typarray || undefined : undefined;
}

/** The element type of an array or vector type (name is subscriptable too, but is no array). */
function elementOf(t: Ty): Ty {
  if (!known(t)) return undefined;
  const st = staticTypeByOid(t);
  if (!st || st.typelem === 0 || (!st.typname.startsWith('_') && st.typlen !== -1)) return undefined;
  return st.typelem;
}

/** The common type of inputs that must agree (select_common_type, for the cases that matter here). */
function common(types: Ty[]): Ty {
  let found: Ty = LITERAL;
  for (const t of types) {
    if (t === undefined) return undefined;
    if (t === LITERAL) continue;
    if (found === LITERAL) found = t;
    else if (found !== t) return undefined;
  }
  return found;
}

// ---------------------------------------------------------------- relations

/** Type modifiers of the catalog column types that have one (domains over varchar(n)). */
const TYPMODS: Record<string, number> = { 'information_schema.yes_or_no': 3 + 4 };

const catalogColumnCache = new Map<string, Col[] | null>();

/** The columns of an emulated catalog relation (shared, never modified). */
function catalogColumns(key: string): Col[] | null {
  let cols = catalogColumnCache.get(key);
  if (cols === undefined) {
    const def = RELATION_COLUMNS[key];
    cols = def ? def.map(([name, t]) => ({ name, type: typeOfSpelling(t), typmod: TYPMODS[t] })) : null;
    catalogColumnCache.set(key, cols);
  }
  return cols;
}

/** Whether a relation name is an emulated catalog relation (relationColumns's rules). */
function isCatalogRelation(rv: Node, ctx: TypeContext, ctes: Scope['ctes']): boolean {
  const rel = rv.relname as string;
  const schema = rv.schemaname as string | undefined;
  if (schema === 'pg_catalog' || schema === 'information_schema' || schema === EMULATION_SCHEMA) return true;
  if (schema || rv.catalogname || ctes.has(rel)) return false;
  return PG_CATALOG_RELATIONS.has(rel) && !ctx.table(undefined, undefined, rel);
}

function relationColumns(rv: Node, ctx: TypeContext, ctes: Scope['ctes']): Col[] | null {
  const rel = rv.relname as string;
  const schema = rv.schemaname as string | undefined;
  const catalog = rv.catalogname as string | undefined;
  if (!schema && !catalog && ctes.has(rel)) return ctes.get(rel) ?? null;
  if (schema === 'pg_catalog') return PG_CATALOG_RELATIONS.has(rel) ? catalogColumns(rel) : null;
  if (schema === 'information_schema') return INFORMATION_SCHEMA_RELATIONS.has(rel) ? catalogColumns(`information_schema.${rel}`) : null;
  if (schema === EMULATION_SCHEMA) {
    if (rel.startsWith('is_') && INFORMATION_SCHEMA_RELATIONS.has(rel.slice(3))) return catalogColumns(`information_schema.${rel.slice(3)}`);
    return PG_CATALOG_RELATIONS.has(rel) ? catalogColumns(rel) : null;
  }
  const t = ctx.table(catalog, schema, rel);
  if (t) return t.columns.map((name) => ({ name, type: undefined }));
  if (!schema && !catalog && PG_CATALOG_RELATIONS.has(rel)) return catalogColumns(rel);
  return null;
}

function renamed(cols: Col[] | null, alias: Node | undefined): Col[] | null {
  const colnames = names(alias?.colnames);
  if (!cols || colnames.length === 0) return cols;
  return cols.map((c, i) => ({ ...c, name: colnames[i] ?? c.name }));
}

function fromItem(f: Node, ctx: TypeContext, scope: Scope): Item {
  if (f.RangeVar) {
    const rv = f.RangeVar as Node;
    const alias = rv.alias?.aliasname as string | undefined;
    const columns = renamed(relationColumns(rv, ctx, scope.ctes), rv.alias);
    return { refNames: [alias ?? rv.relname], relname: alias ? undefined : rv.relname, columns, catalog: isCatalogRelation(rv, ctx, scope.ctes) };
  }
  if (f.RangeSubselect) {
    const rs = f.RangeSubselect as Node;
    const cols = selectColumns(rs.subquery?.SelectStmt, ctx, scope.ctes, rs.lateral ? scope : scope.parent);
    return { refNames: rs.alias ? [rs.alias.aliasname as string] : [], columns: renamed(cols, rs.alias) };
  }
  if (f.JoinExpr) {
    const j = f.JoinExpr as Node;
    const l = fromItem(j.larg, ctx, scope);
    const r = fromItem(j.rarg, ctx, scope);
    let columns: Col[] | null = null;
    if (l.columns && r.columns) {
      columns = joinColumns(j, l.columns, r.columns, (name, lc, rc) => ({ name, type: common([lc?.type, rc?.type]), typmod: lc?.typmod === rc?.typmod ? lc?.typmod : undefined }));
    }
    if (j.alias) return { refNames: [j.alias.aliasname as string], columns: renamed(columns, j.alias) };
    return { refNames: [], columns, parts: [l, r] };
  }
  if (f.RangeFunction) return functionItem(f.RangeFunction as Node, scope);
  const alias = f.RangeTableFunc?.alias as Node | undefined;
  return { refNames: alias ? [alias.aliasname as string] : [], columns: null };
}

/**
 * A function in FROM that returns a scalar (`unnest(p.proargtypes)`, a built-in with one
 * concrete result type): one column named by the alias (or the function), plus `ordinality`
 * (int8) WITH ORDINALITY. Functions returning records, ROWS FROM and column definition lists
 * have unknown columns. Earlier FROM items are visible to its arguments, as in PostgreSQL.
 */
function functionItem(rf: Node, scope: Scope): Item {
  const alias = rf.alias as Node | undefined;
  const refNames = alias ? [alias.aliasname as string] : [];
  const fns = (rf.functions ?? []) as Node[];
  const items = (fns[0]?.List?.items ?? []) as Node[];
  const fc = items[0]?.FuncCall as Node | undefined;
  const coldefs = items[1] && Object.keys(items[1]).length > 0;
  if (fns.length !== 1 || rf.is_rowsfrom || !fc || coldefs) return { refNames, columns: null };
  const name = funcName(fc).name;
  const scalar = (name === 'unnest' && (fc.args ?? []).length === 1) || staticFunctionResult(name, (fc.args ?? []).length) !== undefined;
  if (!scalar) return { refNames: refNames.length ? refNames : [name], columns: null };
  const colnames = names(alias?.colnames);
  const columns: Col[] = [{ name: colnames[0] ?? alias?.aliasname ?? name, type: funcType(fc, scope) }];
  if (rf.ordinality) columns.push({ name: colnames[1] ?? 'ordinality', type: 20 });
  return { refNames: refNames.length ? refNames : [name], columns };
}

function leaves(items: Item[]): Item[] {
  const out: Item[] = [];
  for (const it of items) {
    if (it.parts) out.push(...leaves(it.parts));
    else out.push(it);
  }
  return out;
}

// ---------------------------------------------------------------- scopes and columns

function withCtes(withClause: Node | undefined, ctx: TypeContext, outer: Scope['ctes'], parent: Scope | undefined): Scope['ctes'] {
  const ctes = new Map(outer);
  for (const c of (withClause?.ctes ?? []) as Node[]) {
    const cte = c.CommonTableExpr as Node | undefined;
    if (!cte) continue;
    let query = cte.ctequery?.SelectStmt as Node | undefined;
    // A recursive CTE's columns have the types of its non-recursive term.
    if (withClause?.recursive && query && query.op && query.op !== 'SETOP_NONE') query = query.larg as Node;
    let cols = withClause?.recursive ? selectColumns(query, ctx, withoutName(ctes, cte.ctename as string), parent) : selectColumns(query, ctx, ctes, parent);
    const aliases = names(cte.aliascolnames);
    if (cols && aliases.length > 0) cols = cols.map((col, i) => ({ ...col, name: aliases[i] ?? col.name }));
    ctes.set(cte.ctename as string, cols);
  }
  return ctes;
}

function withoutName(ctes: Scope['ctes'], name: string): Scope['ctes'] {
  const m = new Map(ctes);
  m.delete(name);
  return m;
}

/** The output columns of a SELECT payload; null when they cannot be determined. */
function selectColumns(s: Node | undefined, ctx: TypeContext, outer: Scope['ctes'], parent: Scope | undefined): Col[] | null {
  if (!s) return null;
  if (s.op && s.op !== 'SETOP_NONE') {
    const ctes = withCtes(s.withClause, ctx, outer, parent);
    const l = selectColumns(s.larg, ctx, ctes, parent);
    const r = selectColumns(s.rarg, ctx, ctes, parent);
    if (!l) return null;
    return l.map((c, i) => {
      const rc = r && r.length === l.length ? r[i]! : undefined;
      return { name: c.name, type: rc ? common([c.type, rc.type]) : undefined, typmod: rc && rc.typmod === c.typmod ? c.typmod : undefined };
    });
  }
  if (s.valuesLists) {
    const scope: Scope = { items: [], ctes: outer, parent, ctx };
    const rows = (s.valuesLists as Node[]).map((r) => ((r.List?.items ?? []) as Node[]).map((e) => exprType(e, scope)));
    const width = rows[0]?.length ?? 0;
    return Array.from({ length: width }, (_, i) => ({ name: `column${i + 1}`, type: common(rows.map((r) => r[i])) }));
  }
  const targets = selectTargets({ SelectStmt: s });
  if (!targets) return null;
  const scope = selectScope(s, ctx, outer, parent);
  if (ctx.params) {
    for (const cond of [s.whereClause, s.havingClause, ...joinConditions((s.fromClause ?? []) as Node[])]) scanConditions(cond, scope);
  }
  return expand(targets, scope) ?? null;
}

function joinConditions(from: Node[]): Node[] {
  const out: Node[] = [];
  for (const f of from) {
    const j = f.JoinExpr as Node | undefined;
    if (!j) continue;
    if (j.quals) out.push(j.quals);
    out.push(...joinConditions([j.larg, j.rarg]));
  }
  return out;
}

function selectScope(s: Node, ctx: TypeContext, outer: Scope['ctes'], parent: Scope | undefined): Scope {
  const scope: Scope = { items: [], ctes: withCtes(s.withClause, ctx, outer, parent), parent, ctx };
  for (const f of (s.fromClause ?? []) as Node[]) scope.items.push(fromItem(f, ctx, scope));
  return scope;
}

const NOT_HERE = Symbol('not here');

/** A column reference in one scope: its column (undefined when unknown), or NOT_HERE to look in the enclosing query. */
function resolveIn(fields: string[], scope: Scope): Col | undefined | typeof NOT_HERE {
  const col = lower(fields[fields.length - 1]!);
  if (fields.length === 1) {
    let found: Col | undefined;
    let unknownItem = false;
    for (const it of scope.items) {
      if (!it.columns) {
        unknownItem = true;
        continue;
      }
      const hits = it.columns.filter((c) => lower(c.name) === col);
      if (hits.length > 1 || (hits.length === 1 && found)) return undefined;
      if (hits.length === 1) found = hits[0];
    }
    if (found) return found;
    const only = scope.items.length === 1 ? scope.items[0]! : undefined;
    if (only?.catalog && SYSTEM_COLUMNS[col] !== undefined) return { name: col, type: SYSTEM_COLUMNS[col] };
    return unknownItem ? undefined : NOT_HERE;
  }
  const qual = lower(fields[fields.length - 2]!);
  const candidates = [...leaves(scope.items), ...scope.items.filter((it) => it.parts && it.refNames.length > 0)].filter(
    (it) => it.refNames.some((n) => lower(n) === qual) || (fields.length >= 3 && it.relname !== undefined && lower(it.relname) === qual),
  );
  if (candidates.length === 0) return NOT_HERE;
  if (candidates.length > 1 || !candidates[0]!.columns) return undefined;
  const hits = candidates[0]!.columns.filter((c) => lower(c.name) === col);
  if (hits.length === 0 && candidates[0]!.catalog && SYSTEM_COLUMNS[col] !== undefined) return { name: col, type: SYSTEM_COLUMNS[col] };
  return hits.length === 1 ? hits[0] : undefined;
}

function columnOf(fields: string[], scope: Scope | undefined): Col | undefined {
  if (fields.length === 0 || fields.includes('*')) return undefined;
  for (let s = scope; s; s = s.parent) {
    const t = resolveIn(fields, s);
    if (t !== NOT_HERE) return t;
  }
  return undefined;
}

function expand(targets: Target[], scope: Scope): Col[] | undefined {
  const out: Col[] = [];
  for (const t of targets) {
    if (t.kind === 'column') {
      const ref = t.expr?.ColumnRef as Node | undefined;
      const col = ref ? columnOf(names(ref.fields), scope) : undefined;
      out.push(col ? { name: t.name, type: col.type, typmod: col.typmod } : { name: t.name, type: exprType(t.expr, scope) });
      continue;
    }
    if (t.qualifier.length === 0) {
      for (const it of scope.items) {
        if (!it.columns) return undefined;
        out.push(...it.columns);
      }
      continue;
    }
    const qual = lower(t.qualifier[t.qualifier.length - 1]!);
    const cand = [...leaves(scope.items), ...scope.items.filter((it) => it.parts && it.refNames.length > 0)].filter(
      (it) => it.refNames.some((n) => lower(n) === qual) || (t.qualifier.length >= 2 && it.relname !== undefined && lower(it.relname) === qual),
    );
    if (cand.length !== 1 || !cand[0]!.columns) return undefined;
    out.push(...cand[0]!.columns);
  }
  return out;
}

// ---------------------------------------------------------------- expressions

/** name-typed SQL value functions (current_user, current_schema, ...). */
const NAME_SVF = new Set(['SVFOP_CURRENT_ROLE', 'SVFOP_CURRENT_USER', 'SVFOP_USER', 'SVFOP_SESSION_USER', 'SVFOP_CURRENT_CATALOG', 'SVFOP_CURRENT_SCHEMA']);
const OID = 26;

function subqueryType(sub: Node | undefined, scope: Scope): Ty {
  const cols = selectColumns(sub?.SelectStmt, scope.ctx, scope.ctes, scope);
  return cols && cols.length >= 1 ? cols[0]!.type : undefined;
}

function funcType(fc: Node, scope: Scope): Ty {
  const fn = funcName(fc);
  if (fn.catalog !== undefined || (fn.schema !== undefined && fn.schema !== 'pg_catalog')) return undefined;
  const args = (fc.args ?? []) as Node[];
  const name = fn.name;
  if (fc.agg_star) return name === 'count' ? 20 : undefined;
  if (args.length === 1) {
    if (name === 'array_agg') return arrayOf(exprType(args[0], scope));
    if (name === 'min' || name === 'max') {
      const t = exprType(args[0], scope);
      return t === OID ? OID : undefined;
    }
    if (name === 'unnest') return elementOf(exprType(args[0], scope));
  }
  const r = staticFunctionResult(name, args.length);
  return r?.type;
}

function indirectionType(ind: Node, scope: Scope): Ty {
  let t = exprType(ind.arg, scope);
  for (const i of (ind.indirection ?? []) as Node[]) {
    if (i.A_Indices && !i.A_Indices.is_slice) t = elementOf(t);
    else return undefined;
  }
  return t;
}

function exprType(e: Node | undefined, scope: Scope): Ty {
  if (!e) return undefined;
  if (e.ColumnRef) return columnOf(names(e.ColumnRef.fields), scope)?.type;
  if (e.A_Const) return LITERAL;
  if (e.TypeCast) return typeOfTypeName(e.TypeCast.typeName);
  if (e.FuncCall) return funcType(e.FuncCall, scope);
  if (e.CoalesceExpr) return common(((e.CoalesceExpr.args ?? []) as Node[]).map((a) => exprType(a, scope)));
  if (e.MinMaxExpr) return common(((e.MinMaxExpr.args ?? []) as Node[]).map((a) => exprType(a, scope)));
  if (e.CaseExpr) {
    const c = e.CaseExpr as Node;
    const results = ((c.args ?? []) as Node[]).map((w) => exprType(w.CaseWhen?.result, scope));
    results.push(c.defresult ? exprType(c.defresult, scope) : LITERAL);
    return common(results);
  }
  if (e.A_Expr?.kind === 'AEXPR_NULLIF') return exprType((e.A_Expr.args as Node[] | undefined)?.[0] ?? e.A_Expr.lexpr, scope);
  if (e.A_Indirection) return indirectionType(e.A_Indirection, scope);
  if (e.CollateClause) return exprType(e.CollateClause.arg, scope);
  if (e.SQLValueFunction) return NAME_SVF.has(e.SQLValueFunction.op as string) ? 19 : undefined;
  if (e.A_ArrayExpr) {
    const elems = ((e.A_ArrayExpr.elements ?? []) as Node[]).map((a) => exprType(a, scope));
    return elems.length > 0 ? arrayOf(common(elems)) : undefined;
  }
  if (e.SubLink) {
    const sl = e.SubLink as Node;
    if (sl.subLinkType === 'EXPR_SUBLINK') return subqueryType(sl.subselect, scope);
    if (sl.subLinkType === 'ARRAY_SUBLINK') return arrayOf(subqueryType(sl.subselect, scope));
    return undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------- parameters

const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

function noteParam(ctx: TypeContext, p: Node | undefined, t: Ty): void {
  const param = p?.ParamRef as Node | undefined;
  if (!param || !ctx.params) return;
  const n = Number(param.number);
  if (!known(t)) return;
  const had = ctx.params.get(n);
  ctx.params.set(n, had === undefined || had === t ? t : null);
}

/**
 * Parameters compared with typed expressions take their type, as an unknown-typed parameter
 * does in PostgreSQL: `c.oid = $1` (oid), `t.typname = $1` (name), `x = ANY($1)` (the array
 * type), `x IN ($1, $2)`. Subqueries are searched too.
 */
function scanConditions(e: unknown, scope: Scope): void {
  if (Array.isArray(e)) {
    for (const x of e) scanConditions(x, scope);
    return;
  }
  if (!e || typeof e !== 'object') return;
  const node = e as Node;
  const a = node.A_Expr as Node | undefined;
  if (a) {
    const op = names(a.name)[names(a.name).length - 1] ?? '';
    if (a.kind === 'AEXPR_OP' && COMPARISONS.has(op)) {
      noteParam(scope.ctx, a.rexpr, exprType(a.lexpr, scope));
      noteParam(scope.ctx, a.lexpr, exprType(a.rexpr, scope));
    } else if ((a.kind === 'AEXPR_OP_ANY' || a.kind === 'AEXPR_OP_ALL') && COMPARISONS.has(op)) {
      noteParam(scope.ctx, a.rexpr, arrayOf(exprType(a.lexpr, scope)));
    } else if (a.kind === 'AEXPR_IN') {
      const t = exprType(a.lexpr, scope);
      for (const x of ((a.rexpr?.List?.items ?? (Array.isArray(a.rexpr) ? a.rexpr : [])) as Node[])) noteParam(scope.ctx, x, t);
    }
  }
  const sub = node.SubLink as Node | undefined;
  if (sub) {
    if (sub.testexpr && sub.subLinkType === 'ANY_SUBLINK') scanConditions(sub.testexpr, scope);
    selectColumns(sub.subselect?.SelectStmt, scope.ctx, scope.ctes, scope);
    return;
  }
  for (const v of Object.values(node)) scanConditions(v, scope);
}

// ---------------------------------------------------------------- entry points

/** A result column's PostgreSQL type and type modifier (-1 for none). */
export interface ResultType {
  oid: number;
  typmod: number;
}

/**
 * PostgreSQL types of a SELECT's result columns, in order (`*` expanded); undefined for a
 * column whose type is DuckDB's to tell, and for the whole result when its columns cannot be
 * counted (a `*` over a relation of unknown columns).
 */
export function resultTypes(stmt: Node, ctx: TypeContext): (ResultType | undefined)[] | undefined {
  const s = stmt.SelectStmt as Node | undefined;
  if (!s || !statementTargets(stmt)) return undefined;
  const cols = selectColumns(s, ctx, new Map(), undefined);
  return cols?.map((c) => (known(c.type) ? { oid: c.type, typmod: c.typmod ?? -1 } : undefined));
}

/**
 * Types the statement gives its parameters: by casts (`$1::oid[]`) and by comparisons with
 * typed expressions (`c.oid = $1`); a parameter given different types is left out.
 */
export function parameterTypes(stmt: Node, ctx: OriginContext): Map<number, number> {
  const found = new Map<number, number | null>();
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
      return;
    }
    if (!n || typeof n !== 'object') return;
    const node = n as Node;
    const tc = node.TypeCast as Node | undefined;
    const p = tc?.arg?.ParamRef as Node | undefined;
    if (tc && p) {
      const num = Number(p.number);
      const t = typeOfTypeName(tc.typeName);
      const had = found.get(num);
      found.set(num, known(t) && (had === undefined || had === t) ? t : null);
    }
    for (const v of Object.values(node)) visit(v);
  };
  visit(stmt);
  // Parameters not cast are typed by what they are compared with.
  const compared = new Map<number, number | null>();
  if (stmt.SelectStmt) selectColumns(stmt.SelectStmt as Node, { table: (c, s, n) => ctx.table(c, s, n), params: compared }, new Map(), undefined);
  for (const [n, t] of compared) if (!found.has(n)) found.set(n, t);
  const out = new Map<number, number>();
  for (const [n, t] of found) if (t !== null) out.set(n, t);
  return out;
}
