/**
 * PostgreSQL numeric functions DuckDB lacks or rounds differently:
 *
 *   div(y, x)                        → the quotient truncated toward zero, as numeric
 *   width_bucket(op, lo, hi, count)  → the bucket number (0 below the range, count + 1 above; lo > hi counts down)
 *   round(x::float8), round(x::real) → round_even(x, 0): PostgreSQL rounds binary floats half to even
 *                                      (numeric rounds half away from zero, as DuckDB's round does)
 */
import type { Token } from '../../sql/lexer.js';
import { lastName, replaceBuiltinCalls, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

const WORDS = new Set(['DIV', 'WIDTH_BUCKET', 'ROUND']);
const FLOAT_TYPES = new Set(['float8', 'float4']);

/** round() is common: only worth a parse beside a float type name. */
const FLOAT_WORDS = new Set(['FLOAT8', 'FLOAT4', 'REAL', 'DOUBLE', 'FLOAT']);

function trigger(tokens: readonly Token[]): boolean {
  let round = false;
  let float = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word') continue;
    if (FLOAT_WORDS.has(t.value)) float = true;
    else if (WORDS.has(t.value) && tokens[i + 1]?.kind === 'lparen') {
      if (t.value !== 'ROUND') return true;
      round = true;
    }
  }
  return round && float;
}

const WIDTH_BUCKET = `CASE WHEN __arg_op IS NULL OR __arg_lo IS NULL OR __arg_hi IS NULL OR __arg_n IS NULL THEN NULL
  WHEN __arg_lo < __arg_hi THEN CASE WHEN __arg_op < __arg_lo THEN 0 WHEN __arg_op >= __arg_hi THEN __arg_n + 1 ELSE CAST(floor(CAST(__arg_op - __arg_lo AS DOUBLE) * __arg_n / CAST(__arg_hi - __arg_lo AS DOUBLE)) AS INTEGER) + 1 END
  WHEN __arg_lo > __arg_hi THEN CASE WHEN __arg_op > __arg_lo THEN 0 WHEN __arg_op <= __arg_hi THEN __arg_n + 1 ELSE CAST(floor(CAST(__arg_lo - __arg_op AS DOUBLE) * __arg_n / CAST(__arg_lo - __arg_hi AS DOUBLE)) AS INTEGER) + 1 END
  ELSE error('[lakegres:2201G] lower bound cannot equal upper bound') END`;

/** A float8/float4 by its form: `x::float8`, `CAST(x AS double precision)`, `real '1.5'`, `-2.5::float8`. */
function isFloat(n: Node | undefined): boolean {
  if (n?.A_Expr && !n.A_Expr.lexpr && lastName(n.A_Expr.name) === '-') return isFloat(n.A_Expr.rexpr);
  return !!n?.TypeCast && FLOAT_TYPES.has(lastName(n.TypeCast.typeName?.names));
}

function apply(stmt: Node): boolean {
  return replaceBuiltinCalls(stmt, (name, args) => {
    if (name === 'div' && args.length === 2) return expr('CAST(trunc(CAST(__arg_y AS DOUBLE) / CAST(__arg_x AS DOUBLE)) AS DECIMAL(38, 0))', { y: args[0]!, x: args[1]! });
    if (name === 'width_bucket' && args.length === 4) return expr(WIDTH_BUCKET, { op: args[0]!, lo: args[1]!, hi: args[2]!, n: args[3]! });
    if (name === 'round' && args.length === 1 && isFloat(args[0])) return expr('round_even(__arg_x, 0)', { x: args[0]! });
    return undefined;
  });
}

export const numericFunctions: RewriteRule = { name: 'numeric-functions', trigger, apply };
