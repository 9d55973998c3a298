/**
 * Date, time, timestamp and interval text formats exactly as PostgreSQL prints them
 * (DateStyle ISO, the four IntervalStyles), and time-zone offsets for TimeZone.
 */

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_DAY = 86_400_000_000n;
/** Days from 1970-01-01 (DuckDB's epoch) to 2000-01-01 (PostgreSQL's). */
export const PG_EPOCH_DAYS = 10957;
export const PG_EPOCH_USECS = 946_684_800_000_000n;

/** DuckDB's infinity sentinels. */
export const DATE_INFINITY = 2147483647;
export const DATE_NINFINITY = -2147483647;
export const TS_INFINITY = 9223372036854775807n;
export const TS_NINFINITY = -9223372036854775807n;

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));

/** Proleptic Gregorian civil date from days since 1970-01-01 (Hinnant's algorithm). */
export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: m <= 2 ? y + 1 : y, m, d };
}

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function yearText(y: number): { text: string; bc: boolean } {
  if (y > 0) return { text: y < 1000 ? String(y).padStart(4, '0') : String(y), bc: false };
  const bcYear = 1 - y;
  return { text: bcYear < 1000 ? String(bcYear).padStart(4, '0') : String(bcYear), bc: true };
}

/** `date` in ISO style; days since 1970-01-01. */
export function formatDate(days: number): string {
  if (days === DATE_INFINITY) return 'infinity';
  if (days === DATE_NINFINITY) return '-infinity';
  const { y, m, d } = civilFromDays(days);
  const yt = yearText(y);
  return `${yt.text}-${pad2(m)}-${pad2(d)}${yt.bc ? ' BC' : ''}`;
}

/** Fractional seconds with trailing zeros removed, or '' when zero. */
function fraction(usec: number): string {
  if (usec === 0) return '';
  let s = String(usec).padStart(6, '0');
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  return '.' + s.slice(0, end);
}

/** `time` from microseconds since midnight (0 ≤ t ≤ 24h). */
export function formatTime(usecOfDay: number): string {
  const totalSec = Math.floor(usecOfDay / USECS_PER_SEC);
  const usec = usecOfDay - totalSec * USECS_PER_SEC;
  const h = Math.floor(totalSec / 3600);
  const mi = Math.floor((totalSec % 3600) / 60);
  const s = totalSec % 60;
  return `${pad2(h)}:${pad2(mi)}:${pad2(s)}${fraction(usec)}`;
}

/** A UTC offset the PostgreSQL way: `+HH`, `+HH:MM` or `+HH:MM:SS` (seconds east of UTC). */
export function formatOffset(secondsEast: number): string {
  const sign = secondsEast >= 0 ? '+' : '-';
  let sec = Math.abs(secondsEast);
  const h = Math.floor(sec / 3600);
  sec -= h * 3600;
  const mi = Math.floor(sec / 60);
  sec -= mi * 60;
  if (sec !== 0) return `${sign}${pad2(h)}:${pad2(mi)}:${pad2(sec)}`;
  if (mi !== 0) return `${sign}${pad2(h)}:${pad2(mi)}`;
  return `${sign}${pad2(h)}`;
}

export function formatTimeTz(usecOfDay: number, offsetSecondsEast: number): string {
  return formatTime(usecOfDay) + formatOffset(offsetSecondsEast);
}

/** Splits microseconds since 1970 into whole days and microseconds of that day. */
function splitMicros(micros: bigint): { days: number; usecOfDay: number } {
  let days = micros / USECS_PER_DAY;
  let rem = micros - days * USECS_PER_DAY;
  if (rem < 0n) {
    rem += USECS_PER_DAY;
    days -= 1n;
  }
  return { days: Number(days), usecOfDay: Number(rem) };
}

/** Fast split for timestamps held as a JS number of microseconds (exact below 2^53). */
function splitMicrosNumber(micros: number): { days: number; usecOfDay: number } {
  const days = Math.floor(micros / 86_400_000_000);
  return { days, usecOfDay: micros - days * 86_400_000_000 };
}

function formatLocal(days: number, usecOfDay: number, offset?: number, xsd = false): string {
  const { y, m, d } = civilFromDays(days);
  const yt = yearText(y);
  const tz = offset === undefined ? '' : xsd ? formatOffsetXsd(offset) : formatOffset(offset);
  return `${yt.text}-${pad2(m)}-${pad2(d)}${xsd ? 'T' : ' '}${formatTime(usecOfDay)}${tz}${yt.bc ? ' BC' : ''}`;
}

/** The XML Schema offset style PostgreSQL uses in JSON: always `+HH:MM`, `+HH:MM:SS` if needed. */
function formatOffsetXsd(secondsEast: number): string {
  const s = formatOffset(secondsEast);
  return s.length === 3 ? s + ':00' : s;
}

/**
 * A timestamp (or, with a zone, a timestamptz) the way PostgreSQL's to_json writes it:
 * `2024-01-01T12:00:00.5`, `2024-01-01T07:00:00-05:00`, `infinity`.
 */
export function formatTimestampJson(micros: bigint, zone?: TimeZone): string {
  if (micros >= TS_INFINITY) return 'infinity';
  if (micros <= TS_NINFINITY) return '-infinity';
  const offset = zone?.offsetAt(micros);
  const local = offset === undefined ? micros : micros + BigInt(offset) * 1_000_000n;
  const { days, usecOfDay } = splitMicros(local);
  return formatLocal(days, usecOfDay, offset, true);
}

/** `timestamp` (no time zone) from microseconds since 1970-01-01. */
export function formatTimestamp(micros: bigint): string {
  if (micros === TS_INFINITY) return 'infinity';
  if (micros === TS_NINFINITY) return '-infinity';
  const { days, usecOfDay } = micros > -9007199254740991n && micros < 9007199254740991n ? splitMicrosNumber(Number(micros)) : splitMicros(micros);
  return formatLocal(days, usecOfDay);
}

/** `timestamptz` rendered in a session time zone, from microseconds since 1970 UTC. */
export function formatTimestampTz(micros: bigint, zone: TimeZone): string {
  if (micros === TS_INFINITY) return 'infinity';
  if (micros === TS_NINFINITY) return '-infinity';
  const offset = zone.offsetAt(micros);
  const local = micros + BigInt(offset) * 1_000_000n;
  const { days, usecOfDay } = local > -9007199254740991n && local < 9007199254740991n ? splitMicrosNumber(Number(local)) : splitMicros(local);
  return formatLocal(days, usecOfDay, offset);
}

export type IntervalStyle = 'postgres' | 'postgres_verbose' | 'sql_standard' | 'iso_8601';

/** `interval` text in the given IntervalStyle, following PostgreSQL's EncodeInterval. */
export function formatInterval(months: number, days: number, micros: bigint, style: IntervalStyle): string {
  const year = Math.trunc(months / 12);
  const mon = months % 12 || 0;
  const mday = days;
  let t = micros;
  const hourB = t / 3_600_000_000n;
  t -= hourB * 3_600_000_000n;
  const min = Number(t / 60_000_000n);
  t -= BigInt(min) * 60_000_000n;
  const sec = Number(t / 1_000_000n);
  t -= BigInt(sec) * 1_000_000n;
  const fsec = Number(t);
  const hour = Number(hourB);

  const seconds = (s: number, f: number, fill: boolean) => {
    const whole = fill ? pad2(Math.abs(s)) : String(Math.abs(s));
    return whole + fraction(Math.abs(f));
  };

  switch (style) {
    case 'postgres': {
      let out = '';
      let isZero = true;
      let isBefore = false;
      const part = (value: number, unit: string) => {
        if (value === 0) return;
        out += `${!isZero ? ' ' : ''}${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`;
        isBefore = value < 0;
        isZero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      if (isZero || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0) {
        const minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
        out += `${isZero ? '' : ' '}${minus ? '-' : isBefore ? '+' : ''}${pad2(Math.abs(hour))}:${pad2(Math.abs(min))}:${seconds(sec, fsec, true)}`;
      }
      return out;
    }
    case 'sql_standard': {
      const hasNegative = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0;
      const hasPositive = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0;
      const hasYearMonth = year !== 0 || mon !== 0;
      const hasDayTime = mday !== 0 || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0;
      const standard = !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime);
      let [y, mo, d, h, mi, s, f] = [year, mon, mday, hour, min, sec, fsec];
      let out = '';
      if (hasNegative && standard) {
        out = '-';
        [y, mo, d, h, mi, s, f] = [-y, -mo, -d, -h, -mi, -s, -f];
      }
      if (!hasNegative && !hasPositive) return '0';
      if (!standard) {
        const ys = y < 0 || mo < 0 ? '-' : '+';
        const ds = d < 0 ? '-' : '+';
        const ss = h < 0 || mi < 0 || s < 0 || f < 0 ? '-' : '+';
        return `${ys}${Math.abs(y)}-${Math.abs(mo)} ${ds}${Math.abs(d)} ${ss}${Math.abs(h)}:${pad2(Math.abs(mi))}:${seconds(s, f, true)}`;
      }
      if (hasYearMonth) return `${out}${y}-${mo}`;
      if (mday !== 0) return `${out}${d} ${h}:${pad2(mi)}:${seconds(s, f, true)}`;
      return `${out}${h}:${pad2(mi)}:${seconds(s, f, true)}`;
    }
    case 'iso_8601': {
      if (year === 0 && mon === 0 && mday === 0 && hour === 0 && min === 0 && sec === 0 && fsec === 0) return 'PT0S';
      let out = 'P';
      const part = (v: number, u: string) => {
        if (v !== 0) out += `${v}${u}`;
      };
      part(year, 'Y');
      part(mon, 'M');
      part(mday, 'D');
      if (hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0) out += 'T';
      part(hour, 'H');
      part(min, 'M');
      if (sec !== 0 || fsec !== 0) {
        if (sec < 0 || fsec < 0) out += '-';
        out += seconds(sec, fsec, false) + 'S';
      }
      return out;
    }
    case 'postgres_verbose': {
      let out = '@';
      let isZero = true;
      let isBefore = false;
      const part = (value: number, unit: string) => {
        if (value === 0) return;
        let v = value;
        if (isZero) {
          isBefore = v < 0;
          v = Math.abs(v);
        } else if (isBefore) v = -v;
        out += ` ${v} ${unit}${v === 1 ? '' : 's'}`;
        isZero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      part(hour, 'hour');
      part(min, 'min');
      if (sec !== 0 || fsec !== 0) {
        out += ' ';
        if (sec < 0 || (sec === 0 && fsec < 0)) {
          if (isZero) isBefore = true;
          else if (!isBefore) out += '-';
        } else if (isBefore) out += '-';
        out += seconds(sec, fsec, false);
        out += ` sec${Math.abs(sec) !== 1 || fsec !== 0 ? 's' : ''}`;
        isZero = false;
      }
      if (isZero) out += ' 0';
      if (isBefore) out += ' ago';
      return out;
    }
  }
}

/**
 * PostgreSQL's name for a fixed-offset zone set by a number of hours (pg_tzset_offset):
 * `<+05:30>-05:30` for 5.5 hours east of UTC, `<-08>+08` for 8 hours west.
 */
export function fixedOffsetZoneName(secondsEast: number): string {
  let abs = Math.abs(secondsEast);
  let off = pad2(Math.floor(abs / 3600));
  abs %= 3600;
  if (abs !== 0) {
    off += ':' + pad2(Math.floor(abs / 60));
    abs %= 60;
    if (abs !== 0) off += ':' + pad2(abs);
  }
  return secondsEast < 0 ? `<-${off}>+${off}` : `<+${off}>-${off}`;
}

/**
 * A session time zone: an IANA zone resolved through Intl (with a per-bucket offset cache),
 * or a fixed offset.
 */
export class TimeZone {
  private readonly fmt?: Intl.DateTimeFormat;
  private readonly fixedOffset?: number;
  private readonly cache = new Map<number, number>();

  private constructor(readonly name: string, fixedOffset?: number, ianaName?: string) {
    if (fixedOffset !== undefined) this.fixedOffset = fixedOffset;
    else
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: ianaName,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
  }

  /** Resolves a PostgreSQL TimeZone setting; undefined when it names no known zone. */
  static resolve(value: string): TimeZone | undefined {
    const v = value.trim();
    if (/^(utc|gmt|z|zulu|etc\/utc|etc\/gmt|universal|etc\/universal|uct)$/i.test(v)) return new TimeZone(canonicalUtc(v), 0);
    // A plain number is hours in the SQL sign convention (east positive), as in SET TIME ZONE -8
    // or TimeZone = '5.5'; PostgreSQL names such a zone '<+05:30>-05:30' (its POSIX spelling).
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v)) {
      const hours = Number(v);
      // PostgreSQL truncates the seconds toward zero (a C cast of -hours * 3600).
      const secs = -Math.trunc(-hours * 3600) || 0;
      if (!(Math.abs(secs) < 168 * 3600)) return undefined;
      return new TimeZone(fixedOffsetZoneName(secs), secs);
    }
    // Anything else is a POSIX zone specification, whose sign is the opposite (west positive):
    // '+05:30' is 5 h 30 min WEST of UTC, exactly as PostgreSQL reads it. Also 'UTC+3', '<+05>-5'.
    const posix = /^(?:[A-Za-z]{3,}|<[^>]+>)?([+-]?)(\d{1,3})(?::(\d{2}))?(?::(\d{2}))?$/.exec(v);
    if (posix) {
      const sign = posix[1] === '-' ? 1 : -1;
      const secs = sign * (Number(posix[2]) * 3600 + Number(posix[3] ?? 0) * 60 + Number(posix[4] ?? 0));
      if (Math.abs(secs) >= 168 * 3600 || Number(posix[3] ?? 0) > 59 || Number(posix[4] ?? 0) > 59) return undefined;
      return new TimeZone(v, secs || 0);
    }
    const iana = canonicalIana(v);
    if (!iana) return undefined;
    return new TimeZone(iana, undefined, iana);
  }

  get isFixed(): boolean {
    return this.fixedOffset !== undefined;
  }

  /** Seconds east of UTC in effect at the instant (microseconds since 1970 UTC). */
  offsetAt(micros: bigint): number {
    if (this.fixedOffset !== undefined) return this.fixedOffset;
    const ms = clampMs(Number(micros / 1000n));
    // Offsets change rarely; cache per 15-minute bucket, checking both bucket ends.
    const bucket = Math.floor(ms / 900_000);
    const cached = this.cache.get(bucket);
    if (cached !== undefined) return cached;
    const startOffset = this.offsetAtMs(bucket * 900_000);
    const endOffset = this.offsetAtMs(bucket * 900_000 + 899_999);
    if (startOffset === endOffset) {
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(bucket, startOffset);
      return startOffset;
    }
    return this.offsetAtMs(ms);
  }

  private offsetAtMs(ms: number): number {
    const parts = this.fmt!.formatToParts(new Date(ms));
    let y = 0,
      mo = 1,
      d = 1,
      h = 0,
      mi = 0,
      s = 0,
      bc = false;
    for (const p of parts) {
      switch (p.type) {
        case 'year':
          y = Number(p.value);
          break;
        case 'month':
          mo = Number(p.value);
          break;
        case 'day':
          d = Number(p.value);
          break;
        case 'hour':
          h = Number(p.value);
          break;
        case 'minute':
          mi = Number(p.value);
          break;
        case 'second':
          s = Number(p.value);
          break;
        case 'era':
          bc = p.value === 'BC' || p.value === 'B';
          break;
      }
    }
    if (bc) y = 1 - y;
    const localMs = (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000;
    const utcWholeSecondMs = Math.floor(ms / 1000) * 1000;
    return Math.round((localMs - utcWholeSecondMs) / 1000);
  }
}

const MAX_DATE_MS = 8.64e15;
function clampMs(ms: number): number {
  return Math.max(-MAX_DATE_MS + 86_400_000, Math.min(MAX_DATE_MS - 86_400_000, ms));
}

function canonicalUtc(v: string): string {
  return v.toUpperCase() === 'GMT' ? 'GMT' : v.toUpperCase() === 'UTC' ? 'UTC' : v;
}

let ianaIndex: Map<string, string> | undefined;

/** Case-insensitive IANA lookup (PostgreSQL matches zone names case-insensitively). */
export function canonicalIana(name: string): string | undefined {
  if (!ianaIndex) {
    ianaIndex = new Map();
    const zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
    for (const z of zones) ianaIndex.set(z.toLowerCase(), z);
  }
  const hit = ianaIndex.get(name.toLowerCase());
  if (hit) return hit;
  // Aliases (US/Eastern, Etc/GMT+5, ...) are not always listed; ask Intl directly.
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return resolved ? name : undefined;
  } catch {
    return undefined;
  }
}
