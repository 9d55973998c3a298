/**
 * LIKE's escape character. In PostgreSQL a LIKE/ILIKE pattern without an ESCAPE clause uses the
 * backslash as its escape (`relname LIKE 'big\_%'` matches the underscore literally: psql's tab
 * completion and pgjdbc's/DBeaver's metadata patterns are written so); DuckDB's LIKE has no
 * default escape and reads the backslash as an ordinary character. And PostgreSQL's tree for
 * `x LIKE p ESCAPE e` is `x ~~ like_escape(p, e)`, which DuckDB cannot run once deparsed.
 *
 *   x LIKE p            → like_escape(x, p, '\')      (p a constant holding a backslash, or not a constant)
 *   x NOT ILIKE p       → not_ilike_escape(x, p, '\')
 *   x LIKE p ESCAPE e   → like_escape(x, p, e)        (ESCAPE '' stays '': no escape character)
 *   x ~~ p, x !~~* p    → the same (PostgreSQL's operator spellings)
 *
 * A constant pattern without a backslash means the same with or without an escape and is left
 * alone. `LIKE ANY (...)`/`LIKE ALL (...)` are left to DuckDB.
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, func, funcName, names, stringConst, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

/** PostgreSQL's LIKE operators → DuckDB's escape-taking function. */
const FUNCTIONS: Record<string, string> = { '~~': 'like_escape', '~~*': 'ilike_escape', '!~~': 'not_like_escape', '!~~*': 'not_ilike_escape' };

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const like = (t.kind === 'word' && (t.value === 'LIKE' || t.value === 'ILIKE')) || (t.kind === 'op' && t.value in FUNCTIONS);
    if (t.kind === 'word' && t.value === 'ESCAPE') return true;
    if (!like) continue;
    const next = tokens[i + 1];
    // A literal pattern matters only when it holds a backslash; anything else may hold one at run time.
    if (!next || next.kind !== 'string' || next.value.includes('\\')) return true;
  }
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'A_Expr' || !p.lexpr) return;
    if (p.kind !== 'AEXPR_LIKE' && p.kind !== 'AEXPR_ILIKE' && p.kind !== 'AEXPR_OP') return;
    const n = names(p.name);
    const fn = FUNCTIONS[n[n.length - 1]!];
    if (!fn || (n.length === 2 && n[0] !== 'pg_catalog') || n.length > 2) return;
    let pattern = p.rexpr as Node;
    let escape: Node = aConst('\\');
    const rf = pattern.FuncCall as Node | undefined;
    if (rf && funcName(rf).name === 'like_escape' && (rf.args as Node[] | undefined)?.length === 2) {
      [pattern, escape] = rf.args as [Node, Node];
    } else {
      const lit = stringConst(pattern);
      if (lit !== undefined && !lit.includes('\\')) return;
    }
    changed = true;
    return func(fn, [p.lexpr as Node, pattern, escape]);
  });
  return changed;
}

export const likeEscape: RewriteRule = { name: 'like-escape', trigger, apply };
