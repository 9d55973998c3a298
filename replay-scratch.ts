import { mkdtempSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { LakegresServer } from '/work/main/src/server/server.ts';
import { resolveConfig } from '/work/main/src/config/options.ts';
import { silentLogger } from '/work/main/src/util/log.ts';
import { RawClient } from '/work/main/test/helpers/raw-client.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'lgrepro-'));
const config = { ...resolveConfig({ port: 0, dataDir, logLevel: 'silent' }, {}), maxConnections: 400, dataDir };
const server = await LakegresServer.start(config, silentLogger);
const port = server.port;
const c0 = await RawClient.connect({ port });
await c0.query("create table fuzz_t(a int, b text); insert into fuzz_t values (1, 'x'), (2, null)");
c0.end();
const cases = readFileSync(process.argv[2]!, 'utf8').split('\n').filter((l) => l.startsWith('start ')).map((l) => l.split(' '));
const only = process.argv[3] ? process.argv[3].split(',').map(Number) : undefined;
const conc = Number(process.argv[4] ?? 6);
let next = 0;
async function one(c: string[]) {
  const [, no, kind, hex] = c;
  if (only && !only.includes(Number(no))) return;
  let socket: net.Socket;
  if (kind === 'pre') {
    socket = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('connect', r));
  } else {
    const rc = await RawClient.connect({ port });
    socket = rc.socket;
  }
  socket.on('error', () => undefined);
  socket.write(Buffer.from(hex ?? '', 'hex'));
  await new Promise((r) => setTimeout(r, 80));
  console.log('done', no);
  socket.destroy();
}
await Promise.all(Array.from({ length: conc }, async () => { for (;;) { const i = next++; if (i >= cases.length) return; await one(cases[i]!); } }));
await new Promise((r) => setTimeout(r, 1000));
console.log('survived');
await server.shutdown(0);
