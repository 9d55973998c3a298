/**
 * TLS: SSLRequest/GSSENCRequest answers, generated (and reused) or configured certificates,
 * certificate verification by psql, node-postgres, postgres.js and pgjdbc, SCRAM-SHA-256-PLUS
 * channel binding, and PostgreSQL 17 direct TLS.
 */
import net from 'node:net';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { generate } from 'selfsigned';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';
import { errorFields } from './helpers/raw-client.js';
import { Wire, authCode, endPointOf, saslMechanisms, scramExchange } from './helpers/wire.js';
import { psql, psqlMajor } from './helpers/psql.js';
import { jdbcAvailable, runJdbc } from './helpers/jdbc.js';

const PW = 'tls-test-password';
const tmp = mkdtempSync(path.join(tmpdir(), 'lakegres-tls-'));
let secure: TestServer; // --tls auto
let plain: TestServer; // no TLS
let certFile: string;
let certPem: string;
let psqlVersion = 0;

beforeAll(async () => {
  [secure, plain] = await Promise.all([startServer({ tls: 'auto' }, { LAKEGRES_PASSWORD: PW }), startServer({}, { LAKEGRES_PASSWORD: PW })]);
  certFile = path.join(secure.dataDir, 'tls', 'server.crt');
  certPem = readFileSync(certFile, 'utf8');
  psqlVersion = await psqlMajor();
});
afterAll(async () => {
  await Promise.all([secure?.stop(), plain?.stop()]);
  rmSync(tmp, { recursive: true, force: true });
});

/** Writes raw bytes and returns the first response bytes (or '' when the server closed). */
async function rawExchange(port: number, data: Buffer): Promise<{ first: Buffer; socket: net.Socket }> {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  s.write(data);
  const first = await new Promise<Buffer>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no answer')), 10_000);
    s.once('data', (d: Buffer) => {
      clearTimeout(t);
      resolve(d);
    });
    s.once('close', () => {
      clearTimeout(t);
      resolve(Buffer.alloc(0));
    });
  });
  return { first, socket: s };
}

const request = (code: number) => {
  const b = Buffer.alloc(8);
  b.writeInt32BE(8, 0);
  b.writeInt32BE(code, 4);
  return b;
};
const SSL_REQUEST = request(80877103);
const GSSENC_REQUEST = request(80877104);

describe('negotiation', () => {
  it("answers SSLRequest with 'S' when TLS is configured and 'N' otherwise", async () => {
    const a = await rawExchange(secure.port, SSL_REQUEST);
    expect(a.first.toString('latin1')).toBe('S');
    a.socket.destroy();
    const b = await rawExchange(plain.port, SSL_REQUEST);
    expect(b.first.toString('latin1')).toBe('N');
    b.socket.destroy();
  });

  it("answers GSSENCRequest with 'N'; the startup then continues on the same connection", async () => {
    for (const srv of [secure, plain]) {
      const w = await Wire.open(srv.port);
      w.write(GSSENC_REQUEST);
      const answer = await new Promise<Buffer>((resolve) => w.socket.once('data', resolve));
      // The 'N' arrives alone; the Wire parser must not see it as a message.
      expect(answer.toString('latin1')).toBe('N');
      expect(answer.length).toBe(1);
    }
    // psql tries GSS encryption first when gssencmode=prefer; with 'N' it goes on.
    const r = await psql(`host=127.0.0.1 port=${plain.port} user=lakegres dbname=lake sslmode=disable gssencmode=prefer`, 'select 1', { PGPASSWORD: PW });
    expect([r.code, r.stdout.trim()]).toEqual([0, '1']);
  });

  it('refuses unencrypted data sent together with the SSLRequest', async () => {
    const startup = Buffer.from('0000000800030000', 'hex');
    const { first, socket } = await rawExchange(secure.port, Buffer.concat([SSL_REQUEST, startup]));
    socket.destroy();
    expect(String.fromCharCode(first[0]!)).toBe('E');
    const f = errorFields({ type: 'E', payload: first.subarray(5) });
    expect([f.S, f.C, f.M]).toEqual(['FATAL', '08P01', 'received unencrypted data after SSL request']);
  });

  it('offers SCRAM-SHA-256-PLUS only over TLS', async () => {
    const tlsWire = await Wire.open(secure.port, { tls: 'request' });
    tlsWire.startup({ user: 'lakegres', database: 'lake' });
    expect(saslMechanisms(await tlsWire.next())).toEqual(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    tlsWire.end();
    const plainWire = await Wire.open(secure.port);
    plainWire.startup({ user: 'lakegres', database: 'lake' });
    expect(saslMechanisms(await plainWire.next())).toEqual(['SCRAM-SHA-256']);
    plainWire.end();
  });
});

describe('certificates', () => {
  it('--tls auto generates a certificate for localhost/127.0.0.1 and a private key only the owner can read', () => {
    const cert = new X509Certificate(certPem);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 86400_000);
    expect(statSync(path.join(secure.dataDir, 'tls', 'server.key')).mode & 0o777).toBe(0o600);
  });

  it('--tls auto reuses the pair on restart', async () => {
    const dataDir = mkdtempSync(path.join(tmp, 'restart-'));
    const first = await startServer({ tls: 'auto', dataDir }, { LAKEGRES_PASSWORD: PW });
    const pem1 = readFileSync(path.join(dataDir, 'tls', 'server.crt'), 'utf8');
    const served1 = await servedCert(first.port);
    await first.stop();
    const second = await startServer({ tls: 'auto', dataDir }, { LAKEGRES_PASSWORD: PW });
    const served2 = await servedCert(second.port);
    await second.stop();
    expect(readFileSync(path.join(dataDir, 'tls', 'server.crt'), 'utf8')).toBe(pem1);
    expect(served1.fingerprint256).toBe(new X509Certificate(pem1).fingerprint256);
    expect(served2.fingerprint256).toBe(served1.fingerprint256);
  });

  it('--tls auto replaces its own pair when it has expired, or when half of it is missing', async () => {
    const dataDir = mkdtempSync(path.join(tmp, 'expired-'));
    mkdirSync(path.join(dataDir, 'tls'));
    const old = await generate([{ name: 'commonName', value: 'lakegres' }], { keySize: 2048, notBeforeDate: new Date(Date.now() - 3 * 86400_000), notAfterDate: new Date(Date.now() - 86400_000) });
    writeFileSync(path.join(dataDir, 'tls', 'server.crt'), old.cert);
    writeFileSync(path.join(dataDir, 'tls', 'server.key'), old.private, { mode: 0o600 });
    const srv = await startServer({ tls: 'auto', dataDir }, { LAKEGRES_PASSWORD: PW });
    const served = await servedCert(srv.port);
    await srv.stop();
    expect(served.fingerprint256).not.toBe(new X509Certificate(old.cert).fingerprint256);
    expect(new Date(served.validTo).getTime()).toBeGreaterThan(Date.now());
    // Key without certificate (an interrupted first start): a new pair.
    rmSync(path.join(dataDir, 'tls', 'server.crt'));
    const again = await startServer({ tls: 'auto', dataDir }, { LAKEGRES_PASSWORD: PW });
    const fresh = await servedCert(again.port);
    await again.stop();
    expect(fresh.fingerprint256).toBe(new X509Certificate(readFileSync(path.join(dataDir, 'tls', 'server.crt'))).fingerprint256);
    expect(fresh.fingerprint256).not.toBe(served.fingerprint256);
  });

  it('serves a configured --tls-cert/--tls-key pair', async () => {
    const dir = mkdtempSync(path.join(tmp, 'files-'));
    const tlsCert = path.join(dir, 'my.crt');
    const tlsKey = path.join(dir, 'my.key');
    copyFileSync(certFile, tlsCert);
    copyFileSync(path.join(secure.dataDir, 'tls', 'server.key'), tlsKey);
    const srv = await startServer({ tls: 'on', tlsCert, tlsKey }, { LAKEGRES_PASSWORD: PW });
    try {
      expect((await servedCert(srv.port)).fingerprint256).toBe(new X509Certificate(certPem).fingerprint256);
      const r = await psql(`host=localhost port=${srv.port} user=lakegres dbname=lake sslmode=verify-full sslrootcert=${tlsCert}`, 'select 1', { PGPASSWORD: PW });
      expect([r.code, r.stdout.trim(), r.stderr]).toEqual([0, '1', '']);
    } finally {
      await srv.stop();
    }
  });

  it('refuses to start with a missing or mismatched certificate', async () => {
    await expect(startServer({ tls: 'on', tlsCert: path.join(tmp, 'none.crt'), tlsKey: path.join(tmp, 'none.key') }, { LAKEGRES_PASSWORD: PW })).rejects.toThrow(
      /cannot read TLS certificate or key/,
    );
    const other = mkdtempSync(path.join(tmp, 'other-'));
    const otherSrv = await startServer({ tls: 'auto', dataDir: other }, { LAKEGRES_PASSWORD: PW });
    await otherSrv.stop();
    await expect(startServer({ tls: 'on', tlsCert: certFile, tlsKey: path.join(other, 'tls', 'server.key') }, { LAKEGRES_PASSWORD: PW })).rejects.toThrow(
      /invalid TLS certificate or key.*key values mismatch/,
    );
    const garbage = path.join(tmp, 'garbage.crt');
    writeFileSync(garbage, 'not a certificate');
    await expect(startServer({ tls: 'on', tlsCert: garbage, tlsKey: path.join(secure.dataDir, 'tls', 'server.key') }, { LAKEGRES_PASSWORD: PW })).rejects.toThrow(
      /invalid TLS certificate or key/,
    );
  });
});

/** The certificate a server presents after SSLRequest. */
async function servedCert(port: number): Promise<X509Certificate> {
  const w = await Wire.open(port, { tls: 'request' });
  const cert = w.peerCertificate()!;
  w.end();
  return cert;
}

describe('psql (libpq)', () => {
  const conn = (port: number, extra: string, host = '127.0.0.1') => `host=${host} port=${port} user=lakegres dbname=lake ${extra}`;

  it('sslmode=require connects over TLS', async () => {
    const r = await psql(conn(secure.port, 'sslmode=require'), '\\conninfo', { PGPASSWORD: PW });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
    const none = await psql(conn(plain.port, 'sslmode=require'), 'select 1', { PGPASSWORD: PW });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/server does not support SSL, but SSL was required/);
  });

  it('sslmode=verify-full verifies the generated certificate for localhost and 127.0.0.1', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const r = await psql(conn(secure.port, `sslmode=verify-full sslrootcert=${certFile}`, host), 'show ssl', { PGPASSWORD: PW });
      expect([host, r.code, r.stdout.trim(), r.stderr]).toEqual([host, 0, 'on', '']);
    }
    // A name the certificate does not hold is refused: verification really happens.
    const wrongName = await psql(`host=not-lakegres.invalid hostaddr=127.0.0.1 port=${secure.port} user=lakegres dbname=lake sslmode=verify-full sslrootcert=${certFile}`, 'select 1', {
      PGPASSWORD: PW,
    });
    expect(wrongName.code).toBe(2);
    expect(wrongName.stderr).toMatch(/does not match host name "not-lakegres\.invalid"/);
    // And another server's certificate is not trusted.
    const other = mkdtempSync(path.join(tmp, 'untrusted-'));
    const otherSrv = await startServer({ tls: 'auto', dataDir: other }, { LAKEGRES_PASSWORD: PW });
    try {
      const r = await psql(conn(otherSrv.port, `sslmode=verify-full sslrootcert=${certFile}`), 'select 1', { PGPASSWORD: PW });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/certificate verify failed/);
    } finally {
      await otherSrv.stop();
    }
  });

  it('channel_binding=require succeeds over TLS (SCRAM-SHA-256-PLUS)', async () => {
    const r = await psql(conn(secure.port, 'sslmode=require'), 'select 1', { PGPASSWORD: PW, PGCHANNELBINDING: 'require' });
    expect([r.code, r.stdout.trim(), r.stderr]).toEqual([0, '1', '']);
    const wrong = await psql(conn(secure.port, 'sslmode=require'), 'select 1', { PGPASSWORD: 'nope', PGCHANNELBINDING: 'require' });
    expect(wrong.stderr).toMatch(/password authentication failed for user "lakegres"/);
    // Without TLS libpq cannot bind the channel and refuses by itself.
    const noTls = await psql(conn(plain.port, 'sslmode=disable'), 'select 1', { PGPASSWORD: PW, PGCHANNELBINDING: 'require' });
    expect(noTls.code).toBe(2);
  });

  it('sslnegotiation=direct (PostgreSQL 17 libpq)', async (ctx) => {
    if (psqlVersion < 17) {
      ctx.skip(`psql ${psqlVersion} predates sslnegotiation=direct (libpq 17); direct TLS is tested with a Node TLS client below`);
      return;
    }
    const r = await psql(conn(secure.port, `sslmode=verify-full sslrootcert=${certFile} sslnegotiation=direct`, 'localhost'), 'show ssl', { PGPASSWORD: PW });
    expect([r.code, r.stdout.trim()]).toEqual([0, 'on']);
  });
});

describe('SCRAM-SHA-256-PLUS channel binding (byte level)', () => {
  async function plusAttempt(tamper: Parameters<typeof scramExchange>[2], password = PW) {
    const w = await Wire.open(secure.port, { tls: 'request', ca: certPem, servername: 'localhost' });
    w.startup({ user: 'lakegres', database: 'lake' });
    const m = await w.next();
    expect(authCode(m)).toBe(10);
    const binding = endPointOf(w.peerCertificate()!);
    return scramExchange(w, password, tamper, binding);
  }

  it('accepts the tls-server-end-point hash of the server certificate', async () => {
    const out = await plusAttempt({});
    expect(out.error).toBeUndefined();
    expect(out.serverVerified).toBe(true);
    expect(out.messages.at(-1)?.type).toBe('Z');
  });

  it('refuses corrupted channel-binding data even with the right password', async () => {
    const good = endPointOf(new X509Certificate(certPem));
    const corrupted = Buffer.from(good);
    corrupted[0] = corrupted[0]! ^ 0xff;
    for (const cbindData of [corrupted, good.subarray(0, 16), Buffer.alloc(0)]) {
      const out = await plusAttempt({ cbindData });
      expect([out.error?.S, out.error?.C, out.error?.M]).toEqual(['FATAL', '08P01', 'SCRAM channel binding check failed']);
      expect(out.messages.some((m) => authCode(m) === 0)).toBe(false);
    }
  });

  it('refuses a downgrade (client says the server cannot bind) and unknown binding types', async () => {
    const y = await plusAttempt({ gs2: 'y,,', mechanism: 'SCRAM-SHA-256' });
    expect([y.error?.C, y.error?.M]).toEqual(['08P01', 'SCRAM channel binding negotiation error']);
    const unique = await plusAttempt({ gs2: 'p=tls-unique,,', mechanism: 'SCRAM-SHA-256-PLUS' });
    expect(unique.error?.C).toBe('08P01');
    expect(unique.error?.M).toMatch(/unsupported SCRAM channel-binding type "tls-unique"/);
    // Plain SCRAM over TLS (a client without channel-binding support) is fine.
    const n = await plusAttempt({ gs2: 'n,,', mechanism: 'SCRAM-SHA-256' });
    expect(n.error).toBeUndefined();
  });
});

describe('direct TLS (PostgreSQL 17 style, no SSLRequest)', () => {
  it('works with ALPN "postgresql" and a verified certificate', async () => {
    const w = await Wire.open(secure.port, { tls: 'direct', alpn: ['postgresql'], ca: certPem, servername: 'localhost' });
    expect(w.peerCertificate()?.fingerprint256).toBe(new X509Certificate(certPem).fingerprint256);
    w.startup({ user: 'lakegres', database: 'lake' });
    expect(saslMechanisms(await w.next())).toEqual(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    const out = await scramExchange(w, PW, {}, endPointOf(w.peerCertificate()!));
    expect(out.error).toBeUndefined();
    expect(out.messages.at(-1)?.type).toBe('Z');
    w.end();
  });

  it('is refused (connection closed) without ALPN or when TLS is off', async () => {
    const noAlpn = await Wire.open(secure.port, { tls: 'direct' });
    noAlpn.startup({ user: 'lakegres', database: 'lake' });
    expect(await noAlpn.untilClosed()).toEqual([]);
    await expect(Wire.open(plain.port, { tls: 'direct', alpn: ['postgresql'] })).rejects.toThrow();
    // Both servers still work.
    for (const srv of [secure, plain]) {
      const c = new pg.Client(srv.connection({ password: PW }));
      await c.connect();
      await c.end();
    }
  });
});

describe('drivers', () => {
  it('node-postgres with ssl (verified) and channel binding', async () => {
    const c = new pg.Client({ ...secure.connection({ password: PW, host: 'localhost' }), ssl: { ca: certPem }, enableChannelBinding: true } as pg.ClientConfig);
    await c.connect();
    expect((await c.query('show ssl')).rows).toEqual([{ ssl: 'on' }]);
    await c.end();
    // Without the CA (system roots only) the self-signed certificate is refused.
    const untrusted = new pg.Client({ ...secure.connection({ password: PW, host: 'localhost' }), ssl: true });
    untrusted.on('error', () => undefined);
    await expect(untrusted.connect()).rejects.toThrow(/self.signed certificate/i);
  });

  it('postgres.js with ssl', async () => {
    const sql = postgres({ host: 'localhost', port: secure.port, database: 'lake', username: 'lakegres', password: PW, ssl: { ca: certPem }, max: 1, connect_timeout: 10 });
    try {
      expect(await sql`show ssl`).toEqual([{ ssl: 'on' }]);
    } finally {
      await sql.end();
    }
  });

  it.skipIf(!jdbcAvailable())('pgjdbc with sslmode=verify-full and require', async () => {
    const base = `jdbc:postgresql://localhost:${secure.port}/lake`;
    const out = await runJdbc([
      { url: `${base}?sslmode=verify-full&sslrootcert=${certFile}`, user: 'lakegres', password: PW, sql: 'show ssl' },
      { url: `${base}?sslmode=require`, user: 'lakegres', password: PW, sql: 'show ssl' },
      { url: `${base}?sslmode=require`, user: 'lakegres', password: 'nope', sql: 'show ssl' },
      { url: `jdbc:postgresql://localhost:${plain.port}/lake?sslmode=require`, user: 'lakegres', password: PW, sql: 'show ssl' },
    ]);
    expect(out.slice(0, 3)).toEqual(['OK on', 'OK on', 'ERR 28P01 FATAL: password authentication failed for user "lakegres"']);
    expect(out[3]).toMatch(/^ERR 08004 The server does not support SSL/);
  });
});

