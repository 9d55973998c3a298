/**
 * Division by zero. PostgreSQL raises 22012 for `x / 0` and `x % 0` whatever the numeric type;
 * DuckDB returns Infinity for `/` and NULL for `//` and `%`, a silent wrong answer. The divisor
 * becomes `CASE WHEN d = 0 AND n IS NOT NULL THEN error('division by zero') ELSE d END`, whose
 * error lakegres reports as 22012 (the operators are strict in PostgreSQL: NULL / 0 is NULL, so
 * the dividend n is tested too, unless it is a constant or a subquery, which would run twice).
 *
 * Left alone: non-zero numeric constants (nothing to check), parameters (a comparison with 0
 * would change the type DuckDB infers for them), scalar subqueries (they would run twice), and
 * view definitions (stored in the lake, where other DuckLake readers would see lakegres' checks).
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, caseWhen, func, names, op, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

const DIVISIONS = new Set(['/', '//', '%']);

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'op' && DIVISIONS.has(t.value)) return true;
  return false;
}

function needsCheck(divisor: Node | undefined): divisor is Node {
  if (!divisor) return false;
  const c = divisor.A_Const;
  if (c) {
    if (c.isnull || c.sval || c.boolval || c.bsval) return false;
    if (c.ival) return !c.ival.ival;
    if (c.fval) return Number(c.fval.fval) === 0;
    return false;
  }
  return !divisor.ParamRef && !divisor.SubLink;
}

/** The PostgreSQL error when `divisor` is zero (and the dividend not NULL), else the divisor. */
function checked(dividend: Node | undefined, divisor: Node): Node {
  let zero = op('=', divisor, aConst(0));
  if (dividend && !dividend.A_Const && !dividend.SubLink) {
    zero = { BoolExpr: { boolop: 'AND_EXPR', args: [zero, { NullTest: { arg: structuredClone(dividend), nulltesttype: 'IS_NOT_NULL' } }] } };
  }
  return caseWhen([[zero, func('error', [aConst('division by zero')])]], structuredClone(divisor));
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind === 'ViewStmt') return false;
    if (kind !== 'A_Expr' || p.kind !== 'AEXPR_OP') return;
    const name = names(p.name);
    if (name.length !== 1 || !DIVISIONS.has(name[0]!) || !needsCheck(p.rexpr)) return;
    p.rexpr = checked(p.lexpr, p.rexpr);
    changed = true;
  });
  return changed;
}

export const divisionByZero: RewriteRule = { name: 'division-by-zero', trigger, apply };
