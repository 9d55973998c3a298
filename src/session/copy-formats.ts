/**
 * Streaming parsers for the three COPY FROM STDIN formats (text, CSV, binary), following
 * PostgreSQL's copyfromparse.c: backslash escapes and \N in text, quoting rules and
 * FORCE_NULL/FORCE_NOT_NULL in CSV, the signature/header/trailer framing in binary.
 * Each parser turns incoming bytes into rows of raw field values (bytes or null).
 */
import { PgError, SqlState } from '../errors/pg-error.js';
import type { CopyOptions } from '../sql/classify.js';

export type CopyField = Buffer | null;

export interface CopyRow {
  fields: CopyField[];
  /** 1-based line (text/CSV) or tuple number (binary) where the row starts. */
  line: number;
  /** For CSV: which fields were quoted (FORCE_NULL/NOT_NULL rules need it). */
  quoted?: boolean[];
}

export interface CopyParser {
  /** Feeds bytes; returns complete rows. */
  push(data: Buffer): CopyRow[];
  /** End of data; returns the last row (if unterminated) and validates the stream end. */
  end(): CopyRow[];
  /** True once the end-of-data marker (\. or the binary trailer) was seen. */
  readonly finished: boolean;
}

export const badCopy = (message: string, line?: number, detail?: string) =>
  new PgError(SqlState.badCopyFileFormat, message, { where: line !== undefined ? `COPY, line ${line}` : undefined, detail });

function singleByte(name: string, v: string | undefined, dflt: string): number {
  const s = v ?? dflt;
  const b = Buffer.from(s);
  if (b.length !== 1) throw new PgError(SqlState.featureNotSupported, `COPY ${name} must be a single one-byte character`);
  return b[0]!;
}

/** Splits a byte stream into lines, keeping a tail for the next push. */
abstract class LineBuffered implements CopyParser {
  protected pending: Buffer = Buffer.alloc(0);
  protected line = 0;
  finished = false;

  push(data: Buffer): CopyRow[] {
    if (this.finished) return [];
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    return this.drain(false);
  }

  end(): CopyRow[] {
    if (this.finished) return [];
    const rows = this.drain(true);
    return rows;
  }

  protected abstract drain(final: boolean): CopyRow[];
}

/** PostgreSQL text format. */
export class TextCopyParser extends LineBuffered {
  private readonly delim: number;
  private readonly nullBytes: Buffer;

  private readonly columns: number;

  constructor(options: CopyOptions, private readonly names: readonly string[]) {
    super();
    this.columns = names.length;
    this.delim = singleByte('delimiter', options.delimiter, '\t');
    this.nullBytes = Buffer.from(options.null ?? '\\N');
    if (this.delim === 0x5c) throw new PgError(SqlState.featureNotSupported, 'COPY delimiter cannot be backslash');
  }

  protected drain(final: boolean): CopyRow[] {
    const rows: CopyRow[] = [];
    const buf = this.pending;
    let start = 0;
    for (;;) {
      let nl = buf.indexOf(0x0a, start);
      let lineEnd = nl;
      if (nl < 0) {
        if (!final || start >= buf.length) break;
        nl = buf.length;
        lineEnd = buf.length;
      }
      if (lineEnd > start && buf[lineEnd - 1] === 0x0d) lineEnd--;
      this.line++;
      const lineBytes = buf.subarray(start, lineEnd);
      start = nl + 1;
      if (lineBytes.length === 2 && lineBytes[0] === 0x5c && lineBytes[1] === 0x2e) {
        this.finished = true;
        break;
      }
      rows.push({ fields: this.splitLine(lineBytes), line: this.line });
    }
    this.pending = start >= buf.length ? Buffer.alloc(0) : buf.subarray(start);
    if (final) this.pending = Buffer.alloc(0);
    return rows;
  }

  private splitLine(line: Buffer): CopyField[] {
    const fields: CopyField[] = [];
    let fieldStart = 0;
    let hasEscape = false;
    for (let i = 0; i <= line.length; i++) {
      const c = i < line.length ? line[i]! : this.delim;
      if (c === 0x5c && i < line.length) {
        hasEscape = true;
        i++;
        continue;
      }
      if (c === this.delim || i === line.length) {
        const raw = line.subarray(fieldStart, i);
        if (raw.equals(this.nullBytes)) fields.push(null);
        else fields.push(hasEscape ? unescapeText(raw, this.line) : raw);
        fieldStart = i + 1;
        hasEscape = false;
        if (i === line.length) break;
      }
    }
    if (fields.length !== this.columns) {
      if (fields.length < this.columns) throw badCopy(`missing data for column "${this.names[fields.length]}"`, this.line);
      throw badCopy('extra data after last expected column', this.line);
    }
    return fields;
  }
}

function unescapeText(raw: Buffer, line: number): Buffer {
  const out = Buffer.allocUnsafe(raw.length);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== 0x5c) {
      out[o++] = c;
      continue;
    }
    i++;
    if (i >= raw.length) {
      out[o++] = 0x5c;
      break;
    }
    const e = raw[i]!;
    switch (e) {
      case 0x62: out[o++] = 0x08; break; // \b
      case 0x66: out[o++] = 0x0c; break; // \f
      case 0x6e: out[o++] = 0x0a; break; // \n
      case 0x72: out[o++] = 0x0d; break; // \r
      case 0x74: out[o++] = 0x09; break; // \t
      case 0x76: out[o++] = 0x0b; break; // \v
      case 0x78: { // \xHH
        let v = 0;
        let n = 0;
        while (n < 2 && i + 1 < raw.length && isHex(raw[i + 1]!)) {
          v = v * 16 + hexVal(raw[++i]!);
          n++;
        }
        out[o++] = n === 0 ? 0x78 : v;
        break;
      }
      default:
        if (e >= 0x30 && e <= 0x37) { // \ooo
          let v = e - 0x30;
          let n = 1;
          while (n < 3 && i + 1 < raw.length && raw[i + 1]! >= 0x30 && raw[i + 1]! <= 0x37) {
            v = v * 8 + (raw[++i]! - 0x30);
            n++;
          }
          out[o++] = v & 0xff;
        } else out[o++] = e;
    }
  }
  void line;
  return out.subarray(0, o);
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const hexVal = (c: number) => (c <= 57 ? c - 48 : (c | 0x20) - 87);

/** CSV format. */
export class CsvCopyParser extends LineBuffered {
  private readonly delim: number;
  private readonly quote: number;
  private readonly escape: number;
  private readonly nullBytes: Buffer;
  private headerPending: boolean;

  private readonly columns: number;

  constructor(options: CopyOptions, private readonly names: readonly string[], private readonly onHeader?: (names: string[], line: number) => void) {
    super();
    this.columns = names.length;
    this.delim = singleByte('delimiter', options.delimiter, ',');
    this.quote = singleByte('quote', options.quote, '"');
    this.escape = singleByte('escape', options.escape, options.quote ?? '"');
    this.nullBytes = Buffer.from(options.null ?? '');
    if (this.delim === this.quote) throw new PgError(SqlState.featureNotSupported, 'COPY delimiter and quote must be different');
    this.headerPending = options.header === true || options.header === 'match';
  }

  protected drain(final: boolean): CopyRow[] {
    const rows: CopyRow[] = [];
    const buf = this.pending;
    let pos = 0;
    while (pos < buf.length) {
      const parsed = this.parseRecord(buf, pos, final);
      if (!parsed) break;
      pos = parsed.next;
      const startLine = this.line + 1;
      this.line += parsed.lines;
      if (parsed.endMarker) {
        this.finished = true;
        break;
      }
      if (this.headerPending) {
        this.headerPending = false;
        this.onHeader?.(parsed.fields.map((f) => (f ? f.toString('utf8') : '')), startLine);
        continue;
      }
      if (parsed.fields.length !== this.columns) {
        if (parsed.fields.length < this.columns) throw badCopy(`missing data for column "${this.names[parsed.fields.length]}"`, startLine);
        throw badCopy('extra data after last expected column', startLine);
      }
      rows.push({ fields: parsed.fields, quoted: parsed.quoted, line: startLine });
    }
    this.pending = pos >= buf.length ? Buffer.alloc(0) : buf.subarray(pos);
    if (final && this.pending.length > 0) throw badCopy('unterminated CSV quoted field', this.line + 1);
    return rows;
  }

  /** Parses one record starting at `pos`; undefined when more input is needed. */
  private parseRecord(buf: Buffer, pos: number, final: boolean): { fields: CopyField[]; quoted: boolean[]; next: number; lines: number; endMarker: boolean } | undefined {
    const fields: CopyField[] = [];
    const quoted: boolean[] = [];
    let i = pos;
    let lines = 1;
    // \. alone on a line ends the data
    if (buf[i] === 0x5c && buf[i + 1] === 0x2e && (buf[i + 2] === 0x0a || (buf[i + 2] === 0x0d && buf[i + 3] === 0x0a) || (i + 2 === buf.length && final))) {
      const end = buf[i + 2] === 0x0d ? i + 4 : i + 3;
      return { fields, quoted, next: Math.min(end, buf.length), lines, endMarker: true };
    }
    for (;;) {
      // one field
      let value: Buffer;
      let wasQuoted = false;
      if (buf[i] === this.quote) {
        wasQuoted = true;
        const parts: number[] = [];
        i++;
        for (;;) {
          if (i >= buf.length) {
            if (final) throw badCopy('unterminated CSV quoted field', this.line + 1);
            return undefined;
          }
          const c = buf[i]!;
          if (c === this.escape && this.escape !== this.quote && i + 1 < buf.length && (buf[i + 1] === this.quote || buf[i + 1] === this.escape)) {
            parts.push(buf[i + 1]!);
            i += 2;
            continue;
          }
          if (c === this.quote) {
            if (this.escape === this.quote && buf[i + 1] === this.quote) {
              parts.push(this.quote);
              i += 2;
              continue;
            }
            if (i + 1 >= buf.length && !final) return undefined;
            i++;
            break;
          }
          if (c === 0x0a) lines++;
          parts.push(c);
          i++;
        }
        value = Buffer.from(parts);
        // characters after the closing quote up to the delimiter are appended (PostgreSQL does the same)
        const restStart = i;
        while (i < buf.length && buf[i] !== this.delim && buf[i] !== 0x0a && buf[i] !== 0x0d) i++;
        if (i > restStart) value = Buffer.concat([value, buf.subarray(restStart, i)]);
      } else {
        const start = i;
        while (i < buf.length && buf[i] !== this.delim && buf[i] !== 0x0a && buf[i] !== 0x0d) i++;
        value = buf.subarray(start, i);
      }
      if (i >= buf.length && !final) return undefined;
      if (!wasQuoted && value.equals(this.nullBytes)) fields.push(null);
      else fields.push(value);
      quoted.push(wasQuoted);
      if (i >= buf.length) return { fields, quoted, next: i, lines, endMarker: false };
      const c = buf[i]!;
      if (c === this.delim) {
        i++;
        if (i >= buf.length && !final) return undefined;
        continue;
      }
      // end of record: \n, \r\n or \r
      if (c === 0x0d) {
        if (i + 1 >= buf.length && !final) return undefined;
        i += buf[i + 1] === 0x0a ? 2 : 1;
      } else i++;
      return { fields, quoted, next: i, lines, endMarker: false };
    }
  }
}

const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** PostgreSQL binary COPY format. */
export class BinaryCopyParser implements CopyParser {
  private pending: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private tuple = 0;
  finished = false;

  constructor(private readonly columns: number) {}

  push(data: Buffer): CopyRow[] {
    if (this.finished) return [];
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    return this.drain();
  }

  end(): CopyRow[] {
    const rows = this.drain();
    if (!this.finished) {
      if (this.pending.length > 0 || !this.headerDone) throw badCopy('unexpected EOF in COPY data', this.tuple + 1);
      // PostgreSQL accepts a missing trailer when the data simply ends after a full tuple.
    }
    return rows;
  }

  private drain(): CopyRow[] {
    const rows: CopyRow[] = [];
    let buf = this.pending;
    let pos = 0;
    if (!this.headerDone) {
      if (buf.length < 19) return rows;
      if (!buf.subarray(0, 11).equals(BINARY_SIGNATURE)) throw badCopy('COPY file signature not recognized');
      const flags = buf.readInt32BE(11);
      if ((flags & 0xffff0000 & ~0x10000) !== 0) throw badCopy('unrecognized critical flags in COPY file header');
      if (flags & 0x10000) throw badCopy('COPY with OIDs is not supported');
      const extLen = buf.readInt32BE(15);
      if (extLen < 0) throw badCopy('invalid COPY file header (missing length)');
      if (buf.length < 19 + extLen) return rows;
      pos = 19 + extLen;
      this.headerDone = true;
    }
    for (;;) {
      if (buf.length - pos < 2) break;
      const count = buf.readInt16BE(pos);
      if (count === -1) {
        this.finished = true;
        pos += 2;
        break;
      }
      if (count !== this.columns) throw badCopy(`row field count is ${count}, expected ${this.columns}`, this.tuple + 1);
      let p = pos + 2;
      const fields: CopyField[] = [];
      let complete = true;
      for (let f = 0; f < count; f++) {
        if (buf.length - p < 4) {
          complete = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4;
        if (len === -1) {
          fields.push(null);
          continue;
        }
        if (len < 0) throw badCopy('invalid field size', this.tuple + 1);
        if (buf.length - p < len) {
          complete = false;
          break;
        }
        fields.push(buf.subarray(p, p + len));
        p += len;
      }
      if (!complete) break;
      this.tuple++;
      rows.push({ fields, line: this.tuple });
      pos = p;
    }
    buf = buf.subarray(pos);
    this.pending = buf;
    return rows;
  }
}

export function copyParser(options: CopyOptions, columns: readonly string[], onHeader?: (names: string[], line: number) => void): CopyParser {
  switch (options.format) {
    case 'csv':
      return new CsvCopyParser(options, columns, onHeader);
    case 'binary':
      return new BinaryCopyParser(columns.length);
    default:
      if (options.quote !== undefined || options.escape !== undefined) throw new PgError(SqlState.featureNotSupported, 'COPY quote and escape are available only in CSV mode');
      if (options.forceNull || options.forceNotNull || options.forceQuote) throw new PgError(SqlState.featureNotSupported, 'COPY force options are available only in CSV mode');
      return options.header ? new HeaderSkippingText(options, columns, onHeader) : new TextCopyParser(options, columns);
  }
}

/** Text format with HEADER (PostgreSQL 15+): the first line holds column names. */
class HeaderSkippingText extends TextCopyParser {
  private skipped = false;
  constructor(options: CopyOptions, columns: readonly string[], private readonly onHeaderLine?: (names: string[], line: number) => void) {
    super(options, columns);
  }
  protected override drain(final: boolean): CopyRow[] {
    const rows = super.drain(final);
    if (!this.skipped && rows.length > 0) {
      this.skipped = true;
      const header = rows.shift()!;
      this.onHeaderLine?.(header.fields.map((f) => (f ? f.toString('utf8') : '')), header.line);
    }
    return rows;
  }
}

export { BINARY_SIGNATURE };
