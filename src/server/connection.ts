/**
 * One client socket from accept to session: the startup packet (SSLRequest, GSSENCRequest,
 * CancelRequest, protocol negotiation), authentication, and then message dispatch to the
 * Session, with input backpressure.
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { FrameReader, PayloadReader, type Frame } from '../protocol/frames.js';
import { decodeFrontend } from '../protocol/frontend.js';
import * as be from '../protocol/backend.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import { Channel } from '../session/channel.js';
import { Session } from '../session/session.js';
import { SessionSettings } from '../session/settings.js';
import { ScramExchange, ScramError, verifyPassword } from '../auth/scram.js';
import { md5Matches, md5Stored } from '../auth/md5.js';
import type { ServerContext } from './context.js';
import { quoteIdent } from '../engine/engine.js';
import { LakeSession } from '../lake/lake-session.js';
import { fromDuckDBError } from '../errors/duckdb-errors.js';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const AUTH_TIMEOUT_MS = 60_000;
/** Pause reading from a client whose unprocessed input exceeds this. */
const INPUT_HIGH_WATER = 8 * 1024 * 1024;

type Phase = 'startup' | 'auth' | 'ready' | 'closed';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export class ClientConnection {
  private socket: Socket;
  private readonly reader = new FrameReader();
  private readonly channel: Channel;
  private phase: Phase = 'startup';
  private tlsActive = false;
  private startupParams = new Map<string, string>();
  private authStep?: (frame: Frame) => Promise<void>;
  private authTimer?: NodeJS.Timeout;
  private session?: Session;
  private readonly log: Logger;
  private readonly remote: string;
  private paused = false;
  private counted = false;

  constructor(socket: Socket, private readonly ctx: ServerContext) {
    this.socket = socket;
    this.remote = socket.remoteAddress ?? 'unknown';
    this.log = ctx.log.child({ remote: `${this.remote}:${socket.remotePort}` });
    this.channel = new Channel(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    this.channel.onClose(() => this.onClose());
    this.authTimer = setTimeout(() => {
      if (this.phase !== 'ready') this.fail(new PgError(SqlState.cannotConnectNow, 'authentication timeout', { severity: 'FATAL' }));
    }, AUTH_TIMEOUT_MS);
    this.listen(socket);
  }

  private listen(socket: Socket): void {
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
  }

  private onData(data: Buffer): void {
    if (this.phase === 'closed') return;
    if (this.firstData) {
      this.firstData = false;
      // 0x16 = TLS handshake record: PostgreSQL 17 direct TLS (sslnegotiation=direct).
      if (data[0] === 0x16) return this.directTls(data);
    }
    this.reader.push(data);
    void this.pump();
  }

  private firstData = true;

  /** Direct TLS: no SSLRequest; like PostgreSQL 17, refused (connection closed) without TLS or ALPN "postgresql". */
  private directTls(data: Buffer): void {
    const reject = (message: string) => {
      this.log.info({ code: SqlState.protocolViolation }, message);
      this.phase = 'closed';
      this.channel.destroy();
    };
    if (!this.ctx.tls) return reject('direct SSL connection request received, but SSL is not enabled');
    this.socket.pause();
    this.socket.removeAllListeners('data');
    this.socket.unshift(data);
    this.upgradeToTls().then(
      () => {
        if ((this.socket as tls.TLSSocket).alpnProtocol !== 'postgresql') reject('received direct SSL connection request without ALPN protocol negotiation extension');
      },
      (e: Error) => reject(e.message),
    );
  }

  private pumping = false;

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.phase === 'closed') return;
        let frame: Frame | undefined;
        try {
          frame = this.reader.next();
        } catch (e) {
          return this.fail(e);
        }
        if (!frame) return;
        if (this.phase === 'ready') {
          this.dispatch(frame);
          continue;
        }
        try {
          if (this.phase === 'startup') await this.onStartupPacket(frame);
          else if (this.authStep) await this.authStep(frame);
          else throw new PgError(SqlState.protocolViolation, 'unexpected message during authentication', { severity: 'FATAL' });
        } catch (e) {
          return this.fail(e);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private dispatch(frame: Frame): void {
    const session = this.session!;
    let msg;
    try {
      msg = decodeFrontend(frame);
    } catch (e) {
      // Only violations that make the stream untrustworthy throw here (payload errors come
      // back as 'invalid' messages): FATAL, after the messages received before it.
      this.fatalInOrder(e, frame.type);
      return;
    }
    session.enqueue(msg, frame.payload.length + 5);
    if (!this.paused && session.pendingBytes > INPUT_HIGH_WATER) {
      this.paused = true;
      this.socket.pause();
      session.whenDrained(() => this.resume());
    }
  }

  /**
   * A protocol violation after startup: the session reports it as FATAL once the messages
   * before it are handled (as PostgreSQL, which reads one message at a time), then ends.
   * Nothing more is read from the socket.
   */
  private fatalInOrder(e: unknown, type: number): void {
    const err = e instanceof PgError ? e : new PgError(SqlState.protocolViolation, (e as Error)?.message ?? String(e));
    const error = err.severity === 'FATAL' ? err : new PgError(err.code, err.message, { severity: 'FATAL' });
    this.phase = 'closed';
    this.session!.enqueue({ kind: 'invalid', type, extended: false, error }, 0);
  }

  private resume(): void {
    if (!this.paused) return;
    const session = this.session!;
    if (session.pendingBytes > INPUT_HIGH_WATER / 2) {
      session.whenDrained(() => this.resume());
      return;
    }
    this.paused = false;
    this.socket.resume();
  }

  // ------------------------------------------------------------------ startup

  private async onStartupPacket(frame: Frame): Promise<void> {
    const r = new PayloadReader(frame.payload);
    const code = r.int32();
    if (code === SSL_REQUEST) {
      if (frame.payload.length !== 4) throw new PgError(SqlState.protocolViolation, 'invalid length of startup packet', { severity: 'FATAL' });
      if (this.tlsActive || !this.ctx.tls) {
        this.socket.write('N');
        // As PostgreSQL: nothing may follow the request before the client has read the answer.
        if (this.reader.bufferedBytes > 0) throw unencryptedData('SSL request');
        return;
      }
      // Bytes sent after SSLRequest but before the handshake could be injected by a man in the middle.
      if (this.reader.bufferedBytes > 0) throw new PgError(SqlState.protocolViolation, 'received unencrypted data after SSL request', { severity: 'FATAL' });
      this.socket.write('S');
      await this.upgradeToTls();
      return;
    }
    if (code === GSSENC_REQUEST) {
      if (frame.payload.length !== 4) throw new PgError(SqlState.protocolViolation, 'invalid length of startup packet', { severity: 'FATAL' });
      this.socket.write('N');
      if (this.reader.bufferedBytes > 0) throw unencryptedData('GSSAPI encryption request');
      return;
    }
    if (code === CANCEL_REQUEST) {
      if (frame.payload.length !== 12) throw new PgError(SqlState.protocolViolation, 'invalid length of startup packet', { severity: 'FATAL' });
      const pid = r.int32();
      const secret = r.int32();
      this.ctx.cancel(pid, secret);
      this.phase = 'closed';
      this.socket.end();
      return;
    }
    const major = code >>> 16;
    const minor = code & 0xffff;
    if (major !== 3) {
      throw new PgError(SqlState.featureNotSupported, `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`, { severity: 'FATAL' });
    }
    const unsupportedOptions: string[] = [];
    for (;;) {
      const key = r.cstring();
      if (key === '') break;
      const value = r.cstring();
      if (key.startsWith('_pq_.')) unsupportedOptions.push(key);
      else this.startupParams.set(key, value);
    }
    if (r.remaining !== 0) throw new PgError(SqlState.protocolViolation, 'invalid startup packet layout: expected terminator as last byte', { severity: 'FATAL' });
    if (minor > 0 || unsupportedOptions.length > 0) be.negotiateProtocolVersion(this.channel.writer, 0, unsupportedOptions);
    const user = this.startupParams.get('user');
    if (!user) throw new PgError(SqlState.invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet', { severity: 'FATAL' });
    if (this.startupParams.has('replication') && this.startupParams.get('replication') !== 'false' && this.startupParams.get('replication') !== 'off')
      throw new PgError(SqlState.featureNotSupported, 'replication connections are not supported by lakegres', { severity: 'FATAL' });
    this.reader.startupPhase = false;
    if (this.ctx.shuttingDown) throw new PgError(SqlState.cannotConnectNow, 'the database system is shutting down', { severity: 'FATAL' });
    if (!this.ctx.reserveConnection()) throw new PgError(SqlState.tooManyConnections, 'sorry, too many clients already', { severity: 'FATAL' });
    this.counted = true;
    this.phase = 'auth';
    await this.beginAuth(user);
  }

  private async upgradeToTls(): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.pause();
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: this.ctx.tls!.context, ALPNProtocols: ['postgresql'] });
    await new Promise<void>((resolve, reject) => {
      secure.once('secure', resolve);
      secure.once('error', reject);
    }).catch((e) => {
      throw new PgError(SqlState.protocolViolation, `could not accept SSL connection: ${(e as Error).message}`, { severity: 'FATAL' });
    });
    this.socket = secure;
    this.tlsActive = true;
    this.channel.replaceSocket(secure);
    this.listen(secure);
  }

  // ------------------------------------------------------------------ authentication

  private async beginAuth(user: string): Promise<void> {
    const method = this.ctx.authMethod;
    const w = this.channel.writer;
    const failed = () => new PgError(SqlState.invalidPassword, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
    const secret = this.ctx.users.get(user);
    if (method === 'trust') return this.authenticated(user);
    if (method === 'password') {
      if (!this.tlsActive && !isLoopback(this.remote))
        throw new PgError(SqlState.invalidAuthorizationSpecification, 'cleartext password authentication requires an SSL connection or a loopback address', { severity: 'FATAL' });
      be.authCleartext(w);
      await this.channel.flush();
      this.authStep = async (frame) => {
        const password = passwordOf(frame);
        let ok = false;
        if (secret?.scram) ok = verifyPassword(secret.scram, password);
        else if (secret?.md5) ok = constantTimeEqual(md5Stored(user, password), secret.md5);
        else verifyPassword(this.ctx.users.mockVerifier(user), password); // same work for unknown users
        if (!ok) throw failed();
        return this.authenticated(user);
      };
      return;
    }
    if (this.ctx.users.challengeFor(user, method, this.ctx.config.auth === 'auto') === 'md5') {
      const salt = randomBytes(4);
      be.authMd5(w, salt);
      await this.channel.flush();
      this.authStep = async (frame) => {
        const response = passwordOf(frame);
        // An unknown user's response is checked against a mock hash: the same work either way.
        const ok = md5Matches(secret?.md5 ?? this.ctx.users.mockMd5(user), salt, response);
        if (!ok || !secret?.md5) throw failed();
        return this.authenticated(user);
      };
      return;
    }
    // SCRAM-SHA-256 (also used for md5 when only a SCRAM verifier is stored, as PostgreSQL does).
    const binding = this.tlsActive ? this.ctx.tls!.endPoint : undefined;
    const exchange = new ScramExchange(secret?.scram, this.ctx.users.mockVerifier(user), binding);
    be.authSasl(w, binding ? ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] : ['SCRAM-SHA-256']);
    await this.channel.flush();
    this.authStep = async (frame) => {
      if (frame.type !== 0x70) throw new PgError(SqlState.protocolViolation, `expected SASL response, got message type ${frame.type}`, { severity: 'FATAL' });
      const r = new PayloadReader(frame.payload);
      const mechanism = r.cstring();
      const len = r.int32();
      const data = len < 0 ? '' : r.bytes(len).toString('utf8');
      if (mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-256-PLUS')
        throw new PgError(SqlState.protocolViolation, 'client selected an invalid SASL authentication mechanism', { severity: 'FATAL' });
      let serverFirst: string;
      try {
        serverFirst = exchange.clientFirst(mechanism, data);
      } catch (e) {
        throw scramFailure(e, failed);
      }
      be.authSaslContinue(w, serverFirst);
      await this.channel.flush();
      this.authStep = async (finalFrame) => {
        if (finalFrame.type !== 0x70) throw new PgError(SqlState.protocolViolation, 'expected SASL response', { severity: 'FATAL' });
        let serverFinal: string;
        try {
          serverFinal = exchange.clientFinal(finalFrame.payload.toString('utf8'));
        } catch (e) {
          throw scramFailure(e, failed);
        }
        be.authSaslFinal(w, serverFinal);
        return this.authenticated(user);
      };
    };
  }

  private async authenticated(user: string): Promise<void> {
    this.authStep = undefined;
    const w = this.channel.writer;
    be.authOk(w);
    this.log.info({ user, database: this.startupParams.get('database') ?? user, tls: this.tlsActive, method: this.ctx.authMethod }, 'authentication ok');
    const database = this.startupParams.get('database') || user;
    if (!this.ctx.databases.includes(database)) throw new PgError(SqlState.invalidCatalogName, `database "${database}" does not exist`, { severity: 'FATAL' });
    const pid = this.ctx.nextPid();
    const secret = randomInt(-0x80000000, 0x7fffffff);
    const applicationName = this.startupParams.get('application_name') ?? '';
    const settings = new SessionSettings({
      user,
      isSuperuser: true,
      timeZone: 'UTC',
      applicationName,
      maxConnections: this.ctx.config.maxConnections,
      port: this.ctx.config.port,
      host: this.ctx.config.host,
      ssl: !!this.ctx.tls,
      dataDir: this.ctx.config.dataDir,
    });
    // Startup parameters and -c options become the session defaults; bad values are FATAL.
    for (const [name, value] of this.startupGucs()) {
      try {
        settings.setSessionDefault(name, value);
      } catch (e) {
        const err = e instanceof PgError ? e : new PgError(SqlState.invalidParameterValue, String(e));
        throw new PgError(err.code, err.message, { severity: 'FATAL', hint: err.hint });
      }
    }
    let conn;
    try {
      conn = await this.ctx.engine.connect();
      await conn.run(`USE ${quoteIdent(database)}`);
    } catch (e) {
      conn?.closeSync();
      const err = fromDuckDBError(e);
      throw new PgError(err.code, err.message, { severity: 'FATAL' });
    }
    if (this.phase === 'closed') {
      conn.closeSync();
      return;
    }
    const session = new Session(
      { pid, secret, user, database, applicationName: settings.get('application_name') ?? '', clientAddress: this.remote },
      this.channel,
      conn,
      settings,
      this.ctx,
      this.log.child({ pid, user, database }),
      new LakeSession(this.ctx.lakes.get(database), conn),
    );
    this.session = session;
    for (const [name, value] of settings.reportable()) be.parameterStatus(w, name, value);
    be.backendKeyData(w, pid, secret);
    be.readyForQuery(w, 'I');
    this.phase = 'ready';
    this.reader.authenticating = false;
    clearTimeout(this.authTimer);
    this.ctx.registerSession(session);
    await this.channel.flush();
    session.ready();
    this.log.info({ pid, user, database, application: applicationName }, 'connection ready');
  }

  /** Startup parameters that are settings, plus those in `options` (-c name=value, --name=value). */
  private startupGucs(): [string, string][] {
    // As PostgreSQL: the `options` switches first, then the other parameters (which win).
    const out: [string, string][] = parseOptions(this.startupParams.get('options') ?? '');
    for (const [k, v] of this.startupParams) {
      if (k === 'user' || k === 'database' || k === 'replication' || k === 'options') continue;
      out.push([k, v]);
    }
    return out;
  }

  // ------------------------------------------------------------------ teardown

  private fail(e: unknown): void {
    if (this.phase === 'closed') return;
    const err = e instanceof PgError ? e : new PgError(SqlState.protocolViolation, (e as Error)?.message ?? String(e), { severity: 'FATAL' });
    if (this.session) {
      this.fatalInOrder(err, 0);
      return;
    }
    this.phase = 'closed';
    // The slot is free once the connection is refused, not when the client gets round to closing.
    if (this.counted) {
      this.counted = false;
      this.ctx.releaseConnection();
    }
    const fatal = err.severity === 'FATAL' ? err : new PgError(err.code, err.message, { severity: 'FATAL', hint: err.hint });
    if (err.code === SqlState.invalidPassword || err.code === SqlState.invalidAuthorizationSpecification) {
      this.ctx.metrics.authFailures.inc();
      this.log.warn({ code: err.code, user: this.startupParams.get('user') }, 'authentication failed');
    }
    else this.log.info({ code: err.code, message: err.message }, 'connection refused');
    try {
      be.errorResponse(this.channel.writer, fatal);
      void this.channel.end();
    } catch {
      this.channel.destroy();
    }
    setTimeout(() => this.channel.destroy(), 1000).unref();
  }

  private onClose(): void {
    this.phase = 'closed';
    clearTimeout(this.authTimer);
    if (this.session) {
      void this.session.terminate('disconnect');
      this.log.info({ pid: this.session.id.pid, durationMs: Date.now() - this.session.startedAt.getTime() }, 'connection closed');
    } else if (this.counted) this.ctx.releaseConnection();
  }

  get activeSession(): Session | undefined {
    return this.session;
  }

  /** Drops a connection that has not become a session (server shutdown). */
  destroy(): void {
    this.phase = 'closed';
    this.channel.destroy();
  }
}

function unencryptedData(request: string): PgError {
  return new PgError(SqlState.protocolViolation, `received unencrypted data after ${request}`, {
    severity: 'FATAL',
    detail: 'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.',
  });
}

function passwordOf(frame: Frame): string {
  if (frame.type !== 0x70) throw new PgError(SqlState.protocolViolation, `expected password response, got message type ${frame.type}`, { severity: 'FATAL' });
  const r = new PayloadReader(frame.payload);
  const s = r.cstring();
  r.expectEnd();
  return s;
}

function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function scramFailure(e: unknown, failed: () => PgError): PgError {
  if (e instanceof ScramError && /password authentication failed/.test(e.message)) return failed();
  if (e instanceof ScramError) return new PgError(SqlState.protocolViolation, e.message, { severity: 'FATAL' });
  return e instanceof PgError ? e : failed();
}

/** Parses the startup `options` string: `-c name=value`, `--name=value`, backslash escapes spaces. */
export function parseOptions(options: string): [string, string][] {
  const words: string[] = [];
  let cur = '';
  let escaped = false;
  let inWord = false;
  for (const ch of options) {
    if (escaped) {
      cur += ch;
      escaped = false;
      inWord = true;
    } else if (ch === '\\') {
      escaped = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if (w === '-c') w = words[++i] ?? '';
    else if (w.startsWith('-c')) w = w.slice(2);
    else if (w.startsWith('--')) w = w.slice(2);
    else throw new PgError(SqlState.syntaxError, `invalid command-line argument for server process: ${w}`, { severity: 'FATAL', hint: 'Try "postgres --help" for more information.' });
    const eq = w.indexOf('=');
    if (eq <= 0) throw new PgError(SqlState.syntaxError, `-c ${w} requires a value`, { severity: 'FATAL' });
    out.push([w.slice(0, eq).replace(/-/g, '_'), w.slice(eq + 1)]);
  }
  return out;
}
