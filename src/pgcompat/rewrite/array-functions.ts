/**
 * PostgreSQL array functions DuckDB lacks (arrays are DuckDB lists, one-dimensional here):
 *
 *   array_remove(a, x)              → list_filter(a, e -> e IS DISTINCT FROM x)   (NULL removes NULLs)
 *   array_upper(a, 1), array_lower(a, 1) → len(a), 1   (NULL for an empty array or another dimension)
 *   array_ndims(a), array_dims(a)   → 1, '[1:n]'       (NULL for an empty array)
 *   array_fill(v, ARRAY[n])         → list_resize(ARRAY[v], n, v)
 *   string_to_array(s, sep, null_text) → the pieces, null_text ones as NULL
 */
import type { Token } from '../../sql/lexer.js';
import { replaceBuiltinCalls, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

const WORDS = new Set(['ARRAY_REMOVE', 'ARRAY_UPPER', 'ARRAY_LOWER', 'ARRAY_NDIMS', 'ARRAY_DIMS', 'ARRAY_FILL', 'STRING_TO_ARRAY']);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) if (tokens[i]!.kind === 'word' && WORDS.has(tokens[i]!.value) && tokens[i + 1]!.kind === 'lparen') return true;
  return false;
}

const nonEmpty = (x: string, then: string): string => `CASE WHEN len(${x}) > 0 THEN ${then} END`;

function rewriteCall(name: string, args: Node[]): Node | undefined {
  const [a, b, c] = args;
  switch (name) {
    case 'array_remove':
      return args.length === 2 ? expr('list_filter(__arg_a, __e -> (__e IS DISTINCT FROM __arg_x))', { a: a!, x: b! }) : undefined;
    case 'array_upper':
      return args.length === 2 ? expr(`CASE WHEN __arg_d = 1 THEN ${nonEmpty('__arg_a', 'len(__arg_a)')} END`, { a: a!, d: b! }) : undefined;
    case 'array_lower':
      return args.length === 2 ? expr(`CASE WHEN __arg_d = 1 THEN ${nonEmpty('__arg_a', '1')} END`, { a: a!, d: b! }) : undefined;
    case 'array_ndims':
      return args.length === 1 ? expr(nonEmpty('__arg_a', '1'), { a: a! }) : undefined;
    case 'array_dims':
      return args.length === 1 ? expr(nonEmpty('__arg_a', "'[1:' || len(__arg_a) || ']'"), { a: a! }) : undefined;
    case 'array_fill':
      return args.length === 2 ? expr('list_resize(ARRAY[__arg_v], (__arg_n)[1], __arg_v)', { v: a!, n: b! }) : undefined;
    case 'string_to_array':
      return args.length === 3 ? expr('list_transform(string_to_array(__arg_s, __arg_sep), __e -> (CASE WHEN __e = __arg_n THEN NULL ELSE __e END))', { s: a!, sep: b!, n: c! }) : undefined;
  }
  return undefined;
}

function apply(stmt: Node): boolean {
  return replaceBuiltinCalls(stmt, (name, args) => (WORDS.has(name.toUpperCase()) ? rewriteCall(name, args) : undefined));
}

export const arrayFunctions: RewriteRule = { name: 'array-functions', trigger, apply };
