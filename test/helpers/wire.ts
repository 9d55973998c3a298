/**
 * A byte-level client for connection and authentication tests: plain, SSLRequest-negotiated
 * or direct TLS; startup; a hand-made SCRAM-SHA-256(-PLUS) client whose messages a test can
 * tamper with; CancelRequest.
 */
import net from 'node:net';
import tls from 'node:tls';
import { createHash, createHmac, pbkdf2Sync, randomBytes, X509Certificate } from 'node:crypto';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from './raw-client.js';
import { errorFields } from './raw-client.js';

export interface WireOptions {
  /** 'request': SSLRequest first; 'direct': TLS from the first byte (PostgreSQL 17 style). */
  tls?: 'request' | 'direct';
  alpn?: string[];
  ca?: string;
  servername?: string;
}

export class Wire {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  /** The answer to SSLRequest ('S' or 'N'), when one was sent. */
  sslResponse?: string;
  readonly messages: BackendMessage[] = [];

  private constructor(readonly socket: net.Socket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
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

  static async open(port: number, opts: WireOptions = {}): Promise<Wire> {
    const raw = net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      raw.once('connect', resolve);
      raw.once('error', reject);
    });
    if (!opts.tls) return new Wire(raw);
    let sslResponse: string | undefined;
    if (opts.tls === 'request') {
      const b = Buffer.alloc(8);
      b.writeInt32BE(8, 0);
      b.writeInt32BE(80877103, 4);
      raw.write(b);
      sslResponse = await new Promise<string>((resolve, reject) => {
        raw.once('data', (d: Buffer) => {
          if (d.length !== 1) reject(new Error(`unexpected SSLRequest answer of ${d.length} bytes`));
          resolve(d.toString('latin1'));
        });
        raw.once('close', () => reject(new Error('closed after SSLRequest')));
      });
      if (sslResponse !== 'S') {
        const w = new Wire(raw);
        w.sslResponse = sslResponse;
        return w;
      }
    }
    const secure = tls.connect({
      socket: raw,
      servername: opts.servername,
      ca: opts.ca,
      rejectUnauthorized: !!opts.ca,
      ...(opts.ca ? {} : { checkServerIdentity: () => undefined }),
      ALPNProtocols: opts.alpn,
    });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
      secure.once('close', () => reject(new Error('TLS connection closed during the handshake')));
    });
    const w = new Wire(secure);
    w.sslResponse = sslResponse;
    w.peerCertificate();
    return w;
  }

  private peerCert?: X509Certificate;

  /** The server certificate (TLS connections only; read once, right after the handshake). */
  peerCertificate(): X509Certificate | undefined {
    const s = this.socket as tls.TLSSocket;
    this.peerCert ??= typeof s.getPeerX509Certificate === 'function' ? s.getPeerX509Certificate() : undefined;
    return this.peerCert;
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

  startup(params: Record<string, string>): void {
    this.write(serialize.startup(params));
  }

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

  /** Resolves once the server closed the connection (messages received before are returned). */
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

  async untilReady(timeoutMs = 10_000): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      out.push(m);
      if (m.type === 'Z') return out;
      if (m.type === 'E' && errorFields(m).S === 'FATAL') throw new Error(`FATAL ${errorFields(m).C}: ${errorFields(m).M}`);
    }
  }

  end(): void {
    this.socket.destroy();
  }
}

/** Authentication request code of an 'R' message. */
export const authCode = (m: BackendMessage) => (m.type === 'R' ? m.payload.readInt32BE(0) : -1);

/** The mechanism names of AuthenticationSASL. */
export function saslMechanisms(m: BackendMessage): string[] {
  return m.payload
    .subarray(4)
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
}

const hmac = (key: Buffer, data: string | Buffer) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

export interface ScramTamper {
  mechanism?: string;
  /** GS2 header, e.g. 'n,,', 'y,,' or 'p=tls-server-end-point,,' (default: -PLUS over TLS). */
  gs2?: string;
  /** Channel-binding data appended to the GS2 header in c= (default: the real one). */
  cbindData?: Buffer;
}

export interface ScramOutcome {
  /** Messages up to the end: AuthenticationOk... ReadyForQuery, or the ErrorResponse. */
  messages: BackendMessage[];
  serverFirst?: { nonce: string; salt: Buffer; iterations: number };
  error?: Record<string, string>;
  /** The server signature verified (only when authentication succeeded). */
  serverVerified?: boolean;
}

/**
 * Runs a SCRAM exchange after the startup packet was sent and AuthenticationSASL received.
 * Over TLS, `binding` is the tls-server-end-point hash of the server certificate.
 */
export async function scramExchange(w: Wire, password: string, tamper: ScramTamper = {}, binding?: Buffer): Promise<ScramOutcome> {
  const gs2 = tamper.gs2 ?? (binding ? 'p=tls-server-end-point,,' : 'n,,');
  const mechanism = tamper.mechanism ?? (gs2.startsWith('p=') ? 'SCRAM-SHA-256-PLUS' : 'SCRAM-SHA-256');
  const clientNonce = randomBytes(18).toString('base64');
  const clientFirstBare = `n=,r=${clientNonce}`;
  w.write(serialize.sendSASLInitialResponseMessage(mechanism, gs2 + clientFirstBare));
  const cont = await w.next();
  if (cont.type === 'E') return { messages: [cont, ...(await w.untilClosed())], error: errorFields(cont) };
  if (authCode(cont) !== 11) throw new Error(`expected AuthenticationSASLContinue, got ${cont.type}/${authCode(cont)}`);
  const serverFirst = cont.payload.subarray(4).toString('utf8');
  const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
  const salt = Buffer.from(attrs.s!, 'base64');
  const iterations = Number(attrs.i);
  const cbindInput = Buffer.concat([Buffer.from(gs2), tamper.cbindData ?? (gs2.startsWith('p=') ? (binding ?? Buffer.alloc(0)) : Buffer.alloc(0))]);
  const withoutProof = `c=${cbindInput.toString('base64')},r=${attrs.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const signature = hmac(sha256(clientKey), authMessage);
  const proof = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) proof[i] = clientKey[i]! ^ signature[i]!;
  w.write(serialize.sendSCRAMClientFinalMessage(`${withoutProof},p=${proof.toString('base64')}`));
  const out: ScramOutcome = { messages: [], serverFirst: { nonce: attrs.r!, salt, iterations } };
  for (;;) {
    let m: BackendMessage;
    try {
      m = await w.next();
    } catch (e) {
      if (w.closed) return out;
      throw e;
    }
    out.messages.push(m);
    if (authCode(m) === 12) {
      const expected = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
      out.serverVerified = m.payload.subarray(4).toString('utf8') === `v=${expected}`;
    }
    if (m.type === 'E') {
      out.error = errorFields(m);
      out.messages.push(...(await w.untilClosed()));
      return out;
    }
    if (m.type === 'Z') return out;
  }
}

/** tls-server-end-point data for a certificate signed with SHA-256 (what lakegres generates). */
export function endPointOf(cert: X509Certificate): Buffer {
  return createHash('sha256').update(cert.raw).digest();
}

/** Sends a CancelRequest on a new connection and waits until the server closes it. */
export async function sendCancel(port: number, pid: number, secret: number): Promise<{ bytes: number }> {
  const s = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  let bytes = 0;
  s.on('data', (d: Buffer) => (bytes += d.length));
  const b = Buffer.alloc(16);
  b.writeInt32BE(16, 0);
  b.writeInt32BE(80877102, 4);
  b.writeInt32BE(pid, 8);
  b.writeInt32BE(secret, 12);
  s.write(b);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('cancel connection not closed by the server')), 10_000);
    s.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
  return { bytes };
}

/** ParameterStatus messages as [name, value]. */
export function parameterStatuses(msgs: BackendMessage[]): [string, string][] {
  return msgs
    .filter((m) => m.type === 'S')
    .map((m) => {
      const [name, value] = m.payload.toString('utf8').split('\0');
      return [name!, value!];
    });
}

/** BackendKeyData of a startup sequence. */
export function backendKey(msgs: BackendMessage[]): { pid: number; secret: number } {
  const k = msgs.find((m) => m.type === 'K');
  if (!k) throw new Error('no BackendKeyData');
  return { pid: k.payload.readInt32BE(0), secret: k.payload.readInt32BE(4) };
}
