/**
 * `x = ANY(a)` and `x <> ALL(a)` where `a` is an array parameter or an array-valued expression
 * (a column, a function call, a subscript), not an `ARRAY[...]` literal or a subquery:
 *
 *  - with an array parameter (node-postgres sends JS arrays this way, as array text of unknown
 *    type) PostgreSQL types $1 as an array of x's type; DuckDB cannot type a parameter under ANY;
 *  - with an array expression DuckDB plans ANY as a subquery over unnest(a), which it cannot run
 *    in an outer join's condition (SQLAlchemy's get_indexes: `LEFT JOIN pg_attribute a ON ...
 *    AND a.attnum = ANY(ix.indkey)`).
 *
 * As `list_contains(a, x)` (and `NOT list_contains(a, x)`) DuckDB types $1 from x and evaluates
 * the test per row, and array text is converted to a list like any array parameter.
 * NULLs: a NULL x or array gives NULL as in PostgreSQL; an array holding NULL without a match
 * gives false where PostgreSQL gives NULL (the same in WHERE and ON, different under NOT).
 * A parameter with a cast (`= ANY($1::int[])`) is typed already and stays as it is; ARRAY[...]
 * literals stay DuckDB's (it runs them as an IN list).
 */
import type { Token } from '../../sql/lexer.js';
import { func, kindOf, names, not, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

/** Words that start what ANY( holds when it is not an array expression. */
const NOT_ARRAY_EXPRESSION = new Set(['SELECT', 'WITH', 'VALUES', 'ARRAY', 'TABLE']);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 2 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' || (t.value !== 'ANY' && t.value !== 'ALL' && t.value !== 'SOME') || tokens[i + 1]!.kind !== 'lparen') continue;
    const next = tokens[i + 2]!;
    if (next.kind === 'param' || next.kind === 'qident' || (next.kind === 'word' && !NOT_ARRAY_EXPRESSION.has(next.value))) return true;
  }
  return false;
}

/** An array the rule leaves alone: a literal (ARRAY[...], '{...}'), a typed parameter, or casts of those. */
function keep(a: Node): boolean {
  const k = kindOf(a);
  if (k === 'A_ArrayExpr' || k === 'A_Const') return true;
  if (k === 'TypeCast') {
    const arg = a.TypeCast.arg as Node;
    const ak = kindOf(arg);
    return ak === 'ParamRef' || ak === 'A_ArrayExpr' || ak === 'A_Const';
  }
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'A_Expr' || !p.rexpr || !p.lexpr || keep(p.rexpr as Node)) return;
    const op = names(p.name);
    if (op.length !== 1) return;
    if (p.kind === 'AEXPR_OP_ANY' && op[0] === '=') {
      changed = true;
      return func('list_contains', [p.rexpr, p.lexpr]);
    }
    if (p.kind === 'AEXPR_OP_ALL' && (op[0] === '<>' || op[0] === '!=')) {
      changed = true;
      return not(func('list_contains', [p.rexpr, p.lexpr]));
    }
  });
  return changed;
}

export const anyParameter: RewriteRule = { name: 'any-parameter', trigger, apply };
