/**
 * Column statistics (§16): per-file rows from DuckDB's RETURN_STATS, and the running table
 * statistics merged exactly as the extension merges them (typed min/max, OR of null/NaN flags,
 * unknown as soon as one contributor lacks a bound).
 */
import type { LakeColumn } from '../types.js';

export interface ColumnStats {
  columnId: number;
  columnSizeBytes: number | null;
  valueCount: number | null;
  nullCount: number | null;
  min: string | null;
  max: string | null;
  containsNan: boolean | null;
}

export interface TableColumnStats {
  columnId: number;
  containsNull: boolean | null;
  containsNan: boolean | null;
  min: string | null;
  max: string | null;
}

/** Compares two stat strings of a DuckLake type; negative when a < b. */
export function compareStat(type: string, a: string, b: string): number {
  if (/^u?int\d+$/.test(type)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'float32' || type === 'float64') return floatValue(a) - floatValue(b) || 0;
  if (type.startsWith('decimal(')) return compareDecimal(a, b);
  if (type === 'boolean') return boolValue(a) - boolValue(b);
  if (type === 'timetz') return compareTimeTz(a, b);
  if (isTemporalStatType(type)) return compareTemporal(a, b);
  // strings, json, uuid, blob, interval: bytewise on the text
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Temporal types in DuckDB's sense (value-ordered statistics); interval is not one of them. */
export function isTemporalStatType(type: string): boolean {
  return ['date', 'time', 'time_ns', 'timetz', 'timestamp', 'timestamp_s', 'timestamp_ms', 'timestamp_ns', 'timestamptz'].includes(type);
}

/**
 * TIMETZ values order the way DuckDB compares their storage: local time first, then the offset
 * descending (a larger offset is encoded smaller).
 */
function compareTimeTz(a: string, b: string): number {
  const split = (s: string) => {
    const m = /^(\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2}(?::?\d{2}){0,2})?$/.exec(s);
    if (!m) return { local: s, offset: 0 };
    const [h = '0', mi = '0', se = '0'] = (m[2] ?? '+00').slice(1).split(':');
    const sign = m[2]?.startsWith('-') ? -1 : 1;
    return { local: m[1]!, offset: sign * (Number(h) * 3600 + Number(mi) * 60 + Number(se)) };
  };
  const x = split(a);
  const y = split(b);
  if (x.local !== y.local) return x.local < y.local ? -1 : 1;
  return y.offset - x.offset;
}

function floatValue(s: string): number {
  const t = s.toLowerCase();
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan') return Infinity; // DuckDB orders NaN above everything
  return Number(s);
}

function boolValue(s: string): number {
  return s === '1' || s.toLowerCase() === 'true' ? 1 : 0;
}

function compareDecimal(a: string, b: string): number {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  const x = scaled(a, scale);
  const y = scaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

const fractionDigits = (s: string) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);

function scaled(s: string, scale: number): bigint {
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const [i, f = ''] = body.split('.');
  const v = BigInt((i || '0') + f.padEnd(scale, '0'));
  return neg ? -v : v;
}

/** ISO dates and times compare as text except for infinities and BC years. */
function compareTemporal(a: string, b: string): number {
  const rank = (s: string) => (s === '-infinity' ? -1 : s === 'infinity' ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra || rb) return ra - rb;
  const bcA = a.includes('(BC)') || a.endsWith(' BC');
  const bcB = b.includes('(BC)') || b.endsWith(' BC');
  if (bcA !== bcB) return bcA ? -1 : 1;
  const c = a < b ? -1 : a > b ? 1 : 0;
  return bcA ? -c : c;
}

/** File column stats rows from one RETURN_STATS `column_statistics` map. */
export function fileColumnStats(leaves: { col: LakeColumn; path: string }[], stats: Map<string, Map<string, string>>): ColumnStats[] {
  const out: ColumnStats[] = [];
  for (const { col, path } of leaves) {
    const s = stats.get(path);
    if (!s) continue;
    const num = (k: string) => (s.has(k) ? Number(s.get(k)) : null);
    const nullCount = num('null_count');
    const numValues = num('num_values');
    const valueCount = nullCount === null || numValues === null || nullCount > numValues ? null : numValues - nullCount;
    const isFloat = col.type === 'float32' || col.type === 'float64';
    const [min, max] = storableBounds(s.get('min') ?? null, s.get('max') ?? null);
    out.push({
      columnId: col.id,
      columnSizeBytes: num('column_size_bytes'),
      valueCount,
      nullCount,
      min,
      max,
      containsNan: isFloat ? s.get('has_nan') === 'true' : null,
    });
  }
  return out;
}

/**
 * Merges new data's column stats into the table's running stats. `known` = whether the table
 * already has a stats row; columns absent from `existing` are not created afterwards (§16.3).
 */
export function mergeTableStats(
  types: Map<number, string>,
  existing: Map<number, TableColumnStats> | undefined,
  incoming: { columnId: number; nullCount: number | null; min: string | null; max: string | null; containsNan: boolean | null; hasValues: boolean }[],
): Map<number, TableColumnStats> {
  const result = new Map<number, TableColumnStats>();
  if (existing) for (const [k, v] of existing) result.set(k, { ...v });
  for (const inc of incoming) {
    const type = types.get(inc.columnId) ?? 'varchar';
    const cur = result.get(inc.columnId);
    const incNull = inc.nullCount === null ? null : inc.nullCount > 0;
    if (!cur) {
      if (existing) continue; // the extension never adds rows for columns it had no stats for
      result.set(inc.columnId, { columnId: inc.columnId, containsNull: incNull, containsNan: inc.containsNan, min: inc.min, max: inc.max });
      continue;
    }
    cur.containsNull = or3(cur.containsNull, incNull);
    cur.containsNan = or3(cur.containsNan, inc.containsNan);
    if (!inc.hasValues) continue; // all-NULL data does not move min/max
    cur.min = cur.min === null || inc.min === null ? null : compareStat(type, inc.min, cur.min) < 0 ? inc.min : cur.min;
    cur.max = cur.max === null || inc.max === null ? null : compareStat(type, inc.max, cur.max) > 0 ? inc.max : cur.max;
  }
  return result;
}

/** SQL's three-valued OR (true wins, then unknown). */
function or3(a: boolean | null, b: boolean | null): boolean | null {
  if (a === true || b === true) return true;
  if (a === null || b === null) return null;
  return false;
}

/**
 * Bounds as the catalog can store them: a value with a NUL character cannot live in a
 * PostgreSQL varchar, so such bounds are unknown (the extension does the same on every backend).
 */
export function storableBounds(min: string | null, max: string | null): [string | null, string | null] {
  if ((min !== null && min.includes('\u0000')) || (max !== null && max.includes('\u0000'))) return [null, null];
  return [min, max];
}
