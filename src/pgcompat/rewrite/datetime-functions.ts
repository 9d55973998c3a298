/**
 * PostgreSQL date/time functions DuckDB lacks or answers differently:
 *
 *   justify_days(i), justify_hours(i)       → the interval's months, days and microseconds re-balanced (30-day months, 24-hour days)
 *   make_interval(years => 1, days => 3)    → to_years(1) + to_days(3) (positional arguments too)
 *   date_bin(stride, ts, origin)            → time_bucket(stride, ts, origin)
 *   date_trunc(field, tstz, zone)           → timezone(zone, date_trunc(field, timezone(zone, tstz)))
 *   x AT TIME ZONE '+02' / 'UTC+3' / '-5'   → 'Etc/GMT+2' ...: PostgreSQL reads these POSIX-style (hours west of
 *                                             UTC), DuckDB as ISO offsets (east) or not at all; whole hours only
 *   extract(second from x), date_part('second', x)            → with the fraction (DuckDB: whole seconds)
 *   extract(milliseconds from x), date_part('milliseconds', x) → with the fraction of a millisecond
 *   extract(epoch from x)                   → numeric with six decimals (a date: none), as PostgreSQL (DuckDB: double)
 *   clock_timestamp(), statement_timestamp() → now()  (DuckDB has no clock that moves within a transaction)
 *   timeofday()                             → now() as text in PostgreSQL's format
 *   (a, b) OVERLAPS (c, d)                  → PostgreSQL's test on the ordered end points
 */
import type { Token } from '../../sql/lexer.js';
import { lastName, replaceBuiltinCalls, stringConst, type Node } from '../ast.js';
import { expr, type RewriteRule } from './rule.js';
import { raise } from './session-values.js';

const WORDS = new Set(['TIMEZONE', 'AT', 'DATE_TRUNC', 'JUSTIFY_DAYS', 'JUSTIFY_HOURS', 'MAKE_INTERVAL', 'DATE_BIN', 'EXTRACT', 'DATE_PART', 'CLOCK_TIMESTAMP', 'STATEMENT_TIMESTAMP', 'TIMEOFDAY', 'OVERLAPS']);

function trigger(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind === 'word' && WORDS.has(t.value)) return true;
  return false;
}

const MONTHS = `(date_part('year', __arg_x) * 12 + date_part('month', __arg_x))`;
const DAYS = `date_part('day', __arg_x)`;
const MICROS = `(date_part('hour', __arg_x) * 3600000000 + date_part('minute', __arg_x) * 60000000 + date_part('microsecond', __arg_x))`;
const DAY_US = '86400000000';

/** Whole 30-day months moved out of the days; a month borrowed back when months and days differ in sign (as PostgreSQL). */
const M2 = `(${MONTHS} + trunc(${DAYS} / 30.0))`;
const D2 = `(${DAYS} % 30)`;
const MONTH_FIX = `(CASE WHEN ${M2} > 0 AND ${D2} < 0 THEN -1 WHEN ${M2} < 0 AND ${D2} > 0 THEN 1 ELSE 0 END)`;
const JUSTIFY_DAYS = `(to_months(CAST(${M2} + ${MONTH_FIX} AS INTEGER)) + to_days(CAST(${D2} - ${MONTH_FIX} * 30 AS INTEGER)) + to_microseconds(${MICROS}))`;
/** Whole days moved out of the time; a day borrowed back when days and time differ in sign. */
const D3 = `(${DAYS} + trunc(${MICROS} / ${DAY_US}.0))`;
const U3 = `(${MICROS} % ${DAY_US})`;
const DAY_FIX = `(CASE WHEN ${D3} > 0 AND ${U3} < 0 THEN -1 WHEN ${D3} < 0 AND ${U3} > 0 THEN 1 ELSE 0 END)`;
const JUSTIFY_HOURS = `(to_months(CAST(${MONTHS} AS INTEGER)) + to_days(CAST(${D3} + ${DAY_FIX} AS INTEGER)) + to_microseconds(CAST(${U3} - ${DAY_FIX} * ${DAY_US} AS BIGINT)))`;

/** make_interval's parameters in order, and DuckDB's constructor for each. */
const MAKE_INTERVAL: [string, string][] = [
  ['years', 'to_years'],
  ['months', 'to_months'],
  ['weeks', 'to_weeks'],
  ['days', 'to_days'],
  ['hours', 'to_hours'],
  ['mins', 'to_minutes'],
  ['secs', 'to_seconds'],
];

function makeInterval(args: Node[]): Node | undefined {
  const given = new Map<string, Node>();
  let pos = 0;
  for (const a of args) {
    if (a.NamedArgExpr) given.set(String(a.NamedArgExpr.name), a.NamedArgExpr.arg as Node);
    else {
      const p = MAKE_INTERVAL[pos++];
      if (!p) return undefined;
      given.set(p[0], a);
    }
  }
  const terms: string[] = [];
  const nodes: Record<string, Node> = {};
  for (const [name, fn] of MAKE_INTERVAL) {
    const n = given.get(name);
    if (!n) continue;
    given.delete(name);
    nodes[name] = n;
    terms.push(name === 'secs' ? `${fn}(CAST(__arg_${name} AS DOUBLE))` : `${fn}(CAST(__arg_${name} AS INTEGER))`);
  }
  if (given.size > 0) return undefined;
  return expr(terms.length === 0 ? "INTERVAL '0 seconds'" : `(${terms.join(' + ')})`, nodes);
}

/** extract/date_part fields whose fraction DuckDB drops, with PostgreSQL's numeric scale for extract. */
const FRACTIONAL: Record<string, { divisor: string; scale: number }> = {
  second: { divisor: '0.000001', scale: 6 },
  seconds: { divisor: '0.000001', scale: 6 },
  millisecond: { divisor: '0.001', scale: 3 },
  milliseconds: { divisor: '0.001', scale: 3 },
};

/**
 * A POSIX-style zone offset ('+02', '-5', 'UTC+3', 'GMT-02'): PostgreSQL counts hours west of UTC,
 * as IANA's Etc/GMT zones do. Whole hours become Etc/GMT±h; other offsets are refused (DuckDB
 * would read them as east of UTC, or not at all).
 */
export function posixZone(zone: string): { zone: string } | { error: string } | undefined {
  const m = /^\s*(?:UTC|GMT)?\s*([+-]?)(\d{1,2})(?::?(\d{2}))?\s*$/i.exec(zone);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  const west = m[1] !== '-';
  if (minutes !== 0 || hours > (west ? 12 : 14)) return { error: `time zone "${zone}": only whole-hour offsets (-14 to +12) are supported as a POSIX-style zone` };
  return { zone: hours === 0 ? 'Etc/GMT' : `Etc/GMT${west ? '+' : '-'}${hours}` };
}

function overlaps(args: Node[]): Node | undefined {
  if (args.length !== 4) return undefined;
  const [a, b, c, d] = args as [Node, Node, Node, Node];
  return expr(
    `(least(__arg_a, __arg_b) = least(__arg_c, __arg_d) OR (least(__arg_a, __arg_b) > least(__arg_c, __arg_d) AND least(__arg_a, __arg_b) < greatest(__arg_c, __arg_d)) OR (least(__arg_c, __arg_d) > least(__arg_a, __arg_b) AND least(__arg_c, __arg_d) < greatest(__arg_a, __arg_b)))`,
    { a, b, c, d },
  );
}

/** The replacement of a call of `name`, or undefined to leave it. */
function rewriteCall(name: string, args: Node[]): Node | undefined {
  let out: Node | undefined;
  switch (name) {
    case 'justify_days':
      if (args.length === 1) out = expr(JUSTIFY_DAYS, { x: args[0]! });
      break;
    case 'justify_hours':
      if (args.length === 1) out = expr(JUSTIFY_HOURS, { x: args[0]! });
      break;
    case 'make_interval':
      out = makeInterval(args);
      break;
    case 'timezone': {
      const zone = args.length === 2 ? stringConst(args[0]) : undefined;
      const fixed = zone === undefined ? undefined : posixZone(zone);
      if (fixed === undefined) break;
      out = 'error' in fixed ? raise('22023', fixed.error) : expr('timezone(__arg_z, __arg_t)', { z: { A_Const: { sval: { sval: fixed.zone } } }, t: args[1]! });
      break;
    }
    case 'date_trunc':
      if (args.length === 3) out = expr('timezone(__arg_z, date_trunc(__arg_f, timezone(__arg_z, __arg_t)))', { f: args[0]!, t: args[1]!, z: args[2]! });
      break;
    case 'date_bin':
      if (args.length === 3) out = expr('time_bucket(__arg_s, __arg_t, __arg_o)', { s: args[0]!, t: args[1]!, o: args[2]! });
      break;
    case 'extract':
    case 'date_part': {
      const field = stringConst(args[0])?.toLowerCase();
      if (name === 'extract' && field === 'epoch' && args.length === 2) {
        // numeric with microseconds, as PostgreSQL (DuckDB: double); a date has no fraction.
        const x = args[1]!;
        const isDate = x.SQLValueFunction?.op === 'SVFOP_CURRENT_DATE' || (x.TypeCast && lastName(x.TypeCast.typeName?.names) === 'date');
        // epoch_us counts an interval's years as 360 days; PostgreSQL as 365.25 (the CASE folds away by type).
        out = expr(
          isDate
            ? 'CAST(epoch_us(__arg_x) // 1000000 AS DECIMAL(38, 0))'
            : "(CAST(epoch_us(__arg_x) AS DECIMAL(38, 0)) * 0.000001 + CASE WHEN typeof(__arg_x) = 'INTERVAL' THEN date_part('year', __arg_x) * 453600 ELSE 0 END)",
          { x },
        );
        break;
      }
      const frac = field === undefined ? undefined : FRACTIONAL[field];
      if (!frac || args.length !== 2) break;
      const scaled = `(date_part('microsecond', __arg_x) * ${frac.divisor})`;
      // extract gives numeric (with PostgreSQL's scale), date_part double precision.
      out = expr(name === 'extract' ? `CAST(${scaled} AS DECIMAL(18, ${frac.scale}))` : `CAST(${scaled} AS DOUBLE)`, { x: args[1]! });
      break;
    }
    case 'clock_timestamp':
    case 'statement_timestamp':
      if (args.length === 0) out = expr('now()');
      break;
    case 'timeofday':
      if (args.length === 0) out = expr(`strftime(now(), '%a %b %d %H:%M:%S.%f %Y %Z')`);
      break;
    case 'overlaps':
      out = overlaps(args);
      break;
  }
  return out;
}

function apply(stmt: Node): boolean {
  return replaceBuiltinCalls(stmt, rewriteCall);
}

export const datetimeFunctions: RewriteRule = { name: 'datetime-functions', trigger, apply };
