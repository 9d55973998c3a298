/**
 * Array concatenation with `||`. PostgreSQL's `a || b` over arrays treats a NULL array as empty
 * (`NULL::text[] || ARRAY['x']` is `{x}`); DuckDB's `||` gives NULL. psql's \d builds its
 * options column as `array_to_string(c.reloptions || array(select ...), ', ')` and expects ''.
 *
 *   a || ARRAY[...], ARRAY(SELECT ...) || a, a || x::text[]
 *     → CASE WHEN a IS NULL AND b IS NULL THEN NULL ELSE list_concat(a, b) END
 *
 * (list_concat treats a NULL list as empty, and gives [] for two NULLs where PostgreSQL gives NULL.)
 *
 * Only where one operand is an array by its form (an ARRAY constructor, an ARRAY subquery or a
 * cast to an array type); `||` between strings, and array-element concatenation
 * (`ARRAY[1] || 2`, which DuckDB does not have), are left alone.
 */
import type { Token } from '../../sql/lexer.js';
import { kindOf, names, walk, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  let concat = false;
  let array = false;
  for (const t of tokens) {
    // Operator characters run together in the lexer: `x::text[]||y` is one token.
    if (t.kind === 'op' && t.value.includes('||')) concat = true;
    if ((t.kind === 'word' && t.value === 'ARRAY') || (t.kind === 'op' && t.value.includes('['))) array = true;
  }
  return concat && array;
}

/** An operand that is an array by its form. */
function isArray(n: Node | undefined): boolean {
  const k = kindOf(n);
  if (k === 'A_ArrayExpr') return true;
  if (k === 'SubLink') return n!.SubLink.subLinkType === 'ARRAY_SUBLINK';
  if (k === 'TypeCast') return Array.isArray(n!.TypeCast.typeName?.arrayBounds) && n!.TypeCast.typeName.arrayBounds.length > 0;
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'A_Expr' || p.kind !== 'AEXPR_OP' || !p.lexpr || !p.rexpr) return;
    const n = names(p.name);
    if (n[n.length - 1] !== '||' || n.length > 2) return;
    const [l, r] = [isArray(p.lexpr as Node), isArray(p.rexpr as Node)];
    // Both must be arrays: one by its form, the other an array expression DuckDB can concatenate
    // (an element on either side would be PostgreSQL's append/prepend).
    if (!l && !r) return;
    const other = (l ? p.rexpr : p.lexpr) as Node;
    const ok = isArray(other) || ['ColumnRef', 'FuncCall', 'A_Indirection', 'CoalesceExpr', 'A_Expr'].includes(kindOf(other) ?? '');
    if (!ok) return;
    changed = true;
    return expr('CASE WHEN __arg_a IS NULL AND __arg_b IS NULL THEN NULL ELSE list_concat(__arg_a, __arg_b) END', { a: p.lexpr as Node, b: p.rexpr as Node });
  });
  return changed;
}

export const arrayConcat: RewriteRule = { name: 'array-concat', trigger, apply };
