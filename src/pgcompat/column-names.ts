/**
 * Result column names as PostgreSQL gives them (parse_target.c, FigureColname): `count`, `sum`,
 * `?column?`, `case`, `coalesce`, the function's or the cast type's name, ... rather than
 * DuckDB's expression text (`count_star()`, `(1 + 1)`). Computed from the client's statement
 * with PostgreSQL's grammar; only RowDescription uses them, the SQL DuckDB runs is unchanged.
 */
import { lastName, names, type Node } from './ast.js';

const SVF_NAMES: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

const XML_NAMES: Record<string, string> = {
  IS_XMLCONCAT: 'xmlconcat',
  IS_XMLELEMENT: 'xmlelement',
  IS_XMLFOREST: 'xmlforest',
  IS_XMLPARSE: 'xmlparse',
  IS_XMLPI: 'xmlpi',
  IS_XMLROOT: 'xmlroot',
  IS_XMLSERIALIZE: 'xmlserialize',
  IS_DOCUMENT: '?column?',
};

/** FigureColnameInternal: a name and its strength (0 none, 1 weak, 2 strong). */
function figure(node: Node | undefined): [string | undefined, number] {
  if (!node) return [undefined, 0];
  if (node.ColumnRef) {
    const f = names(node.ColumnRef.fields);
    const last = f[f.length - 1];
    return last && last !== '*' ? [last, 2] : [undefined, 0];
  }
  if (node.A_Indirection) {
    // The last field name, ignoring `*` and subscripts.
    const ind = (node.A_Indirection.indirection as Node[] | undefined) ?? [];
    let field: string | undefined;
    for (const i of ind) if (i.String) field = i.String.sval as string;
    if (field !== undefined) return [field, 2];
    return figure(node.A_Indirection.arg);
  }
  if (node.FuncCall) return [lastName(node.FuncCall.funcname), 2];
  if (node.A_Expr) {
    if (node.A_Expr.kind === 'AEXPR_NULLIF') return ['nullif', 2];
    return [undefined, 0];
  }
  if (node.TypeCast) {
    const [n, s] = figure(node.TypeCast.arg);
    if (s <= 1 && node.TypeCast.typeName) return [lastName(node.TypeCast.typeName.names), 1];
    return [n, s];
  }
  if (node.CollateClause) return figure(node.CollateClause.arg);
  if (node.GroupingFunc) return ['grouping', 2];
  if (node.MergeSupportFunc) return ['merge_action', 2];
  if (node.SubLink) {
    const sl = node.SubLink;
    switch (sl.subLinkType) {
      case 'EXISTS_SUBLINK':
        return ['exists', 2];
      case 'ARRAY_SUBLINK':
        return ['array', 2];
      case 'EXPR_SUBLINK': {
        // The name of the subquery's single column.
        const targets = selectTargets(sl.subselect);
        const first = targets?.[0];
        if (first && first.kind === 'column') return [first.name, 2];
        return [undefined, 0];
      }
      default:
        return [undefined, 0];
    }
  }
  if (node.CaseExpr) {
    const [n, s] = figure(node.CaseExpr.defresult);
    if (s <= 1) return ['case', 1];
    return [n, s];
  }
  if (node.A_ArrayExpr) return ['array', 2];
  if (node.RowExpr) return ['row', 2];
  if (node.CoalesceExpr) return ['coalesce', 2];
  if (node.MinMaxExpr) return [node.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least', 2];
  if (node.SQLValueFunction) return [SVF_NAMES[node.SQLValueFunction.op as string], 2];
  if (node.XmlExpr) {
    const n = XML_NAMES[node.XmlExpr.op as string];
    return n && n !== '?column?' ? [n, 2] : [undefined, 0];
  }
  if (node.XmlSerialize) return ['xmlserialize', 2];
  if (node.JsonObjectConstructor) return ['json_object', 2];
  if (node.JsonArrayConstructor || node.JsonArrayQueryConstructor) return ['json_array', 2];
  if (node.JsonObjectAgg) return ['json_objectagg', 2];
  if (node.JsonArrayAgg) return ['json_arrayagg', 2];
  if (node.JsonFuncExpr) {
    const op = String(node.JsonFuncExpr.op ?? '');
    return [op === 'JSON_EXISTS_OP' ? 'json_exists' : op === 'JSON_QUERY_OP' ? 'json_query' : op === 'JSON_VALUE_OP' ? 'json_value' : 'json', 2];
  }
  return [undefined, 0];
}

/** FigureColname: the name PostgreSQL gives a select-list expression without an alias. */
export function figureColname(node: Node | undefined): string {
  return figure(node)[0] ?? '?column?';
}

/** One entry of a statement's output list: a named column, or `*` / `alias.*` to expand. */
export type Target =
  | { kind: 'column'; name: string; expr: Node | undefined }
  | { kind: 'star'; qualifier: string[] };

/** The output list of a SELECT (its leftmost branch for UNION/INTERSECT/EXCEPT; VALUES: column1...). */
export function selectTargets(select: Node | undefined): Target[] | undefined {
  let s = select?.SelectStmt as Node | undefined;
  while (s && s.op && s.op !== 'SETOP_NONE') s = s.larg as Node | undefined;
  if (!s) return undefined;
  if (s.valuesLists) {
    const first = (s.valuesLists as Node[])[0]?.List?.items as Node[] | undefined;
    return (first ?? []).map((e, i) => ({ kind: 'column', name: `column${i + 1}`, expr: e }));
  }
  return targetList(s.targetList as Node[] | undefined);
}

function targetList(list: Node[] | undefined): Target[] {
  const out: Target[] = [];
  for (const item of list ?? []) {
    const rt = item.ResTarget as Node | undefined;
    if (!rt) continue;
    const val = rt.val as Node | undefined;
    const cr = val?.ColumnRef as Node | undefined;
    if (cr && (cr.fields as Node[]).some((f) => f.A_Star)) {
      out.push({ kind: 'star', qualifier: names(cr.fields).slice(0, -1) });
      continue;
    }
    out.push({ kind: 'column', name: (rt.name as string | undefined) ?? figureColname(val), expr: val });
  }
  return out;
}

/** The output list of a statement that returns rows (SELECT, VALUES, TABLE, DML ... RETURNING); undefined for others. */
export function statementTargets(stmt: Node): Target[] | undefined {
  if (stmt.SelectStmt) return selectTargets(stmt);
  for (const k of ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']) {
    const p = stmt[k] as Node | undefined;
    if (!p) continue;
    const list = (p.returningClause?.exprs ?? p.returningList) as Node[] | undefined;
    return list ? targetList(list) : undefined;
  }
  return undefined;
}
