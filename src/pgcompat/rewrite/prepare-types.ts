/**
 * SQL-level PREPARE with a parameter type list, `PREPARE q(int, text) AS SELECT ... $1 ... $2`
 * (what psycopg2 users write, having no protocol-level prepare). DuckDB's PREPARE takes no type
 * list ("Prepared statement argument types are not supported"); the types move onto the
 * parameters instead: `PREPARE q AS SELECT ... CAST($1 AS int4) ... CAST($2 AS text)`, so that
 * EXECUTE q(...) converts its arguments as PostgreSQL would.
 */
import type { Token } from '../../sql/lexer.js';
import { cast, clone, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  return tokens[0]?.kind === 'word' && tokens[0].value === 'PREPARE' && tokens[2]?.kind === 'lparen';
}

function apply(stmt: Node): boolean {
  const p = stmt.PrepareStmt as Node | undefined;
  const types = p?.argtypes as Node[] | undefined;
  if (!p || !types || types.length === 0) return false;
  walk(p.query, (kind, payload) => {
    if (kind !== 'ParamRef') return;
    const t = types[(payload.number as number) - 1];
    if (!t) return;
    return { replace: cast({ ParamRef: payload }, clone(t.TypeName as Node)), skip: true };
  });
  delete p.argtypes;
  return true;
}

export const prepareTypes: RewriteRule = { name: 'prepare-types', trigger, apply };
