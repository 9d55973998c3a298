/**
 * `json_agg(x ORDER BY ...)`, `jsonb_agg(DISTINCT x)`, `json_agg(x) FILTER (WHERE ...)`: the
 * functions module renames json_agg to DuckDB's json_group_array, a macro that takes no ORDER
 * BY, DISTINCT or FILTER. With any of those the aggregate becomes `to_json(array_agg(x ...))`,
 * which keeps them (NULL for no rows, as PostgreSQL). DISTINCT without ORDER BY is ordered by the
 * value, as PostgreSQL's sort for DISTINCT leaves it.
 */
import type { Token } from '../../sql/lexer.js';
import { funcName, str, walk, type Node, isBuiltin } from '../ast.js';
import type { RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  let agg = false;
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    if (t.value === 'JSON_AGG' || t.value === 'JSONB_AGG') agg = true;
    else if (agg && (t.value === 'ORDER' || t.value === 'DISTINCT' || t.value === 'FILTER')) return true;
  }
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'FuncCall' || p.over) return;
    const f = funcName(p);
    if ((f.name !== 'json_agg' && f.name !== 'jsonb_agg') || !isBuiltin(f)) return;
    if (!p.agg_order && !p.agg_distinct && !p.agg_filter) return;
    p.funcname = [str('array_agg')];
    // PostgreSQL sorts to find the distinct values and aggregates them in that order.
    if (p.agg_distinct && !p.agg_order && (p.args as Node[] | undefined)?.length === 1) {
      p.agg_order = [{ SortBy: { node: (p.args as Node[])[0], sortby_dir: 'SORTBY_DEFAULT', sortby_nulls: 'SORTBY_NULLS_DEFAULT' } }];
    }
    changed = true;
    return { replace: { FuncCall: { funcname: [str('to_json')], args: [{ FuncCall: p }], funcformat: 'COERCE_EXPLICIT_CALL' } }, skip: true };
  });
  return changed;
}

export const jsonAggregates: RewriteRule = { name: 'json-aggregates', trigger, apply };
