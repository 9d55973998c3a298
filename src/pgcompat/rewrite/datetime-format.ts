/**
 * PostgreSQL's date/time formatting templates (to_char, to_date, to_timestamp: "Data Type
 * Formatting Functions" in PostgreSQL's manual) read into pieces, and the pieces written as
 * DuckDB SQL:
 *
 *  - for to_char, an expression over `__arg_x` (a date, timestamp, timestamptz, time or
 *    interval): numeric fields from date_part (which takes all of these types, so that
 *    `to_char(interval '25 hours', 'HH24')` is 25 as in PostgreSQL), names from strftime;
 *  - for to_date / to_timestamp, a strptime format.
 *
 * The template must be a constant; lakegres reads it when it rewrites the statement.
 */

/** A pattern with its modifiers: FM (fill mode), TM (translation mode: names unpadded), TH/th. */
export interface Pattern {
  kw: string;
  fm: boolean;
  tm?: boolean;
  th?: 'th' | 'TH';
}

export type Piece = { lit: string } | Pattern;

/** PostgreSQL's template patterns (its keyword table), matched longest first and case-sensitively. */
const KEYWORDS = [
  'A.D.', 'A.M.', 'AD', 'AM', 'B.C.', 'BC', 'CC', 'DAY', 'DDD', 'DD', 'DY', 'Day', 'Dy', 'D',
  'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'FX', 'HH24', 'HH12', 'HH', 'IDDD', 'ID', 'IW', 'IYYY', 'IYY', 'IY', 'I', 'J',
  'MI', 'MM', 'MONTH', 'MON', 'MS', 'Month', 'Mon', 'OF', 'P.M.', 'PM', 'Q', 'RM', 'SSSSS', 'SSSS', 'SS',
  'TZH', 'TZM', 'TZ', 'US', 'WW', 'W', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y',
  'a.d.', 'a.m.', 'ad', 'am', 'b.c.', 'bc', 'cc', 'day', 'ddd', 'dd', 'dy', 'd',
  'ff1', 'ff2', 'ff3', 'ff4', 'ff5', 'ff6', 'fx', 'hh24', 'hh12', 'hh', 'iddd', 'id', 'iw', 'iyyy', 'iyy', 'iy', 'i', 'j',
  'mi', 'mm', 'month', 'mon', 'ms', 'of', 'p.m.', 'pm', 'q', 'rm', 'sssss', 'ssss', 'ss',
  'tzh', 'tzm', 'tz', 'us', 'ww', 'w', 'y,yyy', 'yyyy', 'yyy', 'yy', 'y',
].sort((a, b) => b.length - a.length);

/** Reads a template into literal text and patterns (with their FM prefix and TH suffix). */
export function parseTemplate(fmt: string): Piece[] {
  const out: Piece[] = [];
  const lit = (s: string): void => {
    const last = out[out.length - 1];
    if (last && 'lit' in last) last.lit += s;
    else out.push({ lit: s });
  };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === '"') {
      // Quoted text; a backslash makes the next character literal (\" is a quote).
      i++;
      let s = '';
      while (i < fmt.length && fmt[i] !== '"') {
        if (fmt[i] === '\\' && i + 1 < fmt.length) i++;
        s += fmt[i];
        i++;
      }
      i++;
      lit(s);
      continue;
    }
    if (c === '\\' && fmt[i + 1] === '"') {
      lit('"');
      i += 2;
      continue;
    }
    let fm = false;
    let tm = false;
    let j = i;
    for (;;) {
      const p = fmt.slice(j, j + 2);
      if (p === 'FM' || p === 'fm') fm = true;
      else if (p === 'TM' || p === 'tm') tm = true;
      else break;
      j += 2;
    }
    const kw = KEYWORDS.find((k) => fmt.startsWith(k, j));
    if (!kw) {
      if (j > i) {
        // A prefix with no pattern after it is dropped, as PostgreSQL does.
        i = j;
        continue;
      }
      lit(c);
      i++;
      continue;
    }
    j += kw.length;
    const piece: Pattern = { kw, fm };
    if (tm) piece.tm = true;
    const suffix = fmt.slice(j, j + 2);
    if (suffix === 'TH' || suffix === 'th') {
      piece.th = suffix;
      j += 2;
    } else if (suffix === 'SP' || suffix === 'sp') j += 2;
    out.push(piece);
    i = j;
  }
  return out;
}

const sqlString = (s: string): string => "'" + s.replace(/'/g, "''") + "'";

const dp = (part: string): string => `date_part('${part}', __arg_x)`;

/** A number padded with zeros to `width` digits (FM: as it is), with its ordinal suffix for TH/th. */
function num(e: string, width: number, p: { fm: boolean; th?: 'th' | 'TH' }): string {
  let s = p.fm || width <= 1 ? `CAST(${e} AS VARCHAR)` : `printf('%0${width}d', ${e})`;
  if (p.th) {
    const sfx = (x: string): string => sqlString(p.th === 'TH' ? x.toUpperCase() : x);
    s = `(${s} || CASE WHEN abs(${e}) % 100 IN (11, 12, 13) THEN ${sfx('th')} WHEN abs(${e}) % 10 = 1 THEN ${sfx('st')} WHEN abs(${e}) % 10 = 2 THEN ${sfx('nd')} WHEN abs(${e}) % 10 = 3 THEN ${sfx('rd')} ELSE ${sfx('th')} END)`;
  }
  return s;
}

/** A name in the pattern's case (Month/MONTH/month), blank-padded to `width` unless FM. */
function name(e: string, kw: string, width: number, fm: boolean): string {
  let s = e;
  if (kw === kw.toUpperCase()) s = `upper(${s})`;
  else if (kw === kw.toLowerCase()) s = `lower(${s})`;
  return fm || width === 0 ? s : `rpad(${s}, ${width}, ' ')`;
}

const ROMAN = "ARRAY['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII']";

/** SQL (over `__arg_x`) for one pattern, or undefined for FX (nothing to print). */
function patternSql(p: Pattern): { sql: string; nullSafe: boolean } | undefined {
  const sql = patternText(p);
  if (sql === undefined) return undefined;
  // CASE pieces (AM/PM, AD/BC, TZM) give text for a NULL value: the whole result is guarded.
  return { sql, nullSafe: !sql.startsWith('CASE') };
}

function patternText(p: Pattern): string | undefined {
  const K = p.kw.toUpperCase();
  const year = dp('year');
  const isoyear = dp('isoyear');
  switch (K) {
    case 'YYYY':
      return num(year, 4, p);
    case 'YYY':
      return num(`(${year} % 1000)`, 3, p);
    case 'YY':
      return num(`(${year} % 100)`, 2, p);
    case 'Y':
      return num(`(${year} % 10)`, 1, p);
    case 'Y,YYY':
      return `printf('%d,%03d', (${year} // 1000), ${year} % 1000)`;
    case 'IYYY':
      return num(isoyear, 4, p);
    case 'IYY':
      return num(`(${isoyear} % 1000)`, 3, p);
    case 'IY':
      return num(`(${isoyear} % 100)`, 2, p);
    case 'I':
      return num(`(${isoyear} % 10)`, 1, p);
    case 'MM':
      return num(dp('month'), 2, p);
    case 'DD':
      return num(dp('day'), 2, p);
    case 'D':
      return num(`(${dp('dow')} + 1)`, 1, p);
    case 'ID':
      return num(dp('isodow'), 1, p);
    case 'DDD':
      return num(dp('doy'), 3, p);
    case 'IDDD':
      return num(`((${dp('week')} - 1) * 7 + ${dp('isodow')})`, 3, p);
    case 'W':
      return num(`(((${dp('day')} - 1) // 7) + 1)`, 1, p);
    case 'WW':
      return num(`(((${dp('doy')} - 1) // 7) + 1)`, 2, p);
    case 'IW':
      return num(dp('week'), 2, p);
    case 'Q':
      return num(dp('quarter'), 1, p);
    case 'CC':
      return num(dp('century'), 2, p);
    case 'J':
      return num(`CAST(date_part('julian', CAST(__arg_x AS DATE)) AS BIGINT)`, 1, p);
    case 'HH':
    case 'HH12':
      return num(`((${dp('hour')} + 11) % 12 + 1)`, 2, p);
    case 'HH24':
      return num(dp('hour'), 2, p);
    case 'MI':
      return num(dp('minute'), 2, p);
    case 'SS':
      return num(dp('second'), 2, p);
    case 'MS':
      return num(`(${dp('millisecond')} % 1000)`, 3, p);
    case 'US':
      return num(`(${dp('microsecond')} % 1000000)`, 6, p);
    case 'FF1':
    case 'FF2':
    case 'FF3':
    case 'FF4':
    case 'FF5':
    case 'FF6': {
      const n = Number(K[2]);
      return num(`((${dp('microsecond')} % 1000000) // ${10 ** (6 - n)})`, n, p);
    }
    case 'SSSS':
    case 'SSSSS':
      return num(`(${dp('hour')} * 3600 + ${dp('minute')} * 60 + ${dp('second')})`, 1, p);
    case 'AM':
    case 'PM':
    case 'A.M.':
    case 'P.M.': {
      const [am, pm] = K.includes('.') ? ['A.M.', 'P.M.'] : ['AM', 'PM'];
      const lower = p.kw === p.kw.toLowerCase();
      return `CASE WHEN ${dp('hour')} % 24 < 12 THEN ${sqlString(lower ? am.toLowerCase() : am)} ELSE ${sqlString(lower ? pm.toLowerCase() : pm)} END`;
    }
    case 'AD':
    case 'BC':
    case 'A.D.':
    case 'B.C.': {
      const [ad, bc] = K.includes('.') ? ['A.D.', 'B.C.'] : ['AD', 'BC'];
      const lower = p.kw === p.kw.toLowerCase();
      return `CASE WHEN ${year} <= 0 THEN ${sqlString(lower ? bc.toLowerCase() : bc)} ELSE ${sqlString(lower ? ad.toLowerCase() : ad)} END`;
    }
    case 'MON':
      return name(`strftime(__arg_x, '%b')`, p.kw, 0, true);
    case 'MONTH':
      return name(`strftime(__arg_x, '%B')`, p.kw, 9, p.fm || !!p.tm);
    case 'DY':
      return name(`strftime(__arg_x, '%a')`, p.kw, 0, true);
    case 'DAY':
      return name(`strftime(__arg_x, '%A')`, p.kw, 9, p.fm || !!p.tm);
    case 'RM': {
      const r = `(${ROMAN})[${dp('month')}]`;
      return name(r, p.kw, 4, p.fm);
    }
    case 'TZ':
      return name(`strftime(__arg_x, '%Z')`, p.kw, 0, true);
    case 'OF':
      return `strftime(__arg_x, '%z')`;
    case 'TZH':
      return `substr(strftime(__arg_x, '%z'), 1, 3)`;
    case 'TZM':
      return `CASE WHEN length(strftime(__arg_x, '%z')) > 3 THEN substr(strftime(__arg_x, '%z'), 5, 2) ELSE '00' END`;
    case 'FX':
      return undefined;
  }
  throw new Error(`unhandled template pattern ${p.kw}`);
}

/**
 * to_char(x, fmt) as SQL over `__arg_x`: NULL for a NULL x, and (as PostgreSQL) for an empty
 * template.
 */
export function toCharSql(fmt: string): string {
  if (fmt === '') return 'CAST(NULL AS VARCHAR)';
  const parts: string[] = [];
  let nullSafe = false;
  for (const piece of parseTemplate(fmt)) {
    if ('lit' in piece) {
      parts.push(sqlString(piece.lit));
      continue;
    }
    const s = patternSql(piece);
    if (s === undefined) continue;
    parts.push(s.sql);
    if (s.nullSafe) nullSafe = true;
  }
  const body = parts.length === 0 ? "''" : parts.join(' || ');
  // NULL in, NULL out: a piece over the value gives that already; text or CASE pieces alone do not.
  return nullSafe ? `(${body})` : `CASE WHEN __arg_x IS NULL THEN NULL ELSE ${body} END`;
}

/** strptime's equivalent of each pattern that to_date/to_timestamp read. */
const STRPTIME: Record<string, string> = {
  YYYY: '%Y',
  YY: '%y',
  IYYY: '%G',
  MM: '%m',
  DD: '%d',
  DDD: '%j',
  HH: '%I',
  HH12: '%I',
  HH24: '%H',
  MI: '%M',
  SS: '%S',
  MS: '%g',
  US: '%f',
  FF1: '%f',
  FF2: '%f',
  FF3: '%f',
  FF4: '%f',
  FF5: '%f',
  FF6: '%f',
  MON: '%b',
  MONTH: '%B',
  DY: '%a',
  DAY: '%A',
  AM: '%p',
  PM: '%p',
  IW: '%V',
  ID: '%u',
  TZ: '%Z',
  OF: '%z',
  FX: '',
};

/**
 * The strptime format for a to_date/to_timestamp template, or the first pattern strptime has no
 * equivalent for.
 */
export function strptimeFormat(fmt: string): { format: string } | { unsupported: string } {
  let out = '';
  for (const piece of parseTemplate(fmt)) {
    if ('lit' in piece) {
      out += piece.lit.replace(/%/g, '%%');
      continue;
    }
    const f = STRPTIME[piece.kw.toUpperCase()];
    if (f === undefined) return { unsupported: piece.kw };
    out += f;
  }
  return { format: out };
}
