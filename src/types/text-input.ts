/**
 * Parsers for PostgreSQL text input formats that DuckDB's casts do not accept:
 * booleans (on/off/yes/no), bytea (hex and escape), arrays ({...}), intervals
 * (postgres, verbose, SQL standard and ISO 8601 forms) and BC timestamps.
 */
import { PgError, SqlState } from '../errors/pg-error.js';

const invalidInput = (type: string, value: string) => new PgError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${type}: "${value}"`);

export function parseBool(s: string): boolean {
  const v = s.trim().toLowerCase();
  if (v.length === 0) throw invalidInput('boolean', s);
  const matches = (word: string, min: number) => v.length >= min && word.startsWith(v);
  if (matches('true', 1) || matches('yes', 1) || v === 'on' || v === '1') return true;
  if (matches('false', 1) || matches('no', 1) || matches('off', 2) || v === '0') return false;
  throw invalidInput('boolean', s);
}

/** bytea input: `\x` hex format or the traditional escape format. */
export function parseBytea(s: string): Buffer {
  if (s.startsWith('\\x') || s.startsWith('\\X')) {
    const hex = s.slice(2).replace(/\s+/g, '');
    if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) throw invalidInput('bytea', s);
    return Buffer.from(hex, 'hex');
  }
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c !== 92) {
      const cp = s.codePointAt(i)!;
      const bytes = Buffer.from(String.fromCodePoint(cp));
      for (const b of bytes) out.push(b);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    if (s[i + 1] === '\\') {
      out.push(92);
      i += 2;
    } else if (/^[0-3][0-7][0-7]$/.test(s.slice(i + 1, i + 4))) {
      out.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 4;
    } else throw invalidInput('bytea', s);
  }
  return Buffer.from(out);
}

export type ArrayItem = string | null | ArrayItem[];

/** array_in: `{a,b,"c d",NULL}`, nested braces, optional `[l:u]=` dimension prefix. */
export function parseArrayLiteral(s: string, delimiter = ','): ArrayItem[] {
  let i = 0;
  const str = s.trim();
  if (str.startsWith('[')) {
    const eq = str.indexOf('=');
    if (eq < 0) throw new PgError(SqlState.invalidTextRepresentation, `malformed array literal: "${s}"`);
    i = eq + 1;
  }
  const skipWs = () => {
    while (i < str.length && /\s/.test(str[i]!)) i++;
  };
  const malformed = () => new PgError(SqlState.invalidTextRepresentation, `malformed array literal: "${s}"`, { detail: 'Array value must start with "{" or dimension information.' });
  const parseLevel = (): ArrayItem[] => {
    skipWs();
    if (str[i] !== '{') throw malformed();
    i++;
    const items: ArrayItem[] = [];
    skipWs();
    if (str[i] === '}') {
      i++;
      return items;
    }
    for (;;) {
      skipWs();
      if (str[i] === '{') items.push(parseLevel());
      else if (str[i] === '"') {
        i++;
        let v = '';
        while (i < str.length && str[i] !== '"') {
          if (str[i] === '\\') i++;
          v += str[i++] ?? '';
        }
        if (str[i] !== '"') throw malformed();
        i++;
        items.push(v);
      } else {
        let v = '';
        while (i < str.length && str[i] !== delimiter && str[i] !== '}') {
          if (str[i] === '\\') i++;
          v += str[i++] ?? '';
        }
        v = v.trim();
        items.push(v.toUpperCase() === 'NULL' ? null : v);
      }
      skipWs();
      if (str[i] === delimiter) {
        i++;
        continue;
      }
      if (str[i] === '}') {
        i++;
        return items;
      }
      throw malformed();
    }
  };
  const result = parseLevel();
  skipWs();
  if (i !== str.length) throw malformed();
  return result;
}

export interface IntervalParts {
  months: number;
  days: number;
  micros: bigint;
}

const UNIT_ALIASES: Record<string, string> = {
  millennium: 'millennium', millennia: 'millennium', millenniums: 'millennium', mil: 'millennium', mils: 'millennium',
  century: 'century', centuries: 'century', cent: 'century', c: 'century',
  decade: 'decade', decades: 'decade', dec: 'decade', decs: 'decade',
  year: 'year', years: 'year', y: 'year', yr: 'year', yrs: 'year',
  month: 'month', months: 'month', mon: 'month', mons: 'month',
  week: 'week', weeks: 'week', w: 'week',
  day: 'day', days: 'day', d: 'day',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour',
  minute: 'minute', minutes: 'minute', min: 'minute', mins: 'minute', m: 'minute',
  second: 'second', seconds: 'second', sec: 'second', secs: 'second', s: 'second',
  millisecond: 'millisecond', milliseconds: 'millisecond', ms: 'millisecond', msec: 'millisecond', msecs: 'millisecond',
  microsecond: 'microsecond', microseconds: 'microsecond', us: 'microsecond', usec: 'microsecond', usecs: 'microsecond',
};

const MICROS: Record<string, number> = { hour: 3_600_000_000, minute: 60_000_000, second: 1_000_000, millisecond: 1000, microsecond: 1 };
const MONTHS: Record<string, number> = { millennium: 12000, century: 1200, decade: 120, year: 12, month: 1 };

/** interval_in for the forms PostgreSQL accepts. */
export function parseInterval(input: string): IntervalParts {
  const s = input.trim();
  if (/^-?P/i.test(s)) return parseIso8601Interval(s, input);
  let months = 0;
  let daysF = 0;
  let micros = 0;
  let text = s.toLowerCase();
  let ago = false;
  if (text.startsWith('@')) text = text.slice(1).trim();
  if (/\bago$/.test(text)) {
    ago = true;
    text = text.replace(/\s*\bago$/, '');
  }
  // SQL standard 'Y-M' (optionally followed by day/time parts)
  const tokens = text.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw invalidInput('interval', input);
  let i = 0;
  while (i < tokens.length) {
    let tok = tokens[i]!;
    const ym = /^([+-]?)(\d+)-(\d+)$/.exec(tok);
    if (ym) {
      const sign = ym[1] === '-' ? -1 : 1;
      months += sign * (Number(ym[2]) * 12 + Number(ym[3]));
      i++;
      continue;
    }
    const time = /^([+-]?)(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/.exec(tok);
    if (time) {
      const sign = time[1] === '-' ? -1 : 1;
      micros += sign * (Number(time[2]) * 3_600_000_000 + Number(time[3]) * 60_000_000 + Math.round(Number(time[4] ?? 0) * 1_000_000));
      i++;
      continue;
    }
    // number immediately followed by a unit ("1day") or number then unit token
    let num: number;
    let unit: string | undefined;
    const joined = /^([+-]?\d*\.?\d+(?:e[+-]?\d+)?)([a-z]+)$/.exec(tok);
    if (joined) {
      num = Number(joined[1]);
      unit = joined[2];
      i++;
    } else if (/^[+-]?\d*\.?\d+(?:e[+-]?\d+)?$/.test(tok)) {
      num = Number(tok);
      i++;
      unit = tokens[i];
      if (unit !== undefined && UNIT_ALIASES[unit] !== undefined) i++;
      else {
        // A bare number: seconds, or days when followed by a time ("3 4:05:06").
        const next = tokens[i];
        if (next !== undefined && /^[+-]?\d+:\d+/.test(next)) unit = 'day';
        else unit = 'second';
      }
    } else {
      tok = tok.replace(/,$/, '');
      throw invalidInput('interval', input);
    }
    const canonical = UNIT_ALIASES[unit ?? ''];
    if (canonical === undefined || !Number.isFinite(num)) throw invalidInput('interval', input);
    if (canonical in MONTHS) {
      const m = num * MONTHS[canonical]!;
      const whole = Math.trunc(m);
      months += whole;
      // fractional months spill into days (30-day months), as PostgreSQL does
      daysF += (m - whole) * 30;
    } else if (canonical === 'week') daysF += num * 7;
    else if (canonical === 'day') daysF += num;
    else micros += Math.round(num * MICROS[canonical]!);
  }
  const days = Math.trunc(daysF);
  micros += Math.round((daysF - days) * 86_400_000_000);
  if (ago) return { months: -months, days: -days, micros: BigInt(-micros) };
  return { months, days, micros: BigInt(micros) };
}

function parseIso8601Interval(s: string, input: string): IntervalParts {
  const m = /^(-)?P(?:(-?\d+(?:\.\d+)?)Y)?(?:(-?\d+(?:\.\d+)?)M)?(?:(-?\d+(?:\.\d+)?)W)?(?:(-?\d+(?:\.\d+)?)D)?(?:T(?:(-?\d+(?:\.\d+)?)H)?(?:(-?\d+(?:\.\d+)?)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/i.exec(s);
  if (!m) throw invalidInput('interval', input);
  const n = (x: string | undefined) => (x === undefined ? 0 : Number(x));
  const sign = m[1] ? -1 : 1;
  const monthsF = n(m[2]) * 12 + n(m[3]);
  const months = Math.trunc(monthsF);
  const daysF = n(m[4]) * 7 + n(m[5]) + (monthsF - months) * 30;
  const days = Math.trunc(daysF);
  const micros = Math.round((daysF - days) * 86_400_000_000 + n(m[6]) * 3_600_000_000 + n(m[7]) * 60_000_000 + n(m[8]) * 1_000_000);
  return { months: sign * months, days: sign * days, micros: BigInt(sign * micros) };
}

/**
 * Rewrites a PostgreSQL date/timestamp literal into a form DuckDB's cast accepts:
 * ' BC' suffixes become DuckDB's '(BC)', and 'epoch' is resolved.
 * Returns the input unchanged when nothing needs translating.
 */
export function normalizeDateTimeLiteral(s: string): string {
  const t = s.trim();
  const lower = t.toLowerCase();
  if (lower === 'epoch') return '1970-01-01 00:00:00+00';
  // DuckDB spells the era as '(BC)' right after the date part.
  const bc = /^(\d+-\d+-\d+)(.*?)\s+BC$/i.exec(t);
  if (bc) return `${bc[1]} (BC)${bc[2]}`;
  return t;
}
