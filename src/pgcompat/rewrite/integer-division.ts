/**
 * Integer division. In PostgreSQL `7 / 2` is 3 when both operands are integers; DuckDB's `/`
 * always divides as floating point (3.5) and has `//` for integer division. Where both operands
 * are integers by their form, the division becomes `//` (which truncates toward zero, as
 * PostgreSQL does): integer constants, casts to smallint/integer/bigint (`x::int / 100`, as
 * Grafana's version check writes), count(...), length-like functions, and +, -, *, % of those.
 * Operands whose type is known only to the engine (columns, parameters) are left alone.
 */
import type { Token } from '../../sql/lexer.js';
import { funcName, lastName, names, str, walk, type Node, isBuiltin } from '../ast.js';
import type { RewriteRule } from './rule.js';

const INT_TYPES = new Set(['int2', 'int4', 'int8', 'smallint', 'integer', 'int', 'bigint']);
const INT_FUNCTIONS = new Set(['count', 'length', 'char_length', 'character_length', 'octet_length', 'bit_length', 'array_length', 'cardinality', 'strpos', 'position', 'ascii', 'pg_backend_pid']);

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'op' && t.value === '/') return true;
  return false;
}

function isInteger(n: Node | undefined): boolean {
  if (!n) return false;
  if (n.A_Const) return n.A_Const.ival !== undefined;
  if (n.TypeCast) return !n.TypeCast.typeName?.arrayBounds && INT_TYPES.has(lastName(n.TypeCast.typeName?.names));
  if (n.FuncCall) {
    const f = funcName(n.FuncCall);
    return isBuiltin(f) && INT_FUNCTIONS.has(f.name);
  }
  if (n.A_Expr && n.A_Expr.kind === 'AEXPR_OP') {
    const op = names(n.A_Expr.name);
    if (op.length !== 1) return false;
    if (op[0] === '//') return true;
    if (!['+', '-', '*', '%'].includes(op[0]!)) return false;
    return (n.A_Expr.lexpr === undefined || isInteger(n.A_Expr.lexpr)) && isInteger(n.A_Expr.rexpr);
  }
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  // Post-order, so that (a / b) / c sees the inner division already rewritten.
  const visit = (root: Node) =>
    walk(root, (kind, p) => {
      if (kind !== 'A_Expr' || p.kind !== 'AEXPR_OP') return;
      const op = names(p.name);
      if (op.length !== 1 || op[0] !== '/') return;
      if (p.lexpr) visit({ root: p.lexpr });
      visit({ root: p.rexpr });
      if (isInteger(p.lexpr) && isInteger(p.rexpr)) {
        p.name = [str('//')];
        changed = true;
      }
      return false;
    });
  visit(stmt);
  return changed;
}

export const integerDivision: RewriteRule = { name: 'integer-division', trigger, apply };
