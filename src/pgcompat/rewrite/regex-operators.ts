/**
 * PostgreSQL's regular-expression match operators. DuckDB's `~` is a full match
 * (regexp_full_match) and it has no `~*`, `!~`, `!~*`; PostgreSQL's match anywhere in the string:
 *
 *   a ~ b   → regexp_matches(a, b)            a ~* b  → regexp_matches(a, b, 'i')
 *   a !~ b  → NOT regexp_matches(a, b)        a !~* b → NOT regexp_matches(a, b, 'i')
 *
 * `OPERATOR(pg_catalog.~)` (psql's \d patterns) is the same operator; any other operator written
 * as `OPERATOR(pg_catalog.<op>)` becomes the plain operator. Patterns are RE2's syntax in DuckDB
 * (PostgreSQL's ARE extensions such as \m, \M, \y are not available).
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, func, names, not, str, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

const REGEX_OPS = new Set(['~', '~*', '!~', '!~*']);

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) {
    if (t.kind === 'op' && (REGEX_OPS.has(t.value) || t.value.includes('~'))) return true;
    if (t.kind === 'word' && t.value === 'OPERATOR') return true;
  }
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'A_Expr') return;
    const n = names(p.name);
    if (n.length === 2 && n[0] === 'pg_catalog') {
      // OPERATOR(pg_catalog.=) and friends: the operator itself.
      p.name = [str(n[1]!)];
      changed = true;
    }
    const opName = n[n.length - 1]!;
    if (p.kind !== 'AEXPR_OP' || !REGEX_OPS.has(opName) || !p.lexpr) return;
    const args = [p.lexpr as Node, p.rexpr as Node];
    if (opName.endsWith('*')) args.push(aConst('i'));
    const call = func('regexp_matches', args);
    changed = true;
    return opName.startsWith('!') ? not(call) : call;
  });
  return changed;
}

export const regexOperators: RewriteRule = { name: 'regex-operators', trigger, apply };
