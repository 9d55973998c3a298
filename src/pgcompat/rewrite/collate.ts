/**
 * COLLATE clauses naming PostgreSQL's built-in collations, which DuckDB does not know:
 * `COLLATE pg_catalog.default`, `"default"`, `"C"`, `"POSIX"`, `ucs_basic` (psql sends
 * `... OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default`). They are dropped: DuckDB
 * compares strings byte-wise, which is what "C" means (and what lakegres reports as lc_collate).
 * Other collations are left to DuckDB (`COLLATE nocase`, ICU names).
 */
import type { Token } from '../../sql/lexer.js';
import { names, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

const BUILTIN = new Set(['default', 'c', 'posix', 'ucs_basic']);

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'word' && t.value === 'COLLATE') return true;
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'CollateClause' || !p.arg) return;
    const n = names(p.collname);
    if (n.length > 2 || (n.length === 2 && n[0] !== 'pg_catalog')) return;
    if (!BUILTIN.has(n[n.length - 1]!.toLowerCase()) && n.length !== 2) return;
    changed = true;
    return p.arg as Node;
  });
  return changed;
}

export const collate: RewriteRule = { name: 'collate', trigger, apply };
