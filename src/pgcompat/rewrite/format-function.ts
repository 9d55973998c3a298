/**
 * format() with the specifiers the functions module leaves alone: `%I` (identifier), `%L`
 * (literal), positions (`%1$s`), widths (`%10s`, `%-10s`; `%*s` is refused), in a constant
 * format string; an unknown specifier is 22023 as in PostgreSQL. The format is unrolled into a concatenation:
 *
 *   format('SELECT %I FROM %I WHERE x = %L', c, t, v)
 *     → 'SELECT ' || <c quoted as an identifier> || ' FROM ' || ... || <v as a literal, or NULL>
 *
 * As in PostgreSQL: %s of NULL is empty, %L of NULL is NULL (unquoted), %I of NULL is an error
 * (22004); an argument a specifier does not have is 22023. Identifiers are quoted unless they
 * are lower-case names of letters, digits and _ (keywords are not recognised; see COMPATIBILITY.md).
 */
import type { Token } from '../../sql/lexer.js';
import { replaceBuiltinCalls, stringConst, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';
import { raise } from './session-values.js';

/** A format with a specifier other than %s and %% (those are the functions module's printf). */
const notPrintf = (fmt: string): boolean => /%(?!s)/.test(fmt.replace(/%%/g, ''));

function trigger(tokens: readonly Token[]): boolean {
  for (let i = 0; i + 2 < tokens.length; i++) {
    if (tokens[i]!.kind === 'word' && tokens[i]!.value === 'FORMAT' && tokens[i + 1]!.kind === 'lparen' && tokens[i + 2]!.kind === 'string' && notPrintf(tokens[i + 2]!.value)) return true;
  }
  return false;
}

type Part = { lit: string } | { arg: number; kind: 's' | 'I' | 'L'; width?: number; left: boolean };

/** The format's pieces, or an error message for a format PostgreSQL refuses. */
export function parseFormat(fmt: string): Part[] | { error: string; code: string } {
  const parts: Part[] = [];
  let next = 0;
  let i = 0;
  let lit = '';
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    if (fmt[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    const m = /^%(?:(\d+)\$)?(-)?(\d+)?([sIL])/.exec(fmt.slice(i));
    if (!m) return { code: '22023', error: fmt[i + 1] === undefined ? 'unterminated format() type specifier' : `unrecognized format() type specifier "${fmt[i + 1]}"` };
    if (lit) parts.push({ lit });
    lit = '';
    const arg = m[1] !== undefined ? Number(m[1]) - 1 : next;
    if (arg < 0) return { code: '22023', error: 'format specifies argument 0, but arguments are numbered from 1' };
    next = arg + 1;
    const part: Part = { arg, kind: m[4] as 's' | 'I' | 'L', left: m[2] === '-' };
    if (m[3] !== undefined) part.width = Number(m[3]);
    parts.push(part);
    i += m[0].length;
  }
  if (lit) parts.push({ lit });
  return parts;
}

const sqlString = (s: string): string => "'" + s.replace(/'/g, "''") + "'";

function partSql(p: Exclude<Part, { lit: string }>): string {
  const v = `CAST(__arg_${p.arg} AS VARCHAR)`;
  let s: string;
  switch (p.kind) {
    case 's':
      s = `COALESCE(${v}, '')`;
      break;
    case 'L':
      s = `COALESCE('''' || replace(${v}, '''', '''''') || '''', 'NULL')`;
      break;
    case 'I':
      s = `CASE WHEN ${v} IS NULL THEN error('[lakegres:22004] null values cannot be formatted as an SQL identifier') WHEN regexp_full_match(${v}, '[a-z_][a-z0-9_]*') THEN ${v} ELSE '"' || replace(${v}, '"', '""') || '"' END`;
      break;
  }
  if (p.width === undefined) return s;
  const width = `CAST(greatest(length(${s}), ${p.width}) AS INTEGER)`;
  return p.left ? `rpad(${s}, ${width}, ' ')` : `lpad(${s}, ${width}, ' ')`;
}

function rewriteFormat(args: Node[]): Node | undefined {
  const fmt = stringConst(args[0]);
  if (fmt === undefined) return undefined;
  const parts = parseFormat(fmt);
  if (!Array.isArray(parts)) {
    // DuckDB's own format('{}: 10%', x) (fmt's braces): left to DuckDB.
    if (/\{[^{}]*\}/.test(fmt)) return undefined;
    return raise(parts.code, parts.error);
  }
  const values = args.slice(1);
  const named: Record<string, Node> = {};
  const sql: string[] = [];
  for (const p of parts) {
    if ('lit' in p) {
      sql.push(sqlString(p.lit));
      continue;
    }
    const v = values[p.arg];
    if (!v) return raise('22023', 'too few arguments for format()');
    named[String(p.arg)] = v;
    sql.push(partSql(p));
  }
  // format() of a NULL format is NULL; otherwise text (never NULL).
  return expr(sql.length === 0 ? "''" : `(${sql.join(' || ')})`, named);
}

function apply(stmt: Node): boolean {
  return replaceBuiltinCalls(stmt, (name, args) => {
    if (name !== 'format') return undefined;
    // %s and %% alone are the functions module's (printf).
    const fmt = stringConst(args[0]);
    return fmt !== undefined && notPrintf(fmt) ? rewriteFormat(args) : undefined;
  });
}

export const formatFunction: RewriteRule = { name: 'format-function', trigger, apply };
