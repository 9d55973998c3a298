/**
 * `FROM unnest(a, b, ...) [AS] u(x, y)`: PostgreSQL's unnest of several arrays side by side
 * (shorter ones padded with NULL), used for bulk inserts (`INSERT INTO t SELECT * FROM
 * unnest($1::int[], $2::text[])`). DuckDB's unnest takes one list; several unnest calls in one
 * select list are zipped the same way, so the function becomes a subquery:
 *
 *   FROM unnest(a, b) AS u(x, y)   → FROM (SELECT unnest(a) AS x, unnest(b) AS y) AS u
 *
 * Without column names the columns are named unnest, as PostgreSQL names them. WITH ORDINALITY
 * is left to DuckDB.
 */
import type { Token } from '../../sql/lexer.js';
import { funcName, names, str, walk, type Node, isBuiltin } from '../ast.js';
import type { RewriteRule } from './rule.js';

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) if (tokens[i]!.value === 'UNNEST' && tokens[i + 1]!.kind === 'lparen') return true;
  return false;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind !== 'RangeFunction' || p.ordinality || p.is_rowsfrom) return;
    const items = p.functions as Node[] | undefined;
    if (!items || items.length !== 1) return;
    const fc = (items[0]!.List?.items as Node[] | undefined)?.[0]?.FuncCall as Node | undefined;
    if (!fc) return;
    const f = funcName(fc);
    if (f.name !== 'unnest' || !isBuiltin(f)) return;
    const args = (fc.args as Node[] | undefined) ?? [];
    if (args.length < 2) return;
    const colnames = names(p.alias?.colnames);
    const targetList = args.map((a, i) => ({
      ResTarget: { name: colnames[i] ?? 'unnest', val: { FuncCall: { funcname: [str('unnest')], args: [a], funcformat: 'COERCE_EXPLICIT_CALL' } } },
    }));
    const alias: Node = { aliasname: String(p.alias?.aliasname ?? 'unnest') };
    changed = true;
    return { RangeSubselect: { lateral: p.lateral, subquery: { SelectStmt: { targetList, limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } }, alias } };
  });
  return changed;
}

export const multiUnnest: RewriteRule = { name: 'multi-unnest', trigger, apply };
