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
 *  - A function that returns one value used in FROM (`FROM string_to_array(x, ',') s`, as
 *    Grafana writes; or a function that session-values replaced by its value) is a one-row
 *    relation in PostgreSQL; DuckDB takes only table functions there. It becomes
 *    `(SELECT string_to_array(x, ',') AS s) AS s`.
 */
import type { Token } from '../../sql/lexer.js';
import { func, funcName, names, str, walk, type Node, isBuiltin } from '../ast.js';
import type { RewriteRule } from './rule.js';

const SCALAR_SRFS = new Set(['generate_series', 'generate_subscripts', 'unnest', 'string_to_table', 'regexp_split_to_table']);
/** Functions returning one value that clients use in FROM. */
const SCALAR_IN_FROM = new Set(['string_to_array', 'regexp_split_to_array', 'string_split', 'array_append', 'array_cat', 'to_json', 'json_build_object', 'json_object', 'now', 'current_schemas']);
const WORDS = new Set([...SCALAR_SRFS, ...SCALAR_IN_FROM].map((s) => s.toUpperCase()));

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'word' && WORDS.has(t.value)) return true;
  return false;
}

function isScalarInFrom(fc: Node): boolean {
  const f = funcName(fc);
  return isBuiltin(f) && SCALAR_IN_FROM.has(f.name);
}

function isScalarSrf(fc: Node | undefined): boolean {
  if (!fc) return false;
  const f = funcName(fc);
  if (!isBuiltin(f)) return false;
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
      const value = items?.[0];
      if (value && (!fc || isScalarInFrom(fc))) {
        // A one-value function: a one-row relation whose column is named by the alias (or the function).
        const colnames = names(alias?.colnames);
        const column = colnames[0] ?? (alias?.aliasname as string | undefined) ?? (fc ? funcName(fc).name : 'value');
        const sub: Node = { RangeSubselect: { subquery: { SelectStmt: { targetList: [{ ResTarget: { name: column, val: value } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } }, alias: { aliasname: (alias?.aliasname as string | undefined) ?? column } } };
        if (p.lateral) sub.RangeSubselect.lateral = true;
        changed = true;
        return sub;
      }
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
      if (!isBuiltin(f) || f.name !== 'generate_series') return;
      changed = true;
      const inner: Node = { FuncCall: { ...p, funcname: [str('generate_series')] } };
      return { replace: func('unnest', [inner]), skip: true };
    }
  });
  return changed;
}

export const setFunctions: RewriteRule = { name: 'set-functions', trigger, apply };
