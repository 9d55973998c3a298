/**
 * DuckLake column type names (ducklake_column.column_type) and their DuckDB types, plus the
 * column trees the catalog stores flattened (parent_column) and the Parquet FIELD_IDS spec.
 */
import { PgError, SqlState } from '../errors/pg-error.js';

/** One column or nested field as the catalog holds it. */
export interface LakeColumn {
  id: number;
  name: string;
  /** DuckLake type name: int32, varchar, decimal(18,2), struct, list, map, ... */
  type: string;
  nullable: boolean;
  initialDefault: string | null;
  /** Default for INSERT: null when none (catalog stores the string 'NULL'). */
  defaultValue: string | null;
  defaultType: 'literal' | 'expression' | '';
  children: LakeColumn[];
  /** begin_snapshot of the current version of this column row. */
  beginSnapshot?: number;
}

const SCALARS: Record<string, string> = {
  boolean: 'BOOLEAN',
  int8: 'TINYINT',
  int16: 'SMALLINT',
  int32: 'INTEGER',
  int64: 'BIGINT',
  int128: 'HUGEINT',
  uint8: 'UTINYINT',
  uint16: 'USMALLINT',
  uint32: 'UINTEGER',
  uint64: 'UBIGINT',
  uint128: 'UHUGEINT',
  float32: 'FLOAT',
  float64: 'DOUBLE',
  time: 'TIME',
  time_ns: 'TIME_NS',
  timetz: 'TIME WITH TIME ZONE',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  timestamp_us: 'TIMESTAMP',
  timestamp_s: 'TIMESTAMP_S',
  timestamp_ms: 'TIMESTAMP_MS',
  timestamp_ns: 'TIMESTAMP_NS',
  timestamptz: 'TIMESTAMP WITH TIME ZONE',
  interval: 'INTERVAL',
  varchar: 'VARCHAR',
  blob: 'BLOB',
  uuid: 'UUID',
  json: 'JSON',
  variant: 'VARIANT',
  geometry: 'GEOMETRY',
};

/** DuckDB type (as duckdb_columns().data_type prints it) → DuckLake name. */
const FROM_DUCK: Record<string, string> = {
  BOOLEAN: 'boolean',
  TINYINT: 'int8',
  SMALLINT: 'int16',
  INTEGER: 'int32',
  BIGINT: 'int64',
  HUGEINT: 'int128',
  UTINYINT: 'uint8',
  USMALLINT: 'uint16',
  UINTEGER: 'uint32',
  UBIGINT: 'uint64',
  UHUGEINT: 'uint128',
  FLOAT: 'float32',
  DOUBLE: 'float64',
  TIME: 'time',
  TIME_NS: 'time_ns',
  'TIME WITH TIME ZONE': 'timetz',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  TIMESTAMP_S: 'timestamp_s',
  TIMESTAMP_MS: 'timestamp_ms',
  TIMESTAMP_NS: 'timestamp_ns',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  INTERVAL: 'interval',
  VARCHAR: 'varchar',
  BLOB: 'blob',
  UUID: 'uuid',
  JSON: 'json',
  VARIANT: 'variant',
  GEOMETRY: 'geometry',
};

export const quoteIdent = (name: string) => '"' + name.replace(/"/g, '""') + '"';
export const quoteLiteral = (s: string) => "'" + s.replace(/'/g, "''") + "'";

/** DuckDB SQL type of a column tree. */
export function duckType(col: LakeColumn): string {
  const t = col.type.toLowerCase();
  if (t === 'struct') return `STRUCT(${col.children.map((c) => `${quoteIdent(c.name)} ${duckType(c)}`).join(', ')})`;
  if (t === 'list') return `${duckType(col.children[0]!)}[]`;
  if (t === 'map') return `MAP(${duckType(col.children[0]!)}, ${duckType(col.children[1]!)})`;
  if (t.startsWith('decimal(')) return t.toUpperCase().replace(/\s+/g, '');
  const s = SCALARS[t];
  if (!s) throw new PgError(SqlState.featureNotSupported, `unsupported DuckLake column type "${col.type}"`);
  return s;
}

/** Scalar DuckLake type name for a DuckDB scalar type string; undefined if DuckLake cannot store it. */
export function lakeScalarType(duck: string): string | undefined {
  const d = duck.trim().toUpperCase();
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(d);
  if (dec) return `decimal(${dec[1]},${dec[2]})`;
  if (d === 'DECIMAL') return 'decimal(18,3)';
  return FROM_DUCK[d];
}

/**
 * Walks a DuckDB type string into a column tree (ids assigned later). Nested types:
 * STRUCT("a" INTEGER, ...), T[], MAP(K, V).
 */
export function parseDuckType(typeText: string, name: string): LakeColumn {
  const p = new TypeParser(typeText);
  const col = p.parse(name);
  p.expectEnd();
  return col;
}

class TypeParser {
  private pos = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  expectEnd(): void {
    this.ws();
    if (this.pos !== this.s.length) throw unsupported(this.s);
  }

  private ident(): string {
    this.ws();
    if (this.s[this.pos] === '"') {
      let out = '';
      this.pos++;
      while (this.pos < this.s.length) {
        if (this.s[this.pos] === '"') {
          if (this.s[this.pos + 1] === '"') {
            out += '"';
            this.pos += 2;
            continue;
          }
          this.pos++;
          return out;
        }
        out += this.s[this.pos++];
      }
      throw unsupported(this.s);
    }
    const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(this.s.slice(this.pos));
    if (!m) throw unsupported(this.s);
    this.pos += m[0].length;
    return m[0];
  }

  parse(name: string): LakeColumn {
    this.ws();
    let col: LakeColumn;
    const rest = this.s.slice(this.pos);
    const upper = rest.toUpperCase();
    if (upper.startsWith('STRUCT(') || upper.startsWith('STRUCT (')) {
      this.pos += upper.indexOf('(') + 1;
      const children: LakeColumn[] = [];
      for (;;) {
        const fieldName = this.ident();
        children.push(this.parse(fieldName));
        this.ws();
        if (this.s[this.pos] === ',') {
          this.pos++;
          continue;
        }
        if (this.s[this.pos] === ')') {
          this.pos++;
          break;
        }
        throw unsupported(this.s);
      }
      col = node(name, 'struct', children);
    } else if (upper.startsWith('MAP(') || upper.startsWith('MAP (')) {
      this.pos += upper.indexOf('(') + 1;
      const key = this.parse('key');
      this.ws();
      if (this.s[this.pos] !== ',') throw unsupported(this.s);
      this.pos++;
      const value = this.parse('value');
      this.ws();
      if (this.s[this.pos] !== ')') throw unsupported(this.s);
      this.pos++;
      col = node(name, 'map', [key, value]);
    } else {
      // scalar: read up to ',' ')' '[' at depth 0 (DECIMAL(p, s) has parentheses)
      let depth = 0;
      const start = this.pos;
      while (this.pos < this.s.length) {
        const c = this.s[this.pos]!;
        if (c === '(') depth++;
        else if (c === ')') {
          if (depth === 0) break;
          depth--;
        } else if ((c === ',' || c === '[') && depth === 0) break;
        this.pos++;
      }
      const text = this.s.slice(start, this.pos).trim();
      const lake = lakeScalarType(text);
      if (!lake) throw unsupported(text);
      col = node(name, lake, []);
    }
    // trailing [] (lists); fixed-size [n] arrays are not storable
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '[') break;
      if (this.s[this.pos + 1] !== ']') throw new PgError(SqlState.featureNotSupported, 'fixed-size ARRAY columns are not supported by DuckLake', { hint: 'Use a list type such as INTEGER[] instead.' });
      this.pos += 2;
      col = node(name, 'list', [{ ...col, name: 'element' }]);
    }
    return col;
  }
}

function node(name: string, type: string, children: LakeColumn[]): LakeColumn {
  const nested = type === 'struct' || type === 'list' || type === 'map';
  return { id: 0, name, type, nullable: true, initialDefault: null, defaultValue: null, defaultType: nested ? '' : 'literal', children };
}

function unsupported(text: string): PgError {
  return new PgError(SqlState.featureNotSupported, `type ${text} is not supported in DuckLake tables`, {
    hint: 'DuckLake stores integers, floats, decimals, booleans, strings, blobs, dates, times, timestamps, intervals, UUIDs, JSON, lists, structs and maps.',
  });
}

/** Assigns column ids depth-first pre-order starting at `next` (returns the next free id). */
export function assignIds(cols: LakeColumn[], next: number): number {
  for (const c of cols) {
    c.id = next++;
    next = assignIds(c.children, next);
  }
  return next;
}

/** Parquet COPY FIELD_IDS value for top-level columns (nested: __duckdb_field_id + children). */
export function fieldIdsSpec(cols: LakeColumn[]): string {
  const entry = (c: LakeColumn): string => {
    if (c.children.length === 0) return `${quoteIdent(c.name)}: ${c.id}`;
    return `${quoteIdent(c.name)}: {__duckdb_field_id: ${c.id}, ${c.children.map(entry).join(', ')}}`;
  };
  return `{${cols.map(entry).join(', ')}}`;
}

/** Leaf columns with their quoted dotted path as DuckDB's RETURN_STATS keys them. */
export function leafPaths(cols: LakeColumn[], prefix = ''): { col: LakeColumn; path: string }[] {
  const out: { col: LakeColumn; path: string }[] = [];
  for (const c of cols) {
    const p = prefix ? `${prefix}.${quoteIdent(c.name)}` : quoteIdent(c.name);
    if (c.children.length === 0) out.push({ col: c, path: p });
    else out.push(...leafPaths(c.children, p));
  }
  return out;
}

export function isNestedType(t: string): boolean {
  return t === 'struct' || t === 'list' || t === 'map';
}

/** Whether `to` is a type promotion DuckLake allows for a column of type `from`. */
export function isAllowedPromotion(from: string, to: string): boolean {
  if (from === to) return true;
  const signed = ['int8', 'int16', 'int32', 'int64', 'int128'];
  const unsigned = ['uint8', 'uint16', 'uint32', 'uint64', 'uint128'];
  const bits = (t: string) => Number(/\d+$/.exec(t)?.[0] ?? 0);
  if (signed.includes(from) && signed.includes(to)) return bits(to) > bits(from);
  if (unsigned.includes(from) && unsigned.includes(to)) return bits(to) > bits(from);
  if (unsigned.includes(from) && signed.includes(to)) return bits(to) > bits(from);
  if ((signed.includes(from) || unsigned.includes(from)) && (to === 'float32' || to === 'float64')) return true;
  if (from === 'float32' && to === 'float64') return true;
  if (from === 'timestamp' && to === 'timestamptz') return true;
  return false;
}
