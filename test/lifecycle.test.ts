/**
 * Session lifecycle: ParameterStatus (compared with the reference PostgreSQL), BackendKeyData
 * and CancelRequest, disconnects mid-statement, max_connections, idle timeouts, graceful
 * shutdown of a spawned server, and what the logs contain (never passwords).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, referencePort, type TestServer } from './helpers/server.js';
import { errorFields, serialize, type BackendMessage } from './helpers/raw-client.js';
import { Wire, authCode, backendKey, parameterStatuses, scramExchange, sendCancel } from './helpers/wire.js';
import { spawnServer, type ServerProcess } from './helpers/cli-process.js';

/** Long enough to be interrupted, whatever the machine: ~1 minute of DuckDB work. */
const LONG_QUERY = 'select count(*) from range(200000000000)';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => srv?.stop());

interface Session {
  w: Wire;
  startup: BackendMessage[];
}

/** Connects at the byte level (trust, cleartext or SCRAM) and returns the startup messages. */
async function open(port: number, params: Record<string, string> = {}, password?: string): Promise<Session> {
  const w = await Wire.open(port);
  w.startup({ user: 'lakegres', database: 'lake', ...params });
  const first = await w.next();
  const startup: BackendMessage[] = [first];
  if (first.type === 'E') throw new Error(`startup failed: ${errorFields(first).M}`);
  if (authCode(first) === 3) w.write(serialize.password(password ?? ''));
  if (authCode(first) === 10) {
    const out = await scramExchange(w, password ?? '');
    if (out.error) throw new Error(out.error.M);
    startup.push(...out.messages);
    return { w, startup };
  }
  startup.push(...(await w.untilReady()));
  return { w, startup };
}

const openReference = (params: Record<string, string> = {}) => open(referencePort(), { user: 'postgres', database: 'postgres', ...params }, 'postgres');

async function query(s: Session, sql: string): Promise<BackendMessage[]> {
  s.w.write(serialize.query(sql));
  return s.w.untilReady(60_000);
}

const statusMap = (msgs: BackendMessage[]) => Object.fromEntries(parameterStatuses(msgs));

describe('ParameterStatus', () => {
  const cases: Record<string, string>[] = [
    { application_name: 'lifecycle-test', TimeZone: 'Europe/Berlin', client_encoding: 'UTF8' },
    { options: '-c TimeZone=America/New_York -c DateStyle=ISO,\\ DMY -c IntervalStyle=iso_8601', DateStyle: 'ISO' },
    { TimeZone: 'UTC', DateStyle: 'ISO, YMD', application_name: 'x' },
    // Non-ASCII is escaped and the name cut at 63 bytes.
    { application_name: 'café-' + 'x'.repeat(70), TimeZone: 'UTC' },
    // `options` is applied before the other parameters, wherever it is in the packet.
    { TimeZone: 'Europe/Berlin', DateStyle: 'YMD', options: '-c TimeZone=Asia/Tokyo --DateStyle=ISO,\\ DMY' },
  ];

  it.each(cases)('reports the same parameters as PostgreSQL at startup for %j', async (params) => {
    const ours = await open(srv.port, params);
    const ref = await openReference(params);
    const o = statusMap(ours.startup);
    const r = statusMap(ref.startup);
    ours.w.end();
    ref.w.end();
    // Same set of names (scram_iterations is PostgreSQL 16's, reported by both).
    expect(Object.keys(o).sort()).toEqual(Object.keys(r).sort());
    // Numeric version first, then ours.
    expect(o.server_version).toMatch(/^16\.\d+ \(lakegres \d+\.\d+\.\d+\)$/);
    expect(o.server_version!.split(' ')[0]).toBe(r.server_version);
    expect(o.session_authorization).toBe('lakegres');
    expect(r.session_authorization).toBe('postgres');
    const same = (x: Record<string, string>) => {
      const { server_version: _v, session_authorization: _a, ...rest } = x;
      return rest;
    };
    expect(same(o)).toEqual(same(r));
    // Every parameter exactly once, before BackendKeyData and ReadyForQuery.
    const types = ours.startup.map((m) => m.type);
    expect(parameterStatuses(ours.startup).length).toBe(Object.keys(o).length);
    expect(types.lastIndexOf('S')).toBeLessThan(types.indexOf('K'));
    expect(types.at(-1)).toBe('Z');
  });

  it('the session uses the startup TimeZone', async () => {
    const s = await open(srv.port, { TimeZone: 'Asia/Kolkata' });
    const rows = await query(s, 'show timezone');
    s.w.end();
    expect(rows.find((m) => m.type === 'D')?.payload.toString()).toContain('Asia/Kolkata');
  });

  it('refuses bad startup settings with FATAL, like PostgreSQL', async () => {
    const fatalOf = async (port: number, params: Record<string, string>, password?: string) => {
      const w = await Wire.open(port);
      w.startup({ TimeZone: 'Mars/Olympus', ...params });
      const first = await w.next();
      if (authCode(first) === 3) w.write(serialize.password(password!));
      const msgs = [first, ...(await w.untilClosed())];
      const e = msgs.find((m) => m.type === 'E');
      return e ? errorFields(e) : {};
    };
    const ours = await fatalOf(srv.port, { user: 'lakegres', database: 'lake' });
    const ref = await fatalOf(referencePort(), { user: 'postgres', database: 'postgres' }, 'postgres');
    expect({ S: ours.S, C: ours.C, M: ours.M }).toEqual({ S: 'FATAL', C: '22023', M: 'invalid value for parameter "TimeZone": "Mars/Olympus"' });
    expect({ S: ref.S, C: ref.C, M: ref.M }).toEqual({ S: ours.S, C: ours.C, M: ours.M });
  });

  /** Runs the same script on both servers; returns the ParameterStatus of each round trip. */
  async function scriptStatuses(script: string[]) {
    const ours = await open(srv.port, { application_name: 'a0', TimeZone: 'UTC' });
    const ref = await openReference({ application_name: 'a0', TimeZone: 'UTC' });
    const o: Record<string, string>[] = [];
    const r: Record<string, string>[] = [];
    const oTypes: string[] = [];
    const rTypes: string[] = [];
    // Message kinds without ParameterStatus order among themselves (S messages sorted by name).
    const shape = (msgs: BackendMessage[]) => msgs.map((m) => (m.type === 'S' ? 'S' : m.type)).join('');
    for (const sql of script) {
      const om = await query(ours, sql);
      const rm = await query(ref, sql);
      o.push(statusMap(om));
      r.push(statusMap(rm));
      oTypes.push(`${sql} -> ${shape(om)}`);
      rTypes.push(`${sql} -> ${shape(rm)}`);
    }
    ours.w.end();
    ref.w.end();
    return { ours: o, ref: r, oTypes, rTypes };
  }

  it('re-sends changed parameters after SET, RESET, ROLLBACK and SET LOCAL, as PostgreSQL', async () => {
    const script = [
      "set application_name = 'a1'",
      "set TimeZone = 'Europe/Paris'",
      'reset application_name',
      'begin',
      "set application_name = 'in-tx'",
      "set DateStyle = 'ISO, DMY'",
      'rollback',
      'begin',
      "set local TimeZone = 'Asia/Tokyo'",
      'commit',
      "set IntervalStyle = 'sql_standard'",
      'reset all',
      "set standard_conforming_strings = on",
      "set default_transaction_read_only = on",
      "set default_transaction_read_only = off",
      "begin; set application_name = 'multi'; commit",
      // Cut to 63 bytes (on a character boundary), then non-ASCII escaped.
      `set application_name = 'café-${'x'.repeat(70)}'`,
      `set application_name = '${'é'.repeat(40)}'`,
    ];
    const { ours, ref, oTypes, rTypes } = await scriptStatuses(script);
    expect(ours.map((o, i) => [script[i], o])).toEqual(ref.map((r, i) => [script[i], r]));
    // ParameterStatus comes where PostgreSQL puts it: after the command, just before ReadyForQuery.
    // (Known difference: PostgreSQL adds a NOTICE when it cuts a long application_name.)
    const noNotice = (xs: string[]) => xs.map((x) => x.replace(/ -> N/, ' -> '));
    expect(noNotice(oTypes)).toEqual(noNotice(rTypes));
    expect(oTypes.slice(0, -2)).toEqual(rTypes.slice(0, -2));
    // Not vacuous: the script does change reported parameters.
    expect(ref.filter((r) => Object.keys(r).length > 0).length).toBeGreaterThan(8);
  });

  it('does not re-send a parameter SET to the value it already has (PostgreSQL 14+)', async () => {
    const script = ["set application_name = 'a0'", "set TimeZone = 'UTC'", "set client_encoding = 'UTF8'", 'reset TimeZone'];
    const { ours, ref } = await scriptStatuses(script);
    expect(ours).toEqual(ref);
  });
});

describe('BackendKeyData and CancelRequest', () => {
  it('gives each session its own pid and a random secret', async () => {
    const keys = [];
    for (let i = 0; i < 4; i++) {
      const s = await open(srv.port);
      keys.push(backendKey(s.startup));
      s.w.end();
    }
    expect(new Set(keys.map((k) => k.pid)).size).toBe(4);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(4);
  });

  it('interrupts the running statement of the session with the matching key (57014)', async () => {
    const c = await srv.client();
    const pid = (c as unknown as { processID: number }).processID;
    const secret = (c as unknown as { secretKey: number }).secretKey;
    const t0 = Date.now();
    const running = c.query(LONG_QUERY).then(
      () => undefined,
      (e) => e as pg.DatabaseError,
    );
    await new Promise((r) => setTimeout(r, 300));
    const { bytes } = await sendCancel(srv.port, pid, secret);
    expect(bytes).toBe(0); // the server answers nothing on the cancel connection
    const err = await running;
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect([err?.severity, err?.code, err?.message]).toEqual(['ERROR', '57014', 'canceling statement due to user request']);
    // The session goes on.
    expect((await c.query('select 42 as x')).rows).toEqual([{ x: 42 }]);
  });

  it('ignores a wrong secret or pid silently', async () => {
    const c = await srv.client();
    const pid = (c as unknown as { processID: number }).processID;
    const secret = (c as unknown as { secretKey: number }).secretKey;
    let settled = false;
    const running = c.query(LONG_QUERY).then(
      () => ((settled = true), undefined),
      (e) => ((settled = true), e as pg.DatabaseError),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect((await sendCancel(srv.port, pid, secret ^ 1)).bytes).toBe(0);
    expect((await sendCancel(srv.port, pid + 1, secret)).bytes).toBe(0);
    await new Promise((r) => setTimeout(r, 700));
    expect(settled).toBe(false); // still running
    await sendCancel(srv.port, pid, secret);
    expect((await running)?.code).toBe('57014');
  });

  it('postgres.js query.cancel() and psql-style cancel over a new connection work', async () => {
    const sql = postgres({ host: '127.0.0.1', port: srv.port, database: 'lake', username: 'lakegres', max: 1 });
    try {
      const q = sql.unsafe(LONG_QUERY);
      const result = q.then(
        () => undefined,
        (e) => e as { code: string; message: string },
      );
      await new Promise((r) => setTimeout(r, 300));
      q.cancel();
      expect(await result).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      expect(await sql`select 1 as x`).toEqual([{ x: 1 }]);
    } finally {
      await sql.end();
    }
  });

  it('a cancel between statements does not hit the next statement', async () => {
    const c = await srv.client();
    const pid = (c as unknown as { processID: number }).processID;
    const secret = (c as unknown as { secretKey: number }).secretKey;
    await sendCancel(srv.port, pid, secret);
    expect((await c.query('select count(*)::int as n from range(1000)')).rows).toEqual([{ n: 1000 }]);
  });
});

/** CPU time (ms) this process — where the in-process server's DuckDB threads run — used during `ms`. */
async function cpuMsDuring(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

describe('disconnect mid-statement', () => {
  it('stops the DuckDB work of a client that goes away', async () => {
    // The server runs in this process: its CPU time shows whether DuckDB still works.
    const idle = await cpuMsDuring(500);
    const s = await open(srv.port);
    s.w.write(serialize.query(LONG_QUERY));
    await new Promise((r) => setTimeout(r, 300));
    const busy = await cpuMsDuring(1000);
    // Running: DuckDB keeps at least a good part of a core busy (other test runs share the machine).
    expect(busy).toBeGreaterThan(200);
    s.w.socket.destroy();
    await new Promise((r) => setTimeout(r, 500));
    const after = await cpuMsDuring(1000);
    // Stopped: back to (about) what the idle process used.
    expect(after, JSON.stringify({ idle, busy, after })).toBeLessThan(Math.min(busy / 3, Math.max(150, idle * 3)));
    // And the slot and the engine are fine: another session runs a query at once.
    const c = await srv.client();
    expect((await c.query('select 7 as x')).rows).toEqual([{ x: 7 }]);
  });
});

describe('max connections', () => {
  it('refuses the connection over the limit with FATAL 53300 and frees slots on disconnect', async () => {
    const small = await startServer({ maxConnections: 2 });
    try {
      const a = await small.client();
      const b = await small.client();
      const extra = new pg.Client(small.connection());
      extra.on('error', () => undefined);
      await expect(extra.connect()).rejects.toMatchObject({ severity: 'FATAL', code: '53300', message: 'sorry, too many clients already' });
      await a.end();
      // The slot is released when the socket closes; allow a short moment.
      const again = await retryConnect(() => small.client());
      expect((await again.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
      await b.end();
    } finally {
      await small.stop();
    }
  });

  it('releases slots of connections that fail authentication, name an unknown database, or vanish mid-startup', async () => {
    const small = await startServer({ maxConnections: 1 }, { LAKEGRES_PASSWORD: 'right' });
    try {
      // A closed socket frees its slot asynchronously: each attempt may meet 53300 for a moment
      // (retried for up to 3 s). A leaked slot would make every later attempt fail.
      const expectRefused = async (config: pg.ClientConfig, code: string) => {
        const deadline = Date.now() + 3000;
        for (;;) {
          const c = new pg.Client(config);
          c.on('error', () => undefined);
          const e = (await c.connect().then(
            () => c.end().then(() => undefined),
            (x) => x,
          )) as pg.DatabaseError | undefined;
          if (e?.code === '53300' && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          expect(e?.code).toBe(code);
          return;
        }
      };
      for (let i = 0; i < 5; i++) {
        await expectRefused(small.connection({ password: 'wrong' }), '28P01');
        await expectRefused(small.connection({ password: 'right', database: 'nodb' }), '3D000');
        await expectRefused(small.connection({ user: 'ghost', password: 'x' }), '28P01');
        // Startup sent, then gone before answering the password request.
        const w = await retryWire(small.port);
        w.end();
      }
      const ok = await retryConnect(() => small.client({ password: 'right' }));
      expect((await ok.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
    } finally {
      await small.stop();
    }
  });
});

/** Sends a startup packet and waits for the authentication request, retrying 53300 for up to 3 s. */
async function retryWire(port: number): Promise<Wire> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const w = await Wire.open(port);
    w.startup({ user: 'lakegres', database: 'lake' });
    const m = await w.next();
    if (authCode(m) === 10) return w;
    w.end();
    if (!(m.type === 'E' && errorFields(m).C === '53300') || Date.now() > deadline) throw new Error(`unexpected ${m.type} ${errorFields(m).C}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Connects, retrying 53300 for up to 3 s (a closed socket frees its slot asynchronously). */
async function retryConnect(connect: () => Promise<pg.Client>): Promise<pg.Client> {
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      return await connect();
    } catch (e) {
      if ((e as pg.DatabaseError).code !== '53300' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('idle timeouts', () => {
  /** Runs `setup` on a session and waits for the server to end it; returns the FATAL's fields. */
  async function idleFatal(port: number, reference: boolean, setup: string[]): Promise<Record<string, string>> {
    const s = reference ? await openReference() : await open(port);
    for (const sql of setup) await query(s, sql);
    const t0 = Date.now();
    const msgs = await s.w.untilClosed(10_000);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThan(150);
    const e = msgs.find((m) => m.type === 'E');
    return e ? errorFields(e) : {};
  }

  it('idle_in_transaction_session_timeout ends the session with FATAL 25P03, like PostgreSQL', async () => {
    const setup = ["set idle_in_transaction_session_timeout = '300ms'", 'begin', 'select 1'];
    const [ours, ref] = await Promise.all([idleFatal(srv.port, false, setup), idleFatal(referencePort(), true, setup)]);
    expect({ S: ours.S, C: ours.C, M: ours.M }).toEqual({ S: ref.S, C: ref.C, M: ref.M });
    expect(ours.C).toBe('25P03');
  });

  it('idle_session_timeout ends an idle session with FATAL 57P05, like PostgreSQL', async () => {
    const setup = ["set idle_session_timeout = '300ms'"];
    const [ours, ref] = await Promise.all([idleFatal(srv.port, false, setup), idleFatal(referencePort(), true, setup)]);
    expect({ S: ours.S, C: ours.C, M: ours.M }).toEqual({ S: ref.S, C: ref.C, M: ref.M });
    expect(ours.C).toBe('57P05');
  });

  it('idle_session_timeout given at startup applies before the first query, like PostgreSQL', async () => {
    const params = { options: '-c idle_session_timeout=300' };
    const wait = async (s: Session) => {
      const t0 = Date.now();
      const msgs = await s.w.untilClosed(10_000);
      return { elapsed: Date.now() - t0, e: errorFields(msgs.find((m) => m.type === 'E')!) };
    };
    const [ours, ref] = await Promise.all([open(srv.port, params).then(wait), openReference(params).then(wait)]);
    expect([ours.e.C, ours.e.M]).toEqual([ref.e.C, ref.e.M]);
    expect(ours.elapsed).toBeLessThan(5000);
  });

  it('an active session is not ended by the idle timeouts', async () => {
    const s = await open(srv.port);
    await query(s, "set idle_session_timeout = '400ms'");
    await query(s, "set idle_in_transaction_session_timeout = '400ms'");
    // Keep it busy: one statement per 150 ms for 1.2 s, in and out of a transaction.
    for (let i = 0; i < 8; i++) {
      await query(s, i % 2 === 0 ? 'begin' : 'commit');
      await new Promise((r) => setTimeout(r, 150));
    }
    const r = await query(s, 'select 1');
    expect(r.at(-1)?.type).toBe('Z');
    s.w.end();
  });
});

describe('graceful shutdown of a spawned server', () => {
  let proc: ServerProcess | undefined;
  const dirs: string[] = [];
  afterAll(() => {
    proc?.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const dataDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'lakegres-shutdown-'));
    dirs.push(d);
    return d;
  };

  it('SIGTERM: idle sessions get 57P01, a running statement finishes, new connections are refused, exit 0', async () => {
    proc = await spawnServer(['--data-dir', dataDir(), '--shutdown-grace-ms', '60000']);
    const port = proc.port;
    const idle = await open(port);
    const busy = await open(port);
    // A statement that takes a few seconds (but far less than the grace period).
    busy.w.write(serialize.query('select count(*) as n from range(6000000000)'));
    await new Promise((r) => setTimeout(r, 300));
    proc.child.kill('SIGTERM');
    const idleMsgs = await idle.w.untilClosed(10_000);
    expect(idleMsgs.map((m) => [m.type, errorFields(m).S, errorFields(m).C, errorFields(m).M])).toEqual([
      ['E', 'FATAL', '57P01', 'terminating connection due to administrator command'],
    ]);
    // New connections are refused while the statement still runs.
    await expect(open(port)).rejects.toThrow();
    const busyMsgs = await busy.w.untilClosed(60_000);
    const types = busyMsgs.map((m) => m.type);
    expect(types).toEqual(['T', 'D', 'C', 'Z', 'E']);
    expect(busyMsgs[1]!.payload.subarray(6).toString()).toBe('6000000000');
    expect(errorFields(busyMsgs[4]!).C).toBe('57P01');
    expect(await proc.exited(20_000)).toEqual({ code: 0, signal: null });
    expect(proc.logs().some((l) => l.msg === 'shutdown complete')).toBe(true);
  });

  it('SIGINT: a statement still running at the deadline is interrupted and its session gets 57P01; exit 0', async () => {
    proc = await spawnServer(['--data-dir', dataDir(), '--shutdown-grace-ms', '1000']);
    const busy = await open(proc.port);
    busy.w.write(serialize.query(LONG_QUERY));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    proc.child.kill('SIGINT');
    const msgs = await busy.w.untilClosed(20_000);
    const elapsed = Date.now() - t0;
    expect(msgs.map((m) => [m.type, errorFields(m).S, errorFields(m).C, errorFields(m).M])).toEqual([
      ['E', 'FATAL', '57P01', 'terminating connection due to administrator command'],
    ]);
    // Not before the grace period, and not much after it.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(10_000);
    expect(await proc.exited(20_000)).toEqual({ code: 0, signal: null });
  });

  it('exits 0 at once on SIGTERM when no session is open', async () => {
    proc = await spawnServer(['--data-dir', dataDir()]);
    const t0 = Date.now();
    proc.child.kill('SIGTERM');
    expect(await proc.exited(10_000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('logs', () => {
  const SECRET = 'secret-Zq8vX2-do-not-log';
  let proc: ServerProcess | undefined;
  let dir: string;
  afterAll(() => {
    proc?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('log connections, authentication, statement errors and slow statements, never the password', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lakegres-logs-'));
    proc = await spawnServer(['--data-dir', dir, '--log-level', 'debug', '--slow-statement-ms', '200'], { env: { LAKEGRES_PASSWORD: SECRET } });
    const conn = (password: string) => new pg.Client({ host: '127.0.0.1', port: proc!.port, user: 'lakegres', database: 'lake', password, application_name: 'log-test' });
    const wrong = conn(SECRET + 'x');
    wrong.on('error', () => undefined);
    await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
    const c = conn(SECRET);
    await c.connect();
    await c.query('select count(*) from range(3000000000)');
    await expect(c.query('select * from no_such_table')).rejects.toMatchObject({ code: '42P01' });
    await c.end();
    await proc.waitForLog((l) => l.msg === 'connection closed' && l.user === undefined && typeof l.durationMs === 'number');
    proc.child.kill('SIGTERM');
    expect((await proc.exited(20_000)).code).toBe(0);

    const all = proc.stdout() + proc.stderr();
    // The password never appears, in any form the server knows it in.
    expect(all).not.toContain(SECRET.slice(0, -1));
    expect(all).not.toContain(Buffer.from(SECRET).toString('base64'));
    const logs = proc.logs();
    const find = (msg: string) => logs.filter((l) => l.msg === msg);
    expect(find('authentication failed')).toEqual([expect.objectContaining({ level: 40, user: 'lakegres', code: '28P01' })]);
    expect(find('authentication ok')).toEqual([expect.objectContaining({ user: 'lakegres', method: 'scram-sha-256' })]);
    expect(find('connection ready')).toEqual([expect.objectContaining({ user: 'lakegres', database: 'lake', application: 'log-test' })]);
    expect(find('connection received').length).toBe(2);
    expect(find('statement error')).toEqual(expect.arrayContaining([expect.objectContaining({ code: '42P01', statement: 'select * from no_such_table' })]));
    expect(find('slow statement')).toEqual(expect.arrayContaining([expect.objectContaining({ statement: 'select count(*) from range(3000000000)', durationMs: expect.any(Number) })]));
    expect(find('slow statement').every((l) => (l.durationMs as number) >= 200)).toBe(true);
    // Session lines carry the backend pid once (no clash with a process pid).
    const ready = find('connection ready')[0]!;
    const line = proc
      .stdout()
      .split('\n')
      .find((l) => l.includes('"connection ready"'))!;
    expect(line.match(/"pid":/g)?.length).toBe(1);
    expect(typeof ready.pid).toBe('number');
    expect(find('shutdown complete').length).toBe(1);
  });
});
