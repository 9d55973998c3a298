/**
 * `x SIMILAR TO 'pattern' [ESCAPE e]` and `NOT SIMILAR TO`: PostgreSQL's SQL regular expressions
 * (`%` any text, `_` any character, `|`, `*`, `+`, `?`, `{m,n}`, `()`, `[...]`, matching the whole
 * value). DuckDB's SIMILAR TO takes its pattern as a plain regular expression, so `'abc' SIMILAR TO
 * 'a%'` would be false; a constant pattern is translated and matched with regexp_full_match:
 *
 *   x SIMILAR TO 'a%|b_'          → regexp_full_match(x, '(?:a.*|b.)')
 *   x NOT SIMILAR TO 'a#%' ESCAPE '#' → NOT regexp_full_match(x, '(?:a%)')
 */
import type { Token } from '../../sql/lexer.js';
import { funcName, lastName, stringConst, walk, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'word' && t.value === 'SIMILAR') return true;
  return false;
}

const REGEX_SPECIAL = new Set(['.', '^', '$', '\\']);

/** The regular expression for a SIMILAR TO pattern, or undefined for an escape PostgreSQL refuses. */
export function similarToRegex(pattern: string, escape = '\\'): string | undefined {
  if (escape.length > 1) return undefined;
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== '' && c === escape) {
      const next = pattern[i + 1];
      if (next === undefined) return undefined;
      out += /[.^$|?*+()[\]{}\\%]/.test(next) ? '\\' + next : next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === '\\' ? '\\\\' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
      continue;
    }
    if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (REGEX_SPECIAL.has(c)) out += '\\' + c;
    else out += c;
  }
  return `(?:${out})`;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'A_Expr' || p.kind !== 'AEXPR_SIMILAR') return;
    const esc = p.rexpr?.FuncCall as Node | undefined;
    if (!esc || funcName(esc).name !== 'similar_to_escape') return;
    const args = (esc.args as Node[] | undefined) ?? [];
    const pattern = stringConst(args[0]);
    const escape = args.length > 1 ? stringConst(args[1]) : '\\';
    if (pattern === undefined || escape === undefined) return;
    const re = similarToRegex(pattern, escape);
    if (re === undefined) return;
    const negated = lastName(p.name) === '!~';
    changed = true;
    return expr(negated ? 'NOT regexp_full_match(__arg_x, __arg_re)' : 'regexp_full_match(__arg_x, __arg_re)', { x: p.lexpr as Node, re: { A_Const: { sval: { sval: re } } } });
  });
  return changed;
}

export const similarTo: RewriteRule = { name: 'similar-to', trigger, apply };
