/**
 * PostgreSQL's regular-expression functions that DuckDB lacks or defines differently (DuckDB's
 * regexp_matches is a boolean test; PostgreSQL's returns the captured text as rows):
 *
 *   regexp_match(s, p [, flags])        → CASE WHEN <p matches s> THEN ARRAY[<group 1>, ...] END
 *                                          (the whole match when p has no groups)
 *   regexp_matches(s, p [, flags])      → unnest(<that array, in a list of zero or one>)
 *   regexp_matches(s, p, 'g...')        → unnest(list_transform(regexp_extract_all(s, p), m -> ARRAY[<groups of m>]))
 *   regexp_count(s, p)                  → len(regexp_extract_all(s, p))
 *   substring(s FROM 'pattern'), substring(s, 'pattern') → the first group (or the match), NULL when none
 *
 * The pattern must be a constant (its groups are counted when the statement is rewritten).
 * regexp_matches is PostgreSQL's only where a set-returning function can be (a select-list item,
 * FROM); elsewhere it is DuckDB's boolean test, as a DuckDB-dialect statement means it.
 * Runs before regex-operators, which writes `a ~ b` as DuckDB's boolean regexp_matches.
 */
import type { Token } from '../../sql/lexer.js';
import { funcName, str, stringConst, walk, type Node, isBuiltin } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

const WORDS = new Set(['REGEXP_MATCH', 'REGEXP_MATCHES', 'REGEXP_COUNT', 'SUBSTRING']);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) if (tokens[i]!.kind === 'word' && WORDS.has(tokens[i]!.value) && tokens[i + 1]!.kind === 'lparen') return true;
  return false;
}

/** Capturing groups of a pattern: '(' not escaped, not in a bracket expression, not '(?'. */
export function groupCount(pattern: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && pattern[i + 1] !== '?') n++;
  }
  return n;
}

const sqlString = (s: string): string => "'" + s.replace(/'/g, "''") + "'";

/** ARRAY[<group 1>, ...] of `subject` (SQL text), or the whole match without groups. */
function groupsArray(subject: string, groups: number, opts: string): string {
  if (groups === 0) return `ARRAY[regexp_extract(${subject}, __arg_p, 0${opts})]`;
  return `ARRAY[${Array.from({ length: groups }, (_, i) => `regexp_extract(${subject}, __arg_p, ${i + 1}${opts})`).join(', ')}]`;
}

/** PostgreSQL flags as DuckDB options (i, c, s, m/n/p/w/x are not all RE2's: only i and c are passed). */
function options(flags: string | undefined): { opts: string; global: boolean } | undefined {
  if (flags === undefined) return { opts: '', global: false };
  if (/[^gic]/.test(flags)) return undefined;
  const o = flags.replace(/g/g, '');
  return { opts: o ? `, ${sqlString(o)}` : '', global: flags.includes('g') };
}

function rewriteCall(name: string, args: Node[]): Node | undefined {
  const [s, p, f] = args;
  const pattern = stringConst(p);
  if (!s || pattern === undefined) return undefined;
  const groups = groupCount(pattern);
  switch (name) {
    case 'regexp_match':
    case 'regexp_matches': {
      if (args.length > 3) return undefined;
      const o = options(args.length === 3 ? stringConst(f) : undefined);
      if (!o || (o.global && name === 'regexp_match')) return undefined;
      const test = `len(regexp_extract_all(__arg_s, __arg_p, 0${o.opts})) > 0`;
      if (name === 'regexp_match') return expr(`CASE WHEN ${test} THEN ${groupsArray('__arg_s', groups, o.opts)} END`, { s, p: p! });
      if (o.global) return expr(`unnest(list_transform(regexp_extract_all(__arg_s, __arg_p, 0${o.opts}), __m -> ${groupsArray('__m', groups, o.opts)}))`, { s, p: p! });
      return expr(`unnest(CASE WHEN ${test} THEN ARRAY[${groupsArray('__arg_s', groups, o.opts)}] ELSE CAST(ARRAY[] AS VARCHAR[][]) END)`, { s, p: p! });
    }
    case 'regexp_count':
      return args.length === 2 ? expr('len(regexp_extract_all(__arg_s, __arg_p))', { s, p: p! }) : undefined;
    case 'substring':
      if (args.length !== 2) return undefined;
      return expr(`CASE WHEN len(regexp_extract_all(__arg_s, __arg_p)) > 0 THEN regexp_extract(__arg_s, __arg_p, ${groups > 0 ? 1 : 0}) END`, { s, p: p! });
  }
  return undefined;
}

/** Rewrites the calls in `n` (a statement or an argument list), arguments first: replacements are not visited again. */
function rewriteAll(n: unknown): boolean {
  let changed = false;
  walk(n, (kind, p, info) => {
    if (kind !== 'FuncCall' || p.agg_star || p.over) return;
    const f = funcName(p);
    if (!isBuiltin(f)) return;
    if (!WORDS.has(f.name.toUpperCase())) return;
    // PostgreSQL's regexp_matches returns rows: only a select-list item or a FROM item can be one.
    // Elsewhere (WHERE regexp_matches(s, p)) it is DuckDB's boolean test, written in DuckDB's dialect.
    if (f.name === 'regexp_matches') {
      const a = info.ancestors;
      const parent = a[a.length - 1]?.kind;
      const inFrom = parent === 'List' && a[a.length - 2]?.kind === 'RangeFunction';
      if (parent !== 'ResTarget' && parent !== 'A_Indirection' && !inFrom) return;
      if (inFrom) {
        // FROM regexp_matches(...) m: the alias names the column too (as for PostgreSQL's function result).
        const rf = a[a.length - 2]!.node;
        if (!rf.alias) rf.alias = { aliasname: 'regexp_matches' };
        if (!rf.alias.colnames) rf.alias.colnames = [str(String(rf.alias.aliasname))];
      }
    }
    const args = (p.args as Node[] | undefined) ?? [];
    if (rewriteAll(args)) changed = true;
    const out = rewriteCall(f.name, args);
    if (!out) return false;
    changed = true;
    return { replace: out, skip: true };
  });
  return changed;
}

export const regexpFunctions: RewriteRule = { name: 'regexp-functions', trigger, apply: (stmt) => rewriteAll(stmt) };
