/**
 * COPY ... FROM STDIN. CopyData is parsed by lakegres (text, CSV, binary), converted with
 * PostgreSQL's input rules, written into DuckDB data chunks and appended to a session-private
 * staging table. At CopyDone one INSERT ... SELECT moves everything into the target, so a bad
 * row (reported with its line number) or a CopyFail leaves nothing of the COPY behind.
 */
import { isUtf8 } from 'node:buffer';
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, DuckDBTypeId, VARCHAR, BIGINT, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import * as be from '../protocol/backend.js';
import type { FrontendMessage } from '../protocol/frontend.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import { fromDuckDBError } from '../errors/duckdb-errors.js';
import type { Statement } from '../sql/classify.js';
import { pgTypeOf } from '../types/mapping.js';
import { Oid } from '../types/pg-types.js';
import { binaryParam, textParam } from '../types/params.js';
import { parseBool, parseBytea } from '../types/text-input.js';
import { copyParser, type CopyParser, type CopyRow } from './copy-formats.js';
import type { Session } from './session.js';
import { quoteIdent } from '../engine/engine.js';
import { readAll } from '../engine/rows.js';

type CopyFromStmt = Extract<Statement, { kind: 'copyFromStdin' }>;

/** How a column is held in the staging table. */
type Kind = 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64' | 'f32' | 'f64' | 'varchar' | 'blob' | 'cast';

interface Column {
  name: string;
  type: DuckDBType;
  kind: Kind;
  pgOid: number;
  /** PostgreSQL type name for messages. */
  pgName: string;
  forceNull: boolean;
  forceNotNull: boolean;
}

const CHUNK_ROWS = 2048;
let stagingSeq = 0;

const INT_RANGES: Record<string, [bigint, bigint, string]> = {
  i8: [-128n, 127n, 'smallint'],
  i16: [-32768n, 32767n, 'smallint'],
  i32: [-2147483648n, 2147483647n, 'integer'],
  i64: [-9223372036854775808n, 9223372036854775807n, 'bigint'],
  u8: [0n, 255n, 'smallint'],
  u16: [0n, 65535n, 'integer'],
  u32: [0n, 4294967295n, 'bigint'],
  u64: [0n, 18446744073709551615n, 'numeric'],
};

function kindOf(t: DuckDBType): Kind {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'bool';
    case DuckDBTypeId.TINYINT:
      return 'i8';
    case DuckDBTypeId.SMALLINT:
      return 'i16';
    case DuckDBTypeId.INTEGER:
      return 'i32';
    case DuckDBTypeId.BIGINT:
      return 'i64';
    case DuckDBTypeId.UTINYINT:
      return 'u8';
    case DuckDBTypeId.USMALLINT:
      return 'u16';
    case DuckDBTypeId.UINTEGER:
      return 'u32';
    case DuckDBTypeId.UBIGINT:
      return 'u64';
    case DuckDBTypeId.FLOAT:
      return 'f32';
    case DuckDBTypeId.DOUBLE:
      return 'f64';
    case DuckDBTypeId.VARCHAR:
      return t.alias ? 'cast' : 'varchar';
    case DuckDBTypeId.BLOB:
      return 'blob';
    default:
      return 'cast';
  }
}

const WIDTH: Record<Kind, number> = { bool: 1, i8: 1, i16: 2, i32: 4, i64: 8, u8: 1, u16: 2, u32: 4, u64: 8, f32: 4, f64: 8, varchar: 16, blob: 16, cast: 16 };

const PG_NAMES: Record<number, string> = { 16: 'boolean', 21: 'smallint', 23: 'integer', 20: 'bigint', 700: 'real', 701: 'double precision', 1700: 'numeric', 25: 'text', 17: 'bytea', 1082: 'date', 1083: 'time without time zone', 1114: 'timestamp without time zone', 1184: 'timestamp with time zone', 1186: 'interval', 2950: 'uuid', 114: 'json', 1266: 'time with time zone' };

/**
 * Fills DuckDB data chunks column by column. Values are written into JS-side buffers laid out
 * like DuckDB vectors and copied into the chunk once it is full; strings longer than the
 * 12-byte inline limit go to DuckDB's string heap after that copy.
 */
class ChunkBuilder {
  private readonly data: Uint8Array[];
  private readonly views: DataView[];
  private readonly validity: Uint8Array[];
  private readonly longStrings: [number, Uint8Array][][];
  private hasNulls: boolean[];
  rows = 0;

  constructor(private readonly types: DuckDBType[], private readonly kinds: Kind[]) {
    this.data = kinds.map((k) => new Uint8Array(CHUNK_ROWS * WIDTH[k]));
    this.views = this.data.map((d) => new DataView(d.buffer));
    this.validity = kinds.map(() => new Uint8Array(CHUNK_ROWS / 8).fill(0xff));
    this.longStrings = kinds.map(() => []);
    this.hasNulls = kinds.map(() => false);
  }

  setNull(c: number): void {
    this.validity[c]![this.rows >> 3]! &= ~(1 << (this.rows & 7));
    this.hasNulls[c] = true;
  }

  setBool(c: number, b: boolean): void {
    this.data[c]![this.rows] = b ? 1 : 0;
  }

  setInt(c: number, kind: Kind, v: bigint | number): void {
    const view = this.views[c]!;
    const r = this.rows;
    switch (kind) {
      case 'i8':
        view.setInt8(r, Number(v));
        break;
      case 'u8':
        view.setUint8(r, Number(v));
        break;
      case 'i16':
        view.setInt16(r * 2, Number(v), true);
        break;
      case 'u16':
        view.setUint16(r * 2, Number(v), true);
        break;
      case 'i32':
        view.setInt32(r * 4, Number(v), true);
        break;
      case 'u32':
        view.setUint32(r * 4, Number(v), true);
        break;
      case 'i64':
        view.setBigInt64(r * 8, BigInt(v), true);
        break;
      case 'u64':
        view.setBigUint64(r * 8, BigInt(v), true);
        break;
    }
  }

  setFloat(c: number, kind: Kind, v: number): void {
    if (kind === 'f32') this.views[c]!.setFloat32(this.rows * 4, v, true);
    else this.views[c]!.setFloat64(this.rows * 8, v, true);
  }

  /** A string_t: inline when at most 12 bytes, otherwise assigned after the copy. */
  setBytes(c: number, b: Uint8Array): void {
    const off = this.rows * 16;
    const data = this.data[c]!;
    if (b.length <= 12) {
      this.views[c]!.setUint32(off, b.length, true);
      data.set(b, off + 4);
      data.fill(0, off + 4 + b.length, off + 16);
    } else {
      data.fill(0, off, off + 16);
      this.longStrings[c]!.push([this.rows, b]);
    }
  }

  endRow(): void {
    this.rows++;
  }

  get full(): boolean {
    return this.rows >= CHUNK_ROWS;
  }

  /** Builds the DuckDB chunk from the buffers and resets them for the next rows. */
  take(): DuckDBDataChunk {
    const chunk = DuckDBDataChunk.create(this.types, this.rows);
    for (let c = 0; c < this.kinds.length; c++) {
      const vec = duckdb.data_chunk_get_vector(chunk.chunk, c);
      const data = this.data[c]!;
      duckdb.copy_data_to_vector(vec, 0, data.buffer as ArrayBuffer, 0, this.rows * WIDTH[this.kinds[c]!]);
      for (const [row, bytes] of this.longStrings[c]!) duckdb.vector_assign_string_element_len(vec, row, bytes);
      this.longStrings[c] = [];
      if (this.hasNulls[c]) {
        duckdb.vector_ensure_validity_writable(vec);
        const v = this.validity[c]!;
        duckdb.copy_data_to_vector_validity(vec, 0, v.buffer as ArrayBuffer, 0, v.byteLength);
        v.fill(0xff);
        this.hasNulls[c] = false;
      }
    }
    this.rows = 0;
    return chunk;
  }
}

export class CopyIn {
  readonly done: Promise<number>;
  private resolveDone!: (n: number) => void;
  private rejectDone!: (e: unknown) => void;
  private parser!: CopyParser;
  private builder!: ChunkBuilder;
  private appender!: DuckDBAppender;
  private rows = 0;
  private failed = false;
  private chain: Promise<void> = Promise.resolve();
  private queuedBytes = 0;
  private readonly staging: string;
  private hasCastColumns = false;

  private constructor(
    private readonly session: Session,
    private readonly stmt: CopyFromStmt,
    private readonly target: string,
    private readonly columns: Column[],
  ) {
    this.staging = `__lakegres_copy_${session.id.pid}_${++stagingSeq}`;
    this.done = new Promise<number>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
  }

  static async start(session: Session, stmt: CopyFromStmt): Promise<CopyIn> {
    const schema = stmt.schema === undefined ? undefined : stmt.schema === 'public' ? 'main' : stmt.schema;
    const target = (schema ? quoteIdent(schema) + '.' : '') + quoteIdent(stmt.table);
    const colList = stmt.columns.length ? stmt.columns.map(quoteIdent).join(', ') : '*';
    let probe;
    await session.routing?.begin();
    try {
      probe = await session.conn.prepare(`SELECT ${colList} FROM ${target} LIMIT 0`);
    } catch (e) {
      throw fromDuckDBError(e);
    }
    const columns: Column[] = [];
    try {
      const seen = new Set<string>();
      for (let i = 0; i < probe.columnCount; i++) {
        const name = probe.columnName(i);
        if (seen.has(name)) throw new PgError(SqlState.duplicateColumn, `column "${name}" specified more than once`);
        seen.add(name);
        const type = probe.columnType(i);
        const pg = pgTypeOf(type);
        columns.push({ name, type, kind: kindOf(type), pgOid: pg.oid, pgName: PG_NAMES[pg.oid] ?? 'text', forceNull: false, forceNotNull: false });
      }
    } finally {
      probe.destroySync();
    }
    const opts = stmt.options;
    const names = columns.map((c) => c.name);
    const pick = (list: string[] | '*' | undefined, label: string, apply: (c: Column) => void) => {
      if (!list) return;
      if (list === '*' || (list.length === 1 && list[0] === '*')) return columns.forEach(apply);
      for (const n of list) {
        const col = columns.find((c) => c.name === n);
        if (!col) throw new PgError(SqlState.undefinedColumn, `${label} column "${n}" not referenced by COPY`);
        apply(col);
      }
    };
    pick(opts.forceNull, 'FORCE_NULL', (c) => (c.forceNull = true));
    pick(opts.forceNotNull, 'FORCE_NOT_NULL', (c) => (c.forceNotNull = true));
    if (opts.forceQuote) throw new PgError(SqlState.featureNotSupported, 'COPY FORCE_QUOTE only available using COPY TO');
    if (opts.encoding && !/^utf-?8$/i.test(opts.encoding)) throw new PgError(SqlState.featureNotSupported, `COPY encoding "${opts.encoding}" is not supported; data must be UTF8`);
    const copy = new CopyIn(session, stmt, target, columns);
    copy.parser = copyParser(opts, names, (header, line) => copy.checkHeader(header, line));
    await copy.createStaging();
    const format = opts.format === 'binary' ? 1 : 0;
    be.copyInResponse(session.channel.writer, format, columns.map(() => format));
    return copy;
  }

  private checkHeader(header: string[], line: number): void {
    if (this.stmt.options.header !== 'match') return;
    const names = this.columns.map((c) => c.name);
    if (header.length !== names.length) throw new PgError(SqlState.badCopyFileFormat, `wrong number of fields in header line: got ${header.length}, expected ${names.length}`, { where: `COPY ${this.stmt.table}, line ${line}` });
    header.forEach((h, i) => {
      if (h !== names[i]) throw new PgError(SqlState.badCopyFileFormat, `column name mismatch in header line field ${i + 1}: got "${h}", expected "${names[i]}"`, { where: `COPY ${this.stmt.table}, line ${line}` });
    });
  }

  private async createStaging(): Promise<void> {
    const types: DuckDBType[] = [];
    const kinds: Kind[] = [];
    const defs: string[] = [];
    this.columns.forEach((c, i) => {
      const stagingType = c.kind === 'cast' ? VARCHAR : c.type;
      if (c.kind === 'cast') this.hasCastColumns = true;
      types.push(stagingType);
      kinds.push(c.kind);
      defs.push(`c${i} ${stagingType.toString()}`);
    });
    if (this.hasCastColumns) {
      types.push(BIGINT);
      kinds.push('i64');
      defs.push('line BIGINT');
    }
    const conn = this.session.conn;
    try {
      await conn.run(`CREATE TEMP TABLE ${quoteIdent(this.staging)} (${defs.join(', ')})`);
      this.appender = await conn.createAppender(this.staging, 'main', 'temp');
    } catch (e) {
      throw fromDuckDBError(e);
    }
    this.builder = new ChunkBuilder(types, kinds);
  }

  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Messages that arrive while the COPY runs are handled here, in order. */
  enqueue(msg: FrontendMessage, size: number, onOther: (msg: FrontendMessage) => void): void {
    this.queuedBytes += size;
    this.chain = this.chain.then(async () => {
      this.queuedBytes -= size;
      if (this.failed && msg.kind !== 'copyDone' && msg.kind !== 'copyFail' && msg.kind !== 'copyData') return onOther(msg);
      if (this.failed) return;
      try {
        switch (msg.kind) {
          case 'copyData':
            this.consume(this.parser.push(msg.data));
            if (this.parser.finished) this.consume([]);
            return;
          case 'copyDone':
            this.consume(this.parser.end());
            await this.complete();
            return;
          case 'copyFail':
            throw new PgError(SqlState.queryCanceled, `COPY from stdin failed: ${msg.message}`);
          case 'flush':
          case 'sync':
            return;
          default:
            this.fail(new PgError(SqlState.protocolViolation, `unexpected message type 0x${msgType(msg)} during COPY from stdin`));
            onOther(msg);
            return;
        }
      } catch (e) {
        this.fail(e);
      }
    });
  }

  private consume(rows: CopyRow[]): void {
    const b = this.builder;
    const cols = this.columns;
    const binary = this.stmt.options.format === 'binary';
    for (const row of rows) {
      for (let c = 0; c < cols.length; c++) {
        const col = cols[c]!;
        let field: Buffer | null = row.fields[c]!;
        if (!binary && row.quoted) {
          // CSV: FORCE_NOT_NULL reads the null string as itself; FORCE_NULL turns a quoted null string into NULL.
          if (field === null && col.forceNotNull) field = Buffer.from(this.stmt.options.null ?? '');
          else if (field !== null && col.forceNull && row.quoted[c] && field.equals(Buffer.from(this.stmt.options.null ?? ''))) field = null;
        }
        if (field === null) {
          b.setNull(c);
          continue;
        }
        try {
          if (binary) this.putBinary(c, col, field);
          else this.putText(c, col, field);
        } catch (e) {
          const err = e instanceof PgError ? e : new PgError(SqlState.invalidTextRepresentation, (e as Error).message);
          err.where = `COPY ${this.stmt.table}, line ${row.line}, column ${col.name}: "${truncateField(field)}"`;
          throw err;
        }
      }
      if (this.hasCastColumns) b.setInt(cols.length, 'i64', row.line);
      b.endRow();
      this.rows++;
      if (b.full) this.flushChunk();
    }
  }

  private flushChunk(): void {
    if (this.builder.rows === 0) return;
    try {
      this.appender.appendDataChunk(this.builder.take());
    } catch (e) {
      throw fromDuckDBError(e);
    }
  }

  private putText(c: number, col: Column, field: Buffer): void {
    const b = this.builder;
    switch (col.kind) {
      case 'varchar':
        checkText(field);
        b.setBytes(c, field);
        return;
      case 'bool':
        b.setBool(c, parseBool(asText(field)));
        return;
      case 'f32':
      case 'f64':
        b.setFloat(c, col.kind, parseFloatText(asText(field), col.kind === 'f32' ? 'real' : 'double precision'));
        return;
      case 'blob':
        b.setBytes(c, parseBytea(asText(field)));
        return;
      case 'cast': {
        checkText(field);
        const text = field.toString('utf8');
        const bound = textParam(text, col.type);
        b.setBytes(c, Buffer.from(typeof bound.value === 'string' ? bound.value : String(bound.value)));
        return;
      }
      default:
        b.setInt(c, col.kind, parseIntText(asText(field), col.kind));
    }
  }

  private putBinary(c: number, col: Column, field: Buffer): void {
    const b = this.builder;
    const need = (n: number) => {
      if (field.length !== n) throw new PgError(SqlState.invalidBinaryRepresentation, `incorrect binary data format`);
    };
    switch (col.kind) {
      case 'varchar':
        checkText(field);
        b.setBytes(c, field);
        return;
      case 'blob':
        b.setBytes(c, field);
        return;
      case 'bool':
        need(1);
        b.setBool(c, field[0] !== 0);
        return;
      case 'f32':
        need(4);
        b.setFloat(c, 'f32', field.readFloatBE(0));
        return;
      case 'f64':
        need(8);
        b.setFloat(c, 'f64', field.readDoubleBE(0));
        return;
      case 'i8':
      case 'i16':
      case 'u8':
        need(2);
        b.setInt(c, col.kind, checkRange(BigInt(field.readInt16BE(0)), col.kind));
        return;
      case 'i32':
      case 'u16':
        need(4);
        b.setInt(c, col.kind, checkRange(BigInt(field.readInt32BE(0)), col.kind));
        return;
      case 'i64':
      case 'u32':
        need(8);
        b.setInt(c, col.kind, checkRange(field.readBigInt64BE(0), col.kind));
        return;
      default: {
        const bound = binaryParam(field, col.pgOid === Oid.numeric && col.kind === 'u64' ? Oid.numeric : col.pgOid);
        const text = typeof bound.value === 'string' ? bound.value : String(bound.value);
        if (col.kind === 'u64') b.setInt(c, 'u64', parseIntText(text, 'u64'));
        else b.setBytes(c, Buffer.from(text));
      }
    }
  }

  private async complete(): Promise<void> {
    this.flushChunk();
    try {
      this.appender.closeSync();
    } catch (e) {
      throw fromDuckDBError(e);
    }
    const targetCols = this.columns.map((c) => quoteIdent(c.name)).join(', ');
    const select = this.columns.map((c, i) => (c.kind === 'cast' ? `CAST(c${i} AS ${c.type.toString()})` : `c${i}`)).join(', ');
    try {
      await this.session.runInternalInsert(`INSERT INTO ${this.target} (${targetCols}) SELECT ${select} FROM temp.main.${quoteIdent(this.staging)} ORDER BY rowid`);
    } catch (e) {
      const err = e instanceof PgError ? e : fromDuckDBError(e);
      await this.locateCastFailure(err);
      throw err;
    }
    await this.dropStaging();
    this.resolveDone(this.rows);
  }

  /** Finds the first row whose value DuckDB could not cast, for the error context. */
  private async locateCastFailure(err: PgError): Promise<void> {
    if (!this.hasCastColumns) return;
    for (let i = 0; i < this.columns.length; i++) {
      const col = this.columns[i]!;
      if (col.kind !== 'cast') continue;
      try {
        const r = await readAll(this.session.conn,
          `SELECT line, c${i} FROM ${quoteIdent(this.staging)} WHERE c${i} IS NOT NULL AND TRY_CAST(c${i} AS ${col.type.toString()}) IS NULL ORDER BY line LIMIT 1`,
        );
        const row = r.getRows()[0];
        if (row) {
          err.where = `COPY ${this.stmt.table}, line ${row[0]}, column ${col.name}: "${truncateField(Buffer.from(String(row[1])))}"`;
          return;
        }
      } catch {
        return;
      }
    }
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const err = e instanceof PgError ? e : fromDuckDBError(e);
    void this.dropStaging().finally(() => this.rejectDone(err));
  }

  /** The session is going away or the protocol broke: abandon the COPY. */
  abort(e: unknown): void {
    this.fail(e);
  }

  private async dropStaging(): Promise<void> {
    try {
      this.appender?.closeSync();
    } catch {
      /* already closed */
    }
    try {
      await this.session.conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(this.staging)}`);
    } catch {
      /* the transaction may be aborted; the temp table dies with the session */
    }
  }
}

function msgType(msg: FrontendMessage): string {
  const map: Record<string, number> = { query: 0x51, parse: 0x50, bind: 0x42, describe: 0x44, execute: 0x45, close: 0x43, terminate: 0x58, password: 0x70, functionCall: 0x46 };
  return (map[msg.kind] ?? 0).toString(16).padStart(2, '0');
}

function asText(field: Buffer): string {
  return field.toString('latin1');
}

function checkText(field: Buffer): void {
  if (field.indexOf(0) >= 0) throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
  if (!isUtf8(field)) throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
}

function truncateField(field: Buffer): string {
  const s = field.toString('utf8');
  return s.length > 64 ? s.slice(0, 64) + '...' : s;
}

const INT_RE = /^\s*([+-]?)(?:0[xX]([0-9a-fA-F_]+)|0[oO]([0-7_]+)|0[bB]([01_]+)|(\d[\d_]*))\s*$/;

function parseIntText(s: string, kind: Kind): bigint | number {
  const name = INT_RANGES[kind]![2];
  // Fast path: plain short decimal
  if (s.length > 0 && s.length <= 15 && /^-?\d+$/.test(s)) {
    const n = Number(s);
    if (kind !== 'i64' && kind !== 'u64') checkRange(BigInt(n), kind);
    else if (kind === 'u64' && n < 0) throw outOfRange(s, name);
    return n;
  }
  const m = INT_RE.exec(s);
  if (!m || /__|_$|^_/.test(m[2] ?? m[3] ?? m[4] ?? m[5] ?? '')) throw new PgError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${name}: "${s}"`);
  const digits = (m[2] ?? m[3] ?? m[4] ?? m[5]!).replace(/_/g, '');
  const prefix = m[2] ? '0x' : m[3] ? '0o' : m[4] ? '0b' : '';
  let v = BigInt(prefix + digits);
  if (m[1] === '-') v = -v;
  try {
    return checkRange(v, kind);
  } catch {
    throw outOfRange(s, name);
  }
}

function checkRange(v: bigint, kind: Kind): bigint {
  const [min, max, name] = INT_RANGES[kind]!;
  if (v < min || v > max) throw outOfRange(String(v), name);
  return v;
}

const outOfRange = (s: string, name: string) => new PgError(SqlState.numericValueOutOfRange, `value "${s.trim()}" is out of range for type ${name}`);

const FLOAT_RE = /^\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)\s*$/;

function parseFloatText(s: string, name: string): number {
  if (FLOAT_RE.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new PgError(SqlState.numericValueOutOfRange, `"${s.trim()}" is out of range for type ${name}`);
    if (name === 'real' && Math.abs(v) > 3.4028234663852886e38) throw new PgError(SqlState.numericValueOutOfRange, `"${s.trim()}" is out of range for type real`);
    return v;
  }
  const t = s.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'infinity' || t === '+infinity' || t === 'inf' || t === '+inf') return Infinity;
  if (t === '-infinity' || t === '-inf') return -Infinity;
  throw new PgError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${name}: "${s}"`);
}
