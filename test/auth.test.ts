/**
 * Authentication: SCRAM-SHA-256, md5, cleartext and trust; wrong passwords, unknown users
 * and unknown databases, checked at the byte level, with node-postgres, postgres.js, psql and
 * pgjdbc, and against the reference PostgreSQL's messages.
 */
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, referencePort, type TestServer } from './helpers/server.js';
import { errorFields, serialize } from './helpers/raw-client.js';
import { Wire, authCode, saslMechanisms, scramExchange } from './helpers/wire.js';
import { psql } from './helpers/psql.js';
import { jdbcAvailable, runJdbc } from './helpers/jdbc.js';
import { formatVerifier, makeVerifier, saslPrep } from '../src/auth/scram.js';
import { md5Stored } from '../src/auth/md5.js';
import { UserStore } from '../src/auth/users.js';
import { resolveAuthMethod } from '../src/server/server.js';
import { ClientConnection } from '../src/server/connection.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'lakegres-auth-'));
const usersFile = path.join(tmp, 'users');
writeFileSync(
  usersFile,
  [
    '# alice: SCRAM verifier only; bob: md5 hash only; carol: plain password',
    `alice:${formatVerifier(makeVerifier('alice-pw'))}`,
    `bob:${md5Stored('bob', 'bob-pw')}`,
    'carol:plain:carol-pw',
    `dora:${formatVerifier(makeVerifier('dóra-pw'))}`,
  ].join('\n'),
);

let auto: TestServer; // auth auto → scram-sha-256 (md5 for md5-only users)
let md5: TestServer;
let scram: TestServer; // explicit scram-sha-256
let cleartext: TestServer;
let trust: TestServer;

beforeAll(async () => {
  [auto, md5, scram, cleartext, trust] = await Promise.all([
    startServer({ usersFile }, { LAKEGRES_PASSWORD: 'main-pw' }),
    startServer({ usersFile, auth: 'md5' }, { LAKEGRES_PASSWORD: 'main-pw' }),
    startServer({ usersFile, auth: 'scram-sha-256' }),
    startServer({ usersFile, auth: 'password' }),
    startServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([auto, md5, scram, cleartext, trust].map((s) => s?.stop()));
  rmSync(tmp, { recursive: true, force: true });
});

async function pgConnect(srv: TestServer, user: string, password: string, database = 'lake'): Promise<{ ok: true; value: unknown } | { ok: false; error: pg.DatabaseError }> {
  const c = new pg.Client(srv.connection({ user, password, database }));
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (e) {
    return { ok: false, error: e as pg.DatabaseError };
  }
  // current_user is DuckDB's; the session's user is session_authorization.
  const r = await c.query('show session_authorization');
  await c.end();
  return { ok: true, value: r.rows[0].session_authorization };
}

/** Startup and the first authentication request, at the byte level. */
async function firstAuthRequest(port: number, user: string, database = 'lake'): Promise<{ w: Wire; code: number; mechanisms: string[] }> {
  const w = await Wire.open(port);
  w.startup({ user, database });
  const m = await w.next();
  if (m.type === 'E') throw new Error(`startup refused: ${errorFields(m).M}`);
  return { w, code: authCode(m), mechanisms: authCode(m) === 10 ? saslMechanisms(m) : [] };
}

/** Error fields that must agree with PostgreSQL (F/L/R name PostgreSQL's source and differ). */
const comparable = (f: Record<string, string>) => ({ S: f.S, V: f.V, C: f.C, M: f.M });

describe('SCRAM-SHA-256 (auth auto with passwords)', () => {
  it('logs in users with a SCRAM verifier, a plain password, an md5 hash, and LAKEGRES_PASSWORD', async () => {
    expect(await pgConnect(auto, 'alice', 'alice-pw')).toEqual({ ok: true, value: 'alice' });
    expect(await pgConnect(auto, 'carol', 'carol-pw')).toEqual({ ok: true, value: 'carol' });
    expect(await pgConnect(auto, 'lakegres', 'main-pw')).toEqual({ ok: true, value: 'lakegres' });
    // Only an md5 hash is stored: auto falls back to md5 for that user.
    expect(await pgConnect(auto, 'bob', 'bob-pw')).toEqual({ ok: true, value: 'bob' });
  });

  it('asks SCRAM-SHA-256 (no -PLUS without TLS), md5 only for md5-only users', async () => {
    for (const user of ['alice', 'carol', 'lakegres', 'nobody']) {
      const { w, code, mechanisms } = await firstAuthRequest(auto.port, user);
      expect([user, code, mechanisms]).toEqual([user, 10, ['SCRAM-SHA-256']]);
      w.end();
    }
    const { w, code } = await firstAuthRequest(auto.port, 'bob');
    expect(code).toBe(5);
    w.end();
  });

  it('verifies the server signature and normalises non-ASCII passwords (SASLprep)', async () => {
    const { w } = await firstAuthRequest(auto.port, 'alice');
    const out = await scramExchange(w, 'alice-pw');
    expect(out.error).toBeUndefined();
    expect(out.serverVerified).toBe(true);
    expect(out.messages.at(-1)?.type).toBe('Z');
    w.end();
    // "dóra-pw" with a decomposed ó (o + U+0301) is the same password after NFKC.
    expect(saslPrep('do\u0301ra-pw')).toBe('dóra-pw');
    expect(saslPrep('a\u00a0b\u00adc')).toBe('a bc');
    expect(saslPrep('plain ascii\u0001')).toBe('plain ascii\u0001');
    expect(await pgConnect(auto, 'dora', 'dóra-pw')).toEqual({ ok: true, value: 'dora' });
    // With a cleartext password the server itself prepares it: decomposed ó and a soft hyphen.
    expect(await pgConnect(cleartext, 'dora', 'do\u0301\u00adra-pw')).toEqual({ ok: true, value: 'dora' });
    expect((await pgConnect(cleartext, 'dora', 'dora-pw')).ok).toBe(false);
  });

  it('refuses a wrong password with FATAL 28P01, like PostgreSQL', async () => {
    const r = await pgConnect(auto, 'alice', 'wrong');
    expect(r.ok).toBe(false);
    const e = (r as { error: pg.DatabaseError }).error;
    expect([e.severity, e.code, e.message]).toEqual(['FATAL', '28P01', 'password authentication failed for user "alice"']);

    // The reference PostgreSQL's error for the same mistake.
    const ref = new pg.Client({ host: '127.0.0.1', port: referencePort(), user: 'postgres', password: 'wrong', database: 'postgres' });
    ref.on('error', () => undefined);
    const refErr = (await ref.connect().then(
      () => undefined,
      (x) => x,
    )) as pg.DatabaseError;
    expect([refErr.severity, refErr.code, refErr.message]).toEqual(['FATAL', '28P01', 'password authentication failed for user "postgres"']);

    // Byte level: the same fields as PostgreSQL's ErrorResponse.
    const refWire = await Wire.open(referencePort());
    refWire.startup({ user: 'postgres', database: 'postgres' });
    expect(authCode(await refWire.next())).toBe(3);
    refWire.write(serialize.password('wrong'));
    const refFields = errorFields((await refWire.untilClosed()).find((m) => m.type === 'E')!);
    const { w } = await firstAuthRequest(auto.port, 'postgres');
    const ours = await scramExchange(w, 'wrong');
    expect(comparable(ours.error!)).toEqual(comparable(refFields));
    expect(w.closed).toBe(true);
  });

  it('answers an unknown user exactly like a wrong password (mock exchange)', async () => {
    const attempt = async (user: string) => {
      const { w, code, mechanisms } = await firstAuthRequest(auto.port, user);
      const out = await scramExchange(w, 'whatever');
      return { code, mechanisms, out, types: out.messages.map((m) => m.type) };
    };
    const known = await attempt('alice');
    const ghost = await attempt('ghost');
    const ghostAgain = await attempt('ghost');
    expect(ghost.code).toBe(known.code);
    expect(ghost.mechanisms).toEqual(known.mechanisms);
    expect(ghost.types).toEqual(known.types);
    expect(ghost.out.serverFirst!.iterations).toBe(known.out.serverFirst!.iterations);
    expect(ghost.out.serverFirst!.salt.length).toBe(known.out.serverFirst!.salt.length);
    // A real user's salt never changes; the mock salt must not either.
    expect(ghostAgain.out.serverFirst!.salt).toEqual(ghost.out.serverFirst!.salt);
    expect(comparable(ghost.out.error!)).toEqual({ ...comparable(known.out.error!), M: 'password authentication failed for user "ghost"' });
    // pg sees the same as for a wrong password.
    const r = await pgConnect(auto, 'ghost', 'x');
    expect(r.ok ? undefined : [r.error.code, r.error.message]).toEqual(['28P01', 'password authentication failed for user "ghost"']);
  });

  it("derives unknown users' salts from a server secret kept in the data directory", async () => {
    const saltOf = async (port: number) => {
      const { w } = await firstAuthRequest(port, 'ghost');
      const out = await scramExchange(w, 'x');
      return out.serverFirst!.salt.toString('hex');
    };
    const before = await saltOf(auto.port);
    // Another server (another data directory) gives another salt: nobody can compute it.
    expect(await saltOf(scram.port)).not.toBe(before);
    // The same data directory after a restart gives the same salt.
    const dir = mkdtempSync(path.join(tmpdir(), 'lakegres-auth-restart-'));
    try {
      const first = await startServer({ usersFile, dataDir: dir });
      const s1 = await saltOf(first.port);
      await first.stop();
      const second = await startServer({ usersFile, dataDir: dir });
      const s2 = await saltOf(second.port);
      await second.stop();
      expect(s2).toBe(s1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks the password before the database: unknown database is FATAL 3D000 after authentication', async () => {
    const ok = await pgConnect(auto, 'alice', 'alice-pw', 'nodb');
    expect(ok.ok ? undefined : [ok.error.severity, ok.error.code, ok.error.message]).toEqual(['FATAL', '3D000', 'database "nodb" does not exist']);
    const wrong = await pgConnect(auto, 'alice', 'wrong', 'nodb');
    expect(wrong.ok ? undefined : wrong.error.code).toBe('28P01');
    const ghost = await pgConnect(auto, 'ghost', 'x', 'nodb');
    expect(ghost.ok ? undefined : ghost.error.code).toBe('28P01');
    // Byte level: AuthenticationOk comes before the error, as in PostgreSQL.
    const { w } = await firstAuthRequest(auto.port, 'alice', 'nodb');
    const out = await scramExchange(w, 'alice-pw');
    expect(out.messages.map((m) => (m.type === 'R' ? `R${authCode(m)}` : m.type))).toEqual(['R12', 'R0', 'E']);
    // The reference PostgreSQL says the same.
    const ref = new pg.Client({ host: '127.0.0.1', port: referencePort(), user: 'postgres', password: 'postgres', database: 'nodb' });
    ref.on('error', () => undefined);
    const refErr = (await ref.connect().then(
      () => undefined,
      (x) => x,
    )) as pg.DatabaseError;
    expect([refErr.severity, refErr.code, refErr.message]).toEqual(['FATAL', '3D000', 'database "nodb" does not exist']);
    expect(comparable(out.error!)).toMatchObject({ S: 'FATAL', V: 'FATAL', C: '3D000', M: 'database "nodb" does not exist' });
  });

  it('refuses SCRAM-SHA-256-PLUS without TLS and malformed SCRAM messages', async () => {
    const { w } = await firstAuthRequest(auto.port, 'alice');
    const plus = await scramExchange(w, 'alice-pw', { gs2: 'p=tls-server-end-point,,', mechanism: 'SCRAM-SHA-256-PLUS' }, Buffer.alloc(32));
    expect(plus.error?.S).toBe('FATAL');
    expect(plus.error?.C).toBe('08P01');
    const { w: w2 } = await firstAuthRequest(auto.port, 'alice');
    w2.write(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'garbage'));
    const msgs = await w2.untilClosed();
    expect(msgs.map((m) => [m.type, m.type === 'E' ? errorFields(m).C : ''])).toEqual([['E', '08P01']]);
    const { w: w3 } = await firstAuthRequest(auto.port, 'alice');
    w3.write(serialize.sendSASLInitialResponseMessage('DIGEST-MD5', 'n,,n=,r=abc'));
    expect(errorFields((await w3.untilClosed())[0]!).M).toBe('client selected an invalid SASL authentication mechanism');
  });

  it('checks authentication message lengths before allocating', async () => {
    // A password message announcing 2 GB: refused at once (PG_MAX_AUTH_TOKEN_LENGTH is 65535).
    const { w } = await firstAuthRequest(auto.port, 'alice');
    const huge = Buffer.alloc(5);
    huge.writeUInt8(0x70, 0);
    huge.writeInt32BE(0x7fffffff, 1);
    w.write(huge);
    const msgs = await w.untilClosed(5000);
    expect(msgs.map((m) => [m.type, errorFields(m).S, errorFields(m).C])).toEqual([['E', 'FATAL', '08P01']]);
    // A SASLInitialResponse whose inner length runs past the message end.
    const { w: w2 } = await firstAuthRequest(auto.port, 'alice');
    const mech = Buffer.from('SCRAM-SHA-256\0');
    const body = Buffer.concat([mech, Buffer.from([0x7f, 0xff, 0xff, 0xff]), Buffer.from('n,,n=,r=x')]);
    const head = Buffer.alloc(5);
    head.writeUInt8(0x70, 0);
    head.writeInt32BE(body.length + 4, 1);
    w2.write(Buffer.concat([head, body]));
    const msgs2 = await w2.untilClosed(5000);
    expect(msgs2.map((m) => [m.type, errorFields(m).S, errorFields(m).C])).toEqual([['E', 'FATAL', '08P01']]);
    // The server is fine afterwards.
    expect((await pgConnect(auto, 'alice', 'alice-pw')).ok).toBe(true);
  });
});

describe('md5', () => {
  it('uses md5 for users with an md5 hash or a password, SCRAM for SCRAM-only users (as PostgreSQL)', async () => {
    const codes: Record<string, number> = {};
    for (const user of ['alice', 'bob', 'carol', 'ghost']) {
      const { w, code } = await firstAuthRequest(md5.port, user);
      codes[user] = code;
      w.end();
    }
    // Unknown users get what most users get (md5 here: bob, carol, lakegres against alice, dora),
    // so the request does not tell them apart.
    expect(codes).toEqual({ alice: 10, bob: 5, carol: 5, ghost: 5 });
    expect(await pgConnect(md5, 'bob', 'bob-pw')).toEqual({ ok: true, value: 'bob' });
    expect(await pgConnect(md5, 'carol', 'carol-pw')).toEqual({ ok: true, value: 'carol' });
    expect(await pgConnect(md5, 'alice', 'alice-pw')).toEqual({ ok: true, value: 'alice' });
  });

  it('refuses wrong passwords and unknown users alike with 28P01', async () => {
    for (const [user, pw] of [
      ['bob', 'wrong'],
      ['ghost', 'bob-pw'],
    ]) {
      const r = await pgConnect(md5, user!, pw!);
      expect(r.ok ? undefined : [r.error.severity, r.error.code, r.error.message]).toEqual(['FATAL', '28P01', `password authentication failed for user "${user}"`]);
    }
  });

  it('with an explicit --auth scram-sha-256, md5-only users cannot log in', async () => {
    const { w, code } = await firstAuthRequest(scram.port, 'bob');
    expect(code).toBe(10);
    w.end();
    const r = await pgConnect(scram, 'bob', 'bob-pw');
    expect(r.ok ? undefined : r.error.code).toBe('28P01');
    expect(await pgConnect(scram, 'alice', 'alice-pw')).toEqual({ ok: true, value: 'alice' });
  });
});

describe('cleartext password (--auth password)', () => {
  it('asks for a cleartext password on loopback and checks it against any stored form', async () => {
    for (const user of ['alice', 'bob', 'ghost']) {
      const { w, code } = await firstAuthRequest(cleartext.port, user);
      expect([user, code]).toEqual([user, 3]);
      w.end();
    }
    expect(await pgConnect(cleartext, 'alice', 'alice-pw')).toEqual({ ok: true, value: 'alice' });
    expect(await pgConnect(cleartext, 'bob', 'bob-pw')).toEqual({ ok: true, value: 'bob' });
    expect(await pgConnect(cleartext, 'carol', 'carol-pw')).toEqual({ ok: true, value: 'carol' });
    for (const [user, pw] of [
      ['alice', 'bob-pw'],
      ['bob', 'alice-pw'],
      ['ghost', 'alice-pw'],
    ]) {
      const r = await pgConnect(cleartext, user!, pw!);
      expect(r.ok ? undefined : [r.error.code, r.error.message]).toEqual(['28P01', `password authentication failed for user "${user}"`]);
    }
  });

  it('refuses cleartext from a non-loopback address without TLS, allows it over TLS', async () => {
    const withTls = await startServer({ usersFile, auth: 'password', tls: 'auto' });
    // Connections whose peer address claims to be remote, handled by the real server's code.
    const fake = net.createServer((socket) => {
      Object.defineProperty(socket, 'remoteAddress', { value: '192.0.2.10' });
      new ClientConnection(socket, withTls.server);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const port = (fake.address() as net.AddressInfo).port;
    try {
      const w = await Wire.open(port);
      w.startup({ user: 'alice', database: 'lake' });
      const msgs = await w.untilClosed();
      expect(msgs.map((m) => m.type)).toEqual(['E']);
      const f = errorFields(msgs[0]!);
      expect([f.S, f.C]).toEqual(['FATAL', '28000']);
      expect(f.M).toMatch(/cleartext password authentication requires an SSL connection/);

      const t = await Wire.open(port, { tls: 'request' });
      expect(t.sslResponse).toBe('S');
      t.startup({ user: 'alice', database: 'lake' });
      expect(authCode(await t.next())).toBe(3);
      t.write(serialize.password('alice-pw'));
      const ok = await t.untilReady();
      expect(ok.map((m) => m.type)).toContain('K');
      t.end();
    } finally {
      fake.close();
      await withTls.stop();
    }
  });
});

describe('trust', () => {
  it('needs no password on loopback', async () => {
    expect(await pgConnect(trust, 'lakegres', '')).toEqual({ ok: true, value: 'lakegres' });
    expect(await pgConnect(trust, 'anyone', 'ignored')).toEqual({ ok: true, value: 'anyone' });
    const { w, code } = await firstAuthRequest(trust.port, 'someone');
    expect(code).toBe(0);
    w.end();
  });

  it('is refused on a non-loopback address unless --allow-trust-remote', () => {
    const none = new UserStore();
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(resolveAuthMethod({ auth: 'auto', host, allowTrustRemote: false }, none)).toBe('trust');
    for (const host of ['0.0.0.0', '::', '192.168.1.5']) {
      expect(() => resolveAuthMethod({ auth: 'auto', host, allowTrustRemote: false }, none)).toThrow(/refusing to start with trust authentication/);
      expect(() => resolveAuthMethod({ auth: 'trust', host, allowTrustRemote: false }, none)).toThrow(/--allow-trust-remote/);
      expect(resolveAuthMethod({ auth: 'trust', host, allowTrustRemote: true }, none)).toBe('trust');
    }
    const some = new UserStore();
    some.addPassword('a', 'b');
    expect(resolveAuthMethod({ auth: 'auto', host: '0.0.0.0', allowTrustRemote: false }, some)).toBe('scram-sha-256');
    expect(() => resolveAuthMethod({ auth: 'md5', host: '127.0.0.1', allowTrustRemote: false }, none)).toThrow(/needs users/);
  });

  it('the server refuses to start with trust on 0.0.0.0', async () => {
    await expect(startServer({ host: '0.0.0.0' })).rejects.toThrow(/refusing to start with trust authentication on 0\.0\.0\.0/);
  });
});

describe('other clients', () => {
  it('postgres.js: SCRAM login, wrong password, unknown database', async () => {
    const opts = { host: '127.0.0.1', port: auto.port, database: 'lake', max: 1, connect_timeout: 10, onnotice: () => undefined };
    const good = postgres({ ...opts, username: 'alice', password: 'alice-pw' });
    try {
      expect(await good`show session_authorization`).toEqual([{ session_authorization: 'alice' }]);
    } finally {
      await good.end();
    }
    const bad = postgres({ ...opts, username: 'alice', password: 'nope' });
    await expect(bad`select 1`).rejects.toMatchObject({ code: '28P01', severity: 'FATAL', message: 'password authentication failed for user "alice"' });
    await bad.end();
    const md5user = postgres({ ...opts, username: 'bob', password: 'bob-pw' });
    expect(await md5user`show session_authorization`).toEqual([{ session_authorization: 'bob' }]);
    await md5user.end();
    const nodb = postgres({ ...opts, username: 'alice', password: 'alice-pw', database: 'nodb' });
    await expect(nodb`select 1`).rejects.toMatchObject({ code: '3D000' });
    await nodb.end();
  });

  it('psql: SCRAM login, wrong password, unknown user, unknown database, md5 user', async () => {
    const conn = (user: string, db = 'lake') => `host=127.0.0.1 port=${auto.port} user=${user} dbname=${db} sslmode=disable`;
    const ok = await psql(conn('alice'), 'show session_authorization', { PGPASSWORD: 'alice-pw' });
    expect([ok.code, ok.stdout.trim()]).toEqual([0, 'alice']);
    const md5ok = await psql(conn('bob'), 'show session_authorization', { PGPASSWORD: 'bob-pw' });
    expect([md5ok.code, md5ok.stdout.trim()]).toEqual([0, 'bob']);
    const wrong = await psql(conn('alice'), 'select 1', { PGPASSWORD: 'nope' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/FATAL: {2}password authentication failed for user "alice"/);
    const ghost = await psql(conn('ghost'), 'select 1', { PGPASSWORD: 'nope' });
    expect(ghost.stderr).toMatch(/FATAL: {2}password authentication failed for user "ghost"/);
    const nodb = await psql(conn('alice', 'nodb'), 'select 1', { PGPASSWORD: 'alice-pw' });
    expect(nodb.stderr).toMatch(/FATAL: {2}database "nodb" does not exist/);
    // The same mistakes against the reference PostgreSQL read the same (but for the port).
    const ref = (user: string, db: string) => `host=127.0.0.1 port=${referencePort()} user=${user} dbname=${db} sslmode=disable`;
    const refWrong = await psql(ref('postgres', 'postgres'), 'select 1', { PGPASSWORD: 'nope' });
    expect(refWrong.stderr.replace(/port \d+/, 'port N')).toBe(wrong.stderr.replace(/port \d+/, 'port N').replace('"alice"', '"postgres"'));
    const refNodb = await psql(ref('postgres', 'nodb'), 'select 1', { PGPASSWORD: 'postgres' });
    expect(refNodb.stderr.replace(/port \d+/, 'port N')).toBe(nodb.stderr.replace(/port \d+/, 'port N'));
  });

  it.skipIf(!jdbcAvailable())('pgjdbc: SCRAM, md5, cleartext, wrong password, unknown database', async () => {
    const url = (srv: TestServer, db = 'lake') => `jdbc:postgresql://127.0.0.1:${srv.port}/${db}?sslmode=disable`;
    const out = await runJdbc([
      { url: url(auto), user: 'alice', password: 'alice-pw', sql: 'show session_authorization' },
      { url: url(auto), user: 'bob', password: 'bob-pw', sql: 'show session_authorization' },
      { url: url(md5), user: 'carol', password: 'carol-pw', sql: 'show session_authorization' },
      { url: url(cleartext), user: 'alice', password: 'alice-pw', sql: 'show session_authorization' },
      { url: url(auto), user: 'alice', password: 'wrong', sql: 'select 1' },
      { url: url(auto), user: 'ghost', password: 'wrong', sql: 'select 1' },
      { url: url(auto, 'nodb'), user: 'alice', password: 'alice-pw', sql: 'select 1' },
    ]);
    expect(out).toEqual([
      'OK alice',
      'OK bob',
      'OK carol',
      'OK alice',
      'ERR 28P01 FATAL: password authentication failed for user "alice"',
      'ERR 28P01 FATAL: password authentication failed for user "ghost"',
      'ERR 3D000 FATAL: database "nodb" does not exist',
    ]);
  });
});
