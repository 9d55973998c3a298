import { afterAll, beforeAll, it } from 'vitest';
import { startServer, referencePort, type TestServer } from './helpers/server.js';
import { RawClient, serialize } from './helpers/raw-client.js';
import { connectTo, summarize, type Target } from './helpers/protocol-compare.js';

let srv: TestServer;
beforeAll(async () => { srv = await startServer(); });
afterAll(async () => srv?.stop());
const S = serialize;

function msg(type: string, payload: Buffer): Buffer {
  const h = Buffer.alloc(5); h[0] = type.charCodeAt(0); h.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([h, payload]);
}
function i32(n: number) { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; }
function i16(n: number) { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; }
const cstr = (s: string | Buffer) => Buffer.concat([Buffer.isBuffer(s) ? s : Buffer.from(s), Buffer.from([0])]);

function startup(params: Record<string, string>, version = 196608): Buffer {
  const parts = [i32(version)];
  for (const [k, v] of Object.entries(params)) parts.push(cstr(k), cstr(v));
  parts.push(Buffer.from([0]));
  const body = Buffer.concat(parts);
  return Buffer.concat([i32(body.length + 4), body]);
}

async function collect(c: RawClient, ms = 800) {
  const out: any[] = [];
  for (;;) { try { out.push(await c.next(ms)); } catch { break; } }
  return out;
}
const bytesOut = (c: RawClient) => '';

const postStartup: [string, Buffer][] = [
  ['unknown type', msg('z', Buffer.alloc(0))],
  ['password after startup', S.password('x')],
  ['bad utf8 query', msg('Q', cstr(Buffer.from([0x73, 0xff, 0xfe])))],
  ['nul in query', msg('Q', Buffer.concat([cstr('select 1'), cstr('junk')]))],
  ['bad utf8 param', Buffer.concat([S.parse({ text: 'select $1::text' }), msg('B', Buffer.concat([cstr(''), cstr(''), i16(0), i16(1), i32(2), Buffer.from([0xc3, 0x28]), i16(0)])), S.execute({}), S.sync()])],
  ['nul in param', Buffer.concat([S.parse({ text: 'select $1::text' }), msg('B', Buffer.concat([cstr(''), cstr(''), i16(0), i16(1), i32(3), Buffer.from([0x61, 0, 0x62]), i16(0)])), S.execute({}), S.sync()])],
  ['bind 65535 short', Buffer.concat([S.parse({ text: 'select $1::text' }), msg('B', Buffer.concat([cstr(''), cstr(''), i16(0), i16(-1), i32(1)])), S.sync()])],
  ['parse more types', Buffer.concat([msg('P', Buffer.concat([cstr(''), cstr('select 1'), i16(5), i32(23)])), S.sync()])],
  ['bad sync', Buffer.concat([msg('S', Buffer.from([1,2,3]))])],
  ['bad flush', Buffer.concat([msg('H', Buffer.from([1])), S.sync()])],
  ['bad describe', Buffer.concat([msg('D', Buffer.concat([Buffer.from('X'), cstr('')])), S.sync()])],
  ['query while skipping', Buffer.concat([S.parse({ text: 'select * from nonexistent_tab' }), S.query('select 1'), S.sync()])],
  ['flush while skipping', Buffer.concat([S.parse({ text: 'select * from nonexistent_tab' }), S.flush(), S.sync()])],
  ['bad utf8 parse', Buffer.concat([msg('P', Buffer.concat([cstr(''), cstr(Buffer.from([0x73, 0xff])), i16(0)])), S.sync()])],
  ['huge len', Buffer.concat([Buffer.from('Q'), i32(0x7fffffff)])],
  ['neg len', Buffer.concat([Buffer.from('Q'), i32(-5)])],
  ['len 3', Buffer.concat([Buffer.from('S'), i32(3)])],
  ['bad utf8 in tx', Buffer.concat([S.query('begin'), msg('Q', cstr(Buffer.from([0xff])))])],
  ['function call', msg('F', Buffer.concat([i32(1), i16(0), i16(0), i16(0)]))],
  ['copydata outside', Buffer.concat([msg('d', Buffer.from('abc')), S.query('select 1')])],
  ['bad close', Buffer.concat([msg('C', Buffer.concat([Buffer.from('Q'), cstr('')])), S.sync()])],
  ['bind bad format', Buffer.concat([S.parse({ text: 'select $1::text' }), msg('B', Buffer.concat([cstr(''), cstr(''), i16(1), i16(7), i16(1), i32(1), Buffer.from('a'), i16(0)])), S.sync()])],
  ['bind neg len param', Buffer.concat([S.parse({ text: 'select $1::text' }), msg('B', Buffer.concat([cstr(''), cstr(''), i16(0), i16(1), i32(-7), i16(0)])), S.sync()])],
  ['execute trailing', Buffer.concat([S.parse({ text: 'select 1' }), S.bind({}), msg('E', Buffer.concat([cstr(''), i32(0), Buffer.from([9])])), S.sync()])],
];

const preStartup: [string, Buffer][] = [
  ['v2', startup({ user: 'x' }, 0x20000)],
  ['v4', startup({ user: 'x' }, 0x40000)],
  ['startup neg', i32(-1)],
  ['startup 4', Buffer.concat([i32(4), i32(0)])],
  ['startup huge', Buffer.concat([i32(10001), i32(196608)])],
  ['gss then nothing', Buffer.concat([i32(8), i32(80877104)])],
  ['ssl then nothing', Buffer.concat([i32(8), i32(80877103)])],
  ['ssl extra', Buffer.concat([i32(8), i32(80877103), Buffer.from('xyz')])],
  ['cancel bad', Buffer.concat([i32(16), i32(80877102), i32(1), i32(2)])],
  ['cancel wrong length', Buffer.concat([i32(12), i32(80877102), i32(1)])],
  ['no user', startup({ database: 'x' })],
  ['startup no terminator', Buffer.concat([i32(8 + 5), i32(196608), Buffer.from('user\0')])],
  ['startup key no value', (() => { const body = Buffer.concat([i32(196608), cstr('user')]); return Buffer.concat([i32(body.length + 4), body]); })()],
];

it('explore', async () => {
  const lines: string[] = [];
  for (const t of ['lake', 'pg'] as Target[]) {
    lines.push(`==== ${t}`);
    for (const [name, data] of postStartup) {
      const c = await connectTo(t, srv.port);
      c.write(data);
      const msgs = await collect(c);
      lines.push(`${name} => ${summarize(msgs, { messages: true }).join(' ')}${c.closed ? ' [closed]' : ''}`);
      c.socket.destroy();
    }
    for (const [name, data] of preStartup) {
      const c = await RawClient.connectSocket(t === 'lake' ? srv.port : referencePort());
      const raw: Buffer[] = [];
      c.socket.prependListener('data', (d: Buffer) => raw.push(d));
      c.write(data);
      const msgs = await collect(c);
      lines.push(`${name} => raw=${JSON.stringify(Buffer.concat(raw).toString('latin1').slice(0, 200))} ${c.closed ? ' [closed]' : ''}`);
      c.socket.destroy();
    }
  }
  console.log(lines.join('\n'));
}, 120000);
