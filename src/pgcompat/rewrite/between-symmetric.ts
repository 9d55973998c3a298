/**
 * `x BETWEEN SYMMETRIC a AND b` (and NOT BETWEEN SYMMETRIC), which DuckDB's parser refuses
 * ("Expression type T_List"): `(x BETWEEN a AND b OR x BETWEEN b AND a)`, PostgreSQL's
 * definition (NULL bounds give what PostgreSQL gives).
 */
import type { Token } from '../../sql/lexer.js';
import { walk, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) if (tokens[i]!.value === 'BETWEEN' && tokens[i + 1]!.value === 'SYMMETRIC') return true;
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'A_Expr' || (p.kind !== 'AEXPR_BETWEEN_SYM' && p.kind !== 'AEXPR_NOT_BETWEEN_SYM')) return;
    const bounds = (p.rexpr?.List?.items as Node[] | undefined) ?? [];
    if (bounds.length !== 2) return;
    const sql = '(__arg_x BETWEEN __arg_a AND __arg_b OR __arg_x BETWEEN __arg_b AND __arg_a)';
    changed = true;
    return expr(p.kind === 'AEXPR_NOT_BETWEEN_SYM' ? `NOT ${sql}` : sql, { x: p.lexpr as Node, a: bounds[0]!, b: bounds[1]! });
  });
  return changed;
}

export const betweenSymmetric: RewriteRule = { name: 'between-symmetric', trigger, apply };
