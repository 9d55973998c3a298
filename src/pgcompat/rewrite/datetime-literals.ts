/**
 * Date/time text that PostgreSQL reads and DuckDB's casts do not:
 *
 *   date 'today', 'now'::timestamptz, 'yesterday', 'tomorrow'  → current_date / now() (- 1, + 1), cast
 *   time 'allballs'                                          → '00:00:00'
 *   timestamptz '2024-03-05 10:00+00', '2024-03-05T10:00Z'   → seconds added ('10:00:00+00'): DuckDB wants them before an offset
 *   interval 'P1Y2M3DT4H5M6S', 'PT15M' (ISO 8601)            → '1 year 2 months 3 days 4 hours 5 minutes 6 seconds'
 *   interval '-1 days +02:00:00' (PostgreSQL's own output)   → '-1 days 02:00:00' (DuckDB refuses the '+')
 *
 * and untyped text where PostgreSQL infers an interval from the other operand:
 *
 *   ts + '1 hour', '1 day' + now()                            → ts + CAST('1 hour' AS interval)
 *   generate_series(t1, t2, '1 day'), date_bin('15 minutes', ...) → the step cast to interval
 *
 * A date (by its form: a date literal, `::date`, current_date) as generate_series's start/stop
 * or date_trunc's value is cast to timestamptz, the function PostgreSQL picks for it.
 *
 * Only constants are changed; values in columns and parameters are read by DuckDB as they are.
 */
import type { Token } from '../../sql/lexer.js';
import { aConst, cast, funcName, lastName, names, stringConst, typeName, walk, type Node, isBuiltin } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';

const DATETIME_TYPES = new Set(['date', 'timestamp', 'timestamptz', 'time', 'timetz', 'interval']);

const TYPE_WORDS = new Set(['DATE', 'TIMESTAMP', 'TIMESTAMPTZ', 'TIME', 'TIMETZ', 'INTERVAL']);
/** String tokens a typed cast may need changed: special values, HH:MM before an offset, ISO 8601, '+' in intervals. */
const CANDIDATE = /^'(\s*(now|today|yesterday|tomorrow|allballs)\s*|.*\d:\d\d\s*([+-]\d|[zZ]).*|\s*P[\dT].*|(.*\s)?\+\d.*)'$/i;

function trigger(tokens: readonly Token[]): boolean {
  let typeWord = false;
  let candidate = false;
  let seriesWord = false;
  let hasString = false;
  let dateFunction = false;
  let dateWord = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'word') {
      if (TYPE_WORDS.has(t.value)) typeWord = true;
      else if (t.value === 'GENERATE_SERIES' || t.value === 'DATE_BIN') seriesWord = true;
      if (t.value === 'DATE_TRUNC' || t.value === 'GENERATE_SERIES') dateFunction = true;
      if (t.value === 'DATE' || t.value === 'CURRENT_DATE') dateWord = true;
    } else if (t.kind === 'string') {
      hasString = true;
      if (CANDIDATE.test(t.value)) candidate = true;
      const prev = tokens[i - 1];
      const next = tokens[i + 1];
      if ((prev?.kind === 'op' && prev.value === '+') || (next?.kind === 'op' && next.value === '+')) return true;
    }
  }
  return (typeWord && candidate) || (seriesWord && hasString) || (dateFunction && dateWord);
}

/** DuckDB's type name for the cast target. */
const DUCK_TYPE: Record<string, string> = { date: 'date', timestamp: 'timestamp', timestamptz: 'timestamptz', time: 'time', timetz: 'timetz', interval: 'interval' };

/** A special value ('now', 'today', ...) as an expression of the cast's type, or undefined. */
function specialValue(text: string, type: string): Node | undefined {
  const v = text.trim().toLowerCase();
  if (type === 'time' || type === 'timetz') {
    if (v === 'allballs') return cast(aConst('00:00:00'), typeName(DUCK_TYPE[type]!));
    if (v === 'now') return expr(`CAST(now() AS ${DUCK_TYPE[type]})`);
    return undefined;
  }
  if (type !== 'date' && type !== 'timestamp' && type !== 'timestamptz') return undefined;
  switch (v) {
    case 'now':
      return expr(`CAST(now() AS ${type})`);
    case 'today':
      return expr(`CAST(current_date AS ${type})`);
    case 'yesterday':
      return expr(`CAST(current_date - 1 AS ${type})`);
    case 'tomorrow':
      return expr(`CAST(current_date + 1 AS ${type})`);
  }
  return undefined;
}

/** Seconds added to a time of day written as HH:MM before a zone offset (or Z). */
function withSeconds(text: string): string | undefined {
  const m = /^(\s*\d{4,}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2})(\s*)([+-]\d{1,2}(?::?\d{2})?|[Zz])\s*$/.exec(text);
  if (!m) return undefined;
  return `${m[1]}:00${m[3]}`;
}

const ISO_UNITS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'];

/** An ISO 8601 duration ('P1Y2M3DT4H5M6.5S') in DuckDB's words, or undefined. */
export function isoInterval(text: string): string | undefined {
  const m = /^\s*P(?:([\d.]+)Y)?(?:([\d.]+)M)?(?:([\d.]+)W)?(?:([\d.]+)D)?(?:T(?:([\d.]+)H)?(?:([\d.]+)M)?(?:([\d.]+)S)?)?\s*$/i.exec(text);
  if (!m) return undefined;
  const parts: string[] = [];
  m.slice(1).forEach((n, i) => {
    if (n !== undefined) parts.push(`${n} ${ISO_UNITS[i]}`);
  });
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** PostgreSQL's interval output ('-1 days +02:00:00', '1 year -2 mons') without the '+' signs DuckDB refuses. */
function withoutPlus(text: string): string | undefined {
  if (!/(^|\s)\+\d/.test(text)) return undefined;
  return text.replace(/(^|\s)\+(?=\d)/g, '$1');
}

/** Text that reads as an interval (a number with a unit, or hh:mm), for untyped operands. */
function looksLikeInterval(text: string): boolean {
  if (isoInterval(text) !== undefined) return true;
  return /^\s*@?\s*[-+]?\d+(\.\d+)?\s*(microseconds?|us|milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|months?|mons?|years?|yrs?|y|decades?|centur(y|ies)|millenni(um|a))\b/i.test(text);
}

/** The cast target's type name ('timestamptz', 'interval', ...) when it is a plain date/time type. */
function castType(tc: Node): string | undefined {
  const n = names(tc.typeName?.names);
  if (n.length === 0 || n.length > 2 || (n.length === 2 && n[0] !== 'pg_catalog') || tc.typeName?.arrayBounds) return undefined;
  const t = lastName(tc.typeName.names);
  return DATETIME_TYPES.has(t) ? t : undefined;
}

function fixTyped(tc: Node): Node | undefined {
  const type = castType(tc);
  const text = stringConst(tc.arg);
  if (!type || text === undefined) return undefined;
  const special = specialValue(text, type);
  if (special) return special;
  let fixed: string | undefined;
  if (type === 'timestamptz' || type === 'timestamp') fixed = withSeconds(text);
  else if (type === 'interval') fixed = isoInterval(text) ?? withoutPlus(text);
  if (fixed === undefined) return undefined;
  tc.arg = aConst(fixed);
  return { TypeCast: tc };
}

/** An untyped string constant that reads as an interval, cast to one. */
function asInterval(n: Node | undefined): Node | undefined {
  const text = stringConst(n);
  if (text === undefined || !looksLikeInterval(text)) return undefined;
  return cast(aConst(isoInterval(text) ?? withoutPlus(text) ?? text), typeName('interval'));
}

/** A date by its form: `date '...'`, `x::date`, `current_date`. */
function isDate(n: Node | undefined): boolean {
  if (n?.SQLValueFunction?.op === 'SVFOP_CURRENT_DATE') return true;
  return !!n?.TypeCast && castType(n.TypeCast) === 'date';
}

/**
 * PostgreSQL has no date versions of generate_series(start, stop, interval) and
 * date_trunc(field, x): a date is taken as a timestamptz (midnight in the session's zone) and
 * so is the result. DuckDB gives timestamps. Dates by their form are cast.
 */
function datesAsTimestamptz(name: string, args: Node[]): boolean {
  const positions = name === 'generate_series' && args.length === 3 ? [0, 1] : name === 'date_trunc' && args.length === 2 ? [1] : [];
  if (!positions.some((i) => isDate(args[i]))) return false;
  for (const i of positions) if (isDate(args[i])) args[i] = cast(args[i]!, typeName('timestamptz'));
  return true;
}

function apply(stmt: Node): boolean {
  let changed = false;
  walk(stmt, (kind, p) => {
    if (kind === 'TypeCast') {
      const out = fixTyped(p);
      if (out) {
        changed = true;
        return { replace: out, skip: true };
      }
      return;
    }
    if (kind === 'A_Expr' && p.kind === 'AEXPR_OP' && p.lexpr && p.rexpr) {
      // ts + '1 day' (PostgreSQL reads `ts - '1 day'` as ts - timestamp, an error, so only +).
      const opName = lastName(p.name);
      if (opName !== '+') return;
      const lConst = stringConst(p.lexpr) !== undefined || p.lexpr.A_Const;
      const rConst = stringConst(p.rexpr) !== undefined || p.rexpr.A_Const;
      // One side a string constant reading as an interval, the other an expression (a column, now()).
      if (!lConst) {
        const r = asInterval(p.rexpr);
        if (r) {
          p.rexpr = r;
          changed = true;
        }
      } else if (!rConst) {
        const l = asInterval(p.lexpr);
        if (l) {
          p.lexpr = l;
          changed = true;
        }
      }
      return;
    }
    if (kind === 'FuncCall') {
      const f = funcName(p);
      if (!isBuiltin(f)) return;
      const args = (p.args as Node[] | undefined) ?? [];
      if (datesAsTimestamptz(f.name, args)) changed = true;
      const at = f.name === 'generate_series' && args.length === 3 ? 2 : f.name === 'date_bin' && args.length === 3 ? 0 : -1;
      if (at < 0) return;
      const iv = asInterval(args[at]);
      if (iv) {
        args[at] = iv;
        changed = true;
      }
    }
  });
  return changed;
}

export const datetimeLiterals: RewriteRule = { name: 'datetime-literals', trigger, apply };
