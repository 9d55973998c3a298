/**
 * Table OID and column number of result columns that come straight from a lake table column
 * (RowDescription's table OID and attribute number, which pgjdbc's ResultSetMetaData,
 * psycopg's Column and DBeaver's result editors read): `SELECT a, b FROM t`, `SELECT * FROM t`,
 * aliases, qualified names, joins, subqueries and CTEs that pass a column through. Anything
 * else (expressions, views, catalog relations, set operations, table functions) has 0, as in
 * PostgreSQL for expressions.
 */
import { joinColumns, names, type Node } from './ast.js';
import { selectTargets, statementTargets, type Target } from './column-names.js';

export interface Origin {
  tableOid: number;
  attnum: number;
}

export interface OriginContext {
  /** A lake table by (optional) catalog, (optional) schema and name; unqualified names follow search_path. */
  table(catalog: string | undefined, schema: string | undefined, name: string): { oid: number; columns: string[] } | undefined;
}

/** A relation in a FROM clause: the names it exposes and its columns (null when they are unknown). */
interface Item {
  /** Names it can be referenced by (alias, or relation name); several for an unaliased join. */
  refNames: string[];
  /** Its relation name when it was not aliased (for schema.table.column references). */
  relname?: string;
  columns: { name: string; origin: Origin | null }[] | null;
  /** Joined items without an alias stay reachable by their own names. */
  parts?: Item[];
}

interface Scope {
  items: Item[];
  ctes: Map<string, { name: string; origin: Origin | null }[] | null>;
}

const lower = (s: string) => s.toLowerCase();

type Column = { name: string; origin: Origin | null };

/**
 * Per entry of the statement's output list (statementTargets), its columns with their origins:
 * one for a column, the expansion of `*` (undefined when the relation's columns are unknown).
 */
export function statementOrigins(stmt: Node, ctx: OriginContext): (Column[] | undefined)[] | undefined {
  const targets = statementTargets(stmt);
  if (!targets) return undefined;
  let scope: Scope;
  if (stmt.SelectStmt) {
    const s = stmt.SelectStmt as Node;
    // Set operations and VALUES: no column comes from one table column.
    if ((s.op && s.op !== 'SETOP_NONE') || s.valuesLists) return targets.map((t) => (t.kind === 'column' ? [{ name: t.name, origin: null }] : undefined));
    scope = selectScope(s, ctx, new Map());
  } else {
    const k = Object.keys(stmt)[0]!;
    const p = stmt[k] as Node;
    const ctes = withCtes(p.withClause, ctx, new Map());
    const items: Item[] = [];
    if (p.relation) items.push(rangeVarItem({ ...p.relation }, ctx, ctes));
    for (const f of (p.fromClause ?? p.usingClause ?? []) as Node[]) items.push(fromItem(f, ctx, ctes));
    scope = { items, ctes };
  }
  return targets.map((t) => expandOne(t, scope));
}

function expandWithoutOrigins(targets: Target[]): Column[] | undefined {
  if (targets.some((t) => t.kind === 'star')) return undefined;
  return targets.map((t) => ({ name: (t as { name: string }).name, origin: null }));
}

/** The output columns of a SELECT with their origins; null when they cannot be determined. */
function selectColumns(select: Node | undefined, ctx: OriginContext, outer: Scope['ctes']): { name: string; origin: Origin | null }[] | null {
  const s = select?.SelectStmt as Node | undefined;
  if (!s) return null;
  if ((s.op && s.op !== 'SETOP_NONE') || s.valuesLists) {
    const targets = selectTargets(select);
    return (targets && expandWithoutOrigins(targets)) ?? null;
  }
  const targets = selectTargets(select);
  if (!targets) return null;
  return expand(targets, selectScope(s, ctx, outer)) ?? null;
}

function withCtes(withClause: Node | undefined, ctx: OriginContext, outer: Scope['ctes']): Scope['ctes'] {
  const ctes = new Map(outer);
  for (const c of (withClause?.ctes ?? []) as Node[]) {
    const cte = c.CommonTableExpr as Node | undefined;
    if (!cte) continue;
    let cols = withClause?.recursive ? null : selectColumns(cte.ctequery, ctx, ctes);
    const aliases = names(cte.aliascolnames);
    if (cols && aliases.length > 0) cols = cols.map((c, i) => ({ name: aliases[i] ?? c.name, origin: c.origin }));
    ctes.set(cte.ctename as string, cols);
  }
  return ctes;
}

function selectScope(s: Node, ctx: OriginContext, outer: Scope['ctes']): Scope {
  const ctes = withCtes(s.withClause, ctx, outer);
  return { items: ((s.fromClause ?? []) as Node[]).map((f) => fromItem(f, ctx, ctes)), ctes };
}

function renamed(cols: Item['columns'], alias: Node | undefined): Item['columns'] {
  const colnames = names(alias?.colnames);
  if (!cols || colnames.length === 0) return cols;
  return cols.map((c, i) => ({ name: colnames[i] ?? c.name, origin: c.origin }));
}

function rangeVarItem(rv: Node, ctx: OriginContext, ctes: Scope['ctes']): Item {
  const rel = rv.relname as string;
  const alias = rv.alias?.aliasname as string | undefined;
  let columns: Item['columns'] = null;
  if (!rv.schemaname && !rv.catalogname && ctes.has(rel)) columns = ctes.get(rel) ?? null;
  else {
    const t = ctx.table(rv.catalogname, rv.schemaname, rel);
    if (t) columns = t.columns.map((name, i) => ({ name, origin: { tableOid: t.oid, attnum: i + 1 } }));
  }
  return { refNames: [alias ?? rel], relname: alias ? undefined : rel, columns: renamed(columns, rv.alias) };
}

function fromItem(f: Node, ctx: OriginContext, ctes: Scope['ctes']): Item {
  if (f.RangeVar) return rangeVarItem(f.RangeVar, ctx, ctes);
  if (f.RangeSubselect) {
    const rs = f.RangeSubselect as Node;
    const cols = rs.lateral ? null : selectColumns(rs.subquery, ctx, ctes);
    return { refNames: rs.alias ? [rs.alias.aliasname as string] : [], columns: renamed(cols, rs.alias) };
  }
  if (f.JoinExpr) {
    const j = f.JoinExpr as Node;
    const l = fromItem(j.larg, ctx, ctes);
    const r = fromItem(j.rarg, ctx, ctes);
    let columns: Item['columns'] = null;
    if (l.columns && r.columns) {
      // A merged column is the left one for inner/left joins, the right one for right joins, neither for full joins.
      columns = joinColumns(j, l.columns, r.columns, (name, lc, rc) => ({
        name,
        origin: j.jointype === 'JOIN_FULL' ? null : j.jointype === 'JOIN_RIGHT' ? (rc?.origin ?? null) : (lc?.origin ?? null),
      }));
    }
    if (j.alias) return { refNames: [j.alias.aliasname as string], columns: renamed(columns, j.alias) };
    return { refNames: [], columns, parts: [l, r] };
  }
  // Table functions, XMLTABLE, ...: columns unknown.
  const alias = (f.RangeFunction?.alias ?? f.RangeTableFunc?.alias) as Node | undefined;
  return { refNames: alias ? [alias.aliasname as string] : [], columns: null };
}

/** Items reachable by name: aliased items, and the parts of unaliased joins. */
function leaves(items: Item[]): Item[] {
  const out: Item[] = [];
  for (const it of items) {
    if (it.parts) out.push(...leaves(it.parts));
    else out.push(it);
  }
  return out;
}

function resolveColumn(fields: string[], scope: Scope): Origin | null {
  const col = lower(fields[fields.length - 1]!);
  const all = leaves(scope.items);
  if (fields.length === 1) {
    // Unqualified: the one relation that has the column (unknown relations make it ambiguous).
    let found: Origin | null | undefined;
    for (const it of scope.items) {
      if (!it.columns) {
        // A join of known parts still knows its own columns via the parts.
        return null;
      }
      const hits = it.columns.filter((c) => lower(c.name) === col);
      if (hits.length > 1 || (hits.length === 1 && found !== undefined)) return null;
      if (hits.length === 1) found = hits[0]!.origin;
    }
    return found ?? null;
  }
  const qual = lower(fields[fields.length - 2]!);
  const candidates = all.filter((it) => it.refNames.some((n) => lower(n) === qual) || (fields.length >= 3 && it.relname !== undefined && lower(it.relname) === qual));
  if (candidates.length !== 1 || !candidates[0]!.columns) return null;
  const hits = candidates[0]!.columns.filter((c) => lower(c.name) === col);
  return hits.length === 1 ? hits[0]!.origin : null;
}

function expandOne(t: Target, scope: Scope): Column[] | undefined {
  if (t.kind === 'column') {
    const cr = t.expr?.ColumnRef as Node | undefined;
    return [{ name: t.name, origin: cr ? resolveColumn(names(cr.fields), scope) : null }];
  }
  if (t.qualifier.length === 0) {
    const out: Column[] = [];
    for (const it of scope.items) {
      if (!it.columns) return undefined;
      out.push(...it.columns);
    }
    return out;
  }
  const qual = lower(t.qualifier[t.qualifier.length - 1]!);
  const cand = leaves(scope.items).filter((it) => it.refNames.some((n) => lower(n) === qual) || (t.qualifier.length >= 2 && it.relname !== undefined && lower(it.relname) === qual));
  if (cand.length !== 1 || !cand[0]!.columns) return undefined;
  return cand[0]!.columns;
}

function expand(targets: Target[], scope: Scope): Column[] | undefined {
  const out: Column[] = [];
  for (const t of targets) {
    const cols = expandOne(t, scope);
    if (!cols) return undefined;
    out.push(...cols);
  }
  return out;
}

