/**
 * The PostgreSQL parse tree (libpg_query's JSON, as pgsql-parser returns it) seen structurally,
 * with the few helpers the rewrites share: a walker that can replace nodes, node builders, and
 * readers for names and constants.
 *
 * A node is a one-key object `{ Kind: payload }` (`{ ColumnRef: { fields: [...] } }`); some fields
 * hold a payload directly (`TypeCast.typeName`, `InsertStmt.relation`, `RangeVar.alias`).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = Record<string, any>;

/** `{ Kind: payload }` → 'Kind' when `n` is a node (one key, capitalised, object payload). */
export function kindOf(n: unknown): string | undefined {
  if (!n || typeof n !== 'object' || Array.isArray(n)) return undefined;
  const keys = Object.keys(n);
  if (keys.length !== 1) return undefined;
  const k = keys[0]!;
  const c = k.charCodeAt(0);
  if (c < 65 || c > 90) return undefined;
  const v = (n as Node)[k];
  return v && typeof v === 'object' && !Array.isArray(v) ? k : undefined;
}

export interface VisitInfo {
  /** Payloads of the enclosing nodes, outermost first, with their kinds. */
  readonly ancestors: readonly { kind: string; node: Node; field: string }[];
  /** Field of the parent payload holding this node (array fields: the array's name). */
  readonly field: string;
}

/**
 * Visits every node of the tree, pre-order. The callback may return a replacement node (which
 * is then visited instead, unless `skip` is returned with it) or `false` to skip the node's
 * children.
 */
export type Visitor = (kind: string, payload: Node, info: VisitInfo) => Node | false | void | { replace: Node; skip: true };

export function walk(root: unknown, visit: Visitor): void {
  const ancestors: { kind: string; node: Node; field: string }[] = [];
  const visitValue = (holder: Node | unknown[], key: string | number, field: string): void => {
    let v = (holder as Node)[key as string];
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) visitValue(v, i, field);
      return;
    }
    let kind = kindOf(v);
    if (kind) {
      for (let guard = 0; guard < 8; guard++) {
        const r = visit(kind, v[kind], { ancestors, field });
        if (r === false) return;
        if (r && typeof r === 'object' && 'skip' in r && (r as { skip: unknown }).skip === true) {
          (holder as Node)[key as string] = (r as { replace: Node }).replace;
          return;
        }
        if (r && typeof r === 'object') {
          (holder as Node)[key as string] = r;
          v = r;
          const k2 = kindOf(v);
          if (!k2) return;
          if (k2 !== kind) {
            kind = k2; // let the callback see the new kind
            continue;
          }
          return descend(k2, v[k2]);
        }
        return descend(kind, v[kind]);
      }
      return;
    }
    // A payload held directly (TypeCast.typeName, RangeVar.alias, InsertStmt.relation, ...).
    for (const k of Object.keys(v)) visitValue(v, k, k);
  };
  const descend = (kind: string, payload: Node): void => {
    if (!payload || typeof payload !== 'object') return;
    for (const k of Object.keys(payload)) {
      ancestors.push({ kind, node: payload, field: k });
      visitValue(payload, k, k);
      ancestors.pop();
    }
  };
  if (Array.isArray(root)) for (let i = 0; i < root.length; i++) visitValue(root, i, '');
  else if (root && typeof root === 'object') {
    const kind = kindOf(root);
    if (kind) visitValue({ root }, 'root', '');
    else for (const k of Object.keys(root)) visitValue(root as Node, k, k);
  }
}

// ------------------------------------------------------------------ readers

/** The strings of a name list (`[{String:{sval:'pg_catalog'}},{String:{sval:'int4'}}]`). */
export function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => (n as Node)?.String?.sval ?? ((n as Node)?.A_Star ? '*' : ''));
}

/** The last name of a list, lower-cased as given (the parser already folded it). */
export function lastName(list: unknown): string {
  const n = names(list);
  return n[n.length - 1] ?? '';
}

/** A function's name and schema: pg_catalog.version → { schema: 'pg_catalog', name: 'version' }. */
export function funcName(fc: Node): { catalog?: string; schema?: string; name: string } {
  const n = names(fc.funcname);
  if (n.length === 1) return { name: n[0]! };
  if (n.length === 2) return { schema: n[0], name: n[1]! };
  return { catalog: n[n.length - 3], schema: n[n.length - 2], name: n[n.length - 1]! };
}

/** Whether a function name (funcName) names a built-in: unqualified or in pg_catalog. */
export function isBuiltin(f: { catalog?: string; schema?: string }): boolean {
  return !f.catalog && (f.schema === undefined || f.schema === 'pg_catalog');
}

/**
 * Replaces calls of built-in functions (isBuiltin; not `count(*)`-style calls nor window calls):
 * `replacement(name, args)` gives the node to put in the call's place (then walked like any
 * other), or undefined to leave the call. True when something was replaced.
 */
export function replaceBuiltinCalls(root: unknown, replacement: (name: string, args: Node[]) => Node | undefined): boolean {
  let changed = false;
  walk(root, (kind, p) => {
    if (kind !== 'FuncCall' || p.agg_star || p.over) return;
    const f = funcName(p);
    if (!isBuiltin(f)) return;
    const out = replacement(f.name, (p.args as Node[] | undefined) ?? []);
    if (!out) return;
    changed = true;
    return out;
  });
  return changed;
}

/**
 * The columns of a join (a JoinExpr payload) from its two sides' columns, in PostgreSQL's order:
 * the USING (or NATURAL) columns first, each made by `merge` from the sides' columns of that name
 * (names match case-insensitively), then the left side's other columns, then the right side's.
 */
export function joinColumns<C extends { name: string }>(join: Node, left: C[], right: C[], merge: (name: string, l: C | undefined, r: C | undefined) => C): C[] {
  const lower = (s: string) => s.toLowerCase();
  const using = join.isNatural ? left.map((c) => c.name).filter((n) => right.some((rc) => lower(rc.name) === lower(n))) : names(join.usingClause);
  const usingSet = new Set(using.map(lower));
  const merged = using.map((n) =>
    merge(
      n,
      left.find((c) => lower(c.name) === lower(n)),
      right.find((c) => lower(c.name) === lower(n)),
    ),
  );
  return [...merged, ...left.filter((c) => !usingSet.has(lower(c.name))), ...right.filter((c) => !usingSet.has(lower(c.name)))];
}

/** The string of a string constant (`'abc'`), else undefined. */
export function stringConst(n: Node | undefined): string | undefined {
  const c = n?.A_Const;
  if (!c || c.isnull) return undefined;
  if (c.sval) return c.sval.sval ?? '';
  return undefined;
}

/** The value of a constant as PostgreSQL's text input would see it (numbers, strings, booleans). */
export function constText(n: Node | undefined): string | null | undefined {
  const c = n?.A_Const;
  if (!c) return undefined;
  if (c.isnull) return null;
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return String(c.fval.fval);
  if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  if (c.bsval) return String(c.bsval.bsval);
  return '0';
}

/** `true`/`false` of a boolean constant (also 't', 'on', 1...), else undefined. */
export function boolConst(n: Node | undefined): boolean | undefined {
  const c = n?.A_Const;
  if (!c || c.isnull) return undefined;
  if (c.boolval !== undefined) return !!c.boolval.boolval;
  if (c.ival !== undefined) return (c.ival.ival ?? 0) !== 0;
  if (n?.TypeCast) return boolConst(n.TypeCast.arg);
  const s = stringConst(n)?.trim().toLowerCase();
  if (s === undefined) return undefined;
  if (['t', 'true', 'on', 'yes', 'y', '1'].includes(s)) return true;
  if (['f', 'false', 'off', 'no', 'n', '0'].includes(s)) return false;
  return undefined;
}

// ------------------------------------------------------------------ builders

export const str = (sval: string): Node => ({ String: { sval } });

export function aConst(value: string | number | boolean | null): Node {
  if (value === null) return { A_Const: { isnull: true } };
  if (typeof value === 'boolean') return { A_Const: { boolval: { boolval: value } } };
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) <= 2147483647) return { A_Const: { ival: value === 0 ? {} : { ival: value } } };
    return { A_Const: { fval: { fval: String(value) } } };
  }
  return { A_Const: { sval: { sval: value } } };
}

/** A type name: 'bigint' → pg_catalog.int8 style names are not needed; DuckDB reads plain names. */
export function typeName(name: string, opts: { array?: boolean; schema?: string } = {}): Node {
  const t: Node = { names: opts.schema ? [str(opts.schema), str(name)] : [str(name)], typemod: -1 };
  if (opts.array) t.arrayBounds = [{ Integer: { ival: -1 } }];
  return t;
}

export function cast(arg: Node, type: Node): Node {
  return { TypeCast: { arg, typeName: type } };
}

export function func(name: string | string[], args: Node[] = []): Node {
  const parts = Array.isArray(name) ? name : [name];
  const fc: Node = { funcname: parts.map(str), funcformat: 'COERCE_EXPLICIT_CALL' };
  if (args.length > 0) fc.args = args;
  return { FuncCall: fc };
}

export function columnRef(...fields: string[]): Node {
  return { ColumnRef: { fields: fields.map(str) } };
}

export function op(name: string, lexpr: Node | undefined, rexpr: Node): Node {
  const e: Node = { kind: 'AEXPR_OP', name: [str(name)], rexpr };
  if (lexpr) e.lexpr = lexpr;
  return { A_Expr: e };
}

export function not(arg: Node): Node {
  return { BoolExpr: { boolop: 'NOT_EXPR', args: [arg] } };
}

export function arrayExpr(elements: Node[]): Node {
  return elements.length > 0 ? { A_ArrayExpr: { elements } } : { A_ArrayExpr: {} };
}

/** `(SELECT ...)` from a SelectStmt payload. */
export function scalarSubquery(select: Node): Node {
  return { SubLink: { subLinkType: 'EXPR_SUBLINK', subselect: { SelectStmt: select } } };
}

export function coalesce(...args: Node[]): Node {
  return { CoalesceExpr: { args } };
}

export function caseWhen(whens: [Node, Node][], otherwise?: Node): Node {
  const c: Node = { args: whens.map(([expr, result]) => ({ CaseWhen: { expr, result } })) };
  if (otherwise) c.defresult = otherwise;
  return { CaseExpr: c };
}

/** A deep copy (parse results are cached and shared; rewrites work on copies). */
export function clone<T>(n: T): T {
  return structuredClone(n);
}
