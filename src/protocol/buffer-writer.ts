/**
 * A growable output buffer for backend messages. Messages are framed in place: `begin`
 * reserves the type byte and length, `end` patches the length. The owner drains the bytes
 * with `take()` when a flush threshold is reached.
 */
export class BufferWriter {
  buf: Buffer;
  pos = 0;
  private frameStart = -1;

  constructor(private readonly initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  begin(type: number): this {
    this.ensure(5);
    this.buf[this.pos] = type;
    this.frameStart = this.pos + 1;
    this.pos += 5;
    return this;
  }

  end(): this {
    this.buf.writeInt32BE(this.pos - this.frameStart, this.frameStart);
    this.frameStart = -1;
    return this;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  float32(v: number): this {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(s: string): this {
    const len = Buffer.byteLength(s);
    this.ensure(len + 1);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 0;
    return this;
  }

  /** UTF-8 bytes without terminator. */
  string(s: string): this {
    const len = Buffer.byteLength(s);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A length-prefixed (int32) UTF-8 string, as used for DataRow fields. */
  lenString(s: string): this {
    // Reserve the worst case so the write never reallocates mid-field.
    this.ensure(4 + s.length * 3);
    const start = this.pos;
    this.pos += 4;
    const written = this.buf.write(s, this.pos, 'utf8');
    this.buf.writeInt32BE(written, start);
    this.pos += written;
    return this;
  }

  lenBytes(b: Uint8Array): this {
    this.ensure(4 + b.length);
    this.buf.writeInt32BE(b.length, this.pos);
    this.pos += 4;
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A NULL field in a DataRow. */
  nullField(): this {
    return this.int32(-1);
  }

  /**
   * Hands out everything written so far and starts a fresh buffer; the returned bytes are
   * never touched again, so they can be queued on a socket without copying.
   */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.initialSize);
    this.pos = 0;
    return out;
  }

  /** Marks the current position, to roll back a partially written message. */
  mark(): number {
    return this.pos;
  }

  rollback(mark: number): void {
    this.pos = mark;
    this.frameStart = -1;
  }
}
