/**
 * A raw protocol client for tests: sends frontend messages built with pg-protocol's serializer
 * (or hand-made bytes) and returns backend messages undecoded, so tests can assert exact bytes.
 */
import net from 'node:net';
import { serialize } from 'pg-protocol';

export interface BackendMessage {
  type: string;
  payload: Buffer;
}

export interface RawClientOptions {
  host?: string;
  port: number;
  user?: string;
  database?: string;
  password?: string;
  params?: Record<string, string>;
}

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  readonly messages: BackendMessage[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connectSocket(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const socket = net.connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  /** Connects and completes startup (trust or cleartext password); waits for ReadyForQuery. */
  static async connect(opts: RawClientOptions): Promise<RawClient> {
    const c = await RawClient.connectSocket(opts.port, opts.host);
    c.write(serialize.startup({ user: opts.user ?? 'lakegres', database: opts.database ?? 'lake', ...(opts.params ?? {}) }));
    for (;;) {
      const m = await c.next();
      if (m.type === 'R' && m.payload.readInt32BE(0) === 3) c.write(serialize.password(opts.password ?? ''));
      if (m.type === 'E') throw new Error(`startup failed: ${errorFields(m).M}`);
      if (m.type === 'Z') return c;
    }
  }

  private parse(): void {
    while (this.buf.length >= 5) {
      const len = this.buf.readInt32BE(1);
      if (this.buf.length < len + 1) break;
      this.messages.push({ type: String.fromCharCode(this.buf[0]!), payload: this.buf.subarray(5, len + 1) });
      this.buf = this.buf.subarray(len + 1);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(data: Buffer | Uint8Array): void {
    this.socket.write(data);
  }

  /** Next backend message; rejects after `timeoutMs` or when the connection closes first. */
  async next(timeoutMs = 10_000): Promise<BackendMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.shift();
      if (m) return m;
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for a backend message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Collects messages up to and including the next ReadyForQuery. */
  async untilReady(timeoutMs = 10_000): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      out.push(m);
      if (m.type === 'Z') return out;
    }
  }

  /** Waits until the server closes the connection (returns the messages received before). */
  async untilClosed(timeoutMs = 10_000): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      try {
        out.push(await this.next(timeoutMs));
      } catch (e) {
        if (this.closed) return out;
        throw e;
      }
    }
  }

  async query(sql: string): Promise<BackendMessage[]> {
    this.write(serialize.query(sql));
    return this.untilReady();
  }

  end(): void {
    if (!this.closed) this.write(serialize.end());
    this.socket.end();
  }
}

/** ErrorResponse / NoticeResponse fields keyed by their one-letter code. */
export function errorFields(m: BackendMessage): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < m.payload.length && m.payload[i] !== 0) {
    const code = String.fromCharCode(m.payload[i]!);
    const end = m.payload.indexOf(0, i + 1);
    out[code] = m.payload.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return out;
}

/** DataRow fields as raw buffers (null for SQL NULL). */
export function dataRowFields(m: BackendMessage): (Buffer | null)[] {
  const n = m.payload.readInt16BE(0);
  const out: (Buffer | null)[] = [];
  let p = 2;
  for (let i = 0; i < n; i++) {
    const len = m.payload.readInt32BE(p);
    p += 4;
    if (len < 0) out.push(null);
    else {
      out.push(m.payload.subarray(p, p + len));
      p += len;
    }
  }
  return out;
}

export interface RowDescriptionField {
  name: string;
  tableOid: number;
  columnAttr: number;
  typeOid: number;
  typeLen: number;
  typeMod: number;
  format: number;
}

export function rowDescription(m: BackendMessage): RowDescriptionField[] {
  const n = m.payload.readInt16BE(0);
  const out: RowDescriptionField[] = [];
  let p = 2;
  for (let i = 0; i < n; i++) {
    const end = m.payload.indexOf(0, p);
    const name = m.payload.toString('utf8', p, end);
    p = end + 1;
    out.push({
      name,
      tableOid: m.payload.readUInt32BE(p),
      columnAttr: m.payload.readInt16BE(p + 4),
      typeOid: m.payload.readUInt32BE(p + 6),
      typeLen: m.payload.readInt16BE(p + 10),
      typeMod: m.payload.readInt32BE(p + 12),
      format: m.payload.readInt16BE(p + 16),
    });
    p += 18;
  }
  return out;
}

export function commandTag(m: BackendMessage): string {
  return m.payload.toString('utf8', 0, m.payload.length - 1);
}

export { serialize };
