/**
 * COPY (query) TO STDOUT and COPY table TO STDOUT, in text, CSV and binary format. Rows are
 * encoded by the same column encoders as DataRows, then re-framed as COPY lines.
 */
import { ResultReturnType } from '@duckdb/node-api';
import * as be from '../protocol/backend.js';
import { BufferWriter } from '../protocol/buffer-writer.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import type { Statement } from '../sql/classify.js';
import { splitStatements } from '../sql/lexer.js';
import { columnEncoder, type FieldWriter } from '../types/column-writer.js';
import { BINARY_SIGNATURE } from './copy-formats.js';
import type { Session } from './session.js';

type CopyToStmt = Extract<Statement, { kind: 'copyToStdout' }>;

const COPY_DATA = 0x64;

export async function copyOut(session: Session, stmt: CopyToStmt): Promise<void> {
  const opts = stmt.options;
  const binary = opts.format === 'binary';
  const csv = opts.format === 'csv';
  if (!csv && (opts.quote !== undefined || opts.escape !== undefined || opts.forceQuote)) throw new PgError(SqlState.featureNotSupported, 'COPY quote, escape and force_quote are available only in CSV mode');
  if (opts.forceNull || opts.forceNotNull) throw new PgError(SqlState.featureNotSupported, 'COPY FORCE_NULL and FORCE_NOT_NULL only available using COPY FROM');
  const delim = Buffer.from(opts.delimiter ?? (csv ? ',' : '\t'));
  if (delim.length !== 1) throw new PgError(SqlState.featureNotSupported, 'COPY delimiter must be a single one-byte character');
  const quote = Buffer.from(opts.quote ?? '"')[0]!;
  const escape = Buffer.from(opts.escape ?? opts.quote ?? '"')[0]!;
  const nullText = Buffer.from(opts.null ?? (csv ? '' : '\\N'));

  const slices = splitStatements(stmt.query);
  if (slices.length !== 1) throw new PgError(SqlState.syntaxError, 'COPY query must be a single statement');
  const slice = await session.routeRead(slices[0]!);
  let result;
  try {
    result = await session.conn.stream(slice.text);
  } catch (e) {
    throw session.toPgError(e, slice);
  }
  if (result.returnType !== ResultReturnType.QUERY_RESULT) throw new PgError(SqlState.featureNotSupported, 'COPY query must have a RETURNING clause or return rows');
  const types = result.columnTypes();
  const names = result.columnNames();
  const format = binary ? 1 : 0;
  const encoders = types.map((t) => columnEncoder(t, format, session.format));
  const forceQuote = new Set<number>();
  if (opts.forceQuote === '*') names.forEach((_, i) => forceQuote.add(i));
  else for (const n of opts.forceQuote ?? []) {
    const i = names.indexOf(n);
    if (i < 0) throw new PgError(SqlState.undefinedColumn, `FORCE_QUOTE column "${n}" not referenced by COPY`);
    forceQuote.add(i);
  }

  const w = session.channel.writer;
  be.copyOutResponse(w, format, types.map(() => format));
  // The binary header travels in the first CopyData with the first row (or the trailer), as
  // PostgreSQL sends it; psycopg 3 expects exactly that.
  let binaryHeader = binary;
  const writeBinaryHeader = () => {
    if (!binaryHeader) return;
    w.bytes(BINARY_SIGNATURE).int32(0).int32(0);
    binaryHeader = false;
  };
  if (!binary && opts.header) {
    w.begin(COPY_DATA);
    names.forEach((n, i) => {
      if (i > 0) w.bytes(delim);
      const b = Buffer.from(n);
      if (csv) writeCsvField(w, b, delim[0]!, quote, escape, nullText, forceQuote.has(i), names.length === 1);
      else writeTextField(w, b, delim[0]!);
    });
    w.byte(0x0a).end();
  }
  const scratch = new BufferWriter(64 * 1024);
  let rows = 0;
  for (;;) {
    session.checkCancel();
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) {
      session.checkCancel();
      break;
    }
    const writers: FieldWriter[] = encoders.map((e, i) => e.bind(chunk, i));
    for (let r = 0; r < chunk.rowCount; r++) {
      w.begin(COPY_DATA);
      if (binary) {
        writeBinaryHeader();
        w.int16(writers.length);
        for (const fw of writers) fw(w, r);
      } else {
        for (let c = 0; c < writers.length; c++) {
          if (c > 0) w.bytes(delim);
          scratch.pos = 0;
          writers[c]!(scratch, r);
          const len = scratch.buf.readInt32BE(0);
          if (len < 0) {
            w.bytes(nullText);
            continue;
          }
          const value = scratch.buf.subarray(4, 4 + len);
          if (csv) writeCsvField(w, value, delim[0]!, quote, escape, nullText, forceQuote.has(c), names.length === 1);
          else writeTextField(w, value, delim[0]!);
        }
        w.byte(0x0a);
      }
      w.end();
      rows++;
    }
    const p = session.channel.maybeFlush();
    if (p) await p;
    if (session.channel.closed) return;
  }
  if (binary) {
    w.begin(COPY_DATA);
    writeBinaryHeader();
    w.int16(-1).end();
  }
  be.copyDone(w);
  be.commandComplete(w, `COPY ${rows}`);
}

/** Text format: backslash escapes for the delimiter, backslash and control characters. */
function writeTextField(w: BufferWriter, value: Uint8Array, delim: number): void {
  w.ensure(value.length * 2);
  const buf = w.buf;
  let p = w.pos;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    // Control characters first (as PostgreSQL does): a tab is \t even when tab is the delimiter.
    if (c < 0x20) {
      let e = -1;
      switch (c) {
        case 0x08: e = 0x62; break;
        case 0x0c: e = 0x66; break;
        case 0x0a: e = 0x6e; break;
        case 0x0d: e = 0x72; break;
        case 0x09: e = 0x74; break;
        case 0x0b: e = 0x76; break;
      }
      if (e >= 0) {
        buf[p++] = 0x5c;
        buf[p++] = e;
      } else {
        if (c === delim) buf[p++] = 0x5c;
        buf[p++] = c;
      }
    } else if (c === 0x5c || c === delim) {
      buf[p++] = 0x5c;
      buf[p++] = c;
    } else buf[p++] = c;
  }
  w.pos = p;
}

/** CSV: quote when the value holds a delimiter, quote, CR/LF, or would read as NULL. */
function writeCsvField(w: BufferWriter, value: Uint8Array, delim: number, quote: number, escape: number, nullText: Buffer, force: boolean, singleColumn: boolean): void {
  let needs = force || (value.length === nullText.length && Buffer.compare(value, nullText) === 0);
  if (!needs) {
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!;
      if (c === delim || c === quote || c === 0x0a || c === 0x0d || (c === escape && escape !== quote)) {
        needs = true;
        break;
      }
    }
    // A lone \. would read as the end-of-data marker (only a whole line: single-column rows, as PostgreSQL).
    if (!needs && singleColumn && value.length === 2 && value[0] === 0x5c && value[1] === 0x2e) needs = true;
  }
  if (!needs) {
    w.bytes(value);
    return;
  }
  w.ensure(value.length * 2 + 2);
  const buf = w.buf;
  let p = w.pos;
  buf[p++] = quote;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === quote || c === escape) buf[p++] = escape;
    buf[p++] = c;
  }
  buf[p++] = quote;
  w.pos = p;
}
