/**
 * Configuration: resolveConfig (defaults, CLI > env > file precedence, validation) and the
 * command line itself, spawned as `node --import tsx src/cli.ts ...`.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, OPTIONS, envName, resolveConfig, type OptionSpec } from '../src/config/options.js';
import { parseVerifier, makeVerifier } from '../src/auth/scram.js';
import { UserStore } from '../src/auth/users.js';
import { ROOT, cleanEnv, runCli } from './helpers/cli-process.js';
import { startServer } from './helpers/server.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'lakegres-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fileNo = 0;
function configFile(content: unknown): string {
  const f = path.join(tmp, `config-${++fileNo}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

/** A valid non-default value for every option, as the CLI/env (string) and as JSON. */
function sample(spec: OptionSpec): { text: string; json: unknown; expected: unknown } {
  switch (spec.key) {
    case 'host':
      return { text: '127.0.0.2', json: '127.0.0.2', expected: '127.0.0.2' };
    case 'port':
      return { text: '6543', json: 6543, expected: 6543 };
    case 'database':
      return { text: 'lake,other', json: ['lake', 'other'], expected: ['lake', 'other'] };
    case 'auth':
      return { text: 'md5', json: 'md5', expected: 'md5' };
    case 'tls':
      return { text: 'auto', json: 'auto', expected: 'auto' };
    case 'logLevel':
      return { text: 'debug', json: 'debug', expected: 'debug' };
    case 'memoryLimit':
      return { text: '1GB', json: '1GB', expected: '1GB' };
    case 'user':
      return { text: 'alice', json: 'alice', expected: 'alice' };
    case 's3UrlStyle':
      return { text: 'vhost', json: 'vhost', expected: 'vhost' };
    case 's3CacheSize':
      return { text: '512MB', json: '512MB', expected: '512MB' };
    case 'catalog':
      return { text: 'postgres://cat@127.0.0.1/lakes', json: 'postgres://cat@127.0.0.1/lakes', expected: 'postgres://cat@127.0.0.1/lakes' };
    case 'dataPath':
      return { text: 's3://bucket/prefix/', json: 's3://bucket/prefix/', expected: 's3://bucket/prefix/' };
    case 's3Endpoint':
      return { text: 'http://127.0.0.1:9000', json: 'http://127.0.0.1:9000', expected: 'http://127.0.0.1:9000' };
    default:
      break;
  }
  if (spec.type === 'int') return { text: '7', json: 7, expected: 7 };
  if (spec.type === 'bool') return { text: 'true', json: true, expected: true };
  return { text: `/tmp/x-${spec.key}`, json: `/tmp/x-${spec.key}`, expected: `/tmp/x-${spec.key}` };
}

// tls-cert and tls-key go together; config is where the file comes from.
const SETTABLE = OPTIONS.filter((o) => o.key !== 'config');

describe('resolveConfig', () => {
  it('has the documented defaults', () => {
    const c = resolveConfig({}, {});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(5332);
    expect(c.dataDir).toBe('./lakegres-data');
    expect(c.auth).toBe('auto');
    expect(c.tls).toBe('off');
    expect(c.maxConnections).toBe(100);
    expect(c.allowTrustRemote).toBe(false);
    expect(c.password).toBeUndefined();
  });

  it('takes every option from LAKEGRES_* variables', () => {
    const env: Record<string, string> = {};
    for (const spec of SETTABLE) env[envName(spec)] = sample(spec).text;
    const c = resolveConfig({}, env) as unknown as Record<string, unknown>;
    for (const spec of SETTABLE) expect([spec.key, c[spec.key]]).toEqual([spec.key, sample(spec).expected]);
  });

  it('takes every option from the config file, by camelCase key or by flag name', () => {
    const camel: Record<string, unknown> = {};
    const kebab: Record<string, unknown> = {};
    for (const spec of SETTABLE) {
      camel[spec.key] = sample(spec).json;
      kebab[spec.flag.slice(2)] = sample(spec).json;
    }
    for (const content of [camel, kebab]) {
      const file = configFile(content);
      const c = resolveConfig({ config: file }, {}) as unknown as Record<string, unknown>;
      for (const spec of SETTABLE) expect([spec.key, c[spec.key]]).toEqual([spec.key, sample(spec).expected]);
      expect(c.config).toBe(file);
    }
  });

  it('applies CLI > environment > config file > defaults, option by option', () => {
    const file = configFile({ port: 1111, maxConnections: 11, host: '127.0.0.3', slowStatementMs: 5 });
    const env = { LAKEGRES_CONFIG: file, LAKEGRES_PORT: '2222', LAKEGRES_MAX_CONNECTIONS: '22' };
    const c = resolveConfig({ port: '3333' }, env);
    expect(c.port).toBe(3333); // CLI beats env and file
    expect(c.maxConnections).toBe(22); // env beats file
    expect(c.host).toBe('127.0.0.3'); // file beats default
    expect(c.slowStatementMs).toBe(5);
    expect(c.shutdownGraceMs).toBe(10000); // default
    // --config on the command line beats LAKEGRES_CONFIG.
    const other = configFile({ host: '127.0.0.4' });
    expect(resolveConfig({ config: other }, env).host).toBe('127.0.0.4');
    // An empty environment variable counts as unset.
    expect(resolveConfig({}, { LAKEGRES_PORT: '' }).port).toBe(5332);
  });

  it.each([
    [{ port: 'abc' }, {}, /invalid value for --port: expected a non-negative integer, got "abc"/],
    [{ port: '1e3' }, {}, /--port/],
    [{ port: '-1' }, {}, /--port/],
    [{ port: '70000' }, {}, /--port: must be at most 65535/],
    [{}, { LAKEGRES_MAX_CONNECTIONS: 'many' }, /LAKEGRES_MAX_CONNECTIONS: expected a non-negative integer/],
    [{}, { LAKEGRES_MAX_CONNECTIONS: '0' }, /max-connections: must be at least 1/],
    [{}, { LAKEGRES_ALLOW_TRUST_REMOTE: 'perhaps' }, /LAKEGRES_ALLOW_TRUST_REMOTE: expected true or false/],
    [{}, { LAKEGRES_AUTH: 'kerberos' }, /LAKEGRES_AUTH: must be one of auto, trust, scram-sha-256, md5, password/],
    [{ tls: 'on' }, {}, /--tls on needs --tls-cert and --tls-key/],
    [{ tlsCert: '/x.crt' }, {}, /--tls-cert and --tls-key go together/],
    [{ database: 'a b' }, {}, /invalid database name "a b"/],
    [{ user: 'a:b' }, {}, /invalid value for --user/],
    [{ host: '' }, {}, /--host: must not be empty/],
    [{ dataPath: 's3://' }, {}, /--data-path: "s3:\/\/" \(expected s3:\/\/bucket\/prefix\/\)/],
    [{ dataPath: 'gs://bucket/x/' }, {}, /only local directories and s3:\/\/ are supported/],
    [{ catalog: 'mysql://u:secret@h/db' }, {}, /--catalog: expected postgres:\/\/\.\.\. or a file path, got "mysql:\/\/u:\*\*\*@h\/db"/],
    [{}, { LAKEGRES_S3_CACHE_SIZE: 'lots' }, /--s3-cache-size: "lots"/],
    [{}, { LAKEGRES_S3_URL_STYLE: 'virtual' }, /LAKEGRES_S3_URL_STYLE: must be one of path, vhost/],
  ])('refuses %j %j', (cli, env, message) => {
    expect(() => resolveConfig(cli, env)).toThrow(ConfigError);
    expect(() => resolveConfig(cli, env)).toThrow(message);
  });

  it('refuses bad config files with the file name in the message', () => {
    expect(() => resolveConfig({ config: path.join(tmp, 'missing.json') }, {})).toThrow(/cannot read config file .*missing\.json/);
    expect(() => resolveConfig({ config: configFile('{ not json') }, {})).toThrow(/cannot read config file .*config-\d+\.json/);
    expect(() => resolveConfig({ config: configFile([1, 2]) }, {})).toThrow(/must hold a JSON object/);
    expect(() => resolveConfig({ config: configFile({ prot: 5432 }) }, {})).toThrow(/unknown option "prot"/);
    expect(() => resolveConfig({ config: configFile({ port: '5432x' }) }, {})).toThrow(/config-\d+\.json: port/);
    expect(() => resolveConfig({ config: configFile({ port: 5432.5 }) }, {})).toThrow(/expected a non-negative integer/);
    expect(() => resolveConfig({ config: configFile({ host: { a: 1 } }) }, {})).toThrow(/expected a string/);
  });
});

describe('users file', () => {
  it('reads SCRAM verifiers, md5 hashes and plain passwords, and refuses malformed lines', () => {
    const f = path.join(tmp, 'users');
    writeFileSync(f, ['# comment', '', 'alice:SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$' + Buffer.alloc(32, 1).toString('base64') + ':' + Buffer.alloc(32, 2).toString('base64'), 'bob:md5' + 'a'.repeat(32), 'carol:plain:pw'].join('\n'));
    const store = UserStore.fromFile(f);
    expect(store.size).toBe(3);
    expect(store.get('alice')?.scram?.iterations).toBe(4096);
    expect(store.get('bob')?.md5).toBe('md5' + 'a'.repeat(32));
    expect(store.get('carol')?.scram).toBeDefined();
    for (const [content, msg] of [
      ['nocolon', /:1: expected name:secret/],
      ['dave:SCRAM-SHA-256$x', /malformed SCRAM-SHA-256 verifier for user "dave"/],
      ['dave:secret', /must be a SCRAM-SHA-256 verifier, an md5 hash or plain:<password>/],
      ['dave:plain:', /must be a SCRAM-SHA-256 verifier/],
      ['dave:plain:a\ndave:plain:b', /:2: user "dave" is defined twice/],
    ] as const) {
      writeFileSync(f, content);
      expect(() => UserStore.fromFile(f)).toThrow(ConfigError);
      expect(() => UserStore.fromFile(f)).toThrow(msg);
    }
    expect(() => UserStore.fromFile(path.join(tmp, 'nope'))).toThrow(/cannot read users file/);
  });
});

describe('command line', () => {
  it('--help lists every option with its environment variable', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const spec of OPTIONS) {
      expect(help).toContain(spec.flag);
      expect(help).toContain(envName(spec));
    }
    expect(help).toContain('hash-password');
    expect(help).toMatch(/Precedence: command line > environment > config file > defaults/);
  });

  it('exits with status 2 and a clear message for invalid values', async () => {
    const bad = configFile({ port: 'x' });
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--port', 'abc'], {}, /invalid value for --port/],
      [['--port', '99999'], {}, /--port: must be at most 65535/],
      [['--auth', 'bogus'], {}, /argument 'bogus' is invalid\. Allowed choices are auto, trust/],
      [['--no-such-option'], {}, /unknown option '--no-such-option'/],
      [['--port'], {}, /option '--port <port>' argument missing/],
      [[], { LAKEGRES_MAX_CONNECTIONS: 'lots' }, /LAKEGRES_MAX_CONNECTIONS/],
      [['--config', bad], {}, /config-\d+\.json: port/],
      [['--config', path.join(tmp, 'absent.json')], {}, /cannot read config file/],
    ];
    // Spawned two at a time: each costs a Node start.
    for (let i = 0; i < cases.length; i += 2) {
      const results = await Promise.all(cases.slice(i, i + 2).map(([args, env]) => runCli(['--print-config', ...args], { env })));
      results.forEach((r, j) => {
        const [args, , message] = cases[i + j]!;
        expect([args, r.code]).toEqual([args, 2]);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).toBe('');
      });
    }
  });

  it('exits with status 2 for configuration the server refuses at startup', async () => {
    const dataDir = path.join(tmp, 'refuse');
    const [trustRemote, noUsers, badUsers] = await Promise.all([
      runCli(['--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent']),
      runCli(['--auth', 'scram-sha-256', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent']),
      runCli(['--users-file', path.join(tmp, 'no-users-here'), '--port', '0', '--data-dir', dataDir, '--log-level', 'silent']),
    ]);
    expect(trustRemote.code).toBe(2);
    expect(trustRemote.stderr).toMatch(/refusing to start with trust authentication on 0\.0\.0\.0.*--allow-trust-remote/);
    expect(noUsers.code).toBe(2);
    expect(noUsers.stderr).toMatch(/--auth scram-sha-256 needs users/);
    expect(badUsers.code).toBe(2);
    expect(badUsers.stderr).toMatch(/cannot read users file/);
  });

  it('exits with status 1 when the port is taken (a run-time failure, not a usage error)', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as net.AddressInfo).port;
      const r = await runCli(['--port', String(port), '--data-dir', path.join(tmp, 'busy'), '--log-level', 'silent']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      blocker.close();
    }
  });

  it('applies CLI > env > file precedence in the real process (--print-config)', async () => {
    const file = configFile({ port: 1111, maxConnections: 11, host: '127.0.0.3', database: 'fromfile' });
    const r = await runCli(['--config', file, '--port', '3333', '--print-config'], {
      env: { LAKEGRES_PORT: '2222', LAKEGRES_MAX_CONNECTIONS: '22', LAKEGRES_PASSWORD: 'do-not-print-me' },
    });
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c).toMatchObject({ port: 3333, maxConnections: 22, host: '127.0.0.3', database: ['fromfile'], shutdownGraceMs: 10000, password: '[redacted]' });
    expect(r.stdout + r.stderr).not.toContain('do-not-print-me');
  });

  it('takes every option as a flag', async () => {
    const args: string[] = [];
    for (const spec of SETTABLE) {
      if (spec.type === 'bool') args.push(spec.flag);
      else args.push(spec.flag, sample(spec).text);
    }
    const r = await runCli([...args, '--print-config']);
    expect(r.stderr).toBe('');
    const c = JSON.parse(r.stdout);
    for (const spec of SETTABLE) {
      const expected = spec.key === 'password' ? '[redacted]' : sample(spec).expected;
      expect([spec.key, c[spec.key]]).toEqual([spec.key, expected]);
    }
  });

  it('hash-password prints a users-file line that logs in', async () => {
    const r = await runCli(['hash-password', 'alice'], { input: 'correct horse\n' });
    expect(r.code).toBe(0);
    const line = r.stdout.trim();
    expect(line).toMatch(/^alice:SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    const v = parseVerifier(line.slice('alice:'.length))!;
    expect(v).toBeDefined();
    // Same salt and iterations with the right password give the same keys.
    expect(makeVerifier('correct horse', v.iterations, v.salt).storedKey.equals(v.storedKey)).toBe(true);
    expect(line).not.toContain('correct horse');

    const usersFile = path.join(tmp, 'hashed-users');
    writeFileSync(usersFile, line + '\n');
    const srv = await startServer({ usersFile });
    try {
      const ok = new pg.Client(srv.connection({ user: 'alice', password: 'correct horse' }));
      await ok.connect();
      expect((await ok.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
      await ok.end();
      const bad = new pg.Client(srv.connection({ user: 'alice', password: 'correct horse!' }));
      await expect(bad.connect()).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await srv.stop();
    }
  });

  it.skipIf(!existsSync('/usr/bin/script'))('hash-password prompts on a terminal without echoing the password', async () => {
    // util-linux `script` gives the CLI a pseudo-terminal as stdin/stdout.
    const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} --import tsx src/cli.ts hash-password tty-user`, '/dev/null'], { cwd: ROOT, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 20_000;
    while (!out.includes('Password: ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('Password: ');
    // "tty-secreX", backspace, "t": the stored password is "tty-secret".
    child.stdin.write('tty-secreX\x7ft\r');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
    expect(out).not.toContain('tty-secre');
    const line = out.split(/\r?\n/).find((l) => l.startsWith('tty-user:'))!;
    const v = parseVerifier(line.trim().slice('tty-user:'.length))!;
    expect(makeVerifier('tty-secret', v.iterations, v.salt).storedKey.equals(v.storedKey)).toBe(true);
  });

  it('hash-password refuses unusable input with status 2', async () => {
    const [empty, colon, noUser] = await Promise.all([
      runCli(['hash-password', 'alice'], { input: '' }),
      runCli(['hash-password', 'a:b'], { input: 'pw\n' }),
      runCli(['hash-password'], { input: 'pw\n' }),
    ]);
    expect([empty.code, colon.code, noUser.code]).toEqual([2, 2, 2]);
    expect(empty.stderr).toMatch(/empty password/);
    expect(colon.stderr).toMatch(/invalid user name "a:b"/);
    expect(noUser.stderr).toMatch(/missing required argument 'user'/);
  });
});

describe('docs/CONFIGURATION.md', () => {
  it('documents every option with its flag and environment variable', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(path.join(import.meta.dirname, '../docs/CONFIGURATION.md'), 'utf8');
    const missing = OPTIONS.filter((o) => !doc.includes(`\`${o.flag}`) || !doc.includes(envName(o)));
    expect(missing.map((o) => o.flag)).toEqual([]);
  });
});
