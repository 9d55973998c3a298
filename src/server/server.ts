/**
 * The lakegres server: listens on the PostgreSQL port, owns the DuckDB engine, the user store
 * and TLS material, tracks sessions (for cancel, max_connections and shutdown).
 */
import net from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { loadModule } from 'pgsql-parser';
import { ConfigError, type LakegresConfig } from '../config/options.js';
import { Engine } from '../engine/engine.js';
import { UserStore } from '../auth/users.js';
import { PgError, SqlState } from '../errors/pg-error.js';
import type { Session } from '../session/session.js';
import { ClientConnection, isLoopback } from './connection.js';
import type { AuthMethod, ServerContext } from './context.js';
import { loadTls, type TlsMaterial } from './tls.js';
import { LakeService } from '../lake/service.js';
import { lakeConfigs } from '../lake/config.js';
import { MaintenanceScheduler, scheduleOptions } from '../lake/maintenance/scheduler.js';
import { Metrics, startHttp } from './http.js';

export class LakegresServer implements ServerContext {
  private listener?: net.Server;
  private http?: import('node:http').Server;
  readonly metrics = new Metrics();
  private readonly sessionsByPid = new Map<number, Session>();
  private readonly connections = new Set<ClientConnection>();
  private connectionCount = 0;
  private pidCounter = randomInt(10_000, 50_000);
  shuttingDown = false;
  private shutdownDone?: Promise<void>;
  readonly spoolDir: string;
  readonly slowStatementMs: number;
  readonly databases: readonly string[];
  /** Background maintenance of each lake (--maintenance). */
  readonly maintenance: MaintenanceScheduler[] = [];

  private constructor(
    readonly config: LakegresConfig,
    readonly engine: Engine,
    readonly lakes: LakeService,
    readonly users: UserStore,
    readonly authMethod: AuthMethod,
    readonly log: Logger,
    readonly tls?: TlsMaterial,
  ) {
    this.spoolDir = path.join(config.dataDir, 'tmp');
    this.slowStatementMs = config.slowStatementMs;
    this.databases = lakes.names;
  }

  static async start(config: LakegresConfig, log: Logger): Promise<LakegresServer> {
    mkdirSync(config.dataDir, { recursive: true });
    mkdirSync(path.join(config.dataDir, 'tmp'), { recursive: true });
    const maintenance = config.maintenance ? scheduleOptions(config) : undefined;
    const users = config.usersFile ? UserStore.fromFile(config.usersFile) : new UserStore();
    if (config.password) users.addPassword(config.user, config.password);
    users.setMockNonce(mockAuthNonce(config.dataDir, log));
    const authMethod = resolveAuthMethod(config, users);
    if (authMethod === 'scram-sha-256' && config.auth === 'scram-sha-256' && users.md5OnlyUsers().length > 0)
      log.warn({ users: users.md5OnlyUsers() }, 'these users only have an md5 hash and cannot log in with --auth scram-sha-256');
    if (authMethod === 'password' && !config.tlsCert && config.tls === 'off' && !isLoopbackHost(config.host))
      log.warn('--auth password without TLS: only clients on a loopback address can log in');
    const tls = await loadTls(config.tls, config.dataDir, config.tlsCert, config.tlsKey);
    if (tls?.generated) log.info({ cert: path.resolve(tls.certPath) }, 'generated a self-signed TLS certificate (clients can verify it with sslrootcert=<this file>)');
    await loadModule();
    const engine = await Engine.create({
      dataDir: config.dataDir,
      memoryLimit: config.memoryLimit,
      threads: config.threads,
      tempDirectory: config.tempDirectory,
      allowFileAccess: config.allowFileAccess,
    });
    let lakes: LakeService | undefined;
    let server: LakegresServer;
    const schedulers: MaintenanceScheduler[] = [];
    try {
      lakes = await LakeService.open(lakeConfigs(config), engine, log);
      await engine.lockDown(lakes.localDirectories);
      await lakes.warmUp();
      server = new LakegresServer(config, engine, lakes, users, authMethod, log, tls);
      if (maintenance) for (const name of lakes.names) schedulers.push(await MaintenanceScheduler.start(lakes.get(name), engine, maintenance, log));
      server.maintenance.push(...schedulers);
      await server.listen();
      if (config.httpPort !== undefined) await server.startHttp(config.httpPort);
    } catch (e) {
      for (const m of schedulers) await m.stop();
      await lakes?.close();
      engine.close();
      throw e;
    }
    log.info({ host: config.host, port: server.port, databases: config.database, auth: authMethod, tls: tls ? 'on' : 'off', dataDir: path.resolve(config.dataDir) }, 'lakegres listening');
    return server;
  }

  /** /health, /ready and /metrics on the operations port. */
  private async startHttp(port: number): Promise<void> {
    try {
      this.http = await startHttp(this.config.host, port, this.metrics, { ready: () => !this.shuttingDown && !!this.listener?.listening });
    } catch (e) {
      this.listener?.close();
      throw new Error(`cannot listen on ${this.config.host}:${port} (--http-port): ${(e as Error).message}`);
    }
    this.log.info({ host: this.config.host, port: (this.http.address() as import('node:net').AddressInfo).port }, 'operations endpoint listening');
  }

  get httpPort(): number | undefined {
    const a = this.http?.address();
    return typeof a === 'object' && a ? a.port : undefined;
  }

  private listen(): Promise<void> {
    const listener = net.createServer({ noDelay: true, keepAlive: true }, (socket) => this.accept(socket));
    this.listener = listener;
    return new Promise((resolve, reject) => {
      listener.once('error', (e) => reject(new Error(`cannot listen on ${this.config.host}:${this.config.port}: ${e.message}`)));
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
    this.log.debug({ remote: `${socket.remoteAddress}:${socket.remotePort}` }, 'connection received');
    const conn = new ClientConnection(socket, this);
    this.connections.add(conn);
    this.metrics.connections.set(this.connections.size);
    socket.once('close', () => {
      this.connections.delete(conn);
      this.metrics.connections.set(this.connections.size);
    });
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
    this.metrics.sessions.inc();
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
    this.metrics.cancels.inc();
    session.cancel('user');
  }

  /**
   * Graceful shutdown: stop accepting, end idle sessions now (57P01), let running statements
   * finish within the grace period (their clients get the result, then 57P01), then interrupt
   * what still runs and end those sessions with 57P01 too.
   */
  shutdown(graceMs = this.config.shutdownGraceMs): Promise<void> {
    this.shutdownDone ??= this.doShutdown(graceMs);
    return this.shutdownDone;
  }

  private async doShutdown(graceMs: number): Promise<void> {
    this.shuttingDown = true;
    this.log.info({ graceMs, sessions: this.sessionsByPid.size }, 'shutting down');
    // No new maintenance run starts; a running one finishes its step.
    const maintenanceStopped = Promise.all(this.maintenance.map((m) => m.stop()));
    const closed = new Promise<void>((resolve) => (this.listener ? this.listener.close(() => resolve()) : resolve()));
    const adminShutdown = () => new PgError(SqlState.adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Connections still authenticating cannot become useful any more.
    for (const c of this.connections) if (!c.activeSession) c.destroy();
    const deadline = Date.now() + graceMs;
    for (;;) {
      // A session is busy from the start of a statement to its ReadyForQuery.
      for (const s of [...this.sessionsByPid.values()]) if (!s.isExecuting && s.state !== 'active') await s.fatal(adminShutdown());
      if (this.sessionsByPid.size === 0 || Date.now() >= deadline) break;
      await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
    }
    if (this.sessionsByPid.size > 0) {
      this.log.info({ sessions: this.sessionsByPid.size }, 'grace period over: interrupting running statements');
      // The interrupted statement ends its session with 57P01 itself (cancel reason 'shutdown').
      for (const s of this.sessionsByPid.values()) s.cancel('shutdown');
      const until = Date.now() + 1000;
      while (this.sessionsByPid.size > 0 && Date.now() < until) await sleep(10);
      for (const s of [...this.sessionsByPid.values()]) await s.fatal(adminShutdown());
    }
    // Sessions were told; do not wait for clients that keep their end open.
    const until = Date.now() + 1000;
    while (this.connections.size > 0 && Date.now() < until) await sleep(10);
    for (const c of this.connections) c.destroy();
    await closed;
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    // Give interrupted DuckDB calls a moment to unwind before the instance goes away.
    await sleep(100);
    await maintenanceStopped;
    await this.lakes.close();
    this.engine.close();
    this.log.info('shutdown complete');
  }
}

/** The configured authentication method, refusing unsafe or impossible combinations. */
export function resolveAuthMethod(config: Pick<LakegresConfig, 'auth' | 'host' | 'allowTrustRemote'>, users: UserStore): AuthMethod {
  let method: AuthMethod;
  if (config.auth === 'auto') method = users.size > 0 ? 'scram-sha-256' : 'trust';
  else method = config.auth as AuthMethod;
  if (method !== 'trust' && users.size === 0)
    throw new ConfigError(`--auth ${method} needs users: give --users-file, or --password / LAKEGRES_PASSWORD for --user`);
  if (method === 'trust' && !isLoopbackHost(config.host) && !config.allowTrustRemote)
    throw new ConfigError(
      `refusing to start with trust authentication on ${config.host}: anyone who can reach the port could connect. Configure passwords (--users-file or LAKEGRES_PASSWORD), or pass --allow-trust-remote`,
    );
  return method;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
}

/**
 * The secret behind unknown users' mock SCRAM salts, kept in the data directory so that those
 * salts stay the same across restarts (as real users' salts do).
 */
function mockAuthNonce(dataDir: string, log: Logger): Buffer {
  const file = path.join(dataDir, 'mock_auth_nonce');
  try {
    const hex = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  } catch {
    /* not there yet */
  }
  const nonce = randomBytes(32);
  try {
    writeFileSync(file, nonce.toString('hex') + '\n', { mode: 0o600 });
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'cannot store the mock authentication nonce; unknown users will get new salts after a restart');
  }
  return nonce;
}
