/**
 * PostgreSQL string and bytea functions DuckDB lacks or reads differently:
 *
 *   initcap(s)                      → each word's first letter upper case, the rest lower case
 *   btrim(s [, chars])              → trim(s [, chars])
 *   lpad(s, n), rpad(s, n)          → lpad(s, n, ' '), rpad(s, n, ' ')
 *   encode(b, 'base64' | 'hex')     → base64(b) (in lines of 76, as PostgreSQL) / lower(hex(b))
 *   decode(s, 'base64' | 'hex')     → from_base64(s without blanks) / unhex(s)   (DuckDB's decode(s, x) ignores x)
 *   convert_from(b, 'UTF8'), convert_to(s, 'UTF8') → decode(b) / encode(s)
 *   sha256(b)                       → unhex(sha256(b)): bytea, as PostgreSQL (DuckDB gives hex text)
 *   octet_length('literal')         → strlen('literal') (DuckDB cannot choose between text and blob)
 *   overlay(s placing r from n [for k]) → substr(s, 1, n - 1) || r || substr(s, n + k)
 *   array_to_string(a, sep, null_text) → NULL elements written as null_text
 *   every(x)                        → bool_and(x)
 *   to_hex(n)                       → lower(to_hex(n))  (DuckDB writes upper-case digits)
 *   cardinality(a)                  → len(a)  (DuckDB's cardinality takes maps)
 */
import type { Token } from '../../sql/lexer.js';
import { funcName, stringConst, str, walk, type Node, isBuiltin } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

const WORDS = new Set(['INITCAP', 'BTRIM', 'LPAD', 'RPAD', 'ENCODE', 'DECODE', 'CONVERT_FROM', 'CONVERT_TO', 'SHA256', 'OCTET_LENGTH', 'OVERLAY', 'ARRAY_TO_STRING', 'EVERY', 'TO_HEX', 'CARDINALITY']);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) if (tokens[i]!.kind === 'word' && WORDS.has(tokens[i]!.value) && tokens[i + 1]!.kind === 'lparen') return true;
  return false;
}

const INITCAP = `CASE WHEN __arg_s IS NULL THEN NULL ELSE COALESCE(list_aggr(list_transform(range(length(__arg_s)), __i -> CASE WHEN __i = 0 OR NOT regexp_full_match(substr(__arg_s, __i, 1), '[\\pL\\pN]') THEN upper(substr(__arg_s, __i + 1, 1)) ELSE lower(substr(__arg_s, __i + 1, 1)) END), 'string_agg', ''), '') END`;

const isUtf8 = (n: Node | undefined): boolean => /^utf-?8$/i.test(stringConst(n) ?? '');

function rewriteCall(name: string, args: Node[], p: Node): Node | undefined {
  const [a, b, c] = args;
  switch (name) {
    case 'initcap':
      return args.length === 1 ? expr(INITCAP, { s: a! }) : undefined;
    case 'btrim':
      // TRIM(... FROM s) is btrim in PostgreSQL's tree and DuckDB reads it as written.
      if (p.funcformat === 'COERCE_SQL_SYNTAX') return undefined;
      return args.length === 1 ? expr('trim(__arg_s)', { s: a! }) : args.length === 2 ? expr('trim(__arg_s, __arg_c)', { s: a!, c: b! }) : undefined;
    case 'lpad':
    case 'rpad':
      return args.length === 2 ? expr(`${name}(__arg_s, __arg_n, ' ')`, { s: a!, n: b! }) : undefined;
    case 'encode': {
      const kind = stringConst(b)?.toLowerCase();
      if (args.length !== 2) return undefined;
      if (kind === 'base64') return expr("rtrim(regexp_replace(base64(__arg_b), '(.{76})', '\\1' || chr(10), 'g'), chr(10))", { b: a! });
      if (kind === 'hex') return expr('lower(hex(__arg_b))', { b: a! });
      return undefined;
    }
    case 'decode': {
      const kind = stringConst(b)?.toLowerCase();
      if (args.length !== 2) return undefined;
      if (kind === 'base64') return expr("from_base64(regexp_replace(__arg_s, '\\s', '', 'g'))", { s: a! });
      if (kind === 'hex') return expr('unhex(__arg_s)', { s: a! });
      return undefined;
    }
    case 'convert_from':
      return args.length === 2 && isUtf8(b) ? expr('decode(__arg_b)', { b: a! }) : undefined;
    case 'convert_to':
      return args.length === 2 && isUtf8(b) ? expr('encode(__arg_s)', { s: a! }) : undefined;
    case 'sha256':
      return args.length === 1 ? expr('unhex(sha256(__arg_b))', { b: a! }) : undefined;
    case 'octet_length':
      return args.length === 1 && stringConst(a) !== undefined ? expr('strlen(__arg_s)', { s: a! }) : undefined;
    case 'overlay':
      if (args.length === 3) return expr('substr(__arg_s, 1, __arg_n - 1) || __arg_r || substr(__arg_s, __arg_n + length(__arg_r))', { s: a!, r: b!, n: c! });
      if (args.length === 4) return expr('substr(__arg_s, 1, __arg_n - 1) || __arg_r || substr(__arg_s, __arg_n + __arg_k)', { s: a!, r: b!, n: c!, k: args[3]! });
      return undefined;
    case 'array_to_string':
      return args.length === 3 ? expr('array_to_string(list_transform(__arg_a, __e -> coalesce(CAST(__e AS VARCHAR), __arg_n)), __arg_sep)', { a: a!, sep: b!, n: c! }) : undefined;
    case 'to_hex':
      return args.length === 1 ? expr('lower(to_hex(__arg_n))', { n: a! }) : undefined;
    case 'cardinality':
      return args.length === 1 ? expr('len(__arg_a)', { a: a! }) : undefined;
    case 'every':
      if (args.length !== 1) return undefined;
      p.funcname = [str('bool_and')];
      return { FuncCall: p };
  }
  return undefined;
}

/** Rewrites the calls in `n` (a statement or an argument list), arguments first: replacements are not visited again. */
function rewriteAll(n: unknown): boolean {
  let changed = false;
  walk(n, (kind, p) => {
    if (kind !== 'FuncCall' || p.agg_star) return;
    const f = funcName(p);
    if (!isBuiltin(f)) return;
    if (!WORDS.has(f.name.toUpperCase())) return;
    if (f.name !== 'every' && p.over) return;
    const args = (p.args as Node[] | undefined) ?? [];
    if (rewriteAll(args)) changed = true;
    const out = rewriteCall(f.name, args, p);
    if (!out) return false;
    changed = true;
    return { replace: out, skip: true };
  });
  return changed;
}

export const stringFunctions: RewriteRule = { name: 'string-functions', trigger, apply: (stmt) => rewriteAll(stmt) };
