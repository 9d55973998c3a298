/**
 * Parsers for PostgreSQL text input formats that DuckDB's casts do not accept:
 * booleans (on/off/yes/no), bytea (hex and escape), arrays ({...}), intervals
 * (postgres, verbose, SQL standard and ISO 8601 forms) and BC timestamps.
 */
import { PgError, SqlState } from '../errors/pg-error.js';

const invalidInput = (type: string, value: string) =>
  // Date/time types report a bad format as 22007 (invalid_datetime_format), others as 22P02.
  new PgError(type === 'interval' ? SqlState.invalidDatetimeFormat : SqlState.invalidTextRepresentation, `invalid input syntax for type ${type}: "${value}"`);

/**
 * float4in / float8in: decimal numbers, NaN and [+-]Infinity / inf (any case, surrounding
 * blanks allowed). Values that overflow to infinity or underflow to zero are out of range.
 */
export function parseFloatInput(s: string, single: boolean): number {
  const t = s.trim();
  const type = single ? 'real' : 'double precision';
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) throw invalidInput(type, s);
  const d = Number(t);
  const v = single ? Math.fround(d) : d;
  const nonZeroInput = /[1-9]/.test(t.replace(/e.*$/i, ''));
  if (!Number.isFinite(v) || (v === 0 && nonZeroInput)) throw new PgError(SqlState.numericValueOutOfRange, `"${s}" is out of range for type ${type}`);
  return v;
}

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
    // hex_decode: whitespace may separate byte pairs, not split them.
    const out = Buffer.alloc((s.length - 2) >> 1);
    let n = 0;
    const digit = (i: number) => {
      const ch = s[i];
      if (ch === undefined) throw new PgError(SqlState.invalidParameterValue, 'invalid hexadecimal data: odd number of digits');
      const v = parseInt(ch, 16);
      if (Number.isNaN(v)) throw new PgError(SqlState.invalidParameterValue, `invalid hexadecimal digit: "${ch}"`);
      return v;
    };
    for (let i = 2; i < s.length; ) {
      const ch = s[i];
      if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r') {
        i++;
        continue;
      }
      out[n++] = (digit(i) << 4) | digit(i + 1);
      i += 2;
    }
    return out.subarray(0, n);
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
    } else throw new PgError(SqlState.invalidTextRepresentation, 'invalid input syntax for type bytea');
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

const MICROS: Record<string, bigint> = { hour: 3_600_000_000n, minute: 60_000_000n, second: 1_000_000n, millisecond: 1000n, microsecond: 1n };
const YEARS: Record<string, number> = { millennium: 1000, century: 100, decade: 10, year: 1 };

/** C rint(): round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * An interval being built the way PostgreSQL's DecodeInterval does: integer parts exactly,
 * fractions spilled to the next smaller field (fractional years round to whole months,
 * fractional months and weeks spill to days and then microseconds).
 */
class IntervalBuilder {
  months = 0;
  days = 0;
  micros = 0n;

  /** `val` is the signed integer part, `fval` the signed fraction (|fval| < 1). */
  add(unit: string, val: bigint, fval: number): void {
    const n = Number(val);
    if (unit in YEARS) {
      const scale = YEARS[unit]!;
      this.months += n * scale * 12 + Math.trunc(rint(fval * scale * 12));
    } else if (unit === 'month') {
      this.months += n;
      this.fractDays(fval, 30);
    } else if (unit === 'week') {
      this.days += n * 7;
      this.fractDays(fval, 7);
    } else if (unit === 'day') {
      this.days += n;
      this.fractMicros(fval, 86_400_000_000);
    } else {
      const scale = MICROS[unit]!;
      this.micros += val * scale;
      this.fractMicros(fval, Number(scale));
    }
  }

  private fractDays(frac: number, scale: number): void {
    if (frac === 0) return;
    const f = frac * scale;
    const whole = Math.trunc(f);
    this.days += whole;
    this.fractMicros(f - whole, 86_400_000_000);
  }

  private fractMicros(frac: number, scale: number): void {
    if (frac === 0) return;
    const f = frac * scale;
    const whole = Math.trunc(f);
    this.micros += BigInt(whole) + BigInt(rint(f - whole));
  }

  result(negate: boolean): IntervalParts {
    const checked = (v: number) => {
      if (!Number.isSafeInteger(v) || v > 2147483647 || v < -2147483648) throw new PgError(SqlState.datetimeFieldOverflow, 'interval out of range');
      return v;
    };
    if (this.micros > 9223372036854775807n || this.micros < -9223372036854775808n) throw new PgError(SqlState.datetimeFieldOverflow, 'interval out of range');
    if (negate) return { months: checked(-this.months) || 0, days: checked(-this.days) || 0, micros: -this.micros };
    return { months: checked(this.months) || 0, days: checked(this.days) || 0, micros: this.micros };
  }
}

/** A decimal number as its signed integer part and signed fraction; undefined if not a number. */
function splitNumber(tok: string): { val: bigint; fval: number } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(tok);
  if (!m || (m[2] === '' && !m[3])) return undefined;
  const neg = m[1] === '-';
  const val = BigInt(m[2] || '0');
  const fval = m[3] ? Number('0.' + m[3]) : 0;
  return { val: neg ? -val : val, fval: neg ? -fval : fval };
}

/** `[+-]h:m[:s[.f]]` or `[+-]m:s.f` as signed microseconds. */
function timeToken(tok: string): bigint | undefined {
  let m = /^([+-]?)(\d+):(\d+)(?::(\d+)(?:\.(\d*))?)?$/.exec(tok);
  let h = '0',
    mi: string,
    sec: string,
    frac: string;
  if (m) {
    h = m[2]!;
    mi = m[3]!;
    sec = m[4] ?? '0';
    frac = m[5] ?? '';
  } else {
    // "mm:ss.fff" is minutes and seconds
    m = /^([+-]?)(\d+):(\d+)\.(\d*)$/.exec(tok);
    if (!m) return undefined;
    mi = m[2]!;
    sec = m[3]!;
    frac = m[4]!;
  }
  if (Number(mi) > 59 || Number(sec) > 60) return undefined;
  const us = BigInt(h) * 3_600_000_000n + BigInt(mi) * 60_000_000n + BigInt(sec) * 1_000_000n + BigInt(frac ? rint(Number('0.' + frac) * 1e6) : 0);
  return m[1] === '-' ? -us : us;
}

/**
 * interval_in for the forms PostgreSQL accepts. With `sqlStandard` (IntervalStyle sql_standard)
 * a leading minus applies to every field when no other field has an explicit sign.
 */
export function parseInterval(input: string, sqlStandard = false): IntervalParts {
  const s = input.trim();
  if (/^P/i.test(s)) return parseIso8601Interval(s, input);
  let text = s.toLowerCase().replace(/,/g, ' ');
  let ago = false;
  if (text.startsWith('@')) text = text.slice(1).trim();
  if (/(^|\s)ago$/.test(text)) {
    ago = true;
    text = text.replace(/\s*\bago$/, '');
  }
  // "1day" is "1 day"
  const tokens = text
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((t) => {
      const j = /^([+-]?(?:\d+\.?\d*|\.\d+))([a-z]+)$/.exec(t);
      return j ? [j[1]!, j[2]!] : [t];
    });
  if (tokens.length === 0) throw invalidInput('interval', input);
  const b = new IntervalBuilder();
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    // SQL standard year-month: 'Y-M'
    const ym = /^([+-]?)(\d+)-(\d+)$/.exec(tok);
    if (ym) {
      if (Number(ym[3]) > 11) throw invalidInput('interval', input);
      const months = Number(ym[2]) * 12 + Number(ym[3]);
      b.months += ym[1] === '-' ? -months : months;
      continue;
    }
    const time = timeToken(tok);
    if (time !== undefined) {
      b.micros += time;
      continue;
    }
    const num = splitNumber(tok);
    if (!num) throw invalidInput('interval', input);
    const next = tokens[i + 1];
    const unit = next !== undefined ? UNIT_ALIASES[next] : undefined;
    if (unit !== undefined) {
      i++;
      b.add(unit, num.val, num.fval);
    } else if (next !== undefined && timeToken(next) !== undefined) {
      // A bare number followed by a time is days: '3 4:05:06'.
      b.add('day', num.val, num.fval);
    } else if (next === undefined) {
      // A bare number at the end is seconds.
      b.add('second', num.val, num.fval);
    } else throw invalidInput('interval', input);
  }
  if (sqlStandard && tokens[0]!.startsWith('-') && !tokens.slice(1).some((t) => t.startsWith('-') || t.startsWith('+'))) {
    if (b.micros > 0n) b.micros = -b.micros;
    if (b.days > 0) b.days = -b.days;
    if (b.months > 0) b.months = -b.months;
  }
  return b.result(ago);
}

/** ISO 8601 "format with designators": P1Y2M3W4DT5H6M7.5S (each number may be signed and fractional). */
function parseIso8601Interval(s: string, input: string): IntervalParts {
  const b = new IntervalBuilder();
  let timePart = false;
  let rest = s.slice(1);
  if (rest.length === 0) throw invalidInput('interval', input);
  while (rest.length > 0) {
    if (!timePart && (rest[0] === 'T' || rest[0] === 't')) {
      timePart = true;
      rest = rest.slice(1);
      if (rest.length === 0) throw invalidInput('interval', input);
      continue;
    }
    const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([a-z])/i.exec(rest);
    if (!m) throw invalidInput('interval', input);
    const num = splitNumber(m[1]!)!;
    const d = m[2]!.toUpperCase();
    const unit = timePart ? { H: 'hour', M: 'minute', S: 'second' }[d] : { Y: 'year', M: 'month', W: 'week', D: 'day' }[d];
    if (!unit) throw invalidInput('interval', input);
    b.add(unit, num.val, num.fval);
    rest = rest.slice(m[0].length);
  }
  return b.result(false);
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
