/**
 * PostgreSQL's formatting functions, which DuckDB lacks (to_char) or spells differently:
 *
 *   to_char(ts, 'YYYY-MM-DD HH24:MI')   → date_part/strftime pieces joined with ||  (datetime-format.ts)
 *   to_char(n, 'FM999,999.00')          → the digits laid out as PostgreSQL does   (number-format.ts)
 *   to_date(text, 'DD Mon YYYY')        → CAST(strptime(text, '%d %b %Y') AS DATE)
 *   to_timestamp(text, 'YYYY-MM-DD')    → CAST(strptime(text, '%Y-%m-%d') AS TIMESTAMPTZ)
 *   to_number(text, '99G999D99')        → the digits, point and sign of text as a DECIMAL
 *
 * The template must be a constant (it is read when the statement is rewritten); a template
 * given as a parameter or expression, or with a pattern lakegres does not handle, is refused
 * with 0A000 naming it. Whether to_char formats a number or a date/time is decided by the
 * template (digit positions 9/0 and numeric patterns only: a number). to_timestamp(double) is
 * DuckDB's own and is left alone.
 */
import type { Token } from '../../sql/lexer.js';
import { replaceBuiltinCalls, stringConst, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';
import { raise } from './session-values.js';
import { strptimeFormat, toCharSql } from './datetime-format.js';
import { isNumberTemplate, numberToCharSql, parseNumberTemplate, toNumberSql } from './number-format.js';

const WORDS = new Set(['TO_CHAR', 'TO_DATE', 'TO_TIMESTAMP', 'TO_NUMBER']);

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) if (tokens[i]!.kind === 'word' && WORDS.has(tokens[i]!.value) && tokens[i + 1]!.kind === 'lparen') return true;
  return false;
}

/** The template: a string constant, possibly cast to text/varchar. */
function template(n: Node | undefined): string | undefined {
  if (n?.TypeCast) return template(n.TypeCast.arg);
  return stringConst(n);
}

const sqlString = (s: string): string => "'" + s.replace(/'/g, "''") + "'";

function refuse(fn: string, why: string): Node {
  return raise('0A000', `${fn}: ${why}`);
}

function rewriteCall(name: string, args: Node[]): Node | undefined {
  if (args.length !== 2) return undefined;
  const fmt = template(args[1]);
  if (fmt === undefined) return refuse(name, 'the format template must be a constant string');
  const x = args[0]!;
  switch (name) {
    case 'to_char': {
      if (isNumberTemplate(fmt)) {
        const t = parseNumberTemplate(fmt);
        if ('unsupported' in t) return refuse(name, `number template pattern "${t.unsupported}" is not supported`);
        return expr(numberToCharSql(t), { x });
      }
      return expr(toCharSql(fmt), { x });
    }
    case 'to_number': {
      const t = parseNumberTemplate(fmt);
      if ('unsupported' in t) return refuse(name, `number template pattern "${t.unsupported}" is not supported`);
      return expr(toNumberSql(t), { x });
    }
    case 'to_date':
    case 'to_timestamp': {
      const f = strptimeFormat(fmt);
      if ('unsupported' in f) return refuse(name, `template pattern "${f.unsupported}" is not supported`);
      return expr(`CAST(strptime(CAST(__arg_x AS VARCHAR), ${sqlString(f.format)}) AS ${name === 'to_date' ? 'DATE' : 'TIMESTAMPTZ'})`, { x });
    }
  }
  return undefined;
}

const FUNCTIONS = new Set(['to_char', 'to_date', 'to_timestamp', 'to_number']);

function apply(stmt: Node): boolean {
  return replaceBuiltinCalls(stmt, (name, args) => (FUNCTIONS.has(name) ? rewriteCall(name, args) : undefined));
}

export const toChar: RewriteRule = { name: 'to-char', trigger, apply };
