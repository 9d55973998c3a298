/**
 * Bad input at the protocol level: malformed frames and payloads, absurd lengths, messages
 * out of order, invalid text, odd startup packets. The offending connection gets an
 * ErrorResponse (compared with the reference PostgreSQL 16 where PostgreSQL answers one) or
 * is closed; the server and every other session keep working.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, referencePort, type TestServer } from './helpers/server.js';
import { RawClient, serialize as S, errorFields, type BackendMessage } from './helpers/raw-client.js';
import { connectTo, simple, summarize, type Target } from './helpers/protocol-compare.js';

let srv: TestServer;
/** A session that stays open through every case and must keep answering. */
let witness: RawClient;

beforeAll(async () => {
  srv = await startServer();
  witness = await connectTo('lake', srv.port);
});
afterAll(async () => {
  witness?.end();
  await srv?.stop();
});
afterEach(async () => {
  expect(witness.closed).toBe(false);
  expect(await simple(witness, 'select 1::int4 as one', { rows: true })).toEqual(['T', 'D:1', 'C:SELECT 1', 'Z:I']);
});

// ------------------------------------------------------------------ byte builders

function frame(type: string, payload: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type.charCodeAt(0);
  h.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([h, payload]);
}
function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
function i16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
const cstr = (s: string | Buffer) => Buffer.concat([Buffer.isBuffer(s) ? s : Buffer.from(s), Buffer.from([0])]);

/** A Bind of the unnamed statement with hand-made parameter bytes. */
function bindRaw(params: (Buffer | null)[], formats: number[] = []): Buffer {
  const parts = [cstr(''), cstr(''), i16(formats.length), ...formats.map(i16), i16(params.length)];
  for (const p of params) parts.push(p === null ? i32(-1) : Buffer.concat([i32(p.length), p]));
  parts.push(i16(0));
  return frame('B', Buffer.concat(parts));
}

function startupPacket(params: Record<string, string>, version = 0x30000): Buffer {
  const parts = [i32(version)];
  for (const [k, v] of Object.entries(params)) parts.push(cstr(k), cstr(v));
  parts.push(Buffer.from([0]));
  const body = Buffer.concat(parts);
  return Buffer.concat([i32(body.length + 4), body]);
}

const SSL_REQUEST = Buffer.concat([i32(8), i32(80877103)]);
const GSSENC_REQUEST = Buffer.concat([i32(8), i32(80877104)]);

// ------------------------------------------------------------------ connection helpers

const portOf = (t: Target) => (t === 'lake' ? srv.port : referencePort());
const credentials = (t: Target) => (t === 'lake' ? { user: 'lakegres', database: 'lake' } : { user: 'postgres', database: 'postgres' });

/** Collects messages until the server closes the connection or stays quiet for `quietMs`. */
async function drain(c: RawClient, quietMs = 500): Promise<{ msgs: BackendMessage[]; closed: boolean }> {
  const msgs: BackendMessage[] = [];
  for (;;) {
    try {
      msgs.push(await c.next(quietMs));
    } catch {
      break;
    }
  }
  return { msgs, closed: c.closed };
}

/** Sends bytes on an authenticated session; returns what came back and whether it was closed. */
async function afterStartup(t: Target, bytes: Buffer): Promise<{ summary: string[]; closed: boolean; msgs: BackendMessage[] }> {
  const c = await connectTo(t, srv.port);
  try {
    c.write(bytes);
    const { msgs, closed } = await drain(c);
    return { summary: summarize(msgs, { rows: true }), closed, msgs };
  } finally {
    c.socket.destroy();
  }
}

/** Raw bytes on a fresh socket (no startup); returns everything received and whether it closed. */
async function beforeStartup(t: Target, bytes: Buffer, quietMs = 700): Promise<{ raw: Buffer; closed: boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port: portOf(t) });
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (d) => chunks.push(d));
  socket.on('error', () => undefined);
  const done = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(bytes);
  await Promise.race([done.then(() => (closed = true)), new Promise((r) => setTimeout(r, quietMs))]);
  socket.destroy();
  return { raw: Buffer.concat(chunks), closed };
}

/** Backend messages in raw bytes, after an optional one-byte SSL/GSS answer. */
function parseBackend(raw: Buffer, skip = 0): BackendMessage[] {
  const out: BackendMessage[] = [];
  let p = skip;
  while (p + 5 <= raw.length) {
    const len = raw.readInt32BE(p + 1);
    out.push({ type: String.fromCharCode(raw[p]!), payload: raw.subarray(p + 5, p + 1 + len) });
    p += 1 + len;
  }
  expect(p, 'trailing partial message').toBe(raw.length);
  return out;
}

/**
 * Completes a startup whose first bytes are given (e.g. an SSLRequest and a startup packet sent
 * after reading its answer); returns the messages of the startup.
 */
async function startupVia(t: Target, steps: Buffer[]): Promise<{ client: RawClient; msgs: BackendMessage[]; answers: string }> {
  const c = await RawClient.connectSocket(portOf(t));
  let answers = '';
  const password = t === 'pg' ? 'postgres' : '';
  for (let i = 0; i < steps.length - 1; i++) {
    // The answer to SSLRequest/GSSENCRequest is one unframed byte: keep RawClient from framing it.
    const listeners = c.socket.listeners('data') as ((d: Buffer) => void)[];
    c.socket.removeAllListeners('data');
    const got = new Promise<string>((resolve) => c.socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    c.write(steps[i]!);
    answers += await got;
    for (const l of listeners) c.socket.on('data', l);
  }
  c.write(steps[steps.length - 1]!);
  const msgs: BackendMessage[] = [];
  for (;;) {
    const m = await c.next(5000);
    msgs.push(m);
    if (m.type === 'R' && m.payload.readInt32BE(0) === 3) c.write(S.password(password));
    if (m.type === 'R' && m.payload.readInt32BE(0) === 5) throw new Error('md5 auth not supported by this helper');
    if (m.type === 'E' || m.type === 'Z') break;
  }
  return { client: c, msgs, answers };
}

// ------------------------------------------------------------------ malformed messages after startup

/**
 * Cases where PostgreSQL defines the answer: lakegres must send the same message types,
 * SQLSTATEs and severities, and close the connection exactly when PostgreSQL does.
 */
const compared: [string, () => Buffer][] = [
  ['unknown message type', () => frame('z', Buffer.alloc(0))],
  ['unknown message type after a valid query', () => Buffer.concat([S.query('select 1'), frame('\u0001', Buffer.from('abc'))])],
  ['password message after startup', () => S.password('secret')],
  ['invalid UTF-8 in a query string', () => frame('Q', cstr(Buffer.from([0x73, 0x65, 0xff, 0xfe])))],
  ['invalid UTF-8 in a query string inside a transaction block', () => Buffer.concat([S.query('begin'), frame('Q', cstr(Buffer.from([0xc3, 0x28]))), S.query('rollback')])],
  ['NUL byte inside a query string', () => frame('Q', Buffer.concat([cstr('select 1'), cstr('select 2')]))],
  ['invalid UTF-8 in a Parse query', () => Buffer.concat([frame('P', Buffer.concat([cstr(''), cstr(Buffer.from([0x73, 0xe2, 0x82])), i16(0)])), S.sync()])],
  ['invalid UTF-8 in a statement name', () => Buffer.concat([frame('P', Buffer.concat([cstr(Buffer.from([0xff])), cstr('select 1'), i16(0)])), S.sync()])],
  ['invalid UTF-8 in a text parameter', () => Buffer.concat([S.parse({ text: 'select $1::text' }), bindRaw([Buffer.from([0x61, 0xc3, 0x28])]), S.execute({}), S.sync()])],
  ['NUL byte in a text parameter', () => Buffer.concat([S.parse({ text: 'select $1::text' }), bindRaw([Buffer.from([0x61, 0x00, 0x62])]), S.execute({}), S.sync()])],
  ['Bind declaring 65535 parameters with a short payload', () => Buffer.concat([S.parse({ text: 'select $1::text' }), frame('B', Buffer.concat([cstr(''), cstr(''), i16(0), i16(-1), i32(1)])), S.sync()])],
  ['Bind with a negative parameter length', () => Buffer.concat([S.parse({ text: 'select $1::text' }), frame('B', Buffer.concat([cstr(''), cstr(''), i16(0), i16(1), i32(-7), i16(0)])), S.sync()])],
  ['Bind with an unknown format code', () => Buffer.concat([S.parse({ text: 'select $1::text' }), bindRaw([Buffer.from('a')], [7]), S.sync()])],
  ['Parse declaring more parameter types than its payload holds', () => Buffer.concat([frame('P', Buffer.concat([cstr(''), cstr('select 1'), i16(5), i32(23)])), S.sync()])],
  ['Parse without its terminating NUL', () => Buffer.concat([frame('P', Buffer.from('\u0000select 1')), S.sync()])],
  ['Sync with trailing bytes', () => frame('S', Buffer.from([1, 2, 3]))],
  ['Sync with trailing bytes after a pipelined write', () => Buffer.concat([S.parse({ text: 'select 1' }), S.bind({}), S.execute({}), frame('S', Buffer.from([1]))])],
  ['Flush with trailing bytes', () => Buffer.concat([frame('H', Buffer.from([1])), S.sync()])],
  ['Execute with trailing bytes', () => Buffer.concat([S.parse({ text: 'select 1' }), S.bind({}), frame('E', Buffer.concat([cstr(''), i32(0), Buffer.from([9])])), S.sync()])],
  ['Describe with an unknown subtype', () => Buffer.concat([frame('D', Buffer.concat([Buffer.from('X'), cstr('')])), S.sync()])],
  ['Close with an unknown subtype', () => Buffer.concat([frame('C', Buffer.concat([Buffer.from('Q'), cstr('')])), S.sync()])],
  ['Describe without payload', () => Buffer.concat([frame('D', Buffer.alloc(0)), S.sync()])],
  ['Bind before Parse', () => Buffer.concat([S.bind({}), S.execute({}), S.sync()])],
  ['Execute of nothing', () => Buffer.concat([S.execute({ portal: 'nothing' }), S.sync()])],
  ['malformed messages are skipped after an error until Sync', () => Buffer.concat([S.bind({ statement: 'nope' }), frame('D', Buffer.from('XX')), frame('B', Buffer.from([1])), S.sync()])],
  ['a simple Query is skipped after an error until Sync', () => Buffer.concat([S.execute({ portal: 'nope' }), S.query('select 1'), S.sync(), S.query('select 2')])],
  ['CopyData, CopyDone and CopyFail outside COPY are ignored', () => Buffer.concat([S.copyData(Buffer.from('x')), S.copyDone(), S.copyFail('no'), S.query('select 1')])],
  [
    'COPY data pipelined behind the COPY statement, then another Query',
    () =>
      Buffer.concat([
        S.query('create temp table cp_pipe(a int4, b text)'),
        S.query('copy cp_pipe from stdin'),
        S.copyData(Buffer.from('1\tx\n')),
        S.flush(),
        S.copyData(Buffer.from('2\ty\n')),
        S.copyDone(),
        S.query('select count(*)::int4 as n, max(b) as m from cp_pipe'),
      ]),
  ],
  [
    'COPY through the extended protocol with its data, CopyFail and Sync pipelined',
    () =>
      Buffer.concat([
        S.query('create temp table cp_pipe(a int4, b text)'),
        S.parse({ text: 'copy cp_pipe from stdin' }),
        S.bind({}),
        S.execute({}),
        S.sync(),
        S.copyData(Buffer.from('1\tx\n')),
        S.copyDone(),
        S.sync(),
        S.parse({ text: 'copy cp_pipe from stdin' }),
        S.bind({}),
        S.execute({}),
        S.copyData(Buffer.from('3\tz\n')),
        S.copyFail('client gave up'),
        S.sync(),
        S.query('select count(*)::int4 as n from cp_pipe'),
      ]),
  ],
  [
    'invalid UTF-8 in a Query after a pipelined write undoes the write',
    () =>
      Buffer.concat([
        S.query('create temp table rb_t(a int4)'),
        S.parse({ text: 'insert into rb_t values (1)' }),
        S.bind({}),
        S.execute({}),
        frame('Q', cstr(Buffer.from([0xff]))),
        S.query('select count(*)::int4 as n from rb_t'),
      ]),
  ],
  [
    'a valid Query after a pipelined write commits the write',
    () =>
      Buffer.concat([
        S.query('create temp table rb_t(a int4)'),
        S.parse({ text: 'insert into rb_t values (1)' }),
        S.bind({}),
        S.execute({}),
        S.query('select count(*)::int4 as n from rb_t'),
        S.sync(),
        S.query('rollback'),
        S.query('select count(*)::int4 as n from rb_t'),
      ]),
  ],
  ['Terminate ends the session quietly', () => Buffer.concat([S.query('select 1'), S.end(), S.query('select 2')])],
];

describe('malformed messages after startup, compared with PostgreSQL', () => {
  for (const [name, bytes] of compared) {
    it(name, async () => {
      const [lake, pg] = await Promise.all([afterStartup('lake', bytes()), afterStartup('pg', bytes())]);
      expect(lake.summary).toEqual(pg.summary);
      expect(lake.closed).toBe(pg.closed);
      expect(pg.summary.length).toBeGreaterThan(0);
    });
  }

  it('names the offending bytes of invalid UTF-8 like PostgreSQL', async () => {
    for (const bad of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0x00]]) {
      const bytes = Buffer.concat([S.parse({ text: 'select $1::text' }), bindRaw([Buffer.from([0x61, ...bad])]), S.sync()]);
      const [lake, pg] = await Promise.all([afterStartup('lake', bytes), afterStartup('pg', bytes)]);
      const msg = (r: { msgs: BackendMessage[] }) => errorFields(r.msgs.find((m) => m.type === 'E')!).M;
      expect(msg(lake), bad.join(',')).toBe(msg(pg));
    }
  });

  it('answers the fast-path FunctionCall with an error and stays usable', async () => {
    const r = await afterStartup('lake', Buffer.concat([frame('F', Buffer.concat([i32(1), i16(0), i16(0), i16(0)])), S.query('select 1')]));
    // PostgreSQL reports the unknown function OID (42883); lakegres has no fast-path functions.
    expect(r.summary).toEqual(['E:0A000:ERROR', 'Z:I', 'T', 'D:1', 'C:SELECT 1', 'Z:I']);
    expect(r.closed).toBe(false);
  });

  it('keeps a valid UTF-8 text parameter with multi-byte characters intact', async () => {
    const value = 'héllo wörld ✓ 😀';
    const r = await afterStartup('lake', Buffer.concat([S.parse({ text: 'select $1::text as v' }), bindRaw([Buffer.from(value)]), S.execute({}), S.sync()]));
    const d = r.msgs.find((m) => m.type === 'D')!;
    expect(d.payload.subarray(6).toString('utf8')).toBe(value);
  });
});

// ------------------------------------------------------------------ framing

describe('frame lengths', () => {
  const refused = async (bytes: Buffer) => {
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    const r = await afterStartup('lake', bytes);
    // Refused at once, without waiting for (or allocating) the announced payload.
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.closed).toBe(true);
    expect(r.summary).toEqual(['E:08P01:FATAL']);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  };

  it('refuses a negative length', () => refused(Buffer.concat([Buffer.from('Q'), i32(-5)])));
  it('refuses a length below 4', () => refused(Buffer.concat([Buffer.from('S'), i32(3)])));
  it('refuses a length of 0', () => refused(Buffer.concat([Buffer.from('Q'), i32(0), Buffer.from('x')])));
  it('refuses a Query over 1 GB', () => refused(Buffer.concat([Buffer.from('Q'), i32(0x40000000), Buffer.from('select')])));
  it('refuses a Parse of 2 GB', () => refused(Buffer.concat([Buffer.from('P'), i32(0x7fffffff)])));
  it('refuses a Sync over 10000 bytes', () => refused(Buffer.concat([Buffer.from('S'), i32(10_001)])));

  it('PostgreSQL closes on the same lengths', async () => {
    for (const bytes of [Buffer.concat([Buffer.from('Q'), i32(-5)]), Buffer.concat([Buffer.from('Q'), i32(0x40000000)])]) {
      const r = await afterStartup('pg', bytes);
      expect(r.closed).toBe(true);
    }
  });

  it('answers a message split into many tiny writes', async () => {
    const c = await connectTo('lake', srv.port);
    const bytes = Buffer.concat([S.parse({ text: 'select 42::int4 as x' }), S.bind({}), S.execute({}), S.sync()]);
    for (let i = 0; i < bytes.length; i++) {
      c.write(bytes.subarray(i, i + 1));
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(summarize(await c.untilReady(), { rows: true })).toEqual(['1', '2', 'D:42', 'C:SELECT 1', 'Z:I']);
    c.end();
  });

  it('survives a truncated frame followed by a close', async () => {
    for (const bytes of [S.query('select 1').subarray(0, 7), S.parse({ text: 'select 1' }).subarray(0, 3), Buffer.from('Q')]) {
      const c = await connectTo('lake', srv.port);
      c.write(bytes);
      await new Promise((r) => setTimeout(r, 50));
      c.socket.end();
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('survives a truncated startup packet followed by a close', async () => {
    const packet = startupPacket({ user: 'lakegres', database: 'lake' });
    for (const cut of [2, 6, packet.length - 1]) {
      const r = await beforeStartup('lake', packet.subarray(0, cut), 200);
      expect(r.raw.length).toBe(0);
    }
  });

  it('ends the session when the client vanishes mid-pipeline', async () => {
    const c = await connectTo('lake', srv.port);
    c.write(Buffer.concat([S.parse({ text: 'select i from range(1000000) t(i)' }), S.bind({}), S.execute({}), S.sync()]));
    c.socket.destroy();
    await new Promise((r) => setTimeout(r, 300));
  });
});

// ------------------------------------------------------------------ startup phase

describe('startup packets', () => {
  it('refuses protocol 2.0 like PostgreSQL (FATAL 0A000, closed)', async () => {
    const lake = await beforeStartup('lake', startupPacket({ user: 'x' }, 0x20000));
    const pg = await beforeStartup('pg', startupPacket({ user: 'x' }, 0x20000));
    expect(lake.closed && pg.closed).toBe(true);
    // PostgreSQL answers a 2.0 client in the 2.0 format ("E" + text); lakegres in the 3.0 format.
    expect(pg.raw.toString('latin1')).toMatch(/^EFATAL: {2}unsupported frontend protocol 2\.0/);
    const [e] = parseBackend(lake.raw);
    expect(errorFields(e!)).toMatchObject({ V: 'FATAL', C: '0A000', M: 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0' });
  });

  it('refuses protocol 4.0 like PostgreSQL', async () => {
    const [lake, pg] = await Promise.all([beforeStartup('lake', startupPacket({ user: 'x' }, 0x40000)), beforeStartup('pg', startupPacket({ user: 'x' }, 0x40000))]);
    expect(lake.closed && pg.closed).toBe(true);
    expect(summarize(parseBackend(lake.raw), { messages: true })).toEqual(summarize(parseBackend(pg.raw), { messages: true }));
  });

  it('refuses a startup packet over 10000 bytes', async () => {
    const packet = startupPacket({ user: 'lakegres', database: 'lake', application_name: 'x'.repeat(12_000) });
    const lake = await beforeStartup('lake', packet);
    const pg = await beforeStartup('pg', packet, 3000);
    expect(lake.closed).toBe(true);
    expect(pg.closed).toBe(true);
    // PostgreSQL closes silently; lakegres says why.
    expect(summarize(parseBackend(lake.raw))).toEqual(['E:08P01:FATAL']);
  });

  it('refuses startup lengths that are negative or too small', async () => {
    for (const bytes of [i32(-1), Buffer.concat([i32(4), i32(0)]), Buffer.concat([i32(7), Buffer.alloc(3)])]) {
      const lake = await beforeStartup('lake', bytes);
      const pg = await beforeStartup('pg', bytes);
      expect(lake.closed).toBe(true);
      expect(pg.closed).toBe(true);
      expect(summarize(parseBackend(lake.raw))).toEqual(['E:08P01:FATAL']);
    }
  });

  it('refuses a startup packet without user or without its terminator', async () => {
    const noTerminator = Buffer.concat([i32(13), i32(0x30000), Buffer.from('user\0')]);
    for (const bytes of [startupPacket({ database: 'x' }), noTerminator]) {
      const lake = await beforeStartup('lake', bytes);
      const pg = await beforeStartup('pg', bytes);
      expect(lake.closed && pg.closed).toBe(true);
      expect(summarize(parseBackend(lake.raw))).toEqual(summarize(parseBackend(pg.raw)));
    }
  });

  it('negotiates protocol 3.2 and _pq_ options down to 3.0, then works', async () => {
    const results: Record<string, { negotiate: string; after: string[] }> = {};
    for (const t of ['lake', 'pg'] as Target[]) {
      const packet = startupPacket({ ...credentials(t), '_pq_.compression': 'on', '_pq_.other': 'x' }, 0x30002);
      const { client, msgs } = await startupVia(t, [packet]);
      const v = msgs.find((m) => m.type === 'v');
      expect(v, t).toBeDefined();
      expect(msgs[msgs.length - 1]!.type).toBe('Z');
      results[t] = { negotiate: v!.payload.toString('hex'), after: await simple(client, 'select 1::int4 as one', { rows: true }) };
      client.end();
    }
    expect(results.lake).toEqual(results.pg);
    const payload = Buffer.from(results.pg!.negotiate, 'hex');
    expect(payload.readInt32BE(0)).toBe(0x30000); // newest version supported: 3.0
    expect(payload.readInt32BE(4)).toBe(2);
    expect(payload.subarray(8).toString()).toBe('_pq_.compression\0_pq_.other\0');
  });

  it('negotiates a bare 3.2 request with an empty option list', async () => {
    for (const t of ['lake', 'pg'] as Target[]) {
      const { client, msgs } = await startupVia(t, [startupPacket(credentials(t), 0x30002)]);
      const v = msgs.find((m) => m.type === 'v')!;
      expect(v.payload.toString('hex'), t).toBe('0003000000000000');
      client.end();
    }
  });

  it('does not negotiate for a plain 3.0 startup', async () => {
    const { client, msgs } = await startupVia('lake', [startupPacket(credentials('lake'))]);
    expect(msgs.some((m) => m.type === 'v')).toBe(false);
    client.end();
  });

  it('answers GSSENCRequest with N, then accepts a normal startup', async () => {
    for (const t of ['lake', 'pg'] as Target[]) {
      const { client, answers, msgs } = await startupVia(t, [GSSENC_REQUEST, startupPacket(credentials(t))]);
      expect(answers, t).toBe('N');
      expect(msgs[msgs.length - 1]!.type).toBe('Z');
      expect(await simple(client, 'select 1::int4 as one', { rows: true })).toEqual(['T', 'D:1', 'C:SELECT 1', 'Z:I']);
      client.end();
    }
  });

  it('answers SSLRequest with N when TLS is off, then accepts a normal startup', async () => {
    for (const t of ['lake', 'pg'] as Target[]) {
      const { client, answers, msgs } = await startupVia(t, [SSL_REQUEST, startupPacket(credentials(t))]);
      expect(answers, t).toBe('N');
      expect(msgs[msgs.length - 1]!.type).toBe('Z');
      client.end();
    }
  });

  it('answers SSLRequest then GSSENCRequest then startup', async () => {
    const { client, answers, msgs } = await startupVia('lake', [SSL_REQUEST, GSSENC_REQUEST, startupPacket(credentials('lake'))]);
    expect(answers).toBe('NN');
    expect(msgs[msgs.length - 1]!.type).toBe('Z');
    client.end();
  });

  it('refuses bytes sent right after SSLRequest or GSSENCRequest, like PostgreSQL', async () => {
    for (const req of [SSL_REQUEST, GSSENC_REQUEST]) {
      const bytes = Buffer.concat([req, startupPacket({ user: 'lakegres' })]);
      const lake = await beforeStartup('lake', bytes);
      const pg = await beforeStartup('pg', bytes);
      expect(lake.closed && pg.closed).toBe(true);
      expect(lake.raw.subarray(0, 1).toString()).toBe('N');
      expect(pg.raw.subarray(0, 1).toString()).toBe('N');
      expect(summarize(parseBackend(lake.raw, 1), { messages: true })).toEqual(summarize(parseBackend(pg.raw, 1), { messages: true }));
    }
  });

  it('refuses an SSLRequest with a wrong length', async () => {
    const r = await beforeStartup('lake', Buffer.concat([i32(12), i32(80877103), i32(0)]));
    expect(r.closed).toBe(true);
    expect(summarize(parseBackend(r.raw))).toEqual(['E:08P01:FATAL']);
  });
});

// ------------------------------------------------------------------ authentication phase

describe('messages during authentication', () => {
  let auth: TestServer;
  beforeAll(async () => {
    auth = await startServer({ auth: 'password', password: 'pw' });
  });
  afterAll(async () => auth?.stop());

  /** Startup up to the cleartext password request, then `bytes` instead of the password. */
  async function duringAuth(t: Target, bytes: Buffer): Promise<{ summary: string[]; closed: boolean; ms: number }> {
    const c = await RawClient.connectSocket(t === 'lake' ? auth.port : referencePort());
    c.write(startupPacket(credentials(t)));
    const r = await c.next(5000);
    expect(r.type, t).toBe('R');
    expect(r.payload.readInt32BE(0), `${t} asks for a cleartext password`).toBe(3);
    const t0 = Date.now();
    c.write(bytes);
    const { msgs, closed } = await drain(c, 2000);
    c.socket.destroy();
    return { summary: summarize(msgs), closed, ms: Date.now() - t0 };
  }

  it('refuses a Query announced as 1 GB without waiting for its payload', async () => {
    const bytes = Buffer.concat([Buffer.from('Q'), i32(0x3ff00000), Buffer.from('select')]);
    const [lake, pg] = await Promise.all([duringAuth('lake', bytes), duringAuth('pg', bytes)]);
    expect(lake.summary).toEqual(pg.summary);
    expect(pg.summary).toEqual(['E:08P01:FATAL']);
    expect(lake.closed && pg.closed).toBe(true);
    expect(lake.ms).toBeLessThan(1500);
  });

  it('refuses a password message over the auth token limit', async () => {
    const bytes = Buffer.concat([Buffer.from('p'), i32(70_000), Buffer.from('x')]);
    const lake = await duringAuth('lake', bytes);
    expect(lake.summary).toEqual(['E:08P01:FATAL']);
    expect(lake.closed).toBe(true);
  });

  it('refuses a wrong password, and accepts the right one', async () => {
    const lake = await duringAuth('lake', S.password('wrong'));
    expect(lake.summary).toEqual(['E:28P01:FATAL']);
    const ok = await RawClient.connect({ port: auth.port, password: 'pw' });
    expect(await simple(ok, 'select 1::int4 as one', { rows: true })).toEqual(['T', 'D:1', 'C:SELECT 1', 'Z:I']);
    ok.end();
  });
});

// ------------------------------------------------------------------ cancel

describe('CancelRequest', () => {
  const LONG_QUERY = 'select sum(hash(i)) as s from range(400000000) t(i)';

  async function connectWithKey(): Promise<{ client: RawClient; pid: number; secret: number }> {
    const { client, msgs } = await startupVia('lake', [startupPacket(credentials('lake'))]);
    const k = msgs.find((m) => m.type === 'K')!;
    return { client, pid: k.payload.readInt32BE(0), secret: k.payload.readInt32BE(4) };
  }

  const cancelPacket = (pid: number, secret: number) => Buffer.concat([i32(16), i32(80877102), i32(pid), i32(secret)]);

  it('ignores a CancelRequest with a wrong key: the target keeps running', async () => {
    const { client, pid, secret } = await connectWithKey();
    client.write(S.query(LONG_QUERY));
    await new Promise((r) => setTimeout(r, 300));
    const r = await beforeStartup('lake', cancelPacket(pid, secret ^ 0x5a5a5a5a), 1000);
    expect(r.closed).toBe(true);
    expect(r.raw.length).toBe(0);
    const msgs = summarize(await client.untilReady(120_000));
    expect(msgs).toEqual(['T', 'D', 'C:SELECT 1', 'Z:I']);
    client.end();
  }, 150_000);

  it('cancels with the right key (57014), and the session stays usable', async () => {
    const { client, pid, secret } = await connectWithKey();
    client.write(S.query(LONG_QUERY));
    await new Promise((r) => setTimeout(r, 300));
    const r = await beforeStartup('lake', cancelPacket(pid, secret), 1000);
    expect(r.closed).toBe(true);
    expect(r.raw.length).toBe(0);
    const msgs = summarize(await client.untilReady(60_000));
    expect(msgs).toEqual(['E:57014:ERROR', 'Z:I']);
    expect(await simple(client, 'select 1::int4 as one', { rows: true })).toEqual(['T', 'D:1', 'C:SELECT 1', 'Z:I']);
    client.end();
  }, 90_000);

  it('ignores a CancelRequest for an unknown pid', async () => {
    const r = await beforeStartup('lake', cancelPacket(1, 2), 1000);
    expect(r.closed).toBe(true);
    expect(r.raw.length).toBe(0);
  });
});

// ------------------------------------------------------------------ session teardown

describe('clients that vanish', () => {
  // A crash here takes the test process down with it (the server runs in-process).
  it('survives disconnects right after Parse of a lake write (its staged write is discarded first)', async () => {
    const setup = await connectTo('lake', srv.port);
    expect(await simple(setup, 'create table vanish_t(a int4, b text)')).toEqual(['C:CREATE TABLE', 'Z:I']);
    setup.end();
    for (let i = 0; i < 8; i++) {
      const c = await connectTo('lake', srv.port);
      const sql = i % 2 === 0 ? `insert into vanish_t values (${i}, 'x')` : `insert into vanish_t select a + 100, b from vanish_t`;
      c.write(Buffer.concat([S.parse({ name: 'w', text: sql }), S.bind({ statement: 'w' }), S.flush()]));
      await c.next(5000);
      c.socket.destroy();
      await new Promise((r) => setTimeout(r, i * 3));
    }
    await new Promise((r) => setTimeout(r, 300));
    // Nothing was executed, so nothing was written.
    expect(await simple(witness, 'select count(*)::int4 as n from vanish_t', { rows: true })).toEqual(['T', 'D:0', 'C:SELECT 1', 'Z:I']);
  });

  it('survives disconnects while a suspended portal fetches its next chunk', async () => {
    const q = "select i, hash(repeat('x', 5000) || i::varchar) as h from range(200000) t(i)";
    for (let i = 0; i < 6; i++) {
      const c = await connectTo('lake', srv.port);
      c.write(Buffer.concat([S.parse({ text: q }), S.bind({}), S.execute({ rows: 1 }), S.flush()]));
      expect(summarize([await c.next(30_000), await c.next(30_000), await c.next(30_000), await c.next(30_000)])).toEqual(['1', '2', 'D', 's']);
      c.socket.destroy();
      await new Promise((r) => setTimeout(r, i * 5));
    }
    await new Promise((r) => setTimeout(r, 300));
  });

  it('survives disconnects in the middle of a COPY FROM STDIN and of a running statement', async () => {
    const setup = await connectTo('lake', srv.port);
    await simple(setup, 'create table vanish_c(a int4, b text)');
    setup.end();
    for (let i = 0; i < 4; i++) {
      const c = await connectTo('lake', srv.port);
      c.write(Buffer.concat([S.query('copy vanish_c from stdin'), S.copyData(Buffer.from('1\tx\n2\ty\n'))]));
      expect((await c.next(5000)).type).toBe('G');
      c.socket.destroy();
      const d = await connectTo('lake', srv.port);
      d.write(S.query('select sum(hash(i)) from range(50000000) t(i)'));
      await new Promise((r) => setTimeout(r, 50 + i * 20));
      d.socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await simple(witness, 'select count(*)::int4 as n from vanish_c', { rows: true })).toEqual(['T', 'D:0', 'C:SELECT 1', 'Z:I']);
  });
});

// ------------------------------------------------------------------ sessions are independent

describe('session isolation', () => {
  it('named statements end with their session', async () => {
    const a = await connectTo('lake', srv.port);
    a.write(Buffer.concat([S.parse({ name: 'mine', text: 'select 1' }), S.sync()]));
    expect(summarize(await a.untilReady())).toEqual(['1', 'Z:I']);
    a.end();
    const b = await connectTo('lake', srv.port);
    b.write(Buffer.concat([S.bind({ statement: 'mine' }), S.sync()]));
    expect(summarize(await b.untilReady())).toEqual(['E:26000:ERROR', 'Z:I']);
    b.end();
  });
});
