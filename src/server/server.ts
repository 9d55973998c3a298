/**
 * The lakegres server: listens on the PostgreSQL port, owns the DuckDB engine, the user store
 * and TLS material, tracks sessions (for cancel, max_connections and shutdown).
 */
import net from 'node:net';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { loadModule } from 'pgsql-parser';
import type { LakegresConfig } from '../config/options.js';
import { Engine } from '../engine/engine.js';
import { UserStore } from '../auth/users.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import type { Session } from '../session/session.js';
import { ClientConnection, isLoopback } from './connection.js';
import type { AuthMethod, ServerContext } from './context.js';
import { loadTls, type TlsMaterial } from './tls.js';

export class LakegresServer implements ServerContext {
  private listener?: net.Server;
  private readonly sessionsByPid = new Map<number, Session>();
  private readonly connections = new Set<ClientConnection>();
  private connectionCount = 0;
  private pidCounter = randomInt(10_000, 50_000);
  shuttingDown = false;
  readonly spoolDir: string;
  readonly slowStatementMs: number;
  readonly databases: readonly string[];

  private constructor(
    readonly config: LakegresConfig,
    readonly engine: Engine,
    readonly users: UserStore,
    readonly authMethod: AuthMethod,
    readonly log: Logger,
    readonly tls?: TlsMaterial,
  ) {
    this.spoolDir = path.join(config.dataDir, 'tmp');
    this.slowStatementMs = config.slowStatementMs;
    this.databases = config.database;
  }

  static async start(config: LakegresConfig, log: Logger): Promise<LakegresServer> {
    mkdirSync(config.dataDir, { recursive: true });
    mkdirSync(path.join(config.dataDir, 'tmp'), { recursive: true });
    const users = config.usersFile ? UserStore.fromFile(config.usersFile) : new UserStore();
    if (config.password) users.addPassword(config.user, config.password);
    const authMethod = resolveAuthMethod(config, users);
    const tls = await loadTls(config.tls, config.dataDir, config.tlsCert, config.tlsKey);
    await loadModule();
    const engine = await Engine.create({
      dataDir: config.dataDir,
      memoryLimit: config.memoryLimit,
      threads: config.threads,
      tempDirectory: config.tempDirectory,
      allowFileAccess: config.allowFileAccess,
      databases: config.database,
    });
    const server = new LakegresServer(config, engine, users, authMethod, log, tls);
    await server.listen();
    log.info({ host: config.host, port: server.port, databases: config.database, auth: authMethod, tls: tls ? 'on' : 'off', dataDir: path.resolve(config.dataDir) }, 'lakegres listening');
    return server;
  }

  private listen(): Promise<void> {
    const listener = net.createServer({ noDelay: true, keepAlive: true }, (socket) => this.accept(socket));
    this.listener = listener;
    return new Promise((resolve, reject) => {
      listener.once('error', (e) => reject(new PgError(SqlState.configFileError, `cannot listen on ${this.config.host}:${this.config.port}: ${e.message}`)));
      listener.listen({ host: this.config.host, port: this.config.port }, () => resolve());
    });
  }

  get port(): number {
    const addr = this.listener?.address();
    return typeof addr === 'object' && addr ? addr.port : this.config.port;
  }

  private accept(socket: net.Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const conn = new ClientConnection(socket, this);
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
  }

  reserveConnection(): boolean {
    if (this.connectionCount >= this.config.maxConnections) return false;
    this.connectionCount++;
    return true;
  }

  releaseConnection(): void {
    this.connectionCount = Math.max(0, this.connectionCount - 1);
  }

  nextPid(): number {
    this.pidCounter = this.pidCounter >= 0x7ffffff0 ? 10_000 : this.pidCounter + 1;
    return this.pidCounter;
  }

  registerSession(session: Session): void {
    this.sessionsByPid.set(session.id.pid, session);
  }

  sessionClosed(session: Session): void {
    if (this.sessionsByPid.get(session.id.pid) === session) {
      this.sessionsByPid.delete(session.id.pid);
      this.releaseConnection();
    }
  }

  sessions(): Iterable<Session> {
    return this.sessionsByPid.values();
  }

  cancel(pid: number, secret: number): void {
    const session = this.sessionsByPid.get(pid);
    if (!session) return;
    const a = Buffer.alloc(4);
    const b = Buffer.alloc(4);
    a.writeInt32BE(secret);
    b.writeInt32BE(session.id.secret);
    if (!timingSafeEqual(a, b)) return;
    this.log.info({ pid }, 'cancel request');
    session.cancel('user');
  }

  /**
   * Graceful shutdown: stop accepting, end idle sessions now, let running statements finish
   * within the grace period, then terminate the rest with 57P01.
   */
  async shutdown(graceMs = this.config.shutdownGraceMs): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.log.info({ graceMs, sessions: this.sessionsByPid.size }, 'shutting down');
    const closed = new Promise<void>((resolve) => (this.listener ? this.listener.close(() => resolve()) : resolve()));
    const adminShutdown = () => new PgError(SqlState.adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' });
    const deadline = Date.now() + graceMs;
    for (;;) {
      for (const s of [...this.sessionsByPid.values()]) if (!s.isExecuting) await s.fatal(adminShutdown());
      if (this.sessionsByPid.size === 0 || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const s of [...this.sessionsByPid.values()]) {
      s.cancel('shutdown');
      await s.fatal(adminShutdown());
    }
    for (const c of this.connections) if (!c.activeSession) c.destroy();
    await closed;
    // Give interrupted DuckDB calls a moment to unwind before the instance goes away.
    await new Promise((r) => setTimeout(r, 100));
    this.engine.close();
    this.log.info('shutdown complete');
  }
}

function resolveAuthMethod(config: LakegresConfig, users: UserStore): AuthMethod {
  let method: AuthMethod;
  if (config.auth === 'auto') method = users.size > 0 ? 'scram-sha-256' : 'trust';
  else method = config.auth as AuthMethod;
  if (method !== 'trust' && users.size === 0)
    throw new PgError(SqlState.configFileError, `--auth ${method} needs users: give --users-file, or --password / LAKEGRES_PASSWORD for --user`);
  if (method === 'trust' && !isLoopbackHost(config.host) && !config.allowTrustRemote)
    throw new PgError(
      SqlState.configFileError,
      `refusing to start with trust authentication on ${config.host}: anyone who can reach the port could connect. Configure passwords (--users-file or LAKEGRES_PASSWORD), or pass --allow-trust-remote`,
    );
  return method;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
}
