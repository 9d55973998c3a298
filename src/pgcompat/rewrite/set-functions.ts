/**
 * Set-returning functions used the PostgreSQL way:
 *
 *  - `FROM generate_series(1, n) i` makes `i` a column of the function's values in PostgreSQL
 *    (a function returning a scalar is a one-column relation named by its alias); in DuckDB the
 *    alias names the relation only. Such aliases get the column name: `AS i(i)`.
 *    Applies to generate_series, generate_subscripts, unnest (one argument), string_to_table,
 *    regexp_split_to_table.
 *  - `SELECT generate_series(1, 3)` returns three rows in PostgreSQL; DuckDB's scalar
 *    generate_series returns one list. In a select list it becomes `unnest(generate_series(...))`.
 */
import type { Token } from '../../sql/lexer.js';
import { func, funcName, str, walk, type Node } from '../ast.js';
import type { RewriteRule } from './rule.js';

const SCALAR_SRFS = new Set(['generate_series', 'generate_subscripts', 'unnest', 'string_to_table', 'regexp_split_to_table']);
const WORDS = new Set([...SCALAR_SRFS].map((s) => s.toUpperCase()));

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'word' && WORDS.has(t.value)) return true;
  return false;
}

function isScalarSrf(fc: Node | undefined): boolean {
  if (!fc) return false;
  const f = funcName(fc);
  if (f.catalog || (f.schema !== undefined && f.schema !== 'pg_catalog')) return false;
  if (!SCALAR_SRFS.has(f.name)) return false;
  return f.name !== 'unnest' || ((fc.args as Node[] | undefined)?.length ?? 0) === 1;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p, info) => {
    if (kind === 'RangeFunction') {
      const fns = (p.functions as Node[] | undefined) ?? [];
      if (fns.length !== 1 || p.is_rowsfrom || p.ordinality) return;
      const items = fns[0]!.List?.items as Node[] | undefined;
      const fc = items?.[0]?.FuncCall as Node | undefined;
      const alias = p.alias as Node | undefined;
      if (!alias || alias.colnames || !isScalarSrf(fc)) return;
      alias.colnames = [str(alias.aliasname as string)];
      changed = true;
      return;
    }
    if (kind === 'FuncCall') {
      const a = info.ancestors;
      const parent = a[a.length - 1];
      const grand = a[a.length - 2];
      if (parent?.kind !== 'ResTarget' || grand?.kind !== 'SelectStmt' || grand.field !== 'targetList') return;
      const f = funcName(p);
      if (f.catalog || (f.schema !== undefined && f.schema !== 'pg_catalog') || f.name !== 'generate_series') return;
      changed = true;
      const inner: Node = { FuncCall: { ...p, funcname: [str('generate_series')] } };
      return { replace: func('unnest', [inner]), skip: true };
    }
  });
  return changed;
}

export const setFunctions: RewriteRule = { name: 'set-functions', trigger, apply };
