/**
 * `x LIKE ANY (ARRAY['a%', 'b%'])`, `x ILIKE ALL (arr)`, `x NOT LIKE ANY ('{a%,b%}')`: DuckDB
 * refuses LIKE with ANY/ALL ("Unsupported comparison ~~* for ANY/ALL subquery"). Each pattern
 * is tested in a lambda and the results combined:
 *
 *   x ILIKE ANY (arr) → list_aggregate(list_transform(arr, __p -> x ILIKE __p), 'bool_or')
 *
 * (ALL: bool_and; an empty array gives false for ANY and true for ALL, a NULL array NULL, as
 * PostgreSQL; NULL elements are skipped where PostgreSQL would give NULL). The LIKEs
 * are then given PostgreSQL's escape character by the like-escape module. Untyped array text
 * ('{a%,b%}') is read as PostgreSQL reads it.
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, arrayExpr, lastName, stringConst, walk, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';
import { textArray } from './json-functions.js';

const LIKE_OPS = new Set(['~~', '~~*', '!~~', '!~~*']);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    if ((t.value === 'LIKE' || t.value === 'ILIKE' || t.value === '~~' || t.value === '~~*' || t.value === '!~~' || t.value === '!~~*') && (tokens[i + 1]!.value === 'ANY' || tokens[i + 1]!.value === 'ALL' || tokens[i + 1]!.value === 'SOME')) return true;
  }
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'A_Expr' || (p.kind !== 'AEXPR_OP_ANY' && p.kind !== 'AEXPR_OP_ALL')) return;
    const op = lastName(p.name);
    if (!LIKE_OPS.has(op) || !p.lexpr || !p.rexpr) return;
    let arr = p.rexpr as Node;
    const text = stringConst(arr);
    if (text !== undefined) {
      const items = textArray(text);
      if (!items) return;
      arr = arrayExpr(items.map((v) => (v === 'NULL' ? aConst(null) : aConst(v))));
    }
    if (arr.SubLink) return;
    const test = { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: op } }], lexpr: p.lexpr, rexpr: { ColumnRef: { fields: [{ String: { sval: '__p' } }] } } } };
    changed = true;
    const any = p.kind === 'AEXPR_OP_ANY';
    return expr(
      `CASE WHEN __arg_a IS NULL THEN NULL WHEN len(__arg_a) = 0 THEN ${any ? 'false' : 'true'} ELSE list_aggregate(list_transform(CAST(__arg_a AS VARCHAR[]), __p -> __arg_t), '${any ? 'bool_or' : 'bool_and'}') END`,
      { a: arr, t: test },
    );
  });
  return changed;
}

export const likeAny: RewriteRule = { name: 'like-any', trigger, apply };
