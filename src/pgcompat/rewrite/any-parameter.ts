/**
 * `x = ANY($1)` and `x <> ALL($1)` with an array parameter (node-postgres sends JS arrays this
 * way, as array text of unknown type). PostgreSQL types $1 as an array of x's type; DuckDB
 * cannot type a parameter under ANY. As `list_contains($1, x)` (and `NOT list_contains($1, x)`)
 * DuckDB types $1 from x, and the array text is converted to a list like any array parameter.
 * NULLs: a NULL x or array gives NULL as in PostgreSQL; an array holding NULL without a match
 * gives false where PostgreSQL gives NULL (the same in WHERE, different under NOT).
 * A parameter with a cast (`= ANY($1::int[])`) is typed already and stays as it is.
 */
import type { Token } from '../../sql/lexer.js';
import { func, names, not, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 3 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'word' && (t.value === 'ANY' || t.value === 'ALL' || t.value === 'SOME') && tokens[i + 1]!.kind === 'lparen' && tokens[i + 2]!.kind === 'param' && tokens[i + 3]!.kind === 'rparen') return true;
  }
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'A_Expr' || !p.rexpr?.ParamRef || !p.lexpr) return;
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
