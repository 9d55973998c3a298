/**
 * Incremental framing of the frontend byte stream. Lengths are checked against
 * PostgreSQL's limits before any payload buffer is allocated, so a client that announces
 * an absurd length is refused instead of costing memory.
 */
import { isUtf8 } from 'node:buffer';
import { PgError, SqlState } from '../errors/pg-error.js';

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET = 10000;
/** PQ_LARGE_MESSAGE_LIMIT (MaxAllocSize - 1). */
export const LARGE_MESSAGE_LIMIT = 0x3fffffff - 1;
/** PQ_SMALL_MESSAGE_LIMIT. */
export const SMALL_MESSAGE_LIMIT = 10000;
/** PG_MAX_AUTH_TOKEN_LENGTH, for password and SASL messages. */
export const AUTH_MESSAGE_LIMIT = 65535;

export interface Frame {
  /** Message type byte; 0 for a startup-phase packet, which has none. */
  type: number;
  payload: Buffer;
}

/**
 * Maximum value of the length word (which counts itself) for each frontend message type, as
 * PostgreSQL's pq_getmessage checks it; undefined for types that are not valid after startup.
 */
export function messageLimit(type: number): number | undefined {
  switch (type) {
    case 0x51: // Q Query
    case 0x50: // P Parse
    case 0x42: // B Bind
    case 0x64: // d CopyData
    case 0x46: // F FunctionCall
      return LARGE_MESSAGE_LIMIT;
    case 0x70: // p Password / SASL
      return AUTH_MESSAGE_LIMIT;
    case 0x58: // X Terminate
    case 0x43: // C Close
    case 0x44: // D Describe
    case 0x45: // E Execute
    case 0x48: // H Flush
    case 0x53: // S Sync
    case 0x63: // c CopyDone
    case 0x66: // f CopyFail
      return SMALL_MESSAGE_LIMIT;
    default:
      return undefined;
  }
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Startup packets carry no type byte. */
  startupPhase = true;
  /**
   * Until the session is ready only password/SASL messages are valid. Anything else is refused
   * from its type byte, before its (possibly huge) payload is buffered, as PostgreSQL does.
   */
  authenticating = true;

  push(data: Buffer): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.buffered += data.length;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Returns the next complete frame, or undefined when more bytes are needed. Throws a
   * FATAL PgError (08P01) for invalid lengths or unknown message types.
   */
  next(): Frame | undefined {
    if (this.startupPhase) {
      if (this.buffered < 4) return undefined;
      const len = this.peekInt32(0);
      // PostgreSQL limits the packet without its length word.
      if (len < 8 || len - 4 > MAX_STARTUP_PACKET) throw fatal('invalid length of startup packet');
      if (this.buffered < len) return undefined;
      const all = this.consume(len);
      return { type: 0, payload: all.subarray(4) };
    }
    if (this.buffered < 5) return undefined;
    const type = this.peekByte(0);
    if (this.authenticating && type !== 0x70) throw fatal(`expected password response, got message type ${type}`);
    const limit = messageLimit(type);
    if (limit === undefined) throw fatal(`invalid frontend message type ${type}`);
    const len = this.peekInt32(1);
    if (len < 4 || len > limit) throw fatal('invalid message length');
    if (this.buffered < len + 1) return undefined;
    const all = this.consume(len + 1);
    return { type, payload: all.subarray(5) };
  }

  private peekByte(offset: number): number {
    let o = offset;
    for (const c of this.chunks) {
      if (o < c.length) return c[o]!;
      o -= c.length;
    }
    throw new Error('peek past end');
  }

  private peekInt32(offset: number): number {
    const first = this.chunks[0]!;
    if (first.length >= offset + 4) return first.readInt32BE(offset);
    const b = Buffer.allocUnsafe(4);
    for (let i = 0; i < 4; i++) b[i] = this.peekByte(offset + i);
    return b.readInt32BE(0);
  }

  private consume(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const take = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, take);
      filled += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    this.buffered -= n;
    return out;
  }
}

function fatal(message: string): PgError {
  return new PgError(SqlState.protocolViolation, message, { severity: 'FATAL' });
}

/** Sequential reader over one message payload with strict bounds and UTF-8 checks. */
export class PayloadReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new PgError(SqlState.protocolViolation, 'insufficient data left in message');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A NUL-terminated string that must be valid UTF-8. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new PgError(SqlState.protocolViolation, 'invalid string in message');
    const raw = this.buf.subarray(this.pos, end);
    this.pos = end + 1;
    return decodeUtf8(raw);
  }

  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }

  /** PostgreSQL rejects messages with trailing garbage ("invalid message format"). */
  expectEnd(): void {
    if (this.pos !== this.buf.length) throw new PgError(SqlState.protocolViolation, 'invalid message format');
  }
}

/**
 * Validates and decodes client text as PostgreSQL does for a UTF8 database: invalid sequences
 * and NUL bytes are refused with 22021, naming the offending bytes like PostgreSQL.
 */
export function decodeUtf8(raw: Uint8Array): string {
  const buf = asBuffer(raw);
  checkUtf8(buf);
  return buf.toString('utf8');
}

/** Throws 22021 unless `raw` is valid UTF-8 without NUL bytes (no string is built). */
export function checkUtf8(raw: Uint8Array): void {
  const buf = asBuffer(raw);
  if (buf.indexOf(0) >= 0 || !isUtf8(buf)) throw invalidEncoding(buf);
}

function asBuffer(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
}

/** Length of the UTF-8 sequence a lead byte announces (pg_utf_mblen). */
function utf8Len(b: number): number {
  if ((b & 0x80) === 0) return 1;
  if ((b & 0xe0) === 0xc0) return 2;
  if ((b & 0xf0) === 0xe0) return 3;
  if ((b & 0xf8) === 0xf0) return 4;
  return 1;
}

/** Whether the `len` bytes at `i` form one legal UTF-8 character (pg_utf8_islegal). */
function legalUtf8(buf: Buffer, i: number, len: number): boolean {
  const a = buf[i]!;
  const cont = (x: number | undefined) => x !== undefined && x >= 0x80 && x <= 0xbf;
  switch (len) {
    case 1:
      return a !== 0 && a < 0x80;
    case 2:
      return a >= 0xc2 && a <= 0xdf && cont(buf[i + 1]);
    case 3: {
      const b = buf[i + 1]!;
      if (a === 0xe0 && (b < 0xa0 || b > 0xbf)) return false;
      if (a === 0xed && (b < 0x80 || b > 0x9f)) return false;
      return cont(b) && cont(buf[i + 2]);
    }
    case 4: {
      const b = buf[i + 1]!;
      if (a === 0xf0 && (b < 0x90 || b > 0xbf)) return false;
      if (a === 0xf4 && (b < 0x80 || b > 0x8f)) return false;
      if (a > 0xf4) return false;
      return cont(b) && cont(buf[i + 2]) && cont(buf[i + 3]);
    }
    default:
      return false;
  }
}

function invalidEncoding(buf: Buffer): PgError {
  let i = 0;
  while (i < buf.length) {
    const len = utf8Len(buf[i]!);
    if (i + len > buf.length || !legalUtf8(buf, i, len)) break;
    i += len;
  }
  const end = Math.min(i + utf8Len(buf[i] ?? 0), buf.length, i + 8);
  const shown: string[] = [];
  for (let j = i; j < end; j++) shown.push('0x' + buf[j]!.toString(16).padStart(2, '0'));
  return new PgError(SqlState.characterNotInRepertoire, `invalid byte sequence for encoding "UTF8"${shown.length ? ': ' + shown.join(' ') : ''}`);
}
