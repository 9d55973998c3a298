/**
 * `SELECT ... FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE [OF ...] [NOWAIT | SKIP
 * LOCKED]`: DuckLake has no row locks (concurrent writers are serialised optimistically at commit,
 * 40001 on a conflict), and DuckDB refuses the clause. It is dropped: the rows are read at the
 * transaction's snapshot; a conflicting concurrent change makes the later commit fail instead
 * of waiting.
 */
import type { Token } from '../../sql/lexer.js';
import { walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (tokens[i]!.kind !== 'word' || tokens[i]!.value !== 'FOR') continue;
    const next = tokens[i + 1]!.value;
    if (next === 'UPDATE' || next === 'SHARE' || next === 'NO' || next === 'KEY') return true;
  }
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind === 'SelectStmt' && p.lockingClause) {
      delete p.lockingClause;
      changed = true;
    }
  });
  return changed;
}

export const rowLocks: RewriteRule = { name: 'row-locks', trigger, apply };
